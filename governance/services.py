"""Writes for the board: meetings, motions, ballots, closing, and the register.

PRODUCT.md, "Governance: one agency, one vote". The secretary (facility
manager) creates meetings and motions, opens and closes them; each member
agency's representative or alternates cast its one ballot; closing decides the
motion with governance.rules.decision_compute and appends the decision to the
register (governance.register) exactly once.

A motion moves draft -> open -> closed, or draft -> withdrawn, and nowhere
else (MOTION_TRANSITIONS). Every change writes a MotionEvent row.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from accounts.models import VOTING_BOARD_ROLES, Membership, Role
from shared_platform import limits
from shared_platform.errors import ApplicationError
from tenants.models import Agency, AgencyKind

from . import selectors
from .models import (
    Ballot,
    BallotChoice,
    BallotRecord,
    Board,
    DecisionRule,
    Meeting,
    Motion,
    MotionDocument,
    MotionEvent,
    MotionEventKind,
    MotionSeat,
    MotionStatus,
    RegisterEntry,
)
from .register import register_append, timestamp_text
from .rules import CHOICES_BY_RULE, Decision, Tally, choice_label, decision_compute

if TYPE_CHECKING:
    from accounts.models import User

MOTION_TRANSITIONS: dict[str, set[str]] = {
    MotionStatus.DRAFT: {MotionStatus.OPEN, MotionStatus.WITHDRAWN},
    MotionStatus.OPEN: {MotionStatus.CLOSED},
    MotionStatus.CLOSED: set(),
    MotionStatus.WITHDRAWN: set(),
}

DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".doc", ".xlsx", ".xls", ".odt", ".ods", ".csv", ".txt", ".md"}
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# A withdrawal's reason is kept whole in the motion's history (MotionEvent.detail).
WITHDRAW_REASON_MAX = 500

CLOSED_AT_DEADLINE = "deadline"
CLOSED_BY_SECRETARY = "secretary"
CLOSED_BY_OBJECTION = "silence_broken"


# --- Guards -------------------------------------------------------------------


def _secretary_check(*, user: User) -> None:
    """Only the board secretary (facility manager) or a platform administrator runs the board."""
    is_secretary = (
        user.is_staff or Membership.objects.filter(user=user, agency__isnull=True, role=Role.FACILITY_MANAGER).exists()
    )
    if not (user.is_active and is_secretary):
        raise ApplicationError(
            gettext("Only the board secretary (the facility manager) may do this."),
            code="governance.not_secretary",
            status_code=403,
        )


# Why each move MOTION_TRANSITIONS refuses is refused, in the words of the board's rules of procedure.
_REFUSED_MOVES: dict[tuple[str, str], Promise] = {
    (MotionStatus.DRAFT, MotionStatus.CLOSED): gettext_lazy(
        '"%(motion)s" has not been opened for votes yet, so there is no vote to close.'
    ),
    (MotionStatus.OPEN, MotionStatus.OPEN): gettext_lazy('"%(motion)s" is already open for votes.'),
    (MotionStatus.OPEN, MotionStatus.WITHDRAWN): gettext_lazy(
        '"%(motion)s" is already open for votes; a motion can be withdrawn only before voting starts.'
    ),
    (MotionStatus.WITHDRAWN, MotionStatus.OPEN): gettext_lazy(
        '"%(motion)s" was withdrawn and cannot be opened for votes; table it again as a new motion.'
    ),
    (MotionStatus.WITHDRAWN, MotionStatus.WITHDRAWN): gettext_lazy('"%(motion)s" has already been withdrawn.'),
    (MotionStatus.WITHDRAWN, MotionStatus.CLOSED): gettext_lazy(
        '"%(motion)s" was withdrawn, so there is no vote to close.'
    ),
}


def _transition_check(*, motion: Motion, to: str) -> None:
    if to not in MOTION_TRANSITIONS[motion.status]:
        if motion.status == MotionStatus.CLOSED:
            raise ApplicationError(
                gettext('"%(motion)s" is already closed.') % {"motion": motion.title},
                code="governance.motion_closed",
                status_code=409,
            )
        template = _REFUSED_MOVES.get((motion.status, to), gettext_lazy('"%(motion)s" cannot change that way.'))
        raise ApplicationError(
            str(template) % {"motion": motion.title},
            code="governance.invalid_transition",
            status_code=409,
        )


def _event(*, motion: Motion, kind: str, actor: User | None, at: datetime, detail: str = "") -> MotionEvent:
    return MotionEvent.objects.create(motion=motion, kind=kind, actor=actor, at=at, detail=detail[:500])


def _closing_time_check(*, closes_at: datetime, now: datetime) -> None:
    if timezone.is_naive(closes_at):
        raise ApplicationError(
            gettext("The closing time needs a time zone."),
            code="governance.closing_time_invalid",
            fields={"closes_at": [gettext("Give the time zone, e.g. 2026-12-01T17:00:00-03:00.")]},
        )
    if closes_at <= now:
        raise ApplicationError(
            gettext("The closing time has already passed; choose a time in the future."),
            code="governance.closing_time_past",
            fields={"closes_at": [gettext("Choose a time in the future.")]},
        )


def _text_required(*, value: str, field: str, label: str, max_length: int | None = None) -> str:
    """`label` is what is missing, as a sentence's subject: "A title", "The agenda" (translated by the caller)."""
    value = (value or "").strip()
    if not value:
        raise ApplicationError(
            gettext("%(what)s is required.") % {"what": label},
            code="governance.invalid",
            fields={field: [gettext("Required.")]},
        )
    if max_length is not None and len(value) > max_length:
        raise ApplicationError(
            gettext("%(what)s is at most %(limit)d characters.") % {"what": label, "limit": max_length},
            code="governance.invalid",
            fields={field: [gettext("At most %(limit)d characters.") % {"limit": max_length}]},
        )
    return value


