"""The helpdesk API: the journey through it, the same rules as the pages, isolation and bad input."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from ict_helpdesk import services
from ict_helpdesk.models import Attachment, Message, Survey, Ticket
from ict_helpdesk.selectors import survey_token
from ledger.models import EntryStatus, LedgerEntry
from tests.ict_helpdesk.conftest import in_agency, png

pytestmark = pytest.mark.django_db


def tickets_in(agency) -> int:  # type: ignore[no-untyped-def]
    with schema_context(agency.schema_name):
        return Ticket.objects.count()


RAISE = {
    "kind": "incident",
    "category": "hardware",
    "impact": "medium",
    "urgency": "high",
    "subject": "Laptop does not start",
    "description": "Black screen after the logo.",
}


def test_the_journey_through_the_api(
    undp, facility, undp_requester, ict_agent, helpdesk, api_at, django_capture_on_commit_callbacks
):
    requester, agent = api_at(undp, undp_requester), api_at(facility, ict_agent)
    # the requester raises a ticket with a screenshot
    with django_capture_on_commit_callbacks(execute=True):
        raised = requester.post("/api/helpdesk/tickets/", {**RAISE, "attachments": [png()]}, format="multipart")
    assert raised.status_code == 201, raised.content
    reference = raised.json()["reference"]
    assert raised.json()["priority"] == "P2" and raised.json()["status"] == "new"
    assert [f["name"] for f in raised.json()["attachments"]] == ["screenshot.png"]
    # the agent finds it in the queue, takes it, replies, adds a note and sets it pending
    queue = agent.get("/api/helpdesk/queue/").json()
    assert reference in [row["reference"] for row in queue["results"]]
    assert agent.post(f"/api/helpdesk/tickets/{reference}/take/").json()["status"] == "open"
    assert agent.post(f"/api/helpdesk/tickets/{reference}/replies/", {"body": "Is it charged?"}).status_code == 201
    noted = agent.post(
        f"/api/helpdesk/tickets/{reference}/replies/", {"body": "SECRET: known bad batch", "internal": True}
    )
    assert [m["internal"] for m in noted.json()["messages"]] == [False, True]
    pending = agent.post(
        f"/api/helpdesk/tickets/{reference}/pending/", {"waiting_on": "requester", "reason": "Charger?"}
    )
    assert pending.json()["status"] == "pending"
    # the requester sees the public reply only, and answers: the ticket is open again
    seen = requester.get(f"/api/helpdesk/tickets/{reference}/").json()
    assert [m["body"] for m in seen["messages"]] == ["Is it charged?"]
    assert "SECRET" not in str(seen)
    answered = requester.post(f"/api/helpdesk/tickets/{reference}/replies/", {"body": "Yes, it is."})
    assert answered.json()["status"] == "open"
    # the agent resolves; the requester rates it
    with django_capture_on_commit_callbacks(execute=True):
        resolved = agent.post(f"/api/helpdesk/tickets/{reference}/resolve/", {"resolution_note": "Battery replaced."})
    assert resolved.json()["status"] == "resolved"
    rated = requester.post(f"/api/helpdesk/tickets/{reference}/rating/", {"score": 4, "comment": "Quick, thanks"})
    assert rated.status_code == 201 and rated.json()["satisfaction"] == 4
    assert LedgerEntry.objects.get(reference=reference).satisfaction == 4
    # no e-mail to the requester ever carried the internal note
    assert all("SECRET" not in m.body for m in mail.outbox if undp_requester.email in m.to)


def test_a_requester_lists_their_own_tickets_and_an_approver_the_agency_s(
    undp, undp_requester, undp_approver, make_person, raise_ticket, api_at
):
    colleague = make_person(("requester", undp), email="colleague@undp.test")
    mine = raise_ticket(undp, undp_requester)
    theirs = raise_ticket(undp, colleague)
    listed = api_at(undp, undp_requester).get("/api/helpdesk/tickets/").json()
    assert [row["reference"] for row in listed["results"]] == [mine.reference]
    assert api_at(undp, undp_requester).get(f"/api/helpdesk/tickets/{theirs.reference}/").status_code == 404
    whole = api_at(undp, undp_approver).get("/api/helpdesk/tickets/?whose=agency").json()
    assert {row["reference"] for row in whole["results"]} == {mine.reference, theirs.reference}


def test_another_agency_s_tickets_files_and_surveys_are_unreachable(
    undp, unfpa, undp_requester, unfpa_requester, ict_agent, raise_ticket, api_at
):
    ticket = raise_ticket(undp, undp_requester, files=[png()])
    with schema_context(undp.schema_name):
        file_id = Attachment.objects.get(ticket=ticket).pk
    in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Done.")
    with schema_context(undp.schema_name):
        token = survey_token(ticket=ticket, schema_name=undp.schema_name)
    outsider = api_at(unfpa, unfpa_requester)
    # on UNFPA's address, UNDP's reference, file and survey token lead nowhere
    assert outsider.get("/api/helpdesk/tickets/").json()["count"] == 0
    for path in (
        f"/api/helpdesk/tickets/{ticket.reference}/",
        f"/api/helpdesk/tickets/{ticket.reference}/files/{file_id}/",
    ):
        assert outsider.get(path).status_code == 404
    for path, body in (
        (f"/api/helpdesk/tickets/{ticket.reference}/replies/", {"body": "hi"}),
        (f"/api/helpdesk/tickets/{ticket.reference}/reopen/", {"reason": "again"}),
        (f"/api/helpdesk/tickets/{ticket.reference}/rating/", {"score": 1}),
        (f"/api/helpdesk/tickets/{ticket.reference}/close/", {}),
        ("/api/helpdesk/survey/", {"token": token, "score": 1}),
    ):
        assert outsider.post(path, body).status_code == 404, path
    # a UNFPA token sent to UNDP's address (a crafted Host header) is refused: the address decides the schema
    crafted = api_at(undp, unfpa_requester)
    assert crafted.get(f"/api/helpdesk/tickets/{ticket.reference}/").status_code == 403
    assert LedgerEntry.objects.get(pk=ticket.entry_id).status == EntryStatus.RESOLVED
    with schema_context(undp.schema_name):
        assert not Survey.objects.exists() and not Message.objects.exists()


def test_the_queue_and_agent_actions_are_for_the_facility_s_staff_only(
    undp, facility, undp_requester, ict_agent, auditor, make_person, raise_ticket, api_at
):
    ticket = raise_ticket(undp, undp_requester)
    board = make_person(("board_representative", undp), email="board@undp.test")
    assert api_at(facility, board).get("/api/helpdesk/queue/").status_code == 403
    assert api_at(undp, undp_requester).get("/api/helpdesk/queue/").status_code == 404
    # the auditor reads but cannot act
    assert api_at(facility, auditor).get(f"/api/helpdesk/tickets/{ticket.reference}/").status_code == 200
    refused = api_at(facility, auditor).post(f"/api/helpdesk/tickets/{ticket.reference}/take/")
    assert refused.status_code == 403
    assert LedgerEntry.objects.get(pk=ticket.entry_id).assignee is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"category": "teleportation"}, "category"),
        ({"impact": "enormous"}, "impact"),
        ({"kind": "complaint"}, "kind"),
        ({"description": None}, "description"),
    ],
)
def test_bad_tickets_are_refused_with_the_field_named_and_nothing_saved(
    undp, undp_requester, helpdesk, api_at, change, field
):
    body = {key: value for key, value in {**RAISE, **change}.items() if value is not None}
    response = api_at(undp, undp_requester).post("/api/helpdesk/tickets/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert tickets_in(undp) == 0 and not LedgerEntry.objects.filter(agency=undp).exists()


def test_a_50_mb_file_is_refused_with_413_and_nothing_saved(undp, undp_requester, helpdesk, api_at, settings):
    big = SimpleUploadedFile("dump.pdf", b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024), content_type="application/pdf")
    response = api_at(undp, undp_requester).post(
        "/api/helpdesk/tickets/", {**RAISE, "attachments": [big]}, format="multipart"
    )
    assert response.status_code == 413
    assert "at most 10 MB" in response.json()["error"]["message"]
    assert tickets_in(undp) == 0 and not LedgerEntry.objects.filter(agency=undp).exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "helpdesk.attachment_type"),
        ("photo.png", b"%PDF-1.4 not a png", "helpdesk.attachment_content"),
        ("notes.txt", b"text\x00binary", "helpdesk.attachment_content"),
    ],
)
def test_files_of_the_wrong_kind_are_refused(undp, undp_requester, helpdesk, api_at, name, content, code):
    upload = SimpleUploadedFile(name, content)
    response = api_at(undp, undp_requester).post(
        "/api/helpdesk/tickets/", {**RAISE, "attachments": [upload]}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert tickets_in(undp) == 0


def test_a_forged_or_reused_survey_token_is_refused(undp, undp_requester, ict_agent, raise_ticket, api_at):
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Done.")
    anonymous = api_at(undp)
    with schema_context(undp.schema_name):
        token = survey_token(ticket=ticket, schema_name=undp.schema_name)
    forged = anonymous.post("/api/helpdesk/survey/", {"token": token[:-3] + "abc", "score": 5})
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "helpdesk.survey_link_invalid"
    assert anonymous.post("/api/helpdesk/survey/", {"token": token, "score": 9}).status_code == 400
    assert anonymous.post("/api/helpdesk/survey/", {"token": token, "score": 5}).status_code == 201
    again = anonymous.post("/api/helpdesk/survey/", {"token": token, "score": 1})
    assert again.status_code == 409 and again.json()["error"]["code"] == "helpdesk.already_rated"
    assert LedgerEntry.objects.get(pk=ticket.entry_id).satisfaction == 5


def test_an_unknown_action_and_bad_action_input_are_clear_4xx(
    undp, facility, undp_requester, ict_agent, raise_ticket, api_at
):
    ticket = raise_ticket(undp, undp_requester)
    agent = api_at(facility, ict_agent)
    assert agent.post(f"/api/helpdesk/tickets/{ticket.reference}/explode/").status_code == 404
    bad = agent.post(f"/api/helpdesk/tickets/{ticket.reference}/pending/", {"waiting_on": "godot", "reason": "x"})
    assert bad.status_code == 400 and "waiting_on" in bad.json()["error"]["fields"]
    illegal = agent.post(f"/api/helpdesk/tickets/{ticket.reference}/reopen/", {"reason": "x"})
    assert illegal.status_code == 409 and illegal.json()["error"]["code"] == "ledger.illegal_transition"
    assert agent.get("/api/helpdesk/tickets/NOPE-ICT-000001/").status_code == 404


def test_the_priority_matrix_is_read_by_everyone_and_changed_by_the_manager_only(
    facility, ict_agent, facility_manager, helpdesk, api_at
):
    cells = api_at(facility, ict_agent).get("/api/helpdesk/priority-matrix/").json()
    assert len(cells) == 9
    change = [{"impact": "low", "urgency": "low", "priority": "P3"}]
    assert api_at(facility, ict_agent).put("/api/helpdesk/priority-matrix/", change, format="json").status_code == 403
    saved = api_at(facility, facility_manager).put("/api/helpdesk/priority-matrix/", change, format="json")
    assert {"impact": "low", "urgency": "low", "priority": "P3"} in saved.json()
    bad = api_at(facility, facility_manager).put(
        "/api/helpdesk/priority-matrix/", [{"impact": "low", "urgency": "low", "priority": "P9"}], format="json"
    )
    assert bad.status_code == 400


def test_the_openapi_schema_lists_the_helpdesk(undp, facility, api_at, undp_requester, ict_agent):
    agency_schema = api_at(undp, undp_requester).get("/api/schema/").content.decode()
    portal_schema = api_at(facility, ict_agent).get("/api/schema/").content.decode()
    assert "/api/helpdesk/tickets/{reference}/rating/" in agency_schema
    assert "/api/helpdesk/queue/" in portal_schema and "/api/helpdesk/queue/" not in agency_schema


def test_the_ticket_list_costs_the_same_queries_whatever_the_number_of_tickets(
    undp, undp_approver, raise_ticket, api_at
):
    client = api_at(undp, undp_approver)
    raise_ticket(undp, undp_approver)
    counted: list[int] = []
    for more in (0, 5):
        for _ in range(more):
            raise_ticket(undp, undp_approver)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/helpdesk/tickets/").status_code == 200
        counted.append(len([q for q in captured.captured_queries if not q["sql"].startswith("SET ")]))
    assert counted[0] == counted[1]
