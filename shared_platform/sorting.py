"""Sortable tables: the column a list is sorted by comes from the address (`?sort=-due`), like its filters.

A list view names its sortable columns and what each sorts by, once:

    SORTS = Sorts(default="-opened", columns={"reference": ("reference",), "opened": ("opened_at", "pk")})
    rows, sort = SORTS.apply(request, rows)           # an unknown ?sort= falls back to the default

and its template heads each column with `{% sort_header sort "opened" _("Opened") %}`, which links to the
same address sorted by that column (again to reverse it), keeps the filters, drops the page number, and
tells assistive technology the order (`aria-sort`).

A page with several sortable tables gives each its own parameter (`Sorts(..., param="risk_sort")`), and a
table built in Python rather than by a query (a report's rows) is sorted with `SORTS.apply_list(request, rows)`,
whose columns name attributes (`"agency": ("agency_code",)`, dotted paths allowed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.db.models import F, QuerySet
from django.http import HttpRequest

PARAMETER = "sort"

Row = TypeVar("Row")


def _attribute(row: Any, path: str) -> Any:
    for name in path.split("."):
        row = getattr(row, name, None) if not isinstance(row, dict) else row.get(name)
        if row is None:
            return None
    return row


def _key_of(row: Any, *, field: str) -> Any:
    """Text sorts as people expect, whatever its case (da Silva among the D's)."""
    value = _attribute(row, field)
    return value.casefold() if isinstance(value, str) else value


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool
    param: str = PARAMETER

    @property
    def value(self) -> str:
        return f"-{self.column}" if self.descending else self.column


@dataclass(frozen=True)
class Sorts:
    default: str
    columns: Mapping[str, Sequence[str]]
    param: str = PARAMETER

    def chosen(self, request: HttpRequest) -> Sort:
        value = request.GET.get(self.param, "") or self.default
        column = value.removeprefix("-")
        if column not in self.columns:
            value, column = self.default, self.default.removeprefix("-")
        return Sort(column=column, descending=value.startswith("-"), param=self.param)

    def apply(self, request: HttpRequest, rows: QuerySet) -> tuple[QuerySet, Sort]:
        """The rows in the order asked for; NULLs (e.g. no due time) last whichever way."""
        sort = self.chosen(request)
        fields = self.columns[sort.column]
        order = [
            F(field).desc(nulls_last=True) if sort.descending else F(field).asc(nulls_last=True) for field in fields
        ]
        return rows.order_by(*order), sort

    def apply_list(self, request: HttpRequest, rows: Sequence[Row]) -> tuple[list[Row], Sort]:
        """Rows already read (a report, a list of risks) in the order asked for; missing values last either way."""
        sort = self.chosen(request)
        ordered = list(rows)
        # Sort by the last field first: Python's sort is stable, so earlier fields win.
        for field in reversed(self.columns[sort.column]):
            present = [row for row in ordered if _attribute(row, field) is not None]
            missing = [row for row in ordered if _attribute(row, field) is None]
            present.sort(key=partial(_key_of, field=field), reverse=sort.descending)
            ordered = present + missing
        return ordered, sort
