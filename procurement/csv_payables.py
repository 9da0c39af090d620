"""The payables export: the agency's payable supplier invoices as CSV for its ERP, where they are paid.

One row per released invoice, in the columns the ERP import reads (stable, not translated): agency, vendor,
its registration number, the vendor's invoice number and date, the purchase order, currency, amount, when
it became payable, and, for a held invoice released by a finance officer, who released it and why.

A cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) is
written with a quote in front, so an invoice number or a justification typed as "=HYPERLINK(...)" stays
text (CSV injection). The export reads only; the page and the API serve the same file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from django.http import HttpResponse
from django.utils import timezone

from shared_platform.api import person_name
from tenants.models import Agency

from .models import SupplierInvoice

COLUMNS = [
    "agency",
    "vendor",
    "vendor_registration_number",
    "vendor_invoice_number",
    "invoice_date",
    "po_number",
    "currency",
    "amount",
    "released_at",
    "overridden_by",
    "override_justification",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, quoted when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def payables_rows(*, agency: Agency, invoices: Iterable[SupplierInvoice]) -> list[list[str]]:
    rows = [COLUMNS]
    for invoice in invoices:
        released = timezone.localtime(invoice.released_at).isoformat() if invoice.released_at else ""
        rows.append(
            [
                safe_cell(value)
                for value in (
                    agency.code,
                    invoice.vendor.legal_name,
                    invoice.vendor.registration_number,
                    invoice.vendor_invoice_number,
                    invoice.invoice_date.isoformat(),
                    invoice.order_number,
                    invoice.currency,
                    f"{invoice.total:.2f}",
                    released,
                    person_name(invoice.override_by) or "",
                    invoice.override_justification,
                )
            ]
        )
    return rows


def payables_csv(*, agency: Agency, invoices: Iterable[SupplierInvoice]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(payables_rows(agency=agency, invoices=invoices))
    return buffer.getvalue()


def payables_csv_response(*, agency: Agency, invoices: Iterable[SupplierInvoice]) -> HttpResponse:
    response = HttpResponse(payables_csv(agency=agency, invoices=invoices), content_type="text/csv; charset=utf-8")
    stamp: date = timezone.localdate()
    response["Content-Disposition"] = f'attachment; filename="{agency.code.lower()}-payables-{stamp.isoformat()}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
