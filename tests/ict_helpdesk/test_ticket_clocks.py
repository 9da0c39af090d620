"""A ticket's SLA clocks, in its API and on its pages: target, business time used, due time, result, holder."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ict_helpdesk import services
from ledger.services import clocks_check
from shared_platform.templatetags.platform import when
from tests.ict_helpdesk.conftest import in_agency
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db

# Monday 7 January 2030, 09:00 in Brasília: later than the tests run, so "now" uses no business time of it.
FUTURE_MONDAY = at(2030, 1, 7, 9, 0)


def clocks_of(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {clock["metric"]: clock for clock in response.json()["clocks"]}


def test_a_new_ticket_shows_its_running_clocks_in_the_api_and_on_both_pages(
    undp, facility, undp_requester, ict_agent, raise_ticket, api_at, client_at
):
    # given a P2 ticket raised Monday 7 January 2030 at 09:00
    ticket = raise_ticket(undp, undp_requester, at=FUTURE_MONDAY)
    # when the requester reads it through the API
    clocks = clocks_of(api_at(undp, undp_requester).get(f"/api/helpdesk/tickets/{ticket.reference}/"))
    # then each clock has its target, the time used so far, and its due time in the calendar's zone
    assert clocks["first_response"]["target"] == "1 h" and clocks["resolution"]["target"] == "8 h"
    assert clocks["resolution"]["used"] == "0 min" and clocks["resolution"]["used_minutes"] == 0
    assert clocks["resolution"]["due_at"] == "2030-01-07T17:00:00-03:00"
    assert clocks["resolution"]["time_zone"] == "America/Sao_Paulo"
    assert clocks["resolution"]["result"] is None and clocks["resolution"]["state"] == "running"
    # and both pages show the same
    for page in (
        client_at(undp, undp_requester).get(f"/helpdesk/{ticket.reference}/"),
        client_at(facility, ict_agent).get(f"/helpdesk/tickets/{ticket.reference}/"),
    ):
        html = page.content.decode()
        assert when(datetime(2030, 1, 7, 17, 0, tzinfo=ZoneInfo("America/Sao_Paulo")), "America/Sao_Paulo") in html
        assert "America/Sao_Paulo" in html
        assert "0 min so far" in html and "8 h" in html and "Running" in html


def test_a_pending_ticket_shows_time_used_before_the_pause_and_a_met_first_response(
    undp, facility, undp_requester, ict_agent, raise_ticket, api_at, client_at
):
    # given a P2 ticket raised Tuesday 10 Nov 2026 09:00, answered at 09:30, pending on the requester at 11:00
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 11, 10, 9, 0))
    in_agency(
        undp, services.ticket_reply, ticket=ticket, author=ict_agent, body="Is it charged?", at=at(2026, 11, 10, 9, 30)
    )
    in_agency(
        undp,
        services.ticket_pending,
        ticket=ticket,
        actor=ict_agent,
        waiting_on="requester",
        reason="Charger",
        at=at(2026, 11, 10, 11, 0),
    )
    # when the agent reads it through the API
    clocks = clocks_of(api_at(facility, ict_agent).get(f"/api/helpdesk/tickets/{ticket.reference}/"))
    # then resolution shows the 2 h used before the pause, waiting on the requester, and no due time
    assert clocks["resolution"]["state"] == "paused" and clocks["resolution"]["held_by"] == "requester"
    assert clocks["resolution"]["used"] == "2 h" and clocks["resolution"]["due_at"] is None
    # and first response was met in 30 min
    assert clocks["first_response"]["result"] == "met" and clocks["first_response"]["used"] == "30 min"
    assert clocks["first_response"]["due_at"] is None
    # and the requester's page says so
    html = client_at(undp, undp_requester).get(f"/helpdesk/{ticket.reference}/").content.decode()
    assert "Paused (waiting on the requester)" in html and "2 h so far" in html and "30 min in total" in html


def test_a_breached_ticket_shows_who_held_the_clock(
    undp, facility, undp_requester, ict_agent, raise_ticket, api_at, client_at
):
    # given a P2 ticket nobody answered before its first response ran out at 10:00
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 11, 10, 9, 0))
    clocks_check(now=at(2026, 11, 10, 10, 5))
    # when it is resolved at 12:00
    in_agency(
        undp,
        services.ticket_resolve,
        ticket=ticket,
        actor=ict_agent,
        resolution_note="Done",
        at=at(2026, 11, 10, 12, 0),
    )
    # then the API says first response was breached while the facility held it, after 3 h used in total
    clocks = clocks_of(api_at(undp, undp_requester).get(f"/api/helpdesk/tickets/{ticket.reference}/"))
    assert clocks["first_response"]["result"] == "breached" and clocks["first_response"]["breach_held_by"] == "facility"
    assert clocks["first_response"]["used"] == "3 h" and clocks["resolution"]["result"] == "met"
    # and so do both pages
    for page in (
        client_at(undp, undp_requester).get(f"/helpdesk/{ticket.reference}/"),
        client_at(facility, ict_agent).get(f"/helpdesk/tickets/{ticket.reference}/"),
    ):
        html = page.content.decode()
        assert "Breached (held by the facility)" in html and "3 h in total" in html and "Met" in html


def test_the_ticket_and_the_ledger_share_one_clock_shape_in_the_schema(facility, client_at):
    schema = client_at(facility).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    assert "LedgerClock" in components and "Clock" not in components
    ticket_clocks = components["TicketDetail"]["properties"]["clocks"]
    ledger_clocks = components["LedgerEntry"]["properties"]["clocks"]
    assert ticket_clocks["items"] == ledger_clocks["items"] == {"$ref": "#/components/schemas/LedgerClock"}
    figures = components["LedgerClock"]["properties"]
    assert {"target", "used_minutes", "used", "due_at", "time_zone", "result", "breach_held_by"} <= set(figures)
