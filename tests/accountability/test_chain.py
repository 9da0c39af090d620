# ruff: noqa: F811  (fixtures imported from fixtures_reviews.py and billing's conftest are taken by name)
"""The traceable chain: a breached request -> its credit, nonconformity, scorecard cell and review; and back.

Each link is read from the rows the platform keeps; each page at the other
end links back to the request's chain. An agency reads only its own chains.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.selectors.chain import request_chain
from accountability.selectors.scorecards import months_between
from accountability.services.reviews import review_pack_compile, review_plan
from accountability.services.scorecards import scorecards_refresh
from accounts.models import Role
from tests.accountability.fixtures_reviews import (  # noqa: F401
    breached_world,
    keeper,
    process_owner,
    undp_approver,
    unfpa_approver,
)
from tests.billing.conftest import (  # noqa: F401
    decision,
    deliver,
    deliver_late,
    finance,
    issue,
    price_list,
    run_month,
    undp_finance,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussed(breached_world, keeper):
    """The October scorecards refreshed and a Q4-to-date review compiled, which discusses October's NCs."""
    scorecards_refresh(months=months_between(first=date(2026, 8, 1), last=date(2026, 10, 1)), now=timezone.now())
    review = review_plan(
        title="Q3 review",
        period_from=date(2026, 8, 1),
        period_to=date(2026, 10, 31),
        meeting_on=date(2026, 11, 10),
        chair=keeper,
        by=keeper,
    )
    return review_pack_compile(review=review, by=keeper)


def chain_path(entry):
    return f"/accountability/chain/{entry.pk}/"


def test_the_chain_leads_from_a_breached_request_to_its_credit_nc_cell_and_review(breached_world, discussed):
    world = breached_world
    world.entry.refresh_from_db()
    chain = request_chain(entry=world.entry, scope=None)
    assert [breach.entry_id for breach in chain.breaches] == [world.entry.pk]
    assert chain.credit_lines == [world.credit] and chain.credit_lines[0].invoice == world.invoice
    assert chain.nonconformities == [world.nonconformity]
    assert chain.cell_key == ("UNDP", "ICT-INC", "2026-10")
    assert chain.cell is not None and chain.cell.breached == 1
    assert chain.reviews == [discussed]


def test_the_facility_chain_page_links_each_step(client_at, facility, breached_world, discussed, make_person):
    world = breached_world
    manager = make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")
    page = client_at(facility, manager).get(chain_path(world.entry))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("billing:invoice", args=[world.invoice.pk], urlconf="shared_platform.urls_facility") in html
    assert f"/quality/nonconformities/{world.nonconformity.reference}/" in html
    assert f"/accountability/reviews/{discussed.reference}/" in html
    assert world.invoice.number in html and world.entry.reference in html
    assert "/accountability/scorecards/" in html or "UNDP · ICT-INC" in html


def test_the_invoice_is_named_without_a_link_for_those_who_do_not_read_billing(
    client_at, facility, breached_world, discussed, keeper
):
    html = client_at(facility, keeper).get(chain_path(breached_world.entry)).content.decode()
    assert breached_world.invoice.number in html
    assert f"/billing/invoices/{breached_world.invoice.pk}/" not in html


def test_each_step_links_back_to_the_chain(client_at, facility, breached_world, discussed, keeper, make_person):
    world = breached_world
    link = chain_path(world.entry)
    client = client_at(facility, keeper)
    # the ledger's request page
    assert link in client.get(f"/requests/{world.entry.reference}/").content.decode()
    # the nonconformity's page, beside the breach it holds
    assert link in client.get(f"/quality/nonconformities/{world.nonconformity.reference}/").content.decode()
    # the review's page, among the requests behind the nonconformities it discussed
    assert link in client.get(f"/accountability/reviews/{discussed.reference}/").content.decode()
    # the invoice's credit line, for facility finance
    finance_person = make_person((Role.FACILITY_FINANCE, None), email="finance2@facility.test")
    invoice_page = client_at(facility, finance_person).get(f"/billing/invoices/{world.invoice.pk}/")
    assert link in invoice_page.content.decode()


