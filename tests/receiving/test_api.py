"""The receiving API: the same rules as the pages, one error shape, bad input refused with 4xx and nothing
changed."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from procurement.models import GoodsReceipt, InvoiceStatus, MatchSettings, SupplierInvoice
from sourcing.models import VendorRating

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _receipt(lines, **fields):  # type: ignore[no-untyped-def]
    return {"lines": lines, "received_on": TODAY().isoformat(), **fields}


def _invoice(lines, **fields):  # type: ignore[no-untyped-def]
    return {
        "vendor_invoice_number": "NF-A1",
        "invoice_date": TODAY().isoformat(),
        "currency": "USD",
        "lines": lines,
    } | fields


def test_receipts_through_the_api(ordered, receiver, people, agency_api, delivery_note):
    order = ordered([("10", "100.00"), ("8", "25.00")])
    api = agency_api(receiver)
    url = f"/api/procurement/orders/{order.number}/receipts/"
    # the order in force, with what is left to receive
    listed = api.get("/api/procurement/orders/").json()["results"]
    assert [row["number"] for row in listed] == [order.number] and listed[0]["received_percent"] == "0.00"
    # JSON
    answer = api.post(url, _receipt([{"position": 1, "quantity": "4"}]), format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["reference"] == f"{order.number}-R1"
    # multipart with the delivery note
    answer = api.post(
        url,
        {
            "lines[0]position": "2",
            "lines[0]quantity": "8",
            "received_on": TODAY().isoformat(),
            "files": [delivery_note()],
        },
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (
        body["lines"] == [{"position": 2, "quantity": "8.00"}] and body["attachments"][0]["name"] == "delivery-note.pdf"
    )
    file_url = f"{url}{body['id']}/files/{body['attachments'][0]['id']}/"
    assert api.get(file_url).status_code == 200
    detail = api.get(f"/api/procurement/orders/{order.number}/").json()
    assert [(line["received"], line["ordered"]) for line in detail["lines"]] == [("4.00", "10.00"), ("8.00", "8.00")]
    assert len(api.get(url).json()) == 2
    # the requester may not receive: 403 in the one error shape
    refused = agency_api(people.requester).post(url, _receipt([{"position": 1, "quantity": "1"}]), format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "procurement.segregation_receiver"


@pytest.mark.parametrize(
    "body",
    [
        _receipt([{"position": 1, "quantity": "11"}]),
        _receipt([{"position": 3, "quantity": "1"}]),
        _receipt([{"position": 1, "quantity": 1}]),
        _receipt([{"position": 1, "quantity": "-1"}]),
        _receipt([{"position": 0, "quantity": "1"}]),
        _receipt([{"position": 1, "quantity": "1"}, {"position": 1, "quantity": "1"}]),
        _receipt([]),
        _receipt([{"position": 1, "quantity": "1"}], received_on="2999-01-01"),
        _receipt([{"position": 1, "quantity": "1"}], note="x" * 2001),
        {"lines": "all of it"},
        [],
    ],
)
def test_bad_receipts_through_the_api_are_refused_and_record_nothing(ordered, receiver, agency_api, body):
    order = ordered([("10", "100.00"), ("8", "25.00")])
    answer = agency_api(receiver).post(f"/api/procurement/orders/{order.number}/receipts/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert "error" in answer.json()
    assert not GoodsReceipt.objects.exists()


def test_rating_invoices_override_and_payables_through_the_api(ordered, receiver, finance, finance2, agency_api, undp):
    order = ordered([("10", "100.00")])
    agency_api(receiver).post(
        f"/api/procurement/orders/{order.number}/receipts/", _receipt([{"position": 1, "quantity": "8"}]), format="json"
    )
    # the receiver rates the vendor, once
    rating_url = f"/api/procurement/orders/{order.number}/rating/"
    assert (
        agency_api(receiver)
        .post(rating_url, {"on_time": True, "quality": 9, "compliance": 4}, format="json")
        .status_code
        == 400
    )
    answer = agency_api(receiver).post(rating_url, {"on_time": True, "quality": 4, "compliance": 5}, format="json")
    assert answer.status_code == 201 and answer.json()["quality"] == 4
    assert (
        agency_api(receiver)
        .post(rating_url, {"on_time": True, "quality": 4, "compliance": 5}, format="json")
        .status_code
        == 409
    )
    # someone who did not receive it may not rate it
    assert (
        agency_api(finance)
        .post(rating_url, {"on_time": True, "quality": 4, "compliance": 5}, format="json")
        .status_code
        == 403
    )
    # finance records an invoice for 10 with 8 received: held, with the reason in words
    invoices_url = f"/api/procurement/orders/{order.number}/invoices/"
    answer = agency_api(finance).post(
        invoices_url, _invoice([{"position": 1, "quantity": "10", "unit_price": "100"}]), format="json"
    )
    assert answer.status_code == 201, answer.json()
    held = answer.json()
    assert held["status"] == "held" and held["hold_reasons"] == ["Line 1: 10 invoiced, 8 received."]
    assert (
        agency_api(receiver)
        .post(
            invoices_url,
            _invoice([{"position": 1, "quantity": "1", "unit_price": "1"}], vendor_invoice_number="X"),
            format="json",
        )
        .status_code
        == 403
    )
    # the same vendor's number again: 409
    again = agency_api(finance).post(
        invoices_url, _invoice([{"position": 1, "quantity": "1", "unit_price": "100"}]), format="json"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "procurement.invoice_duplicate"
    # the list, held first; the recorder may not release it; another finance officer may
    assert [
        row["id"]
        for row in agency_api(finance).get("/api/procurement/supplier-invoices/?status=held").json()["results"]
    ] == [held["id"]]
    assert agency_api(finance).get("/api/procurement/supplier-invoices/?status=lost").status_code == 400
    override_url = f"/api/procurement/supplier-invoices/{held['id']}/override/"
    assert agency_api(finance).post(override_url, {"justification": "ok"}, format="json").status_code == 403
    assert agency_api(finance2).post(override_url, {}, format="json").status_code == 400
    released = agency_api(finance2).post(override_url, {"justification": "Two more arrived today."}, format="json")
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert released.json()["override_by"] == finance2.get_full_name()
    # the payables CSV, for finance only, with bad dates refused
    csv_answer = agency_api(finance).get("/api/procurement/payables/")
    assert csv_answer.status_code == 200 and csv_answer["Content-Type"].startswith("text/csv")
    assert "Two more arrived today." in csv_answer.content.decode()
    assert agency_api(finance).get("/api/procurement/payables/?released_from=31-12-2026").status_code == 400
    assert agency_api(receiver).get("/api/procurement/payables/").status_code == 403
    with schema_context(undp.schema_name):
        assert SupplierInvoice.objects.get().status == InvoiceStatus.RELEASED
        assert VendorRating.objects.count() == 1


@pytest.mark.parametrize(
    "lines",
    [
        [{"position": 1, "quantity": "1", "unit_price": 100}],
        [{"position": 1, "quantity": "0", "unit_price": "100"}],
        [{"position": 1, "quantity": "1", "unit_price": "0"}],
        [{"position": 1, "quantity": "1", "unit_price": "-1"}],
        [{"position": 1, "quantity": "1", "unit_price": "1.00001"}],
        [{"position": 9, "quantity": "1", "unit_price": "1"}],
        [{"position": 1, "quantity": "1e9", "unit_price": "999999999999"}],
        [],
    ],
)
def test_bad_invoices_through_the_api_are_refused_and_record_nothing(ordered, finance, agency_api, lines):
    order = ordered([("10", "100.00")])
    answer = agency_api(finance).post(
        f"/api/procurement/orders/{order.number}/invoices/", _invoice(lines), format="json"
    )
    assert answer.status_code == 400, answer.content
    assert not SupplierInvoice.objects.exists()


def test_the_tolerance_through_the_api(finance, receiver, agency_api):
    assert agency_api(receiver).get("/api/procurement/match-settings/").json()["tolerance_percent"] == "0.00"
    assert (
        agency_api(receiver)
        .put("/api/procurement/match-settings/", {"tolerance_percent": "5"}, format="json")
        .status_code
        == 403
    )
    for bad in ("101", "-1", 5, "five", None):
        answer = agency_api(finance).put("/api/procurement/match-settings/", {"tolerance_percent": bad}, format="json")
        assert answer.status_code == 400
    assert not MatchSettings.objects.exists()
    answer = agency_api(finance).put("/api/procurement/match-settings/", {"tolerance_percent": "2.5"}, format="json")
    assert answer.status_code == 200 and answer.json()["tolerance_percent"] == "2.50"
    assert answer.json()["set_by"] == finance.get_full_name()
    assert MatchSettings.objects.get().price_tolerance_percent == Decimal("2.5")


def test_facility_finance_through_the_portals_api(
    ordered, receiver, facility_finance, finance, portal_api, agency_api, undp
):
    order = ordered([("10", "100.00")])
    agency_api(receiver).post(
        f"/api/procurement/orders/{order.number}/receipts/",
        _receipt([{"position": 1, "quantity": "10"}]),
        format="json",
    )
    api = portal_api(facility_finance)
    body = _invoice([{"position": 1, "quantity": "10", "unit_price": "100.01"}]) | {
        "agency": "UNDP",
        "order_number": order.number,
    }
    for bad in ({**body, "agency": "NOPE"}, {**body, "order_number": "UNDP-PO-1999-000009"}):
        assert api.post("/api/procurement/supplier-invoices/", bad, format="json").status_code == 404
    answer = api.post("/api/procurement/supplier-invoices/", body, format="json")
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert created["agency"] == "UNDP" and created["status"] == "held"
    listed = api.get("/api/procurement/supplier-invoices/?agency=UNDP").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == created["id"]
    assert api.get("/api/procurement/supplier-invoices/?status=lost").status_code == 400
    detail_url = f"/api/procurement/supplier-invoices/UNDP/{created['id']}/"
    assert api.get(detail_url).json()["hold_reasons"] == [
        "Line 1: unit price 100.0100 is above the order's 100.0000 by more than the 0 % tolerance."
    ]
    assert api.get(f"/api/procurement/supplier-invoices/UNFPA/{created['id']}/").status_code == 404
    # the recorder may not release it; the agency's finance officer may, on the agency's address
    assert api.post(f"{detail_url}override/", {"justification": "ok"}, format="json").status_code == 403
    agency_side = agency_api(finance).post(
        f"/api/procurement/supplier-invoices/{created['id']}/override/", {"justification": "Rounding."}, format="json"
    )
    assert agency_side.status_code == 200
    assert json.loads(api.get(detail_url).content)["status"] == "released"
