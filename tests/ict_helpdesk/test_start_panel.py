"""The helpdesk on the start pages: the button to report a problem; the agents' queue at a glance."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger.services import clocks_check

pytestmark = pytest.mark.django_db


def test_a_requester_sees_the_button_to_report_a_problem_and_their_ticket_with_its_due_time(
    undp, undp_requester, make_person, raise_ticket, client_at
):
    # given a ticket of theirs and one of a colleague's
    mine = raise_ticket(undp, undp_requester, subject="Printer jams")
    colleague = make_person(("requester", undp))
    theirs = raise_ticket(undp, colleague, subject="Salary slip missing")
    # when the requester opens the agency's address
    page = client_at(undp, undp_requester).get("/").content.decode()
    # then the start page offers to report a problem and lists their own ticket with its next due time
    assert "/helpdesk/new/" in page
    assert 'id="start-my-requests"' in page
    assert mine.reference in page and "Printer jams" in page and "due " in page
    assert theirs.reference not in page and "Salary slip missing" not in page


def test_an_agency_without_an_ict_agreement_gets_no_helpdesk_button(undp, undp_requester, client_at):
    page = client_at(undp, undp_requester).get("/").content.decode()
    assert "/helpdesk/new/" not in page
    assert "You have no open request." in page


def test_an_agent_sees_the_queue_counts_by_urgency(facility, undp, undp_requester, ict_agent, raise_ticket, client_at):
    # given one ticket long overdue (its breach recorded by the clock check) and one fresh P1
    raise_ticket(undp, undp_requester, at=timezone.now() - timedelta(days=10), impact="low", urgency="low")
    raise_ticket(undp, undp_requester, impact="high", urgency="high")
    clocks_check()
    # when the agent opens the portal
    page = client_at(facility, ict_agent).get("/").content.decode()
    # then the queue panel counts one overdue, one critical, two not taken, none theirs
    assert 'id="start-ict-queue"' in page
    for number, label in ((1, "overdue"), (1, "critical (P1)"), (2, "not taken yet"), (0, "yours")):
        assert f"<strong>{number}</strong> {label}" in page
