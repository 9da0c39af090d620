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
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

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


@dataclass(frozen=True)
class RateRow:
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


def _decimals_ok(amount: Decimal) -> bool:
    exponent = amount.normalize().as_tuple().exponent
    return not isinstance(exponent, int) or exponent >= -2


def _rate_problems(value: str, label: str) -> tuple[Decimal | None, list[str]]:
    if not value.strip():
        return None, [_("%(label)s is empty.") % {"label": label}]
    amount = _amount(value)
    if amount is None:
        return None, [_("%(label)s “%(value)s” is not a number.") % {"label": label, "value": value.strip()[:30]}]
    if amount <= 0:
        return None, [_("%(label)s must be above zero.") % {"label": label}]
    if amount > LARGEST_RATE:
        return None, [_("%(label)s is larger than any daily rate.") % {"label": label}]
    if not _decimals_ok(amount):
        return None, [_("%(label)s has more than 2 decimal places.") % {"label": label}]
    return amount.quantize(CENT), []


def _room_problems(value: str) -> tuple[Decimal | None, list[str]]:
    cell = value.strip().removesuffix("%")
    if not cell.strip():
        return None, [_("The room share is empty.")]
    share = _amount(cell)
    if share is None:
        return None, [_("The room share “%(value)s” is not a number.") % {"value": value.strip()[:30]}]
    if share < 0 or share > HUNDRED:
        return None, [_("The room share must be between 0 and 100 (%(value)s).") % {"value": value.strip()[:30]}]
    if not _decimals_ok(share):
        return None, [_("The room share has more than 2 decimal places.")]
    return share.quantize(CENT), []


def _date_problems(value: str) -> tuple[date | None, list[str]]:
    cell = value.strip()
    if not cell:
        return None, [_("The date it is in force from is empty.")]
    if not ISO_DATE.match(cell):
        return None, [_("The date “%(value)s” is not written YYYY-MM-DD.") % {"value": cell[:30]}]
    try:
        day = date.fromisoformat(cell)
    except ValueError:
        return None, [_("The date “%(value)s” does not exist.") % {"value": cell[:30]}]
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        return None, [_("The date %(value)s is not a year the table can cover.") % {"value": cell}]
    return day, []


def row_read(line: int, values: dict[str, str]) -> tuple[RateRow | None, list[str]]:
    """One row: its figures when every check passes, else every reason it is refused (in the reader's language)."""
    reasons: list[str] = []
    country = values.get("country", "").strip().upper()
    if not country:
        reasons.append(_("The country code is empty; give its two letters, e.g. BR."))
    elif country not in COUNTRY_CODES:
        reasons.append(
            _("“%(code)s” is not an ISO 3166 country code; give two letters, e.g. BR.") % {"code": country[:10]}
        )
    country_name = " ".join(values.get("country_name", "").split())
    if not country_name:
        reasons.append(_("The country name is empty."))
    elif len(country_name) > COUNTRY_NAME_LENGTH:
        reasons.append(_("The country name is longer than %(limit)d characters.") % {"limit": COUNTRY_NAME_LENGTH})
    location = " ".join(values.get("location", "").split())
    if not location:
        reasons.append(_("The location is empty; write “Elsewhere” for the rest of the country."))
    elif len(location) > LOCATION_LENGTH:
        reasons.append(_("The location is longer than %(limit)d characters.") % {"limit": LOCATION_LENGTH})
    day, problems = _date_problems(values.get("effective_from", ""))
    reasons += problems
    rate, problems = _rate_problems(values.get("dsa", ""), _("The DSA"))
    reasons += problems
    room, problems = _room_problems(values.get("room_percent", ""))
    reasons += problems
    reduced, problems = _rate_problems(values.get("dsa_after_60_days", ""), _("The rate after 60 days"))
    reasons += problems
    if rate is not None and reduced is not None and reduced > rate:
        reasons.append(
            _("The rate after 60 days (%(reduced)s) is above the DSA (%(rate)s).") % {"reduced": reduced, "rate": rate}
        )
    if reasons or day is None or rate is None or room is None or reduced is None:
        return None, reasons
    return RateRow(line, country, country_name, location, day, rate, room, reduced), []


def _content(record: list[str], delimiter: str) -> str:
    """The row as it was in the file (cells joined again), for the report."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(record)
    text = out.getvalue()
    return text if len(text) <= limits.SHORT_TEXT else text[: limits.SHORT_TEXT - 1] + "…"


def rate_file_read(file: IO[bytes] | bytes) -> RateFile:
    """Every row of the file, checked: refused as a whole (`allowances.csv_*`) when the file cannot be read."""
    text = _text_of(_bytes_of(file))
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
    positions = {name: columns.index(name) for name in COLUMNS}
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
        values = {name: (record[index] if index < len(record) else "") for name, index in positions.items()}
        row, reasons = row_read(line, values)
        if row is not None:
            earlier = seen.get(row.key)
            if earlier is not None:
                reasons = [
                    _("The same location and date as line %(line)d: one rate per location and day.") % {"line": earlier}
                ]
                row = None
            else:
                seen[row.key] = line
        if row is None:
            refused.append(RefusedLine(line, " ".join(reasons), _content(record, delimiter)))
        else:
            good.append(row)
    return RateFile(rows_read=len(body), good=good, refused=refused)
