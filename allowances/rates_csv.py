"""The ICSC DSA table as CSV: its columns, reading an uploaded file safely, and checking each row.

Columns (a header row names them, in any order; case, spaces and hyphens do not matter):

    country             ISO 3166 two-letter code (BR)
    country_name        as the ICSC writes it (Brazil)
    location            the place, or "Elsewhere" for the rest of the country
    effective_from      the day the rate is in force from, YYYY-MM-DD
    dsa                 the daily rate in US dollars, above zero
    room_percent        the share of the rate that is accommodation, 0 to 100
    dsa_after_60_days   the reduced rate after 60 consecutive nights, above zero, not above `dsa`

Other columns are left aside. A file is UTF-8 (with or without a byte-order
mark), separated by commas or semicolons, at most MAX_BYTES and MAX_ROWS rows;
anything else is refused as a whole with a message saying what to fix. Each row
is then checked on its own (`row_read`): a bad row is refused with its reasons
in plain words while the others are imported.

Reading is plain Python over the whole file before anything is written, so
20,000 rows are read in a fraction of a second (benchmarks/dsa_import.py).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter
from typing import IO, NamedTuple

from django.utils.translation import gettext as _

from shared_platform import limits
from shared_platform.errors import ApplicationError
from vendors.countries import COUNTRY_CODES

COLUMNS = ("country", "country_name", "location", "effective_from", "dsa", "room_percent", "dsa_after_60_days")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
# The model's columns: DSA figures up to 99,999,999.99, a share up to 100.00.
LARGEST_RATE = Decimal("99999999.99")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Nothing the platform records is older; a year 0026 or 2620 is a typo.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
COUNTRY_NAME_LENGTH = 100
LOCATION_LENGTH = 120


class RateRow(NamedTuple):
    """A row that passed every check, ready to be written."""

    line: int
    country: str
    country_name: str
    location: str
    effective_from: date
    rate: Decimal
    room_percent: Decimal
    reduced_rate: Decimal

    @property
    def key(self) -> tuple[str, str, date]:
        """What makes a row of the table: one rate per location and day (a location's name in any case)."""
        return (self.country, self.location.casefold(), self.effective_from)


@dataclass(frozen=True)
class RefusedLine:
    line: int
    reason: str
    content: str


@dataclass
class RateFile:
    rows_read: int
    good: list[RateRow]
    refused: list[RefusedLine]


def _refuse(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"file": [message]})


