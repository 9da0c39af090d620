"""Travel's writes: one function per step of a trip, each checking the rule it enforces (UN travel practice).

    submit ─▶ approve ─▶ (clearance per destination, fare options) ─▶ ticket ─▶ claim ─▶ settle
       └──▶ reject                  (cancel before the claim)

The ledger carries the trip across agencies from submission (PRODUCT.md,
"Travel"; issue "Travel: authorization…"): the authorization clock runs from
submission to the approver's decision, the ticketing clock from approval to
the ticket, and the claim clock from the claim to its settlement. While the
traveller travels the request waits on them (pending, no clock running).
Settlement delivers the service: one billable `travel_request`, once.

Amounts are Decimal US dollars; the DSA is computed by `travel.dsa` with the
rates in force on each night (`allowances`). Services run in the agency's
schema; the facility's pages enter it through `selectors.agency_trip`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import Membership, Role, User
from accounts.selectors import has_role
from allowances.models import Location
from ledger import services as ledger
from ledger.models import EntryStatus, Holder, LedgerEntry, NamedRole
from service_levels.models import Metric, Service
from shared_platform import limits
from shared_platform.attachments import agency_file_path, upload_check
from shared_platform.inputs import decimal_checked, refuse, text_checked
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from . import selectors
from .models import (
    ADVANCE_BOOKING_DAYS,
    MAX_FARE_OPTIONS,
    TRAVEL_SERVICE,
    ChargeCode,
    Claim,
    Clearance,
    Expense,
    FareOption,
    Leg,
    LegKind,
    ProvidedDay,
    Ticket,
    TravellerKind,
    TravelMode,
    TravelPolicy,
    TravelRequest,
    TripEvent,
    TripEventKind,
    TripStatus,
    TripType,
)
from .selectors import allowance_compute

CODE = "travel.invalid"
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
MAX_LEGS = 12
MAX_CHARGE_CODES = 10
MAX_EXPENSES = 30
MAX_TRIP_DAYS = 366

# The trip's step on the ledger, for the facility's queue.
STEP_AUTHORIZATION = "authorization"
STEP_TICKETING = "ticketing"
STEP_TRAVELLING = "travelling"
STEP_CLAIM = "claim"
STEP_SETTLED = "settled"


# -- small checks -------------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Travel times are aware datetimes.")
    return at


def _in_schema_of(agency: Agency) -> None:
    if connection.schema_name != agency.schema_name:  # type: ignore[attr-defined]
        raise RuntimeError(f"Travel services run in the agency's schema ({agency.schema_name}).")


def _refuse(message: str, *, code: str = CODE, field: str | None = None, status: int = 400) -> NoReturn:
    refuse(message, code=code, field=field, status=status)


def _text(value: str | None, *, field: str, required: str | None, limit: int, one_line: bool = False) -> str:
    return text_checked(value, field=field, required=required, limit=limit, code=CODE, one_line=one_line)


def _money(value: Any, *, field: str, allow_zero: bool = True) -> Decimal:
    return decimal_checked(value, field=field, code=CODE, allow_zero=allow_zero)


def _event(trip: TravelRequest, kind: str, at: datetime, actor: User | None, detail: str = "") -> None:
    TripEvent.objects.create(travel_request=trip, kind=kind, at=at, actor=actor, detail=detail[: limits.SHORT_TEXT])


def _locked(trip: TravelRequest) -> TravelRequest:
    return TravelRequest.objects.select_for_update().get(pk=trip.pk)


def _entry(trip: TravelRequest) -> LedgerEntry:
    if trip.entry_id is None:
        raise RuntimeError(f"{trip.reference} is not on the ledger.")
    return LedgerEntry.objects.select_related("agency", "service", "agreement").get(pk=trip.entry_id)


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def _local_day(at: datetime) -> date:
    return timezone.localtime(at).date()


def _status_check(trip: TravelRequest, allowed: Iterable[str], message: str) -> None:
    if trip.status not in allowed:
        _refuse(message % {"reference": trip.reference}, code="travel.illegal_transition", status=409)


def _notify(trip: TravelRequest, step: str, *, actor: User | None, detail: str = "") -> None:
    """E-mail the people of the trip about a step, after commit, from the worker."""
    if ledger.alerts_are_muted():
        return
    from .tasks import trip_notify

    enqueue_after_commit(trip_notify, trip.pk, step, actor.pk if actor else None, detail)


def _officer_check(user: User) -> None:
    if not selectors.is_travel_officer(user=user):
        _refuse(
            gettext("Only the facility's travel officers may do this."),
            code="travel.travel_officers_only",
            status=403,
        )


# -- the itinerary and its figures ---------------------------------------------------------------


@dataclass(frozen=True)
class LegInput:
    origin: int
    destination: int
    departs_at: datetime
    arrives_at: datetime
    mode: str = TravelMode.AIR


@dataclass(frozen=True)
class ChargeInput:
    code: str
    percent: Decimal


@dataclass(frozen=True)
class ProvidedInput:
    day: date
    accommodation: bool = False
    breakfast: bool = False
    lunch: bool = False
    dinner: bool = False


@dataclass(frozen=True)
class ExpenseInput:
    description: str
    amount: Decimal
    receipt: UploadedFile | None = None


def _legs_checked(legs: Sequence[LegInput], *, field: str = "legs") -> tuple[list[LegInput], dict[int, Location]]:
    """The legs in order, each between two known locations, each arriving after it departs and departing
    after the previous one arrives; refused with the leg's number otherwise."""
    if not legs:
        _refuse(gettext("Give at least one journey leg."), field=field)
    if len(legs) > MAX_LEGS:
        _refuse(gettext("At most %(count)d journey legs.") % {"count": MAX_LEGS}, field=field)
    ids = {leg.origin for leg in legs} | {leg.destination for leg in legs}
    known = {location.pk: location for location in Location.objects.filter(pk__in=ids, rates__isnull=False).distinct()}
    previous: LegInput | None = None
    for number, leg in enumerate(legs, start=1):
        if leg.origin not in known or leg.destination not in known:
            _refuse(
                gettext("Leg %(number)d: the place is not in the DSA table; choose one of its locations.")
                % {"number": number},
                code="travel.unknown_location",
                field=field,
            )
        if leg.origin == leg.destination:
            _refuse(
                gettext("Leg %(number)d goes nowhere: its origin is its destination.") % {"number": number}, field=field
            )
        if timezone.is_naive(leg.departs_at) or timezone.is_naive(leg.arrives_at):
            raise ValueError("Leg times are aware datetimes.")
        if leg.arrives_at < leg.departs_at:
            _refuse(
                gettext("Leg %(number)d arrives before it departs.") % {"number": number},
                code="travel.arrival_before_departure",
                field=field,
            )
        if leg.mode not in TravelMode.values:
            _refuse(gettext("Leg %(number)d: unknown mode of travel.") % {"number": number}, field=field)
        if previous is not None and leg.departs_at < previous.arrives_at:
            _refuse(
                gettext("Leg %(number)d departs before leg %(previous)d arrives.")
                % {"number": number, "previous": number - 1},
                code="travel.legs_out_of_order",
                field=field,
            )
        previous = leg
    if (_local_day(legs[-1].arrives_at) - _local_day(legs[0].departs_at)).days > MAX_TRIP_DAYS:
        _refuse(gettext("A trip lasts at most a year; split a longer assignment."), field=field)
    return list(legs), known


