"""Invoices and credit notes as PDF (WeasyPrint), from what the invoice rows hold.

Everything printed comes from the invoice and its lines as issued (the
database keeps them unchanged), so a PDF rendered again later is the same
document. Page numbers come from CSS `@page` counters (pdf/_style.html).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from .models import CreditNote, Invoice, LineKind
from .selectors import invoice_lines

# The facility's details as printed on its invoices.
FACILITY_DETAILS = [
    "Joint Operations Facility (UN Common Back Office)",
    "SEN Quadra 802, Conjunto C, Lote 17",
    "70800-400 Brasília - DF, Brazil",
    "finance@jof.example.org",
]


def _agency_details(invoice: Invoice) -> dict[str, Any]:
    agency = invoice.agency
    return {
        "code": agency.code,
        "name": agency.name,
        "kind": agency.get_kind_display(),
        "address": agency.primary_domain_name,
    }


def invoice_html(*, invoice: Invoice) -> str:
    lines = list(invoice_lines(invoice=invoice))
    usage = [line for line in lines if line.kind == LineKind.USAGE]
    groups = [
        {"service": service, "lines": list(group)} for service, group in groupby(usage, key=lambda line: line.service)
    ]
    context = {
        "invoice": invoice,
        "agency": _agency_details(invoice),
        "facility_name": settings.FACILITY_NAME,
        "facility_details": FACILITY_DETAILS,
        "groups": groups,
        "shares": [line for line in lines if line.kind == LineKind.COST_SHARE],
        "credits": [line for line in lines if line.kind in (LineKind.SERVICE_CREDIT, LineKind.CREDIT_CAP)],
    }
    return render_to_string("billing/pdf/invoice.html", context)


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def invoice_pdf(*, invoice: Invoice) -> bytes:
    return html_to_pdf(invoice_html(invoice=invoice))


def credit_note_pdf(*, credit_note: CreditNote) -> bytes:
    invoice = credit_note.invoice
    context = {
        "note": credit_note,
        "invoice": invoice,
        "agency": _agency_details(invoice),
        "facility_name": settings.FACILITY_NAME,
        "facility_details": FACILITY_DETAILS,
    }
    return html_to_pdf(render_to_string("billing/pdf/credit_note.html", context))
