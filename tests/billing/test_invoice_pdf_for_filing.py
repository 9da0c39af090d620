"""An invoice a finance office can file: in the agency's language, with who bills and where to pay, the
agency's billing address and reference, issue and due dates, payment terms, both totals and the rate."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from billing import services
from billing.models import Invoice
from tenants.services import agency_update
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db

BANK = {
    "legal_name": "United Nations Joint Operations Facility in Brazil",
    "postal_address": "SEN Quadra 802, Conjunto C, Lote 17\n70800-400 Brasília - DF\nBrazil",
    "email": "jof.finance@example.org",
    "bank_name": "Citibank N.A.",
    "bank_address": "388 Greenwich Street, New York",
    "account_name": "JOF cost recovery",
    "account_number": "36349562",
    "swift_code": "CITIUS33",
    "routing_number": "021000089",
}


def pdf_text(content: bytes) -> str:
    """The PDF's words on one line, spaces as typed (French and Spanish group thousands with a no-break space)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def speaks(agency, language):  # type: ignore[no-untyped-def]
    return agency_update(
        agency=agency, name=agency.name, kind=agency.kind, headcount=agency.headcount, is_active=True, language=language
    )


@pytest.fixture
def filed_invoice(undp, undp_agreement, price_list, deliver, run_month, issue, finance):
    """UNDP's October invoice (USD 1,240.00: a request and a third of 3,600.00), issued with the settings in place."""
    services.billing_settings_update(updated_by=finance, payment_terms_days=45, **BANK)
    services.agency_billing_profile_set(
        agency=undp,
        billing_address="Finance Unit, UNDP Brazil\nCasa da ONU, Brasília",
        reference="PO BRA10-0004512",
        updated_by=finance,
    )
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    services.fixed_cost_add(month=OCTOBER, description="Premises", amount="3600.00", entered_by=finance)
    services.exchange_rate_set(month=OCTOBER, currency="BRL", rate="5.4875", entered_by=finance)
    run_month()
    return lambda: issue(Invoice.objects.get(agency=undp, month=OCTOBER))


def test_the_invoice_carries_everything_a_finance_office_files(filed_invoice, undp):
    # given the facility's settings and UNDP's billing profile (English)
    # when the invoice is issued and its PDF rendered
    invoice = filed_invoice()
    text = pdf_text(services.document_read(agency=undp, name=invoice.pdf_file))

    # then the issue date, due date (45 days later) and terms are stamped and printed
    issued = timezone.localdate(invoice.issued_at)
    assert invoice.due_on == issued + timedelta(days=45) and invoice.payment_terms_days == 45
    assert "Due date" in text and "45 days from the issue date" in text
    # who bills, where to pay
    assert "United Nations Joint Operations Facility in Brazil" in text and "70800-400 Brasília" in text
    assert "Citibank N.A." in text and "36349562" in text and "CITIUS33" in text
    # the agency's billing address and reference
    assert "Finance Unit, UNDP Brazil" in text and "PO BRA10-0004512" in text
    # both totals, grouped, with the rate and its month
    assert "USD 1,240.00" in text
    assert "BRL 6,804.50" in text
    assert "1 USD = 5.4875 BRL" in text and "October 2026" in text


def test_a_french_speaking_agencys_invoice_is_in_french(filed_invoice, undp):
    # given UNDP reads its invoices in French (as UNESCO does in the demo)
    speaks(undp, "fr")

    # when its invoice is issued
    invoice = filed_invoice()
    text = pdf_text(services.document_read(agency=undp, name=invoice.pdf_file))

    # then the PDF reads "Facture", French dates and French separators
    assert f"Facture {invoice.number}" in text
    assert "Date d'échéance" in text and "45 jours à compter de la date d'émission" in text
    assert "octobre 2026" in text
    assert "USD 1 240,00" in text
    assert "Modalités de paiement" in text and "Page 1 sur 1" in text
    # the line descriptions too: written in the agency's language when drafted
    assert "Quote-part des coûts fixes du centre de services" in text


def test_a_portuguese_speaking_agencys_invoice_is_in_portuguese(filed_invoice, undp):
    # given UNDP reads its invoices in Portuguese (as UNFPA does in the demo)
    speaks(undp, "pt-br")

    # when its invoice is issued
    invoice = filed_invoice()
    text = pdf_text(services.document_read(agency=undp, name=invoice.pdf_file))

    # then it reads "Fatura", with Brazilian separators for both totals
    assert f"Fatura {invoice.number}" in text
    assert "USD 1.240,00" in text and "BRL 6.804,50" in text
    assert "Data de vencimento" in text and "outubro de 2026" in text.lower()


def test_the_credit_note_is_in_the_agencys_language(filed_invoice, undp, finance, django_capture_on_commit_callbacks):
    speaks(undp, "es")
    invoice = filed_invoice()
    with django_capture_on_commit_callbacks(execute=True):
        note = services.credit_note_issue(invoice=invoice, reason="Servicio facturado dos veces", issued_by=finance)
    note.refresh_from_db()
    text = pdf_text(services.document_read(agency=undp, name=note.pdf_file))
    assert f"Nota de crédito {note.number}" in text and "Total acreditado" in text
    assert "USD 1 240,00" in text and "Servicio facturado dos veces" in text
