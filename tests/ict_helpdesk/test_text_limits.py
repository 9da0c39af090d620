"""Helpdesk texts and files: too long is a field error, never stored or cut short; long file names are shortened."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from ict_helpdesk import services
from ict_helpdesk.models import Attachment, Message, Survey, Ticket
from ict_helpdesk.services import attachment_name
from shared_platform import limits
from shared_platform.errors import ApplicationError
from tests.ict_helpdesk.conftest import fresh, in_agency, png
from tests.test_text_limits import refused_on

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * (limits.LONG_TEXT + 1)
RAISE = {"kind": "incident", "category": "hardware", "impact": "medium", "urgency": "high", "subject": "Laptop"}


def tickets_in(agency: Any) -> int:
    with schema_context(agency.schema_name):
        return Ticket.objects.count()


def test_a_ticket_description_longer_than_the_limit_is_refused_by_the_api(undp, undp_requester, helpdesk, api_at):
    # given a requester at UNDP
    api = api_at(undp, undp_requester)
    # when they raise a ticket with a 20,001-character description, or a 201-character subject
    long_description = api.post("/api/helpdesk/tickets/", {**RAISE, "description": TOO_LONG}, format="json")
    long_subject = api.post(
        "/api/helpdesk/tickets/", {**RAISE, "subject": "s" * 201, "description": "Black screen"}, format="json"
    )
    # then each is a 400 naming the field, and no ticket exists
    error = refused_on(long_description, "description")
    assert "20000" in error["fields"]["description"][0]
    refused_on(long_subject, "subject")
    assert tickets_in(undp) == 0
    # and the limit itself is accepted
    exact = api.post("/api/helpdesk/tickets/", {**RAISE, "description": "x" * limits.LONG_TEXT}, format="json")
    assert exact.status_code == 201, exact.content
    with schema_context(undp.schema_name):
        assert len(Ticket.objects.get().description) == limits.LONG_TEXT


def test_a_ticket_description_longer_than_the_limit_is_a_form_error_on_the_page(
    undp, undp_requester, category, client_at
):
    # when the requester raises a ticket on the page with a 20,001-character description
    response = client_at(undp, undp_requester).post(
        "/helpdesk/new/", {**RAISE, "category": category.pk, "description": TOO_LONG}
    )
    # then the form comes back with the error on the description, and nothing is stored
    assert response.status_code == 400
    assert response.context["form"].errors["description"]
    assert tickets_in(undp) == 0


def test_replies_notes_resolutions_and_comments_have_limits(
    undp, facility, undp_requester, ict_agent, raise_ticket, api_at, client_at
):
    # given a ticket
    ticket = raise_ticket(undp, undp_requester)
    requester, agent = api_at(undp, undp_requester), api_at(facility, ict_agent)
    reference = ticket.reference
    # when a reply, an internal note and a resolution note are each one character too long
    refused_on(requester.post(f"/api/helpdesk/tickets/{reference}/replies/", {"body": TOO_LONG}), "body")
    refused_on(agent.post(f"/api/helpdesk/tickets/{reference}/replies/", {"body": TOO_LONG, "internal": True}), "body")
    refused_on(
        agent.post(f"/api/helpdesk/tickets/{reference}/resolve/", {"resolution_note": TOO_LONG}), "resolution_note"
    )
    page = client_at(undp, undp_requester).post(f"/helpdesk/{reference}/reply/", {"body": TOO_LONG})
    agent_page = client_at(facility, ict_agent).post(f"/helpdesk/tickets/{reference}/reply/", {"body": TOO_LONG})
    # then nothing was written and the ticket is still open
    assert page.status_code == 400 and "body" in page.context["reply_form"].errors
    assert agent_page.status_code == 400 and "body" in agent_page.context["reply_form"].errors
    with schema_context(undp.schema_name):
        assert not Message.objects.exists()
    assert fresh(undp, ticket).entry.status == "new"
    # and once resolved, a 2,001-character comment on the rating is refused, not cut short
    agent.post(f"/api/helpdesk/tickets/{reference}/resolve/", {"resolution_note": "Replaced."})
    rating = requester.post(
        f"/api/helpdesk/tickets/{reference}/rating/", {"score": 4, "comment": "c" * (limits.SHORT_TEXT + 1)}
    )
    refused_on(rating, "comment")
    with schema_context(undp.schema_name):
        assert not Survey.objects.exists()


def test_the_rating_service_refuses_a_long_comment_instead_of_cutting_it(undp, undp_requester, ict_agent, raise_ticket):
    # given a resolved ticket
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Replaced.")
    # when it is rated with a comment one character too long (the survey link calls the service directly)
    with pytest.raises(ApplicationError) as refused:
        in_agency(
            undp, services.ticket_rate, ticket=ticket, score=3, comment="c" * (limits.SHORT_TEXT + 1), by=undp_requester
        )
    # then it is refused on the comment, and nothing is stored
    assert "comment" in refused.value.fields
    with schema_context(undp.schema_name):
        assert not Survey.objects.exists()


# -- file names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("screenshot.png", "screenshot.png"),
        ("a" * 300 + ".pdf", "a" * (limits.FILE_NAME - 4) + ".pdf"),
        ("é" * 300 + ".pdf", "é" * 98 + ".pdf"),  # 200 bytes of UTF-8 at most
        ("C:\\Users\\ana\\report.txt", "report.txt"),
        ("???", "file"),
        ("..", "file"),
    ],
)
def test_an_attachment_s_name_is_made_safe_and_short_keeping_its_extension(original: str, expected: str) -> None:
    name = attachment_name(original)
    assert name == expected
    assert len(name) <= limits.FILE_NAME and len(name.encode()) <= 200


def test_a_file_with_a_very_long_name_is_attached_under_a_shortened_name(undp, undp_requester, helpdesk, api_at):
    # given a screenshot whose name is 400 characters long
    long_name = "captura de tela " * 25 + ".png"
    # when it is attached to a new ticket through the API
    response = api_at(undp, undp_requester).post(
        "/api/helpdesk/tickets/",
        {**RAISE, "description": "See the file", "attachments": [png(long_name)]},
        format="multipart",
    )
    # then the ticket is raised with the file under a safe name that keeps its extension
    assert response.status_code == 201, response.content
    [attachment] = response.json()["attachments"]
    assert attachment["name"].endswith(".png") and len(attachment["name"]) <= limits.FILE_NAME
    with schema_context(undp.schema_name):
        stored = Attachment.objects.get()
        assert stored.file.storage.exists(stored.file.name)
