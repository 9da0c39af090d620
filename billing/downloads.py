"""The documents finance downloads (invoice and credit-note PDFs, invoice CSV), as responses.

The pages and the API serve the same files the same way; callers have already
found the document within the caller's scope.
"""

from __future__ import annotations

import csv

from django.http import HttpResponse

from . import selectors, services
from .models import CreditNote, Invoice
from .pdf import credit_note_pdf, invoice_pdf


def _attachment(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def invoice_pdf_response(invoice: Invoice) -> HttpResponse:
    """An issued invoice's PDF from the agency's storage; rendered now if the worker has not got to it yet."""
    if not invoice.pdf_file:
        invoice = services.invoice_pdf_store(invoice_id=invoice.pk)
    content = services.document_read(
        agency=invoice.agency, name=invoice.pdf_file, render=lambda: invoice_pdf(invoice=invoice)
    )
    return _attachment(content, filename=f"{invoice.number}.pdf", content_type="application/pdf")


def credit_note_pdf_response(note: CreditNote) -> HttpResponse:
    if not note.pdf_file:
        note = services.credit_note_pdf_store(credit_note_id=note.pk)
    content = services.document_read(
        agency=note.agency, name=note.pdf_file, render=lambda: credit_note_pdf(credit_note=note)
    )
    return _attachment(content, filename=f"{note.number}.pdf", content_type="application/pdf")


def invoice_csv_response(invoice: Invoice) -> HttpResponse:
    """One row per usage event behind each line, then shares, credits and the total."""
    name = invoice.number or f"draft-{invoice.agency.code}-{invoice.month:%Y-%m}"
    response = _attachment("", filename=f"{name}.csv", content_type="text/csv; charset=utf-8")
    csv.writer(response).writerows(selectors.invoice_csv_rows(invoice=invoice))
    return response
