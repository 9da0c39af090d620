"""Reads for the board: who may do what, motions with their ballots, the register.

Who is who (PRODUCT.md, "Who uses it"): board members are the people holding
a board role (representative, alternate, observer) in an active agency; they
work on the facility portal, where accounts.selectors.roles_at already counts
their board roles. The board secretary is the facility manager. Everyone on
the board reads motions and results; every agency reads the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import BOARD_ROLES, VOTING_BOARD_ROLES, Membership, Role
from accounts.selectors import has_role
from shared_platform.language import language_of
from tenants.models import Agency

from .models import (
    Ballot,
    BallotChoice,
    BallotRecord,
    Board,
    DecisionRule,
    Meeting,
    Motion,
    MotionEvent,
    MotionEventKind,
    MotionSeat,
    MotionStatus,
    Outcome,
    RegisterEntry,
)
from .rules import Tally, choice_label, decision_compute

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

SECRETARY_ROLES = frozenset({Role.FACILITY_MANAGER})
# Besides the board and its secretary, the auditor reads everything (PRODUCT.md).
BOARD_READER_ROLES = frozenset(BOARD_ROLES | SECRETARY_ROLES | {Role.AUDITOR})


# --- Who may do what ---------------------------------------------------------


def is_board_secretary(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """The secretary runs the board from the facility portal: the facility manager (or a platform administrator)."""
    if not agency.is_facility or not user.is_authenticated:
        return False
    return bool(user.is_staff) or has_role(user=user, agency=agency, roles=SECRETARY_ROLES)


def may_read_board(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """Motions, ballots and results: the board, its secretary and the auditor, on the facility portal."""
    if not agency.is_facility or not user.is_authenticated:
        return False
    return bool(user.is_staff) or has_role(user=user, agency=agency, roles=BOARD_READER_ROLES)


def voting_seats_of(*, user: User | AnonymousUser) -> list[Agency]:
    """The member agencies this person may cast a ballot for (as representative or alternate)."""
    if not user.is_authenticated:
        return []
    agency_ids = Membership.objects.filter(
        user=user, role__in=VOTING_BOARD_ROLES, agency__is_active=True, agency__kind="member"
    ).values("agency_id")
    return list(Agency.objects.filter(pk__in=agency_ids).order_by("code"))


def board_current() -> Board:
    """The board, or its defaults before anything was decided (unsaved)."""
    return Board.objects.order_by("id").first() or Board()


# --- Meetings and motions ----------------------------------------------------


def meeting_list() -> QuerySet[Meeting]:
    return Meeting.objects.order_by("-starts_at", "-id")


def meeting_get(*, meeting_id: int) -> Meeting | None:
    return Meeting.objects.filter(pk=meeting_id).first()


def motion_list(*, status: str | None = None) -> QuerySet[Motion]:
    motions = Motion.objects.select_related("meeting", "concerns_agency", "register_entry")
    if status:
        motions = motions.filter(status=status)
    return motions.order_by("-id")


def motion_get(*, motion_id: int) -> Motion | None:
    return motion_list().filter(pk=motion_id).first()


def motions_due(*, now: object) -> QuerySet[Motion]:
    """Open motions whose closing time has passed (the beat task closes them)."""
    return Motion.objects.filter(status=MotionStatus.OPEN, closes_at__lte=now).order_by("closes_at", "id")


def motion_seats(*, motion: Motion) -> list[MotionSeat]:
    return list(motion.seats.select_related("agency").order_by("agency__code"))


def motion_ballots(*, motion: Motion) -> dict[int, Ballot]:
    """The current ballot of each agency, by agency id."""
    return {ballot.agency_id: ballot for ballot in motion.ballots.select_related("agency", "cast_by")}


def motion_tally(*, motion: Motion) -> Tally:
    """The current ballots of the motion's voting seats (recused agencies excluded)."""
    voting = {seat.agency_id for seat in motion.seats.all() if not seat.is_recused}
    counts = dict.fromkeys(BallotChoice.values, 0)
    for ballot in motion.ballots.all():
        if ballot.agency_id in voting:
            counts[ballot.choice] += 1
    return Tally(
        seats=len(voting),
        in_favour=counts[BallotChoice.FOR],
        against=counts[BallotChoice.AGAINST],
        abstain=counts[BallotChoice.ABSTAIN],
        objections=counts[BallotChoice.OBJECT],
    )


def ballot_history(*, motion: Motion, agency: Agency | None = None) -> QuerySet[BallotRecord]:
    records = BallotRecord.objects.filter(motion=motion).select_related("agency", "cast_by")
    if agency is not None:
        records = records.filter(agency=agency)
    return records.order_by("cast_at", "id")


@dataclass(frozen=True)
class MotionVisibility:
    """What of a motion's ballots may be shown now."""

    tally: bool  # the counts
    agency_choices: bool  # how each agency voted


def motion_visibility(*, motion: Motion) -> MotionVisibility:
    """Hidden results stay hidden until the motion closes; a secret ballot's choices are never shown."""
    results_out = motion.status == MotionStatus.CLOSED or not motion.results_hidden
    return MotionVisibility(tally=results_out, agency_choices=results_out and not motion.is_secret)