def _charges_checked(charges: Sequence[ChargeInput]) -> list[ChargeInput]:
    if not charges:
        _refuse(gettext("Give at least one charge code."), field="charge_codes")
    if len(charges) > MAX_CHARGE_CODES:
        _refuse(gettext("At most %(count)d charge codes.") % {"count": MAX_CHARGE_CODES}, field="charge_codes")
    checked = []
    seen = set()
    for charge in charges:
        code = _text(
            charge.code, field="charge_codes", required=gettext("Give each charge code."), limit=60, one_line=True
        )
        percent = decimal_checked(charge.percent, field="charge_codes", code=CODE, allow_zero=False)
        if percent > HUNDRED:
            _refuse(gettext("A share is at most 100 %."), field="charge_codes")
        if code.upper() in seen:
            _refuse(gettext("Charge code %(code)s is given twice.") % {"code": code}, field="charge_codes")
        seen.add(code.upper())
        checked.append(ChargeInput(code=code, percent=percent))
    total = sum((charge.percent for charge in checked), Decimal("0"))
    if total != HUNDRED:
        _refuse(
            gettext("The charge codes' shares add up to %(total)s %%; they must add up to 100 %%.") % {"total": total},
            code="travel.charges_not_100",
            field="charge_codes",
        )
    return checked


def _provided_checked(provided: Sequence[ProvidedInput], first: date, last: date) -> list[ProvidedInput]:
    days = {}
    for day in provided:
        if not (day.accommodation or day.breakfast or day.lunch or day.dinner):
            continue
        if not first <= day.day <= last:
            _refuse(
                gettext("%(day)s is outside the trip; give days between departure and return.")
                % {"day": date_format(day.day)},
                field="provided",
            )
        days[day.day] = day
    return [days[day] for day in sorted(days)]


