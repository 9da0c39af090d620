"""Reads for travel: who sees which trip and its personal data, the queues, duty of care, reports, figures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django_tenants.utils import schema_context

from accounts.models import FACILITY_ROLES, Role, User
from accounts.selectors import facility_roles, has_role, sees_whole_agency
from allowances import selectors as allowances
from allowances.models import Location
from ledger.models import OPEN_STATUSES, LedgerEntry
from ledger.selectors import with_due_times
from service_levels.models import Module
from shared_platform.inputs import refuse
from shared_platform.templatetags.platform import money
from tenants.models import Agency

from . import dsa
from .models import Leg, LegKind, ProvidedDay, TravelRequest, TripStatus

if TYPE_CHECKING:
    from .services import LegInput, ProvidedInput

DUTY_OF_CARE_DAYS = 7
# Facility staff who work trips; the manager stands in for a travel officer.
TRAVEL_OFFICER_ROLES = frozenset({Role.TRAVEL_AGENT, Role.FACILITY_MANAGER})


def is_travel_officer(*, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(facility_roles(user) & TRAVEL_OFFICER_ROLES)


def is_travel_reader(*, user: User | AnonymousUser) -> bool:
    """Facility staff who read every trip (the auditor too, read-only) — but not its personal data."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or facility_roles(user) & FACILITY_ROLES)


def sees_personal_data(*, trip: TravelRequest, user: User | AnonymousUser, agency: Agency | None) -> bool:
    """Passport, birth date and contacts: the traveller, the agency's approvers and the facility's travel
    officers only (issue "Travel…", "Personal data"). `agency` is the address's agency, None on the portal."""
    if not user.is_authenticated or not user.is_active:
        return False
    if trip.traveller_id is not None and trip.traveller_id == user.pk:
        return True
    if agency is None:
        return is_travel_officer(user=user)
    return has_role(user=user, agency=agency, roles={Role.APPROVER})


def trips_visible(*, user: User, agency: Agency) -> QuerySet[TravelRequest]:
    """An agency's trips as its person may see them: approvers and finance all, others those they asked
    for or travel on."""
    trips = TravelRequest.objects.all()
    if not sees_whole_agency(user=user, agency=agency):
        trips = trips.filter(Q(requester_id=user.pk) | Q(traveller_id=user.pk))
    return trips


def trip_entry(*, reference: str) -> LedgerEntry | None:
    return (
        LedgerEntry.objects.filter(reference=reference, module=Module.TRAVEL, detail_id__isnull=False)
        .select_related("agency", "service", "assignee")
        .first()
    )


@contextmanager
def agency_trip(*, reference: str) -> Iterator[TravelRequest]:
    """A trip found from the facility portal: its ledger row says whose it is, and the connection stays in
    that agency's schema for as long as the caller needs it. 404 if there is none."""
    entry = trip_entry(reference=reference)
    if entry is None:
        raise Http404("No such trip.")
    with schema_context(entry.agency.schema_name):
        trip = TravelRequest.objects.filter(reference=reference).first()
        if trip is None:
            raise Http404("No such trip.")
        yield trip


def travel_queue(*, user: User | AnonymousUser, filters: dict[str, Any]) -> QuerySet[LedgerEntry]:
    """Trips across every agency from the ledger, the most urgent first: one indexed query.

    `filters`: agency (an Agency or None), step, officer ("mine", "none" or ""),
    state ("all", "overdue", or in progress).
    """
    entries = LedgerEntry.objects.filter(module=Module.TRAVEL, detail_id__isnull=False).select_related(
        "agency", "service", "assignee"
    )
    if filters.get("agency") is not None:
        entries = entries.filter(agency=filters["agency"])
    if filters.get("step"):
        entries = entries.filter(step=filters["step"])
    if filters.get("officer") == "mine":
        entries = entries.filter(assignee_id=user.pk)
    elif filters.get("officer") == "none":
        entries = entries.filter(assignee__isnull=True)
    if filters.get("state") != "all":
        entries = entries.filter(status__in=OPEN_STATUSES)
    entries = with_due_times(entries)
    if filters.get("state") == "overdue":
        entries = entries.filter(overdue_since__isnull=False)  # type: ignore[misc]  # annotated above
    return entries.order_by("overdue_since", "next_due", "-opened_at")


