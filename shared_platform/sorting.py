"""Sortable tables: the column a list is sorted by comes from the address (`?sort=-due`), like its filters.

A list view names its sortable columns and what each sorts by, once:

    SORTS = Sorts(default="-opened", columns={"reference": ("reference",), "opened": ("opened_at", "pk")})
    rows, sort = SORTS.apply(request, rows)           # an unknown ?sort= falls back to the default

and its template heads each column with `{% sort_header sort "opened" _("Opened") %}`, which links to the
same address sorted by that column (again to reverse it), keeps the filters, drops the page number, and
tells assistive technology the order (`aria-sort`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.http import HttpRequest

PARAMETER = "sort"


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool

    @property
    def value(self) -> str:
        return f"-{self.column}" if self.descending else self.column


@dataclass(frozen=True)
class Sorts:
    default: str
    columns: Mapping[str, Sequence[str]]

    def chosen(self, request: HttpRequest) -> Sort:
        value = request.GET.get(PARAMETER, "") or self.default
        column = value.removeprefix("-")
        if column not in self.columns:
            value, column = self.default, self.default.removeprefix("-")
        return Sort(column=column, descending=value.startswith("-"))

    def apply(self, request: HttpRequest, rows: QuerySet) -> tuple[QuerySet, Sort]:
        """The rows in the order asked for; NULLs (e.g. no due time) last whichever way."""
        sort = self.chosen(request)
        fields = self.columns[sort.column]
        order = [
            F(field).desc(nulls_last=True) if sort.descending else F(field).asc(nulls_last=True) for field in fields
        ]
        return rows.order_by(*order), sort
