"""Reading processes and their risks: the register, a process's measures, its risk map (clauses 4.4, 6.1, 9.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Q, QuerySet, Sum
from django.utils import timezone

from ledger.models import ComplianceMonth

from ..models import Audit, Nonconformity, NonconformityStatus, Process, QualityEvent, Risk, SuggestionStatus

OPEN_SUGGESTION_STATUSES = (SuggestionStatus.SUBMITTED, SuggestionStatus.ACCEPTED, SuggestionStatus.DEFERRED)


def process_list(*, include_inactive: bool = True) -> QuerySet[Process]:
    """The register of processes with each one's highest risk score and its open items (suggestions, NCs)."""
    rows = Process.objects.select_related("owner", "procedure").annotate(
        highest_risk=Max(
            ExpressionWrapper(F("risks__likelihood") * F("risks__impact"), output_field=IntegerField()),
            filter=Q(risks__kind="risk"),
        ),
        open_suggestions=Count(
            "suggestions", filter=Q(suggestions__status__in=OPEN_SUGGESTION_STATUSES), distinct=True
        ),
        open_nonconformities=Count(
            "nonconformities",
            filter=~Q(nonconformities__status=NonconformityStatus.CLOSED),
            distinct=True,
        ),
    )
    rows = rows.annotate(open_items=F("open_suggestions") + F("open_nonconformities"))
    return rows if include_inactive else rows.filter(active=True)


def process_get(*, code: str) -> Process | None:
    return Process.objects.select_related("owner", "procedure").filter(code=code).first()


def process_risks(*, process: Process) -> list[Risk]:
    return list(process.risks.select_related("owner").order_by("-likelihood", "-impact", "pk"))


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    risks: list[Risk] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> str:
        """low (1-4), medium (5-9), high (10-14), critical (15-25): the band a cell's colour shows."""
        return (
            "critical" if self.score >= 15 else "high" if self.score >= 10 else "medium" if self.score >= 5 else "low"
        )


def risk_heat_map(*, risks: list[Risk]) -> list[list[HeatCell]]:
    """Rows from likelihood 5 down to 1, columns impact 1 to 5, each cell with the risks that sit in it."""
    grid = {(likelihood, impact): HeatCell(likelihood, impact) for likelihood in range(1, 6) for impact in range(1, 6)}
    for risk in risks:
        grid[(risk.likelihood, risk.impact)].risks.append(risk)
    return [[grid[(likelihood, impact)] for impact in range(1, 6)] for likelihood in range(5, 0, -1)]


@dataclass
class MonthFigure:
    month: date
    met: int
    breached: int

    @property
    def delivered(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.delivered) if self.delivered else None


@dataclass
class ServiceCompliance:
    code: str
    name: str
    months: list[MonthFigure]


def process_compliance(*, process: Process, today: date | None = None, months: int = 3) -> list[ServiceCompliance]:
    """SLA compliance of each service that measures the process, all agencies together, for the last `months`
    months including the current one (ledger.ComplianceMonth, kept with each delivery)."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    month_list = [current - relativedelta(months=back) for back in range(months - 1, -1, -1)]
    services = list(process.services.order_by("code"))
    figures: dict[tuple[int, date], tuple[int, int]] = {}
    rows = ComplianceMonth.objects.filter(service__in=services, month__in=month_list).values("service", "month")
    for row in rows.annotate(met_sum=Sum("met"), breached_sum=Sum("breached")):
        figures[(row["service"], row["month"])] = (row["met_sum"] or 0, row["breached_sum"] or 0)
    return [
        ServiceCompliance(
            code=service.code,
            name=service.name,
            months=[MonthFigure(month, *figures.get((service.pk, month), (0, 0))) for month in month_list],
        )
        for service in services
    ]


@dataclass
class ProcessCounts:
    open_suggestions: int
    open_nonconformities: int
    audits: int


def process_counts(*, process: Process) -> ProcessCounts:
    """What is open about a process elsewhere in the quality system, read straight from the records."""
    return ProcessCounts(
        open_suggestions=process.suggestions.filter(status__in=OPEN_SUGGESTION_STATUSES).count(),
        open_nonconformities=Nonconformity.objects.filter(process=process)
        .exclude(status=NonconformityStatus.CLOSED)
        .count(),
        audits=Audit.objects.filter(process=process).count(),
    )


def process_history(*, process: Process) -> QuerySet[QualityEvent]:
    return process.events.select_related("actor").order_by("at", "pk")


def risk_get(*, process: Process, pk: int) -> Risk | None:
    return process.risks.select_related("owner", "process").filter(pk=pk).first()
