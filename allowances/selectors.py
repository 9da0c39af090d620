"""Reads of the DSA table and the allowance rules, in the shape `travel.dsa` computes with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts.models import Role
from accounts.selectors import facility_roles
from tenants.models import Agency
from travel.dsa import Rate, RateBook, Rules

from .models import AllowanceSettings, DsaRate, Location, RateImport, RefusedRow

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# The facility's travel officers keep the table and the rules with the facility manager; every other
# member of the facility's staff (and a platform administrator) reads them. An agency's address has none.
RATE_KEEPER_ROLES = frozenset({Role.TRAVEL_AGENT, Role.FACILITY_MANAGER})


def may_keep_rates_as(user: User | AnonymousUser) -> bool:
    """A travel officer or the facility manager: who imports the table and sets the rules, wherever called from."""
    return user.is_authenticated and user.is_active and bool(facility_roles(user) & RATE_KEEPER_ROLES)


def may_read_rates(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """On the facility portal: any member of the facility's staff, or a platform administrator."""
    if not agency.is_facility or not user.is_authenticated:
        return False
    return user.is_staff or bool(facility_roles(user))


def may_keep_rates(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """On the facility portal: travel officers and the facility manager."""
    return agency.is_facility and may_keep_rates_as(user)


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


def _search(rows: QuerySet[DsaRate], text: str) -> QuerySet[DsaRate]:
    text = " ".join(text.replace("\x00", "").split())[:100]
    if not text:
        return rows
    if len(text) == 2:  # a country code, or the start of a name: "BR", "Ma"
        matches = Q(location__country=text.upper()) | Q(location__name__unaccent__istartswith=text)
    else:
        matches = Q(location__country_name__unaccent__icontains=text) | Q(location__name__unaccent__icontains=text)
    return rows.filter(matches)


def rate_table(*, on: date, text: str = "") -> QuerySet[DsaRate]:
    """The rates in force on a day, searched by country (code or name) or location, in any order the caller sets.

    `rates_in_force` picks each location's row with DISTINCT ON, which fixes its
    order; the table a person sorts by any column reads those rows by their ids.
    """
    chosen = rates_in_force(on=on).order_by("location_id", "-effective_from").values("pk")
    rows = DsaRate.objects.filter(pk__in=chosen).select_related("location")
    return _search(rows, text).order_by("location__country_name", "location__name", "pk")


def location_get(*, pk: int) -> Location | None:
    return Location.objects.filter(pk=pk).first()


def location_rates(*, location: Location) -> QuerySet[DsaRate]:
    """Every rate a location has had, newest first, with the import that brought it."""
    return location.rates.select_related("rate_import").order_by("-effective_from")


def location_list(*, text: str = "") -> QuerySet[Location]:
    text = " ".join(text.replace("\x00", "").split())[:100]
    rows = Location.objects.all()
    if text:
        if len(text) == 2:  # a country code, or the start of a name
            matches = Q(country=text.upper()) | Q(name__unaccent__istartswith=text)
        else:
            matches = Q(country_name__unaccent__icontains=text) | Q(name__unaccent__icontains=text)
        rows = rows.filter(matches)
    return rows.order_by("country_name", "name", "pk")


def import_list() -> QuerySet[RateImport]:
    return RateImport.objects.select_related("imported_by").order_by("-imported_at", "-pk")


def import_get(*, pk: int) -> RateImport | None:
    return RateImport.objects.select_related("imported_by").filter(pk=pk).first()


def refused_rows(*, rate_import: RateImport) -> QuerySet[RefusedRow]:
    return rate_import.refused.order_by("line", "pk")


def latest_effective_date() -> date | None:
    """The newest day any rate takes effect: the day a table imported ahead of time comes into force."""
    found = DsaRate.objects.order_by("-effective_from").values_list("effective_from", flat=True).first()
    return found