def _traveller_checked(agency: Agency, kind: str, traveller: User | None, name: str) -> tuple[User | None, str]:
    if kind == TravellerKind.STAFF:
        if (
            traveller is None
            or not Membership.objects.filter(user=traveller, agency=agency).exists()
            or not traveller.is_active
        ):
            _refuse(gettext("Choose the traveller among the agency's people."), field="traveller")
        return traveller, _person(traveller)
    if kind != TravellerKind.NON_STAFF:
        _refuse(gettext("Say who travels."), field="traveller_kind")
    name = _text(
        name, field="traveller_name", required=gettext("Give the traveller's name."), limit=limits.NAME, one_line=True
    )
    return None, name


def overlapping_trip(
    *, traveller: User | None, traveller_name: str, departs_on: date, returns_on: date, exclude: int | None = None
) -> TravelRequest | None:
    """A trip of the same traveller, not rejected or cancelled, whose dates overlap these (a trip may start the
    day another ends)."""
    trips = TravelRequest.objects.exclude(status__in=(TripStatus.REJECTED, TripStatus.CANCELLED))
    if traveller is not None:
        trips = trips.filter(traveller_id=traveller.pk)
    else:
        trips = trips.filter(traveller__isnull=True, traveller_name__iexact=traveller_name)
    if exclude is not None:
        trips = trips.exclude(pk=exclude)
    return trips.filter(departs_on__lt=returns_on, returns_on__gt=departs_on).first()


def policy_in_force() -> TravelPolicy:
    """The agency's travel policy (one row), created with the defaults the first time it is read."""
    found = TravelPolicy.objects.order_by("pk").first()
    return found if found is not None else TravelPolicy.objects.create()


def _percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _title(legs: Sequence[LegInput], places: dict[int, Location]) -> str:
    """What the facility reads on the ledger across agencies: the route, never the traveller or purpose."""
    stops = [places[legs[0].origin].name] + [places[leg.destination].name for leg in legs]
    return " → ".join(stops)


# -- the agency: submitting and deciding ---------------------------------------------------------


@dataclass(frozen=True)
class PersonalData:
    passport_number: str = ""
    passport_expires_on: date | None = None
    date_of_birth: date | None = None
    phone: str = ""
    contact_email: str = ""


@transaction.atomic
def trip_submit(
    *,
    agency: Agency,
    requester: User,
    traveller_kind: str,
    traveller: User | None = None,
    traveller_name: str = "",
    purpose: str,
    trip_type: str,
    legs: Sequence[LegInput],
    charges: Sequence[ChargeInput],
    provided: Sequence[ProvidedInput] = (),
    estimated_ticket_cost: Decimal | str = Decimal("0"),
    late_justification: str = "",
    personal: PersonalData | None = None,
    at: datetime | None = None,
) -> TravelRequest:
    """A travel authorization: checked against the travel policy, its DSA estimated, put on the ledger.

    Refused: an itinerary whose legs do not follow each other or use a place
    the DSA table does not know; charge codes not adding to 100 %; a trip that
    overlaps another of the same traveller. A departure less than 21 days ahead
    needs a justification, kept and flagged for the approver (UN travel policy:
    tickets are bought at least 21 days ahead).
    """
    _in_schema_of(agency)
    at = _now(at)
    purpose = _text(purpose, field="purpose", required=gettext("Say what the trip is for."), limit=limits.SHORT_TEXT)
    if trip_type not in TripType.values:
        _refuse(gettext("Choose the type of travel."), field="trip_type")
    traveller, traveller_name = _traveller_checked(agency, traveller_kind, traveller, traveller_name)
    legs, places = _legs_checked(legs)
    departs_on, returns_on = _local_day(legs[0].departs_at), _local_day(legs[-1].arrives_at)
    if departs_on < _local_day(at):
        _refuse(gettext("The first leg departs in the past."), code="travel.departure_past", field="legs")
    charges = _charges_checked(charges)
    provided = _provided_checked(provided, departs_on, returns_on)
    ticket_cost = _money(estimated_ticket_cost, field="estimated_ticket_cost")
    late = (departs_on - _local_day(at)).days < ADVANCE_BOOKING_DAYS
    late_justification = _text(late_justification, field="late_justification", required=None, limit=limits.SHORT_TEXT)
    if late and not late_justification:
        _refuse(
            gettext("The departure is less than %(days)d days away: say why the trip could not be planned earlier.")
            % {"days": ADVANCE_BOOKING_DAYS},
            code="travel.late_without_justification",
            field="late_justification",
        )
    clash = overlapping_trip(
        traveller=traveller, traveller_name=traveller_name, departs_on=departs_on, returns_on=returns_on
    )
    if clash is not None:
        _refuse(
            gettext("%(name)s already travels from %(start)s to %(end)s (%(reference)s); trips cannot overlap.")
            % {
                "name": traveller_name,
                "start": date_format(clash.departs_on),
                "end": date_format(clash.returns_on),
                "reference": clash.reference,
            },
            code="travel.overlapping_trip",
            field="legs",
            status=409,
        )
    personal = personal or PersonalData()
    figures = allowance_compute(legs=legs, provided=provided)
    policy = policy_in_force()
    trip = TravelRequest.objects.create(
        reference=f"pending-{timezone.now().timestamp()}",
        requester=requester,
        traveller_kind=traveller_kind,
        traveller=traveller,
        traveller_name=traveller_name,
        purpose=purpose,
        trip_type=trip_type,
        submitted_at=at,
        departs_on=departs_on,
        returns_on=returns_on,
        late_request=late,
        late_request_justification=late_justification if late else "",
        estimated_ticket_cost=ticket_cost,
        dsa_estimate=figures.dsa,
        terminal_estimate=figures.terminal,
        advance_percent=policy.advance_percent,
        advance_amount=_percent_of(figures.dsa, policy.advance_percent),
        passport_number=_text(
            personal.passport_number, field="passport_number", required=None, limit=30, one_line=True
        ),
        passport_expires_on=personal.passport_expires_on,
        date_of_birth=personal.date_of_birth,
        phone=_text(personal.phone, field="phone", required=None, limit=40, one_line=True),
        contact_email=_text(personal.contact_email, field="contact_email", required=None, limit=254, one_line=True),
    )
    trip.reference = f"{agency.code}-TA-{trip.pk:06d}"
    trip.save(update_fields=["reference"])
    _legs_save(trip, LegKind.PLANNED, legs)
    ChargeCode.objects.bulk_create(
        ChargeCode(travel_request=trip, code=charge.code, percent=charge.percent) for charge in charges
    )
    _provided_save(trip, LegKind.PLANNED, provided)
    entry = ledger.entry_open(
        agency=agency,
        service=Service.objects.get(code=TRAVEL_SERVICE),
        reference=trip.reference,
        title=_title(legs, places),
        requester=requester,
        opened_at=at,
        detail_id=trip.pk,
        actor=requester,
    )
    entry.step = STEP_AUTHORIZATION
    entry.save(update_fields=["step"])
    if traveller is not None and traveller.pk != requester.pk:
        ledger.entry_name_person(entry=entry, user=traveller, role=NamedRole.TRAVELLER)
    trip.entry = entry
    trip.save(update_fields=["entry"])
    _event(trip, TripEventKind.SUBMITTED, at, requester, "late" if late else "")
    _notify(trip, "submitted", actor=requester)
    return trip