def test_an_agency_reads_its_own_chain_with_the_facility_records_named_not_linked(
    client_at, undp, breached_world, discussed, undp_finance
):
    world = breached_world
    page = client_at(undp, undp_finance).get(chain_path(world.entry))
    assert page.status_code == 200
    html = page.content.decode()
    assert world.invoice.number in html and f"/billing/invoices/{world.invoice.pk}/" in html
    assert world.nonconformity.reference in html and "/quality/nonconformities/" not in html
    assert discussed.reference in html and "/accountability/reviews/" not in html
    # and its invoice page links back to the chain
    assert (
        chain_path(world.entry)
        in client_at(undp, undp_finance).get(f"/billing/invoices/{world.invoice.pk}/").content.decode()
    )


def test_another_agencys_chain_is_not_found_and_shows_nothing_of_it(client_at, unfpa, breached_world, unfpa_approver):
    world = breached_world
    page = client_at(unfpa, unfpa_approver).get(chain_path(world.entry))
    assert page.status_code == 404
    assert world.entry.reference not in page.content.decode()
    # its own request's chain it reads
    assert client_at(unfpa, unfpa_approver).get(chain_path(world.unfpa_entry)).status_code == 200


def test_the_same_person_on_another_agencys_address_is_refused(client_at, unfpa, breached_world, undp_approver):
    page = client_at(unfpa, undp_approver).get(chain_path(breached_world.entry))
    assert page.status_code in (403, 404)
    assert breached_world.entry.reference not in page.content.decode()


def test_a_requester_does_not_read_chains_and_is_not_shown_the_link(client_at, undp, breached_world, make_person):
    requester = breached_world.entry.requester or make_person((Role.REQUESTER, undp), email="r@undp.test")
    if breached_world.entry.requester is None:
        from ledger.models import LedgerEntry

        LedgerEntry.objects.filter(pk=breached_world.entry.pk).update(requester=requester)
    client = client_at(undp, requester)
    assert client.get(chain_path(breached_world.entry)).status_code == 403
    assert (
        chain_path(breached_world.entry)
        not in client.get(f"/requests/{breached_world.entry.reference}/").content.decode()
    )


@pytest.mark.parametrize("bad", ["0", "99999999999999999999999", "-1", "abc", "1%00"])
def test_a_bad_request_id_is_not_found_never_an_error(client_at, facility, keeper, bad):
    assert client_at(facility, keeper).get(f"/accountability/chain/{bad}/").status_code == 404


def test_the_chain_api_answers_the_same_links_and_keeps_agencies_apart(
    api_at, facility, unfpa, breached_world, discussed, keeper, unfpa_approver
):
    world = breached_world
    answer = api_at(facility, keeper).get(f"/api/accountability/chain/{world.entry.pk}/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["request"] == world.entry.reference
    assert [credit["invoice"] for credit in body["credits"]] == [world.invoice.number]
    assert body["credits"][0]["amount"] == str(world.credit.amount)
    assert body["nonconformities"] == [world.nonconformity.reference]
    assert body["scorecard_cell"] == {"agency": "UNDP", "service": "ICT-INC", "month": "2026-10"}
    assert body["reviews"] == [discussed.reference]
    # an agency's person on the portal API is refused; a huge id is not found
    assert api_at(facility, unfpa_approver).get(f"/api/accountability/chain/{world.entry.pk}/").status_code == 403
    assert api_at(facility, keeper).get("/api/accountability/chain/99999999999999999999/").status_code == 404


AGENCY_CHAIN_API = "/api/accountability/chain/{pk}/"


def _agency_chain_api_wired() -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(AGENCY_CHAIN_API.format(pk=1), urlconf="shared_platform.urls_agency")
    except Resolver404:
        return False
    return True


@pytest.mark.skipif(not _agency_chain_api_wired(), reason="accountability/urls.py does not list the agency chain API")
def test_the_agency_chain_api_reads_its_own_and_not_anothers(api_at, unfpa, breached_world, unfpa_approver):
    world = breached_world
    client = api_at(unfpa, unfpa_approver)
    assert client.get(AGENCY_CHAIN_API.format(pk=world.unfpa_entry.pk)).status_code == 200
    refused = client.get(AGENCY_CHAIN_API.format(pk=world.entry.pk))
    assert refused.status_code == 404 and world.entry.reference not in refused.content.decode()
