"""The quality dashboard's figures: one query per figure, over the whole system (no loop over records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Avg, Count, DateField
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from ..models import (
    Audit,
    AuditStatus,
    CorrectiveAction,
    DocumentVersion,
    Feedback,
    Nonconformity,
    NonconformitySource,
    NonconformityStatus,
    Suggestion,
    SuggestionStatus,
    VersionStatus,
)

CHART_MONTHS = 6


@dataclass(frozen=True)
class Figures:
    nonconformities_by_status: dict[str, int]
    actions_overdue: int
    suggestions_by_status: dict[str, int]
    documents_effective: int
    reviews_overdue: int
    versions_in_review: int
    audits_planned: int
    audits_completed_this_year: int
    feedback_average: float | None
    feedback_count: int


def _first_of_month(day: date, months_back: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months_back
    return date(month_index // 12, month_index % 12 + 1, 1)


def figures(*, today: date | None = None) -> Figures:
    today = today or timezone.localdate()
    since = _first_of_month(today, CHART_MONTHS - 1)
    ncs = dict(Nonconformity.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    suggestions = dict(Suggestion.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    recent_feedback = Feedback.objects.filter(at__date__gte=since).aggregate(average=Avg("rating"), n=Count("pk"))
    return Figures(
        nonconformities_by_status={status: ncs.get(status, 0) for status in NonconformityStatus.values},
        actions_overdue=CorrectiveAction.objects.filter(done_at=None, due_on__lt=today)
        .exclude(nonconformity__status=NonconformityStatus.CLOSED)
        .count(),
        suggestions_by_status={status: suggestions.get(status, 0) for status in SuggestionStatus.values},
        documents_effective=DocumentVersion.objects.filter(status=VersionStatus.EFFECTIVE).count(),
        reviews_overdue=DocumentVersion.objects.filter(
            status=VersionStatus.EFFECTIVE, review_due__lt=today, document__withdrawn_at=None
        ).count(),
        versions_in_review=DocumentVersion.objects.filter(status=VersionStatus.IN_REVIEW).count(),
        audits_planned=Audit.objects.filter(status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS]).count(),
        audits_completed_this_year=Audit.objects.filter(
            status=AuditStatus.COMPLETED, completed_at__year=today.year
        ).count(),
        feedback_average=recent_feedback["average"],
        feedback_count=recent_feedback["n"],
    )


def nonconformities_per_month(*, today: date | None = None) -> tuple[list[date], dict[str, list[int]]]:
    """Nonconformities of each of the last six months, by source: the chart's months and series.

    An automatic nonconformity counts in the month it is about (its breaches'
    or ratings' month), whenever beat opened it; the others in the month they
    were raised.
    """
    today = today or timezone.localdate()
    months = [_first_of_month(today, back) for back in range(CHART_MONTHS - 1, -1, -1)]
    raised_month = TruncMonth("raised_at", output_field=DateField(), tzinfo=timezone.get_current_timezone())
    rows = (
        Nonconformity.objects.annotate(about=Coalesce("month", raised_month))
        .filter(about__gte=months[0])
        .values_list("about", "source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The database hands the truncated month back as a timestamp when the column was empty: a date either way.
    counts = {(month.date() if isinstance(month, datetime) else month, source): n for month, source, n in rows}
    series = {source: [counts.get((month, source), 0) for month in months] for source in NonconformitySource.values}
    return months, series
