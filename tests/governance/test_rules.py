"""The decision rules and the quorum (governance.rules.decision_compute), each with its edge cases."""

import pytest

from governance.models import DecisionRule, Outcome
from governance.rules import Tally, decision_compute, quorum_required

MAJORITY_QUORUM = 50


def decide(rule: str, quorum_percent: int = MAJORITY_QUORUM, **counts: int) -> str:
    return decision_compute(rule=rule, tally=Tally(**counts), quorum_percent=quorum_percent).outcome


# --- Quorum --------------------------------------------------------------------


@pytest.mark.parametrize(("seats", "required"), [(6, 4), (5, 3), (4, 3), (3, 2), (2, 2), (1, 1), (0, 1)])
def test_quorum_is_a_majority_of_the_seats_by_default(seats, required):
    assert quorum_required(seats=seats, quorum_percent=50) == required


def test_quorum_exactly_met_decides_the_motion():
    # given six seats: quorum is four ballots
    # when exactly four cast, three in favour
    outcome = decide(DecisionRule.SIMPLE_MAJORITY, seats=6, in_favour=3, against=1)
    # then
    assert outcome == Outcome.ADOPTED


def test_one_ballot_short_of_quorum_fails_for_lack_of_quorum_whatever_the_ballots():
    # given six seats, three unanimous ballots
    decision = decision_compute(rule=DecisionRule.SIMPLE_MAJORITY, tally=Tally(seats=6, in_favour=3), quorum_percent=50)
    # then
    assert decision.outcome == Outcome.NO_QUORUM
    assert (decision.quorum_required, decision.quorum_met) == (4, False)
    assert "quorum needs 4" in decision.explanation


def test_abstentions_count_towards_quorum():
    # given four of six seats cast, three of them abstaining
    outcome = decide(DecisionRule.SIMPLE_MAJORITY, seats=6, in_favour=1, abstain=3)
    # then quorum is met, and one vote for beats none against
    assert outcome == Outcome.ADOPTED


def test_recusal_lowers_the_quorum():
    # given six member agencies, one recused: five seats, quorum three
    # when three cast
    outcome = decide(DecisionRule.SIMPLE_MAJORITY, seats=5, in_favour=2, against=1)
    # then the quorum is met (with six seats it would not be)
    assert outcome == Outcome.ADOPTED
    assert decide(DecisionRule.SIMPLE_MAJORITY, seats=6, in_favour=2, against=1) == Outcome.NO_QUORUM


def test_an_editable_quorum_of_more_than_66_percent():
    # more than 66 % of six seats is four ballots; of eight seats, six
    assert quorum_required(seats=6, quorum_percent=66) == 4
    assert quorum_required(seats=8, quorum_percent=66) == 6
    assert decide(DecisionRule.SIMPLE_MAJORITY, quorum_percent=66, seats=8, in_favour=5) == Outcome.NO_QUORUM
    assert decide(DecisionRule.SIMPLE_MAJORITY, quorum_percent=66, seats=8, in_favour=6) == Outcome.ADOPTED


def test_a_quorum_of_zero_needs_one_ballot():
    assert decide(DecisionRule.CONSENSUS, quorum_percent=0, seats=6) == Outcome.NO_QUORUM
    assert decide(DecisionRule.CONSENSUS, quorum_percent=0, seats=6, in_favour=1) == Outcome.ADOPTED


# --- Simple majority -----------------------------------------------------------


def test_simple_majority_adopts_with_more_for_than_against():
    assert decide(DecisionRule.SIMPLE_MAJORITY, seats=6, in_favour=4, against=2) == Outcome.ADOPTED


def test_simple_majority_rejects_with_more_against():
    assert decide(DecisionRule.SIMPLE_MAJORITY, seats=6, in_favour=2, against=4) == Outcome.REJECTED


def test_a_tie_is_not_a_majority():
    decision = decision_compute(
        rule=DecisionRule.SIMPLE_MAJORITY, tally=Tally(seats=6, in_favour=3, against=3), quorum_percent=50
    )
    assert decision.outcome == Outcome.REJECTED
    assert "tie" in decision.explanation


def test_abstentions_are_not_votes_cast_in_a_simple_majority():
    # given two for, one against, three abstaining: 2 of 3 votes cast, though only 2 of 6 ballots
    assert decide(DecisionRule.SIMPLE_MAJORITY, seats=6, in_favour=2, against=1, abstain=3) == Outcome.ADOPTED


def test_everyone_abstaining_is_no_majority():
    decision = decision_compute(rule=DecisionRule.SIMPLE_MAJORITY, tally=Tally(seats=6, abstain=6), quorum_percent=50)
    assert decision.outcome == Outcome.REJECTED
    assert decision.quorum_met is True
    assert "No vote cast" in decision.explanation


# --- Two-thirds ----------------------------------------------------------------


def test_two_thirds_exactly_is_enough():
    assert decide(DecisionRule.TWO_THIRDS, seats=6, in_favour=4, against=2) == Outcome.ADOPTED


def test_just_under_two_thirds_rejects():
    assert decide(DecisionRule.TWO_THIRDS, seats=6, in_favour=3, against=2) == Outcome.REJECTED


def test_two_thirds_is_of_votes_cast_not_of_seats():
    # two for, one against, three abstaining: two-thirds of the three votes cast
    assert decide(DecisionRule.TWO_THIRDS, seats=6, in_favour=2, against=1, abstain=3) == Outcome.ADOPTED


def test_a_two_thirds_tie_rejects():
    assert decide(DecisionRule.TWO_THIRDS, seats=6, in_favour=2, against=2) == Outcome.REJECTED


def test_two_thirds_with_everyone_abstaining_rejects():
    assert decide(DecisionRule.TWO_THIRDS, seats=6, abstain=5) == Outcome.REJECTED


# --- Consensus -----------------------------------------------------------------


def test_consensus_adopts_when_no_agency_is_against():
    assert decide(DecisionRule.CONSENSUS, seats=6, in_favour=5, abstain=1) == Outcome.ADOPTED


def test_one_agency_against_blocks_consensus():
    assert decide(DecisionRule.CONSENSUS, seats=6, in_favour=5, against=1) == Outcome.REJECTED


def test_consensus_with_everyone_standing_aside_has_no_objection_and_adopts():
    # the rule is "no agency against"; abstaining is standing aside
    assert decide(DecisionRule.CONSENSUS, seats=6, abstain=6) == Outcome.ADOPTED


def test_consensus_still_needs_quorum():
    assert decide(DecisionRule.CONSENSUS, seats=6, in_favour=2) == Outcome.NO_QUORUM


# --- Silence procedure ---------------------------------------------------------


def test_silence_adopts_when_nobody_objects_even_with_no_ballot_at_all():
    decision = decision_compute(rule=DecisionRule.SILENCE, tally=Tally(seats=6), quorum_percent=50)
    assert decision.outcome == Outcome.ADOPTED
    assert decision.quorum_applies is False


def test_one_objection_breaks_the_silence():
    decision = decision_compute(
        rule=DecisionRule.SILENCE, tally=Tally(seats=6, in_favour=5, objections=1), quorum_percent=50
    )
    assert decision.outcome == Outcome.REJECTED
    assert "silence was broken" in decision.explanation


def test_an_unknown_rule_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown decision rule"):
        decide("unanimity", seats=6, in_favour=6)
