"""Nonconformities and corrective action (ISO 9001:2015 clause 10.2).

A nonconformity moves OPEN -> ACTION (root cause known, at least one
corrective action) -> VERIFYING (every action done, an effectiveness check
planned) -> CLOSED (the check found the action effective). A check found not
effective takes it back to ACTION and counts a reopening. `TRANSITIONS` is the
whole table; `_move` refuses anything else and writes the history line.

Who: the nonconformity's owner and the keepers (quality focal point, facility
manager) work it; each corrective action's owner ticks their own action; the
read-only auditor reads and changes nothing. By hand, keepers and internal
auditors raise nonconformities.

The platform itself opens one nonconformity per source, agency, service and
month from SLA breaches held by the facility and from ratings of 1 or 2
(`nonconformities_raise_automatic`), and evaluates the measured effectiveness
checks from the ledger (`checks_evaluate`); both run from the beat and are safe
to run twice at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import DateField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import dateformat, timezone
from django.utils.translation import gettext, ngettext

from accounts.models import Role
from ledger.models import Holder, LedgerEntry, SlaBreach
from shared_platform import limits
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from .. import access
from ..models import (
    AUTOMATIC_SOURCES,
    CheckResult,
    CorrectiveAction,
    CriterionKind,
    EffectivenessCheck,
    Nonconformity,
    NonconformitySource,
    NonconformityStatus,
    Process,
    Severity,
)
from ..records import event_append, pending_reference, reference_assign

if TYPE_CHECKING:
    from accounts.models import User
    from service_levels.models import Service

# Raise a nonconformity by hand: the keepers, and the internal auditors (their findings open one too).
RAISER_ROLES = access.KEEPER_ROLES | frozenset({Role.INTERNAL_AUDITOR})

Status = NonconformityStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.ACTION}),
    Status.ACTION: frozenset({Status.VERIFYING}),
    Status.VERIFYING: frozenset({Status.CLOSED, Status.ACTION}),
    Status.CLOSED: frozenset(),
}


@transaction.atomic
def nonconformity_raise(
    *,
    title: str,
    source: str,
    raised_by: User | None,
    description: str = "",
    severity: str = Severity.MINOR,
    process: Process | None = None,
    agency: Agency | None = None,
    service: Service | None = None,
    owner: User | None = None,
    at: datetime | None = None,
) -> Nonconformity:
    """Record a nonconformity (by hand, from a complaint or from an audit finding) with its reference NC-<year>-<n>.

    The automatic sources (SLA breaches, low ratings) are opened by the beat
    task, once per agency, service and month, never through here.
    """
    at = at or timezone.now()
    if raised_by is not None:
        access.role_check(
            raised_by,
            RAISER_ROLES,
            gettext("Only the quality focal point, the facility manager and internal auditors raise nonconformities."),
        )
    if source not in NonconformitySource.values:
        raise ApplicationError(
            gettext("Choose where the nonconformity comes from."),
            code="quality.invalid",
            fields={"source": [gettext("Not a source of nonconformities.")]},
        )
    if severity not in Severity.values:
        raise ApplicationError(
            gettext("A nonconformity is minor or major."),
            code="quality.invalid",
            fields={"severity": [gettext("Minor or major.")]},
        )
    title = (title or "").strip()
    if not title:
        raise ApplicationError(
            gettext("Say in a few words what did not meet the requirement."),
            code="quality.invalid",
            fields={"title": [gettext("This field is required.")]},
        )
    if len(title) > limits.NAME:
        raise ApplicationError(
            gettext("A title is at most %(limit)d characters.") % {"limit": limits.NAME},
            code="quality.invalid",
            fields={"title": [gettext("At most %(limit)d characters.") % {"limit": limits.NAME}]},
        )
    if len(description or "") > limits.LONG_TEXT:
        message = gettext("At most %(limit)d characters.") % {"limit": limits.LONG_TEXT}
        raise ApplicationError(message, code="quality.invalid", fields={"description": [message]})
    if source in AUTOMATIC_SOURCES:
        raise ApplicationError(
            gettext("Nonconformities from SLA breaches and low ratings are opened by the platform itself."),
            code="quality.automatic_source",
        )
    nonconformity = Nonconformity.objects.create(
        reference=pending_reference(),
        title=title,
        description=(description or "").strip(),
        source=source,
        severity=severity,
        process=process,
        agency=agency,
        service=service,
        owner=owner or (process.owner if process is not None else None),
        raised_by=raised_by,
        raised_at=at,
    )
    reference_assign(nonconformity, prefix="NC", at=at)
    event_append(nonconformity, action="raised", actor=raised_by, at=at, detail=title)
    return nonconformity


# -- the workflow ------------------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _locked(nonconformity: Nonconformity) -> Nonconformity:
    return Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)


def _move(nonconformity: Nonconformity, to: str, *, actor: User | None, at: datetime, action: str, detail: str) -> None:
    """The one place a nonconformity's status changes: only along `TRANSITIONS`, always with a history line."""
    if to not in TRANSITIONS[nonconformity.status]:
        raise ApplicationError(
            gettext("%(reference)s is %(status)s: it cannot become %(to)s.")
            % {
                "reference": nonconformity.reference,
                "status": nonconformity.get_status_display().lower(),
                "to": Status(to).label.lower(),
            },
            code="quality.illegal_transition",
            status_code=409,
        )
    nonconformity.status = to
    fields = ["status"]
    if to == Status.CLOSED:
        nonconformity.closed_at = at
        fields.append("closed_at")
    elif nonconformity.closed_at is not None:
        nonconformity.closed_at = None
        fields.append("closed_at")
    if action == "reopened":
        nonconformity.times_reopened += 1
        fields.append("times_reopened")
    nonconformity.save(update_fields=fields)
    event_append(nonconformity, action=action, actor=actor, at=at, detail=detail)