def _legs_save(trip: TravelRequest, kind: str, legs: Sequence[LegInput]) -> None:
    Leg.objects.filter(travel_request=trip, kind=kind).delete()
    Leg.objects.bulk_create(
        Leg(
            travel_request=trip,
            kind=kind,
            position=number,
            origin_id=leg.origin,
            destination_id=leg.destination,
            departs_at=leg.departs_at,
            arrives_at=leg.arrives_at,
            mode=leg.mode,
        )
        for number, leg in enumerate(legs, start=1)
    )


def _provided_save(trip: TravelRequest, kind: str, provided: Sequence[ProvidedInput]) -> None:
    ProvidedDay.objects.filter(travel_request=trip, kind=kind).delete()
    ProvidedDay.objects.bulk_create(
        ProvidedDay(
            travel_request=trip,
            kind=kind,
            day=day.day,
            accommodation=day.accommodation,
            breakfast=day.breakfast,
            lunch=day.lunch,
            dinner=day.dinner,
        )
        for day in provided
    )


def self_approval_conflict(*, trip: TravelRequest, user: User) -> str:
    """Why this person may not decide this trip, or "" (never one's own trip, as traveller or requester)."""
    if trip.traveller_id == user.pk:
        return gettext("You travel on %(reference)s: another approver decides it.") % {"reference": trip.reference}
    if trip.requester_id == user.pk:
        return gettext("You asked for %(reference)s: another approver decides it.") % {"reference": trip.reference}
    return ""


def _approver_check(trip: TravelRequest, approver: User, agency: Agency) -> None:
    if not has_role(user=approver, agency=agency, roles={Role.APPROVER}):
        _refuse(
            gettext("Only an approver of %(agency)s may decide its travel requests.") % {"agency": agency.code},
            code="travel.approvers_only",
            status=403,
        )
    conflict = self_approval_conflict(trip=trip, user=approver)
    if conflict:
        _refuse(conflict, code="travel.own_trip", status=403)
    _status_check(trip, {TripStatus.SUBMITTED}, gettext("%(reference)s has already been decided."))


