"""Improvement suggestions through the review committee (ISO 9001:2015 clause 10.3, continual improvement).

Anyone suggests: an agency's people on their agency's address, the
facility's staff on the portal (never the read-only auditor). The review
committee scores impact and effort (score = impact x (6 - effort), so a big
improvement that costs little comes first), then decides: accept, reject or
defer, always with a reason the suggester reads. An accepted suggestion has
an implementation owner among the facility's staff, a due date and steps;
the owner (or the committee) ticks the steps and records what was done.

Every move is checked against TRANSITIONS, takes the row's lock (two
committee members deciding at once: the second meets the new status) and
appends a line to the suggestion's history. The suggester is e-mailed when
the committee decides and when the improvement is implemented.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.selectors import roles_at
from shared_platform import limits
from shared_platform.errors import ApplicationError
from shared_platform.queue import enqueue_after_commit

from ..access import COMMITTEE_ROLES, READ_ONLY_ROLES, READER_ROLES, holds, role_check
from ..models import Process, Suggestion, SuggestionStatus, SuggestionStep
from ..records import event_append, pending_reference, reference_assign

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Agency

# The facility's staff who may suggest and may own an implementation: every facility role but the read-only auditor.
STAFF_ROLES = READER_ROLES - READ_ONLY_ROLES

# STYLE.md rule 3: the only moves a suggestion makes. A deferred one comes back to the committee later.
TRANSITIONS: dict[str, frozenset[str]] = {
    SuggestionStatus.SUBMITTED: frozenset(
        {SuggestionStatus.ACCEPTED, SuggestionStatus.REJECTED, SuggestionStatus.DEFERRED}
    ),
    SuggestionStatus.DEFERRED: frozenset(
        {SuggestionStatus.ACCEPTED, SuggestionStatus.REJECTED, SuggestionStatus.DEFERRED}
    ),
    SuggestionStatus.ACCEPTED: frozenset({SuggestionStatus.IMPLEMENTED}),
    SuggestionStatus.REJECTED: frozenset(),
    SuggestionStatus.IMPLEMENTED: frozenset(),
}
# Still before the committee: may be scored (again) and decided.
UNDECIDED = frozenset({SuggestionStatus.SUBMITTED, SuggestionStatus.DEFERRED})

# What the committee may decide, and the status each leads to.
DECISIONS: dict[str, str] = {
    "accept": SuggestionStatus.ACCEPTED,
    "reject": SuggestionStatus.REJECTED,
    "defer": SuggestionStatus.DEFERRED,
}


def score_of(*, impact: int, effort: int) -> int:
    """impact x (6 - effort): 25 for the biggest improvement at the least effort, 1 for the reverse."""
    return impact * (6 - effort)


def _invalid(message: str, **fields: str) -> ApplicationError:
    return ApplicationError(
        message, code="quality.invalid", status_code=400, fields={name: [text] for name, text in fields.items()}
    )


def _text(value: str | None, *, field: str, limit: int, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise _invalid(missing, **{field: gettext("This field is required.")})
    if len(text) > limit:
        at_most = gettext("At most %(limit)d characters.") % {"limit": limit}
        raise _invalid(at_most, **{field: at_most})
    return text


def _locked(suggestion: Suggestion) -> Suggestion:
    """The suggestion's row, locked for this transaction: whoever comes second sees the first one's change."""
    return Suggestion.objects.select_for_update().get(pk=suggestion.pk)


def _move_check(suggestion: Suggestion, to: str) -> None:
    if to not in TRANSITIONS[suggestion.status]:
        raise ApplicationError(
            gettext("%(reference)s is %(status)s: this step no longer applies.")
            % {"reference": suggestion.reference, "status": suggestion.get_status_display().lower()},
            code="quality.suggestion_wrong_status",
            status_code=409,
        )


def _committee_check(user: User) -> None:
    role_check(user, COMMITTEE_ROLES, gettext("Only the review committee scores and decides suggestions."))


def _implementer_check(suggestion: Suggestion, user: User) -> None:
    if suggestion.owner_id == user.pk and holds(user, STAFF_ROLES):
        return
    role_check(
        user,
        COMMITTEE_ROLES,
        gettext("Only the implementation owner or the review committee works on an accepted suggestion."),
    )


def _sync(target: Suggestion, source: Suggestion) -> Suggestion:
    """The caller's object brought up to date with the locked, changed row."""
    target.__dict__.update({key: value for key, value in source.__dict__.items() if not key.startswith("_")})
    return target


