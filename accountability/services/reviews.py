"""The management review (ISO 9001:2015 clause 9.3): planned, its pack compiled, held, its actions tracked, closed.

A review moves PLANNED -> HELD -> CLOSED, and only so (`TRANSITIONS`, `_move`).
While planned its pack is compiled from the platform (every input clause 9.3.2
lists, `selectors.reviews.pack_compile`) as often as the keepers like; holding
it freezes the pack with the minutes and the attendees, so what the meeting saw
stays what it saw. The meeting's decisions and actions (clause 9.3.3) are
`ReviewOutput` rows; an action has an owner and a due date, and is completed
(with its outcome) or dropped (with the reason). A review closes only when no
action of it is open.

Who: the quality focal point and the facility manager (REVIEW_KEEPER_ROLES)
do all of it; an action's owner completes their own action; every other
facility role reads, and the read-only auditor changes nothing.

History: each step appends a line to `pack["history"]` (stable action word,
ISO time, actor id, detail), under the review's row lock. `quality.QualityEvent`
does not fit: its check constraint requires exactly one of its five record
columns, and a review is none of them; a table of our own would need a
migration beside the other parts' while they are written. The history survives
recompiling (the compiler keeps it) and the pages translate its action words.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.selectors import facility_roles
from quality.records import pending_reference, reference_assign
from shared_platform import limits
from shared_platform.errors import ApplicationError

from .. import access
from ..models import ManagementReview, OutputKind, OutputStatus, ReviewOutput, ReviewStatus

if TYPE_CHECKING:
    from accounts.models import User

Status = ReviewStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.HELD}),
    Status.HELD: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
OUTPUT_TRANSITIONS: dict[str, frozenset[str]] = {
    OutputStatus.OPEN: frozenset({OutputStatus.DONE, OutputStatus.DROPPED}),
    OutputStatus.DONE: frozenset(),
    OutputStatus.DROPPED: frozenset(),
}
# The earliest and latest dates a review may name: a typo such as year 2 or 9999 is refused, never stored.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


# -- who may do what -------------------------------------------------------------------------------


def may_keep(user: User | Any) -> bool:
    """Plan, compile, hold, record outputs and close: the keepers, never the read-only auditor alone."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = facility_roles(user)
    return bool(roles & access.REVIEW_KEEPER_ROLES)


def may_complete(*, user: User | Any, output: ReviewOutput) -> bool:
    """An open action is completed by its owner or a keeper (the review held, not closed)."""
    if output.status != OutputStatus.OPEN or output.kind != OutputKind.ACTION:
        return False
    if output.review.status != Status.HELD:
        return False
    if may_keep(user):
        return True
    if not getattr(user, "is_authenticated", False) or output.owner_id != user.pk:
        return False
    return access.holds_facility_role(user, access.FACILITY_READER_ROLES)


def _keeper_check(user: User) -> None:
    if not may_keep(user):
        raise ApplicationError(
            gettext("Only the quality focal point and the facility manager prepare and record the management review."),
            code="accountability.review_not_allowed",
            status_code=403,
        )


# -- small checks -----------------------------------------------------------------------------------


def _text(value: str | None, *, field: str, limit: int, required: str | None = None) -> str:
    value = (value or "").strip()
    if required is not None and not value:
        raise ApplicationError(
            required, code="accountability.review_invalid", fields={field: [gettext("This field is required.")]}
        )
    if len(value) > limit:
        message = gettext("At most %(limit)d characters (this has %(length)d).") % {
            "limit": limit,
            "length": len(value),
        }
        raise ApplicationError(message, code="accountability.review_invalid", fields={field: [message]})
    return value


def _date(value: date | None, *, field: str) -> date:
    if value is None:
        raise ApplicationError(
            gettext("Give the date."),
            code="accountability.review_invalid",
            fields={field: [gettext("This field is required.")]},
        )
    if not EARLIEST <= value <= LATEST:
        message = gettext("Give a date between %(earliest)s and %(latest)s.") % {
            "earliest": EARLIEST.isoformat(),
            "latest": LATEST.isoformat(),
        }
        raise ApplicationError(message, code="accountability.review_invalid", fields={field: [message]})
    return value


def _staff_check(person: User | None, *, field: str, message: str) -> User:
    """A chair or an action's owner: an active member of the facility's staff who can act (not the auditor)."""
    roles = facility_roles(person) if person is not None else set()
    acts = bool(roles & (access.FACILITY_READER_ROLES - access.READ_ONLY_ROLES))
    if person is None or not person.is_active or not acts:
        raise ApplicationError(
            message,
            code="accountability.review_invalid",
            fields={field: [gettext("Choose one of the facility's staff.")]},
        )
    return person


def _locked(review: ManagementReview) -> ManagementReview:
    return ManagementReview.objects.select_for_update().get(pk=review.pk)