def _dsa_legs(legs: Sequence[LegInput] | Sequence[Leg]) -> list[dsa.Leg]:
    return [
        dsa.Leg(
            origin=leg.origin_id if isinstance(leg, Leg) else leg.origin,
            destination=leg.destination_id if isinstance(leg, Leg) else leg.destination,
            departs=timezone.localtime(leg.departs_at).date(),
            arrives=timezone.localtime(leg.arrives_at).date(),
        )
        for leg in legs
    ]


def _provided_map(provided: Iterable[ProvidedInput] | Iterable[ProvidedDay]) -> dict[date, dsa.Provided]:
    return {
        day.day: dsa.Provided(
            accommodation=day.accommodation, breakfast=day.breakfast, lunch=day.lunch, dinner=day.dinner
        )
        for day in provided
    }


def allowance_compute(
    *, legs: Sequence[LegInput] | Sequence[Leg], provided: Iterable[ProvidedInput] | Iterable[ProvidedDay] = ()
) -> dsa.Computation:
    """The DSA and terminal expenses of an itinerary with the rates in force each night (refused, naming the
    place and night, where the table has no rate)."""
    dsa_legs = _dsa_legs(legs)
    locations = {leg.origin for leg in dsa_legs} | {leg.destination for leg in dsa_legs}
    book = allowances.rate_book(locations=locations)
    try:
        return dsa.compute(legs=dsa_legs, rates=book, rules=allowances.rules(), provided=_provided_map(provided))
    except dsa.NoRate as missing:
        place = Location.objects.filter(pk=missing.location).first()
        refuse(
            gettext("The DSA table has no rate for %(place)s on %(day)s.")
            % {"place": str(place) if place else missing.location, "day": date_format(missing.night)},
            code="travel.no_rate",
            field="legs",
        )
    except dsa.ItineraryError:
        refuse(gettext("The legs do not follow each other."), code="travel.legs_out_of_order", field="legs")


# -- figures, said the way a person checks them ------------------------------------------------


@dataclass(frozen=True)
class FigureLine:
    """One line of a DSA computation as printed: what it is, how it was reached, and the amount."""

    label: str
    how: str
    amount: Decimal


def _period(line: dsa.Line) -> str:
    if line.first is None or line.last is None:
        return ""
    if line.first == line.last:
        return date_format(line.first, "SHORT_DATE_FORMAT")
    return f"{date_format(line.first, 'SHORT_DATE_FORMAT')} – {date_format(line.last, 'SHORT_DATE_FORMAT')}"


def figure_lines(computation: dsa.Computation) -> list[FigureLine]:
    """The computation's lines in the reader's language: "60 nights × 300.00", "room 50 % of 300.00"…"""
    places = Location.objects.in_bulk({line.location for line in computation.lines if line.location})
    lines = []
    for line in computation.lines:
        place = str(places[line.location]) if line.location in places else ""
        count = line.count
        unit = money(line.unit)
        period = _period(line)
        if line.kind == dsa.Kind.NIGHTS:
            label = gettext("DSA, %(place)s") % {"place": place}
            how = ngettext("%(count)d night × %(rate)s", "%(count)d nights × %(rate)s", count) % {
                "count": count,
                "rate": unit,
            }
        elif line.kind == dsa.Kind.LONG_STAY:
            label = gettext("DSA after 60 nights, %(place)s") % {"place": place}
            how = ngettext(
                "%(count)d night × %(rate)s (reduced rate)", "%(count)d nights × %(rate)s (reduced rate)", count
            ) % {"count": count, "rate": unit}
        elif line.kind == dsa.Kind.TERMINAL:
            label = gettext("Terminal expenses")
            how = ngettext("%(count)d journey leg × %(rate)s", "%(count)d journey legs × %(rate)s", count) % {
                "count": count,
                "rate": unit,
            }
        elif line.kind == dsa.Kind.CAP:
            label = gettext("Deductions above a night's DSA given back, %(place)s") % {"place": place}
            how = ngettext("%(count)d night", "%(count)d nights", count) % {"count": count}
        else:
            label = {
                dsa.Kind.ROOM: gettext("Accommodation provided, %(place)s"),
                dsa.Kind.BREAKFAST: gettext("Breakfast provided, %(place)s"),
                dsa.Kind.LUNCH: gettext("Lunch provided, %(place)s"),
                dsa.Kind.DINNER: gettext("Dinner provided, %(place)s"),
            }[line.kind] % {"place": place}
            how = ngettext("%(count)d day × −%(rate)s", "%(count)d days × −%(rate)s", count) % {
                "count": count,
                "rate": unit,
            }
        lines.append(FigureLine(label=label, how=f"{how} ({period})" if period else how, amount=line.amount))
    return lines