@transaction.atomic
def trip_approve(*, agency: Agency, trip: TravelRequest, approver: User, at: datetime | None = None) -> TravelRequest:
    """The agency's approver authorizes the trip: the advance falls due, the authorization clock stops and
    the ticketing clock starts; the facility's travel officers see it in their queue."""
    _in_schema_of(agency)
    at = _now(at)
    trip = _locked(trip)
    _approver_check(trip, approver, agency)
    entry = _entry(trip)
    ledger.clock_stop(entry=entry, metric=Metric.AUTHORIZATION, at=at, actor=approver)
    ledger.clock_start(entry=entry, metric=Metric.TICKETING, at=at, actor=approver)
    ledger.entry_step(entry=entry, step=STEP_TICKETING, at=at, actor=approver)
    trip.status = TripStatus.APPROVED
    trip.approver = approver
    trip.decided_at = at
    trip.save(update_fields=["status", "approver", "decided_at"])
    _event(trip, TripEventKind.APPROVED, at, approver)
    _notify(trip, "approved", actor=approver)
    return trip


@transaction.atomic
def trip_reject(
    *, agency: Agency, trip: TravelRequest, approver: User, reason: str, at: datetime | None = None
) -> TravelRequest:
    """The approver refuses the trip, saying why; it leaves the ledger unbilled."""
    _in_schema_of(agency)
    at = _now(at)
    reason = _text(reason, field="reason", required=gettext("Say why it is rejected."), limit=limits.SHORT_TEXT)
    trip = _locked(trip)
    _approver_check(trip, approver, agency)
    ledger.entry_cancel(entry=_entry(trip), at=at, actor=approver, reason=reason)
    trip.status = TripStatus.REJECTED
    trip.approver = approver
    trip.decided_at = at
    trip.decision_reason = reason
    trip.closed_at = at
    trip.save(update_fields=["status", "approver", "decided_at", "decision_reason", "closed_at"])
    _event(trip, TripEventKind.REJECTED, at, approver, reason)
    _notify(trip, "rejected", actor=approver, detail=reason)
    return trip


def may_cancel(*, trip: TravelRequest, user: User, agency: Agency) -> bool:
    return trip.status in (TripStatus.SUBMITTED, TripStatus.APPROVED, TripStatus.TICKETED) and (
        user.pk in (trip.requester_id, trip.traveller_id) or has_role(user=user, agency=agency, roles={Role.APPROVER})
    )


@transaction.atomic
def trip_cancel(
    *, agency: Agency, trip: TravelRequest, by: User, reason: str, at: datetime | None = None
) -> TravelRequest:
    """The requester, the traveller or an approver calls the trip off before the claim; nothing is billed.
    An advance already paid is then recovered in full (the cancellation page says so before it is done)."""
    _in_schema_of(agency)
    at = _now(at)
    reason = _text(reason, field="reason", required=gettext("Say why the trip is cancelled."), limit=limits.SHORT_TEXT)
    trip = _locked(trip)
    if not may_cancel(trip=trip, user=by, agency=agency):
        if trip.status in (TripStatus.SUBMITTED, TripStatus.APPROVED, TripStatus.TICKETED):
            _refuse(
                gettext("Only the requester, the traveller or an approver may cancel a trip."),
                code="travel.forbidden",
                status=403,
            )
        _status_check(trip, (), gettext("%(reference)s can no longer be cancelled."))
    entry = _entry(trip)
    if entry.status in (EntryStatus.NEW, EntryStatus.OPEN, EntryStatus.PENDING):
        ledger.entry_cancel(entry=entry, at=at, actor=by, reason=reason)
    trip.status = TripStatus.CANCELLED
    trip.closed_at = at
    trip.save(update_fields=["status", "closed_at"])
    _event(trip, TripEventKind.CANCELLED, at, by, reason)
    _notify(trip, "cancelled", actor=by, detail=reason)
    return trip


@transaction.atomic
def policy_update(*, agency: Agency, advance_percent: Any, by: User) -> TravelPolicy:
    """The agency sets the share of the DSA estimate it advances on approval (default 80 %); it applies to
    trips submitted from then on."""
    _in_schema_of(agency)
    if not has_role(user=by, agency=agency, roles={Role.AGENCY_FINANCE, Role.APPROVER}):
        _refuse(
            gettext("Only the agency's finance officers and approvers set its travel policy."),
            code="travel.forbidden",
            status=403,
        )
    percent = decimal_checked(advance_percent, field="advance_percent", code=CODE)
    if percent > HUNDRED:
        _refuse(gettext("A share is at most 100 %."), field="advance_percent")
    policy = policy_in_force()
    policy.advance_percent = percent
    policy.save(update_fields=["advance_percent", "updated_at"])
    return policy


# -- the facility: clearance, fares, ticket ------------------------------------------------------


def destinations(trip: TravelRequest) -> list[int]:
    """The places the trip goes to (every leg's destination but the duty station), in order, once each."""
    legs = list(trip.legs.filter(kind=LegKind.PLANNED).order_by("position"))
    if not legs:
        return []
    home = legs[0].origin_id
    found: list[int] = []
    for leg in legs:
        if leg.destination_id != home and leg.destination_id not in found:
            found.append(leg.destination_id)
    return found


