"""Quality objectives (ISO 9001 clause 6.2) evaluated from the scorecards: per period, met or missed, with the figures.

An objective names a figure (SLA compliance, average satisfaction, breached
requests, service credits), a comparison and a target, a period (month,
quarter, year) and whether it applies to every agency or to the facility as a
whole, narrowed to a module, a service or a quality process's services.

For a period the figure is computed from the stored cells exactly as the
scorecard shows it (compliance % and satisfaction to one decimal), and
compared with the target boundary included ("at least 95" is met by 95.0).
An agency with nothing delivered in the period has no figure: it is listed as
"no requests", neither met nor missed. The objective is met when every line
with a figure meets the target; with no figure at all it is neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext

from tenants.models import Agency

from ..models import Comparison, ObjectiveMetric, ObjectiveScope, PeriodKind, QualityObjective, ScorecardCell
from .scorecards import Totals, cells, month_after, months_between, totals, totals_by

PERIOD_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def period_start_of(*, kind: str, day: date) -> date:
    """The first day of the period (month, calendar quarter, calendar year) containing `day`."""
    if kind == PeriodKind.YEAR:
        return date(day.year, 1, 1)
    if kind == PeriodKind.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def period_months(*, kind: str, start: date) -> list[date]:
    first = period_start_of(kind=kind, day=start)
    months = [first]
    for _ in range(PERIOD_MONTHS[PeriodKind(kind)] - 1):
        months.append(month_after(months[-1]))
    return months


def period_end(*, kind: str, start: date) -> date:
    """The last day of the period starting at `start`."""
    return month_after(period_months(kind=kind, start=start)[-1]) - timedelta(days=1)


def period_label(*, kind: str, start: date) -> str:
    if kind == PeriodKind.YEAR:
        return str(start.year)
    if kind == PeriodKind.QUARTER:
        return gettext("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    return date_format(start, "YEAR_MONTH_FORMAT")


def objective_cells(*, objective: QualityObjective, months: list[date]) -> QuerySet[ScorecardCell]:
    """The cells an objective reads: of every agency, narrowed to its module, service or process's services."""
    service_ids: list[int] | None = None
    if objective.service_id is not None:
        service_ids = [objective.service_id]
    elif objective.process_id is not None:
        service_ids = list(objective.process.services.values_list("pk", flat=True))  # type: ignore[union-attr]
    return cells(scope=None, months=months, service_ids=service_ids, module=objective.module or None)


def figure_of(*, metric: str, figures: Totals) -> Decimal | None:
    """The objective's figure from a set of cells, as the scorecard shows it; None when there is none."""
    if not figures.delivered and metric != ObjectiveMetric.CREDITS:
        return None
    if metric == ObjectiveMetric.SLA_COMPLIANCE:
        return figures.compliance
    if metric == ObjectiveMetric.SATISFACTION:
        return figures.satisfaction
    if metric == ObjectiveMetric.BREACHES:
        return Decimal(figures.breached)
    if not figures.delivered and not figures.credits:
        return None
    return figures.credits


def target_reached(*, comparison: str, figure: Decimal, target: Decimal) -> bool:
    """At least / at most the target, the boundary included (clause 6.2: measurable, so the rule is explicit)."""
    if comparison == Comparison.AT_LEAST:
        return figure >= target
    return figure <= target


@dataclass(frozen=True)
class ObjectiveLine:
    """One agency's line of an evaluation (agency None: the facility as a whole)."""

    agency: Agency | None
    figures: Totals
    figure: Decimal | None
    met: bool | None  # None: no figure ("no requests" / "no ratings")

    @property
    def label(self) -> str:
        return self.agency.code if self.agency is not None else gettext("Facility")

    @property
    def no_figure_reason(self) -> str:
        if not self.figures.delivered:
            return gettext("no requests")
        return gettext("no ratings")


