"""Vendor performance: the receiver rates the vendor of an order once, and the roster shows each vendor's
record across agencies to the facility's officers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from procurement.receiving import receipt_record
from sourcing.models import VendorRating
from sourcing.selectors.ratings import vendor_record
from sourcing.services.ratings import vendor_rating_record
from tenants.models import Agency

from .conftest import refused

pytestmark = pytest.mark.django_db


def _rate(order, by, agency, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("on_time", True)
    fields.setdefault("quality", 4)
    fields.setdefault("compliance", 5)
    fields.setdefault("comment", "")
    return vendor_rating_record(agency=agency, order_number=order.number, by=by, **fields)


def _received(order, receiver, undp):  # type: ignore[no-untyped-def]
    receipt_record(
        agency=undp, order_number=order.number, lines={1: "1"}, received_on=timezone.localdate(), note="", by=receiver
    )


def test_only_a_person_who_received_the_order_rates_its_vendor_once(ordered, receiver, people, finance, undp):
    order = ordered()
    # given nobody received it yet: nobody rates it
    refused("sourcing.not_the_receiver", _rate, order=order, by=receiver, agency=undp)
    _received(order, receiver, undp)
    # when someone else than the receiver rates it: refused
    for person in (people.requester, finance):
        refused("sourcing.not_the_receiver", _rate, order=order, by=person, agency=undp)
    # when the receiver rates it
    rating = _rate(order, receiver, undp, on_time=False, quality=3, compliance=4, comment="Two days late.")
    # then the rating is kept for the vendor, with the agency and the order
    assert (rating.vendor_id, rating.agency_id, rating.order_number) == (order.vendor_id, undp.pk, order.number)
    # and a second rating of the order is refused
    error = refused("sourcing.already_rated", _rate, order=order, by=receiver, agency=undp)
    assert error.status_code == 409
    assert VendorRating.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"quality": 0}, "quality"),
        ({"quality": 6}, "quality"),
        ({"compliance": "5"}, "compliance"),
        ({"compliance": True}, "compliance"),
        ({"on_time": "yes"}, "on_time"),
        ({"comment": "x" * 2001}, "comment"),
    ],
)
def test_bad_ratings_are_refused_and_record_nothing(ordered, receiver, undp, fields, field):
    order = ordered()
    _received(order, receiver, undp)
    error = refused("sourcing.invalid", _rate, order=order, by=receiver, agency=undp, **fields)
    assert list(error.fields) == [field]
    assert not VendorRating.objects.exists()


def test_a_vendors_record_counts_every_agencys_ratings(ordered, receiver, undp, unfpa, make_person):
    # given two UNDP orders of one vendor, rated, and a UNFPA rating of the same vendor
    first, second = ordered(), ordered()
    for order in (first, second):
        _received(order, receiver, undp)
    _rate(first, receiver, undp, on_time=True, quality=5, compliance=5)
    _rate(second, receiver, undp, on_time=False, quality=2, compliance=4)
    unfpa_person = make_person((Role.APPROVER, unfpa))
    VendorRating.objects.create(
        agency=unfpa,
        vendor_id=first.vendor_id,
        order_number="UNFPA-PO-2026-000001",
        on_time=True,
        quality=4,
        compliance=3,
        rated_by=unfpa_person,
        rated_at=timezone.now(),
    )
    # when its record is read
    record = vendor_record(vendor=first.vendor)
    # then it counts all three: two of three on time, the averages to one decimal, the last first
    assert record.ratings == 3
    assert record.on_time_percent == Decimal("66.7")
    assert record.quality_average == Decimal("3.7")
    assert record.compliance_average == Decimal("4.0")
    assert [rating.agency.code for rating in record.last] == ["UNFPA", "UNDP", "UNDP"]


def test_the_roster_shows_each_vendors_record_to_the_facilitys_officers(
    ordered, receiver, undp, facility: Agency, client_at: Callable[..., Client], people
):
    order = ordered()
    _received(order, receiver, undp)
    _rate(order, receiver, undp, on_time=True, quality=4, compliance=5)
    with schema_context("public"):
        officer = client_at(facility, people.buyer)
        page = officer.get(f"/vendors/{order.vendor_id}/")
        roster = officer.get("/vendors/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="performance-figures"' in html and "100 %" in html and "4.0 / 5" in html
    assert order.number in html and "UNDP" in html
    assert roster.status_code == 200
    assert "100 % on time, quality 4.0 / 5 (1 rating)" in roster.content.decode()
