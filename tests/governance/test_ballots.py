"""One agency, one vote: ballot_cast."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from accounts.models import Role
from governance import services
from governance.models import Ballot, BallotChoice, BallotRecord, DecisionRule, Motion, MotionStatus
from shared_platform.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_an_alternate_casts_the_agency_ballot_and_a_later_ballot_replaces_it(
    make_motion, undp, unfpa, make_person, representative_of
):
    # given UNDP's representative voted for
    motion = make_motion()
    alternate = make_person((Role.BOARD_ALTERNATE, undp))
    services.ballot_cast(motion=motion, agency=undp, cast_by=representative_of(undp), choice="for")

    # when the alternate votes against
    services.ballot_cast(motion=motion, agency=undp, cast_by=alternate, choice="against")

    # then UNDP has one ballot, the alternate's, and both are kept in order
    ballot = Ballot.objects.get(motion=motion, agency=undp)
    assert (ballot.choice, ballot.cast_by, ballot.changes) == ("against", alternate, 1)
    history = BallotRecord.objects.filter(motion=motion, agency=undp).order_by("cast_at", "id")
    assert [(record.choice, record.cast_by) for record in history] == [
        ("for", representative_of(undp)),
        ("against", alternate),
    ]


def test_the_database_refuses_a_second_current_ballot_for_an_agency(make_motion, undp, vote, representative_of):
    # given UNDP has a ballot
    motion = make_motion()
    vote(motion, undp, "for")

    # when code bypasses the service and inserts another
    # then the unique constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(
            motion=motion, agency=undp, choice="against", cast_by=representative_of(undp), cast_at=timezone.now()
        )


def test_a_person_of_another_agency_cannot_vote_for_an_agency(make_motion, undp, unfpa, representative_of):
    # given UNFPA's representative
    motion = make_motion()

    # when they try to vote for UNDP
    with pytest.raises(ApplicationError) as refused:
        services.ballot_cast(motion=motion, agency=undp, cast_by=representative_of(unfpa), choice="for")

    # then it is refused and nothing is recorded
    assert refused.value.code == "governance.not_your_agency"
    assert refused.value.status_code == 403
    assert not Ballot.objects.filter(motion=motion).exists()
    assert not BallotRecord.objects.filter(motion=motion).exists()


def test_a_requester_of_the_agency_cannot_vote_for_it(make_motion, undp, undp_requester):
    motion = make_motion()
    with pytest.raises(ApplicationError) as refused:
        services.ballot_cast(motion=motion, agency=undp, cast_by=undp_requester, choice="for")
    assert refused.value.code == "governance.not_your_agency"


def test_a_partner_observer_cannot_vote(make_motion, unaids, make_person):
    # given UNAIDS's observer
    motion = make_motion()
    observer = make_person((Role.BOARD_OBSERVER, unaids))

    # when they try to vote for UNAIDS
    with pytest.raises(ApplicationError) as refused:
        services.ballot_cast(motion=motion, agency=unaids, cast_by=observer, choice="for")

    # then
    assert refused.value.code == "governance.no_vote"
    assert not Ballot.objects.filter(motion=motion).exists()


def test_an_observer_cannot_vote_for_a_member_agency_either(make_motion, undp, unaids, make_person):
    motion = make_motion()
    observer = make_person((Role.BOARD_OBSERVER, unaids))
    with pytest.raises(ApplicationError) as refused:
        services.ballot_cast(motion=motion, agency=undp, cast_by=observer, choice="for")
    assert refused.value.code == "governance.not_your_agency"


def test_an_unknown_choice_is_refused_clearly_and_nothing_changes(make_motion, undp, vote):
    # given UNDP voted for
    motion = make_motion()
    vote(motion, undp, "for")

    # when it sends a choice the motion does not know
    with pytest.raises(ApplicationError) as refused:
        vote(motion, undp, "maybe")

    # then
    assert refused.value.code == "governance.invalid_choice"
    assert refused.value.status_code == 400
    assert "choice" in refused.value.fields
    assert Ballot.objects.get(motion=motion, agency=undp).choice == "for"
    assert BallotRecord.objects.filter(motion=motion).count() == 1


def test_objecting_is_only_for_the_silence_procedure(make_motion, undp, vote):
    motion = make_motion(rule=DecisionRule.SIMPLE_MAJORITY)
    with pytest.raises(ApplicationError) as refused:
        vote(motion, undp, BallotChoice.OBJECT)
    assert refused.value.code == "governance.invalid_choice"


def test_ballots_after_closing_are_refused(make_motion, undp, unfpa, vote, secretary):
    # given a closed motion
    motion = make_motion()
    vote(motion, undp, "for")
    services.motion_close(motion=motion, closed_by=secretary)

    # when UNFPA votes, or UNDP changes its ballot
    for agency, choice in [(unfpa, "for"), (undp, "against")]:
        with pytest.raises(ApplicationError) as refused:
            vote(motion, agency, choice)
        # then
        assert refused.value.code == "governance.motion_closed"
        assert refused.value.status_code == 409
    assert list(Ballot.objects.filter(motion=motion).values_list("agency__code", "choice")) == [("UNDP", "for")]


def test_ballots_after_the_closing_time_are_refused_before_beat_has_closed_the_motion(make_motion, undp, vote):
    # given the closing time has passed but the motion is still open
    motion = make_motion()
    Motion.objects.filter(pk=motion.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN

    # when / then
    with pytest.raises(ApplicationError) as refused:
        vote(motion, undp, "for")
    assert refused.value.code == "governance.motion_closed"


def test_a_draft_takes_no_ballots(make_motion, undp, vote):
    motion = make_motion(open=False)
    with pytest.raises(ApplicationError) as refused:
        vote(motion, undp, "for")
    assert refused.value.code == "governance.motion_not_open"


def test_a_recused_agency_cannot_vote(make_motion, undp, vote):
    # given a motion about UNDP from which UNDP is recused
    motion = make_motion(concerns_agency=undp, concerned_agency_recused=True)

    # when / then
    with pytest.raises(ApplicationError) as refused:
        vote(motion, undp, "for")
    assert refused.value.code == "governance.recused"


def test_the_agency_a_motion_concerns_votes_when_not_recused(make_motion, undp, vote):
    motion = make_motion(concerns_agency=undp, concerned_agency_recused=False)
    assert vote(motion, undp, "for").choice == "for"


def test_an_agency_that_joined_after_the_motion_opened_has_no_seat_on_it(make_motion, unfpa, vote):
    # given UNFPA was inactive when the motion opened
    unfpa.is_active = False
    unfpa.save(update_fields=["is_active"])
    motion = make_motion()
    unfpa.is_active = True
    unfpa.save(update_fields=["is_active"])

    # when / then
    with pytest.raises(ApplicationError) as refused:
        vote(motion, unfpa, "for")
    assert refused.value.code == "governance.no_seat"


@pytest.mark.django_db(transaction=True)
def test_fifty_people_of_one_agency_voting_at_once_leave_one_ballot_and_fifty_records(
    make_motion, undp, unfpa, make_person
):
    # given fifty alternates of UNDP (a representative and 49 alternates)
    motion = make_motion()
    people = [make_person((Role.BOARD_REPRESENTATIVE, undp))]
    people += [make_person((Role.BOARD_ALTERNATE, undp)) for _ in range(49)]
    choices = ["for", "against", "abstain"]
    start = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def cast(index: int) -> None:
        try:
            connection.set_schema_to_public()
            start.wait(timeout=30)
            services.ballot_cast(motion=motion, agency=undp, cast_by=people[index], choice=choices[index % 3])
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    # when they all vote at the same moment, each in its own thread and connection
    threads = [threading.Thread(target=cast, args=(index,)) for index in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then every ballot was accepted, one is current, and all fifty are kept
    assert errors == []
    assert Ballot.objects.filter(motion=motion, agency=undp).count() == 1
    records = BallotRecord.objects.filter(motion=motion, agency=undp).order_by("id")
    assert records.count() == 50
    assert {record.cast_by_id for record in records} == {person.pk for person in people}
    current = Ballot.objects.get(motion=motion, agency=undp)
    last = records.last()
    assert (current.choice, current.cast_by_id) == (last.choice, last.cast_by_id)
    assert current.changes == 49