@dataclass(frozen=True)
class ObjectiveResult:
    objective: QualityObjective
    period_start: date
    period_end: date
    complete: bool  # the period is over (else: so far)
    lines: list[ObjectiveLine]

    @property
    def label(self) -> str:
        return period_label(kind=self.objective.period_kind, start=self.period_start)

    @property
    def met(self) -> bool | None:
        judged = [line.met for line in self.lines if line.met is not None]
        if not judged:
            return None
        return all(judged)

    @property
    def missed_lines(self) -> list[ObjectiveLine]:
        return [line for line in self.lines if line.met is False]


def objective_evaluate(
    *, objective: QualityObjective, period_start: date, today: date | None = None
) -> ObjectiveResult:
    """The objective's evaluation for the period containing `period_start`: each agency's (or the facility's) line."""
    from django.utils import timezone

    start = period_start_of(kind=objective.period_kind, day=period_start)
    months = period_months(kind=objective.period_kind, start=start)
    end = period_end(kind=objective.period_kind, start=start)
    found = objective_cells(objective=objective, months=months)

    def line(agency: Agency | None, figures: Totals) -> ObjectiveLine:
        figure = figure_of(metric=objective.metric, figures=figures)
        met = (
            None
            if figure is None
            else target_reached(comparison=objective.comparison, figure=figure, target=objective.target)
        )
        return ObjectiveLine(agency=agency, figures=figures, figure=figure, met=met)

    if objective.scope == ObjectiveScope.FACILITY:
        lines = [line(None, totals(found))]
    else:
        by_agency = totals_by(found, key="agency_id")
        agencies = Agency.objects.agencies().filter(is_active=True) | Agency.objects.filter(pk__in=list(by_agency))
        lines = [line(agency, by_agency.get(agency.pk, Totals())) for agency in agencies.distinct().order_by("code")]
    return ObjectiveResult(
        objective=objective,
        period_start=start,
        period_end=end,
        complete=end < (today or timezone.localdate()),
        lines=lines,
    )


def objective_periods(*, objective: QualityObjective, until: date) -> list[date]:
    """The starts of the objective's periods from its first to the one containing `until` (or its end), oldest first."""
    last_day = min(until, objective.valid_to) if objective.valid_to else until
    if last_day < objective.valid_from:
        return []
    first = period_start_of(kind=objective.period_kind, day=objective.valid_from)
    last = period_start_of(kind=objective.period_kind, day=last_day)
    step = PERIOD_MONTHS[PeriodKind(objective.period_kind)]
    return [month for index, month in enumerate(months_between(first=first, last=last)) if index % step == 0]


def objective_list(*, active_only: bool = False) -> QuerySet[QualityObjective]:
    found = QualityObjective.objects.select_related("service", "process", "owner")
    if active_only:
        found = found.filter(active=True)
    return found.order_by("reference")


def objective_get(*, reference: str) -> QualityObjective | None:
    return objective_list().filter(reference=reference).first()


class ObjectiveStatus(NamedTuple):
    """(objective, last completed period's result, current period so far): unpacks as a plain triple."""

    objective: QualityObjective
    last: ObjectiveResult | None
    current: ObjectiveResult | None


def objectives_status(*, until: date) -> list[ObjectiveStatus]:
    """Each active objective with its last completed period's result and the current period so far.

    The management review's pack lists it as "the extent to which quality
    objectives have been met" (clause 9.3.2 c); the start page's panel names
    the ones missed.
    """
    found = []
    for objective in objective_list(active_only=True):
        periods = objective_periods(objective=objective, until=until)
        last = current = None
        if periods:
            latest = objective_evaluate(objective=objective, period_start=periods[-1], today=until)
            if latest.complete:
                last = latest
            else:
                current = latest
                if len(periods) > 1:
                    last = objective_evaluate(objective=objective, period_start=periods[-2], today=until)
        found.append(ObjectiveStatus(objective=objective, last=last, current=current))
    return found
