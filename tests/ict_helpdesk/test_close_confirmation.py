"""Closing a ticket cannot be undone, so both sides are asked first: posting without the confirmation
shows what will happen and changes nothing; confirming closes it."""

from __future__ import annotations

import pytest

from ict_helpdesk import services
from ledger.models import EntryStatus, LedgerEntry

from .conftest import in_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(undp, undp_requester, ict_agent, raise_ticket):
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Replaced the cable.")
    return ticket


def status_of(ticket) -> str:
    return LedgerEntry.objects.get(pk=ticket.entry_id).status


def test_an_agent_closing_a_ticket_is_asked_to_confirm_first(facility, ict_agent, resolved, client_at):
    client = client_at(facility, ict_agent)
    url = f"/helpdesk/tickets/{resolved.reference}/close/"
    # when the agent presses Close, the page says what happens and that it cannot be undone
    asked = client.post(url)
    html = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-step"' in html
    assert "This cannot be undone." in html and 'name="confirm" value="yes"' in html
    # and nothing changed yet
    assert status_of(resolved) == EntryStatus.RESOLVED
    # when the agent confirms, the ticket is closed
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert status_of(resolved) == EntryStatus.CLOSED


def test_the_requester_confirming_the_fix_is_asked_too(undp, undp_requester, resolved, client_at):
    client = client_at(undp, undp_requester)
    url = f"/helpdesk/{resolved.reference}/close/"
    asked = client.post(url, HTTP_ACCEPT_LANGUAGE="es")
    assert asked.status_code == 200 and "Esta operación no se puede deshacer." in asked.content.decode()
    assert status_of(resolved) == EntryStatus.RESOLVED
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert status_of(resolved) == EntryStatus.CLOSED


def test_a_confirmation_with_another_answer_changes_nothing(facility, ict_agent, resolved, client_at):
    response = client_at(facility, ict_agent).post(
        f"/helpdesk/tickets/{resolved.reference}/close/", {"confirm": "maybe"}
    )
    assert response.status_code == 200
    assert status_of(resolved) == EntryStatus.RESOLVED
