"""The only writers of the DSA rate table and the allowance rules (public schema).

Only the facility's travel officers and the facility manager write here
(`selectors.may_keep_rates_as`); anyone else is refused with
`allowances.not_allowed` (403), whoever calls. Every refusal is an
`ApplicationError` with a stable `allowances.*` code; pages show its message,
the API its one error shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from shared_platform.attachments import attachment_name
from shared_platform.errors import ApplicationError

from .models import AllowanceSettings, DsaRate, Location, RateImport, RefusedRow
from .rates_csv import RateFile, RateRow, rate_file_read
from .selectors import allowance_settings, may_keep_rates_as

FORBIDDEN = 403
# Rows written per INSERT: large enough to be few statements, small enough to keep each one's parameters modest.
BATCH_SIZE = 10_000
# Taken by every import, so two officers importing at once create each new location once.
IMPORT_LOCK = "allowances:dsa_table_import"
SETTINGS_FIELDS = ("breakfast_percent", "lunch_percent", "dinner_percent", "terminal_amount", "long_stay_nights")


def _keeper_check(by: User) -> None:
    if not may_keep_rates_as(by):
        raise ApplicationError(
            _("Only the facility's travel officers and manager change the DSA table and the allowance rules."),
            code="allowances.not_allowed",
            status_code=FORBIDDEN,
        )


def _locations_ensure(rows: list[RateRow]) -> dict[tuple[str, str], int]:
    """The id of each row's location, (country, name in any case) -> id, creating the new ones in one INSERT.

    A location is matched by its country and its name whatever the case
    ("MANAUS" is Manaus); the file's country name replaces a former one
    (the ICSC renames a country now and then).
    """
    wanted: dict[tuple[str, str], RateRow] = {}
    for row in rows:
        wanted.setdefault((row.country, row.location.casefold()), row)
    countries = {country for country, _name in wanted}
    found: dict[tuple[str, str], int] = {}
    known_names: dict[str, set[str]] = {}
    for pk, country, name, country_name in Location.objects.filter(country__in=countries).values_list(
        "pk", "country", "name", "country_name"
    ):
        found.setdefault((country, name.casefold()), pk)
        known_names.setdefault(country, set()).add(country_name)
    for country, name in {row.country: row.country_name for row in wanted.values()}.items():
        if known_names.get(country, {name}) != {name}:
            Location.objects.filter(country=country).exclude(country_name=name).update(country_name=name)
    new = [
        Location(country=row.country, country_name=row.country_name, name=row.location)
        for key, row in wanted.items()
        if key not in found
    ]
    for location in Location.objects.bulk_create(new, batch_size=BATCH_SIZE):
        found[(location.country, location.name.casefold())] = location.pk
    return found


# One statement per batch: the batch's columns as arrays, unnested into rows, written or corrected.
# Django's bulk_create(update_conflicts=True) writes the same SQL, but builds a model instance and a
# placeholder per value on the way: 20,000 rows took 1.2 s that way against 0.1 s so
# (benchmarks/dsa_import.py); the import's speed is a stated goal, so the statement is written here.
RATES_UPSERT = """
INSERT INTO {table} (location_id, effective_from, rate, room_percent, reduced_rate, rate_import_id)
SELECT location_id, effective_from, rate, room_percent, reduced_rate, %s
FROM unnest(%s::integer[], %s::date[], %s::numeric[], %s::numeric[], %s::numeric[])
    AS row (location_id, effective_from, rate, room_percent, reduced_rate)
ON CONFLICT (location_id, effective_from) DO UPDATE
SET rate = EXCLUDED.rate, room_percent = EXCLUDED.room_percent, reduced_rate = EXCLUDED.reduced_rate,
    rate_import_id = EXCLUDED.rate_import_id
"""


def _array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal of numbers or ISO dates (no quoting needed for either)."""
    return "{" + ",".join(map(str, values)) + "}"


def _rates_upsert(rows: list[RateRow], *, locations: dict[tuple[str, str], int], rate_import: RateImport) -> None:
    """Write the rows, a row for a (location, day) already in the table replacing its figures."""
    statement = RATES_UPSERT.format(table=connection.ops.quote_name(DsaRate._meta.db_table))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            cursor.execute(
                statement,
                [
                    rate_import.pk,
                    _array(locations[(row.country, row.location.casefold())] for row in batch),
                    _array(row.effective_from.isoformat() for row in batch),
                    _array(row.rate for row in batch),
                    _array(row.room_percent for row in batch),
                    _array(row.reduced_rate for row in batch),
                ],
            )


