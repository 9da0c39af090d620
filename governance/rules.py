"""How the board decides: every decision rule and the quorum, in one function.

The function is pure (counts in, decision out) so that each rule can be read,
and tested, on its own; services.motion_close feeds it the ballots of a motion.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import BallotChoice, DecisionRule, Outcome

# Which ballots each rule accepts. Under the silence procedure an agency either
# objects or (optionally) says it has no objection; silence is agreement.
CHOICES_BY_RULE: dict[str, list[tuple[str, str]]] = {
    DecisionRule.SIMPLE_MAJORITY: [
        (BallotChoice.FOR, "In favour"),
        (BallotChoice.AGAINST, "Against"),
        (BallotChoice.ABSTAIN, "Abstain"),
    ],
    DecisionRule.TWO_THIRDS: [
        (BallotChoice.FOR, "In favour"),
        (BallotChoice.AGAINST, "Against"),
        (BallotChoice.ABSTAIN, "Abstain"),
    ],
    DecisionRule.CONSENSUS: [
        (BallotChoice.FOR, "In favour"),
        (BallotChoice.AGAINST, "Against (blocks consensus)"),
        (BallotChoice.ABSTAIN, "Abstain (stand aside)"),
    ],
    DecisionRule.SILENCE: [
        (BallotChoice.FOR, "No objection"),
        (BallotChoice.OBJECT, "Object (breaks the silence)"),
    ],
}


def choice_label(*, rule: str, choice: str) -> str:
    return dict(CHOICES_BY_RULE.get(rule, [])).get(choice, BallotChoice(choice).label)


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
            plural = "agency objects" if tally.objections == 1 else "agencies object"
            return Decision(
                outcome=Outcome.REJECTED,
                quorum_applies=False,
                quorum_required=0,
                quorum_met=True,
                explanation=f"The silence was broken: {tally.objections} {plural}.",
            )
        return Decision(
            outcome=Outcome.ADOPTED,
            quorum_applies=False,
            quorum_required=0,
            quorum_met=True,
            explanation="No agency objected.",
        )

    required = quorum_required(seats=tally.seats, quorum_percent=quorum_percent)
    quorum_met = tally.ballots >= required
    if not quorum_met:
        return Decision(
            outcome=Outcome.NO_QUORUM,
            quorum_applies=True,
            quorum_required=required,
            quorum_met=False,
            explanation=f"Only {tally.ballots} of {tally.seats} seats cast a ballot; quorum needs {required}.",
        )

    def decided(adopted: bool, explanation: str) -> Decision:
        return Decision(
            outcome=Outcome.ADOPTED if adopted else Outcome.REJECTED,
            quorum_applies=True,
            quorum_required=required,
            quorum_met=True,
            explanation=explanation,
        )

    counts = f"{tally.in_favour} in favour, {tally.against} against, {tally.abstain} abstaining"
    if rule == DecisionRule.SIMPLE_MAJORITY:
        if tally.votes_cast == 0:
            return decided(False, f"No vote cast for or against ({counts}): no majority.")
        if tally.in_favour == tally.against:
            return decided(False, f"A tie ({counts}) is not a majority.")
        return decided(tally.in_favour > tally.against, f"{counts}; a majority of votes cast is needed.")
    if rule == DecisionRule.TWO_THIRDS:
        if tally.votes_cast == 0:
            return decided(False, f"No vote cast for or against ({counts}): no two-thirds majority.")
        adopted = tally.in_favour * 3 >= tally.votes_cast * 2
        return decided(adopted, f"{counts}; two-thirds of the {tally.votes_cast} votes cast is needed.")
    if rule == DecisionRule.CONSENSUS:
        if tally.against:
            return decided(False, f"{counts}: an agency against blocks consensus.")
        return decided(True, f"{counts}: no agency against.")
    raise ValueError(f"Unknown decision rule {rule!r}")
