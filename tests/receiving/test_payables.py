"""The payables export: the released invoices of a period, in the ERP's columns, safe against CSV injection,
read-only, for the agency's finance officers."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from procurement.models import SupplierInvoice
from procurement.receiving import receipt_record, supplier_invoice_override, supplier_invoice_record

pytestmark = pytest.mark.django_db


def _rows(response):  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def invoices(ordered, receiver, finance, finance2, undp):  # type: ignore[no-untyped-def]
    """Three invoices of one order: payable on day 1, held then released on day 3 (a formula-like
    justification), and held."""
    now = timezone.now()
    order = ordered([("10", "100.00")], at=now - timedelta(days=5))
    receipt_record(
        agency=undp, order_number=order.number, lines={1: "5"}, received_on=timezone.localdate(), note="", by=receiver
    )
    day1, day3 = now - timedelta(days=3), now - timedelta(days=1)

    def record(number: str, quantity: str, price: str, at: datetime) -> SupplierInvoice:
        return supplier_invoice_record(
            agency=undp,
            order_number=order.number,
            vendor_invoice_number=number,
            invoice_date=timezone.localdate(at),
            currency="USD",
            lines={1: (quantity, price)},
            by=finance,
            at=at,
        )

    payable = record("NF-100", "2", "100.00", day1)
    overridden = record("=HYPERLINK(1)", "2", "110.00", day1)
    supplier_invoice_override(
        agency=undp, invoice=overridden, justification="-2 for freight, agreed", by=finance2, at=day3
    )
    held = record("NF-300", "5", "100.00", now)
    return order, payable, overridden, held


def test_the_payables_csv_has_the_erps_columns_and_only_payable_invoices(invoices, finance, at_undp, undp):
    order, payable, overridden, _held = invoices
    response = at_undp(finance).get("/procurement/supplier-invoices/payables.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="undp-payables-')
    header, *rows = _rows(response)
    assert header == [
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
    # the held invoice is not payable; the other two are, oldest release first
    assert [row[3] for row in rows] == ["NF-100", "'=HYPERLINK(1)"]
    first, second = rows
    vendor = payable.vendor
    assert first[:9] == [
        "UNDP",
        vendor.legal_name,
        vendor.registration_number,
        "NF-100",
        timezone.localdate(payable.recorded_at).isoformat(),
        order.number,
        "USD",
        "200.00",
        timezone.localtime(payable.released_at).isoformat(),
    ]
    assert first[9:] == ["", ""]
    # who released the held one, and why, with a formula-like cell quoted
    assert second[7] == "220.00"
    assert second[9] == SupplierInvoice.objects.get(pk=overridden.pk).override_by.get_full_name()
    assert second[10] == "'-2 for freight, agreed"
    assert "NF-300" not in response.content.decode()


def test_the_payables_csv_filters_by_the_day_released(invoices, finance, at_undp):
    _order, _payable, _overridden, _held = invoices
    browser = at_undp(finance)
    day3 = (timezone.localdate() - timedelta(days=1)).isoformat()
    day2 = (timezone.localdate() - timedelta(days=2)).isoformat()
    only_day3 = _rows(browser.get(f"/procurement/supplier-invoices/payables.csv?released_from={day3}"))
    assert [row[3] for row in only_day3[1:]] == ["'=HYPERLINK(1)"]
    until_day2 = _rows(browser.get(f"/procurement/supplier-invoices/payables.csv?released_to={day2}"))
    assert [row[3] for row in until_day2[1:]] == ["NF-100"]


def test_the_payables_csv_is_for_finance_refuses_bad_dates_and_changes_nothing(
    invoices, finance, receiver, people, at_undp
):
    before = list(SupplierInvoice.objects.order_by("pk").values_list("status", "released_at"))
    for person in (receiver, people.requester):
        assert at_undp(person).get("/procurement/supplier-invoices/payables.csv").status_code == 403
    browser = at_undp(finance)
    assert browser.get("/procurement/supplier-invoices/payables.csv?released_from=yesterday").status_code == 400
    backwards = browser.get(
        "/procurement/supplier-invoices/payables.csv?released_from=2026-05-02&released_to=2026-05-01"
    )
    assert backwards.status_code == 400
    assert "before its start" in backwards.content.decode()
    assert browser.post("/procurement/supplier-invoices/payables.csv").status_code == 405
    assert list(SupplierInvoice.objects.order_by("pk").values_list("status", "released_at")) == before