def trip_figures(*, trip: TravelRequest, kind: str = LegKind.PLANNED) -> dsa.Computation | None:
    """The computation of a trip's planned or actual itinerary, with the rates in force on its nights
    (None when that itinerary is not recorded)."""
    legs = list(trip.legs.filter(kind=kind).order_by("position"))
    if not legs:
        return None
    return allowance_compute(legs=legs, provided=list(trip.provided_days.filter(kind=kind)))


# -- duty of care and reports --------------------------------------------------------------------


@dataclass(frozen=True)
class Whereabouts:
    reference: str
    agency_code: str
    traveller: str
    place: str
    arrives: date
    leaves: date
    phone: str
    email: str


def whereabouts(*, today: date | None = None, days: int = DUTY_OF_CARE_DAYS) -> list[Whereabouts]:
    """Where this agency's travellers are today and in the next `days` days: one line per stop of an
    approved or ticketed trip (the schema active is the agency's)."""
    today = today or timezone.localdate()
    until = today + timedelta(days=days)
    trips = (
        TravelRequest.objects.filter(
            status__in=(TripStatus.APPROVED, TripStatus.TICKETED), departs_on__lte=until, returns_on__gte=today
        )
        .prefetch_related("legs")
        .order_by("departs_on", "pk")
    )
    from django.db import connection

    agency_code = Agency.objects.filter(schema_name=connection.schema_name).values_list("code", flat=True).first()  # type: ignore[attr-defined]
    legs_by_trip = {trip.pk: [leg for leg in trip.legs.all() if leg.kind == LegKind.PLANNED] for trip in trips}
    places = Location.objects.in_bulk({leg.destination_id for legs in legs_by_trip.values() for leg in legs})
    found = []
    for trip in trips:
        legs = sorted(legs_by_trip[trip.pk], key=lambda leg: leg.position)
        if not legs:
            continue
        home = legs[0].origin_id
        for index, leg in enumerate(legs):
            if leg.destination_id == home:
                continue
            arrives = timezone.localtime(leg.arrives_at).date()
            leaves = timezone.localtime(legs[index + 1].departs_at).date() if index + 1 < len(legs) else arrives
            if leaves < today or arrives > until:
                continue
            found.append(
                Whereabouts(
                    reference=trip.reference,
                    agency_code=agency_code or "",
                    traveller=trip.traveller_name,
                    place=str(places.get(leg.destination_id, "")),
                    arrives=arrives,
                    leaves=leaves,
                    phone=trip.phone,
                    email=trip.contact_email,
                )
            )
    return found


