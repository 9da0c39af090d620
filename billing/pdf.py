"""Invoices and credit notes as PDF (WeasyPrint), in the agency's language, from what the invoice rows hold.

Everything printed about the invoice comes from the invoice and its lines as
issued (the database keeps them unchanged; the payment terms, due date and the
agency's address and reference are stamped on it when it is issued), so a PDF
rendered again later is the same document. Who bills and where to pay come from
the facility's billing settings. Page numbers come from CSS `@page` counters
(pdf/_style.html). A finance office files what it can read: the document is
written in the agency's chosen language (Agency.language), money and dates as
that language writes them.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from shared_platform.language import in_language_of

from .models import CreditNote, Invoice, LineKind
from .selectors import agency_billing_profile, billing_settings, invoice_lines

# The CSS counters that page numbers are written with, slotted into the translated "Page %(page)s of %(pages)s".
PAGE_COUNTERS = {"page_counter": '" counter(page) "', "pages_counter": '" counter(pages) "'}


def _agency_details(invoice: Invoice) -> dict[str, Any]:
    """Whom the invoice is addressed to: the address stamped at issue (a draft: the agency's current profile)."""
    agency = invoice.agency
    address, reference = invoice.billed_to, invoice.agency_reference
    if invoice.issued_at is None:
        profile = agency_billing_profile(agency=agency)
        address, reference = (profile.billing_address, profile.reference) if profile else ("", "")
    return {
        "code": agency.code,
        "name": agency.name,
        "kind": agency.get_kind_display(),
        "address_lines": [line.strip() for line in address.splitlines() if line.strip()],
        "reference": reference,
    }


def _facility_context() -> dict[str, Any]:
    return {"facility": billing_settings(), "facility_name": settings.FACILITY_NAME, **PAGE_COUNTERS}


def invoice_html(*, invoice: Invoice) -> str:
    lines = list(invoice_lines(invoice=invoice))
    usage = [line for line in lines if line.kind == LineKind.USAGE]
    groups = [
        {"service": service, "lines": list(group)} for service, group in groupby(usage, key=lambda line: line.service)
    ]
    context = {
        "invoice": invoice,
        "agency": _agency_details(invoice),
        "groups": groups,
        "shares": [line for line in lines if line.kind == LineKind.COST_SHARE],
        "credits": [line for line in lines if line.kind in (LineKind.SERVICE_CREDIT, LineKind.CREDIT_CAP)],
        **_facility_context(),
    }
    with in_language_of(invoice.agency):
        return render_to_string("billing/pdf/invoice.html", context)


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def invoice_pdf(*, invoice: Invoice) -> bytes:
    return html_to_pdf(invoice_html(invoice=invoice))


def credit_note_pdf(*, credit_note: CreditNote) -> bytes:
    invoice = credit_note.invoice
    context = {"note": credit_note, "invoice": invoice, "agency": _agency_details(invoice), **_facility_context()}
    with in_language_of(credit_note.agency):
        html = render_to_string("billing/pdf/credit_note.html", context)
    return html_to_pdf(html)
