"""Closing a motion: by the secretary, at the closing time (beat), or when an objection breaks the silence."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from governance import services
from governance.models import (
    DecisionRule,
    Motion,
    MotionEvent,
    MotionStatus,
    Outcome,
    RegisterEntry,
)
from governance.register import register_verify
from governance.tasks import motions_close_due_task
from shared_platform.errors import ApplicationError

pytestmark = pytest.mark.django_db


def make_due(motion: Motion) -> Motion:
    """Move the closing time into the past, as if the days had gone by."""
    Motion.objects.filter(pk=motion.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    motion.refresh_from_db()
    return motion


def test_the_secretary_closes_and_the_decision_enters_the_register(six_members, make_motion, vote, secretary):
    # given four of six members vote, three in favour
    motion = make_motion()
    for agency, choice in zip(six_members[:4], ["for", "for", "for", "against"], strict=True):
        vote(motion, agency, choice)

    # when the secretary closes before the closing time
    entry = services.motion_close(motion=motion, closed_by=secretary)

    # then
    motion.refresh_from_db()
    assert (motion.status, motion.outcome, motion.closed_by) == (MotionStatus.CLOSED, Outcome.ADOPTED, secretary)
    assert entry.number == 1
    assert entry.content["outcome"] == "adopted"
    assert entry.content["closed_how"] == "secretary"
    assert entry.content["quorum"] == {
        "applies": True,
        "percent": 50,
        "seats": 6,
        "required": 4,
        "ballots": 4,
        "met": True,
    }
    assert {row["agency"]: row["ballot"] for row in entry.content["ballots"]} == {
        "UNDP": "for",
        "UNFPA": "for",
        "UNESCO": "for",
        "UNWOMEN": "against",
        "UNOPS": "did_not_vote",
        "UNEP": "did_not_vote",
    }
    assert MotionEvent.objects.filter(motion=motion, kind="closed").count() == 1


def test_without_quorum_the_motion_fails_for_lack_of_quorum_and_is_recorded_so(
    six_members, make_motion, vote, secretary
):
    # given three of six vote, all in favour
    motion = make_motion()
    for agency in six_members[:3]:
        vote(motion, agency, "for")

    # when
    entry = services.motion_close(motion=motion, closed_by=secretary)

    # then
    assert entry.motion.outcome == Outcome.NO_QUORUM
    assert entry.content["outcome_label"] == "Failed for lack of quorum"
    assert entry.content["quorum"]["met"] is False


def test_recusal_changes_the_quorum_of_a_real_motion(six_members, make_motion, vote, secretary):
    # given a motion about UNDP, UNDP recused: five seats, quorum three
    undp = six_members[0]
    motion = make_motion(concerns_agency=undp, concerned_agency_recused=True)
    for agency in six_members[1:4]:
        vote(motion, agency, "for")

    # when
    entry = services.motion_close(motion=motion, closed_by=secretary)

    # then three ballots make quorum, and UNDP is recorded as recused
    assert entry.content["quorum"]["seats"] == 5
    assert entry.content["quorum"]["required"] == 3
    assert entry.motion.outcome == Outcome.ADOPTED
    assert {"agency": "UNDP", "ballot": "recused"} in entry.content["ballots"]


def test_an_objection_under_silence_closes_the_motion_at_once(six_members, make_motion, vote):
    # given a silence procedure two agencies have confirmed
    motion = make_motion(rule=DecisionRule.SILENCE)
    vote(motion, six_members[0], "for")
    vote(motion, six_members[1], "for")

    # when UNESCO objects
    vote(motion, six_members[2], "object")

    # then the motion is closed, rejected, and in the register, before its deadline
    motion.refresh_from_db()
    assert (motion.status, motion.outcome) == (MotionStatus.CLOSED, Outcome.REJECTED)
    assert motion.closed_at < motion.closes_at
    assert motion.register_entry.content["closed_how"] == "silence_broken"
    assert motion.register_entry.content["closed_by"] == "board@unesco.test"

    # and nobody can vote on it any more
    with pytest.raises(ApplicationError) as refused:
        vote(motion, six_members[3], "for")
    assert refused.value.code == "governance.motion_closed"


def test_a_silent_board_adopts_at_the_deadline(six_members, make_motion):
    # given a silence procedure nobody answered, now past its deadline
    motion = make_due(make_motion(rule=DecisionRule.SILENCE))

    # when beat runs
    closed = motions_close_due_task()

    # then
    motion.refresh_from_db()
    assert closed == [motion.pk]
    assert motion.outcome == Outcome.ADOPTED
    assert motion.closed_by is None
    assert motion.closed_at == motion.closes_at
    assert motion.register_entry.content["closed_how"] == "deadline"


def test_beat_leaves_motions_that_are_not_due(six_members, make_motion):
    motion = make_motion()
    assert motions_close_due_task() == []
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN


def test_the_secretary_cannot_close_twice(six_members, make_motion, secretary):
    # given a closed motion
    motion = make_motion()
    services.motion_close(motion=motion, closed_by=secretary)

    # when closed again
    with pytest.raises(ApplicationError) as refused:
        services.motion_close(motion=motion, closed_by=secretary)

    # then refused, and the decision is recorded once
    assert refused.value.code == "governance.motion_closed"
    assert RegisterEntry.objects.filter(motion=motion).count() == 1


def test_beat_running_twice_records_the_outcome_once(six_members, make_motion):
    motion = make_due(make_motion())
    assert motions_close_due_task() == [motion.pk]
    assert motions_close_due_task() == []
    assert RegisterEntry.objects.filter(motion=motion).count() == 1
    assert MotionEvent.objects.filter(motion=motion, kind="closed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_the_same_moment_record_each_outcome_once(six_members, make_motion, secretary):
    # given three due motions
    motions = [make_due(make_motion(title=f"Motion {number}")) for number in range(3)]
    start = threading.Barrier(4)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def run(close_by_hand: bool) -> None:
        try:
            connection.set_schema_to_public()
            start.wait(timeout=30)
            if close_by_hand:
                try:
                    services.motion_close(motion=motions[0], closed_by=secretary)
                    results.append([motions[0].pk])
                except ApplicationError as error:
                    assert error.code == "governance.motion_closed"
            else:
                results.append(motions_close_due_task())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    # when three beat runs and the secretary close at the same moment
    threads = [threading.Thread(target=run, args=(index == 3,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then every motion is closed once, with one register entry, and the chain holds
    assert errors == []
    closed_ids = sorted(pk for result in results for pk in result)
    assert closed_ids == sorted(motion.pk for motion in motions)
    assert RegisterEntry.objects.count() == 3
    assert sorted(RegisterEntry.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert register_verify().is_intact


def test_only_the_secretary_closes(six_members, make_motion, representative_of):
    motion = make_motion()
    with pytest.raises(ApplicationError) as refused:
        services.motion_close(motion=motion, closed_by=representative_of(six_members[0]))
    assert refused.value.code == "governance.not_secretary"
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN


def test_ballots_changed_before_closing_count_as_last_cast(six_members, make_motion, vote, secretary):
    motion = make_motion(rule=DecisionRule.CONSENSUS)
    for agency in six_members[:4]:
        vote(motion, agency, "for")
    vote(motion, six_members[0], "against")
    vote(motion, six_members[0], "abstain")
    entry = services.motion_close(motion=motion, closed_by=secretary)
    assert entry.motion.outcome == Outcome.ADOPTED
    assert entry.content["counts"] == {"for": 3, "against": 0, "abstain": 1, "object": 0}


def test_a_secret_ballot_records_who_voted_but_not_how(six_members, make_motion, vote, secretary):
    motion = make_motion(is_secret=True)
    vote(motion, six_members[0], "for")
    entry = services.motion_close(motion=motion, closed_by=secretary)
    ballots = {row["agency"]: row["ballot"] for row in entry.content["ballots"]}
    assert ballots["UNDP"] == "cast"
    assert ballots["UNFPA"] == "did_not_vote"


def test_beat_closes_due_motions_every_minute_in_the_public_schema(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["governance-close-due-motions"]
    assert entry["task"] == "governance.tasks.motions_close_due_task"
    assert entry["tenant_schemas"] == ["public"]
    assert entry["schedule"] <= 60
