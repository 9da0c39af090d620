"""Pages and API: each agency reaches only its own invoices, PDFs and CSVs; facility finance reaches all.

Every billing endpoint is tried from the wrong place: another agency's address,
a session replayed with a crafted Host header, a role without billing rights.
"""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from billing.models import CreditNote, Invoice, InvoiceStatus
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices(undp, unfpa, sign_agreement, price_list, deliver, run_month, issue):
    """October issued for UNDP and UNFPA (each with one ICT-REQ), and a UNFPA credit note."""
    sign_agreement(undp)
    sign_agreement(unfpa)
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0), reference="UNDP-REQ-1")
    deliver(unfpa, "ICT-REQ", at(2026, 10, 5, 10, 0), reference="UNFPA-REQ-1")
    run_month()
    return {
        invoice.agency.code: issue(invoice)
        for invoice in Invoice.objects.filter(month=OCTOBER, agency__code__in=["UNDP", "UNFPA"])
    }


def agency_paths(invoice: Invoice) -> list[str]:
    line = invoice.lines.get(kind="usage")
    return [
        f"/billing/invoices/{invoice.pk}/",
        f"/billing/invoices/{invoice.pk}/pdf/",
        f"/billing/invoices/{invoice.pk}/csv/",
        f"/billing/invoices/{invoice.pk}/lines/{line.pk}/usage/",
        f"/api/billing/invoices/{invoice.pk}/",
        f"/api/billing/invoices/{invoice.pk}/pdf/",
        f"/api/billing/invoices/{invoice.pk}/csv/",
        f"/api/billing/invoices/{invoice.pk}/usage/?line={line.pk}",
    ]


def test_agency_finance_reaches_its_own_invoice_pdf_csv_and_usage(invoices, undp, undp_finance, client_at):
    browser = client_at(undp, undp_finance)
    undp_invoice = invoices["UNDP"]
    for path in agency_paths(undp_invoice):
        response = browser.get(path)
        assert response.status_code == 200, path
    assert browser.get(f"/billing/invoices/{undp_invoice.pk}/pdf/").content.startswith(b"%PDF")
    csv_text = browser.get(f"/billing/invoices/{undp_invoice.pk}/csv/").content.decode()
    assert "UNDP-REQ-1" in csv_text and "UNFPA" not in csv_text
    listing = browser.get("/billing/").content.decode()
    assert undp_invoice.number in listing and invoices["UNFPA"].number not in listing
    api_list = browser.get("/api/billing/invoices/").json()
    assert [row["number"] for row in api_list["results"]] == [undp_invoice.number]


def test_another_agencys_invoice_pdf_csv_and_usage_are_not_found(invoices, undp, undp_finance, client_at):
    browser = client_at(undp, undp_finance)
    for path in agency_paths(invoices["UNFPA"]):
        assert browser.get(path).status_code == 404, path


def test_another_agencys_credit_note_is_not_found(invoices, undp, unfpa, finance, undp_finance, client_at):
    from billing import services

    note = services.credit_note_issue(invoice=invoices["UNFPA"], reason="Duplicate", issued_by=finance)
    browser = client_at(undp, undp_finance)
    assert browser.get(f"/billing/credit-notes/{note.pk}/pdf/").status_code == 404
    assert browser.get(f"/api/billing/credit-notes/{note.pk}/").status_code == 404
    assert browser.get("/api/billing/credit-notes/").json()["results"] == []


def test_a_session_replayed_with_a_crafted_host_sees_nothing_of_the_other_agency(invoices, undp_finance):
    browser = Client(HTTP_HOST="undp.localhost")
    browser.force_login(undp_finance)
    for path in [*agency_paths(invoices["UNFPA"]), "/billing/", "/api/billing/invoices/"]:
        assert browser.get(path, HTTP_HOST="unfpa.localhost").status_code == 403, path


