"""Spend records (issue 14): every line of an issued order is one purchase record in the public schema, in USD,
dated the local day of issue; a cancelled order's records stay and are marked cancelled."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.models import ExchangeRate
from procurement import services
from sourcing.models import PurchaseRecord
from sourcing.services.spend import purchase_records_cancel
from tests.sla_fixtures import at

from .conftest import line

pytestmark = pytest.mark.django_db


def test_each_order_line_is_one_record_with_the_category_of_its_requisition_line(people, undp, laptops, vendors, quiet):
    # given a requisition of two lines in two categories, quoted in USD
    office = laptops.__class__.objects.create(code="OFFICE", name="Office supplies")
    requisition = services.requisition_raise(
        agency=undp,
        requester=people.requester,
        title="Laptops and paper",
        justification="New team.",
        delivery_place="UN House",
        delivery_date=date(2026, 12, 1),
        charge_code="BRA10",
        lines=[line(laptops, quantity="2", price="1500.00"), line(office, quantity="10", price="12.50")],
        at=at(2026, 10, 5, 10),
    )
    services.requisition_approve(agency=undp, requisition=requisition, approver=people.approver, at=at(2026, 10, 5, 11))
    services.requisition_take(requisition=requisition, buyer=people.buyer, at=at(2026, 10, 5, 12))
    quotation = services.quotation_record(
        requisition=requisition,
        vendor=vendors[0],
        currency="USD",
        unit_prices=["1450.00", "12.00"],
        by=people.buyer,
        at=at(2026, 10, 5, 13),
    )
    # when the order is issued late in the evening, Brasília time (already the next day in UTC)
    order = services.order_issue(
        agency=undp,
        requisition=requisition,
        by=people.buyer,
        terms="Net 30.",
        quotation=quotation,
        at=at(2026, 10, 6, 22, 30),
    )
    # then one record per line: its category, the order's vendor, the line's amount, the local day of issue
    records = list(
        PurchaseRecord.objects.order_by("amount_usd").values_list(
            "agency_id",
            "order_number",
            "requisition_reference",
            "vendor_id",
            "category_id",
            "method",
            "ordered_on",
            "amount_usd",
            "cancelled",
            "agreement_id",
        )
    )
    assert records == [
        (
            undp.pk,
            order.number,
            requisition.reference,
            vendors[0].pk,
            office.pk,
            "micro",
            date(2026, 10, 6),
            Decimal("120.00"),
            False,
            None,
        ),
        (
            undp.pk,
            order.number,
            requisition.reference,
            vendors[0].pk,
            laptops.pk,
            "micro",
            date(2026, 10, 6),
            Decimal("2900.00"),
            False,
            None,
        ),
    ]


def test_an_order_in_another_currency_is_recorded_in_usd_at_the_orders_own_rate_adding_up_to_its_total(
    people, undp, laptops, vendors, quiet
):
    # given the UN rate of October 2026: 3 BRL to the dollar, and three lines quoted in BRL
    ExchangeRate.objects.create(
        month=date(2026, 10, 1),
        currency="BRL",
        rate=Decimal("3.000000"),
        entered_by=people.manager,
        entered_at=at(2026, 10, 1, 9),
    )
    requisition = services.requisition_raise(
        agency=undp,
        requester=people.requester,
        title="Three items",
        justification="Needed.",
        delivery_place="UN House",
        delivery_date=date(2026, 12, 1),
        charge_code="BRA10",
        lines=[line(laptops, quantity="1", price="100.00", description=f"Item {n}") for n in (1, 2, 3)],
        at=at(2026, 10, 5, 10),
    )
    services.requisition_approve(agency=undp, requisition=requisition, approver=people.approver, at=at(2026, 10, 5, 11))
    services.requisition_take(requisition=requisition, buyer=people.buyer, at=at(2026, 10, 5, 12))
    quotation = services.quotation_record(
        requisition=requisition,
        vendor=vendors[0],
        currency="BRL",
        unit_prices=["100.00", "100.00", "100.00"],
        by=people.buyer,
        at=at(2026, 10, 5, 13),
    )
    # when the order is issued
    order = services.order_issue(
        agency=undp,
        requisition=requisition,
        by=people.buyer,
        terms="Net 30.",
        quotation=quotation,
        at=at(2026, 10, 6, 10),
    )
    # then each line is 100 BRL = 33.33 USD, the last taking the cent so the records add up to the order's USD total
    assert order.total_usd == Decimal("100.00")
    amounts = list(PurchaseRecord.objects.order_by("id").values_list("amount_usd", flat=True))
    assert amounts == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert sum(amounts) == order.total_usd


def test_a_cancelled_orders_records_stay_marked_cancelled(micro_purchase, vendors, people, undp):
    purchase = micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    services.order_cancel(order=purchase.order, by=people.buyer, reason="Postponed.")
    record = PurchaseRecord.objects.get()
    assert record.cancelled
    assert record.amount_usd == Decimal("6000.00")


def test_cancelling_marks_only_that_agencys_order(micro_purchase, vendors, undp, unfpa, laptops):
    # given UNDP's and UNFPA's orders under the same number (each agency numbers its own)
    for agency in (undp, unfpa):
        PurchaseRecord.objects.create(
            agency=agency,
            order_number="PO-2026-000001",
            requisition_reference="PR-1",
            vendor=vendors[0],
            category=laptops,
            method="micro",
            ordered_on=date(2026, 3, 1),
            amount_usd=Decimal("10.00"),
        )
    # when UNDP's is cancelled
    purchase_records_cancel(agency=undp, order_number="PO-2026-000001")
    # then UNFPA's still counts
    assert dict(PurchaseRecord.objects.values_list("agency__code", "cancelled")) == {"UNDP": True, "UNFPA": False}