def history_append(
    review: ManagementReview, *, action: str, actor: User | None, at: datetime, detail: str = ""
) -> None:
    """One line of the review's history, in its pack (the caller holds the row lock and saves `pack`)."""
    pack = dict(review.pack or {})
    history = list(pack.get("history", []))
    history.append(
        {
            "at": at.isoformat(),
            "action": action,
            "actor": actor.pk if actor is not None else None,
            "detail": detail[: limits.SHORT_TEXT],
        }
    )
    pack["history"] = history
    review.pack = pack


def _move(review: ManagementReview, to: str, *, actor: User, at: datetime, detail: str, fields: list[str]) -> None:
    """The one place a review's status changes: along `TRANSITIONS`, with its history line, with update_fields."""
    if to not in TRANSITIONS[review.status]:
        raise ApplicationError(
            gettext("%(reference)s is %(status)s: it cannot become %(to)s.")
            % {
                "reference": review.reference,
                "status": review.get_status_display().lower(),
                "to": Status(to).label.lower(),
            },
            code="accountability.review_wrong_status",
            status_code=409,
        )
    review.status = to
    history_append(review, action=to, actor=actor, at=at, detail=detail)
    review.save(update_fields=["status", "pack", *fields])


# -- the review -------------------------------------------------------------------------------------


@transaction.atomic
def review_plan(
    *,
    title: str,
    period_from: date,
    period_to: date,
    meeting_on: date,
    chair: User | None,
    by: User,
    at: datetime | None = None,
) -> ManagementReview:
    """Plan a management review of a period, with its chair and meeting day (clause 9.3.1: at planned intervals).

    The period is the one whose results the pack reports (for example the last
    quarter); the meeting is on or after its first day. Reference MR-<year>-<n>.
    """
    at = at or timezone.now()
    _keeper_check(by)
    title = _text(title, field="title", limit=limits.NAME, required=gettext("Give the review a title."))
    period_from = _date(period_from, field="period_from")
    period_to = _date(period_to, field="period_to")
    meeting_on = _date(meeting_on, field="meeting_on")
    if period_to < period_from:
        message = gettext("The period ends on or after the day it starts.")
        raise ApplicationError(message, code="accountability.review_invalid", fields={"period_to": [message]})
    if meeting_on < period_from:
        message = gettext("The meeting reviews the period: it is held on or after the period's first day.")
        raise ApplicationError(message, code="accountability.review_invalid", fields={"meeting_on": [message]})
    chair = _staff_check(
        chair, field="chair", message=gettext("The chair is a member of the facility's staff who can act.")
    )
    review = ManagementReview.objects.create(
        reference=pending_reference(),
        title=title,
        period_from=period_from,
        period_to=period_to,
        meeting_on=meeting_on,
        chair=chair,
        created_by=by,
        created_at=at,
    )
    reference_assign(review, prefix="MR", at=at)
    history_append(review, action="planned", actor=by, at=at, detail=title)
    review.save(update_fields=["pack"])
    return review


@transaction.atomic
def review_pack_compile(*, review: ManagementReview, by: User | None, at: datetime | None = None) -> ManagementReview:
    """Compile (again) the review pack from the platform: every input ISO 9001 clause 9.3.2 lists, for the period.

    Only while the review is planned: holding it freezes what the meeting saw.
    Also records the nonconformities of the period (raised in it, or open
    during it) as the ones the review discusses: the last link of the chain
    from a breached request. `by` is None when the platform compiles it.
    """
    from ..selectors.reviews import pack_compile, period_nonconformities

    at = at or timezone.now()
    if by is not None:
        _keeper_check(by)
    review = _locked(review)
    if review.status != Status.PLANNED:
        raise ApplicationError(
            gettext("%(reference)s was held: its pack is what the meeting saw and is not compiled again.")
            % {"reference": review.reference},
            code="accountability.review_pack_frozen",
            status_code=409,
        )
    history = list((review.pack or {}).get("history", []))
    review.pack = pack_compile(
        period_from=review.period_from, period_to=review.period_to, at=at, meeting_on=review.meeting_on
    )
    review.pack["history"] = history
    review.compiled_at = at
    history_append(review, action="compiled", actor=by, at=at)
    review.save(update_fields=["pack", "compiled_at"])
    review.nonconformities.set(period_nonconformities(period_from=review.period_from, period_to=review.period_to))
    return review


@transaction.atomic
def review_hold(
    *, review: ManagementReview, minutes: str, attendees: str, by: User, at: datetime | None = None
) -> ManagementReview:
    """Record that the review was held, with its minutes and attendees; the pack is frozen from now on (9.3.3).

    A review is held with a compiled pack: the inputs of clause 9.3.2 are what
    the meeting considered.
    """
    at = at or timezone.now()
    _keeper_check(by)
    minutes = _text(minutes, field="minutes", limit=limits.LONG_TEXT, required=gettext("Write the minutes."))
    attendees = _text(
        attendees, field="attendees", limit=limits.SHORT_TEXT, required=gettext("Say who attended the meeting.")
    )
    review = _locked(review)
    if review.status == Status.PLANNED and review.compiled_at is None:
        raise ApplicationError(
            gettext("Compile the pack first: the meeting considers every input of clause 9.3.2."),
            code="accountability.review_pack_missing",
            status_code=409,
        )
    review.minutes = minutes
    review.attendees = attendees
    review.held_at = at
    _move(review, Status.HELD, actor=by, at=at, detail="", fields=["minutes", "attendees", "held_at"])
    return review


