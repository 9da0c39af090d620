"""The demo's trips: months of history and a trip at every stage, played through the services.

Every trip goes through `travel.services` at past instants, as the running
system would have written it: submitted, approved, cleared, ticketed, claimed
after the journey and settled. UNDP also shows a 65-night mission, a late
booking with its justification, a trip whose clearance is missing, a trip
waiting for approval, one being travelled now, a claim to settle, a rejected
and a cancelled trip. A fixed seed keeps it the same on every machine; no
e-mail goes out about the past.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Membership, Role, User
from allowances.demo import dsa_table_load
from allowances.models import Location
from ledger.models import LedgerEntry
from ledger.services import alerts_muted
from service_levels.models import Module
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from . import services
from .models import TravellerKind, TravelRequest, TripType

SEED = 20261129
OFFICER_EMAIL = "travel@facility.demo"
HOME = "Brasília"
DESTINATIONS = ["Manaus", "Recife", "São Paulo", "Salvador", "Belém", "Panama City", "Geneva"]
PURPOSES = [
    (TripType.MISSION, "Monitoring visit to the project sites with the implementing partner."),
    (TripType.MEETING, "Regional coordination meeting of the UN country teams."),
    (TripType.TRAINING, "Training on results-based management for programme staff."),
    (TripType.CONSULTANCY, "Field work for the mid-term evaluation of the country programme."),
    (TripType.MISSION, "Joint field mission with the government counterpart."),
]
CONSULTANTS = ["Dr. Helena Costa", "Marcos Vieira", "Priya Raman", "Jean-Luc Mercier"]
CARRIERS = [("LATAM", "Economy"), ("Azul", "Economy"), ("GOL", "Economy"), ("Copa Airlines", "Economy")]


@dataclass
class Play:
    """One agency's trips, in its schema; each traveller's trips never overlap."""

    agency: Agency
    approver: User
    officer: User
    travellers: list[User]
    places: dict[str, Location]
    rng: random.Random

    def _traveller(self, index: int) -> tuple[User | None, str]:
        """(account, name) of the index-th traveller: the agency's people, and consultants."""
        people = len(self.travellers)
        if index % (people + 1) < people:
            return self.travellers[index % (people + 1)], ""
        return None, CONSULTANTS[index % len(CONSULTANTS)]

    def legs(self, start: date, stops: list[tuple[str, int]]) -> list[services.LegInput]:
        legs = []
        where, day = self.places[HOME], start
        for name, nights in stops:
            place = self.places[name]
            legs.append(_leg(where, place, day))
            where, day = place, day + timedelta(days=nights)
        legs.append(_leg(where, self.places[HOME], day))
        return legs

    def submit(
        self, index: int, start: date, stops: list[tuple[str, int]], submitted: datetime, **extra: object
    ) -> TravelRequest | None:
        """A trip of the index-th traveller, or of the next ones when that one is away then (the service
        refuses overlapping trips); None when every candidate is away."""
        legs = self.legs(start, stops)
        if (start - timezone.localtime(submitted).date()).days < services.ADVANCE_BOOKING_DAYS:
            extra.setdefault("late_justification", "The host confirmed the dates late; the meeting cannot move.")
        for candidate in range(index, index + len(self.travellers) + 2):
            person, name = self._traveller(candidate)
            kind, purpose = PURPOSES[candidate % len(PURPOSES)]
            requester = person if person is not None and self.rng.random() < 0.6 else self.travellers[0]
            try:
                return services.trip_submit(
                    agency=self.agency,
                    requester=requester,
                    traveller_kind=TravellerKind.STAFF if person is not None else TravellerKind.NON_STAFF,
                    traveller=person,
                    traveller_name=name,
                    purpose=purpose,
                    trip_type=kind,
                    legs=legs,
                    charges=_charges(self.rng, self.agency),
                    estimated_ticket_cost=Decimal(self.rng.randrange(450, 1400)),
                    personal=services.PersonalData(
                        passport_number=f"FZ{self.rng.randrange(100000, 999999)}",
                        phone=f"+55 61 9{self.rng.randrange(1000, 9999)} {self.rng.randrange(1000, 9999)}",
                        contact_email=person.email if person is not None else "",
                    ),
                    at=submitted,
                    **extra,  # type: ignore[arg-type]
                )
            except ApplicationError as refused:
                if refused.code != "travel.overlapping_trip":
                    raise
        return None

    def approve(self, trip: TravelRequest, at: datetime) -> TravelRequest:
        return services.trip_approve(agency=self.agency, trip=trip, approver=self.approver, at=at)

    def clear_and_quote(self, trip: TravelRequest, at: datetime, *, skip_clearance: bool = False) -> None:
        if not skip_clearance:
            for place in services.destinations(trip):
                services.clearance_record(
                    trip=trip,
                    location_id=place,
                    reference=f"TRIP-{timezone.localtime(at):%y%m%d}-{self.rng.randrange(1000, 9999)}",
                    granted_on=timezone.localtime(at).date(),
                    by=self.officer,
                    at=at,
                )
        base = Decimal(self.rng.randrange(420, 1300))
        options = []
        for step, (carrier, travel_class) in enumerate(self.rng.sample(CARRIERS, 3)):
            options.append(
                services.FareInput(carrier, travel_class, base + Decimal(step * self.rng.randrange(40, 160)))
            )
        services.fare_options_record(trip=trip, options=options, by=self.officer, at=at)

    def ticket(self, trip: TravelRequest, at: datetime, **extra: str) -> None:
        if services.issued_late(trip, at):
            extra.setdefault("late_justification", "The traveller was confirmed for the meeting late.")
        services.ticket_issue(
            trip=trip,
            option_position=1,
            booking_reference=f"{self.rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{self.rng.randrange(10000, 99999)}",
            by=self.officer,
            at=at,
            **extra,
        )

    def claim(self, trip: TravelRequest, at: datetime, *, nights_changed: int = 0) -> None:
        planned = list(trip.legs.order_by("position"))
        legs = [
            services.LegInput(
                origin=one.origin_id,
                destination=one.destination_id,
                departs_at=one.departs_at,
                arrives_at=one.arrives_at,
                mode=one.mode,
            )
            for one in planned
        ]
        if nights_changed:
            last = legs[-1]
            moved = timedelta(days=nights_changed)
            legs[-1] = services.LegInput(
                last.origin, last.destination, last.departs_at + moved, last.arrives_at + moved, last.mode
            )
        expenses = [services.ExpenseInput("Taxi to and from the airport", Decimal(self.rng.randrange(30, 90)))]
        if self.rng.random() < 0.3:
            expenses.append(services.ExpenseInput("Visa fee", Decimal("160.00")))
        traveller = User.objects.filter(pk=trip.traveller_id or trip.requester_id).first()
        services.claim_submit(trip=trip, by=traveller, legs=legs, expenses=expenses, at=at)  # type: ignore[arg-type]

    def settle(self, trip: TravelRequest, at: datetime) -> None:
        services.claim_settle(trip=trip, by=self.officer, at=at)

    def full(self, index: int, start: date, stops: list[tuple[str, int]], now: datetime) -> int:
        """A trip from submission to settlement, each step a business day or two after the last."""
        submitted = _working(start - timedelta(days=self.rng.randrange(24, 40)), 10)
        trip = self.submit(index, start, stops, submitted)
        if trip is None:
            return 0
        trip = self.approve(trip, submitted + timedelta(hours=self.rng.choice([2, 5, 20, 26])))
        self.clear_and_quote(trip, submitted + timedelta(days=1, hours=1))
        self.ticket(trip, submitted + timedelta(days=1, hours=self.rng.choice([3, 6, 28])))
        back = timezone.localtime(trip.legs.order_by("-position").first().arrives_at)  # type: ignore[union-attr]
        claimed = _working(
            back.date() + timedelta(days=self.rng.randrange(2, 5)), 11
        )  # after a stay one night longer too
        if claimed >= now:
            return 1
        self.claim(trip, claimed, nights_changed=self.rng.choice([0, 0, 0, -1, 1]))
        settled = claimed + timedelta(days=self.rng.choice([1, 2, 4, 7, 16]))
        if settled < now:
            self.settle(trip, settled)
        return 1