def _take(trip: TravelRequest, officer: User, at: datetime) -> None:
    """The first travel officer to act on an approved trip takes it."""
    entry = _entry(trip)
    if entry.assignee_id is None:
        ledger.entry_assign(entry=entry, assignee=officer, at=at, actor=officer)


@transaction.atomic
def clearance_record(
    *,
    trip: TravelRequest,
    location_id: int,
    reference: str,
    granted_on: date,
    by: User,
    at: datetime | None = None,
) -> Clearance:
    """The UNDSS security clearance (TRIP) for one destination: recorded before any ticket is issued.
    Recording it again for the same destination replaces the reference (a renewed clearance)."""
    at = _now(at)
    _officer_check(by)
    trip = _locked(trip)
    _status_check(trip, {TripStatus.APPROVED}, gettext("%(reference)s is not waiting for its ticket."))
    if location_id not in destinations(trip):
        _refuse(gettext("Choose one of the trip's destinations."), code="travel.not_a_destination", field="location")
    reference = _text(
        reference, field="reference", required=gettext("Give the clearance reference."), limit=60, one_line=True
    )
    if not isinstance(granted_on, date) or granted_on > _local_day(at):
        _refuse(gettext("A clearance is recorded once granted, not for a later date."), field="granted_on")
    clearance, _created = Clearance.objects.update_or_create(
        travel_request=trip,
        location_id=location_id,
        defaults={"reference": reference, "granted_on": granted_on, "recorded_by": by, "recorded_at": at},
    )
    _take(trip, by, at)
    place = Location.objects.filter(pk=location_id).first()
    _event(trip, TripEventKind.CLEARANCE, at, by, f"{place}: {reference}")
    return clearance


def clearances_missing(trip: TravelRequest) -> list[Location]:
    cleared = set(trip.clearances.values_list("location_id", flat=True))
    missing = [place for place in destinations(trip) if place not in cleared]
    by_id = Location.objects.in_bulk(missing)
    return [by_id[place] for place in missing if place in by_id]


@dataclass(frozen=True)
class FareInput:
    airline: str
    travel_class: str
    fare: Decimal | str
    routing: str = ""


@transaction.atomic
def fare_options_record(
    *, trip: TravelRequest, options: Sequence[FareInput], by: User, at: datetime | None = None
) -> list[FareOption]:
    """Up to three fares for the trip, replacing any recorded before; the most economical is the default."""
    at = _now(at)
    _officer_check(by)
    trip = _locked(trip)
    _status_check(trip, {TripStatus.APPROVED}, gettext("%(reference)s is not waiting for its ticket."))
    if not options:
        _refuse(gettext("Give at least one fare."), field="options")
    if len(options) > MAX_FARE_OPTIONS:
        _refuse(gettext("At most %(count)d fares.") % {"count": MAX_FARE_OPTIONS}, field="options")
    rows = []
    for position, option in enumerate(options, start=1):
        rows.append(
            FareOption(
                travel_request=trip,
                position=position,
                airline=_text(
                    option.airline,
                    field="options",
                    required=gettext("Give each fare's carrier."),
                    limit=100,
                    one_line=True,
                ),
                travel_class=_text(
                    option.travel_class,
                    field="options",
                    required=gettext("Give each fare's class."),
                    limit=40,
                    one_line=True,
                ),
                routing=_text(option.routing, field="options", required=None, limit=limits.NAME, one_line=True),
                fare=decimal_checked(option.fare, field="options", code=CODE, allow_zero=False),
                recorded_by=by,
                recorded_at=at,
            )
        )
    trip.fare_options.all().delete()
    created = FareOption.objects.bulk_create(rows)
    _take(trip, by, at)
    _event(trip, TripEventKind.FARES, at, by, ", ".join(f"{row.airline} {row.fare}" for row in rows))
    return created


def issued_late(trip: TravelRequest, at: datetime) -> bool:
    return (trip.departs_on - _local_day(at)).days < ADVANCE_BOOKING_DAYS


