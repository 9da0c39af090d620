"""Finance's start pages: the facility's drafts to review; an agency's issued invoices not yet paid."""

import pytest

from billing.models import Invoice
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def test_facility_finance_sees_the_months_with_drafts_to_review(
    facility, undp, undp_agreement, price_list, deliver, run_month, finance, client_at
):
    # given October run, its drafts not yet issued
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run_month()
    drafts = Invoice.objects.filter(month=OCTOBER, status="draft").count()
    # when facility finance opens the portal
    page = client_at(facility, finance).get("/").content.decode()
    # then October is there with its number of drafts, linked to them
    assert 'id="start-billing-drafts"' in page
    assert "October 2026" in page and f"{drafts} draft" in page
    assert "?month=2026-10&amp;status=draft" in page


def test_agency_finance_sees_its_unpaid_invoices_and_not_another_agencys(
    undp, unfpa, undp_agreement, unfpa_agreement, price_list, deliver, run_month, issue, undp_finance, client_at
):
    # given October issued for UNDP and UNFPA
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    deliver(unfpa, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run_month()
    ours = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    theirs = issue(Invoice.objects.get(agency=unfpa, month=OCTOBER))
    # when UNDP's finance officer opens the agency's address
    page = client_at(undp, undp_finance).get("/").content.decode()
    # then UNDP's invoice waits there to be paid, UNFPA's is nowhere
    assert 'id="start-billing-unpaid"' in page
    assert ours.number in page and theirs.number not in page
