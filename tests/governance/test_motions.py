"""The secretary's work: meetings, motions, opening and withdrawing (governance.services)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance import services
from governance.models import Board, Meeting, Motion, MotionEvent, MotionSeat, MotionStatus
from shared_platform.errors import ApplicationError

pytestmark = pytest.mark.django_db


def later(days: int = 3):
    return timezone.now() + timedelta(days=days)


def test_the_secretary_creates_a_meeting_with_its_agenda(secretary):
    meeting = services.meeting_create(
        created_by=secretary,
        title="Ordinary board meeting",
        starts_at=later(7),
        location="Brasília, room 3",
        agenda="Opening\n\nPrice list for next year\nAny other business\n",
    )
    assert meeting.agenda_items == ["Opening", "Price list for next year", "Any other business"]


def test_a_board_member_cannot_create_a_meeting(six_members, representative_of):
    with pytest.raises(ApplicationError) as refused:
        services.meeting_create(
            created_by=representative_of(six_members[0]), title="Coup", starts_at=later(), agenda="Everything"
        )
    assert refused.value.code == "governance.not_secretary"
    assert not Meeting.objects.exists()


def test_a_motion_takes_the_board_quorum_and_keeps_it(six_members, make_motion, secretary):
    # given a board with a quorum of 66 %
    board = services.board_ensure()
    services.board_update(board=board, name=board.name, quorum_percent=66)
    motion = make_motion(open=False)

    # when the board's quorum changes afterwards
    services.board_update(board=board, name=board.name, quorum_percent=50)

    # then the motion keeps the quorum it was created with
    motion.refresh_from_db()
    assert motion.quorum_percent == 66
    assert Board.objects.count() == 1


def test_a_quorum_out_of_range_is_refused(secretary):
    board = services.board_ensure()
    with pytest.raises(ApplicationError) as refused:
        services.board_update(board=board, name=board.name, quorum_percent=100)
    assert refused.value.code == "governance.invalid_quorum"


def test_a_closing_time_in_the_past_is_refused_clearly_and_nothing_is_created(secretary):
    with pytest.raises(ApplicationError) as refused:
        services.motion_create(
            created_by=secretary,
            title="Late motion",
            text="Too late.",
            rule="simple_majority",
            closes_at=timezone.now() - timedelta(hours=1),
        )
    assert refused.value.code == "governance.closing_time_past"
    assert refused.value.status_code == 400
    assert refused.value.fields == {"closes_at": ["Choose a time in the future."]}
    assert not Motion.objects.exists()


def test_an_unknown_decision_rule_is_refused(secretary):
    with pytest.raises(ApplicationError) as refused:
        services.motion_create(created_by=secretary, title="Motion", text="Text", rule="unanimity", closes_at=later())
    assert refused.value.code == "governance.unknown_rule"
    assert "rule" in refused.value.fields
    assert not Motion.objects.exists()


def test_a_motion_needs_a_title_and_a_text(secretary):
    with pytest.raises(ApplicationError) as refused:
        services.motion_create(created_by=secretary, title="  ", text="Text", rule="consensus", closes_at=later())
    assert refused.value.fields == {"title": ["Required."]}


def test_recusal_needs_the_agency_the_motion_concerns(secretary):
    with pytest.raises(ApplicationError) as refused:
        services.motion_create(
            created_by=secretary,
            title="Motion",
            text="Text",
            rule="consensus",
            closes_at=later(),
            concerned_agency_recused=True,
        )
    assert refused.value.code == "governance.recusal_without_agency"


def test_opening_gives_each_active_member_a_seat_and_partners_none(six_members, unaids, make_motion):
    # when
    motion = make_motion()

    # then six seats, no seat for UNAIDS, an event for each step
    codes = list(MotionSeat.objects.filter(motion=motion).values_list("agency__code", flat=True))
    assert sorted(codes) == sorted(agency.code for agency in six_members)
    assert "UNAIDS" not in codes
    assert motion.status == MotionStatus.OPEN
    assert list(MotionEvent.objects.filter(motion=motion).values_list("kind", flat=True)) == ["created", "opened"]


def test_a_draft_whose_closing_time_passed_cannot_be_opened(six_members, make_motion, secretary):
    motion = make_motion(open=False)
    Motion.objects.filter(pk=motion.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ApplicationError) as refused:
        services.motion_open(motion=motion, opened_by=secretary)
    assert refused.value.code == "governance.closing_time_past"
    motion.refresh_from_db()
    assert motion.status == MotionStatus.DRAFT
    assert not MotionSeat.objects.filter(motion=motion).exists()


def test_a_motion_is_opened_once(six_members, make_motion, secretary):
    motion = make_motion()
    with pytest.raises(ApplicationError) as refused:
        services.motion_open(motion=motion, opened_by=secretary)
    assert refused.value.code == "governance.invalid_transition"
    assert refused.value.message == f'"{motion.title}" is already open for votes.'


def test_only_a_draft_is_withdrawn(six_members, make_motion, secretary):
    draft = make_motion(open=False, title="Draft")
    services.motion_withdraw(motion=draft, withdrawn_by=secretary, reason="Overtaken by events")
    draft.refresh_from_db()
    assert draft.status == MotionStatus.WITHDRAWN

    opened = make_motion(title="Opened")
    with pytest.raises(ApplicationError) as refused:
        services.motion_withdraw(motion=opened, withdrawn_by=secretary)
    assert refused.value.code == "governance.invalid_transition"
    assert refused.value.message == (
        '"Opened" is already open for votes; a motion can be withdrawn only before voting starts.'
    )


def test_an_open_motion_cannot_be_changed(six_members, make_motion, secretary):
    motion = make_motion()
    with pytest.raises(ApplicationError) as refused:
        services.motion_update(
            motion=motion, updated_by=secretary, title="New", text="New", rule="consensus", closes_at=later()
        )
    assert refused.value.code == "governance.motion_not_draft"
    motion.refresh_from_db()
    assert motion.title != "New"


def test_a_draft_can_be_changed(six_members, make_motion, secretary):
    motion = make_motion(open=False)
    services.motion_update(
        motion=motion, updated_by=secretary, title="New title", text="New text", rule="two_thirds", closes_at=later(5)
    )
    motion.refresh_from_db()
    assert (motion.title, motion.rule) == ("New title", "two_thirds")


def test_a_document_is_attached_to_a_motion(six_members, make_motion, secretary, media_root):
    motion = make_motion(open=False)
    document = services.motion_document_add(
        motion=motion,
        added_by=secretary,
        title="Price list 2027",
        file=SimpleUploadedFile("price-list.csv", b"service,unit,price\nICT,ticket,42.00\n"),
    )
    assert document.file.read().startswith(b"service,unit,price")
    assert (media_root / "public" / document.file.name).exists()  # the facility's folder


def test_an_executable_is_not_a_document(six_members, make_motion, secretary):
    motion = make_motion(open=False)
    with pytest.raises(ApplicationError) as refused:
        services.motion_document_add(
            motion=motion, added_by=secretary, title="Tool", file=SimpleUploadedFile("tool.exe", b"MZ")
        )
    assert refused.value.code == "governance.document_invalid"
