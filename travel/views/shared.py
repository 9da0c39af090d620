"""What the agency's and the facility's trip pages share: the trip's figures and sections, rows to inputs,
and a refusal placed on the field or row it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from accounts.models import User
from allowances.models import Location
from ledger.models import LedgerEntry
from ledger.selectors import entry_clocks
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from .. import selectors, services
from ..models import LegKind, TravelRequest, TripEvent


def leg_inputs(rows: list[dict[str, Any]]) -> list[services.LegInput]:
    return [
        services.LegInput(
            origin=row["origin"].pk,
            destination=row["destination"].pk,
            departs_at=row["departs_at"],
            arrives_at=row["arrives_at"],
            mode=row["mode"],
        )
        for row in rows
    ]


def provided_inputs(rows: list[dict[str, Any]]) -> list[services.ProvidedInput]:
    return [
        services.ProvidedInput(
            day=row["day"],
            accommodation=row["accommodation"],
            breakfast=row["breakfast"],
            lunch=row["lunch"],
            dinner=row["dinner"],
        )
        for row in rows
    ]


def refusal_place(error: ApplicationError, *, form: forms.Form, rows: dict[str, Any]) -> None:
    """A refusal on what it names: a form's field, else a row set's own errors, else the form's top."""
    placed = False
    for name, texts in (error.fields or {}).items():
        if name in form.fields:
            for text in texts:
                form.add_error(name, text)
            placed = True
        elif name in rows:
            rows[name]._non_form_errors = rows[name].error_class([*rows[name].non_form_errors(), *texts])
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _places(trip: TravelRequest) -> dict[int, Location]:
    ids: set[int] = set()
    for leg in trip.legs.all():
        ids.update((leg.origin_id, leg.destination_id))
    ids.update(trip.clearances.values_list("location_id", flat=True))
    return Location.objects.in_bulk(ids)


def _figures(trip: TravelRequest, kind: str) -> tuple[Any, list[selectors.FigureLine], str]:
    """The computation of an itinerary and its lines, or the reason it cannot be computed today."""
    try:
        computation = selectors.trip_figures(trip=trip, kind=kind)
    except ApplicationError as error:
        return None, [], error.message
    if computation is None:
        return None, [], ""
    return computation, selectors.figure_lines(computation), ""


def trip_context(trip: TravelRequest, *, viewer: User, agency: Agency | None) -> dict[str, Any]:
    """Everything a trip's page shows; `agency` is the address's agency, None on the facility portal."""
    entry = (
        LedgerEntry.objects.select_related("service", "assignee").filter(pk=trip.entry_id).first()
        if trip.entry_id is not None
        else None
    )
    places = _places(trip)
    legs = list(trip.legs.order_by("kind", "position"))
    for leg in legs:
        leg.origin_place = places.get(leg.origin_id)  # type: ignore[attr-defined]
        leg.destination_place = places.get(leg.destination_id)  # type: ignore[attr-defined]
    clearances = list(trip.clearances.order_by("pk"))
    for clearance in clearances:
        clearance.place = places.get(clearance.location_id)  # type: ignore[attr-defined]
    planned, planned_lines, planned_problem = _figures(trip, LegKind.PLANNED)
    claim = getattr(trip, "claim", None)
    actual, actual_lines, actual_problem = _figures(trip, LegKind.ACTUAL) if claim is not None else (None, [], "")
    return {
        "trip": trip,
        "entry": entry,
        "clocks": entry_clocks(entry=entry) if entry is not None else [],
        "planned_legs": [leg for leg in legs if leg.kind == LegKind.PLANNED],
        "actual_legs": [leg for leg in legs if leg.kind == LegKind.ACTUAL],
        "charges": trip.charge_codes.all(),
        "provided_days": trip.provided_days.order_by("kind", "day"),
        "planned": planned,
        "planned_lines": planned_lines,
        "planned_problem": planned_problem,
        "actual": actual,
        "actual_lines": actual_lines,
        "actual_problem": actual_problem,
        "clearances": clearances,
        "missing_clearances": services.clearances_missing(trip) if trip.status == "approved" else [],
        "fares": list(trip.fare_options.order_by("position")),
        "ticket": getattr(trip, "ticket", None),
        "claim": claim,
        "expenses": claim.expenses.all() if claim is not None else [],
        "show_personal": selectors.sees_personal_data(trip=trip, user=viewer, agency=agency),
        "history": TripEvent.objects.filter(travel_request=trip).order_by("at", "pk"),
        "event_labels": _event_labels(),
    }


def _event_labels() -> dict[str, str]:
    from ..models import TripEventKind

    return {kind.value: str(kind.label) for kind in TripEventKind}


__all__ = ["_", "leg_inputs", "provided_inputs", "refusal_place", "trip_context"]
