"""Two agents take the same ticket at the same moment: exactly one gets it, the other a clear message."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from ict_helpdesk import services
from ict_helpdesk.models import Ticket
from ledger.models import LedgerEntry
from shared_platform.errors import ApplicationError


@pytest.mark.django_db(transaction=True)
def test_of_two_agents_taking_a_ticket_at_once_exactly_one_gets_it(
    undp, undp_requester, ict_agent, second_agent, raise_ticket
):
    ticket = raise_ticket(undp, undp_requester)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def take(agent) -> None:  # type: ignore[no-untyped-def]
        try:
            with schema_context(undp.schema_name):
                mine = Ticket.objects.get(pk=ticket.pk)
                barrier.wait()
                services.ticket_take(ticket=mine, agent=agent)
            outcomes[agent.email] = "taken"
        except ApplicationError as error:
            outcomes[agent.email] = f"{error.code}: {error.message}"
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=take, args=(agent,)) for agent in (ict_agent, second_agent)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [email for email, outcome in outcomes.items() if outcome == "taken"]
        assert len(winners) == 1
        loser = next(outcome for outcome in outcomes.values() if outcome != "taken")
        assert loser.startswith("helpdesk.already_taken: ") and "has just been taken by" in loser
        assert LedgerEntry.objects.get(pk=ticket.entry_id).assignee.email == winners[0]
    finally:
        with schema_context(undp.schema_name):
            Ticket.objects.filter(pk=ticket.pk).delete()  # a transactional test leaves no rows in the agency's schema