# --- The board and its meetings ----------------------------------------------


def board_ensure() -> Board:
    """The board (there is one), created with its defaults the first time it is needed."""
    board = Board.objects.order_by("id").first()
    if board is None:
        board = Board.objects.create()
    return board


@transaction.atomic
def board_update(*, board: Board, name: str, quorum_percent: int) -> Board:
    """Change the board's name or quorum. Motions already created keep the quorum they were created with."""
    if not 0 <= quorum_percent <= 99:
        raise ApplicationError(
            gettext("The quorum is a percentage from 0 to 99 (more than that share of the seats must vote)."),
            code="governance.invalid_quorum",
            fields={"quorum_percent": [gettext("From 0 to 99.")]},
        )
    board.name = _text_required(value=name, field="name", label=gettext("The board's name"), max_length=200)
    board.quorum_percent = quorum_percent
    board.save(update_fields=["name", "quorum_percent"])
    return board


@transaction.atomic
def meeting_create(*, created_by: User, title: str, starts_at: datetime, agenda: str, location: str = "") -> Meeting:
    """The secretary schedules a board meeting with its agenda (one item per line)."""
    _secretary_check(user=created_by)
    title = _text_required(value=title, field="title", label=gettext("A title"), max_length=200)
    agenda = _text_required(value=agenda, field="agenda", label=gettext("The agenda"), max_length=limits.LONG_TEXT)
    if starts_at is None or timezone.is_naive(starts_at):
        raise ApplicationError(
            gettext("The meeting's start needs a date, a time and a time zone."),
            code="governance.invalid",
            fields={"starts_at": [gettext("Give a date and time with its time zone.")]},
        )
    return Meeting.objects.create(
        board=board_ensure(),
        title=title,
        starts_at=starts_at,
        location=(location or "").strip()[:200],
        agenda=agenda,
        created_by=created_by,
    )


# --- Motions -----------------------------------------------------------------


