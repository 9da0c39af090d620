"""The invoice and credit-note lists: sortable columns, filters kept in the address, an empty state that says
whether the filters found nothing or there is nothing yet, and cards on a phone."""

from __future__ import annotations

import re

import pytest

from billing import services
from billing.models import Invoice
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices(undp, unfpa, undp_agreement, unfpa_agreement, price_list, deliver, run_month):
    """October drafts: UNDP USD 80.00 (two requests), UNFPA USD 40.00 (one)."""
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    deliver(undp, "ICT-REQ", at(2026, 10, 6, 10, 0))
    deliver(unfpa, "ICT-REQ", at(2026, 10, 7, 10, 0))
    run_month()
    return Invoice.objects.filter(month=OCTOBER)


def agencies_in_order(page: str) -> list[str]:
    table = page[page.index('id="invoices"') : page.index("</table>", page.index('id="invoices"'))]
    return re.findall(r'data-label="Agency">(\w+)<', table)


def test_the_list_sorts_by_a_column_both_ways(invoices, facility, finance, client_at):
    browser = client_at(facility, finance)
    assert agencies_in_order(browser.get("/billing/?sort=total").content.decode()) == ["UNFPA", "UNDP"]
    assert agencies_in_order(browser.get("/billing/?sort=-total").content.decode()) == ["UNDP", "UNFPA"]


def test_the_sort_links_keep_the_filters(invoices, facility, finance, client_at):
    page = client_at(facility, finance).get("/billing/?status=draft&sort=agency").content.decode()
    assert 'aria-sort="ascending"' in page
    header = re.search(r'<th scope="col" aria-sort="ascending"[^>]*><a href="\?([^"]+)"', page)
    assert header is not None and "status=draft" in header.group(1) and "sort=-agency" in header.group(1)
    assert 'name="sort" value="agency"' in page  # the filter form keeps the order


def test_an_unknown_sort_falls_back_to_the_default(invoices, facility, finance, client_at):
    assert client_at(facility, finance).get("/billing/?sort=nonsense").status_code == 200


def test_the_empty_state_tells_filters_from_nothing_yet(invoices, facility, finance, client_at, undp, undp_finance):
    browser = client_at(facility, finance)
    assert "No invoice matches these filters." in browser.get("/billing/?status=paid").content.decode()
    agency_page = client_at(undp, undp_finance).get("/billing/").content.decode()  # drafts are not shown there
    assert "No invoice yet." in agency_page


def test_tables_become_cards_on_a_phone(invoices, facility, finance, client_at):
    page = client_at(facility, finance).get("/billing/").content.decode()
    assert 'id="invoices" class="stack"' in page
    assert 'data-label="Status"' in page and 'data-label="Total (USD)"' in page


def test_credit_notes_sort_and_filter(
    invoices, issue, finance, facility, client_at, django_capture_on_commit_callbacks
):
    for invoice in invoices:
        issued = issue(invoice)
        with django_capture_on_commit_callbacks(execute=True):
            services.credit_note_issue(invoice=issued, reason="Test", issued_by=finance)
    browser = client_at(facility, finance)
    page = browser.get("/billing/credit-notes/?sort=amount").content.decode()
    assert page.index(">UNFPA<") < page.index(">UNDP<")
    assert "No credit note matches these filters." in browser.get("/billing/credit-notes/?agency=UNEP").content.decode()