def may_suggest(*, user: User, agency: Agency | None) -> bool:
    """Any of an agency's people on its address; the facility's staff (not the read-only auditor) on the portal."""
    if not user.is_authenticated or not user.is_active or holds(user, READ_ONLY_ROLES):
        return False
    if agency is not None and not agency.is_facility:
        return bool(roles_at(user=user, agency=agency))
    return holds(user, STAFF_ROLES)


@transaction.atomic
def suggestion_submit(
    *,
    process: Process,
    title: str,
    description: str,
    suggested_by: User,
    agency: Agency | None = None,
    at: datetime | None = None,
) -> Suggestion:
    """Record an improvement suggestion to an active process, with its reference SUG-<year>-<n> (clause 10.3).

    `agency` is the agency on whose address it was made (None on the facility
    portal): its people see it there, and only there.
    """
    at = at or timezone.now()
    if agency is not None and agency.is_facility:
        agency = None
    if not may_suggest(user=suggested_by, agency=agency):
        raise ApplicationError(
            gettext("Suggestions come from the agencies' people and the facility's staff; the auditor only reads."),
            code="quality.not_allowed",
            status_code=403,
        )
    if process is None or not process.active:
        raise _invalid(
            gettext("Choose one of the facility's active processes."), process=gettext("Choose an active process.")
        )
    title = _text(title, field="title", limit=limits.NAME, missing=gettext("Give the suggestion a short title."))
    description = _text(
        description,
        field="description",
        limit=limits.LONG_TEXT,
        missing=gettext("Say what would be better, and how."),
    )
    suggestion = Suggestion.objects.create(
        reference=pending_reference(),
        process=process,
        title=title,
        description=description,
        suggested_by=suggested_by,
        agency=agency,
        submitted_at=at,
    )
    reference_assign(suggestion, prefix="SUG", at=at)
    event_append(suggestion, action="submitted", actor=suggested_by, at=at, detail=title)
    return suggestion