def _motion_fields_check(
    *,
    title: str,
    text: str,
    rule: str,
    closes_at: datetime,
    concerns_agency: Agency | None,
    concerned_agency_recused: bool,
    now: datetime,
) -> tuple[str, str]:
    title = _text_required(value=title, field="title", label=gettext("A title"), max_length=200)
    text = _text_required(value=text, field="text", label=gettext("The motion's text"), max_length=limits.LONG_TEXT)
    if rule not in DecisionRule.values:
        known = ", ".join(DecisionRule.values)
        raise ApplicationError(
            gettext('Unknown decision rule "%(rule)s"; choose one of %(known)s.') % {"rule": rule, "known": known},
            code="governance.unknown_rule",
            fields={"rule": [gettext("Choose one of %(known)s.") % {"known": known}]},
        )
    _closing_time_check(closes_at=closes_at, now=now)
    if concerns_agency is not None and (concerns_agency.is_facility or concerns_agency.kind == AgencyKind.FACILITY):
        raise ApplicationError(
            gettext("A motion may concern an agency, not the facility itself."),
            code="governance.invalid_agency",
            fields={"concerns_agency": [gettext("Choose an agency.")]},
        )
    if concerned_agency_recused and concerns_agency is None:
        raise ApplicationError(
            gettext("Only the agency a motion concerns can be recused; name that agency."),
            code="governance.recusal_without_agency",
            fields={"concerned_agency_recused": [gettext("Name the agency the motion concerns first.")]},
        )
    return title, text


@transaction.atomic
def motion_create(
    *,
    created_by: User,
    title: str,
    text: str,
    rule: str,
    closes_at: datetime,
    meeting: Meeting | None = None,
    concerns_agency: Agency | None = None,
    concerned_agency_recused: bool = False,
    results_hidden: bool = False,
    is_secret: bool = False,
    now: datetime | None = None,
) -> Motion:
    """The secretary drafts a motion, in a meeting or (meeting None) to be decided in writing.

    It takes the board's current quorum, and needs a decision rule the board
    knows and a closing time in the future. Only the agency it concerns may be
    recused.
    """
    now = now or timezone.now()
    _secretary_check(user=created_by)
    title, text = _motion_fields_check(
        title=title,
        text=text,
        rule=rule,
        closes_at=closes_at,
        concerns_agency=concerns_agency,
        concerned_agency_recused=concerned_agency_recused,
        now=now,
    )
    board = board_ensure()
    motion = Motion.objects.create(
        board=board,
        meeting=meeting,
        title=title,
        text=text,
        rule=rule,
        closes_at=closes_at,
        concerns_agency=concerns_agency,
        concerned_agency_recused=concerned_agency_recused,
        results_hidden=results_hidden,
        is_secret=is_secret,
        quorum_percent=board.quorum_percent,
        created_by=created_by,
    )
    _event(motion=motion, kind=MotionEventKind.CREATED, actor=created_by, at=now)
    return motion


@transaction.atomic
def motion_update(
    *,
    motion: Motion,
    updated_by: User,
    title: str,
    text: str,
    rule: str,
    closes_at: datetime,
    meeting: Meeting | None = None,
    concerns_agency: Agency | None = None,
    concerned_agency_recused: bool = False,
    results_hidden: bool = False,
    is_secret: bool = False,
    now: datetime | None = None,
) -> Motion:
    """A draft can still be changed; once open, the motion the agencies vote on never changes."""
    now = now or timezone.now()
    _secretary_check(user=updated_by)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.status != MotionStatus.DRAFT:
        raise ApplicationError(
            gettext("Only a draft can be changed; the agencies vote on the text as it was opened."),
            code="governance.motion_not_draft",
            status_code=409,
        )
    motion.title, motion.text = _motion_fields_check(
        title=title,
        text=text,
        rule=rule,
        closes_at=closes_at,
        concerns_agency=concerns_agency,
        concerned_agency_recused=concerned_agency_recused,
        now=now,
    )
    motion.rule, motion.closes_at, motion.meeting = rule, closes_at, meeting
    motion.concerns_agency, motion.concerned_agency_recused = concerns_agency, concerned_agency_recused
    motion.results_hidden, motion.is_secret = results_hidden, is_secret
    motion.save(
        update_fields=[
            "title",
            "text",
            "rule",
            "closes_at",
            "meeting",
            "concerns_agency",
            "concerned_agency_recused",
            "results_hidden",
            "is_secret",
        ]
    )
    _event(motion=motion, kind=MotionEventKind.UPDATED, actor=updated_by, at=now)
    return motion


