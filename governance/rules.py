"""How the board decides: every decision rule and the quorum, in one function.

The function is pure (counts in, decision out) so that each rule can be read,
and tested, on its own; services.motion_close feeds it the ballots of a motion.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import BallotChoice, DecisionRule, Outcome

# Which ballots each rule accepts. Under the silence procedure an agency either
# objects or (optionally) says it has no objection; silence is agreement.
CHOICES_BY_RULE: dict[str, list[tuple[str, Promise]]] = {
    DecisionRule.SIMPLE_MAJORITY: [
        (BallotChoice.FOR, _("In favour")),
        (BallotChoice.AGAINST, _("Against")),
        (BallotChoice.ABSTAIN, _("Abstain")),
    ],
    DecisionRule.TWO_THIRDS: [
        (BallotChoice.FOR, _("In favour")),
        (BallotChoice.AGAINST, _("Against")),
        (BallotChoice.ABSTAIN, _("Abstain")),
    ],
    DecisionRule.CONSENSUS: [
        (BallotChoice.FOR, _("In favour")),
        (BallotChoice.AGAINST, _("Against (blocks consensus)")),
        (BallotChoice.ABSTAIN, _("Abstain (stand aside)")),
    ],
    DecisionRule.SILENCE: [
        (BallotChoice.FOR, _("No objection")),
        (BallotChoice.OBJECT, _("Object (breaks the silence)")),
    ],
}


def choice_label(*, rule: str, choice: str) -> str:
    return str(dict(CHOICES_BY_RULE.get(rule, [])).get(choice, BallotChoice(choice).label))


@dataclass(frozen=True)
class Tally:
    """The ballots of the voting seats (recused agencies are not seats)."""

    seats: int
    in_favour: int = 0
    against: int = 0
    abstain: int = 0
    objections: int = 0

    @property
    def ballots(self) -> int:
        return self.in_favour + self.against + self.abstain + self.objections

    @property
    def votes_cast(self) -> int:
        """Votes cast for or against: abstentions are not counted."""
        return self.in_favour + self.against


@dataclass(frozen=True)
class Decision:
    outcome: str
    quorum_applies: bool
    quorum_required: int
    quorum_met: bool
    explanation: str


def quorum_required(*, seats: int, quorum_percent: int) -> int:
    """The fewest ballots that make more than `quorum_percent` % of `seats` (integers only, no rounding)."""
    return seats * quorum_percent // 100 + 1


def decision_compute(*, rule: str, tally: Tally, quorum_percent: int) -> Decision:
    """Decide a motion from its ballots.

    Quorum (PRODUCT.md, "Governance"): more than `quorum_percent` % of the
    voting seats have cast a ballot (default 50: a majority of the member
    agencies). A recused agency is not a seat: it neither votes nor counts
    towards quorum. Any ballot counts towards quorum, an abstention included.
    Without quorum the motion fails for lack of quorum, whatever the ballots.

    The rules:

    - Simple majority of votes cast: adopted when more agencies vote in
      favour than against. Abstentions are not votes cast; a tie, or no vote
      cast at all (everyone abstained), is not a majority and rejects.
    - Two-thirds of votes cast: adopted when those in favour are at least
      two-thirds of the votes cast (in favour + against; abstentions not
      counted). No vote cast rejects.
    - Consensus: adopted when no agency votes against. Abstaining is
      standing aside and does not block; quorum still applies, so consensus
      needs the quorum's presence.
    - Silence procedure: adopted at the deadline unless an agency objects; a
      single objection breaks the silence and rejects at once. Silence is
      agreement, so quorum does not apply.
    """
    if rule == DecisionRule.SILENCE:
        if tally.objections:
            return Decision(
                outcome=Outcome.REJECTED,
                quorum_applies=False,
                quorum_required=0,
                quorum_met=True,
                explanation=ngettext(
                    "The silence was broken: %(count)d agency objects.",
                    "The silence was broken: %(count)d agencies object.",
                    tally.objections,
                )
                % {"count": tally.objections},
            )
        return Decision(
            outcome=Outcome.ADOPTED,
            quorum_applies=False,
            quorum_required=0,
            quorum_met=True,
            explanation=gettext("No agency objected."),
        )

    required = quorum_required(seats=tally.seats, quorum_percent=quorum_percent)
    quorum_met = tally.ballots >= required
    if not quorum_met:
        return Decision(
            outcome=Outcome.NO_QUORUM,
            quorum_applies=True,
            quorum_required=required,
            quorum_met=False,
            explanation=gettext("Only %(ballots)d of %(seats)d seats cast a ballot; quorum needs %(required)d.")
            % {"ballots": tally.ballots, "seats": tally.seats, "required": required},
        )

    def decided(adopted: bool, explanation: str) -> Decision:
        return Decision(
            outcome=Outcome.ADOPTED if adopted else Outcome.REJECTED,
            quorum_applies=True,
            quorum_required=required,
            quorum_met=True,
            explanation=explanation,
        )

    counts = {
        "counts": gettext("%(for)d in favour, %(against)d against, %(abstain)d abstaining")
        % {"for": tally.in_favour, "against": tally.against, "abstain": tally.abstain},
        "cast": tally.votes_cast,
    }
    if rule == DecisionRule.SIMPLE_MAJORITY:
        if tally.votes_cast == 0:
            return decided(False, gettext("No vote cast for or against (%(counts)s): no majority.") % counts)
        if tally.in_favour == tally.against:
            return decided(False, gettext("A tie (%(counts)s) is not a majority.") % counts)
        return decided(
            tally.in_favour > tally.against, gettext("%(counts)s; a majority of votes cast is needed.") % counts
        )
    if rule == DecisionRule.TWO_THIRDS:
        if tally.votes_cast == 0:
            return decided(False, gettext("No vote cast for or against (%(counts)s): no two-thirds majority.") % counts)
        adopted = tally.in_favour * 3 >= tally.votes_cast * 2
        return decided(
            adopted,
            ngettext(
                "%(counts)s; two-thirds of the %(cast)d vote cast is needed.",
                "%(counts)s; two-thirds of the %(cast)d votes cast is needed.",
                tally.votes_cast,
            )
            % counts,
        )
    if rule == DecisionRule.CONSENSUS:
        if tally.against:
            return decided(False, gettext("%(counts)s: an agency against blocks consensus.") % counts)
        return decided(True, gettext("%(counts)s: no agency against.") % counts)
    raise ValueError(f"Unknown decision rule {rule!r}")
