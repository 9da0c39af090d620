"""Travel's printed records as PDF (WeasyPrint), in the look of billing's invoices and procurement's records.

- The travel authorization: who travels, why, where and when, charged to
  what, and what the trip is estimated to cost, the DSA explained line by line
  (`selectors.figure_lines` of the planned itinerary); then who approved it,
  the security clearances and the ticket once they exist.
- The settlement statement, once the traveller has claimed: the itinerary as
  travelled, its DSA explained line by line, the other expenses, the claim
  minus the advance, and what is owed either way in a sentence a finance
  officer reads (PRODUCT.md, "Travel": settlement = claim - advance).

Both are the agency's documents, filed by its finance office: they are written
in the agency's language (`Agency.language`), money and dates as that language
writes them, as billing's invoices are. Times are the facility's (its time
zone, `settings.TIME_ZONE`), which is where the trip is booked and settled.

The trip's personal data (passport, date of birth, contacts) is never printed:
the templates receive the trip as a plain dict built here, without those
fields, so no template can print them by mistake.

The amounts printed are the ones stored when the trip was submitted or
claimed; the lines explaining them are computed again from the DSA table, and
a note says so when the table has changed since (the lines then no longer add
up to the stored figure).

Every function runs in the trip's agency schema; the agency, its billing
address and the facility's legal name and address are read from the public
schema.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils.translation import gettext

from accounts.models import User
from allowances.models import Location
from billing.pdf import PAGE_COUNTERS, html_to_pdf
from billing.selectors import agency_billing_profile, billing_settings
from shared_platform.errors import ApplicationError
from shared_platform.language import in_language_of
from shared_platform.templatetags.platform import money
from tenants.models import Agency

from . import dsa
from .models import Claim, Clearance, LegKind, ProvidedDay, Ticket, TravelRequest, TripEventKind, TripStatus
from .selectors import FigureLine, figure_lines, trip_figures

ZERO = Decimal("0.00")


def _schema_check(agency: Agency) -> None:
    """A trip is read in its agency's schema: printing one from another schema would read another's rows."""
    if connection.schema_name != agency.schema_name:  # type: ignore[attr-defined]
        raise RuntimeError(f"Travel PDFs are rendered in the agency's schema ({agency.schema_name}).")


def _agency_details(agency: Agency) -> dict[str, Any]:
    profile = agency_billing_profile(agency=agency)
    address, reference = (profile.billing_address, profile.reference) if profile else ("", "")
    return {
        "code": agency.code,
        "name": agency.name,
        "address_lines": [line.strip() for line in address.splitlines() if line.strip()],
        "reference": reference,
    }


def _context(agency: Agency, **values: Any) -> dict[str, Any]:
    return {
        "agency": _agency_details(agency),
        "facility": billing_settings(),
        "facility_name": settings.FACILITY_NAME,
        "zone": settings.TIME_ZONE,
        **PAGE_COUNTERS,
        **values,
    }


def _people(*ids: int | None) -> dict[int, User]:
    return {user.pk: user for user in User.objects.filter(pk__in=[pk for pk in ids if pk is not None])}


def _printed_trip(trip: TravelRequest) -> dict[str, Any]:
    """What the documents may say about the trip: everything but its personal data (see the module's docstring)."""
    return {
        "reference": trip.reference,
        "traveller_name": trip.traveller_name,
        "traveller_kind": trip.get_traveller_kind_display(),
        "purpose": trip.purpose,
        "trip_type": trip.get_trip_type_display(),
        "status": trip.get_status_display(),
        "submitted_at": trip.submitted_at,
        "departs_on": trip.departs_on,
        "returns_on": trip.returns_on,
        "late_request": trip.late_request,
        "late_request_justification": trip.late_request_justification,
        "estimated_ticket_cost": trip.estimated_ticket_cost,
        "dsa_estimate": trip.dsa_estimate,
        "terminal_estimate": trip.terminal_estimate,
        "estimated_total": trip.estimated_ticket_cost + trip.dsa_estimate + trip.terminal_estimate,
        "advance_percent": trip.advance_percent,
        "advance_amount": trip.advance_amount,
        "advance_paid_at": trip.advance_paid_at,
        "decided_at": trip.decided_at,
        "decision_reason": trip.decision_reason,
        "rejected": trip.status == TripStatus.REJECTED,
        "approved": trip.approver_id is not None and trip.status != TripStatus.REJECTED,
    }


def _itinerary(trip: TravelRequest, kind: str) -> list[dict[str, Any]]:
    legs = list(trip.legs.filter(kind=kind).order_by("position"))
    places = Location.objects.in_bulk({leg.origin_id for leg in legs} | {leg.destination_id for leg in legs})
    return [
        {
            "position": leg.position,
            "origin": places.get(leg.origin_id, ""),
            "destination": places.get(leg.destination_id, ""),
            "departs_at": leg.departs_at,
            "arrives_at": leg.arrives_at,
            "mode": leg.get_mode_display(),
        }
        for leg in legs
    ]


def _what_was_provided(day: ProvidedDay) -> str:
    provided = [
        (day.accommodation, gettext("accommodation")),
        (day.breakfast, gettext("breakfast")),
        (day.lunch, gettext("lunch")),
        (day.dinner, gettext("dinner")),
    ]
    return ", ".join(label for given, label in provided if given)


def _provided_days(trip: TravelRequest, kind: str) -> list[dict[str, Any]]:
    return [
        {"day": day.day, "provided": _what_was_provided(day)}
        for day in trip.provided_days.filter(kind=kind).order_by("day")
    ]


def _figures(trip: TravelRequest, kind: str) -> tuple[dsa.Computation | None, list[FigureLine]]:
    computation = trip_figures(trip=trip, kind=kind)
    return computation, figure_lines(computation) if computation is not None else []


def _table_changed(computation: dsa.Computation | None, dsa_amount: Decimal, terminal_amount: Decimal) -> bool:
    """The lines computed today do not give the figures stored: the DSA table or the rules changed since."""
    if computation is None:
        return False
    return computation.dsa != dsa_amount or computation.terminal != terminal_amount


def _clearances(trip: TravelRequest) -> list[dict[str, Any]]:
    clearances: list[Clearance] = list(trip.clearances.order_by("granted_on", "pk"))
    places = Location.objects.in_bulk({clearance.location_id for clearance in clearances})
    return [
        {
            "destination": places.get(clearance.location_id, ""),
            "reference": clearance.reference,
            "granted_on": clearance.granted_on,
        }
        for clearance in clearances
    ]


def settlement_sentence(amount: Decimal) -> str:
    """The settlement as a finance officer reads it: who pays whom, and how much (claim minus advance)."""
    if amount > 0:
        return gettext("Amount owed to the traveller: USD %(amount)s") % {"amount": money(amount)}
    if amount < 0:
        return gettext("Amount to be recovered from the traveller: USD %(amount)s") % {"amount": money(-amount)}
    return gettext("Nothing owed either way: the claim equals the advance.")


# -- the travel authorization -------------------------------------------------------------------


def authorization_html(*, trip: TravelRequest, agency: Agency) -> str:
    _schema_check(agency)
    # As stored: the caller's copy may predate the last step.
    trip = TravelRequest.objects.get(pk=trip.pk)
    ticket = Ticket.objects.filter(travel_request=trip).first()
    cancellation = (
        trip.events.filter(kind=TripEventKind.CANCELLED).order_by("-at").first()
        if trip.status == TripStatus.CANCELLED
        else None
    )
    people = _people(
        trip.approver_id,
        trip.requester_id,
        ticket.issued_by_id if ticket else None,
        cancellation.actor_id if cancellation else None,
    )
    with in_language_of(agency):
        # Built in the agency's language: the figure lines and the provided days are sentences.
        computation, lines = _figures(trip, LegKind.PLANNED)
        context = _context(
            agency,
            trip=_printed_trip(trip),
            requester=people.get(trip.requester_id),
            approver=people.get(trip.approver_id) if trip.approver_id else None,
            legs=_itinerary(trip, LegKind.PLANNED),
            charges=list(trip.charge_codes.order_by("pk")),
            provided=_provided_days(trip, LegKind.PLANNED),
            lines=lines,
            table_changed=_table_changed(computation, trip.dsa_estimate, trip.terminal_estimate),
            clearances=_clearances(trip),
            ticket=ticket,
            ticket_issued_by=people.get(ticket.issued_by_id) if ticket else None,
            cancellation={
                "at": cancellation.at,
                "actor": people.get(cancellation.actor_id) if cancellation.actor_id else None,
                "detail": cancellation.detail,
            }
            if cancellation
            else None,
        )
        return render_to_string("travel/pdf/authorization.html", context)


def authorization_pdf(*, trip: TravelRequest, agency: Agency) -> bytes:
    """The travel authorization in the agency's language: the trip, its itinerary and charge codes, the
    estimate with the DSA explained line by line, the advance, the approval, clearances and ticket."""
    return html_to_pdf(authorization_html(trip=trip, agency=agency))


# -- the settlement statement -------------------------------------------------------------------


def _claim(trip: TravelRequest) -> Claim:
    claim = Claim.objects.filter(travel_request=trip).first()
    if claim is None:
        raise ApplicationError(
            gettext("%(reference)s has no claim yet: the settlement statement follows the claim.")
            % {"reference": trip.reference},
            code="travel.no_claim",
            status_code=404,
        )
    return claim


def settlement_html(*, trip: TravelRequest, agency: Agency) -> str:
    _schema_check(agency)
    trip = TravelRequest.objects.get(pk=trip.pk)
    claim = _claim(trip)
    people = _people(claim.submitted_by_id, claim.settled_by_id)
    with in_language_of(agency):
        computation, lines = _figures(trip, LegKind.ACTUAL)
        context = _context(
            agency,
            trip=_printed_trip(trip),
            claim=claim,
            submitted_by=people.get(claim.submitted_by_id),
            settled_by=people.get(claim.settled_by_id) if claim.settled_by_id else None,
            legs=_itinerary(trip, LegKind.ACTUAL),
            provided=_provided_days(trip, LegKind.ACTUAL),
            lines=lines,
            table_changed=_table_changed(computation, claim.dsa_amount, claim.terminal_amount),
            expenses=list(claim.expenses.order_by("pk")),
            settlement=settlement_sentence(claim.settlement_amount),
        )
        return render_to_string("travel/pdf/settlement.html", context)


def settlement_pdf(*, trip: TravelRequest, agency: Agency) -> bytes:
    """The settlement statement in the agency's language: the claim on the itinerary as travelled, minus
    the advance, and what is owed either way. Refused (404, `travel.no_claim`) before the traveller claims."""
    return html_to_pdf(settlement_html(trip=trip, agency=agency))