@transaction.atomic
def motion_document_add(*, motion: Motion, added_by: User, title: str, file: UploadedFile) -> MotionDocument:
    """Attach a document (PDF, office file, CSV or text, up to 10 MB) to a motion that is not decided yet."""
    _secretary_check(user=added_by)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.status not in (MotionStatus.DRAFT, MotionStatus.OPEN):
        raise ApplicationError(
            gettext("Documents can be added only before the motion is decided."),
            code="governance.motion_closed",
            status_code=409,
        )
    title = _text_required(value=title, field="title", label=gettext("The document's title"), max_length=200)
    name = (file.name or "").lower()
    if not any(name.endswith(extension) for extension in DOCUMENT_EXTENSIONS):
        raise ApplicationError(
            gettext("Attach a document of one of these kinds: %(kinds)s.")
            % {"kinds": ", ".join(sorted(DOCUMENT_EXTENSIONS))},
            code="governance.document_invalid",
            fields={"file": [gettext("This kind of file is not accepted.")]},
        )
    if file.size is None or file.size > DOCUMENT_MAX_BYTES:
        raise ApplicationError(
            gettext("A document is at most 10 MB."),
            code="governance.document_invalid",
            fields={"file": [gettext("At most 10 MB.")]},
        )
    document = MotionDocument.objects.create(motion=motion, title=title, file=file, added_by=added_by)
    _event(motion=motion, kind=MotionEventKind.DOCUMENT_ADDED, actor=added_by, at=timezone.now(), detail=title)
    return document


@transaction.atomic
def motion_open(*, motion: Motion, opened_by: User, now: datetime | None = None) -> Motion:
    """Open a draft for votes and fix its electorate.

    Every active member agency gets a seat; partners observe and get none.
    The agency the motion concerns is recused if the motion says so: it keeps
    its seat on record but neither votes nor counts towards quorum.
    """
    now = now or timezone.now()
    _secretary_check(user=opened_by)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    _transition_check(motion=motion, to=MotionStatus.OPEN)
    _closing_time_check(closes_at=motion.closes_at, now=now)
    members = list(Agency.objects.agencies().active().filter(kind=AgencyKind.MEMBER).order_by("code"))
    if not members:
        raise ApplicationError(
            gettext("The board has no member agency to vote."), code="governance.no_seats", status_code=409
        )
    MotionSeat.objects.bulk_create(
        MotionSeat(
            motion=motion,
            agency=agency,
            is_recused=motion.concerned_agency_recused and agency.pk == motion.concerns_agency_id,
        )
        for agency in members
    )
    motion.status, motion.opened_at = MotionStatus.OPEN, now
    motion.save(update_fields=["status", "opened_at"])
    _event(motion=motion, kind=MotionEventKind.OPENED, actor=opened_by, at=now, detail=f"{len(members)} seats")
    return motion


@transaction.atomic
def motion_withdraw(*, motion: Motion, withdrawn_by: User, reason: str = "") -> Motion:
    """The secretary withdraws a draft that will not be put to the vote."""
    _secretary_check(user=withdrawn_by)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    _transition_check(motion=motion, to=MotionStatus.WITHDRAWN)
    reason = (reason or "").strip()
    if len(reason) > WITHDRAW_REASON_MAX:
        message = gettext("A reason is at most %(limit)d characters.") % {"limit": WITHDRAW_REASON_MAX}
        raise ApplicationError(message, code="governance.invalid", fields={"reason": [message]})
    motion.status = MotionStatus.WITHDRAWN
    motion.save(update_fields=["status"])
    _event(motion=motion, kind=MotionEventKind.WITHDRAWN, actor=withdrawn_by, at=timezone.now(), detail=reason)
    return motion


# --- Ballots -----------------------------------------------------------------


def _voter_check(*, user: User, agency: Agency) -> None:
    """The agency's representative or one of its alternates, and nobody else, casts its ballot."""
    if not user.is_active:
        raise ApplicationError(
            gettext("This account is not active."), code="governance.not_your_agency", status_code=403
        )
    holds_seat = Membership.objects.filter(
        user=user, agency=agency, role__in=VOTING_BOARD_ROLES, agency__is_active=True
    ).exists()
    if holds_seat and agency.has_vote:
        return
    if not agency.has_vote:
        raise ApplicationError(
            gettext("%(agency)s is a partner of the board: it observes without a vote.") % {"agency": agency.code},
            code="governance.no_vote",
            status_code=403,
        )
    raise ApplicationError(
        gettext("Only %(agency)s's board representative or alternates may vote for %(agency)s.")
        % {"agency": agency.code},
        code="governance.not_your_agency",
        status_code=403,
    )


