"""The ticket lists: sortable columns that keep the filters, a due-time column for requesters, search in the
conversation (public replies for requesters, internal notes too for agents) and honest empty states."""

from __future__ import annotations

import re
from html import unescape

import pytest

from ict_helpdesk import services
from tests.sla_fixtures import at

from .conftest import in_agency

pytestmark = pytest.mark.django_db


def references_in(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r">([A-Z]+-ICT-\d{6})</a>", body)


def test_the_requester_sorts_her_tickets_by_subject_and_back(undp, undp_requester, raise_ticket, client_at):
    # given three tickets raised in this order
    first = raise_ticket(undp, undp_requester, subject="Printer jams", at=at(2026, 3, 2, 9, 0))
    second = raise_ticket(undp, undp_requester, subject="VPN drops", at=at(2026, 3, 3, 9, 0))
    third = raise_ticket(undp, undp_requester, subject="Account locked", at=at(2026, 3, 4, 9, 0))
    client = client_at(undp, undp_requester)
    # then by default the newest comes first
    assert references_in(client.get("/helpdesk/").content.decode(), "tickets") == [
        third.reference,
        second.reference,
        first.reference,
    ]
    # when sorted by subject, A to Z, then Z to A
    ascending = client.get("/helpdesk/?sort=subject").content.decode()
    assert references_in(ascending, "tickets") == [third.reference, first.reference, second.reference]
    descending = client.get("/helpdesk/?sort=-subject").content.decode()
    assert references_in(descending, "tickets") == [second.reference, first.reference, third.reference]
    # and an unknown column falls back to the newest first instead of failing
    assert client.get("/helpdesk/?sort=drop_table").status_code == 200


def test_sorting_keeps_the_filters_and_the_filters_keep_the_order(undp, undp_requester, raise_ticket, client_at):
    raise_ticket(undp, undp_requester, subject="Printer jams")
    html = client_at(undp, undp_requester).get("/helpdesk/?status=open&q=printer&sort=-raised").content.decode()
    # the column headers link to the same filters, in another order
    subject_link = unescape(re.search(r'<th[^>]*><a href="(\?[^"]*sort=subject[^"]*)"', html).group(1))
    assert "status=open" in subject_link and "q=printer" in subject_link
    # and the filter form sends the chosen order along with new filters
    assert '<input type="hidden" name="sort" value="-raised">' in html
    # while every row reads as a card on a phone: the table is marked, each cell names its column
    assert 'id="tickets" class="stack"' in html and 'data-label="Next due"' in html


def test_the_due_column_shows_the_next_due_time_of_a_running_clock_with_its_zone(
    undp, undp_requester, raise_ticket, client_at
):
    # given a P2 incident raised on Monday 2 March 2026 at 09:00 in São Paulo (first response due at 10:00)
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 3, 2, 9, 0))
    html = client_at(undp, undp_requester).get("/helpdesk/").content.decode()
    due = html.split('class="ticket-due">', 1)[1].split("</td>", 1)[0]
    # then the list shows the first-response due time (long past: overdue since then), in the calendar's zone
    assert "03/02/2026 10 a.m. UTC-03" in due and "overdue since" in due
    # and in Portuguese, the Brazilian way
    pt = client_at(undp, undp_requester).get("/helpdesk/", HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert "02/03/2026 10:00 UTC-03" in pt.split('class="ticket-due">', 1)[1].split("</td>", 1)[0]
    assert ticket.reference in pt


def test_a_pending_ticket_has_no_due_time_while_its_clocks_are_paused(
    undp, undp_requester, ict_agent, raise_ticket, client_at
):
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_pending, ticket=ticket, actor=ict_agent, waiting_on="requester", reason="Model?")
    html = client_at(undp, undp_requester).get("/helpdesk/").content.decode()
    assert html.split('class="ticket-due">', 1)[1].split("</td>", 1)[0] == "paused"


def test_the_requester_s_search_finds_a_word_of_a_public_reply_but_never_of_an_internal_note(
    undp, undp_requester, ict_agent, raise_ticket, client_at
):
    # given a ticket whose conversation has a public reply and an internal note
    ticket = raise_ticket(undp, undp_requester, subject="Laptop does not start")
    other = raise_ticket(undp, undp_requester, subject="Printer jams")
    in_agency(undp, services.ticket_reply, ticket=ticket, author=ict_agent, body="Try the docking station first.")
    in_agency(undp, services.ticket_reply, ticket=other, author=ict_agent, body="Vendor quote 4471", internal=True)
    client = client_at(undp, undp_requester)
    # when the requester searches a word of the reply, she finds the ticket (and only it)
    found = client.get("/helpdesk/?q=docking").content.decode()
    assert references_in(found, "tickets") == [ticket.reference]
    # but a word of the internal note finds nothing, and says so
    hidden = client.get("/helpdesk/?q=4471").content.decode()
    assert references_in(hidden, "tickets") == []
    assert "No ticket matches these filters." in hidden and "You have no ticket yet." not in hidden


def test_an_agent_s_search_also_finds_words_of_internal_notes_across_agencies(
    facility, undp, unfpa, undp_requester, unfpa_requester, ict_agent, raise_ticket, client_at
):
    ticket = raise_ticket(undp, undp_requester, subject="Laptop does not start")
    raise_ticket(unfpa, unfpa_requester, subject="Laptop does not start either")
    in_agency(undp, services.ticket_reply, ticket=ticket, author=ict_agent, body="Vendor quote 4471", internal=True)
    html = client_at(facility, ict_agent).get("/helpdesk/?q=4471").content.decode()
    assert references_in(html, "queue") == [ticket.reference]
    # and a word nobody wrote: the queue says no ticket matches, not that it is empty
    nothing = client_at(facility, ict_agent).get("/helpdesk/?q=zebra").content.decode()
    assert "No ticket matches these filters." in nothing and "The queue is empty." not in nothing


def test_a_requester_without_tickets_is_told_so_and_offered_to_raise_one(undp, undp_requester, helpdesk, client_at):
    html = client_at(undp, undp_requester).get("/helpdesk/").content.decode()
    assert "You have no ticket yet." in html and "No ticket matches" not in html


def test_the_queue_sorts_by_agency_and_keeps_its_urgency_order_by_default(
    facility, undp, unfpa, undp_requester, unfpa_requester, ict_agent, raise_ticket, client_at
):
    # given an urgent UNFPA ticket (P1) raised after a UNDP P4 one
    undp_ticket = raise_ticket(undp, undp_requester, impact="low", urgency="low", at=at(2026, 3, 2, 9, 0))
    unfpa_ticket = raise_ticket(unfpa, unfpa_requester, impact="high", urgency="high", at=at(2026, 3, 2, 10, 0))
    client = client_at(facility, ict_agent)
    # then the queue shows the soonest due first (P1 due at 10:30 before P4 due at 17:00)
    assert references_in(client.get("/helpdesk/").content.decode(), "queue") == [
        unfpa_ticket.reference,
        undp_ticket.reference,
    ]
    # and sorted by agency, UNDP comes before UNFPA
    by_agency = client.get("/helpdesk/?sort=agency&status=").content.decode()
    assert references_in(by_agency, "queue") == [undp_ticket.reference, unfpa_ticket.reference]
