"""Isolation of an agency's receipts and invoices: UNFPA's people on UNFPA's address never reach UNDP's
orders, receipts, files or invoices (pages and API), and a UNDP session or token replayed on UNFPA's
address is refused before any view runs."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from procurement.models import GoodsReceipt, SupplierInvoice
from procurement.receiving import receipt_record, supplier_invoice_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def undp_case(ordered, receiver, finance, undp, delivery_note):  # type: ignore[no-untyped-def]
    """A UNDP order received with a delivery note, and its vendor's invoice held."""
    order = ordered([("10", "100.00")])
    receipt = receipt_record(
        agency=undp,
        order_number=order.number,
        lines={1: "5"},
        received_on=timezone.localdate(),
        note="",
        files=[delivery_note()],
        by=receiver,
    )
    invoice = supplier_invoice_record(
        agency=undp,
        order_number=order.number,
        vendor_invoice_number="NF-UNDP-1",
        invoice_date=timezone.localdate(),
        currency="USD",
        lines={1: ("10", "100.00")},
        by=finance,
    )
    return order, receipt, receipt.attachments.get(), invoice


def _counts(undp):  # type: ignore[no-untyped-def]
    with schema_context(undp.schema_name):
        return GoodsReceipt.objects.count(), SupplierInvoice.objects.count(), SupplierInvoice.objects.get().status


def test_unfpas_people_on_unfpas_address_never_reach_undps_orders_and_invoices(
    undp_case, unfpa_people, unfpa, client_at, undp
):
    order, receipt, attachment, invoice = undp_case
    before = _counts(undp)
    for person in unfpa_people.values():
        browser = client_at(unfpa, person)
        assert order.number not in browser.get("/procurement/orders/").content.decode()
        for url in (
            f"/procurement/orders/{order.number}/",
            f"/procurement/orders/{order.number}/receipts/{receipt.pk}/files/{attachment.pk}/",
            f"/procurement/supplier-invoices/{invoice.pk}/",
        ):
            assert browser.get(url).status_code == 404, url
        for url, data in (
            (f"/procurement/orders/{order.number}/receive/", {"line_1": "1", "received_on": "2026-01-01"}),
            (f"/procurement/orders/{order.number}/invoice/", {"vendor_invoice_number": "X"}),
            (f"/procurement/orders/{order.number}/rate/", {"on_time": "yes", "quality": "1", "compliance": "1"}),
            (f"/procurement/supplier-invoices/{invoice.pk}/", {"justification": "Pay it."}),
        ):
            assert browser.post(url, data).status_code == 404, url
        assert "NF-UNDP-1" not in browser.get("/procurement/supplier-invoices/").content.decode()
        assert "NF-UNDP-1" not in browser.get("/procurement/supplier-invoices/payables.csv").content.decode()
    assert _counts(undp) == before


def test_a_undp_session_replayed_on_unfpas_address_is_refused(undp_case, receiver, finance, unfpa, client_at, undp):
    order, _receipt, _attachment, invoice = undp_case
    before = _counts(undp)
    for person in (receiver, finance):
        replayed = client_at(unfpa, person)  # UNDP's people, with a crafted Host: UNFPA's
        assert replayed.get(f"/procurement/orders/{order.number}/").status_code == 403
        assert replayed.get("/procurement/supplier-invoices/").status_code == 403
        answer = replayed.post(f"/procurement/supplier-invoices/{invoice.pk}/", {"justification": "Pay it."})
        assert answer.status_code == 403
    assert _counts(undp) == before


def test_the_api_keeps_undps_receipts_and_invoices_from_unfpa(
    undp_case, unfpa_people, receiver, finance, unfpa, api_at, undp
):
    order, receipt, attachment, invoice = undp_case
    before = _counts(undp)
    # UNFPA's people with their own tokens on their own address: nothing of UNDP's is there
    for person in unfpa_people.values():
        api = api_at(unfpa, person)
        assert api.get("/api/procurement/orders/").json()["results"] == []
        for url in (
            f"/api/procurement/orders/{order.number}/",
            f"/api/procurement/orders/{order.number}/receipts/",
            f"/api/procurement/orders/{order.number}/invoices/",
            f"/api/procurement/orders/{order.number}/receipts/{receipt.pk}/files/{attachment.pk}/",
        ):
            assert api.get(url).status_code == 404, url
        posted = api.post(
            f"/api/procurement/orders/{order.number}/receipts/",
            {"lines": [{"position": 1, "quantity": "1"}], "received_on": timezone.localdate().isoformat()},
            format="json",
        )
        assert posted.status_code == 404
    finance_api = api_at(unfpa, unfpa_people["finance"])
    assert finance_api.get(f"/api/procurement/supplier-invoices/{invoice.pk}/").status_code == 404
    assert (
        finance_api.post(
            f"/api/procurement/supplier-invoices/{invoice.pk}/override/", {"justification": "x"}, format="json"
        ).status_code
        == 404
    )
    assert "NF-UNDP-1" not in finance_api.get("/api/procurement/payables/").content.decode()
    # UNDP's tokens replayed on UNFPA's address: refused
    for person in (receiver, finance):
        replayed = api_at(unfpa, person)
        assert replayed.get(f"/api/procurement/orders/{order.number}/").status_code == 403
        assert replayed.get("/api/procurement/supplier-invoices/").status_code == 403
    # and an agency's finance officer is no one on the facility portal
    from tenants.services import facility_ensure

    assert api_at(facility_ensure(), finance).get("/api/procurement/supplier-invoices/").status_code == 403
    assert _counts(undp) == before
