"""Reading the scorecards: the stored cells (one indexed query), their totals, a process's figures, a cell's requests.

`scope` is whose cells are read: None for every agency (the facility
portal), an agency for its own (its address, `access.scope_for`). Every
function that reads cells takes it, so no page can forget it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Min, QuerySet, Sum

from ledger.models import LedgerEntry
from ledger.selectors import raised_by_or_names
from service_levels.models import Service
from tenants.models import Agency

from ..models import ScorecardAgencyMonth, ScorecardCell

if TYPE_CHECKING:
    from accounts.models import User

ZERO = Decimal("0.00")


def month_after(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_back(*, until: date, count: int) -> list[date]:
    """The `count` months ending with the month of `until`, oldest first (first days of the months)."""
    months = [until.replace(day=1)]
    for _ in range(max(count, 1) - 1):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return sorted(months)


def months_between(*, first: date, last: date) -> list[date]:
    """Every month from `first` to `last` inclusive (first days), oldest first; empty when out of order."""
    months: list[date] = []
    month = first.replace(day=1)
    while month <= last.replace(day=1):
        months.append(month)
        month = month_after(month)
    return months


def cells(
    *,
    scope: Agency | None,
    months: list[date],
    service_ids: Iterable[int] | None = None,
    module: str | None = None,
) -> QuerySet[ScorecardCell]:
    """The stored cells of these months (of every agency when `scope` is None, else of that agency only)."""
    found = ScorecardCell.objects.filter(month__in=list(months)).select_related("agency", "service")
    if scope is not None:
        found = found.filter(agency=scope)
    if service_ids is not None:
        found = found.filter(service_id__in=list(service_ids))
    if module:
        found = found.filter(module=module)
    return found


def agency_months(*, scope: Agency | None, months: list[date]) -> QuerySet[ScorecardAgencyMonth]:
    """The stored agency-month rows (invoice, fixed share, module figures) of these months, within the scope."""
    found = ScorecardAgencyMonth.objects.filter(month__in=list(months)).select_related("agency")
    if scope is not None:
        found = found.filter(agency=scope)
    return found


def compliance_of(met: int, breached: int) -> Decimal | None:
    """Met as a share of delivered, in % to one decimal (the compliance report's rule); None when none delivered."""
    if not met + breached:
        return None
    return (Decimal(met * 100) / (met + breached)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def satisfaction_of(rating_total: int, rated: int) -> Decimal | None:
    """The average rating to one decimal (the satisfaction report's rule); None when nobody rated."""
    if not rated:
        return None
    return (Decimal(rating_total) / rated).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    opened: int = 0
    delivered: int = 0
    met: int = 0
    breached: int = 0
    rated: int = 0
    rating_total: int = 0
    usage_billed: Decimal = ZERO
    credits: Decimal = ZERO
    nonconformities_open: int = 0
    actions_open: int = 0
    actions_overdue: int = 0

    @property
    def compliance(self) -> Decimal | None:
        return compliance_of(self.met, self.breached)

    @property
    def satisfaction(self) -> Decimal | None:
        return satisfaction_of(self.rating_total, self.rated)


_SUMMED = (
    "opened",
    "delivered",
    "met",
    "breached",
    "rated",
    "rating_total",
    "usage_billed",
    "credits",
    "nonconformities_open",
    "actions_open",
    "actions_overdue",
)


def _totals_from(values: dict[str, int | Decimal | None]) -> Totals:
    def count(name: str) -> int:
        return int(values.get(name) or 0)

    def money(name: str) -> Decimal:
        return Decimal(values.get(name) or 0).quantize(ZERO)

    return Totals(
        opened=count("opened"),
        delivered=count("delivered"),
        met=count("met"),
        breached=count("breached"),
        rated=count("rated"),
        rating_total=count("rating_total"),
        usage_billed=money("usage_billed"),
        credits=money("credits"),
        nonconformities_open=count("nonconformities_open"),
        actions_open=count("actions_open"),
        actions_overdue=count("actions_overdue"),
    )


def totals(found: QuerySet[ScorecardCell] | Iterable[ScorecardCell]) -> Totals:
    """The sums of cells (one aggregate query for a queryset), with compliance % and average satisfaction."""
    if isinstance(found, QuerySet):
        return _totals_from(found.order_by().aggregate(**{name: Sum(name) for name in _SUMMED}))
    sums: dict[str, int | Decimal | None] = {}
    for cell in found:
        for name in _SUMMED:
            sums[name] = (sums.get(name) or 0) + getattr(cell, name)
    return _totals_from(sums)


def totals_sum(parts: Iterable[Totals]) -> Totals:
    """Totals of totals (e.g. a trend's months): the same sums as one aggregate over their cells, with no query."""
    sums: dict[str, int | Decimal | None] = {}
    for part in parts:
        for name in _SUMMED:
            sums[name] = (sums.get(name) or 0) + getattr(part, name)
    return _totals_from(sums)


def totals_by(found: QuerySet[ScorecardCell], *, key: str) -> dict[object, Totals]:
    """Totals grouped by one field of the cells ("month", "agency_id", "service_id", "module"), in one query."""
    rows = found.order_by().values(key).annotate(**{f"sum_{name}": Sum(name) for name in _SUMMED})
    return {row[key]: _totals_from({name: row[f"sum_{name}"] for name in _SUMMED}) for row in rows}


@dataclass(frozen=True)
class MonthFigures:
    month: date
    totals: Totals


def trend(found: QuerySet[ScorecardCell], *, months: list[date]) -> list[MonthFigures]:
    """One line per month of `months` (empty months included, with zeros) for the trend charts."""
    by_month = totals_by(found, key="month")
    return [MonthFigures(month=month, totals=by_month.get(month, Totals())) for month in months]


@dataclass(frozen=True)
class ProcessScorecard:
    process_id: int
    process_code: str
    process_name: str
    services: list[Service]
    months: list[MonthFigures]
    total: Totals


def process_scorecard(*, process: object, months: list[date]) -> ProcessScorecard:
    """A quality process's performance (ISO 9001 clause 4.4 c): its services' cells of every agency, per month."""
    from quality.models import Process

    assert isinstance(process, Process)
    services = list(process.services.order_by("code"))
    found = cells(scope=None, months=months, service_ids=[service.pk for service in services])
    return ProcessScorecard(
        process_id=process.pk,
        process_code=process.code,
        process_name=process.name,
        services=services,
        months=trend(found, months=months),
        total=totals(found),
    )


def cell_get(*, scope: Agency | None, agency_code: str, service_code: str, month: date) -> ScorecardCell | None:
    """One stored cell by its agency and service codes and month, within the scope (None when not there)."""
    found = ScorecardCell.objects.select_related("agency", "service").filter(
        agency__code=agency_code, service__code=service_code, month=month.replace(day=1)
    )
    if scope is not None:
        found = found.filter(agency=scope)
    return found.first()


def cell_entries(*, agency: Agency, service: Service, month: date, person: User | None = None) -> QuerySet[LedgerEntry]:
    """The requests a cell counts as delivered: resolved in the month (facility time zone), as ComplianceMonth.

    With `person`, only those they raised or are named on: the ledger's rule for
    an agency's people who do not see the whole agency (its board members), so
    the cell's figures are the agency's but its list never names a colleague's
    request.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    first, after = month.replace(day=1), month_after(month)
    entries = LedgerEntry.objects.filter(raised_by_or_names(person)) if person is not None else LedgerEntry.objects
    return (
        entries.filter(
            agency=agency,
            service=service,
            completed_at__gte=datetime(first.year, first.month, 1, tzinfo=zone),
            completed_at__lt=datetime(after.year, after.month, 1, tzinfo=zone),
        )
        .select_related("agency", "service")
        .order_by("completed_at", "pk")
    )


def refreshed_at(*, scope: Agency | None, months: list[date]) -> datetime | None:
    """When the cells read were last refreshed ("figures as of"); None when none are stored."""
    found = ScorecardCell.objects.filter(month__in=list(months))
    if scope is not None:
        found = found.filter(agency=scope)
    return found.aggregate(at=Min("refreshed_at"))["at"]
