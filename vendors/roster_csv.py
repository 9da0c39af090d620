"""The roster as CSV: the columns a file has, reading an uploaded file safely, writing the export.

Columns (a header row names them, in any order; case, spaces and hyphens do not matter):

    legal_name, country, registration_number, email          required
    contact_name, phone, address, language, categories        optional
    status, status_reason, status_since                       written by the export, ignored on import

`country` is the ISO 3166 two-letter code, `language` one of en, fr, es, pt-br,
`categories` the supply-category codes separated by semicolons (IT-EQUIP;PRINT).
A file is UTF-8 (a spreadsheet's "CSV UTF-8"), separated by commas, semicolons
or tabs, at most MAX_BYTES and MAX_ROWS rows; anything else is refused as a
whole with a message saying what to fix, never a server error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from shared_platform.errors import ApplicationError

from .models import Vendor

REQUIRED = ("legal_name", "country", "registration_number", "email")
OPTIONAL = ("contact_name", "phone", "address", "language", "categories")
EXPORT_ONLY = ("status", "status_reason", "status_since")
COLUMNS = (*REQUIRED, *OPTIONAL)
EXPORT_COLUMNS = (*COLUMNS, *EXPORT_ONLY)
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
# A spreadsheet runs a cell starting with one of these as a formula; the export writes it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TEMPLATE_EXAMPLE = {
    "legal_name": "Papelaria Exemplo Ltda.",
    "country": "BR",
    "registration_number": "98.765.432/0001-10",
    "email": "licitacoes@papelaria-exemplo.com.br",
    "contact_name": "Ana Souza",
    "phone": "+55 61 3333-4444",
    "address": "SCS Quadra 2, Brasília - DF",
    "language": "pt-br",
    "categories": "OFFICE;PRINT",
}


@dataclass
class RosterFile:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, header 1, values)


def _refuse(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"file": [message]})


def column_name(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _cell(value: str) -> str:
    """A cell as typed: without the quote the export puts before a formula-like value."""
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _bytes_of(file: IO[bytes] | bytes) -> bytes:
    if isinstance(file, bytes):
        return file
    data = file.read(MAX_BYTES + 1)
    return data if isinstance(data, bytes) else str(data).encode()


def roster_file_read(file: IO[bytes] | bytes) -> RosterFile:
    """The file's rows, keyed by column name; refused as a whole (`vendors.import_*`) when it cannot be read."""
    data = _bytes_of(file)
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": MAX_BYTES // (1024 * 1024)},
            "vendors.import_too_large",
        )
    if not data.strip():
        raise _refuse(_("The file is empty."), "vendors.import_empty")
    if b"\x00" in data:
        raise _refuse(
            _("The file is not a CSV text file in UTF-8. In your spreadsheet, save it as “CSV UTF-8”."),
            "vendors.import_encoding",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            _("The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” and import it again."),
            "vendors.import_encoding",
        )
    if not text.strip():
        raise _refuse(_("The file is empty."), "vendors.import_empty")
    first_line = text.lstrip().splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise _refuse(
            _("The file cannot be read as CSV (%(error)s).") % {"error": str(error)[:200]}, "vendors.import_unreadable"
        )
    header_index = next((index for index, record in enumerate(records) if any(cell.strip() for cell in record)), None)
    if header_index is None:
        raise _refuse(_("The file is empty."), "vendors.import_empty")
    columns = [column_name(cell) for cell in records[header_index]]
    known = set(EXPORT_COLUMNS)
    unknown = [name for name in columns if name and name not in known]
    missing = [name for name in REQUIRED if name not in columns]
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if unknown or missing or repeated:
        parts = []
        if missing:
            parts.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(names)s") % {"names": ", ".join(name[:40] for name in unknown[:10])})
        if repeated:
            parts.append(_("columns named twice: %(names)s") % {"names": ", ".join(repeated)})
        raise _refuse(
            _("The header row does not match the roster's columns (%(problems)s). Expected: %(columns)s.")
            % {"problems": "; ".join(parts), "columns": ", ".join(COLUMNS)},
            "vendors.import_columns",
        )
    body = [(index + 1, record) for index, record in enumerate(records) if index > header_index]
    body = [(number, record) for number, record in body if any(cell.strip() for cell in record)]
    if not body:
        raise _refuse(_("The file has a header but no vendor rows."), "vendors.import_no_rows")
    if len(body) > MAX_ROWS:
        raise _refuse(
            _("The file has %(count)d rows; import at most %(limit)d at a time.")
            % {"count": len(body), "limit": MAX_ROWS},
            "vendors.import_too_many_rows",
        )
    parsed = RosterFile(columns=columns)
    for number, record in body:
        values = {name: _cell(cell) for name, cell in zip(columns, record, strict=False) if name in COLUMNS}
        if len(record) > len(columns) and any(cell.strip() for cell in record[len(columns) :]):
            values["__problem__"] = _("The row has %(cells)d cells, the header %(columns)d columns.") % {
                "cells": len(record),
                "columns": len(columns),
            }
        parsed.rows.append((number, values))
    return parsed


def _safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def roster_csv(vendors: Iterable[Vendor]) -> str:
    """The vendors in the import's columns (plus their status), so an exported file can be edited and imported."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for vendor in vendors:
        categories = ";".join(sorted(category.code for category in vendor.categories.all()))
        writer.writerow(
            [
                _safe(str(value))
                for value in (
                    vendor.legal_name,
                    vendor.country,
                    vendor.registration_number,
                    vendor.email,
                    vendor.contact_name,
                    vendor.phone,
                    vendor.address,
                    vendor.language,
                    categories,
                    vendor.status,
                    vendor.status_reason,
                    vendor.status_since.isoformat() if vendor.status_since else "",
                )
            ]
        )
    return out.getvalue()


def roster_template_csv() -> str:
    """The header and one example row, for officers preparing a file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([_safe(TEMPLATE_EXAMPLE[name]) for name in COLUMNS])
    return out.getvalue()
