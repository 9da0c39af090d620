"""Reads of the DSA table and the allowance rules, in the shape `travel.dsa` computes with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from travel.dsa import Rate, RateBook, Rules

from .models import AllowanceSettings, DsaRate, Location


def allowance_settings() -> AllowanceSettings:
    """The facility's one row of allowance rules, created with the defaults the first time it is read."""
    found = AllowanceSettings.objects.order_by("pk").first()
    return found if found is not None else AllowanceSettings.objects.create()


def rules() -> Rules:
    found = allowance_settings()
    return Rules(
        breakfast_percent=found.breakfast_percent,
        lunch_percent=found.lunch_percent,
        dinner_percent=found.dinner_percent,
        terminal_amount=found.terminal_amount,
        long_stay_nights=found.long_stay_nights,
    )


def rate_book(*, locations: Iterable[int], until: date | None = None) -> RateBook:
    """Every rate of these locations (in force up to `until`, when given), oldest first: one query."""
    rows = DsaRate.objects.filter(location_id__in=set(locations))
    if until is not None:
        rows = rows.filter(effective_from__lte=until)
    found: dict[int, list[Rate]] = defaultdict(list)
    for location_id, effective_from, rate, room_percent, reduced_rate in rows.order_by(
        "location_id", "effective_from"
    ).values_list("location_id", "effective_from", "rate", "room_percent", "reduced_rate"):
        found[location_id].append(Rate(effective_from, rate, room_percent, reduced_rate))
    return RateBook(dict(found))


def locations() -> QuerySet[Location]:
    """The locations the table has rates for, by country and name (what an itinerary is written in)."""
    return Location.objects.filter(rates__isnull=False).distinct().order_by("country_name", "name")


def rates_in_force(*, on: date) -> QuerySet[DsaRate]:
    """Each location's row in force on a date (the latest on or before it)."""
    return (
        DsaRate.objects.filter(effective_from__lte=on)
        .order_by("location_id", "-effective_from")
        .distinct("location_id")
        .select_related("location")
    )