@transaction.atomic
def review_close(*, review: ManagementReview, by: User, at: datetime | None = None) -> ManagementReview:
    """Close a held review once every action it decided is done or dropped (clause 9.3.3: tracked to completion)."""
    at = at or timezone.now()
    _keeper_check(by)
    review = _locked(review)
    still_open = review.outputs.filter(kind=OutputKind.ACTION, status=OutputStatus.OPEN).count()
    if review.status == Status.HELD and still_open:
        raise ApplicationError(
            gettext("%(reference)s has %(count)d open actions: complete or drop them before closing the review.")
            % {"reference": review.reference, "count": still_open},
            code="accountability.review_actions_open",
            status_code=409,
        )
    review.closed_at = at
    _move(review, Status.CLOSED, actor=by, at=at, detail="", fields=["closed_at"])
    return review


# -- decisions and actions (clause 9.3.3) ------------------------------------------------------------


@transaction.atomic
def review_output_add(
    *,
    review: ManagementReview,
    kind: str,
    text: str,
    by: User,
    owner: User | None = None,
    due_on: date | None = None,
    at: datetime | None = None,
) -> ReviewOutput:
    """Record a decision or an action of the held review; an action has an owner and a due date (clause 9.3.3)."""
    at = at or timezone.now()
    _keeper_check(by)
    if kind not in OutputKind.values:
        raise ApplicationError(
            gettext("An output is a decision or an action."),
            code="accountability.review_invalid",
            fields={"kind": [gettext("A decision or an action.")]},
        )
    text = _text(
        text, field="text", limit=limits.SHORT_TEXT, required=gettext("Say what was decided or is to be done.")
    )
    if kind == OutputKind.ACTION:
        owner = _staff_check(
            owner, field="owner", message=gettext("An action has an owner: a member of the facility's staff.")
        )
        due_on = _date(due_on, field="due_on")
    else:
        owner, due_on = None, None
    review = _locked(review)
    if review.status != Status.HELD:
        raise ApplicationError(
            gettext("Decisions and actions are recorded once the review is held and until it is closed."),
            code="accountability.review_wrong_status",
            status_code=409,
        )
    output = ReviewOutput.objects.create(
        review=review, kind=kind, text=text, owner=owner, due_on=due_on, created_by=by, created_at=at
    )
    history_append(review, action=f"{kind}_added", actor=by, at=at, detail=text[:200])
    review.save(update_fields=["pack"])
    return output


def _output_move(output: ReviewOutput, to: str, *, outcome: str, by: User, at: datetime) -> ReviewOutput:
    review = _locked(output.review)
    output = ReviewOutput.objects.select_for_update().select_related("review").get(pk=output.pk)
    if review.status != Status.HELD or output.kind != OutputKind.ACTION or to not in OUTPUT_TRANSITIONS[output.status]:
        raise ApplicationError(
            gettext("This action is %(status)s: it cannot become %(to)s.")
            % {"status": output.get_status_display().lower(), "to": OutputStatus(to).label.lower()},
            code="accountability.review_wrong_status",
            status_code=409,
        )
    output.status = to
    output.outcome = outcome
    output.done_at = at
    output.save(update_fields=["status", "outcome", "done_at"])
    history_append(review, action=f"action_{to}", actor=by, at=at, detail=output.text[:200])
    review.save(update_fields=["pack"])
    return output


@transaction.atomic
def review_output_complete(*, output: ReviewOutput, outcome: str, by: User, at: datetime | None = None) -> ReviewOutput:
    """The owner (or a keeper) records an action done, with what was done (clause 9.3.3: actions followed up)."""
    at = at or timezone.now()
    if not may_complete(user=by, output=output):
        raise ApplicationError(
            gettext("Only the action's owner, the quality focal point and the facility manager complete it."),
            code="accountability.review_not_allowed",
            status_code=403,
        )
    outcome = _text(outcome, field="outcome", limit=limits.SHORT_TEXT, required=gettext("Say what was done."))
    return _output_move(output, OutputStatus.DONE, outcome=outcome, by=by, at=at)


@transaction.atomic
def review_output_drop(*, output: ReviewOutput, reason: str, by: User, at: datetime | None = None) -> ReviewOutput:
    """A keeper drops an action no longer needed, with the reason (kept as its outcome)."""
    at = at or timezone.now()
    _keeper_check(by)
    reason = _text(reason, field="outcome", limit=limits.SHORT_TEXT, required=gettext("Say why it is dropped."))
    return _output_move(output, OutputStatus.DROPPED, outcome=reason, by=by, at=at)
