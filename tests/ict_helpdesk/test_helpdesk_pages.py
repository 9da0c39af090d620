"""The helpdesk pages: requesters on their agency's address, agents on the portal, the manager's settings."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from ict_helpdesk import services
from ict_helpdesk.models import Attachment, Ticket
from ict_helpdesk.selectors import survey_token
from ledger.models import EntryStatus, LedgerEntry
from service_levels.models import PriorityRule
from tests.ict_helpdesk.conftest import in_agency, png

pytestmark = pytest.mark.django_db


def form(category) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "kind": "incident",
        "category": category.pk,
        "impact": "low",
        "urgency": "high",
        "subject": "Printer jams",
        "description": "Every second page.",
    }


def test_a_requester_raises_a_ticket_from_the_page_and_follows_it(undp, undp_requester, category, client_at):
    client = client_at(undp, undp_requester)
    assert client.get("/helpdesk/new/").status_code == 200
    response = client.post("/helpdesk/new/", {**form(category), "attachments": [png()]})
    assert response.status_code == 302
    with schema_context(undp.schema_name):
        ticket = Ticket.objects.get()
    assert response["Location"] == f"/helpdesk/{ticket.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "Printer jams" in page and "P3" in page and "screenshot.png" in page and "First response" in page
    listing = client.get("/helpdesk/").content.decode()
    assert ticket.reference in listing


def test_a_bad_ticket_form_shows_errors_and_saves_nothing(undp, undp_requester, category, client_at):
    response = client_at(undp, undp_requester).post(
        "/helpdesk/new/", {**form(category), "subject": "", "category": 99999}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "subject" in errors and "category" in errors
    with schema_context(undp.schema_name):
        assert not Ticket.objects.exists()


def test_a_too_large_file_on_the_page_is_a_form_error(undp, undp_requester, category, client_at, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("log.txt", b"a" * 4096)
    response = client_at(undp, undp_requester).post("/helpdesk/new/", {**form(category), "attachments": [big]})
    assert response.status_code == 400
    assert "larger than" in str(response.context["form"].errors["attachments"])
    assert not LedgerEntry.objects.filter(agency=undp).exists()


def test_internal_notes_never_reach_the_requester_s_page(
    undp, facility, undp_requester, ict_agent, raise_ticket, client_at
):
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_reply, ticket=ticket, author=ict_agent, body="Public: please restart")
    in_agency(
        undp,
        services.ticket_reply,
        ticket=ticket,
        author=ict_agent,
        body="SECRET note",
        internal=True,
        files=[png("internal.png")],
    )
    with schema_context(undp.schema_name):
        internal_file = Attachment.objects.get(name="internal.png")
    requester_page = client_at(undp, undp_requester).get(f"/helpdesk/{ticket.reference}/").content.decode()
    assert "Public: please restart" in requester_page
    assert "SECRET" not in requester_page and "internal.png" not in requester_page
    assert (
        client_at(undp, undp_requester).get(f"/helpdesk/{ticket.reference}/files/{internal_file.pk}/").status_code
        == 404
    )
    agent_page = client_at(facility, ict_agent).get(f"/helpdesk/tickets/{ticket.reference}/").content.decode()
    assert "SECRET note" in agent_page and "internal note" in agent_page
    download = client_at(facility, ict_agent).get(f"/helpdesk/tickets/{ticket.reference}/files/{internal_file.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_attachments_are_served_only_to_those_who_may_see_the_ticket(
    undp, unfpa, undp_requester, unfpa_requester, make_person, raise_ticket, client_at
):
    ticket = raise_ticket(undp, undp_requester, files=[png()])
    with schema_context(undp.schema_name):
        attachment = Attachment.objects.get()
    path = f"/helpdesk/{ticket.reference}/files/{attachment.pk}/"
    own = client_at(undp, undp_requester).get(path)
    assert own.status_code == 200 and own["Content-Disposition"].startswith("attachment")
    colleague = make_person(("requester", undp), email="colleague@undp.test")
    assert client_at(undp, colleague).get(path).status_code == 404
    assert client_at(unfpa, unfpa_requester).get(path).status_code == 404
    # a UNFPA person sending UNDP's Host header is turned away at the address
    assert client_at(undp, unfpa_requester).get(path).status_code == 403
    assert attachment.file.name.startswith("helpdesk/")


def test_the_agent_works_the_ticket_from_the_portal(undp, facility, undp_requester, ict_agent, raise_ticket, client_at):
    ticket = raise_ticket(undp, undp_requester)
    agent = client_at(facility, ict_agent)
    queue = agent.get("/helpdesk/").content.decode()
    assert ticket.reference in queue
    base = f"/helpdesk/tickets/{ticket.reference}"
    assert agent.post(f"{base}/take/").status_code == 302
    assert agent.post(f"{base}/reply/", {"body": "Restart please"}).status_code == 302
    refused = agent.post(f"{base}/pending/", {"waiting_on": "requester", "reason": ""})
    assert refused.status_code == 400 and "reason" in refused.context["pending_form"].errors
    assert agent.post(f"{base}/pending/", {"waiting_on": "requester", "reason": "Did it help?"}).status_code == 302
    assert LedgerEntry.objects.get(pk=ticket.entry_id).status == EntryStatus.PENDING
    assert agent.post(f"{base}/resume/").status_code == 302
    assert agent.post(f"{base}/priority/", {"impact": "high", "urgency": "high", "reason": "VIP"}).status_code == 302
    assert agent.post(f"{base}/resolve/", {"resolution_note": "Restarted."}).status_code == 302
    entry = LedgerEntry.objects.get(pk=ticket.entry_id)
    assert (entry.status, entry.priority, entry.assignee) == (EntryStatus.RESOLVED, "P1", ict_agent)
    # an illegal move is a message, not a 500
    response = agent.post(f"{base}/resume/", follow=True)
    assert response.status_code == 200 and "is not pending" in response.content.decode()


def test_the_queue_filters_by_agency_priority_and_assignee(
    undp, unfpa, facility, undp_requester, unfpa_requester, ict_agent, raise_ticket, client_at
):
    undp_ticket = raise_ticket(undp, undp_requester, impact="high", urgency="high")
    unfpa_ticket = raise_ticket(unfpa, unfpa_requester, impact="low", urgency="low")
    agent = client_at(facility, ict_agent)
    page = agent.get("/helpdesk/?agency=UNFPA").content.decode()
    assert unfpa_ticket.reference in page and undp_ticket.reference not in page
    page = agent.get("/helpdesk/?priority=P1").content.decode()
    assert undp_ticket.reference in page and unfpa_ticket.reference not in page
    page = agent.get("/helpdesk/?assignee=none").content.decode()
    assert undp_ticket.reference in page and unfpa_ticket.reference in page
    # filtering by agency alone still shows the tickets in progress only; "any status" shows the rest too
    in_agency(undp, services.ticket_resolve, ticket=undp_ticket, actor=ict_agent, resolution_note="Done.")
    assert undp_ticket.reference not in agent.get("/helpdesk/?agency=UNDP").content.decode()
    assert undp_ticket.reference in agent.get("/helpdesk/?agency=UNDP&status=").content.decode()
    in_agency(undp, services.ticket_reopen, ticket=undp_ticket, actor=ict_agent, reason="Not fixed")
    # the most urgent first: P1 (response due in 30 min) before P4
    rows = agent.get("/helpdesk/").context["page"].object_list
    assert [row.reference for row in rows][:2] == [undp_ticket.reference, unfpa_ticket.reference]


def test_agency_people_and_board_members_cannot_open_the_queue(
    undp, facility, undp_requester, make_person, raise_ticket, client_at
):
    ticket = raise_ticket(undp, undp_requester)
    board = make_person(("board_representative", undp), email="board@undp.test")
    assert client_at(facility, board).get("/helpdesk/").status_code == 403
    assert client_at(facility, board).get(f"/helpdesk/tickets/{ticket.reference}/").status_code == 403
    assert client_at(undp, undp_requester).get(f"/helpdesk/tickets/{ticket.reference}/").status_code == 404


def test_the_survey_link_rates_once_on_the_agency_s_address_only(
    undp, unfpa, undp_requester, ict_agent, raise_ticket, client_at
):
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Done.")
    with schema_context(undp.schema_name):
        token = survey_token(ticket=ticket, schema_name=undp.schema_name)
    path = f"/helpdesk/survey/{token}/"
    assert client_at(unfpa).get(path).status_code == 404
    assert client_at(undp).get(f"/helpdesk/survey/{token}x/").status_code == 400
    anonymous = client_at(undp)
    assert anonymous.get(path).status_code == 200
    assert anonymous.post(path, {"score": 7}).status_code == 400
    done = anonymous.post(path, {"score": 5, "comment": "Great"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    assert anonymous.post(path, {"score": 1}).status_code == 409
    assert LedgerEntry.objects.get(pk=ticket.entry_id).satisfaction == 5


def test_the_manager_edits_the_matrix_and_categories_and_others_cannot(
    facility, facility_manager, ict_agent, helpdesk, client_at
):
    manager = client_at(facility, facility_manager)
    page = manager.get("/helpdesk/settings/")
    assert page.status_code == 200 and "Impact" in page.content.decode()
    cells = {f"{r.impact}__{r.urgency}": r.priority for r in PriorityRule.objects.all()}
    assert manager.post("/helpdesk/settings/", {**cells, "low__low": "P3"}).status_code == 302
    assert PriorityRule.objects.get(impact="low", urgency="low").priority == "P3"
    assert manager.post("/helpdesk/settings/", {**cells, "low__low": "P7"}).status_code == 400
    assert client_at(facility, ict_agent).get("/helpdesk/settings/").status_code == 403
    created = manager.post("/helpdesk/settings/categories/new/", {"code": "printing", "name": "Dup", "is_active": "on"})
    assert created.status_code == 400  # the code is taken
    assert manager.post("/helpdesk/settings/categories/new/", {"code": "av", "name": "Audio-visual"}).status_code == 302


def test_the_sla_dashboard_counts_ratings_per_agency_and_month(
    undp, facility, undp_requester, ict_agent, facility_manager, raise_ticket, client_at
):
    for score in (5, 4):
        ticket = raise_ticket(undp, undp_requester)
        in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Done.")
        in_agency(undp, services.ticket_rate, ticket=ticket, score=score, by=undp_requester)
    page = client_at(facility, facility_manager).get("/sla/")
    assert page.context["satisfaction_average"] == pytest.approx(4.5)
    rows = list(page.context["satisfaction_page"].object_list)
    assert [(row.agency_code, row.ratings, str(row.average)) for row in rows] == [("UNDP", 2, "4.5")]
    csv = client_at(facility, facility_manager).get("/sla/?export=satisfaction").content.decode()
    assert "UNDP,2,4.5" in csv


def test_the_ledger_page_of_a_ticket_links_to_the_ticket(
    undp, facility, undp_requester, ict_agent, raise_ticket, client_at
):
    ticket = raise_ticket(undp, undp_requester)
    portal = client_at(facility, ict_agent).get(f"/requests/{ticket.reference}/").content.decode()
    assert f'href="/helpdesk/tickets/{ticket.reference}/"' in portal
    agency = client_at(undp, undp_requester).get(f"/requests/{ticket.reference}/").content.decode()
    assert f'href="/helpdesk/{ticket.reference}/"' in agency


def test_a_ticket_whose_history_holds_a_step_with_no_person_opens_for_everyone(
    facility, undp, undp_requester, ict_agent, auditor, raise_ticket, client_at
):
    # given a ticket left overdue, and beat's clock check recording its breach (no person behind that event)
    from datetime import timedelta

    from django.utils import timezone

    from ledger.models import LedgerEvent
    from ledger.services import clocks_check

    ticket = raise_ticket(undp, undp_requester, at=timezone.now() - timedelta(days=10))
    clocks_check()
    assert LedgerEvent.objects.filter(entry_id=ticket.entry_id, actor=None).exclude(kind="opened").exists()
    # when the requester, the agent and the auditor open it
    pages = [
        client_at(undp, undp_requester).get(f"/helpdesk/{ticket.reference}/"),
        client_at(facility, ict_agent).get(f"/helpdesk/tickets/{ticket.reference}/"),
        client_at(facility, auditor).get(f"/helpdesk/tickets/{ticket.reference}/"),
        client_at(facility, ict_agent).get(f"/requests/{ticket.reference}/"),
    ]
    # then every page answers, and the history says the platform did it
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert "the platform" in pages[1].content.decode()