@transaction.atomic
def dsa_table_import(
    *, file: UploadedFile | IO[bytes] | bytes, file_name: str, by: User, at: datetime | None = None
) -> RateImport:
    """Import the ICSC DSA table from a CSV file, row by row, keeping every earlier rate.

    The file (columns of `rates_csv.COLUMNS`: country, country_name, location,
    effective_from, dsa, room_percent, dsa_after_60_days) is refused as a
    whole, and nothing is imported, when it cannot be read: not UTF-8, over
    10 MB or 100,000 rows, a required column missing. Otherwise each row stands
    alone: a row is refused, with its line and the reason in plain words, for
    an unknown country code, a date not written YYYY-MM-DD, a figure that is
    not a number or not above zero, a room share outside 0 to 100, a rate after
    60 days above the full rate, the same location and day as an earlier line,
    more cells than columns; the good rows are imported.

    A rate is in force from its day until the location's next one (ICSC DSA
    circulars), so a new table adds rows and never removes old ones: trips
    already computed keep the rates of their nights. A row for a location and
    day already in the table replaces its figures (an ICSC correction) and
    counts as imported. Locations are created as needed.

    Fast by design (20,000 rows in well under a second, benchmarks/dsa_import.py):
    the file is read and checked in Python, new locations are created in one
    INSERT, and the rates written by `INSERT ... SELECT FROM unnest(...) ON
    CONFLICT (location_id, effective_from) DO UPDATE` in batches of BATCH_SIZE.
    """
    _keeper_check(by)
    parsed: RateFile = rate_file_read(file)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [IMPORT_LOCK])
    rate_import = RateImport.objects.create(
        file_name=attachment_name(file_name.replace("\x00", "") or "dsa.csv"),
        imported_at=at or timezone.now(),
        imported_by=by,
        rows_read=parsed.rows_read,
        rows_imported=len(parsed.good),
        rows_refused=len(parsed.refused),
    )
    locations = _locations_ensure(parsed.good)
    _rates_upsert(parsed.good, locations=locations, rate_import=rate_import)
    RefusedRow.objects.bulk_create(
        [
            RefusedRow(rate_import=rate_import, line=refused.line, reason=refused.reason, content=refused.content)
            for refused in parsed.refused
        ],
        batch_size=BATCH_SIZE,
    )
    return rate_import


@transaction.atomic
def allowance_settings_update(
    *,
    by: User,
    breakfast_percent: Decimal | str,
    lunch_percent: Decimal | str,
    dinner_percent: Decimal | str,
    terminal_amount: Decimal | str,
    long_stay_nights: int | str,
) -> AllowanceSettings:
    """Set the facility's deductions for meals provided, the terminal expenses and the long-stay threshold.

    Each meal share is a percentage of the night's rate (0 to 100, defaults:
    breakfast 6, lunch 12, dinner 12, after ICSC practice) and the three
    together are at most 100; terminal expenses are a flat amount in US dollars
    per journey leg (0 or more); the reduced "after 60 days" rate applies after
    `long_stay_nights` consecutive nights at one location (1 to 366, default 60).
    The new values apply to DSA computed from now on.
    """
    _keeper_check(by)
    found = AllowanceSettings.objects.select_for_update().get(pk=allowance_settings().pk)
    values: dict[str, Any] = {
        "breakfast_percent": breakfast_percent,
        "lunch_percent": lunch_percent,
        "dinner_percent": dinner_percent,
        "terminal_amount": terminal_amount,
        "long_stay_nights": long_stay_nights,
    }
    for name, value in values.items():
        setattr(found, name, value)
    try:
        found.full_clean(exclude=["updated_by"])
    except ValidationError as error:
        fields = {name: [str(text) for text in texts] for name, texts in error.message_dict.items()}
        message = " ".join(text for texts in fields.values() for text in texts)
        raise ApplicationError(message, code="allowances.invalid_settings", fields=fields) from None
    meals = found.breakfast_percent + found.lunch_percent + found.dinner_percent
    if meals > 100:
        message = _(
            "Breakfast, lunch and dinner together cannot take more than the whole rate "
            "(they add up to %(total)s per cent)."
        ) % {"total": meals}
        raise ApplicationError(message, code="allowances.meal_shares_above_rate", fields={"dinner_percent": [message]})
    found.updated_by = by
    found.save(update_fields=[*SETTINGS_FIELDS, "updated_by", "updated_at"])
    return found
