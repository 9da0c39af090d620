"""The board's API: the same rules as the pages, in the one error shape, and in the OpenAPI schema."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from governance import services
from governance.models import Ballot, BallotRecord, Meeting, Motion, MotionStatus, RegisterEntry

pytestmark = pytest.mark.django_db


def later(days: int = 3) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def error_code(response) -> str:
    return response.json()["error"]["code"]


# --- Schema ------------------------------------------------------------------------


def test_the_board_endpoints_are_in_the_openapi_schema(facility, client_at):
    schema = client_at(facility).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {
        "/api/governance/meetings/",
        "/api/governance/motions/",
        "/api/governance/motions/{id}/ballot/",
        "/api/governance/motions/{id}/open/",
        "/api/governance/motions/{id}/close/",
        "/api/governance/motions/{id}/result/",
        "/api/governance/register/",
        "/api/governance/register/{number}/",
        "/api/governance/register/verify/",
    } <= set(schema["paths"])


def test_an_agency_address_schema_has_the_register_only(undp, client_at):
    schema = client_at(undp).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    governance_paths = {path for path in schema["paths"] if path.startswith("/api/governance/")}
    assert governance_paths == {
        "/api/governance/register/",
        "/api/governance/register/{number}/",
        "/api/governance/register/verify/",
    }


# --- The secretary -----------------------------------------------------------------


def test_the_secretary_runs_a_motion_through_the_api(
    six_members, secretary, representative_of, api_at, facility, media_root
):
    api = api_at(facility, secretary)

    # a meeting and a motion in it
    meeting = api.post(
        "/api/governance/meetings/",
        {"title": "Ordinary meeting", "starts_at": later(1), "agenda": "Opening\nPrices"},
        format="json",
    )
    assert meeting.status_code == 201, meeting.json()
    assert meeting.json()["agenda_items"] == ["Opening", "Prices"]
    created = api.post(
        "/api/governance/motions/",
        {
            "title": "Price list 2027",
            "text": "Approve the annexed prices.",
            "rule": "simple_majority",
            "closes_at": later(),
            "meeting": meeting.json()["id"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    motion_id = created.json()["id"]
    assert created.json()["status"] == "draft"

    # a document, then open
    document = api.post(
        f"/api/governance/motions/{motion_id}/documents/",
        {"title": "Prices", "file": SimpleUploadedFile("prices.csv", b"service,price\nICT,42\n")},
        format="multipart",
    )
    assert document.status_code == 201, document.json()
    opened = api.post(f"/api/governance/motions/{motion_id}/open/")
    assert opened.json()["status"] == "open"

    # four representatives vote
    for agency in six_members[:4]:
        ballot = api_at(facility, representative_of(agency)).post(
            f"/api/governance/motions/{motion_id}/ballot/", {"choice": "for"}, format="json"
        )
        assert ballot.status_code == 201, ballot.json()
        assert ballot.json()["agency"] == agency.code

    # close: the register entry comes back
    closed = api.post(f"/api/governance/motions/{motion_id}/close/")
    assert closed.status_code == 200
    assert closed.json()["content"]["outcome"] == "adopted"
    assert closed.json()["number"] == 1

    # the result PDF
    pdf = api.get(f"/api/governance/motions/{motion_id}/result/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "Price list 2027" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()

    # closing twice: refused, recorded once
    again = api.post(f"/api/governance/motions/{motion_id}/close/")
    assert again.status_code == 409
    assert error_code(again) == "governance.motion_closed"
    assert RegisterEntry.objects.count() == 1


def test_a_closing_time_in_the_past_is_refused_in_the_error_shape(secretary, api_at, facility):
    response = api_at(facility, secretary).post(
        "/api/governance/motions/",
        {"title": "Late", "text": "Late", "rule": "consensus", "closes_at": "2020-01-01T10:00:00-03:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "governance.closing_time_past",
            "message": "The closing time has already passed; choose a time in the future.",
            "fields": {"closes_at": ["Choose a time in the future."]},
        }
    }
    assert not Motion.objects.exists()


def test_a_closing_time_without_a_time_zone_is_refused_saying_so(secretary, api_at, facility):
    # when the secretary gives a closing time with no offset (whose 17:00? the server's zone is not the reader's)
    naive = (timezone.localtime() + timedelta(days=3)).replace(tzinfo=None).isoformat()
    response = api_at(facility, secretary).post(
        "/api/governance/motions/",
        {"title": "Naive", "text": "Naive", "rule": "consensus", "closes_at": naive},
        format="json",
    )

    # then it is refused, asking for the time zone, and no motion is made
    assert response.status_code == 400
    assert error_code(response) == "invalid"
    assert "time zone" in response.json()["error"]["fields"]["closes_at"][0]
    assert not Motion.objects.exists()


def test_a_meeting_in_the_year_72_is_refused(secretary, api_at, facility):
    response = api_at(facility, secretary).post(
        "/api/governance/meetings/",
        {"title": "Old", "agenda": "1. Old", "starts_at": "0072-04-16T02:32:54Z"},
        format="json",
    )

    assert response.status_code == 400
    assert "2000" in response.json()["error"]["fields"]["starts_at"][0]
    assert not Meeting.objects.exists()


def test_an_unknown_rule_is_refused_with_the_field_named(secretary, api_at, facility):
    response = api_at(facility, secretary).post(
        "/api/governance/motions/",
        {"title": "Odd", "text": "Odd", "rule": "unanimity", "closes_at": later()},
        format="json",
    )
    assert response.status_code == 400
    assert error_code(response) == "invalid"
    assert "rule" in response.json()["error"]["fields"]
    assert not Motion.objects.exists()


def test_an_unknown_status_filter_is_a_clear_400(secretary, api_at, facility):
    response = api_at(facility, secretary).get("/api/governance/motions/", {"status": "pending"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_motions_are_listed_a_page_at_a_time_and_by_status(six_members, make_motion, secretary, api_at, facility):
    for number in range(3):
        make_motion(title=f"Open {number}")
    make_motion(title="Draft", open=False)
    api = api_at(facility, secretary)
    body = api.get("/api/governance/motions/", {"status": "open", "page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert api.get("/api/governance/motions/", {"status": "draft"}).json()["count"] == 1


# --- Ballots -----------------------------------------------------------------------


def test_a_representative_cannot_vote_for_another_agency_through_the_api(
    six_members, make_motion, representative_of, api_at, facility
):
    motion = make_motion()
    response = api_at(facility, representative_of(six_members[1])).post(
        f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "for", "agency": "UNDP"}, format="json"
    )
    assert response.status_code == 403
    assert error_code(response) == "governance.not_your_agency"
    assert not Ballot.objects.exists()


def test_a_partner_cannot_vote_through_the_api(unaids, make_person, six_members, make_motion, api_at, facility):
    motion = make_motion()
    observer = make_person((Role.BOARD_OBSERVER, unaids))
    response = api_at(facility, observer).post(
        f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "for", "agency": "UNAIDS"}, format="json"
    )
    assert response.status_code == 403
    assert error_code(response) == "governance.no_vote"
    # without naming an agency: they have no voting seat at all
    response = api_at(facility, observer).post(
        f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "for"}, format="json"
    )
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_someone_voting_for_two_agencies_must_name_one(
    undp, unfpa, make_person, six_members, make_motion, api_at, facility
):
    motion = make_motion()
    person = make_person((Role.BOARD_ALTERNATE, undp), (Role.BOARD_ALTERNATE, unfpa))
    api = api_at(facility, person)
    response = api.post(f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "for"}, format="json")
    assert response.status_code == 400
    assert error_code(response) == "governance.agency_required"
    assert (
        api.post(
            f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "for", "agency": "unfpa"}, format="json"
        ).json()["agency"]
        == "UNFPA"
    )


def test_an_unknown_choice_is_refused_with_the_field_named(
    six_members, make_motion, representative_of, api_at, facility
):
    motion = make_motion()
    response = api_at(facility, representative_of(six_members[0])).post(
        f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"choice"}
    assert not Ballot.objects.exists()


def test_ballots_after_closing_are_refused_through_the_api(
    six_members, make_motion, representative_of, api_at, facility, secretary
):
    motion = make_motion()
    services.motion_close(motion=motion, closed_by=secretary)
    response = api_at(facility, representative_of(six_members[0])).post(
        f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "for"}, format="json"
    )
    assert response.status_code == 409
    assert error_code(response) == "governance.motion_closed"


def test_hidden_results_stay_hidden_in_the_api_until_closing(
    six_members, make_motion, vote, representative_of, api_at, facility, secretary
):
    motion = make_motion(results_hidden=True)
    for agency in six_members[:4]:
        vote(motion, agency, "against")
    api = api_at(facility, representative_of(six_members[0]))
    body = api.get(f"/api/governance/motions/{motion.pk}/").json()
    assert body["tally"] is None
    ballots = {row["agency"]: row["ballot"] for row in body["ballots"]}
    assert ballots["UNDP"] == "against"  # its own
    assert ballots["UNFPA"] == "hidden"
    assert ballots["UNEP"] == "did_not_vote"

    services.motion_close(motion=motion, closed_by=secretary)
    body = api.get(f"/api/governance/motions/{motion.pk}/").json()
    assert {row["agency"]: row["ballot"] for row in body["ballots"]}["UNFPA"] == "against"
    assert body["outcome"] == "rejected"


def test_the_ballot_history_shows_your_agency_while_open(
    six_members, make_motion, vote, representative_of, api_at, facility
):
    motion = make_motion()
    vote(motion, six_members[0], "for")
    vote(motion, six_members[0], "against")
    vote(motion, six_members[1], "for")
    body = (
        api_at(facility, representative_of(six_members[0])).get(f"/api/governance/motions/{motion.pk}/history/").json()
    )
    assert [(row["agency"], row["choice"]) for row in body["results"]] == [("UNDP", "for"), ("UNDP", "against")]
    assert BallotRecord.objects.count() == 3


# --- Isolation: who reaches which endpoint --------------------------------------------


def test_every_board_endpoint_refuses_a_facility_agent(ict_agent, six_members, make_motion, api_at, facility):
    motion = make_motion()
    meeting = Meeting.objects.create(
        board=motion.board, title="M", starts_at=timezone.now(), agenda="A", created_by=motion.created_by
    )
    api = api_at(facility, ict_agent)
    reads = [
        "/api/governance/meetings/",
        f"/api/governance/meetings/{meeting.pk}/",
        f"/api/governance/meetings/{meeting.pk}/minutes/",
        "/api/governance/motions/",
        f"/api/governance/motions/{motion.pk}/",
        f"/api/governance/motions/{motion.pk}/history/",
        f"/api/governance/motions/{motion.pk}/result/",
    ]
    for path in reads:
        response = api.get(path)
        assert response.status_code == 403, path
        assert error_code(response) == "auth.permission_denied"
    writes = [
        ("/api/governance/meetings/", {"title": "M", "starts_at": later(), "agenda": "A"}),
        ("/api/governance/motions/", {"title": "T", "text": "T", "rule": "consensus", "closes_at": later()}),
        (f"/api/governance/motions/{motion.pk}/open/", {}),
        (f"/api/governance/motions/{motion.pk}/close/", {}),
        (f"/api/governance/motions/{motion.pk}/withdraw/", {}),
        (f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "for", "agency": "UNDP"}),
    ]
    for path, data in writes:
        assert api.post(path, data, format="json").status_code == 403, path
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN
    # the register is for everyone
    assert api.get("/api/governance/register/").status_code == 200


def test_board_members_cannot_use_the_secretary_endpoints(
    six_members, make_motion, representative_of, api_at, facility
):
    draft = make_motion(open=False)
    api = api_at(facility, representative_of(six_members[0]))
    for path, data in [
        ("/api/governance/meetings/", {"title": "M", "starts_at": later(), "agenda": "A"}),
        ("/api/governance/motions/", {"title": "T", "text": "T", "rule": "consensus", "closes_at": later()}),
        (f"/api/governance/motions/{draft.pk}/open/", {}),
        (f"/api/governance/motions/{draft.pk}/close/", {}),
        (f"/api/governance/motions/{draft.pk}/withdraw/", {}),
        (f"/api/governance/motions/{draft.pk}/documents/", {"title": "X"}),
    ]:
        response = api.post(path, data, format="json")
        assert response.status_code == 403, path
    draft.refresh_from_db()
    assert draft.status == MotionStatus.DRAFT


def test_agency_addresses_cannot_reach_the_board_endpoints(
    undp, make_person, six_members, make_motion, api_at, secretary
):
    # given UNDP's representative (and the secretary, who has no UNDP membership) on UNDP's address
    motion = make_motion()
    representative = make_person((Role.BOARD_REPRESENTATIVE, undp))
    api = api_at(undp, representative)

    # then motions and secretary actions are not there at all
    assert api.get("/api/governance/motions/").status_code == 404
    assert api.post(f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "for"}, format="json").status_code == 404
    assert api.post(f"/api/governance/motions/{motion.pk}/close/").status_code == 404
    assert api.post("/api/governance/meetings/", {}, format="json").status_code == 404
    assert api_at(undp, secretary).get("/api/governance/register/").status_code == 403
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN


def test_the_register_is_read_only_from_an_agency_address(
    undp, undp_requester, six_members, make_motion, vote, secretary, api_at
):
    motion = make_motion()
    for agency in six_members[:4]:
        vote(motion, agency, "for")
    entry = services.motion_close(motion=motion, closed_by=secretary)
    api = api_at(undp, undp_requester)

    listing = api.get("/api/governance/register/").json()
    assert [row["number"] for row in listing["results"]] == [entry.number]
    assert api.get(f"/api/governance/register/{entry.number}/").json()["entry_hash"] == entry.entry_hash
    assert api.get("/api/governance/register/verify/").json()["is_intact"] is True
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api, method)(f"/api/governance/register/{entry.number}/").status_code == 405
    assert api.post("/api/governance/register/", {}, format="json").status_code == 405


def test_an_unknown_register_entry_is_a_json_404(facility, secretary, api_at):
    response = api_at(facility, secretary).get("/api/governance/register/42/")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