@transaction.atomic
def ballot_cast(*, motion: Motion, agency: Agency, cast_by: User, choice: str, now: datetime | None = None) -> Ballot:
    """Cast (or change) an agency's one ballot on an open motion.

    One agency, one vote: whoever of the agency's representative and
    alternates casts last, that is the agency's ballot, until the motion
    closes; every ballot is kept in BallotRecord with who and when. The
    database holds one current ballot per agency and motion (unique
    constraint). Ballots are refused once the closing time has passed, even
    before the motion is formally closed. Under the silence procedure an
    objection breaks the silence and closes the motion at once.
    """
    allowed = [value for value, _ in CHOICES_BY_RULE.get(motion.rule, [])]
    if choice not in allowed:
        labels = ", ".join(f'"{value}" ({choice_label(rule=motion.rule, choice=value)})' for value in allowed)
        raise ApplicationError(
            gettext('"%(choice)s" is not a ballot on this motion; choose %(labels)s.')
            % {"choice": choice, "labels": labels},
            code="governance.invalid_choice",
            fields={"choice": [gettext("Choose one of: %(known)s.") % {"known": ", ".join(allowed)}]},
        )
    _voter_check(user=cast_by, agency=agency)
    # The motion's row lock orders ballots and closing: a ballot either lands
    # before the motion closes, and counts, or after, and is refused.
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    now = now or timezone.now()  # read under the lock: ballots are recorded in the order they were taken
    if motion.status == MotionStatus.CLOSED or (motion.status == MotionStatus.OPEN and now >= motion.closes_at):
        raise ApplicationError(
            gettext('Voting on "%(motion)s" has closed.') % {"motion": motion.title},
            code="governance.motion_closed",
            status_code=409,
        )
    if motion.status != MotionStatus.OPEN:
        raise ApplicationError(
            gettext('"%(motion)s" is %(status)s, not open for votes.')
            % {"motion": motion.title, "status": motion.get_status_display().lower()},
            code="governance.motion_not_open",
            status_code=409,
        )
    seat = MotionSeat.objects.filter(motion=motion, agency=agency).first()
    if seat is None:
        raise ApplicationError(
            gettext("%(agency)s had no seat when this motion was opened.") % {"agency": agency.code},
            code="governance.no_seat",
            status_code=403,
        )
    if seat.is_recused:
        raise ApplicationError(
            gettext("%(agency)s is recused from this motion, which concerns it.") % {"agency": agency.code},
            code="governance.recused",
            status_code=403,
        )
    ballot = Ballot.objects.filter(motion=motion, agency=agency).first()
    if ballot is None:
        ballot = Ballot.objects.create(motion=motion, agency=agency, choice=choice, cast_by=cast_by, cast_at=now)
    else:
        ballot.choice, ballot.cast_by, ballot.cast_at, ballot.changes = choice, cast_by, now, ballot.changes + 1
        ballot.save(update_fields=["choice", "cast_by", "cast_at", "changes"])
    BallotRecord.objects.create(motion=motion, agency=agency, choice=choice, cast_by=cast_by, cast_at=now)
    if motion.rule == DecisionRule.SILENCE and choice == BallotChoice.OBJECT:
        _motion_decide(motion=motion, closed_by=None, now=now, reason=CLOSED_BY_OBJECTION, actor=cast_by)
    return ballot


# --- Closing and the register ------------------------------------------------


@transaction.atomic
def motion_close(*, motion: Motion, closed_by: User, now: datetime | None = None) -> RegisterEntry:
    """The secretary closes an open motion (before its closing time, if need be) and records the decision.

    Closing twice is refused (governance.motion_closed); the decision is in
    the register once.
    """
    now = now or timezone.now()
    _secretary_check(user=closed_by)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    _transition_check(motion=motion, to=MotionStatus.CLOSED)
    return _motion_decide(motion=motion, closed_by=closed_by, now=now, reason=CLOSED_BY_SECRETARY, actor=closed_by)