def whereabouts_everywhere(*, today: date | None = None) -> list[Whereabouts]:
    """Duty of care across agencies, for the facility's travel officers: only agencies with a trip under way
    or about to start are read."""
    agency_ids = (
        LedgerEntry.objects.filter(module=Module.TRAVEL, status__in=OPEN_STATUSES, detail_id__isnull=False)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    found: list[Whereabouts] = []
    for agency in Agency.objects.filter(pk__in=agency_ids).order_by("code"):
        with schema_context(agency.schema_name):
            found.extend(whereabouts(today=today))
    return sorted(found, key=lambda where: (where.arrives, where.agency_code, where.reference))


@dataclass(frozen=True)
class LateBookings:
    agency_code: str
    month: date
    tickets: int
    late: int


def late_bookings(*, year: int) -> list[LateBookings]:
    """Tickets issued per agency and month of a year, and how many less than 21 days before departure."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from .models import Ticket

    found = []
    agency_ids = (
        LedgerEntry.objects.filter(module=Module.TRAVEL, detail_id__isnull=False, opened_at__year__gte=year - 1)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    for agency in Agency.objects.filter(pk__in=agency_ids).order_by("code"):
        with schema_context(agency.schema_name):
            rows = (
                Ticket.objects.filter(issued_at__year=year)
                .annotate(month=TruncMonth("issued_at"))
                .values("month")
                .annotate(tickets=Count("pk"), late=Count("pk", filter=Q(late=True)))
                .order_by("month")
            )
            for row in rows:
                found.append(
                    LateBookings(
                        agency_code=agency.code,
                        month=timezone.localtime(row["month"]).date()
                        if hasattr(row["month"], "hour")
                        else row["month"],
                        tickets=row["tickets"],
                        late=row["late"],
                    )
                )
    return found


# -- payments for the agency's ERP ---------------------------------------------------------------


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _split(amount: Decimal, charges: list[Any]) -> list[tuple[Any, Decimal]]:
    """An amount split over the charge codes by their shares, in cents; the last code takes the rounding."""
    parts = []
    left = amount
    for index, charge in enumerate(charges):
        if index == len(charges) - 1:
            share = left
        else:
            share = (amount * charge.percent / Decimal("100")).quantize(Decimal("0.01"))
            left -= share
        parts.append((charge, share))
    return parts


def advances_due(*, month: date) -> list[tuple[TravelRequest, Any, Decimal]]:
    """Advances of the trips approved in a month, one line per charge code (the agency's schema)."""
    start, end = month, _month_end(month)
    trips = (
        TravelRequest.objects.filter(decided_at__date__gte=start, decided_at__date__lt=end, advance_amount__gt=0)
        .exclude(status__in=(TripStatus.REJECTED, TripStatus.SUBMITTED))
        .prefetch_related("charge_codes")
        .order_by("decided_at", "pk")
    )
    return [
        (trip, charge, share)
        for trip in trips
        for charge, share in _split(trip.advance_amount, list(trip.charge_codes.all()))
    ]


@dataclass(frozen=True)
class SettlementLine:
    """One charge code's part of a settled claim, or of the advance to recover from a trip called off."""

    trip: TravelRequest
    charge: Any
    amount: Decimal
    settled_on: date
    claimed: Decimal
    advance: Decimal
    settlement: Decimal
    kind: str  # "claim" or "cancelled"


def settlements_done(*, month: date) -> list[SettlementLine]:
    """The month's settlements for the agency's ERP, split per charge code (the agency's schema):

    - claims settled in the month: the claim minus the advance;
    - trips cancelled in the month after their approval made the advance due: the whole advance, to recover.
    """
    start, end = month, _month_end(month)
    claims = (
        TravelRequest.objects.filter(claim__settled_at__date__gte=start, claim__settled_at__date__lt=end)
        .select_related("claim")
        .prefetch_related("charge_codes")
    )
    lines = [
        SettlementLine(
            trip=trip,
            charge=charge,
            amount=share,
            settled_on=timezone.localtime(trip.claim.settled_at).date(),  # type: ignore[arg-type]
            claimed=trip.claim.total,
            advance=trip.claim.advance_amount,
            settlement=trip.claim.settlement_amount,
            kind="claim",
        )
        for trip in claims
        for charge, share in _split(trip.claim.settlement_amount, list(trip.charge_codes.all()))
    ]
    called_off = TravelRequest.objects.filter(
        status=TripStatus.CANCELLED,
        decided_at__isnull=False,
        advance_amount__gt=0,
        closed_at__date__gte=start,
        closed_at__date__lt=end,
    ).prefetch_related("charge_codes")
    lines += [
        SettlementLine(
            trip=trip,
            charge=charge,
            amount=share,
            settled_on=timezone.localtime(trip.closed_at).date(),  # type: ignore[arg-type]
            claimed=Decimal("0.00"),
            advance=trip.advance_amount,
            settlement=-trip.advance_amount,
            kind="cancelled",
        )
        for trip in called_off
        for charge, share in _split(-trip.advance_amount, list(trip.charge_codes.all()))
    ]
    return sorted(lines, key=lambda line: (line.settled_on, line.trip.pk))
