"""Reading improvement suggestions (ISO 9001:2015 clause 10.3): the committee's board, one's own, the start pages.

The facility's staff read every suggestion (quality.access). An agency's
people read only the ones they made themselves on that agency's address.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from ..models import Process, QualityEvent, Suggestion, SuggestionStatus, SuggestionStep

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Agency

UNDECIDED = (SuggestionStatus.SUBMITTED, SuggestionStatus.DEFERRED)


def _with_people() -> QuerySet[Suggestion]:
    return Suggestion.objects.select_related("process", "agency", "suggested_by", "owner", "decided_by", "scored_by")


# Above every score (25 at most): an unscored suggestion sorts before the scored ones, "to score" first.
UNSCORED_PRIORITY = 100


def with_priority(rows: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """`priority`: the score, or above any score when not yet scored (the board sorts by it, highest first)."""
    return rows.annotate(
        priority=Case(
            When(score__isnull=True, then=Value(UNSCORED_PRIORITY)), default=F("score"), output_field=IntegerField()
        )
    )


def backlog_order(rows: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """The board's order: to score first, then by score, highest first; among equals the oldest first."""
    return with_priority(rows).order_by("-priority", "submitted_at", "pk")


def suggestion_board(*, status: str | None = None, process_code: str | None = None) -> QuerySet[Suggestion]:
    """Every suggestion, for the committee's board, filtered by status and process, in backlog order."""
    rows = _with_people()
    if status:
        rows = rows.filter(status=status)
    if process_code:
        rows = rows.filter(process__code=process_code)
    return backlog_order(rows)


def suggestion_get(*, reference: str) -> Suggestion | None:
    return _with_people().filter(reference=reference).first()


def suggestion_steps(*, suggestion: Suggestion) -> list[SuggestionStep]:
    return list(suggestion.steps.select_related("done_by").order_by("position"))


def suggestion_step_get(*, suggestion: Suggestion, step_id: int) -> SuggestionStep | None:
    return suggestion.steps.select_related("suggestion").filter(pk=step_id).first()


def suggestion_history(*, suggestion: Suggestion) -> QuerySet[QualityEvent]:
    return suggestion.events.select_related("actor").order_by("at", "pk")


def suggestions_mine(*, user: User, agency: Agency) -> QuerySet[Suggestion]:
    """What this person suggested on this agency's address: never anyone else's, never from another address."""
    return _with_people().filter(suggested_by=user, agency=agency).order_by("-submitted_at", "-pk")


def suggestion_mine_get(*, user: User, agency: Agency, reference: str) -> Suggestion | None:
    return suggestions_mine(user=user, agency=agency).filter(reference=reference).first()


def processes_open_to_suggestions() -> QuerySet[Process]:
    return Process.objects.filter(active=True).order_by("code")


def backlog_to_score() -> QuerySet[Suggestion]:
    """For the committee's start page: the undecided suggestions (submitted or deferred), to score first.

    Unscored ones come first, then the scored ones by score, highest first.
    """
    return backlog_order(_with_people().filter(status__in=UNDECIDED))


def suggestions_owned_open(*, user: User) -> QuerySet[Suggestion]:
    """For an owner's start page: the accepted suggestions this person implements, soonest due first."""
    return _with_people().filter(status=SuggestionStatus.ACCEPTED, owner=user).order_by("due_on", "pk")


def suggestions_overdue(*, today: date) -> QuerySet[Suggestion]:
    """Accepted suggestions not implemented by their due date (before `today`), most overdue first."""
    return _with_people().filter(status=SuggestionStatus.ACCEPTED, due_on__lt=today).order_by("due_on", "pk")
