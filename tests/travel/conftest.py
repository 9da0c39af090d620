"""Fixtures for travel: a DSA table, the people of a trip, and trips taken to a chosen step.

Every trip is built through `travel.services`, in UNDP's schema, at chosen
instants (a trip that has been travelled was submitted weeks ago); the test
leaves the schema as it found it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from allowances.models import DsaRate, Location
from ledger.services import alerts_muted
from tenants.models import Agency
from travel import services
from travel.models import TravellerKind, TravelRequest, TripType


@pytest.fixture(autouse=True)
def _in_undp_schema(undp: Agency) -> Iterator[None]:
    with schema_context(undp.schema_name):
        yield


@pytest.fixture
def quiet() -> Iterator[None]:
    """No e-mail: the rules are what these tests are about (test_notifications covers the e-mails)."""
    with alerts_muted():
        yield


@dataclass
class Places:
    brasilia: Location
    manaus: Location
    recife: Location
    geneva: Location


def rate(location: Location, on: date, amount: str, room: str = "50", reduced: str | None = None) -> DsaRate:
    full = Decimal(amount)
    return DsaRate.objects.create(
        location=location,
        effective_from=on,
        rate=full,
        room_percent=Decimal(room),
        reduced_rate=Decimal(reduced) if reduced else (full * Decimal("0.7")).quantize(Decimal("1")),
    )


@pytest.fixture
def places(db: None) -> Places:
    """Four locations with rates in force since 2020 (Manaus: 300, after 60 days 210)."""
    since = date(2020, 1, 1)
    found = Places(
        brasilia=Location.objects.create(country="BR", country_name="Brazil", name="Brasília"),
        manaus=Location.objects.create(country="BR", country_name="Brazil", name="Manaus"),
        recife=Location.objects.create(country="BR", country_name="Brazil", name="Recife"),
        geneva=Location.objects.create(country="CH", country_name="Switzerland", name="Geneva"),
    )
    rate(found.brasilia, since, "250")
    rate(found.manaus, since, "300", reduced="210")
    rate(found.recife, since, "220", room="45")
    rate(found.geneva, since, "520", room="60", reduced="390")
    return found


@dataclass
class People:
    requester: User
    traveller: User
    approver: User
    officer: User
    manager: User
    colleague: User


@pytest.fixture
def people(make_person: Callable[..., User], undp: Agency, facility: Agency, undp_agreement: Any) -> People:
    return People(
        requester=make_person((Role.REQUESTER, undp), email="ana@undp.test", first_name="Ana", last_name="Lima"),
        traveller=make_person((Role.REQUESTER, undp), email="tiago@undp.test", first_name="Tiago", last_name="Reis"),
        approver=make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), email="bruno@undp.test"),
        officer=make_person((Role.TRAVEL_AGENT, None), email="isabela@facility.test"),
        manager=make_person((Role.FACILITY_MANAGER, None), email="fabio@facility.test"),
        colleague=make_person((Role.REQUESTER, undp), email="carla@undp.test"),
    )


def at_noon(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def leg(
    origin: Location, destination: Location, departs: date, arrives: date | None = None, **fields: Any
) -> services.LegInput:
    return services.LegInput(
        origin=origin.pk,
        destination=destination.pk,
        departs_at=at_noon(departs, fields.get("hour", 9)),
        arrives_at=at_noon(arrives or departs, fields.get("arrival_hour", 13)),
        mode=fields.get("mode", "air"),
    )


def round_trip(places: Places, start: date, nights: int, where: Location | None = None) -> list[services.LegInput]:
    where = where or places.manaus
    return [leg(places.brasilia, where, start), leg(where, places.brasilia, start + timedelta(days=nights))]


@pytest.fixture
def submit(people: People, places: Places, undp: Agency) -> Callable[..., TravelRequest]:
    """submit(legs=..., at=..., **fields) -> a submitted trip of Tiago's, asked for by Ana."""

    def make(**fields: Any) -> TravelRequest:
        at = fields.pop("at", None) or timezone.now()
        start = fields.pop("start", None) or (timezone.localtime(at).date() + timedelta(days=30))
        values: dict[str, Any] = {
            "agency": undp,
            "requester": people.requester,
            "traveller_kind": TravellerKind.STAFF,
            "traveller": people.traveller,
            "purpose": "Field monitoring visit to the health project",
            "trip_type": TripType.MISSION,
            "legs": round_trip(places, start, 5),
            "charges": [services.ChargeInput(code="PRJ-00123", percent=Decimal("100"))],
            "estimated_ticket_cost": Decimal("850.00"),
            "at": at,
        }
        values.update(fields)
        return services.trip_submit(**values)

    return make


@pytest.fixture
def trip_at(
    submit: Callable[..., TravelRequest], people: People, places: Places, undp: Agency
) -> Callable[..., TravelRequest]:
    """trip_at("approved" | "cleared" | "ticketed" | "claimed" | "settled") -> a trip taken that far.

    It was submitted 60 days ago for a departure 30 days later, so it has been travelled by now.
    """

    def make(step: str, **fields: Any) -> TravelRequest:
        submitted = timezone.now() - timedelta(days=60)
        start = timezone.localtime(submitted).date() + timedelta(days=30)
        trip = submit(at=submitted, start=start, **fields)
        if step == "submitted":
            return trip
        trip = services.trip_approve(
            agency=undp, trip=trip, approver=people.approver, at=submitted + timedelta(hours=3)
        )
        if step == "approved":
            return trip
        for place in services.destinations(trip):
            services.clearance_record(
                trip=trip,
                location_id=place,
                reference=f"TRIP-{place}",
                granted_on=timezone.localtime(submitted).date(),
                by=people.officer,
                at=submitted + timedelta(days=1),
            )
        services.fare_options_record(
            trip=trip,
            options=[
                services.FareInput(airline="LATAM", travel_class="Economy", fare=Decimal("812.40")),
                services.FareInput(airline="Azul", travel_class="Economy", fare=Decimal("905.10")),
            ],
            by=people.officer,
            at=submitted + timedelta(days=1),
        )
        if step == "cleared":
            return trip
        services.ticket_issue(
            trip=trip,
            option_position=1,
            booking_reference="QX7Y2Z",
            by=people.officer,
            at=submitted + timedelta(days=1, hours=2),
        )
        trip.refresh_from_db()
        if step == "ticketed":
            return trip
        planned = list(trip.legs.order_by("position"))
        services.claim_submit(
            trip=trip,
            by=people.traveller,
            legs=[
                services.LegInput(
                    origin=one.origin_id,
                    destination=one.destination_id,
                    departs_at=one.departs_at,
                    arrives_at=one.arrives_at,
                    mode=one.mode,
                )
                for one in planned
            ],
            at=planned[-1].arrives_at + timedelta(days=2),
        )
        trip.refresh_from_db()
        if step == "claimed":
            return trip
        services.claim_settle(trip=trip, by=people.officer, at=planned[-1].arrives_at + timedelta(days=4))
        trip.refresh_from_db()
        return trip

    return make
