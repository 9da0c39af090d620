"""The demo board: six voting members, UNAIDS observing, one motion decided and one open."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from demo import data
from governance.models import Ballot, BallotRecord, Motion, MotionSeat, MotionStatus, Outcome, RegisterEntry
from governance.register import register_verify
from tenants.models import Agency

pytestmark = pytest.mark.django_db


def test_the_demo_board_loads_once_and_the_done_when_journey_works(facility, client_at):
    # given the demo, loaded twice
    call_command("load_demo")
    call_command("load_demo")

    # then one decided motion, in the register, one open silence procedure, and the open motion that cites
    # the fair-cost simulation (accountability's demo)
    assert Motion.objects.count() == 3
    by_usage = Motion.objects.get(title="Share fixed costs by usage")
    assert by_usage.status == MotionStatus.OPEN
    decided = Motion.objects.get(title__startswith="Price list for ")
    assert (decided.status, decided.outcome) == (MotionStatus.CLOSED, Outcome.ADOPTED)
    assert decided.meeting is not None
    assert RegisterEntry.objects.get().motion == decided
    assert Ballot.objects.filter(motion=decided).count() == 6
    assert BallotRecord.objects.filter(motion=decided).count() == 7  # UNFPA changed its ballot
    manual = Motion.objects.get(rule="silence")
    assert manual.status == MotionStatus.OPEN
    assert timezone.now() + timedelta(days=4) < manual.closes_at < timezone.now() + timedelta(days=6)
    seats = set(MotionSeat.objects.filter(motion=manual).values_list("agency__code", flat=True))
    assert seats == {"UNDP", "UNFPA", "UNESCO", "UNWOMEN", "UNOPS", "UNEP"}
    assert register_verify().is_intact

    # when demo board members say "no objection" from their pages on the facility portal
    for code in ("UNDP", "UNESCO", "UNEP"):
        representative = User.objects.get(email=f"board@{code.lower()}.demo")
        client = client_at(facility)
        assert (
            client.post("/accounts/login/", {"email": representative.email, "password": data.DEMO_PASSWORD}).status_code
            == 302
        )
        assert (
            client.post(f"/governance/motions/{manual.pk}/ballot/", {"agency": code, "choice": "for"}).status_code
            == 302
        )
        # and each finds the motion to share fixed costs by usage among those to vote on, with its simulation
        motions = client.get("/governance/").content.decode()
        assert f"/governance/motions/{by_usage.pk}/" in motions
        motion_page = client.get(f"/governance/motions/{by_usage.pk}/").content.decode()
        assert 'id="simulations"' in motion_page and "SIM-" in motion_page
    # and UNAIDS's observer cannot vote
    observer = client_at(facility)
    observer.post("/accounts/login/", {"email": "board@unaids.demo", "password": data.DEMO_PASSWORD})
    assert observer.get(f"/governance/motions/{manual.pk}/").status_code == 200
    assert (
        observer.post(f"/governance/motions/{manual.pk}/ballot/", {"agency": "UNAIDS", "choice": "for"}).status_code
        == 403
    )

    # and the secretary closes it
    secretary = client_at(facility)
    secretary.post("/accounts/login/", {"email": "manager@facility.demo", "password": data.DEMO_PASSWORD})
    assert secretary.post(f"/governance/motions/{manual.pk}/close/", {"confirm": "on"}).status_code == 302

    # then it is adopted, the register verifies, and the minutes download
    manual.refresh_from_db()
    assert manual.outcome == Outcome.ADOPTED
    assert "The register holds: 2 entries verified" in secretary.get("/governance/register/verify/").content.decode()
    pdf = secretary.get(f"/governance/motions/{manual.pk}/result.pdf")
    assert pdf.status_code == 200
    assert "Common procurement manual" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    meeting_pdf = secretary.get(f"/governance/meetings/{decided.meeting_id}/minutes.pdf")
    assert meeting_pdf.status_code == 200
    assert Agency.objects.get(code="UNAIDS").has_vote is False
