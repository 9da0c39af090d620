"""The receiving pages on an agency's address and the facility portal: who sees which order, each form
offered only to who may (else why not), refusals shown on the form, and bad input never changing anything."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.models import GoodsReceipt, InvoiceStatus, MatchSettings, SupplierInvoice
from procurement.receiving import receipt_record, supplier_invoice_record
from sourcing.models import VendorRating

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _receive(order, receiver, undp, lines):  # type: ignore[no-untyped-def]
    return receipt_record(
        agency=undp, order_number=order.number, lines=lines, received_on=TODAY(), note="", by=receiver
    )


def _invoice(order, by, undp, lines, number="NF-1"):  # type: ignore[no-untyped-def]
    return supplier_invoice_record(
        agency=undp,
        order_number=order.number,
        vendor_invoice_number=number,
        invoice_date=TODAY(),
        currency="USD",
        lines=lines,
        by=by,
    )


def _receipt_post(**values):  # type: ignore[no-untyped-def]
    data = {"received_on": TODAY().isoformat(), "note": ""}
    data.update(values)
    return data


def _invoice_post(**values):  # type: ignore[no-untyped-def]
    data = {"vendor_invoice_number": "NF-2026-9", "invoice_date": TODAY().isoformat(), "currency": "USD"}
    data.update(values)
    return data


def test_orders_are_read_as_requisitions_are(ordered, people, receiver, make_person, undp, at_undp):
    # given an order of the requester's requisition
    order = ordered()
    colleague = make_person(("requester", undp), email="caio@undp.test")
    # then its requester and the agency's approvers see it in the list and on its page
    for person in (people.requester, receiver):
        browser = at_undp(person)
        assert order.number in browser.get("/procurement/orders/").content.decode()
        assert browser.get(f"/procurement/orders/{order.number}/").status_code == 200
    # and a colleague who raised none of it sees neither
    browser = at_undp(colleague)
    assert order.number not in browser.get("/procurement/orders/").content.decode()
    assert browser.get(f"/procurement/orders/{order.number}/").status_code == 404
    assert browser.get(f"/procurement/orders/{'X' * 300}/").status_code == 404


def test_the_receipt_form_is_offered_to_who_may_receive_and_the_others_are_told_why(ordered, people, receiver, at_undp):
    order = ordered()
    page = at_undp(people.requester).get(f"/procurement/orders/{order.number}/").content.decode()
    assert 'id="receipt-form"' not in page and 'id="receipt-refusal"' in page and "may not receive" in page
    page = at_undp(receiver).get(f"/procurement/orders/{order.number}/").content.decode()
    assert 'id="receipt-form"' in page


def test_a_receipt_from_the_page_with_its_delivery_note(ordered, receiver, undp, at_undp, delivery_note):
    order = ordered([("10", "100.00"), ("8", "25.00")])
    browser = at_undp(receiver)
    # when the receiver sends what arrived with the delivery note
    answer = browser.post(
        f"/procurement/orders/{order.number}/receive/",
        _receipt_post(line_1="4", line_2="", note="One box dented.", attachments=delivery_note()),
    )
    # then it is recorded and the order's page shows it, with the file to download
    assert answer.status_code == 302
    receipt = GoodsReceipt.objects.get()
    assert [(line.position, line.quantity) for line in receipt.lines.all()] == [(1, Decimal("4.00"))]
    page = browser.get(f"/procurement/orders/{order.number}/").content.decode()
    assert receipt.reference in page and "One box dented." in page
    attachment = receipt.attachments.get()
    download = browser.get(f"/procurement/orders/{order.number}/receipts/{receipt.pk}/files/{attachment.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert browser.get(f"/procurement/orders/{order.number}/receipts/{receipt.pk}/files/999999/").status_code == 404
    assert browser.get(f"/procurement/orders/{order.number}/receipts/9/files/{10**20}/").status_code == 404


@pytest.mark.parametrize(
    "values",
    [
        {"line_1": "abc"},
        {"line_1": "-1"},
        {"line_1": "11"},
        {"line_1": "1", "received_on": "tomorrow"},
        {"line_1": "1", "received_on": ""},
        {"line_1": "1", "note": "x" * 2001},
        {"line_1": "", "line_2": ""},
        {"line_1": "1e400"},
    ],
)
def test_a_bad_receipt_on_the_page_is_shown_on_the_form_and_records_nothing(ordered, receiver, at_undp, values):
    order = ordered([("10", "100.00"), ("8", "25.00")])
    answer = at_undp(receiver).post(f"/procurement/orders/{order.number}/receive/", _receipt_post(**values))
    assert answer.status_code == 400
    assert 'class="errornote"' in answer.content.decode() or 'class="errorlist"' in answer.content.decode()
    assert not GoodsReceipt.objects.exists()


def test_a_refused_receipt_on_the_page_says_why(ordered, people, at_undp):
    order = ordered()
    answer = at_undp(people.approver).post(f"/procurement/orders/{order.number}/receive/", _receipt_post(line_1="1"))
    assert answer.status_code == 403
    assert "may not receive" in answer.content.decode()
    assert not GoodsReceipt.objects.exists()


def test_the_receiver_rates_the_vendor_from_the_order_page(ordered, receiver, undp, at_undp):
    order = ordered()
    browser = at_undp(receiver)
    assert 'id="rating-form"' not in browser.get(f"/procurement/orders/{order.number}/").content.decode()
    _receive(order, receiver, undp, {1: "1"})
    assert 'id="rating-form"' in browser.get(f"/procurement/orders/{order.number}/").content.decode()
    bad = browser.post(f"/procurement/orders/{order.number}/rate/", {"on_time": "yes", "quality": "9"})
    assert bad.status_code == 400 and not VendorRating.objects.exists()
    answer = browser.post(
        f"/procurement/orders/{order.number}/rate/",
        {"on_time": "no", "quality": "3", "compliance": "5", "comment": "Late."},
    )
    assert answer.status_code == 302
    rating = VendorRating.objects.get()
    assert (rating.on_time, rating.quality, rating.compliance) == (False, 3, 5)
    again = browser.post(
        f"/procurement/orders/{order.number}/rate/",
        {"on_time": "yes", "quality": "5", "compliance": "5"},
    )
    assert again.status_code == 409 and VendorRating.objects.count() == 1


def test_finance_records_the_invoice_on_the_order_page_and_reads_why_it_is_held(
    ordered, receiver, finance, undp, at_undp
):
    order = ordered([("10", "100.00"), ("8", "25.00")])
    _receive(order, receiver, undp, {1: "8"})
    # the receiver is told who records invoices; finance is offered the form
    assert "finance officers" in at_undp(receiver).get(f"/procurement/orders/{order.number}/").content.decode()
    browser = at_undp(finance)
    assert 'id="invoice-form"' in browser.get(f"/procurement/orders/{order.number}/").content.decode()
    # a price without its quantity is refused on the line
    bad = browser.post(f"/procurement/orders/{order.number}/invoice/", _invoice_post(unit_price_1="100"))
    assert bad.status_code == 400 and not SupplierInvoice.objects.exists()
    # a line the service refuses is shown on that line
    refused = browser.post(
        f"/procurement/orders/{order.number}/invoice/", _invoice_post(quantity_1="1", unit_price_1="0")
    )
    assert refused.status_code == 400 and "more than zero" in refused.content.decode()
    # when the invoice bills 10 with 8 received
    answer = browser.post(
        f"/procurement/orders/{order.number}/invoice/", _invoice_post(quantity_1="10", unit_price_1="100")
    )
    assert answer.status_code == 302
    invoice = SupplierInvoice.objects.get()
    assert invoice.status == InvoiceStatus.HELD
    # then the order's page and the invoice's page say why
    assert "Line 1: 10 invoiced, 8 received." in browser.get(f"/procurement/orders/{order.number}/").content.decode()
    page = browser.get(f"/procurement/supplier-invoices/{invoice.pk}/").content.decode()
    assert "Line 1: 10 invoiced, 8 received." in page
    # and the one who recorded it is told another finance officer releases it
    assert 'id="override-form"' not in page and 'id="override-refusal"' in page


def test_another_finance_officer_releases_a_held_invoice_on_its_page(
    ordered, receiver, finance, finance2, undp, at_undp
):
    order = ordered([("10", "100.00")])
    _receive(order, receiver, undp, {1: "8"})
    invoice = _invoice(order, finance, undp, {1: ("10", "100.00")})
    browser = at_undp(finance2)
    assert 'id="override-form"' in browser.get(f"/procurement/supplier-invoices/{invoice.pk}/").content.decode()
    empty = browser.post(f"/procurement/supplier-invoices/{invoice.pk}/", {"justification": ""})
    assert empty.status_code == 400
    answer = browser.post(
        f"/procurement/supplier-invoices/{invoice.pk}/",
        {"justification": "The last two arrived today; the receipt follows."},
    )
    assert answer.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RELEASED and invoice.override_by_id == finance2.pk
    page = browser.get(f"/procurement/supplier-invoices/{invoice.pk}/").content.decode()
    assert "The last two arrived today; the receipt follows." in page
    # the recorder's attempt, had it been first, is refused on the page too
    other = _invoice(ordered([("1", "5.00")], vendor=1), finance, undp, {1: ("1", "5.00")}, number="NF-2")
    refusal = at_undp(finance).post(f"/procurement/supplier-invoices/{other.pk}/", {"justification": "x"})
    assert refusal.status_code in (403, 409)


def test_the_invoice_list_is_for_finance_and_approvers_held_first(ordered, receiver, finance, people, undp, at_undp):
    order = ordered([("10", "100.00")])
    _receive(order, receiver, undp, {1: "10"})
    payable = _invoice(order, finance, undp, {1: ("5", "100.00")}, number="NF-PAY")
    held = _invoice(order, finance, undp, {1: ("5", "120.00")}, number="NF-HELD")
    page = at_undp(finance).get("/procurement/supplier-invoices/").content.decode()
    assert page.index("NF-HELD") < page.index("NF-PAY")
    assert at_undp(receiver).get("/procurement/supplier-invoices/").status_code == 200
    assert at_undp(people.requester).get("/procurement/supplier-invoices/").status_code == 403
    assert at_undp(people.requester).get(f"/procurement/supplier-invoices/{held.pk}/").status_code == 403
    filtered = at_undp(finance).get("/procurement/supplier-invoices/?status=released&sort=-total").content.decode()
    assert "NF-PAY" in filtered and "NF-HELD" not in filtered
    assert at_undp(finance).get("/procurement/supplier-invoices/?released_from=nonsense&page=x").status_code == 200
    assert at_undp(finance).get(f"/procurement/supplier-invoices/{payable.pk + 1000}/").status_code == 404


def test_the_tolerance_page(finance, receiver, at_undp):
    page = at_undp(receiver).get("/procurement/match-settings/")
    assert page.status_code == 200 and 'id="match-settings-form"' not in page.content.decode()
    assert at_undp(receiver).post("/procurement/match-settings/", {"tolerance_percent": "5"}).status_code == 403
    browser = at_undp(finance)
    for bad in ("101", "-1", "abc", "1.234", ""):
        assert browser.post("/procurement/match-settings/", {"tolerance_percent": bad}).status_code == 400
    assert not MatchSettings.objects.exists()
    assert browser.post("/procurement/match-settings/", {"tolerance_percent": "5"}).status_code == 302
    assert MatchSettings.objects.get().price_tolerance_percent == Decimal("5")


def test_the_start_page_lists_orders_waiting_for_the_viewers_receipt(ordered, receiver, people, finance, undp, at_undp):
    order = ordered()
    assert order.number in at_undp(receiver).get("/").content.decode()
    assert order.number not in at_undp(people.approver).get("/").content.decode()
    _receive(order, receiver, undp, {1: "10", 2: "8"})
    _invoice(order, finance, undp, {1: ("10", "101.00")})
    home = at_undp(finance).get("/").content.decode()
    assert "Held supplier invoices" in home and "NF-1" in home