def test_an_agency_sees_no_drafts(undp, undp_agreement, price_list, deliver, run_month, undp_finance, client_at):
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run_month()
    draft = Invoice.objects.get(agency=undp, month=OCTOBER)
    browser = client_at(undp, undp_finance)
    assert browser.get(f"/billing/invoices/{draft.pk}/").status_code == 404
    assert browser.get("/api/billing/invoices/").json()["results"] == []


def test_only_agency_finance_reads_invoices_on_an_agency_address(invoices, undp, undp_requester, client_at):
    browser = client_at(undp, undp_requester)
    assert browser.get("/billing/").status_code == 403
    assert browser.get("/api/billing/invoices/").status_code == 403


def test_facility_only_endpoints_do_not_exist_on_an_agency_address(invoices, undp, undp_finance, client_at):
    browser = client_at(undp, undp_finance)
    invoice = invoices["UNDP"]
    for path in ("/billing/prices/", "/billing/fixed-costs/", "/billing/runs/1/", "/api/billing/runs/",
                 "/api/billing/price-lists/", "/api/billing/fixed-costs/", "/api/billing/sharing-keys/",
                 "/api/billing/exchange-rates/"):  # fmt: skip
        assert browser.get(path).status_code == 404, path
    for path in (f"/api/billing/invoices/{invoice.pk}/pay/", f"/api/billing/invoices/{invoice.pk}/credit-note/"):
        assert browser.post(path, {"reason": "x"}).status_code in (403, 404), path
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.ISSUED


FACILITY_READ_PATHS = [
    "/billing/",
    "/billing/credit-notes/",
    "/billing/prices/",
    "/billing/fixed-costs/",
    "/billing/sharing-keys/",
    "/billing/exchange-rates/",
    "/api/billing/invoices/",
    "/api/billing/credit-notes/",
    "/api/billing/runs/",
    "/api/billing/price-lists/",
    "/api/billing/fixed-costs/",
    "/api/billing/sharing-keys/",
    "/api/billing/exchange-rates/",
]


def test_facility_finance_manager_and_auditor_read_everything(invoices, facility, finance, make_person, client_at):
    auditor = make_person((Role.AUDITOR, None), email="auditor@facility.test")
    for person in (finance, auditor):
        browser = client_at(facility, person)
        for path in FACILITY_READ_PATHS + agency_paths(invoices["UNFPA"]) + agency_paths(invoices["UNDP"]):
            assert browser.get(path).status_code == 200, (person.email, path)


def test_other_facility_staff_and_board_members_are_refused(
    invoices, facility, ict_agent, make_person, client_at, undp
):
    board = make_person((Role.BOARD_REPRESENTATIVE, undp), email="board-rep@undp.test")
    for person in (ict_agent, board):
        browser = client_at(facility, person)
        for path in FACILITY_READ_PATHS:
            assert browser.get(path).status_code == 403, (person.email, path)


def test_the_auditor_changes_nothing(invoices, facility, make_person, client_at):
    auditor = make_person((Role.AUDITOR, None), email="auditor@facility.test")
    browser = client_at(facility, auditor)
    invoice = invoices["UNDP"]
    assert browser.post(f"/api/billing/invoices/{invoice.pk}/pay/", {}).status_code == 403
    assert browser.post(f"/billing/invoices/{invoice.pk}/pay/", {}).status_code == 403
    assert browser.post("/api/billing/runs/", {"month": "2026-10"}).status_code == 403
    assert not CreditNote.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.ISSUED


def test_the_api_schema_lists_the_billing_endpoints(facility, finance, client_at):
    schema = client_at(facility, finance).get("/api/schema/").content.decode()
    for path in ("/api/billing/invoices/{id}/pdf/", "/api/billing/runs/", "/api/billing/price-lists/",
                 "/api/billing/invoices/{id}/credit-note/", "/api/billing/exchange-rates/"):  # fmt: skip
        assert path in schema, path