# --- The register ------------------------------------------------------------


def register_entry_list() -> QuerySet[RegisterEntry]:
    return RegisterEntry.objects.select_related("motion").order_by("-number")


def register_entry_get(*, number: int) -> RegisterEntry | None:
    """One decision by its number in the register.

    Other apps cite decisions through this: billing's price-list versions and
    cost-sharing keys hold a foreign key to governance.RegisterEntry (the
    decision that approved them) and look it up here.
    """
    return RegisterEntry.objects.select_related("motion").filter(number=number).first()


# --- Results as shown on pages, PDFs and the API ------------------------------

BALLOT_STATE_LABELS = {
    "recused": _("Recused"),
    "did_not_vote": _("Did not vote"),
    "cast": _("Voted (secret ballot)"),
    "hidden": _("Voted (results hidden until the motion closes)"),
}


def ballot_label(*, rule: str, value: str) -> str:
    label = BALLOT_STATE_LABELS.get(value)
    return str(label) if label is not None else choice_label(rule=rule, choice=value)


@dataclass(frozen=True)
class DecisionText:
    """A recorded decision as a reader reads it, in the active language: rule, outcome and why."""

    rule: str
    outcome: str
    explanation: str


def decision_text(*, content: dict[str, Any]) -> DecisionText:
    """The register keeps each decision in the platform's language with the figures behind it; a reader
    reads it in theirs. The explanation is computed again from those figures by the same rules
    (decision_compute is pure); should it ever disagree with the outcome recorded, the record's words stand."""
    rule, outcome = content.get("rule", ""), content.get("outcome", "")
    quorum, counts = content.get("quorum") or {}, content.get("counts") or {}
    explanation = content.get("explanation", "")
    try:
        tally = Tally(
            seats=int(quorum.get("seats", 0)),
            in_favour=int(counts.get("for", 0)),
            against=int(counts.get("against", 0)),
            abstain=int(counts.get("abstain", 0)),
            objections=int(counts.get("object", 0)),
        )
        decision = decision_compute(rule=rule, tally=tally, quorum_percent=int(quorum.get("percent", 50)))
        if decision.outcome == outcome:
            explanation = decision.explanation
    except (TypeError, ValueError):
        pass
    return DecisionText(
        rule=str(DecisionRule(rule).label) if rule in DecisionRule.values else content.get("rule_label", rule),
        outcome=str(Outcome(outcome).label) if outcome in Outcome.values else content.get("outcome_label", outcome),
        explanation=explanation,
    )


@dataclass(frozen=True)
class HistoryLine:
    event: MotionEvent
    detail: str


def motion_history(*, motion: Motion) -> list[HistoryLine]:
    """A motion's events with their details in the reader's language (the rows keep the platform's)."""
    entry = RegisterEntry.objects.filter(motion=motion).first()
    lines = []
    for event in motion.events.select_related("actor"):
        detail = event.detail
        if event.kind == MotionEventKind.OPENED:
            seats = int(detail.split()[0]) if detail[:1].isdigit() else None
            detail = ngettext("%(count)d seat", "%(count)d seats", seats) % {"count": seats} if seats else ""
        elif event.kind == MotionEventKind.CLOSED and entry is not None:
            text = decision_text(content=entry.content)
            detail = gettext("%(outcome)s: %(explanation)s") % {
                "outcome": text.outcome,
                "explanation": text.explanation,
            }
        lines.append(HistoryLine(event=event, detail=detail))
    return lines


@dataclass(frozen=True)
class SeatRow:
    agency: str
    value: str  # a ballot choice, or recused / did_not_vote / cast (secret) / hidden
    label: str


def motion_seat_rows(*, motion: Motion, own_agency_ids: frozenset[int] = frozenset()) -> list[SeatRow]:
    """Each seat and its ballot, as far as it may be shown now.

    A closed motion shows what the register recorded. An open one shows each
    agency's current ballot unless the results are hidden or the ballot is
    secret; an agency always sees its own.
    """
    entry = RegisterEntry.objects.filter(motion=motion).first()
    if entry is not None:
        return [
            SeatRow(
                agency=row["agency"], value=row["ballot"], label=ballot_label(rule=motion.rule, value=row["ballot"])
            )
            for row in entry.content.get("ballots", [])
        ]
    visibility = motion_visibility(motion=motion)
    ballots = motion_ballots(motion=motion)
    rows = []
    for seat in motion_seats(motion=motion):
        ballot = ballots.get(seat.agency_id)
        if seat.is_recused:
            value = "recused"
        elif ballot is None:
            value = "did_not_vote"
        elif visibility.agency_choices or seat.agency_id in own_agency_ids:
            value = ballot.choice
        else:
            value = "cast" if motion.is_secret else "hidden"
        rows.append(SeatRow(agency=seat.agency.code, value=value, label=ballot_label(rule=motion.rule, value=value)))
    return rows


def minutes_language_of(reader: Any) -> str:
    """The language a board member's minutes and result sheets are written in: that of the agency they sit for
    (their voting seat's; the first by code if they hold several), else their own, else the page's."""
    seats = voting_seats_of(user=reader) if reader is not None else []
    if seats:
        return language_of(seats[0])
    return getattr(reader, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