def _one_to_five(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise _invalid(
            gettext("Impact and effort are each scored from 1 to 5."), **{field: gettext("A whole number, 1 to 5.")}
        )
    return value


@transaction.atomic
def suggestion_score(
    *, suggestion: Suggestion, impact: int, effort: int, scored_by: User, at: datetime | None = None
) -> Suggestion:
    """The committee's score: impact and effort 1-5, score = impact x (6 - effort) (clause 10.3, prioritising).

    It may be scored again while undecided (submitted or deferred); the
    history keeps every score given.
    """
    at = at or timezone.now()
    _committee_check(scored_by)
    impact = _one_to_five(impact, "impact")
    effort = _one_to_five(effort, "effort")
    locked = _locked(suggestion)
    if locked.status not in UNDECIDED:
        raise ApplicationError(
            gettext("%(reference)s is decided: its score no longer changes.") % {"reference": locked.reference},
            code="quality.suggestion_wrong_status",
            status_code=409,
        )
    rescored = locked.score is not None
    locked.impact, locked.effort, locked.score = impact, effort, score_of(impact=impact, effort=effort)
    locked.scored_by = scored_by
    locked.save(update_fields=["impact", "effort", "score", "scored_by"])
    event_append(
        locked,
        action="rescored" if rescored else "scored",
        actor=scored_by,
        at=at,
        detail=gettext("impact %(impact)d, effort %(effort)d, score %(score)d")
        % {"impact": impact, "effort": effort, "score": locked.score},
    )
    return _sync(suggestion, locked)


def _steps_from(steps: Iterable[str] | str | None) -> list[str]:
    """Implementation steps, one per line (or a list of them); blank lines are dropped."""
    if steps is None:
        return []
    lines = steps.splitlines() if isinstance(steps, str) else list(steps)
    cleaned = [str(line).strip() for line in lines if str(line).strip()]
    for line in cleaned:
        if len(line) > limits.NAME:
            at_most = gettext("A step is at most %(limit)d characters.") % {"limit": limits.NAME}
            raise _invalid(at_most, steps=at_most)
    if len(cleaned) > 50:
        raise _invalid(gettext("At most 50 steps."), steps=gettext("At most 50 steps."))
    return cleaned


def _owner_check(owner: User | None) -> User:
    if owner is None:
        raise _invalid(
            gettext("An accepted suggestion needs an implementation owner."),
            owner=gettext("Choose who implements it."),
        )
    if not owner.is_active or not holds(owner, STAFF_ROLES):
        raise _invalid(
            gettext("The implementation owner is a member of the facility's staff."),
            owner=gettext("Choose a member of the facility's staff."),
        )
    return owner


def _due_check(due_on: date | None, *, decided_at: datetime) -> date:
    if due_on is None:
        raise _invalid(
            gettext("An accepted suggestion needs a date by which it is implemented."),
            due_on=gettext("This field is required."),
        )
    if due_on < timezone.localdate(decided_at):
        raise _invalid(gettext("The due date cannot be in the past."), due_on=gettext("Choose today or a later date."))
    return due_on


@transaction.atomic
def suggestion_decide(
    *,
    suggestion: Suggestion,
    decision: str,
    reason: str,
    decided_by: User,
    owner: User | None = None,
    due_on: date | None = None,
    steps: Iterable[str] | str | None = None,
    at: datetime | None = None,
) -> Suggestion:
    """The committee accepts, rejects or defers a scored suggestion, always with a reason the suggester reads.

    Clause 10.3: an accepted improvement has someone answerable for it (a
    member of the facility's staff), a date and, optionally, its steps (one
    per line). A deferred suggestion comes back to the committee later.
    """
    at = at or timezone.now()
    _committee_check(decided_by)
    if decision not in DECISIONS:
        raise _invalid(
            gettext("Decide to accept, reject or defer."), decision=gettext("Choose accept, reject or defer.")
        )
    reason = _text(
        reason,
        field="reason",
        limit=limits.SHORT_TEXT,
        missing=gettext("Give the reason for the decision: the suggester reads it."),
    )
    to = DECISIONS[decision]
    lines: list[str] = []
    if to == SuggestionStatus.ACCEPTED:
        owner = _owner_check(owner)
        due_on = _due_check(due_on, decided_at=at)
        lines = _steps_from(steps)
    locked = _locked(suggestion)
    _move_check(locked, to)
    if locked.score is None:
        raise ApplicationError(
            gettext("Score %(reference)s (impact and effort) before deciding it.") % {"reference": locked.reference},
            code="quality.suggestion_not_scored",
            status_code=409,
        )
    locked.status = to
    locked.decision_reason = reason
    locked.decided_by = decided_by
    locked.decided_at = at
    fields = ["status", "decision_reason", "decided_by", "decided_at"]
    if to == SuggestionStatus.ACCEPTED:
        locked.owner, locked.due_on = owner, due_on
        fields += ["owner", "due_on"]
    locked.save(update_fields=fields)
    event_append(locked, action=to, actor=decided_by, at=at, detail=reason)
    for position, line in enumerate(lines, start=1):
        SuggestionStep.objects.create(suggestion=locked, position=position, description=line)
    if lines:
        event_append(locked, action="steps_planned", actor=decided_by, at=at, detail="\n".join(lines))
    _notify(locked, step="decided", actor=decided_by)
    return _sync(suggestion, locked)


def _accepted_check(suggestion: Suggestion) -> None:
    if suggestion.status != SuggestionStatus.ACCEPTED:
        raise ApplicationError(
            gettext("Steps are worked on an accepted suggestion only; %(reference)s is %(status)s.")
            % {"reference": suggestion.reference, "status": suggestion.get_status_display().lower()},
            code="quality.suggestion_wrong_status",
            status_code=409,
        )


@transaction.atomic
def suggestion_step_add(
    *, suggestion: Suggestion, description: str, added_by: User, at: datetime | None = None
) -> SuggestionStep:
    """One more implementation step of an accepted suggestion, by its owner or the committee (clause 10.3)."""
    at = at or timezone.now()
    locked = _locked(suggestion)
    _implementer_check(locked, added_by)
    _accepted_check(locked)
    description = _text(description, field="description", limit=limits.NAME, missing=gettext("Say what the step is."))
    if locked.steps.count() >= 50:
        raise _invalid(gettext("At most 50 steps."), description=gettext("At most 50 steps."))
    position = (locked.steps.aggregate(last=Max("position"))["last"] or 0) + 1
    step = SuggestionStep.objects.create(suggestion=locked, position=position, description=description)
    event_append(locked, action="step_added", actor=added_by, at=at, detail=description)
    return step


@transaction.atomic
def suggestion_step_done(*, step: SuggestionStep, done_by: User, at: datetime | None = None) -> SuggestionStep:
    """Tick an implementation step as done, by the owner or the committee; a step is ticked once."""
    at = at or timezone.now()
    locked = _locked(step.suggestion)
    _implementer_check(locked, done_by)
    _accepted_check(locked)
    current = SuggestionStep.objects.select_for_update().get(pk=step.pk)
    if current.done_at is not None:
        raise ApplicationError(gettext("This step is already done."), code="quality.step_already_done", status_code=409)
    current.done_at, current.done_by = at, done_by
    current.save(update_fields=["done_at", "done_by"])
    event_append(locked, action="step_done", actor=done_by, at=at, detail=current.description)
    step.done_at, step.done_by = current.done_at, current.done_by
    return step


@transaction.atomic
def suggestion_implement(
    *, suggestion: Suggestion, outcome: str, implemented_by: User, at: datetime | None = None
) -> Suggestion:
    """Record an accepted suggestion as implemented, saying what was done; every step must be ticked first.

    Clause 10.3 and 9.1: the outcome is the evidence the improvement was made;
    the suggester reads it.
    """
    at = at or timezone.now()
    locked = _locked(suggestion)
    _implementer_check(locked, implemented_by)
    _move_check(locked, SuggestionStatus.IMPLEMENTED)
    outcome = _text(
        outcome, field="outcome", limit=limits.SHORT_TEXT, missing=gettext("Say what was done: the suggester reads it.")
    )
    open_steps = locked.steps.filter(done_at__isnull=True).count()
    if open_steps:
        raise ApplicationError(
            gettext("Tick every implementation step first (%(count)d still open).") % {"count": open_steps},
            code="quality.steps_open",
            status_code=409,
        )
    locked.status = SuggestionStatus.IMPLEMENTED
    locked.implemented_at = at
    locked.outcome = outcome
    locked.save(update_fields=["status", "implemented_at", "outcome"])
    event_append(locked, action="implemented", actor=implemented_by, at=at, detail=outcome)
    _notify(locked, step="implemented", actor=implemented_by)
    return _sync(suggestion, locked)


def _notify(suggestion: Suggestion, *, step: str, actor: User) -> None:
    """E-mail the suggester once the step is committed; not while the demo writes its history."""
    from ledger.services import alerts_are_muted

    from ..notifications_suggestions import suggestion_notify

    if alerts_are_muted():
        return

    enqueue_after_commit(suggestion_notify, suggestion.pk, step, actor.pk)