def _working(day: date, hour: int) -> datetime:
    """A working day's hour (weekends moved to Monday), on the facility's clock."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _leg(origin: Location, destination: Location, day: date) -> services.LegInput:
    departs = timezone.make_aware(datetime.combine(day, time(8, 10)))
    hours = 9 if "Geneva" in (origin.name, destination.name) else 3
    return services.LegInput(
        origin=origin.pk, destination=destination.pk, departs_at=departs, arrives_at=departs + timedelta(hours=hours)
    )


def _charges(rng: random.Random, agency: Agency) -> list[services.ChargeInput]:
    project = f"{agency.code}-PRJ-{rng.randrange(100, 999)}"
    if rng.random() < 0.3:
        return [
            services.ChargeInput(project, Decimal("60")),
            services.ChargeInput(f"{agency.code}-CORE-{rng.randrange(10, 99)}", Decimal("40")),
        ]
    return [services.ChargeInput(project, Decimal("100"))]


def _travellers(agency: Agency) -> list[User]:
    emails = [f"{local}@{agency.code.lower()}.demo" for local in ("requester", "requester2", "board")]
    found = {user.email: user for user in User.objects.filter(email__in=emails)}
    return [found[email] for email in emails if email in found]


def _approver(agency: Agency) -> User | None:
    approvers = Membership.objects.filter(agency=agency, role=Role.APPROVER).values("user_id")
    return User.objects.filter(pk__in=approvers, is_active=True).order_by("pk").first()


def _history(play: Play, months: int, now: datetime) -> int:
    """Three or four trips a month, travelled and (mostly) settled."""
    played = 0
    today = timezone.localdate(now)
    index = 0
    for month in range(months, 0, -1):
        for _trip in range(play.rng.choice([3, 4])):
            # Back at least ten days ago: the trips of today are played by _current.
            start = today - timedelta(days=30 * month + 5 - play.rng.randrange(0, 15))
            stops = [(play.rng.choice(DESTINATIONS[:5]), play.rng.randrange(2, 6))]
            if play.rng.random() < 0.3:
                stops.append((play.rng.choice(DESTINATIONS), play.rng.randrange(2, 4)))
            stops = [stop for position, stop in enumerate(stops) if position == 0 or stop[0] != stops[0][0]]
            played += play.full(index, start, stops, now)
            index += 1
    return played


def _current(play: Play, now: datetime, *, showcase: bool) -> int:
    """Trips at every stage now; UNDP shows the rarer cases too."""
    today = timezone.localdate(now)
    played = 0
    # Each agency goes to its own places; UNDP's are fixed for the README's walk-through.
    places = DESTINATIONS[:5] if showcase else play.rng.sample(DESTINATIONS[:5], 4)
    first, second, third, fourth = ("Recife", "Manaus", "São Paulo", "Salvador") if showcase else places
    # waiting for the approver (in the approvals inbox)
    play.submit(0, today + timedelta(days=35), [(first, 4)], now - timedelta(hours=20))
    # approved, waiting for clearance and ticket
    trip = play.submit(1, today + timedelta(days=30), [(second, 3)], now - timedelta(days=2))
    if trip is not None:
        play.approve(trip, now - timedelta(days=1, hours=20))
    # travelling now (duty of care): ticketed, not back yet
    trip = play.submit(3, today - timedelta(days=2), [(third, 5)], now - timedelta(days=30))
    if trip is not None:
        trip = play.approve(trip, now - timedelta(days=29, hours=20))
        play.clear_and_quote(trip, now - timedelta(days=29))
        play.ticket(trip, now - timedelta(days=28, hours=20))
    # back, the claim waiting for the facility
    trip = play.submit(2, today - timedelta(days=12), [(fourth, 4)], now - timedelta(days=40))
    if trip is not None:
        trip = play.approve(trip, now - timedelta(days=39, hours=20))
        play.clear_and_quote(trip, now - timedelta(days=39))
        play.ticket(trip, now - timedelta(days=38, hours=22))
        play.claim(trip, now - timedelta(days=3))
    played += 4
    if not showcase:
        return played
    # a 65-night mission in Manaus (60 nights at the full rate, then 5 at the reduced one), settled
    trip = play.submit(4, today - timedelta(days=75), [("Manaus", 65)], now - timedelta(days=105))
    if trip is not None:
        trip = play.approve(trip, now - timedelta(days=104, hours=21))
        play.clear_and_quote(trip, now - timedelta(days=104))
        play.ticket(trip, now - timedelta(days=103, hours=20))
        play.claim(trip, now - timedelta(days=8))
        play.settle(trip, now - timedelta(days=6))
    # a late booking: asked 12 days ahead with a justification, ticketed with one, flagged
    trip = play.submit(
        5,
        today + timedelta(days=9),
        [("Panama City", 4)],
        now - timedelta(days=3),
        late_justification="The regional director convened the meeting at short notice.",
    )
    if trip is not None:
        trip = play.approve(trip, now - timedelta(days=2, hours=22))
        play.clear_and_quote(trip, now - timedelta(days=2, hours=20))
        play.ticket(
            trip,
            now - timedelta(days=2, hours=18),
            late_justification="Meeting convened at short notice by the regional director.",
        )
    # approved with fares found, but the security clearance for Belém is missing: no ticket yet
    trip = play.submit(6, today + timedelta(days=28), [("Belém", 3)], now - timedelta(days=3))
    if trip is not None:
        trip = play.approve(trip, now - timedelta(days=2))
        play.clear_and_quote(trip, now - timedelta(days=1), skip_clearance=True)
    # a rejected and a cancelled request
    trip = play.submit(7, today + timedelta(days=60), [("Geneva", 5)], now - timedelta(days=6))
    if trip is not None:
        services.trip_reject(
            agency=play.agency,
            trip=trip,
            approver=play.approver,
            reason="The workshop can be attended online; no travel budget left on this project.",
            at=now - timedelta(days=5),
        )
    trip = play.submit(9, today + timedelta(days=50), [("Recife", 2)], now - timedelta(days=8))
    if trip is not None:
        trip = play.approve(trip, now - timedelta(days=7))
        services.trip_cancel(
            agency=play.agency,
            trip=trip,
            by=play.approver,
            reason="The partner postponed the visit to next quarter.",
            at=now - timedelta(days=6),
        )
    return played + 5


def travel_demo_load(*, months: int = 3, now: datetime | None = None) -> int:
    """The demo's trips for every voting agency whose agreement covers travel; 0 if already there."""
    if LedgerEntry.objects.filter(module=Module.TRAVEL, detail_id__isnull=False).exists():
        return 0
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    if officer is None:
        return 0
    dsa_table_load(by=officer)
    places = {place.name: place for place in Location.objects.filter(name__in=[HOME, *DESTINATIONS])}
    if HOME not in places or any(name not in places for name in DESTINATIONS):
        return 0
    from .start import travel_covered

    now = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    played = 0
    with alerts_muted():
        for agency in Agency.objects.agencies().order_by("code"):
            approver = _approver(agency)
            travellers = _travellers(agency)
            if not agency.has_vote or approver is None or not travellers or not travel_covered(agency):
                continue
            with schema_context(agency.schema_name), transaction.atomic():
                play = Play(agency, approver, officer, travellers, places, rng)
                # Today's trips first: the history's travellers are then chosen around them.
                played += _current(play, now, showcase=agency.code == "UNDP")
                played += _history(play, months, now)
    return played
