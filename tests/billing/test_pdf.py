"""The invoice and credit-note PDFs, read back with pypdf: number, period, lines, totals, rate, page numbers."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from billing import services
from billing.models import Invoice
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_issued_invoice_pdf_shows_number_lines_credits_share_totals_and_rate(
    undp, sign_agreement, price_list, deliver, deliver_late, run_month, issue, finance, media_root
):
    sign_agreement(undp, grants_service_credits=True)
    for day in (5, 6, 7):
        deliver(undp, "ICT-REQ", at(2026, 10, day, 10, 0))
    deliver_late(undp, at(2026, 10, 8, 10, 0))
    services.fixed_cost_add(month=OCTOBER, description="Premises", amount="300.00", entered_by=finance)
    services.exchange_rate_set(month=OCTOBER, currency="BRL", rate="5.5", entered_by=finance)
    run_month()
    invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    # the worker stored it in UNDP's own storage
    stored = media_root / "undp" / invoice.pdf_file
    assert stored.exists()
    text = pdf_text(services.document_read(agency=undp, name=invoice.pdf_file))
    assert f"Invoice {invoice.number}" in text
    assert "United Nations Development Programme" in text and "Joint Operations Facility" in text
    assert "October 2026" in text
    assert "ICT-REQ" in text and "3.00" in text and "40.0000" in text and "120.00" in text
    assert "SLA service credit" in text and "-2.50" in text
    assert "Share of the facility's fixed costs" in text
    assert f"USD {invoice.total}" in text
    assert "1 USD = 5.5000 BRL" in text and f"BRL {invoice.local_total:,}" in text  # grouped
    assert "Page 1 of 1" in text


def test_the_credit_note_pdf_refers_to_the_invoice(
    undp, undp_agreement, price_list, deliver, run_month, issue, finance, django_capture_on_commit_callbacks
):
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run_month()
    invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    with django_capture_on_commit_callbacks(execute=True):
        note = services.credit_note_issue(invoice=invoice, reason="Billed to the wrong agency", issued_by=finance)
    note.refresh_from_db()
    text = pdf_text(services.document_read(agency=undp, name=note.pdf_file))
    assert f"Credit note {note.number}" in text and invoice.number in text
    assert "Billed to the wrong agency" in text and "USD 40.00" in text


def test_an_issued_pdf_lost_from_storage_is_rendered_again_not_a_server_error(
    undp, undp_agreement, price_list, deliver, run_month, issue, media_root, make_person, client_at
):
    # given an issued invoice whose stored PDF went missing (a restore without the media folder)
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run_month()
    invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    stored = media_root / "undp" / invoice.pdf_file
    stored.unlink()
    officer = make_person(("agency_finance", undp))
    # when the agency's finance officer downloads it
    response = client_at(undp, officer).get(f"/billing/invoices/{invoice.pk}/pdf/")
    # then they get the invoice, and it is back in the agency's storage under its name
    assert response.status_code == 200
    assert f"Invoice {invoice.number}" in pdf_text(response.content)
    assert stored.exists()
    invoice.refresh_from_db()
    assert media_root / "undp" / invoice.pdf_file == stored
