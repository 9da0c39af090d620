"""Reading nonconformities, their corrective actions and effectiveness checks (clause 10.2).

The start page and the reminders read `actions_open`, `actions_overdue`,
`checks_due` and `nonconformities_open`; the pages and the API read the rest.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from ledger.models import LedgerEntry, SlaBreach

from ..models import (
    CheckResult,
    CorrectiveAction,
    CriterionKind,
    EffectivenessCheck,
    Nonconformity,
    NonconformityStatus,
    QualityEvent,
)

if TYPE_CHECKING:
    from accounts.models import User


def nonconformity_list(
    *,
    status: str | None = None,
    source: str | None = None,
    agency_code: str | None = None,
    process_code: str | None = None,
    today: date | None = None,
) -> QuerySet[Nonconformity]:
    """Nonconformities with the counts the list shows: actions open and overdue (as of `today`)."""
    rows = Nonconformity.objects.select_related("agency", "service", "owner", "process").annotate(
        actions_open=Count("actions", filter=Q(actions__done_at__isnull=True), distinct=True),
        actions_overdue=Count(
            "actions",
            filter=Q(actions__done_at__isnull=True, actions__due_on__lt=today) if today else Q(pk__in=[]),
            distinct=True,
        ),
    )
    if status == "not_closed":
        rows = rows.exclude(status=NonconformityStatus.CLOSED)
    elif status:
        rows = rows.filter(status=status)
    if source:
        rows = rows.filter(source=source)
    if agency_code:
        rows = rows.filter(agency__code=agency_code)
    if process_code:
        rows = rows.filter(process__code=process_code)
    return rows


def nonconformity_get(*, reference: str) -> Nonconformity | None:
    return (
        Nonconformity.objects.select_related("agency", "service", "owner", "process", "raised_by")
        .filter(reference=reference)
        .first()
    )


def nonconformity_breaches(*, nonconformity: Nonconformity) -> QuerySet[SlaBreach]:
    """The breaches attached to it, with the request each belongs to."""
    return nonconformity.breaches.select_related("entry").order_by("due_at", "pk")


def nonconformity_ratings(*, nonconformity: Nonconformity) -> QuerySet[LedgerEntry]:
    """The rated requests attached to it, with the comment kept as feedback when there is one."""
    return nonconformity.rated_entries.select_related("feedback").order_by("rated_at", "pk")


def nonconformity_actions(*, nonconformity: Nonconformity) -> QuerySet[CorrectiveAction]:
    return nonconformity.actions.select_related("owner", "done_by").order_by("due_on", "pk")


def nonconformity_checks(*, nonconformity: Nonconformity) -> QuerySet[EffectivenessCheck]:
    return nonconformity.checks.select_related("agency", "service", "evaluated_by", "created_by").order_by(
        "period_end", "pk"
    )


def nonconformity_history(*, nonconformity: Nonconformity) -> QuerySet[QualityEvent]:
    return nonconformity.events.select_related("actor").order_by("at", "pk")


def action_get(*, nonconformity: Nonconformity, pk: int) -> CorrectiveAction | None:
    return nonconformity.actions.filter(pk=pk).first()


def check_get(*, nonconformity: Nonconformity, pk: int) -> EffectivenessCheck | None:
    return nonconformity.checks.select_related("nonconformity").filter(pk=pk).first()


def actions_open(*, user: User) -> QuerySet[CorrectiveAction]:
    """This person's corrective actions not yet done, soonest due first (for their start page)."""
    return (
        CorrectiveAction.objects.filter(owner=user, done_at__isnull=True)
        .exclude(nonconformity__status=NonconformityStatus.CLOSED)
        .select_related("nonconformity")
        .order_by("due_on", "pk")
    )


def actions_overdue(*, today: date) -> QuerySet[CorrectiveAction]:
    """Every corrective action past its due date and not done (for the reminders)."""
    return (
        CorrectiveAction.objects.filter(done_at__isnull=True, due_on__lt=today)
        .exclude(nonconformity__status=NonconformityStatus.CLOSED)
        .select_related("nonconformity", "owner")
        .order_by("due_on", "pk")
    )


def checks_due(*, today: date) -> QuerySet[EffectivenessCheck]:
    """Pending checks whose period has ended: a judgement to record, or a figure to conclude (reminders)."""
    return (
        EffectivenessCheck.objects.filter(result=CheckResult.PENDING, period_end__lt=today)
        .select_related("nonconformity", "nonconformity__owner", "agency", "service")
        .order_by("period_end", "pk")
    )


def checks_pending_judgement(*, today: date) -> QuerySet[EffectivenessCheck]:
    return checks_due(today=today).filter(kind=CriterionKind.JUDGEMENT)


def nonconformities_open(*, user: User | None = None) -> QuerySet[Nonconformity]:
    """Nonconformities not closed, oldest first; with `user`, only the ones they own."""
    rows = (
        Nonconformity.objects.exclude(status=NonconformityStatus.CLOSED)
        .select_related("agency", "service", "owner")
        .order_by("raised_at", "pk")
    )
    if user is not None:
        rows = rows.filter(owner=user)
    return rows
