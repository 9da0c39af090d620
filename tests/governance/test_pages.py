"""The board's pages on the facility portal, and the register on every address."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from governance import services
from governance.models import Ballot, Meeting, Motion, MotionStatus, RegisterEntry

pytestmark = pytest.mark.django_db


def later_text(days: int = 3) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def body(response) -> str:
    return response.content.decode()


# --- Who reaches what --------------------------------------------------------------


def test_a_representative_uses_the_facility_portal_for_the_board(
    six_members, make_motion, representative_of, client_at, facility
):
    # given an open motion and UNDP's representative (who holds no facility role)
    motion = make_motion(title="Adopt the common procurement manual")
    client = client_at(facility, representative_of(six_members[0]))

    # when / then
    listing = client.get("/governance/")
    assert listing.status_code == 200
    assert "Adopt the common procurement manual" in body(listing)
    assert 'href="/governance/"' in body(listing)  # the navigation shows the board
    assert client.get(f"/governance/motions/{motion.pk}/").status_code == 200


def test_a_facility_agent_is_not_shown_the_board(facility, ict_agent, client_at, six_members, make_motion):
    motion = make_motion()
    client = client_at(facility, ict_agent)
    assert client.get("/governance/").status_code == 403
    assert client.get(f"/governance/motions/{motion.pk}/").status_code == 403
    assert 'href="/governance/"' not in body(client.get("/"))
    # but the register is for everyone
    assert client.get("/governance/register/").status_code == 200


def test_the_auditor_reads_the_board_and_changes_nothing(facility, make_person, six_members, make_motion, client_at):
    motion = make_motion()
    auditor = make_person((Role.AUDITOR, None))
    client = client_at(facility, auditor)
    assert client.get("/governance/").status_code == 200
    page = body(client.get(f"/governance/motions/{motion.pk}/"))
    assert "Cast ballot" not in page
    assert "Close the vote now" not in page
    assert client.post(f"/governance/motions/{motion.pk}/close/").status_code == 403
    assert (
        client.post(f"/governance/motions/{motion.pk}/ballot/", {"agency": "UNDP", "choice": "for"}).status_code == 403
    )
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN


def board_page_addresses(motion, meeting, document) -> tuple[list[str], list[str]]:
    """Every board page on the facility portal except the register: (GET addresses, POST addresses)."""
    base = f"/governance/motions/{motion.pk}"
    reads = [
        "/governance/",
        "/governance/motions/new/",
        f"{base}/",
        f"{base}/edit/",
        f"{base}/documents/{document.pk}/",
        f"{base}/result.pdf",
        "/governance/meetings/",
        "/governance/meetings/new/",
        f"/governance/meetings/{meeting.pk}/",
        f"/governance/meetings/{meeting.pk}/minutes.pdf",
    ]
    writes = [
        "/governance/motions/new/",
        f"{base}/edit/",
        f"{base}/open/",
        f"{base}/close/",
        f"{base}/withdraw/",
        f"{base}/ballot/",
        f"{base}/documents/",
        "/governance/meetings/new/",
    ]
    return reads, writes


@pytest.fixture
def board_pages(six_members, make_motion, secretary, media_root):
    meeting = services.meeting_create(created_by=secretary, title="Meeting", starts_at=timezone.now(), agenda="A")
    motion = make_motion(open=False, meeting=meeting)
    document = services.motion_document_add(
        motion=motion, added_by=secretary, title="Annex", file=SimpleUploadedFile("annex.txt", b"annex")
    )
    return motion, board_page_addresses(motion, meeting, document)


def test_every_board_page_refuses_a_facility_agent(board_pages, facility, ict_agent, client_at):
    motion, (reads, writes) = board_pages
    client = client_at(facility, ict_agent)
    for address in reads:
        assert client.get(address).status_code == 403, address
    for address in writes:
        assert client.post(address, {"agency": "UNDP", "choice": "for", "title": "x"}).status_code == 403, address
    motion.refresh_from_db()
    assert motion.status == MotionStatus.DRAFT


def test_no_board_page_exists_at_an_agency_address(board_pages, undp, make_person, client_at):
    motion, (reads, writes) = board_pages
    # even for UNDP's representative, who uses these pages on the facility portal
    client = client_at(undp, make_person((Role.BOARD_REPRESENTATIVE, undp)))
    for address in reads:
        assert client.get(address).status_code == 404, address
    for address in writes:
        assert client.post(address, {"agency": "UNDP", "choice": "for"}).status_code == 404, address
    motion.refresh_from_db()
    assert motion.status == MotionStatus.DRAFT


def test_a_board_member_reads_but_cannot_use_the_secretary_pages(
    board_pages, six_members, representative_of, client_at, facility
):
    motion, (reads, writes) = board_pages
    client = client_at(facility, representative_of(six_members[0]))
    secretary_only = {"/governance/motions/new/", f"/governance/motions/{motion.pk}/edit/", "/governance/meetings/new/"}
    for address in reads:
        expected = 403 if address in secretary_only else (409 if address.endswith("result.pdf") else 200)
        assert client.get(address).status_code == expected, address
    for address in writes:
        if address.endswith("/ballot/"):
            continue  # a ballot on a draft: refused by the rules, tested elsewhere
        assert client.post(address, {"title": "x"}).status_code == 403, address
    motion.refresh_from_db()
    assert motion.status == MotionStatus.DRAFT


def test_board_pages_are_not_served_at_an_agency_address(undp, make_person, client_at, six_members, make_motion):
    # given UNDP's representative on UNDP's own address
    motion = make_motion()
    representative = make_person((Role.BOARD_REPRESENTATIVE, undp), (Role.REQUESTER, undp))
    client = client_at(undp, representative)

    # then motions and secretary actions do not exist there, the register does
    assert client.get("/governance/").status_code == 404
    assert client.get(f"/governance/motions/{motion.pk}/").status_code == 404
    assert client.post(f"/governance/motions/{motion.pk}/close/").status_code == 404
    assert client.post(f"/governance/motions/{motion.pk}/ballot/", {"choice": "for"}).status_code == 404
    assert client.get("/governance/register/").status_code == 200


def test_a_requester_reads_the_register_at_their_agency_address(
    undp, undp_requester, client_at, six_members, make_motion, vote, secretary
):
    # given a decision
    motion = make_motion(title="Price list for next year")
    for agency in six_members[:4]:
        vote(motion, agency, "for")
    entry = services.motion_close(motion=motion, closed_by=secretary)

    # when
    client = client_at(undp, undp_requester)
    listing = client.get("/governance/register/")
    detail = client.get(f"/governance/register/{entry.number}/")

    # then
    assert "Price list for next year" in body(listing)
    assert entry.entry_hash in body(detail)
    assert f"/governance/motions/{motion.pk}/" not in body(detail)  # the motion's page is on the portal
    assert 'href="/governance/register/"' in body(client.get("/"))


# --- Voting from the motion page -------------------------------------------------


def test_a_representative_votes_from_the_motion_page(six_members, make_motion, representative_of, client_at, facility):
    # given
    undp = six_members[0]
    motion = make_motion()
    client = client_at(facility, representative_of(undp))

    # when
    response = client.post(f"/governance/motions/{motion.pk}/ballot/", {"agency": "UNDP", "choice": "against"})

    # then
    assert response.status_code == 302
    page = body(client.get(f"/governance/motions/{motion.pk}/"))
    assert "UNDP&#x27;s ballot is recorded: Against." in page
    assert Ballot.objects.get(motion=motion, agency=undp).choice == "against"


def test_a_representative_cannot_vote_for_another_agency_from_the_page(
    six_members, make_motion, representative_of, client_at, facility
):
    # given UNFPA's representative posts a ballot naming UNDP
    motion = make_motion()
    client = client_at(facility, representative_of(six_members[1]))

    # when
    response = client.post(f"/governance/motions/{motion.pk}/ballot/", {"agency": "UNDP", "choice": "for"})

    # then the form refuses an agency that is not theirs, and nothing is recorded
    assert response.status_code == 400
    assert "You do not vote for UNDP" in body(response)
    assert not Ballot.objects.filter(motion=motion).exists()


def test_an_observer_sees_the_motion_but_has_no_ballot(
    unaids, make_person, six_members, make_motion, client_at, facility
):
    motion = make_motion()
    observer = make_person((Role.BOARD_OBSERVER, unaids))
    client = client_at(facility, observer)
    page = client.get(f"/governance/motions/{motion.pk}/")
    assert page.status_code == 200
    assert "Cast ballot" not in body(page)
    refused = client.post(f"/governance/motions/{motion.pk}/ballot/", {"agency": "UNAIDS", "choice": "for"})
    assert refused.status_code == 403
    assert not Ballot.objects.filter(motion=motion).exists()


def test_an_unknown_choice_on_the_page_is_a_form_error(
    six_members, make_motion, representative_of, client_at, facility
):
    motion = make_motion()
    client = client_at(facility, representative_of(six_members[0]))
    response = client.post(f"/governance/motions/{motion.pk}/ballot/", {"agency": "UNDP", "choice": "maybe"})
    assert response.status_code == 400
    assert "Select a valid choice" in body(response)
    assert not Ballot.objects.exists()


def test_a_ballot_after_closing_is_refused_on_the_page(
    six_members, make_motion, representative_of, client_at, facility, secretary
):
    motion = make_motion()
    services.motion_close(motion=motion, closed_by=secretary)
    client = client_at(facility, representative_of(six_members[0]))
    response = client.post(f"/governance/motions/{motion.pk}/ballot/", {"agency": "UNDP", "choice": "for"})
    assert response.status_code in (400, 409)
    assert not Ballot.objects.exists()


def test_hidden_results_show_who_voted_but_not_how(
    six_members, make_motion, vote, representative_of, client_at, facility
):
    # given a motion with hidden results where UNFPA voted against
    motion = make_motion(results_hidden=True)
    vote(motion, six_members[1], "against")
    vote(motion, six_members[0], "for")

    # when UNDP's representative looks
    page = body(client_at(facility, representative_of(six_members[0])).get(f"/governance/motions/{motion.pk}/"))

    # then UNDP's own ballot shows, UNFPA's only as cast
    seats = page[page.index('id="seats"') :]
    assert re.search(r"UNDP</th><td[^>]*>In favour", seats)
    assert re.search(r"UNFPA</th><td[^>]*>Voted \(results hidden", seats)
    assert 'id="tally"' not in page


# --- The secretary -----------------------------------------------------------------


def test_the_secretary_drafts_opens_and_closes_a_motion_from_the_pages(
    six_members, secretary, client_at, facility, vote
):
    client = client_at(facility, secretary)

    # drafts
    response = client.post(
        "/governance/motions/new/",
        {"title": "Cost-sharing key 2027", "text": "Equal shares.", "rule": "two_thirds", "closes_at": later_text()},
    )
    motion = Motion.objects.get(title="Cost-sharing key 2027")
    assert response.status_code == 302
    assert motion.status == MotionStatus.DRAFT

    # opens
    assert client.post(f"/governance/motions/{motion.pk}/open/").status_code == 302
    for agency in six_members[:4]:
        vote(motion, agency, "for")

    # closes
    response = client.post(f"/governance/motions/{motion.pk}/close/", {"confirm": "on"})
    assert response.status_code == 302
    page = body(client.get(f"/governance/motions/{motion.pk}/"))
    entry = RegisterEntry.objects.get(motion=motion)
    assert "Adopted" in page
    assert entry.entry_hash in page
    assert f"/governance/register/{entry.number}/" in page

    # closing again says so, and changes nothing
    again = client.post(f"/governance/motions/{motion.pk}/close/", {"confirm": "on"})
    assert again.status_code == 409
    assert "already closed" in body(again)
    assert RegisterEntry.objects.count() == 1


def test_a_closing_time_in_the_past_is_a_form_error(secretary, client_at, facility):
    response = client_at(facility, secretary).post(
        "/governance/motions/new/",
        {"title": "Late", "text": "Too late", "rule": "consensus", "closes_at": "2020-01-01T10:00"},
    )
    assert response.status_code == 400
    assert "Choose a time in the future." in body(response)
    assert not Motion.objects.exists()


def test_an_unknown_rule_is_a_form_error(secretary, client_at, facility):
    response = client_at(facility, secretary).post(
        "/governance/motions/new/",
        {"title": "Odd", "text": "Odd", "rule": "unanimity", "closes_at": later_text()},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in body(response)
    assert not Motion.objects.exists()


def test_a_board_member_cannot_reach_the_secretary_actions(
    six_members, make_motion, representative_of, client_at, facility
):
    draft = make_motion(open=False)
    opened = make_motion(title="Open one")
    client = client_at(facility, representative_of(six_members[0]))
    assert client.get("/governance/motions/new/").status_code == 403
    assert client.post(f"/governance/motions/{draft.pk}/open/").status_code == 403
    assert client.post(f"/governance/motions/{opened.pk}/close/").status_code == 403
    assert client.post(f"/governance/motions/{draft.pk}/withdraw/").status_code == 403
    assert client.get("/governance/meetings/new/").status_code == 403
    draft.refresh_from_db()
    opened.refresh_from_db()
    assert (draft.status, opened.status) == (MotionStatus.DRAFT, MotionStatus.OPEN)


def test_the_secretary_schedules_a_meeting_and_downloads_its_minutes(secretary, client_at, facility):
    client = client_at(facility, secretary)
    response = client.post(
        "/governance/meetings/new/",
        {"title": "Ordinary meeting", "starts_at": later_text(7), "location": "Brasília", "agenda": "Opening\nPrices"},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert "Prices" in body(client.get(f"/governance/meetings/{meeting.pk}/"))
    pdf = client.get(f"/governance/meetings/{meeting.pk}/minutes.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_meeting_without_an_agenda_is_a_form_error(secretary, client_at, facility):
    response = client_at(facility, secretary).post(
        "/governance/meetings/new/", {"title": "Empty", "starts_at": later_text(), "agenda": ""}
    )
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_motion_lists_page_by_25(six_members, make_motion, secretary, client_at, facility):
    for number in range(30):
        make_motion(title=f"Motion {number:02d}")
    client = client_at(facility, secretary)
    first = body(client.get("/governance/?status=open"))
    second = body(client.get("/governance/?status=open&page=2"))
    assert "Page 1 of 2 (30 in all)" in first
    assert first.count("/governance/motions/") - first.count("/governance/motions/new/") == 25
    assert "Page 2 of 2 (30 in all)" in second


# --- Verification page -------------------------------------------------------------


def test_the_verify_page_points_at_the_first_broken_entry(
    six_members, make_motion, vote, secretary, client_at, facility, undp, undp_requester
):
    # given two decisions, the first tampered with raw SQL while the triggers are off
    for number in range(2):
        motion = make_motion(title=f"Decision {number}")
        vote(motion, six_members[0], "for")
        services.motion_close(motion=motion, closed_by=secretary)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE governance_registerentry SET content = jsonb_set(content, '{outcome}', '\"adopted\"') "
            "WHERE number = 1"
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    # when anyone on the board, or any agency, verifies
    for client in (client_at(facility, secretary), client_at(undp, undp_requester)):
        page = body(client.get("/governance/register/verify/"))
        # then
        assert "The register is broken at entry" in page
        assert 'href="/governance/register/1/" id="first-broken"' in page
    entry_page = body(client_at(facility, secretary).get("/governance/register/1/"))
    assert "does not match: this entry was changed" in entry_page


def test_the_verify_page_says_an_intact_register_holds(facility, secretary, client_at):
    page = body(client_at(facility, secretary).get("/governance/register/verify/"))
    assert "The register holds: 0 entries verified" in page
