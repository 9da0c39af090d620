"""The facility portal's supplier invoices: every agency's list for facility finance (held first), recording
the vendor's invoice against an agency's order, releasing one, and who may come."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from procurement.models import InvoiceStatus, SupplierInvoice
from procurement.receiving import receipt_record, supplier_invoice_record

pytestmark = pytest.mark.django_db


def _receive(order, receiver, undp, lines):  # type: ignore[no-untyped-def]
    receipt_record(
        agency=undp, order_number=order.number, lines=lines, received_on=timezone.localdate(), note="", by=receiver
    )


@pytest.fixture
def portal(client_at, facility):  # type: ignore[no-untyped-def]
    def make(user):  # type: ignore[no-untyped-def]
        return client_at(facility, user)

    return make


def test_facility_finance_reads_every_agencys_invoices_held_first(
    ordered, receiver, finance, facility_finance, undp, portal
):
    order = ordered([("10", "100.00")])
    _receive(order, receiver, undp, {1: "10"})
    for number, price in (("NF-PAY", "100.00"), ("NF-HELD", "150.00")):
        supplier_invoice_record(
            agency=undp,
            order_number=order.number,
            vendor_invoice_number=number,
            invoice_date=timezone.localdate(),
            currency="USD",
            lines={1: ("1", price)},
            by=finance,
        )
    browser = portal(facility_finance)
    page = browser.get("/procurement/supplier-invoices/").content.decode()
    assert page.index("NF-HELD") < page.index("NF-PAY") and "UNDP" in page
    filtered = browser.get("/procurement/supplier-invoices/?agency=UNDP&status=released&sort=-date").content.decode()
    assert "NF-PAY" in filtered and "NF-HELD" not in filtered
    assert browser.get("/procurement/supplier-invoices/?agency=NOPE&status=x&page=99").status_code == 200
    with schema_context(undp.schema_name):
        held = SupplierInvoice.objects.get(vendor_invoice_number="NF-HELD")
    detail = browser.get(f"/procurement/supplier-invoices/UNDP/{held.pk}/")
    assert detail.status_code == 200 and "by more than the 0 % tolerance" in detail.content.decode()
    assert browser.get(f"/procurement/supplier-invoices/UNFPA/{held.pk}/").status_code == 404
    assert browser.get(f"/procurement/supplier-invoices/NOPE/{held.pk}/").status_code == 404
    assert browser.get(f"/procurement/supplier-invoices/UNDP/{10**20}/").status_code == 404


def test_facility_finance_records_an_invoice_against_an_agencys_order(
    ordered, receiver, facility_finance, undp, portal
):
    order = ordered([("10", "100.00")])
    _receive(order, receiver, undp, {1: "10"})
    browser = portal(facility_finance)
    # first the agency and the order
    assert browser.get("/procurement/supplier-invoices/new/").status_code == 200
    unknown = browser.get("/procurement/supplier-invoices/new/?agency=UNDP&order=UNDP-PO-1999-000001")
    assert unknown.status_code == 400 and "no purchase order with that number" in unknown.content.decode()
    opened = browser.get(f"/procurement/supplier-invoices/new/?agency=UNDP&order={order.number}")
    assert opened.status_code == 200 and 'id="invoice-form"' in opened.content.decode()
    # then the lines billed; bad input is shown and changes nothing
    base = {"agency": "UNDP", "order": order.number, "vendor_invoice_number": "NF-F1", "currency": "USD"}
    bad = browser.post("/procurement/supplier-invoices/new/", base | {"invoice_date": "2026-13-40", "quantity_1": "1"})
    assert bad.status_code == 400
    with schema_context(undp.schema_name):
        assert not SupplierInvoice.objects.exists()
    answer = browser.post(
        "/procurement/supplier-invoices/new/",
        base | {"invoice_date": timezone.localdate().isoformat(), "quantity_1": "10", "unit_price_1": "100"},
    )
    assert answer.status_code == 302
    with schema_context(undp.schema_name):
        invoice = SupplierInvoice.objects.get()
    assert invoice.status == InvoiceStatus.RELEASED and invoice.recorded_by_id == facility_finance.pk
    assert answer["Location"] == f"/procurement/supplier-invoices/UNDP/{invoice.pk}/"


def test_facility_finance_releases_a_held_invoice_on_the_portal(
    ordered, receiver, finance, facility_finance, undp, portal
):
    order = ordered([("10", "100.00")])
    _receive(order, receiver, undp, {1: "5"})
    invoice = supplier_invoice_record(
        agency=undp,
        order_number=order.number,
        vendor_invoice_number="NF-H",
        invoice_date=timezone.localdate(),
        currency="USD",
        lines={1: ("10", "100.00")},
        by=finance,
    )
    browser = portal(facility_finance)
    url = f"/procurement/supplier-invoices/UNDP/{invoice.pk}/"
    assert 'id="override-form"' in browser.get(url).content.decode()
    assert browser.post(url, {"justification": ""}).status_code == 400
    assert browser.post(url, {"justification": "Received in full on site; receipt pending."}).status_code == 302
    with schema_context(undp.schema_name):
        invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RELEASED and invoice.override_by_id == facility_finance.pk


def test_only_facility_finance_records_and_only_finance_manager_and_auditor_read(
    people, make_person, facility, portal, finance
):
    from accounts.models import Role

    auditor = make_person((Role.AUDITOR, None))
    manager = make_person((Role.FACILITY_MANAGER, None))
    assert portal(auditor).get("/procurement/supplier-invoices/").status_code == 200
    assert portal(manager).get("/procurement/supplier-invoices/").status_code == 200
    assert portal(manager).get("/procurement/supplier-invoices/new/").status_code == 403
    assert portal(people.buyer).get("/procurement/supplier-invoices/").status_code == 403
    # an agency's finance officer has no access to the portal at all
    assert portal(finance).get("/procurement/supplier-invoices/").status_code == 403
