"""Reading internal audits and the audit programme (ISO 9001:2015 clause 9.2.2)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Audit, AuditFinding, AuditQuestion, AuditStatus, FindingKind, Process, QualityEvent, RiskKind

# The audit programme's rule (clause 9.2.2 a): "plan, establish, implement and maintain an audit programme(s)
# including the frequency ... which shall take into consideration the importance of the processes concerned,
# changes affecting the organization, and the results of previous audits". The importance of a process is read
# from its highest risk (likelihood x impact, clause 6.1); the results of previous audits from the last one.
HIGH_RISK_SCORE = 15  # and above: audited every 6 months
MEDIUM_RISK_SCORE = 8  # and above: every 12 months; below: every 24 months
MONTHS_HIGH, MONTHS_MEDIUM, MONTHS_LOW = 6, 12, 24
MONTHS_UNASSESSED = 12  # no risk recorded yet: the importance is unknown, so the middle frequency
OPEN_STATUSES = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)

RISK_LEVELS = {
    "high": _("High"),
    "medium": _("Medium"),
    "low": _("Low"),
    "unassessed": _("Not assessed"),
}


def months_add(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter: 31 August + 6 months = 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def audit_frequency_months(*, highest_risk: int | None, major_in_last_audit: bool) -> int:
    """How often a process is audited: by its highest risk score, halved after a major nonconformity (9.2.2 a)."""
    if highest_risk is None:
        months = MONTHS_UNASSESSED
    elif highest_risk >= HIGH_RISK_SCORE:
        months = MONTHS_HIGH
    elif highest_risk >= MEDIUM_RISK_SCORE:
        months = MONTHS_MEDIUM
    else:
        months = MONTHS_LOW
    return months // 2 if major_in_last_audit else months


def risk_level(highest_risk: int | None) -> str:
    if highest_risk is None:
        return "unassessed"
    if highest_risk >= HIGH_RISK_SCORE:
        return "high"
    return "medium" if highest_risk >= MEDIUM_RISK_SCORE else "low"


@dataclass(frozen=True)
class ProgrammeRow:
    """One process in the audit programme."""

    process: Process
    highest_risk: int | None
    level: str
    frequency_months: int
    halved: bool
    last_audit: Audit | None
    next_due: date
    overdue: bool
    next_planned: Audit | None

    @property
    def level_label(self) -> str:
        return str(RISK_LEVELS[self.level])

    # Sortable attributes (shared_platform.sorting.apply_list).
    @property
    def code(self) -> str:
        return self.process.code

    @property
    def last_completed_on(self) -> date | None:
        return (
            timezone.localdate(self.last_audit.completed_at)
            if self.last_audit and self.last_audit.completed_at
            else None
        )


def programme(*, today: date) -> list[ProgrammeRow]:
    """Every active process with its audit frequency, last completed audit, next due date and next planned audit.

    A process never audited is first due one interval after it entered the
    programme (its creation); afterwards one interval after its last completed audit.
    """
    processes = list(
        Process.objects.filter(active=True)
        .select_related("owner")
        .annotate(highest_risk=Max(F("risks__likelihood") * F("risks__impact"), filter=Q(risks__kind=RiskKind.RISK)))
        .order_by("code")
    )
    last_completed: dict[int, Audit] = {}
    for audit in (
        Audit.objects.filter(status=AuditStatus.COMPLETED, process__in=processes)
        .order_by("process_id", "-completed_at", "-pk")
        .distinct("process_id")
    ):
        last_completed[audit.process_id] = audit
    with_major = set(
        AuditFinding.objects.filter(
            audit__in=[audit.pk for audit in last_completed.values()], kind=FindingKind.MAJOR
        ).values_list("audit_id", flat=True)
    )
    next_planned: dict[int, Audit] = {}
    for planned in (
        Audit.objects.filter(status__in=OPEN_STATUSES, process__in=processes)
        .select_related("auditor")
        .order_by("process_id", "planned_for", "pk")
        .distinct("process_id")
    ):
        next_planned[planned.process_id] = planned
    rows = []
    for process in processes:
        highest: int | None = process.highest_risk  # type: ignore[attr-defined]
        last = last_completed.get(process.pk)
        halved = last is not None and last.pk in with_major
        months = audit_frequency_months(highest_risk=highest, major_in_last_audit=halved)
        since = (
            timezone.localdate(last.completed_at)
            if last and last.completed_at
            else timezone.localdate(process.created_at)
        )
        due = months_add(since, months)
        rows.append(
            ProgrammeRow(
                process=process,
                highest_risk=highest,
                level=risk_level(highest),
                frequency_months=months,
                halved=halved,
                last_audit=last,
                next_due=due,
                overdue=due < today,
                next_planned=next_planned.get(process.pk),
            )
        )
    return rows


def audits_due(*, today: date, within_days: int = 30) -> list[ProgrammeRow]:
    """The processes whose audit falls due within `within_days` (or is overdue) with no audit planned: reminders."""
    horizon = today + timedelta(days=within_days)
    return [row for row in programme(today=today) if row.next_due <= horizon and row.next_planned is None]


def audit_list(*, status: str | None = None, process_code: str | None = None) -> QuerySet[Audit]:
    """Audits with their counts of findings by kind."""
    audits = Audit.objects.select_related("process", "auditor").annotate(
        **{f"{kind}_count": Count("findings", filter=Q(findings__kind=kind)) for kind in FindingKind.values}
    )
    if status:
        audits = audits.filter(status=status)
    if process_code:
        audits = audits.filter(process__code=process_code)
    return audits


def audit_get(*, reference: str) -> Audit | None:
    return (
        Audit.objects.select_related("process", "process__owner", "auditor", "created_by")
        .filter(reference=reference)
        .first()
    )


def audit_questions(*, audit: Audit) -> list[AuditQuestion]:
    return list(audit.questions.order_by("position"))


def audit_findings(*, audit: Audit) -> list[AuditFinding]:
    return list(audit.findings.select_related("nonconformity", "question", "recorded_by").order_by("recorded_at", "pk"))


def audit_history(*, audit: Audit) -> QuerySet[QualityEvent]:
    return QualityEvent.objects.filter(audit=audit).select_related("actor").order_by("at", "pk")