@transaction.atomic
def ticket_issue(
    *,
    trip: TravelRequest,
    option_position: int,
    booking_reference: str,
    by: User,
    choice_justification: str = "",
    late_justification: str = "",
    at: datetime | None = None,
) -> Ticket:
    """The travel officer issues the ticket (UN travel policy):

    - refused until every destination has its security clearance;
    - the most economical fare recorded, or another with a justification;
    - less than 21 days before departure only with a justification, and flagged.
    The ticketing clock stops; the trip waits on the traveller until the claim.
    """
    at = _now(at)
    _officer_check(by)
    trip = _locked(trip)
    _status_check(trip, {TripStatus.APPROVED}, gettext("%(reference)s is not waiting for its ticket."))
    missing = clearances_missing(trip)
    if missing:
        _refuse(
            gettext("No ticket before the security clearance: record it for %(places)s first.")
            % {"places": ", ".join(str(place) for place in missing)},
            code="travel.clearance_missing",
            status=409,
        )
    options = list(trip.fare_options.order_by("position"))
    chosen = next((option for option in options if option.position == option_position), None)
    if chosen is None:
        _refuse(gettext("Choose one of the fares recorded."), code="travel.no_such_fare", field="option")
    booking_reference = _text(
        booking_reference,
        field="booking_reference",
        required=gettext("Give the booking reference."),
        limit=30,
        one_line=True,
    )
    choice_justification = _text(
        choice_justification, field="choice_justification", required=None, limit=limits.SHORT_TEXT
    )
    cheapest = min(option.fare for option in options)
    if chosen.fare > cheapest and not choice_justification:
        _refuse(
            gettext("This is not the most economical fare (%(cheapest)s): say why it is chosen.")
            % {"cheapest": cheapest},
            code="travel.not_most_economical",
            field="choice_justification",
        )
    late = issued_late(trip, at)
    late_justification = _text(late_justification, field="late_justification", required=None, limit=limits.SHORT_TEXT)
    if late and not late_justification:
        _refuse(
            gettext("The departure is less than %(days)d days away: say why the ticket is issued this late.")
            % {"days": ADVANCE_BOOKING_DAYS},
            code="travel.late_without_justification",
            field="late_justification",
        )
    ticket = Ticket.objects.create(
        travel_request=trip,
        option=chosen,
        airline=chosen.airline,
        travel_class=chosen.travel_class,
        fare=chosen.fare,
        booking_reference=booking_reference,
        choice_justification=choice_justification if chosen.fare > cheapest else "",
        late=late,
        late_justification=late_justification if late else "",
        issued_by=by,
        issued_at=at,
    )
    _take(trip, by, at)
    entry = _entry(trip)
    ledger.clock_stop(entry=entry, metric=Metric.TICKETING, at=at, actor=by)
    ledger.entry_step(entry=entry, step=STEP_TRAVELLING, at=at, actor=by)
    ledger.entry_pause(entry=entry, waiting_on=Holder.REQUESTER, at=at, actor=by, reason="travelling")
    trip.status = TripStatus.TICKETED
    trip.save(update_fields=["status"])
    _event(trip, TripEventKind.TICKETED, at, by, f"{ticket.airline} {booking_reference}" + (" (late)" if late else ""))
    _notify(trip, "ticketed", actor=by)
    return ticket


# -- after the journey: claim and settlement -----------------------------------------------------


def may_claim(*, trip: TravelRequest, user: User) -> bool:
    """The traveller claims; for someone outside the agency, the person who asked for the trip does."""
    if trip.status != TripStatus.TICKETED:
        return False
    return user.pk == (trip.traveller_id or trip.requester_id)