def motions_close_due(*, now: datetime | None = None) -> list[int]:
    """Close every open motion whose closing time has passed; run by beat (governance.tasks).

    Each motion is closed in its own transaction under its row lock, and only
    if it is still open then: two runs at the same moment close each motion
    once, and record its decision once. Returns the ids this run closed.
    """
    now = now or timezone.now()
    closed: list[int] = []
    for motion_id in list(selectors.motions_due(now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            motion = (
                Motion.objects.select_for_update(skip_locked=True)
                .filter(pk=motion_id, status=MotionStatus.OPEN, closes_at__lte=now)
                .first()
            )
            if motion is None:  # closed meanwhile, or being closed by another run right now
                continue
            _motion_decide(motion=motion, closed_by=None, now=now, reason=CLOSED_AT_DEADLINE, actor=None)
            closed.append(motion_id)
    return closed


def _motion_decide(
    *, motion: Motion, closed_by: User | None, now: datetime, reason: str, actor: User | None
) -> RegisterEntry:
    """Close a motion whose row the caller has locked, decide it and append the decision to the register."""
    # Ballots cast up to the closing time count; the closing time is when it closed, if earlier.
    closed_at = min(now, motion.closes_at)
    tally = selectors.motion_tally(motion=motion)
    # The register is the board's record of record: written in the platform's language whoever closes, so its
    # entries (and their hashes) never depend on a reader's choice. Pages and PDFs show them in each reader's
    # language from the figures the entry keeps (selectors.decision_text).
    with translation.override(settings.LANGUAGE_CODE):
        decision = decision_compute(rule=motion.rule, tally=tally, quorum_percent=motion.quorum_percent)
        motion.status, motion.outcome = MotionStatus.CLOSED, decision.outcome
        motion.closed_at, motion.closed_by = closed_at, closed_by
        motion.save(update_fields=["status", "outcome", "closed_at", "closed_by"])
        detail = f"{motion.get_outcome_display()}: {decision.explanation}"
        _event(motion=motion, kind=MotionEventKind.CLOSED, actor=actor, at=now, detail=detail)
        content = _register_content(motion=motion, decision=decision, tally=tally, reason=reason, actor=actor)
    return register_append(motion=motion, content=content, recorded_at=now)


def _register_content(
    *, motion: Motion, decision: Decision, tally: Tally, reason: str, actor: User | None
) -> dict[str, Any]:
    """What the register keeps of a decision: all a reader needs, without a join to any other table."""
    ballots = selectors.motion_ballots(motion=motion)
    seats = []
    for seat in selectors.motion_seats(motion=motion):
        ballot = ballots.get(seat.agency_id)
        if seat.is_recused:
            vote = "recused"
        elif ballot is None:
            vote = "did_not_vote"
        elif motion.is_secret:
            vote = "cast"
        else:
            vote = ballot.choice
        seats.append({"agency": seat.agency.code, "ballot": vote})
    assert motion.closed_at is not None
    return {
        "motion": {
            "id": motion.pk,
            "title": motion.title,
            "text": motion.text,
            "meeting": motion.meeting.title if motion.meeting else None,
            "concerns_agency": motion.concerns_agency.code if motion.concerns_agency else None,
            "secret_ballot": motion.is_secret,
        },
        "rule": motion.rule,
        "rule_label": str(DecisionRule(motion.rule).label),
        "opened_at": timestamp_text(motion.opened_at) if motion.opened_at else None,
        "closes_at": timestamp_text(motion.closes_at),
        "closed_at": timestamp_text(motion.closed_at),
        "closed_how": reason,
        "closed_by": actor.email if actor is not None else None,
        "quorum": {
            "applies": decision.quorum_applies,
            "percent": motion.quorum_percent,
            "seats": tally.seats,
            "required": decision.quorum_required,
            "ballots": tally.ballots,
            "met": decision.quorum_met,
        },
        "counts": {
            "for": tally.in_favour,
            "against": tally.against,
            "abstain": tally.abstain,
            "object": tally.objections,
        },
        "ballots": seats,
        "outcome": decision.outcome,
        "outcome_label": motion.get_outcome_display(),
        "explanation": decision.explanation,
    }