def column_name(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _bytes_of(file: IO[bytes] | bytes) -> bytes:
    if isinstance(file, bytes):
        return file
    if hasattr(file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    data = file.read(MAX_BYTES + 1)
    return data if isinstance(data, bytes) else str(data).encode()


def _text_of(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": MAX_BYTES // (1024 * 1024)},
            "allowances.csv_too_large",
        )
    if not data.strip():
        raise _refuse(_("The file is empty."), "allowances.csv_empty")
    not_utf8 = _("The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” and import it again.")
    if b"\x00" in data:
        raise _refuse(not_utf8, "allowances.csv_encoding")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(not_utf8, "allowances.csv_encoding") from None


# A table repeats its dates and figures on thousands of rows: each distinct cell of a file is parsed once (the
# functions are pure and return a value or the kind of problem, never a message, so caching is safe), and
# messages are written, in the reader's language, only for the rows refused.
EMPTY, NOT_A_NUMBER, NOT_POSITIVE, TOO_LARGE, TOO_PRECISE, OUT_OF_RANGE, NOT_ISO, NO_SUCH_DAY = range(8)


def _amount(value: str) -> Decimal | None:
    """A figure as a spreadsheet writes it: 300, 300.00, or 300,00 (a decimal comma); None if it is not one."""
    value = value.strip().replace(" ", "")
    if "," in value:
        if "." in value:
            return None
        value = value.replace(",", ".")
    if not value or value[0] not in "0123456789-+.":
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _too_precise(amount: Decimal) -> bool:
    exponent = amount.as_tuple().exponent
    return isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(CENT)


@lru_cache(maxsize=8192)
def _rate_parse(cell: str) -> Decimal | int:
    """A daily rate in US dollars, to the cent, or the kind of problem it has."""
    if not cell.strip():
        return EMPTY
    amount = _amount(cell)
    if amount is None:
        return NOT_A_NUMBER
    if amount <= 0:
        return NOT_POSITIVE
    if amount > LARGEST_RATE:
        return TOO_LARGE
    if _too_precise(amount):
        return TOO_PRECISE
    return amount.quantize(CENT)


@lru_cache(maxsize=1024)
def _share_parse(cell: str) -> Decimal | int:
    """A percentage from 0 to 100 (a trailing % allowed), to two decimals, or the kind of problem it has."""
    cell = cell.strip().removesuffix("%")
    if not cell.strip():
        return EMPTY
    share = _amount(cell)
    if share is None:
        return NOT_A_NUMBER
    if share < 0 or share > HUNDRED:
        return OUT_OF_RANGE
    if _too_precise(share):
        return TOO_PRECISE
    return share.quantize(CENT)


@lru_cache(maxsize=1024)
def _date_parse(cell: str) -> date | int:
    cell = cell.strip()
    if not cell:
        return EMPTY
    if not ISO_DATE.match(cell):
        return NOT_ISO
    try:
        day = date.fromisoformat(cell)
    except ValueError:
        return NO_SUCH_DAY
    return day if EARLIEST_YEAR <= day.year <= LATEST_YEAR else OUT_OF_RANGE


def _rate_reason(problem: int, cell: str, label: str) -> str:
    if problem == EMPTY:
        return _("%(label)s is empty.") % {"label": label}
    if problem == NOT_A_NUMBER:
        return _("%(label)s “%(value)s” is not a number.") % {"label": label, "value": cell.strip()[:30]}
    if problem == NOT_POSITIVE:
        return _("%(label)s must be above zero.") % {"label": label}
    if problem == TOO_LARGE:
        return _("%(label)s is larger than any daily rate.") % {"label": label}
    return _("%(label)s has more than 2 decimal places.") % {"label": label}


def _share_reason(problem: int, cell: str) -> str:
    if problem == EMPTY:
        return _("The room share is empty.")
    if problem == NOT_A_NUMBER:
        return _("The room share “%(value)s” is not a number.") % {"value": cell.strip()[:30]}
    if problem == OUT_OF_RANGE:
        return _("The room share must be between 0 and 100 (%(value)s).") % {"value": cell.strip()[:30]}
    return _("The room share has more than 2 decimal places.")


def _date_reason(problem: int, cell: str) -> str:
    cell = cell.strip()[:30]
    if problem == EMPTY:
        return _("The date it is in force from is empty.")
    if problem == NOT_ISO:
        return _("The date “%(value)s” is not written YYYY-MM-DD.") % {"value": cell}
    if problem == NO_SUCH_DAY:
        return _("The date “%(value)s” does not exist.") % {"value": cell}
    return _("The date %(value)s is not a year the table can cover.") % {"value": cell}


def row_read(line: int, cells: Sequence[str]) -> tuple[RateRow | None, list[str]]:
    """One row, its cells in the order of COLUMNS: its figures when every check passes, else every reason
    it is refused (in the reader's language)."""
    country_cell, country_name_cell, location_cell, day_cell, rate_cell, room_cell, reduced_cell = cells
    country = country_cell.strip().upper()
    country_name = " ".join(country_name_cell.split())
    location = " ".join(location_cell.split())
    day = _date_parse(day_cell)
    rate = _rate_parse(rate_cell)
    room = _share_parse(room_cell)
    reduced = _rate_parse(reduced_cell)
    if (
        country in COUNTRY_CODES
        and 0 < len(country_name) <= COUNTRY_NAME_LENGTH
        and 0 < len(location) <= LOCATION_LENGTH
        and isinstance(day, date)
        and isinstance(rate, Decimal)
        and isinstance(room, Decimal)
        and isinstance(reduced, Decimal)
        and reduced <= rate
    ):
        return RateRow(line, country, country_name, location, day, rate, room, reduced), []
    reasons: list[str] = []
    if not country:
        reasons.append(_("The country code is empty; give its two letters, e.g. BR."))
    elif country not in COUNTRY_CODES:
        reasons.append(
            _("“%(code)s” is not an ISO 3166 country code; give two letters, e.g. BR.") % {"code": country[:10]}
        )
    if not country_name:
        reasons.append(_("The country name is empty."))
    elif len(country_name) > COUNTRY_NAME_LENGTH:
        reasons.append(_("The country name is longer than %(limit)d characters.") % {"limit": COUNTRY_NAME_LENGTH})
    if not location:
        reasons.append(_("The location is empty; write “Elsewhere” for the rest of the country."))
    elif len(location) > LOCATION_LENGTH:
        reasons.append(_("The location is longer than %(limit)d characters.") % {"limit": LOCATION_LENGTH})
    if not isinstance(day, date):
        reasons.append(_date_reason(day, day_cell))
    if not isinstance(rate, Decimal):
        reasons.append(_rate_reason(rate, rate_cell, _("The DSA")))
    if not isinstance(room, Decimal):
        reasons.append(_share_reason(room, room_cell))
    if not isinstance(reduced, Decimal):
        reasons.append(_rate_reason(reduced, reduced_cell, _("The rate after 60 days")))
    elif isinstance(rate, Decimal) and reduced > rate:
        reasons.append(
            _("The rate after 60 days (%(reduced)s) is above the DSA (%(rate)s).") % {"reduced": reduced, "rate": rate}
        )
    return None, reasons


def _content(record: list[str], delimiter: str) -> str:
    """The row as it was in the file (cells joined again), for the report."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(record)
    text = out.getvalue()
    return text if len(text) <= limits.SHORT_TEXT else text[: limits.SHORT_TEXT - 1] + "…"


def rate_file_read(file: IO[bytes] | bytes) -> RateFile:
    """Every row of the file, checked: refused as a whole (`allowances.csv_*`) when the file cannot be read."""
    text = _text_of(_bytes_of(file))
    for cache in (_rate_parse, _share_parse, _date_parse):  # parsed once per file (see above)
        cache.cache_clear()
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise _refuse(
            _("The file cannot be read as CSV (%(error)s).") % {"error": str(error)[:200]}, "allowances.csv_unreadable"
        ) from None
    header_index = next((index for index, record in enumerate(records) if any(cell.strip() for cell in record)), None)
    if header_index is None:
        raise _refuse(_("The file is empty."), "allowances.csv_empty")
    columns = [column_name(cell) for cell in records[header_index]]
    missing = [name for name in COLUMNS if name not in columns]
    repeated = sorted({name for name in columns if name in COLUMNS and columns.count(name) > 1})
    if missing or repeated:
        parts = []
        if missing:
            parts.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if repeated:
            parts.append(_("columns named twice: %(names)s") % {"names": ", ".join(repeated)})
        raise _refuse(
            _("The header row does not match the DSA table's columns (%(problems)s). Expected: %(columns)s.")
            % {"problems": "; ".join(parts), "columns": ", ".join(COLUMNS)},
            "allowances.csv_columns",
        )
    body = [
        (index + 1, record)
        for index, record in enumerate(records)
        if index > header_index and any(cell.strip() for cell in record)
    ]
    if not body:
        raise _refuse(_("The file has a header but no rate rows."), "allowances.csv_no_rows")
    if len(body) > MAX_ROWS:
        raise _refuse(
            _("The file has %(count)s rows; import at most %(limit)s at a time.")
            % {"count": f"{len(body):,}", "limit": f"{MAX_ROWS:,}"},
            "allowances.csv_too_many_rows",
        )
    pick = itemgetter(*(columns.index(name) for name in COLUMNS))
    width = len(columns)
    good: list[RateRow] = []
    refused: list[RefusedLine] = []
    seen: dict[tuple[str, str, date], int] = {}
    for line, record in body:
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            reason = _("The row has %(cells)d cells, the header %(columns)d columns.") % {
                "cells": len(record),
                "columns": width,
            }
            refused.append(RefusedLine(line, reason, _content(record, delimiter)))
            continue
        if len(record) < width:
            record = [*record, *[""] * (width - len(record))]
        row, reasons = row_read(line, pick(record))
        if row is not None:
            key = row.key
            earlier = seen.get(key)
            if earlier is not None:
                reasons = [
                    _("The same location and date as line %(line)d: one rate per location and day.") % {"line": earlier}
                ]
                row = None
            else:
                seen[key] = line
        if row is None:
            refused.append(RefusedLine(line, " ".join(reasons), _content(record, delimiter)))
        else:
            good.append(row)
    return RateFile(rows_read=len(body), good=good, refused=refused)