def may_work(*, user: User, nonconformity: Nonconformity) -> bool:
    """The owner and the keepers work a nonconformity; the read-only auditor never does."""
    if not user.is_authenticated or (
        access.holds(user, access.READ_ONLY_ROLES) and not access.holds(user, access.KEEPER_ROLES)
    ):
        return False
    return access.holds(user, access.KEEPER_ROLES) or (
        nonconformity.owner_id is not None and nonconformity.owner_id == user.pk and access.may_read(user)
    )


def _work_check(user: User, nonconformity: Nonconformity) -> None:
    if not may_work(user=user, nonconformity=nonconformity):
        raise ApplicationError(
            gettext("Only the owner of %(reference)s, the quality focal point and the facility manager work it.")
            % {"reference": nonconformity.reference},
            code="quality.not_allowed",
            status_code=403,
        )


def _not_closed_check(nonconformity: Nonconformity) -> None:
    if nonconformity.status == Status.CLOSED:
        raise ApplicationError(
            gettext("%(reference)s is closed: its corrective action was found effective.")
            % {"reference": nonconformity.reference},
            code="quality.closed",
            status_code=409,
        )


def _text(value: str, *, field: str, limit: int, required_message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(
            required_message, code="quality.invalid", fields={field: [gettext("This field is required.")]}
        )
    if len(value) > limit:
        message = gettext("At most %(limit)d characters (this has %(length)d).") % {
            "limit": limit,
            "length": len(value),
        }
        raise ApplicationError(message, code="quality.invalid", fields={field: [message]})
    return value


def _staff_check(person: User | None, *, field: str) -> User:
    if person is None or not person.is_active or not access.holds(person, access.READER_ROLES):
        raise ApplicationError(
            gettext("An owner is a member of the facility's staff."),
            code="quality.invalid",
            fields={field: [gettext("Choose one of the facility's staff.")]},
        )
    if access.holds(person, access.READ_ONLY_ROLES) and not access.holds(person, access.KEEPER_ROLES):
        raise ApplicationError(
            gettext("The auditor reads the quality records and changes nothing: they own no action."),
            code="quality.invalid",
            fields={field: [gettext("Choose someone who can act.")]},
        )
    return person


@transaction.atomic
def nonconformity_assign(
    *, nonconformity: Nonconformity, owner: User, by: User, at: datetime | None = None
) -> Nonconformity:
    """A keeper names who answers for the nonconformity until it is closed (clause 10.2.1)."""
    at = _now(at)
    access.role_check(
        by, access.KEEPER_ROLES, gettext("Only the quality focal point and the facility manager assign an owner.")
    )
    nonconformity = _locked(nonconformity)
    _not_closed_check(nonconformity)
    _staff_check(owner, field="owner")
    nonconformity.owner = owner
    nonconformity.save(update_fields=["owner"])
    event_append(nonconformity, action="assigned", actor=by, at=at, detail=owner.get_full_name() or owner.email)
    return nonconformity


@transaction.atomic
def nonconformity_correct(
    *, nonconformity: Nonconformity, correction: str, by: User, at: datetime | None = None
) -> Nonconformity:
    """The correction: what was done at once to control and correct the nonconformity (clause 10.2.1 a)."""
    at = _now(at)
    nonconformity = _locked(nonconformity)
    _work_check(by, nonconformity)
    _not_closed_check(nonconformity)
    correction = _text(
        correction,
        field="correction",
        limit=limits.SHORT_TEXT,
        required_message=gettext("Say what was done at once to contain the nonconformity."),
    )
    nonconformity.correction = correction
    nonconformity.save(update_fields=["correction"])
    event_append(nonconformity, action="corrected", actor=by, at=at, detail=correction)
    return nonconformity


@transaction.atomic
def nonconformity_analyse(
    *, nonconformity: Nonconformity, root_cause: str, by: User, at: datetime | None = None
) -> Nonconformity:
    """The root cause, found before any corrective action is decided (clause 10.2.1 b)."""
    at = _now(at)
    nonconformity = _locked(nonconformity)
    _work_check(by, nonconformity)
    _not_closed_check(nonconformity)
    root_cause = _text(
        root_cause,
        field="root_cause",
        limit=limits.LONG_TEXT,
        required_message=gettext("Say why it happened: the root cause, not the symptom."),
    )
    nonconformity.root_cause = root_cause
    nonconformity.save(update_fields=["root_cause"])
    event_append(nonconformity, action="analysed", actor=by, at=at, detail=root_cause)
    return nonconformity


@transaction.atomic
def action_add(
    *,
    nonconformity: Nonconformity,
    description: str,
    owner: User,
    due_on: date,
    by: User,
    at: datetime | None = None,
) -> CorrectiveAction:
    """A corrective action with its owner and due date, once the root cause is known (clause 10.2.1 c).

    The first action moves the nonconformity to "corrective action under way".
    While a check is running no action is added: a check found not effective
    reopens the nonconformity for new actions.
    """
    at = _now(at)
    nonconformity = _locked(nonconformity)
    _work_check(by, nonconformity)
    _not_closed_check(nonconformity)
    if not nonconformity.root_cause:
        raise ApplicationError(
            gettext("Record the root cause first: a corrective action removes a cause, not a symptom."),
            code="quality.root_cause_missing",
            status_code=409,
        )
    if nonconformity.status == Status.VERIFYING:
        raise ApplicationError(
            gettext("The effectiveness of the actions is being checked; if they did not work, it reopens."),
            code="quality.verifying",
            status_code=409,
        )
    description = _text(
        description,
        field="description",
        limit=limits.SHORT_TEXT,
        required_message=gettext("Say what will be done."),
    )
    _staff_check(owner, field="owner")
    if not isinstance(due_on, date) or due_on < timezone.localdate(at):
        raise ApplicationError(
            gettext("A due date is today or later."),
            code="quality.invalid",
            fields={"due_on": [gettext("Not in the past.")]},
        )
    action = CorrectiveAction.objects.create(
        nonconformity=nonconformity, description=description, owner=owner, due_on=due_on
    )
    detail = gettext("%(action)s (owner %(owner)s, due %(due)s)") % {
        "action": description,
        "owner": owner.get_full_name() or owner.email,
        "due": due_on.isoformat(),
    }
    if nonconformity.status == Status.OPEN:
        _move(nonconformity, Status.ACTION, actor=by, at=at, action="action_added", detail=detail)
    else:
        event_append(nonconformity, action="action_added", actor=by, at=at, detail=detail)
    return action


@transaction.atomic
def action_done(*, action: CorrectiveAction, note: str, by: User, at: datetime | None = None) -> CorrectiveAction:
    """The action's owner (or a keeper) says it is done and what was done (clause 10.2.1 c)."""
    at = _now(at)
    nonconformity = _locked(action.nonconformity)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    is_owner = action.owner_id == by.pk and not access.holds(by, access.READ_ONLY_ROLES)
    if not (is_owner or access.holds(by, access.KEEPER_ROLES)):
        raise ApplicationError(
            gettext("Only the action's owner, the quality focal point and the facility manager tick it done."),
            code="quality.not_allowed",
            status_code=403,
        )
    _not_closed_check(nonconformity)
    if action.done_at is not None:
        raise ApplicationError(
            gettext("This action was already done on %(date)s.")
            % {"date": timezone.localdate(action.done_at).isoformat()},
            code="quality.already_done",
            status_code=409,
        )
    note = _text(note, field="note", limit=limits.SHORT_TEXT, required_message=gettext("Say what was done."))
    action.done_at, action.done_by, action.done_note = at, by, note
    action.save(update_fields=["done_at", "done_by", "done_note"])
    event_append(nonconformity, action="action_done", actor=by, at=at, detail=f"{action.description[:200]}: {note}")
    return action


@dataclass(frozen=True)
class Criterion:
    """What an effectiveness check measures: from the ledger (with an agency and a threshold) or judged."""

    kind: str
    period_start: date
    period_end: date
    threshold: int | None = None
    agency: Agency | None = None
    service: Service | None = None
    description: str = ""


def _criterion_check(criterion: Criterion, nonconformity: Nonconformity) -> Criterion:
    fields: dict[str, list[str]] = {}
    if criterion.kind not in CriterionKind.values:
        fields["kind"] = [gettext("Choose how the check is measured.")]
    if not isinstance(criterion.period_start, date) or not isinstance(criterion.period_end, date):
        fields["period_start"] = [gettext("Give the first and the last day of the period.")]
    elif criterion.period_end < criterion.period_start:
        fields["period_end"] = [gettext("The period ends on or after the day it starts.")]
    measured = criterion.kind in (CriterionKind.SLA_BREACHES, CriterionKind.LOW_RATINGS)
    agency = criterion.agency or nonconformity.agency
    service = criterion.service if criterion.service is not None or criterion.agency else nonconformity.service
    if measured:
        if criterion.threshold is None or isinstance(criterion.threshold, bool) or criterion.threshold < 0:
            fields["threshold"] = [gettext("Say the most that may still be counted: a whole number, 0 or more.")]
        if agency is None or agency.is_facility:
            fields["agency"] = [gettext("A measured check counts one agency's figures: choose the agency.")]
    description = (criterion.description or "").strip()
    if criterion.kind == CriterionKind.JUDGEMENT and not description:
        fields["description"] = [gettext("Say in words what will show the action worked.")]
    if len(description) > limits.NAME:
        fields["description"] = [gettext("At most %(limit)d characters.") % {"limit": limits.NAME}]
    if fields:
        raise ApplicationError(
            gettext("The effectiveness check is not complete: %(problems)s")
            % {"problems": " ".join(message for messages in fields.values() for message in messages)},
            code="quality.invalid",
            fields=fields,
        )
    return Criterion(
        kind=criterion.kind,
        period_start=criterion.period_start,
        period_end=criterion.period_end,
        threshold=criterion.threshold if measured else None,
        agency=agency if measured else None,
        service=service if measured else None,
        description=description,
    )


@transaction.atomic
def check_plan(
    *, nonconformity: Nonconformity, criterion: Criterion, by: User, at: datetime | None = None
) -> EffectivenessCheck:
    """Plan the effectiveness check once every corrective action is done (clause 10.2.1 d).

    A measured criterion ("UNDP's ICT-INC breaches held by the facility from
    1 to 30 November: at most 1") evaluates itself from the ledger; a
    judgement is recorded by a keeper. Planning it moves the nonconformity to
    "effectiveness being checked". The period may lie in the past: the
    figures of a month already over are as good a measure as those to come.
    """
    at = _now(at)
    nonconformity = _locked(nonconformity)
    _work_check(by, nonconformity)
    _not_closed_check(nonconformity)
    actions = list(nonconformity.actions.all())
    if nonconformity.status != Status.ACTION or not actions:
        raise ApplicationError(
            gettext("Plan the check once the root cause is known and corrective actions are recorded."),
            code="quality.no_actions",
            status_code=409,
        )
    if any(action.done_at is None for action in actions):
        raise ApplicationError(
            gettext("Some corrective actions are still open: the check measures what they achieved once done."),
            code="quality.actions_open",
            status_code=409,
        )
    criterion = _criterion_check(criterion, nonconformity)
    check = EffectivenessCheck.objects.create(
        nonconformity=nonconformity,
        kind=criterion.kind,
        description=criterion.description,
        agency=criterion.agency,
        service=criterion.service,
        period_start=criterion.period_start,
        period_end=criterion.period_end,
        threshold=criterion.threshold,
        created_by=by,
    )
    _move(nonconformity, Status.VERIFYING, actor=by, at=at, action="check_planned", detail=check_describe(check))
    return check


def check_describe(check: EffectivenessCheck) -> str:
    """The criterion in words, as a history line and the pages say it."""
    period = {"start": check.period_start.isoformat(), "end": check.period_end.isoformat()}
    if check.kind == CriterionKind.JUDGEMENT:
        return gettext("%(criterion)s, judged over %(start)s to %(end)s") % {"criterion": check.description, **period}
    what = (
        gettext("SLA breaches held by the facility")
        if check.kind == CriterionKind.SLA_BREACHES
        else gettext("ratings of 1 or 2")
    )
    scope = check.agency.code if check.agency else ""
    if check.service is not None:
        scope = f"{scope} {check.service.code}"
    return gettext("%(scope)s %(what)s from %(start)s to %(end)s: at most %(threshold)d") % {
        "scope": scope,
        "what": what,
        "threshold": check.threshold or 0,
        **period,
    }


def _conclude(
    check: EffectivenessCheck, *, effective: bool, measured: int | None, by: User | None, at: datetime
) -> None:
    """Record the check's result; effective closes the nonconformity, not effective reopens it."""
    check.result = CheckResult.EFFECTIVE if effective else CheckResult.NOT_EFFECTIVE
    check.measured, check.evaluated_at, check.evaluated_by = measured, at, by
    check.save(update_fields=["result", "measured", "evaluated_at", "evaluated_by", "note"])
    nonconformity = check.nonconformity
    figure = (
        ""
        if measured is None
        else gettext("measured %(measured)d, at most %(threshold)d allowed")
        % {
            "measured": measured,
            "threshold": check.threshold or 0,
        }
    )
    detail = "; ".join(part for part in (check_describe(check), figure, check.note) if part)
    if effective:
        _move(nonconformity, Status.CLOSED, actor=by, at=at, action="closed", detail=detail)
    else:
        _move(nonconformity, Status.ACTION, actor=by, at=at, action="reopened", detail=detail)


@transaction.atomic
def check_judge(
    *, check: EffectivenessCheck, effective: bool, note: str, by: User, at: datetime | None = None
) -> EffectivenessCheck:
    """A keeper records whether a check judged in words found the action effective (clause 10.2.1 d)."""
    at = _now(at)
    access.role_check(
        by, access.KEEPER_ROLES, gettext("Only the quality focal point and the facility manager judge a check.")
    )
    _locked(check.nonconformity)
    check = EffectivenessCheck.objects.select_for_update().select_related("nonconformity").get(pk=check.pk)
    if check.kind != CriterionKind.JUDGEMENT:
        raise ApplicationError(
            gettext("This check is measured from the ledger; it evaluates itself."),
            code="quality.measured_check",
            status_code=409,
        )
    if check.result != CheckResult.PENDING:
        raise ApplicationError(
            gettext("This check was already concluded: %(result)s.") % {"result": check.get_result_display().lower()},
            code="quality.check_concluded",
            status_code=409,
        )
    if not isinstance(effective, bool):
        raise ApplicationError(
            gettext("Say whether the action was effective."),
            code="quality.invalid",
            fields={"effective": [gettext("Effective or not effective.")]},
        )
    check.note = _text(
        note, field="note", limit=limits.SHORT_TEXT, required_message=gettext("Say what the judgement rests on.")
    )
    _conclude(check, effective=effective, measured=None, by=by, at=at)
    return check


# -- the self-evaluating check -----------------------------------------------------------------------


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants from the first day's midnight to the day after the last, in the facility's time zone."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def check_measure(check: EffectivenessCheck, *, now: datetime) -> int:
    """The ledger's figure for a measured check, from the period's start up to now (or the period's end)."""
    start, end = period_bounds(check.period_start, check.period_end)
    end = min(end, now)
    rows: QuerySet[Any]
    if check.kind == CriterionKind.SLA_BREACHES:
        rows = SlaBreach.objects.filter(
            held_by=Holder.FACILITY, agency=check.agency_id, due_at__gte=start, due_at__lt=end
        )
    else:
        rows = LedgerEntry.objects.filter(
            agency=check.agency_id, satisfaction__lte=2, rated_at__gte=start, rated_at__lt=end
        )
    if check.service_id is not None:
        rows = rows.filter(service=check.service_id)
    return rows.count()


def _evaluate(check: EffectivenessCheck, *, now: datetime, by: User | None) -> bool:
    """Measure one locked pending check; conclude it when the figure says so. True if it was concluded."""
    measured = check_measure(check, now=now)
    period_over = timezone.localdate(now) > check.period_end
    if measured > (check.threshold or 0):
        _conclude(check, effective=False, measured=measured, by=by, at=now)
        return True
    if period_over:
        _conclude(check, effective=True, measured=measured, by=by, at=now)
        return True
    if check.measured != measured:
        check.measured = measured
        check.save(update_fields=["measured"])
    return False


@transaction.atomic
def checks_evaluate(*, now: datetime | None = None) -> int:
    """Evaluate every pending measured check whose period has started, from the ledger (clause 10.2.1 d).

    More than the threshold, even before the period ends, is a recurrence: not
    effective, and the nonconformity reopens at once. The period over within
    the threshold: effective, and the nonconformity closes. The platform is
    the evaluator (evaluated_by stays empty). Rows are locked and skipped if
    another worker holds them, so two beats at once evaluate each check once.
    Returns how many checks were concluded.
    """
    now = _now(now)
    today = timezone.localdate(now)
    pending = list(
        EffectivenessCheck.objects.filter(result=CheckResult.PENDING, period_start__lte=today)
        .exclude(kind=CriterionKind.JUDGEMENT)
        .order_by("pk")
        .values_list("pk", "nonconformity_id")
    )
    concluded = 0
    for check_id, nonconformity_id in pending:
        # The nonconformity first, then its check: the order "Evaluate now" and the other services lock in.
        nonconformity = Nonconformity.objects.select_for_update(skip_locked=True).filter(pk=nonconformity_id).first()
        if nonconformity is None:
            continue  # another worker (or a person) is on it; the next beat measures it again
        check = EffectivenessCheck.objects.select_for_update().get(pk=check_id)
        if check.result != CheckResult.PENDING:
            continue
        check.nonconformity = nonconformity
        concluded += _evaluate(check, now=now, by=None)
    return concluded


@transaction.atomic
def check_evaluate(*, check: EffectivenessCheck, by: User, now: datetime | None = None) -> EffectivenessCheck:
    """ "Evaluate now": a keeper runs the same evaluation as the beat for one check."""
    now = _now(now)
    access.role_check(
        by, access.KEEPER_ROLES, gettext("Only the quality focal point and the facility manager evaluate a check.")
    )
    nonconformity = _locked(check.nonconformity)
    check = EffectivenessCheck.objects.select_for_update().get(pk=check.pk)
    check.nonconformity = nonconformity
    if check.kind == CriterionKind.JUDGEMENT:
        raise ApplicationError(
            gettext("This check is judged in words: record the judgement."),
            code="quality.judged_check",
            status_code=409,
        )
    if check.result != CheckResult.PENDING:
        raise ApplicationError(
            gettext("This check was already concluded: %(result)s.") % {"result": check.get_result_display().lower()},
            code="quality.check_concluded",
            status_code=409,
        )
    if check.period_start > timezone.localdate(now):
        raise ApplicationError(
            gettext("The period starts on %(date)s: there is nothing to measure yet.")
            % {"date": check.period_start.isoformat()},
            code="quality.not_started",
            status_code=409,
        )
    _evaluate(check, now=now, by=None)
    return check


# -- the automatic nonconformities ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    pk: int
    agency_id: int
    service_id: int
    month: date
    label: str


def _month_of(field: str) -> TruncMonth:
    return TruncMonth(field, output_field=DateField(), tzinfo=timezone.get_current_timezone())


def _title(nonconformity: Nonconformity, source: str, count: int) -> str:
    assert nonconformity.agency is not None and nonconformity.service is not None and nonconformity.month
    month = dateformat.format(nonconformity.month, "F Y")
    if source == NonconformitySource.SLA_BREACH:
        what = ngettext("%(count)d SLA breach", "%(count)d SLA breaches", count) % {"count": count}
    else:
        what = ngettext("%(count)d rating of 1 or 2", "%(count)d ratings of 1 or 2", count) % {"count": count}
    title = gettext("%(agency)s · %(service)s: %(what)s in %(month)s") % {
        "agency": nonconformity.agency.code,
        "service": nonconformity.service.name,
        "what": what,
        "month": month,
    }
    return title[: limits.NAME]


def _attach(source: str, found: list[_Found], *, now: datetime) -> int:
    """Attach each breach or rating to its month's automatic nonconformity, opening the ones missing.

    INSERT ... ON CONFLICT DO NOTHING on the partial unique index, then lock
    the month's rows: a second worker waits on the lock, then finds the rows
    already attached and attaches nothing twice.
    """
    groups: dict[tuple[int, int, date], list[_Found]] = defaultdict(list)
    for row in found:
        groups[(row.agency_id, row.service_id, row.month)].append(row)
    Nonconformity.objects.bulk_create(
        [
            Nonconformity(
                reference=pending_reference(),
                title="…",
                source=source,
                agency_id=agency_id,
                service_id=service_id,
                month=month,
                raised_at=now,
            )
            for agency_id, service_id, month in groups
        ],
        ignore_conflicts=True,
    )
    keys = Q()
    for agency_id, service_id, month in groups:
        keys |= Q(agency_id=agency_id, service_id=service_id, month=month)
    locked = (
        Nonconformity.objects.select_for_update(of=("self",))
        .select_related("agency", "service")
        .filter(keys, source=source)
        .order_by("pk")
    )
    processes = _process_by_service({service_id for _, service_id, _ in groups})
    through: Any = (
        Nonconformity.breaches.through
        if source == NonconformitySource.SLA_BREACH
        else Nonconformity.rated_entries.through
    )
    column = "slabreach_id" if source == NonconformitySource.SLA_BREACH else "ledgerentry_id"
    attached = 0
    for nonconformity in locked:
        rows = groups[(nonconformity.agency_id, nonconformity.service_id, nonconformity.month)]  # type: ignore[index]
        already = set(
            through.objects.filter(
                nonconformity_id=nonconformity.pk, **{f"{column}__in": [row.pk for row in rows]}
            ).values_list(column, flat=True)
        )
        new = [row for row in rows if row.pk not in already]
        if not new:
            continue
        through.objects.bulk_create(
            [through(nonconformity_id=nonconformity.pk, **{column: row.pk}) for row in new], ignore_conflicts=True
        )
        attached += len(new)
        count = through.objects.filter(nonconformity_id=nonconformity.pk).count()
        is_new = nonconformity.reference.startswith("new-")
        if is_new:
            reference_assign(nonconformity, prefix="NC", at=now)
            process = processes.get(nonconformity.service_id)  # type: ignore[arg-type]
            nonconformity.process, nonconformity.owner = process, process.owner if process else None
        nonconformity.title = _title(nonconformity, source, count)
        nonconformity.save(update_fields=["title", "process", "owner"])
        if is_new:
            event_append(nonconformity, action="raised", actor=None, at=now, detail=nonconformity.title)
        labels = ", ".join(row.label for row in new)
        detail = ngettext("%(count)d attached: %(items)s", "%(count)d attached: %(items)s", len(new)) % {
            "count": len(new),
            "items": labels,
        }
        if nonconformity.status == Status.CLOSED:
            detail += " " + gettext("(recorded; a recurrence is judged by the effectiveness check, not reopened here)")
        event_append(
            nonconformity,
            action="breaches_attached" if source == NonconformitySource.SLA_BREACH else "ratings_attached",
            actor=None,
            at=now,
            detail=detail,
        )
    return attached


def _process_by_service(service_ids: set[int]) -> dict[int, Process]:
    """The active process each service measures (the first by code if two claim it)."""
    found: dict[int, Process] = {}
    links = (
        Process.services.through.objects.filter(service_id__in=service_ids, process__active=True)
        .select_related("process__owner")
        .order_by("process__code")
    )
    for link in links:
        found.setdefault(link.service_id, link.process)
    return found


@transaction.atomic
def nonconformities_raise_automatic(*, now: datetime | None = None) -> int:
    """Open or extend the month's nonconformity for every new facility-held SLA breach and rating of 1 or 2.

    One nonconformity per source, agency, service and month (the month of the
    breach's due time, or of the rating, in the facility's time zone), with
    the breaches and ratings attached, however many beat workers run at once
    (clause 10.2.1: react to the nonconformity). Breaches held by the
    requester or a supplier are not the facility's nonconformity. A closed
    nonconformity that receives a new breach of its month stays closed; the
    attachment is in its history, and its effectiveness check judged the
    recurrence. Returns how many breaches and ratings were attached.
    """
    now = _now(now)
    breaches = (
        SlaBreach.objects.filter(held_by=Holder.FACILITY, recorded_at__lte=now)
        .exclude(
            pk__in=Nonconformity.breaches.through.objects.filter(
                nonconformity__source=NonconformitySource.SLA_BREACH
            ).values("slabreach_id")
        )
        .annotate(month=_month_of("due_at"))
        .values_list("pk", "agency_id", "service_id", "month", "entry__reference", "metric")
    )
    ratings = (
        LedgerEntry.objects.filter(satisfaction__lte=2, rated_at__lte=now)
        .exclude(
            pk__in=Nonconformity.rated_entries.through.objects.filter(
                nonconformity__source=NonconformitySource.LOW_RATING
            ).values("ledgerentry_id")
        )
        .annotate(month=_month_of("rated_at"))
        .values_list("pk", "agency_id", "service_id", "month", "reference", "satisfaction")
    )
    attached = 0
    found = [
        _Found(pk, agency, service, month, f"{reference} ({metric})")
        for pk, agency, service, month, reference, metric in breaches
    ]
    if found:
        attached += _attach(NonconformitySource.SLA_BREACH, found, now=now)
    found = [
        _Found(pk, agency, service, month, f"{reference} ({score}/5)")
        for pk, agency, service, month, reference, score in ratings
    ]
    if found:
        attached += _attach(NonconformitySource.LOW_RATING, found, now=now)
    return attached