@transaction.atomic
def claim_submit(
    *,
    trip: TravelRequest,
    by: User,
    legs: Sequence[LegInput],
    provided: Sequence[ProvidedInput] = (),
    expenses: Sequence[ExpenseInput] = (),
    at: datetime | None = None,
) -> Claim:
    """The traveller's claim after the journey: the itinerary as travelled (which may differ from the plan),
    the days the host provided, and other expenses with their receipts. The DSA is computed again on the
    actual itinerary; the settlement is the claim minus the advance (F.10 practice)."""
    at = _now(at)
    trip = _locked(trip)
    if trip.status == TripStatus.TICKETED and not may_claim(trip=trip, user=by):
        _refuse(gettext("Only the traveller claims for a trip."), code="travel.forbidden", status=403)
    _status_check(trip, {TripStatus.TICKETED}, gettext("%(reference)s is not waiting for a claim."))
    legs, _places = _legs_checked(legs)
    if legs[-1].arrives_at > at:
        _refuse(
            gettext("Claim once the journey is over: the last leg arrives later."),
            code="travel.claim_early",
            field="legs",
        )
    first, last = _local_day(legs[0].departs_at), _local_day(legs[-1].arrives_at)
    provided = _provided_checked(provided, first, last)
    if len(expenses) > MAX_EXPENSES:
        _refuse(gettext("At most %(count)d expenses.") % {"count": MAX_EXPENSES}, field="expenses")
    checked_expenses = []
    for expense in expenses:
        description = _text(
            expense.description,
            field="expenses",
            required=gettext("Describe each expense."),
            limit=limits.NAME,
            one_line=True,
        )
        amount = decimal_checked(expense.amount, field="expenses", code=CODE, allow_zero=False)
        receipt = upload_check(expense.receipt, code_prefix="travel", field="expenses") if expense.receipt else None
        checked_expenses.append((description, amount, expense.receipt, receipt))
    figures = allowance_compute(legs=legs, provided=provided)
    other = sum((amount for _d, amount, _f, _c in checked_expenses), Decimal("0.00"))
    total = figures.dsa + figures.terminal + other
    claim = Claim.objects.create(
        travel_request=trip,
        submitted_by=by,
        submitted_at=at,
        dsa_amount=figures.dsa,
        terminal_amount=figures.terminal,
        other_amount=other,
        total=total,
        advance_amount=trip.advance_amount,
        settlement_amount=total - trip.advance_amount,
    )
    for description, amount, upload, receipt in checked_expenses:
        expense_row = Expense(claim=claim, description=description, amount=amount)
        if upload is not None and receipt is not None:
            expense_row.receipt_name, expense_row.receipt_type, expense_row.receipt_size = (
                receipt.name,
                receipt.content_type,
                upload.size or 0,
            )
            expense_row.receipt.save(
                agency_file_path(module="travel", folder=trip.reference, name=receipt.name), upload, save=False
            )
        expense_row.save()
    _legs_save(trip, LegKind.ACTUAL, legs)
    _provided_save(trip, LegKind.ACTUAL, provided)
    entry = _entry(trip)
    if entry.status == EntryStatus.PENDING:
        ledger.entry_resume(entry=entry, at=at, actor=by)
    ledger.clock_start(entry=entry, metric=Metric.CLAIM, at=at, actor=by)
    ledger.entry_step(entry=entry, step=STEP_CLAIM, at=at, actor=by)
    trip.status = TripStatus.CLAIMED
    trip.save(update_fields=["status"])
    _event(trip, TripEventKind.CLAIMED, at, by, str(total))
    _notify(trip, "claimed", actor=by)
    return claim


@transaction.atomic
def claim_settle(*, trip: TravelRequest, by: User, at: datetime | None = None) -> Claim:
    """A travel officer settles the claim: the amount owed to the traveller (or to recover) is final, the
    service is delivered and billed once as one travel request, and the trip closes."""
    at = _now(at)
    _officer_check(by)
    trip = _locked(trip)
    _status_check(trip, {TripStatus.CLAIMED}, gettext("%(reference)s has no claim waiting for settlement."))
    claim = Claim.objects.select_for_update().get(travel_request=trip)
    claim.settled_by, claim.settled_at = by, at
    claim.save(update_fields=["settled_by", "settled_at"])
    entry = _entry(trip)
    ledger.clock_stop(entry=entry, metric=Metric.CLAIM, at=at, actor=by)
    ledger.entry_step(entry=entry, step=STEP_SETTLED, at=at, actor=by)
    ledger.entry_resolve(entry=entry, at=at, actor=by)
    ledger.entry_billable_record(entry=entry, units=Decimal("1"), at=at, actor=by)
    ledger.entry_close(entry=entry, at=at, actor=by)
    trip.status = TripStatus.SETTLED
    trip.closed_at = at
    trip.save(update_fields=["status", "closed_at"])
    _event(trip, TripEventKind.SETTLED, at, by, str(claim.settlement_amount))
    _notify(trip, "settled", actor=by)
    return claim


def receipt_read(*, expense: Expense) -> Expense:
    """An expense whose receipt is stored (the caller checked the person may see the trip)."""
    if not expense.receipt:
        _refuse(gettext("This expense has no receipt."), code="travel.no_receipt", status=404)
    return expense


# -- personal data -------------------------------------------------------------------------------


PERSONAL_FIELDS = ("passport_number", "passport_expires_on", "date_of_birth", "phone", "contact_email")


@transaction.atomic
def personal_data_remove(*, closed_before: datetime, at: datetime | None = None) -> int:
    """Blank the passport, birth date and contacts of trips closed before `closed_before` (data
    minimisation): the trip, its amounts and its history stay for audit. Returns how many trips."""
    at = _now(at)
    trips = list(
        TravelRequest.objects.select_for_update()
        .filter(closed_at__lt=closed_before, personal_data_removed_at__isnull=True)
        .only("pk")
    )
    if not trips:
        return 0
    TravelRequest.objects.filter(pk__in=[trip.pk for trip in trips]).update(
        passport_number="",
        passport_expires_on=None,
        date_of_birth=None,
        phone="",
        contact_email="",
        personal_data_removed_at=at,
    )
    TripEvent.objects.bulk_create(
        TripEvent(travel_request_id=trip.pk, kind=TripEventKind.PERSONAL_DATA_REMOVED, at=at) for trip in trips
    )
    return len(trips)


def retention_cutoff(*, days: int, now: datetime | None = None) -> datetime:
    return _now(now) - timedelta(days=days)
