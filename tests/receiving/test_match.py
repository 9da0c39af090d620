"""The vendor's invoice and the three-way match: who records it, the tolerance's boundaries (exactly at it
matches, one cent over is held), quantities invoiced above received, the e-mail to finance, the release by
another finance officer with a justification, the tolerance setting, and bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from procurement.models import CaseEventKind, InvoiceStatus, MatchSettings, SupplierInvoice
from procurement.receiving import (
    match_settings_set,
    receipt_record,
    supplier_invoice_override,
    supplier_invoice_record,
)
from procurement.receiving_selectors import hold_reasons_text

from .conftest import refused

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 10_000))


def _received(order, receiver, undp, lines):  # type: ignore[no-untyped-def]
    return receipt_record(
        agency=undp, order_number=order.number, lines=lines, received_on=timezone.localdate(), note="", by=receiver
    )


def _invoice(order, by, undp, lines, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("vendor_invoice_number", f"NF-{next(_numbers)}")
    fields.setdefault("invoice_date", timezone.localdate())
    fields.setdefault("currency", "USD")
    return supplier_invoice_record(agency=undp, order_number=order.number, lines=lines, by=by, **fields)


@pytest.mark.parametrize(
    ("tolerance", "price", "matches"),
    [
        ("0", "100.0000", True),
        ("0", "100.0100", False),
        ("0", "99.9900", False),
        ("5", "105.0000", True),
        ("5", "105.0100", False),
        ("5", "95.0000", True),
        ("5", "94.9900", False),
        ("2.5", "102.5000", True),
        ("2.5", "102.5001", False),
    ],
)
def test_a_unit_price_matches_within_the_tolerance_boundary_included(
    ordered, receiver, finance, undp, tolerance, price, matches
):
    # given the agency's tolerance, and an order at 100.00 a unit, fully received
    if tolerance != "0":
        match_settings_set(agency=undp, tolerance_percent=tolerance, by=finance)
    order = ordered([("10", "100.00")])
    _received(order, receiver, undp, {1: "10"})
    # when the vendor invoices the ten at this price
    invoice = _invoice(order, finance, undp, {1: ("10", price)})
    # then it is payable at once when within the tolerance, held with the reason otherwise
    if matches:
        assert invoice.status == InvoiceStatus.RELEASED
        assert invoice.released_at is not None and invoice.hold_reasons == []
    else:
        assert invoice.status == InvoiceStatus.HELD and invoice.released_at is None
        side = "above" if Decimal(price) > 100 else "below"
        shown = f"{Decimal(tolerance).normalize():f}"
        assert hold_reasons_text(invoice) == [
            f"Line 1: unit price {price} is {side} the order's 100.0000 by more than the {shown} % tolerance."
        ]
    assert invoice.tolerance_percent == Decimal(tolerance)


def test_a_quantity_invoiced_above_the_quantity_received_is_held(ordered, receiver, finance, undp):
    # given an order of 10 and 8, of which all 10 of line 1 and only 6 of line 2 were received
    order = ordered([("10", "100.00"), ("8", "25.00")])
    _received(order, receiver, undp, {1: "10", 2: "6"})
    # when the vendor invoices everything ordered
    invoice = _invoice(order, finance, undp, {1: ("10", "100.00"), 2: ("8", "25.00")})
    # then it is held, the short line named
    assert invoice.status == InvoiceStatus.HELD
    assert hold_reasons_text(invoice) == ["Line 2: 8 invoiced, 6 received."]
    assert invoice.total == Decimal("1200.00")
    assert order.requisition.events.filter(kind=CaseEventKind.INVOICE).exists()


def test_earlier_invoices_of_the_order_count_against_what_was_received(ordered, receiver, finance, undp):
    # given 8 of 10 received, of which 5 invoiced and payable
    order = ordered([("10", "100.00")])
    _received(order, receiver, undp, {1: "8"})
    first = _invoice(order, finance, undp, {1: ("5", "100.00")})
    assert first.status == InvoiceStatus.RELEASED
    # when a second invoice bills 5 more
    second = _invoice(order, finance, undp, {1: ("5", "100.00")})
    # then 10 are invoiced against 8 received: held
    assert hold_reasons_text(second) == ["Line 1: 10 invoiced, 8 received."]
    # and when the last 2 arrive, a third invoice for 3 more would again be above what was received
    _received(order, receiver, undp, {1: "2"})
    third = _invoice(order, finance, undp, {1: ("1", "100.00")})
    assert hold_reasons_text(third) == ["Line 1: 11 invoiced, 10 received."]


def test_both_kinds_of_mismatch_are_given_line_by_line(ordered, receiver, finance, undp):
    order = ordered([("10", "100.00"), ("8", "25.00")])
    _received(order, receiver, undp, {1: "4"})
    invoice = _invoice(order, finance, undp, {1: ("4", "110.00"), 2: ("1", "25.00")})
    assert hold_reasons_text(invoice) == [
        "Line 1: unit price 110.0000 is above the order's 100.0000 by more than the 0 % tolerance.",
        "Line 2: 1 invoiced, 0 received.",
    ]


def test_a_held_invoice_emails_the_agencys_other_finance_officers(
    ordered, receiver, finance, finance2, undp, django_capture_on_commit_callbacks
):
    order = ordered([("10", "100.00")])
    _received(order, receiver, undp, {1: "8"})
    mail.outbox.clear()
    # when finance records an invoice that does not match
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _invoice(order, finance, undp, {1: ("10", "100.00")}, vendor_invoice_number="NF-77")
    # then the other finance officer is told, with the reasons and the invoice's page; the recorder is not
    assert invoice.status == InvoiceStatus.HELD
    assert [message.to for message in mail.outbox] == [[finance2.email]]
    message = mail.outbox[0]
    assert "NF-77" in message.subject and order.number in message.subject
    assert "Ligne 1 : 10 facturés, 8 reçus." in message.body  # in French, the language Fred reads in
    assert f"/procurement/supplier-invoices/{invoice.pk}/" in message.body
    # and a matching invoice tells no one
    other = ordered([("1", "100.00")], vendor=1)
    _received(other, receiver, undp, {1: "1"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        matched = _invoice(other, finance, undp, {1: ("1", "100.00")}, vendor_invoice_number="NF-78")
    assert matched.status == InvoiceStatus.RELEASED
    assert mail.outbox == []


def test_a_vendors_invoice_number_is_recorded_once(ordered, receiver, finance, undp):
    order = ordered()
    _received(order, receiver, undp, {1: "10"})
    _invoice(order, finance, undp, {1: ("5", "100.00")}, vendor_invoice_number="NF-2026-001")
    error = refused(
        "procurement.invoice_duplicate",
        _invoice,
        order=order,
        by=finance,
        undp=undp,
        lines={1: ("5", "100.00")},
        vendor_invoice_number="nf-2026-001 ",
    )
    assert error.status_code == 409 and list(error.fields) == ["vendor_invoice_number"]
    assert SupplierInvoice.objects.count() == 1


def test_only_finance_officers_record_invoices(ordered, receiver, people, finance, facility_finance, undp):
    order = ordered()
    _received(order, receiver, undp, {1: "10"})
    for person in (people.requester, receiver, people.buyer):
        error = refused(
            "procurement.finance_only", _invoice, order=order, by=person, undp=undp, lines={1: ("1", "100.00")}
        )
        assert error.status_code == 403
    assert not SupplierInvoice.objects.exists()
    # the agency's finance officer and the facility's finance staff may
    _invoice(order, finance, undp, {1: ("1", "100.00")})
    _invoice(order, facility_finance, undp, {1: ("1", "100.00")})
    assert SupplierInvoice.objects.count() == 2


def test_an_invoice_is_in_the_orders_currency_and_a_cancelled_order_takes_none(
    ordered, receiver, people, finance, undp
):
    order = ordered()
    error = refused(
        "procurement.invalid", _invoice, order=order, by=finance, undp=undp, lines={1: ("1", "100")}, currency="BRL"
    )
    assert list(error.fields) == ["currency"]
    from procurement import services

    services.order_cancel(order=order, by=people.buyer, reason="Not needed any more.")
    refused("procurement.order_not_in_force", _invoice, order=order, by=finance, undp=undp, lines={1: ("1", "100")})
    assert not SupplierInvoice.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lines": {3: ("1", "100")}}, "lines.3"),
        ({"lines": {1: ("0", "100")}}, "lines.1.quantity"),
        ({"lines": {1: ("-1", "100")}}, "lines.1.quantity"),
        ({"lines": {1: ("1", "-5")}}, "lines.1.unit_price"),
        ({"lines": {1: ("1", "abc")}}, "lines.1.unit_price"),
        ({"lines": {1: ("1", "1.00001")}}, "lines.1.unit_price"),
        ({"lines": {1: ("1e11", "1")}}, "lines.1.quantity"),
        ({"lines": {1: ("99999999", "999999999999")}}, "lines"),
        ({"lines": {1: ("1", "0")}}, "lines"),
        ({"lines": {1: "1"}}, "lines.1"),
        ({"lines": {}}, "lines"),
        ({"vendor_invoice_number": " "}, "vendor_invoice_number"),
        ({"vendor_invoice_number": "N" * 61}, "vendor_invoice_number"),
        ({"invoice_date": "2026-01-01"}, "invoice_date"),
    ],
)
def test_bad_invoices_are_refused_on_their_field_and_record_nothing(ordered, receiver, finance, undp, fields, field):
    order = ordered()
    _received(order, receiver, undp, {1: "10"})
    fields.setdefault("lines", {1: ("1", "100.00")})
    error = refused("procurement.invalid", _invoice, order=order, by=finance, undp=undp, **fields)
    assert field in error.fields, error.fields
    assert not SupplierInvoice.objects.exists()


def test_the_invoice_date_is_neither_in_the_future_nor_before_the_order(ordered, finance, undp):
    order = ordered()
    for day in (timezone.localdate() + timedelta(days=1), timezone.localdate() - timedelta(days=1)):
        error = refused(
            "procurement.invalid",
            _invoice,
            order=order,
            by=finance,
            undp=undp,
            lines={1: ("1", "100")},
            invoice_date=day,
        )
        assert list(error.fields) == ["invoice_date"]


def test_a_held_invoice_is_released_by_another_finance_officer_with_a_justification(
    ordered, receiver, people, finance, finance2, facility_finance, undp
):
    # given a held invoice recorded by a finance officer
    order = ordered([("10", "100.00")])
    _received(order, receiver, undp, {1: "10"})
    invoice = _invoice(order, finance, undp, {1: ("10", "103.00")})
    assert invoice.status == InvoiceStatus.HELD
    # when the one who recorded it, or someone outside finance, releases it: refused
    error = refused(
        "procurement.segregation_override",
        supplier_invoice_override,
        agency=undp,
        invoice=invoice,
        justification="Price agreed by phone.",
        by=finance,
    )
    assert error.status_code == 403
    for person in (people.requester, receiver):
        refused(
            "procurement.finance_only",
            supplier_invoice_override,
            agency=undp,
            invoice=invoice,
            justification="ok",
            by=person,
        )
    # and another finance officer without a justification: refused
    refused(
        "procurement.invalid", supplier_invoice_override, agency=undp, invoice=invoice, justification="  ", by=finance2
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.HELD and invoice.override_by_id is None
    # when another finance officer releases it saying why
    released = supplier_invoice_override(
        agency=undp, invoice=invoice, justification="Freight surcharge agreed in the order's terms.", by=finance2
    )
    # then it is payable, with who released it and why
    assert released.status == InvoiceStatus.RELEASED
    assert released.override_by_id == finance2.pk and released.released_at == released.override_at
    assert released.override_justification == "Freight surcharge agreed in the order's terms."
    # and it cannot be released twice
    refused(
        "procurement.invoice_not_held",
        supplier_invoice_override,
        agency=undp,
        invoice=invoice,
        justification="again",
        by=facility_finance,
    )


def test_facility_finance_may_release_an_invoice_an_agency_officer_recorded(
    ordered, receiver, finance, facility_finance, undp
):
    order = ordered([("10", "100.00")])
    _received(order, receiver, undp, {1: "5"})
    invoice = _invoice(order, finance, undp, {1: ("10", "100.00")})
    released = supplier_invoice_override(
        agency=undp, invoice=invoice, justification="Rest delivered, receipt to follow.", by=facility_finance
    )
    assert released.status == InvoiceStatus.RELEASED


def test_only_the_agencys_finance_officers_set_the_tolerance_within_0_and_100(
    ordered, receiver, finance, facility_finance, undp
):
    # given invoices matched at the default 0 %
    assert not MatchSettings.objects.exists()
    for person in (receiver, facility_finance):
        refused("procurement.finance_only", match_settings_set, agency=undp, tolerance_percent="5", by=person)
    for bad in ("-1", "100.01", "abc", "5.001", 5.0):
        error = refused("procurement.invalid", match_settings_set, agency=undp, tolerance_percent=bad, by=finance)
        assert list(error.fields) == ["tolerance_percent"]
    settings = match_settings_set(agency=undp, tolerance_percent="100", by=finance)
    assert settings.price_tolerance_percent == Decimal("100") and settings.set_by_id == finance.pk
    match_settings_set(agency=undp, tolerance_percent="2.50", by=finance)
    assert MatchSettings.objects.get().price_tolerance_percent == Decimal("2.50")
