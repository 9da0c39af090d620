"""Minutes and results as PDF: rendered by WeasyPrint, read back with pypdf."""

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from governance import services
from governance.pdf import meeting_minutes_pdf, motion_result_pdf
from shared_platform.errors import ApplicationError

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text: str) -> str:
    """The text without white space: a long hash may wrap over lines."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def decided(six_members, make_motion, vote, secretary):
    motion = make_motion(title="Price list for 2027", concerns_agency=six_members[0], concerned_agency_recused=True)
    for agency, choice in zip(six_members[1:5], ["for", "for", "against", "abstain"], strict=True):
        vote(motion, agency, choice)
    entry = services.motion_close(motion=motion, closed_by=secretary)
    motion.refresh_from_db()
    return motion, entry


def test_the_result_sheet_shows_the_motion_rule_quorum_ballots_outcome_and_hash(decided):
    # given a decided motion
    motion, entry = decided

    # when its result sheet is printed
    content = motion_result_pdf(motion=motion)

    # then
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Price list for 2027" in text
    assert "Simple majority of votes cast" in text
    assert "4 of 5 seats cast a ballot; 3 needed" in text
    assert "Outcome: Adopted" in text
    assert "UNDP Recused" in text
    assert "UNESCO In favour" in text
    assert "UNWOMEN Against" in text
    assert "UNEP Did not vote" in text
    assert entry.entry_hash in squeezed(text)


def test_a_secret_ballot_prints_who_voted_not_how(six_members, make_motion, vote, secretary):
    motion = make_motion(title="Appoint the facility manager", is_secret=True)
    for agency in six_members[:4]:
        vote(motion, agency, "for")
    services.motion_close(motion=motion, closed_by=secretary)
    motion.refresh_from_db()
    text = pdf_text(motion_result_pdf(motion=motion))
    assert "UNDP Voted (secret ballot)" in text
    assert "UNDP In favour" not in text
    assert "4 in favour" in text  # the totals are published


def test_an_open_motion_has_no_result_sheet_yet(six_members, make_motion):
    with pytest.raises(ApplicationError) as refused:
        motion_result_pdf(motion=make_motion())
    assert refused.value.code == "governance.motion_not_closed"


def test_the_minutes_of_a_meeting_list_its_agenda_and_each_motion(six_members, secretary, make_motion, vote):
    meeting = services.meeting_create(
        created_by=secretary, title="Ordinary meeting", starts_at=timezone.now(), agenda="Opening\nPrices\nAOB"
    )
    decided = make_motion(title="Price list for 2027", meeting=meeting)
    for agency in six_members[:4]:
        vote(decided, agency, "for")
    entry = services.motion_close(motion=decided, closed_by=secretary)
    make_motion(title="Travel policy", meeting=meeting)
    text = pdf_text(meeting_minutes_pdf(meeting=meeting))
    assert "Ordinary meeting" in text
    assert "Prices" in text
    assert "Price list for 2027" in text
    assert "Outcome: Adopted" in text
    assert entry.entry_hash in squeezed(text)
    assert "Travel policy" in text
    assert "Open for votes" in text


def test_the_result_page_link_downloads_the_pdf(decided, secretary, client_at, facility):
    motion, entry = decided
    response = client_at(facility, secretary).get(f"/governance/motions/{motion.pk}/result.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert entry.entry_hash in squeezed(pdf_text(response.content))
