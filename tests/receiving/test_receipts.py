"""Receipts: the four different people of one purchase, partial receipts that add up and never pass what was
ordered, the day received, cancelled orders, the delivery note, and bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from ledger.models import NamedPerson
from procurement import services
from procurement.models import CaseEventKind, GoodsReceipt, ReceiptAttachment, ReceiptLine
from procurement.receiving import receipt_record
from procurement.receiving_selectors import order_line_figures

from .conftest import refused

pytestmark = pytest.mark.django_db


def _receive(order, by, lines, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("received_on", timezone.localdate())
    fields.setdefault("note", "")
    return receipt_record(agency=fields.pop("agency"), order_number=order.number, lines=lines, by=by, **fields)


def test_the_requester_the_approver_and_the_buyer_may_not_receive_a_fourth_person_may(ordered, people, receiver, undp):
    # given an issued order: raised by the requester, approved by the approver, bought by the buyer
    order = ordered()
    # when each of the three records a receipt
    for person in (people.requester, people.approver, people.buyer):
        error = refused(
            "procurement.segregation_receiver", _receive, order=order, by=person, lines={1: "1"}, agency=undp
        )
        # then each is refused (403) saying why, and nothing is received
        assert error.status_code == 403
        assert "may not receive" in error.message
    assert not GoodsReceipt.objects.exists()
    # when a fourth person of the agency records it
    receipt = _receive(order, receiver, {1: "4"}, agency=undp)
    # then it is recorded, numbered after the order, in the purchase's history, and the receiver is named on it
    assert receipt.reference == f"{order.number}-R1"
    assert receipt.received_by_id == receiver.pk
    assert order.requisition.events.filter(kind=CaseEventKind.RECEIPT, detail=receipt.reference).exists()
    assert NamedPerson.objects.filter(entry_id=order.requisition.entry_id, user=receiver, role="receiver").exists()


def test_a_person_without_a_role_in_the_agency_may_not_receive(ordered, make_person, undp, unfpa):
    # given an order of UNDP, and a UNDP board alternate and a UNFPA approver
    order = ordered()
    alternate = make_person((Role.BOARD_ALTERNATE, undp))
    outsider = make_person((Role.APPROVER, unfpa))
    # when they record a receipt, then they are refused
    for person in (alternate, outsider):
        refused("procurement.receivers_only", _receive, order=order, by=person, lines={1: "1"}, agency=undp)
    assert not GoodsReceipt.objects.exists()


def test_partial_receipts_add_up_and_never_pass_the_quantity_ordered(ordered, receiver, undp):
    # given an order of 10 of line 1 and 8 of line 2
    order = ordered([("10", "100.00"), ("8", "25.00")])
    # when 4 of line 1 arrive, then 6 more and 7.5 of line 2
    first = _receive(order, receiver, {1: "4"}, agency=undp)
    second = _receive(order, receiver, {"1": "6", "2": "7.5"}, agency=undp)
    # then the receipts add up, numbered in turn
    assert (first.reference, second.reference) == (f"{order.number}-R1", f"{order.number}-R2")
    figures = {line.position: line for line in order_line_figures(order=order)}
    assert (figures[1].received, figures[2].received) == (Decimal("10"), Decimal("7.5"))
    # and one more of line 2 than is left is refused, the line named with what may still be received
    error = refused("procurement.over_receipt", _receive, order=order, by=receiver, lines={2: "1"}, agency=undp)
    assert error.fields == {
        "lines.2": ["Line 2: at most 0.5 more can be received (8 ordered, 7.5 received before), not 1."]
    }
    # while exactly what is left is taken
    _receive(order, receiver, {2: "0.5"}, agency=undp)
    assert GoodsReceipt.objects.count() == 3


def test_a_receipt_above_what_is_left_is_refused_line_by_line_and_records_nothing(ordered, receiver, undp):
    # given an order of 10 and 8, of which 7 of line 1 were received
    order = ordered([("10", "100.00"), ("8", "25.00")])
    _receive(order, receiver, {1: "7"}, agency=undp)
    # when 4 more of line 1 and 9 of line 2 are recorded
    error = refused("procurement.over_receipt", _receive, order=order, by=receiver, lines={1: "4", 2: "9"}, agency=undp)
    # then each line is named with what is left, and nothing more is received
    assert error.fields == {
        "lines.1": ["Line 1: at most 3 more can be received (10 ordered, 7 received before), not 4."],
        "lines.2": ["Line 2: at most 8 more can be received (8 ordered, 0 received before), not 9."],
    }
    assert GoodsReceipt.objects.count() == 1
    assert ReceiptLine.objects.count() == 1


def test_an_order_fully_received_takes_no_more_receipts(ordered, receiver, undp):
    order = ordered([("2", "100.00")])
    _receive(order, receiver, {1: "2"}, agency=undp)
    error = refused("procurement.fully_received", _receive, order=order, by=receiver, lines={1: "1"}, agency=undp)
    assert error.status_code == 409


def test_the_day_received_is_neither_in_the_future_nor_before_the_order(ordered, receiver, undp):
    order = ordered()
    today = timezone.localdate()
    for day in (today + timedelta(days=1), today - timedelta(days=1)):
        error = refused(
            "procurement.invalid", _receive, order=order, by=receiver, lines={1: "1"}, received_on=day, agency=undp
        )
        assert list(error.fields) == ["received_on"]
    assert not GoodsReceipt.objects.exists()


def test_a_cancelled_order_takes_no_receipt(ordered, people, receiver, undp):
    order = ordered()
    services.order_cancel(order=order, by=people.buyer, reason="The vendor cannot deliver.")
    error = refused("procurement.order_not_in_force", _receive, order=order, by=receiver, lines={1: "1"}, agency=undp)
    assert error.status_code == 409
    assert not GoodsReceipt.objects.exists()


def test_receipts_go_on_against_the_revision_in_force(ordered, people, receiver, undp):
    # given an order received in part, then revised
    order = ordered([("10", "100.00")])
    _receive(order, receiver, {1: "4"}, agency=undp)
    services.order_revise(order=order, by=people.buyer, change_note="Delivery moved a week later.")
    # when the rest arrives
    receipt = _receive(order, receiver, {1: "6"}, agency=undp)
    # then it counts with the first receipt, under the same number
    assert receipt.reference == f"{order.number}-R2"
    assert sum(line.received for line in order_line_figures(order=order.requisition.orders.get(revision=1))) == 10


def test_an_unknown_order_is_not_found(receiver, undp, people):
    refused("procurement.order_not_found", receipt_record, agency=undp, order_number="UNDP-PO-2026-999999",
            lines={1: "1"}, received_on=timezone.localdate(), note="", by=receiver)  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ({3: "1"}, "lines.3"),  # the order has two lines
        ({"x": "1"}, "lines.x"),
        ({1: "-1"}, "lines.1"),
        ({1: "abc"}, "lines.1"),
        ({1: "1.001"}, "lines.1"),
        ({1: "1e20"}, "lines.1"),
        ({1: "NaN"}, "lines.1"),
        ({1: 1.5}, "lines.1"),  # a float is not money nor a quantity
        ({1: "0", 2: "0"}, "lines"),
        ({}, "lines"),
        ({1: "1", "01": "1"}, "lines.1"),
        ({1: "1", 2: "1", 3: "1"}, "lines"),
    ],
)
def test_bad_quantities_are_refused_on_their_line_and_record_nothing(ordered, receiver, undp, lines, field):
    order = ordered()
    error = refused("procurement.invalid", _receive, order=order, by=receiver, lines=lines, agency=undp)
    assert field in error.fields, error.fields
    assert not GoodsReceipt.objects.exists()


def test_a_note_too_long_and_a_file_not_allowed_are_refused(ordered, receiver, undp):
    order = ordered()
    refused("procurement.invalid", _receive, order=order, by=receiver, lines={1: "1"}, note="x" * 2001, agency=undp)
    program = SimpleUploadedFile("note.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    error = refused(
        "procurement.attachment_type", _receive, order=order, by=receiver, lines={1: "1"}, files=[program], agency=undp
    )
    assert list(error.fields) == ["files"]
    fake = SimpleUploadedFile("note.pdf", b"not a pdf at all", content_type="application/pdf")
    refused(
        "procurement.attachment_content", _receive, order=order, by=receiver, lines={1: "1"}, files=[fake], agency=undp
    )
    assert not GoodsReceipt.objects.exists()
    assert not ReceiptAttachment.objects.exists()


def test_the_delivery_note_is_kept_in_the_agencys_folder(ordered, receiver, undp, delivery_note):
    order = ordered()
    receipt = _receive(order, receiver, {1: "1"}, files=[delivery_note()], note="Two boxes dented.", agency=undp)
    attachment = receipt.attachments.get()
    assert attachment.name == "delivery-note.pdf"
    stored = Path(settings.MEDIA_ROOT) / undp.schema_name / attachment.file.name
    assert stored.is_file()
    assert attachment.file.name.startswith(f"procurement/receipts/{receipt.reference}/")
