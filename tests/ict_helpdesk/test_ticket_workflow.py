"""A ticket's life through the helpdesk services: every transition, every refused one, and the clocks."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from ict_helpdesk import services
from ict_helpdesk.models import Message, Ticket
from ledger.models import ClockState, EntryStatus, EventKind, Holder, LedgerEntry
from service_levels.models import Metric
from service_levels.services import priority_matrix_save
from shared_platform.errors import ApplicationError
from tests.ict_helpdesk.conftest import fresh, in_agency
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def clock(ticket: Ticket, metric: str):
    return LedgerEntry.objects.get(pk=ticket.entry_id).clocks.get(metric=metric)


def status(ticket: Ticket) -> str:
    return LedgerEntry.objects.get(pk=ticket.entry_id).status


def test_raising_puts_the_ticket_on_the_ledger_with_the_matrix_priority_and_its_targets(
    undp, undp_requester, raise_ticket
):
    # given impact medium x urgency high, which the default matrix makes P2 (1 h response, 8 h resolution)
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 11, 10, 9, 0))
    entry = LedgerEntry.objects.get(pk=ticket.entry_id)
    assert ticket.reference.startswith("UNDP-ICT-")
    assert (entry.reference, entry.priority, entry.status, entry.service.code) == (
        ticket.reference,
        "P2",
        "new",
        "ICT-INC",
    )
    assert entry.category_id == ticket.category_id and entry.detail_id == ticket.pk
    assert clock(ticket, Metric.FIRST_RESPONSE).due_at == at(2026, 11, 10, 10, 0)
    assert clock(ticket, Metric.RESOLUTION).due_at == at(2026, 11, 10, 17, 0)


def test_a_service_request_is_measured_and_billed_as_ict_req(undp, undp_requester, raise_ticket):
    ticket = raise_ticket(undp, undp_requester, kind="request", impact="low", urgency="low")
    entry = LedgerEntry.objects.get(pk=ticket.entry_id)
    assert (entry.service.code, entry.priority) == ("ICT-REQ", "P4")


def test_the_facility_manager_s_matrix_decides_the_priority_of_new_tickets(undp, undp_requester, raise_ticket):
    priority_matrix_save(cells={("medium", "high"): "P1"})
    ticket = raise_ticket(undp, undp_requester)
    assert LedgerEntry.objects.get(pk=ticket.entry_id).priority == "P1"


def test_the_whole_journey_stops_pauses_and_resumes_the_right_clocks(
    undp, undp_requester, ict_agent, raise_ticket, django_capture_on_commit_callbacks
):
    # given a P2 ticket raised on Tuesday 10 Nov 2026 at 09:00
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 11, 10, 9, 0))
    # when the agent takes it and replies publicly at 09:30: first response is met and stops
    in_agency(undp, services.ticket_take, ticket=ticket, agent=ict_agent, at=at(2026, 11, 10, 9, 10))
    assert status(ticket) == EntryStatus.OPEN
    in_agency(
        undp,
        services.ticket_reply,
        ticket=ticket,
        author=ict_agent,
        body="Is it plugged in?",
        at=at(2026, 11, 10, 9, 30),
    )
    response = clock(ticket, Metric.FIRST_RESPONSE)
    assert response.state == ClockState.STOPPED and response.breached_at is None
    # and sets it pending on the requester at 11:00 (2 h of the 8 h used): resolution pauses
    in_agency(
        undp,
        services.ticket_pending,
        ticket=ticket,
        actor=ict_agent,
        waiting_on="requester",
        reason="A photo of the screen",
        at=at(2026, 11, 10, 11, 0),
    )
    assert status(ticket) == EntryStatus.PENDING
    assert clock(ticket, Metric.RESOLUTION).state == ClockState.PAUSED
    # when the requester answers next morning at 09:00, the clock resumes and its due time moved by the pause
    in_agency(
        undp,
        services.ticket_reply,
        ticket=ticket,
        author=undp_requester,
        body="Photo attached.",
        at=at(2026, 11, 11, 9, 0),
    )
    resolution = clock(ticket, Metric.RESOLUTION)
    assert status(ticket) == EntryStatus.OPEN
    assert resolution.state == ClockState.RUNNING and resolution.due_at == at(2026, 11, 11, 15, 0)
    # when the agent resolves at 10:00: the clock stops, met, and one ticket is billable
    in_agency(
        undp,
        services.ticket_resolve,
        ticket=ticket,
        actor=ict_agent,
        resolution_note="Replaced the cable.",
        at=at(2026, 11, 11, 10, 0),
    )
    entry = LedgerEntry.objects.get(pk=ticket.entry_id)
    assert entry.status == EntryStatus.RESOLVED and not entry.breached
    assert clock(ticket, Metric.RESOLUTION).state == ClockState.STOPPED
    assert entry.billable_units == 1 and entry.billable_recorded_at == at(2026, 11, 11, 10, 0)
    # then it closes
    in_agency(undp, services.ticket_close, ticket=ticket, actor=ict_agent, at=at(2026, 11, 12, 10, 0))
    assert status(ticket) == EntryStatus.CLOSED
    kinds = list(LedgerEntry.objects.get(pk=ticket.entry_id).events.values_list("kind", flat=True))
    assert kinds.count(EventKind.STATUS) == 5  # new→open, open→pending, pending→open, open→resolved, resolved→closed


def test_reopening_resumes_resolution_keeps_first_response_and_bills_once(
    undp, undp_requester, ict_agent, raise_ticket
):
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 11, 10, 9, 0))
    in_agency(undp, services.ticket_reply, ticket=ticket, author=ict_agent, body="On it.", at=at(2026, 11, 10, 9, 20))
    in_agency(
        undp,
        services.ticket_resolve,
        ticket=ticket,
        actor=ict_agent,
        resolution_note="Fixed.",
        at=at(2026, 11, 10, 11, 0),
    )
    # when the requester reopens at 13:00 and the agent resolves again at 14:00
    in_agency(
        undp,
        services.ticket_reopen,
        ticket=ticket,
        actor=undp_requester,
        reason="Black screen again",
        at=at(2026, 11, 10, 13, 0),
    )
    resolution = clock(ticket, Metric.RESOLUTION)
    assert resolution.state == ClockState.RUNNING
    # 2 h of the 8 h were used before resolution: 6 h left from 13:00 is 4 h today and 2 h tomorrow
    assert resolution.due_at == at(2026, 11, 11, 10, 0)
    assert clock(ticket, Metric.FIRST_RESPONSE).state == ClockState.STOPPED
    in_agency(
        undp,
        services.ticket_resolve,
        ticket=ticket,
        actor=ict_agent,
        resolution_note="New cable.",
        at=at(2026, 11, 10, 14, 0),
    )
    entry = LedgerEntry.objects.get(pk=ticket.entry_id)
    # then the billable unit is the one recorded at the first resolution, once
    assert entry.billable_units == 1 and entry.billable_recorded_at == at(2026, 11, 10, 11, 0)
    assert entry.events.filter(kind=EventKind.BILLED).count() == 1


def test_the_first_internal_note_does_not_stop_first_response(undp, undp_requester, ict_agent, raise_ticket):
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 11, 10, 9, 0))
    in_agency(
        undp,
        services.ticket_reply,
        ticket=ticket,
        author=ict_agent,
        body="Probably the PSU",
        internal=True,
        at=at(2026, 11, 10, 9, 5),
    )
    assert clock(ticket, Metric.FIRST_RESPONSE).state == ClockState.RUNNING
    assert fresh(undp, ticket).first_agent_reply_at is None


def test_an_agent_replying_to_a_new_ticket_takes_it(undp, undp_requester, ict_agent, raise_ticket):
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_reply, ticket=ticket, author=ict_agent, body="Looking into it.")
    entry = LedgerEntry.objects.get(pk=ticket.entry_id)
    assert (entry.assignee, entry.status) == (ict_agent, EntryStatus.OPEN)


@pytest.mark.parametrize(
    ("setup", "step", "code"),
    [
        ([], "resume", "ledger.not_pending"),
        ([], "reopen", "ledger.illegal_transition"),
        ([], "close", "ledger.illegal_transition"),
        (["resolve"], "pending", "ledger.illegal_transition"),
        (["resolve"], "resolve", "ledger.illegal_transition"),
        (["resolve", "close"], "reopen", "ledger.illegal_transition"),
        (["resolve", "close"], "reply", "helpdesk.ticket_closed"),
        (["resolve", "close"], "pending", "ledger.illegal_transition"),
        (["pending"], "pending", "ledger.illegal_transition"),
    ],
)
def test_illegal_moves_are_refused_with_a_clear_error_and_change_nothing(
    undp, undp_requester, ict_agent, raise_ticket, setup, step, code
):
    ticket = raise_ticket(undp, undp_requester)
    steps = {
        "resolve": lambda: in_agency(
            undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Done."
        ),
        "close": lambda: in_agency(undp, services.ticket_close, ticket=ticket, actor=ict_agent),
        "pending": lambda: in_agency(
            undp, services.ticket_pending, ticket=ticket, actor=ict_agent, waiting_on="requester", reason="A photo"
        ),
        "resume": lambda: in_agency(undp, services.ticket_resume, ticket=ticket, actor=ict_agent),
        "reopen": lambda: in_agency(undp, services.ticket_reopen, ticket=ticket, actor=undp_requester, reason="Again"),
        "reply": lambda: in_agency(undp, services.ticket_reply, ticket=ticket, author=undp_requester, body="Hello?"),
    }
    for name in setup:
        steps[name]()
    before = (status(ticket), LedgerEntry.objects.get(pk=ticket.entry_id).events.count())
    with pytest.raises(ApplicationError) as refused:
        steps[step]()
    assert refused.value.code == code
    assert refused.value.message
    assert (status(ticket), LedgerEntry.objects.get(pk=ticket.entry_id).events.count()) == before


def test_a_refused_move_says_what_happened_in_plain_words(undp, undp_requester, ict_agent, raise_ticket):
    # given a new ticket
    ticket = raise_ticket(undp, undp_requester)

    # when an agent closes it before it is resolved, then the refusal says so
    with pytest.raises(ApplicationError) as refused:
        in_agency(undp, services.ticket_close, ticket=ticket, actor=ict_agent)
    assert refused.value.message == f"{ticket.reference} has not been resolved yet, so it cannot be closed."

    # and once resolved and closed, putting it on hold says it no longer changes
    in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Done.")
    in_agency(undp, services.ticket_close, ticket=ticket, actor=ict_agent)
    with pytest.raises(ApplicationError) as refused:
        in_agency(
            undp, services.ticket_pending, ticket=ticket, actor=ict_agent, waiting_on="requester", reason="A photo"
        )
    assert refused.value.message == (
        f"{ticket.reference} is closed and no longer changes; raise a new request if needed."
    )


def test_requesters_cannot_act_as_agents(undp, undp_requester, raise_ticket):
    ticket = raise_ticket(undp, undp_requester)
    for call, kwargs in [
        (services.ticket_take, {"agent": undp_requester}),
        (services.ticket_resolve, {"actor": undp_requester, "resolution_note": "Fixed it myself"}),
        (services.ticket_pending, {"actor": undp_requester, "waiting_on": "requester", "reason": "x"}),
        (services.ticket_reprioritise, {"actor": undp_requester, "impact": "high", "urgency": "high", "reason": "x"}),
    ]:
        with pytest.raises(ApplicationError) as refused:
            in_agency(undp, call, ticket=ticket, **kwargs)
        assert refused.value.code == "helpdesk.agents_only" and refused.value.status_code == 403
    with pytest.raises(ApplicationError) as refused:
        in_agency(undp, services.ticket_reply, ticket=ticket, author=undp_requester, body="psst", internal=True)
    assert refused.value.code == "helpdesk.agents_only"
    with schema_context(undp.schema_name):
        assert not Message.objects.filter(ticket=ticket).exists()
    assert status(ticket) == EntryStatus.NEW


def test_another_requester_of_the_same_agency_cannot_reply_or_reopen(undp, undp_requester, make_person, raise_ticket):
    colleague = make_person(("requester", undp), email="colleague@undp.test")
    ticket = raise_ticket(undp, undp_requester)
    with pytest.raises(ApplicationError) as refused:
        in_agency(undp, services.ticket_reply, ticket=ticket, author=colleague, body="Me too")
    assert refused.value.code == "helpdesk.not_yours"


def test_changing_impact_or_urgency_needs_a_reason_and_brings_the_new_targets(
    undp, undp_requester, ict_agent, raise_ticket
):
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 11, 10, 9, 0), impact="low", urgency="low")  # P4: 5 days
    with pytest.raises(ApplicationError) as refused:
        in_agency(
            undp,
            services.ticket_reprioritise,
            ticket=ticket,
            actor=ict_agent,
            impact="high",
            urgency="high",
            reason=" ",
        )
    assert refused.value.fields == {"reason": ["A reason is required."]}
    # when at 10:00 the agent learns the whole office is down: P1, 4 h resolution from the start
    in_agency(
        undp,
        services.ticket_reprioritise,
        ticket=ticket,
        actor=ict_agent,
        impact="high",
        urgency="high",
        reason="The whole floor is affected",
        at=at(2026, 11, 10, 10, 0),
    )
    entry = LedgerEntry.objects.get(pk=ticket.entry_id)
    assert entry.priority == "P1"
    assert clock(ticket, Metric.RESOLUTION).due_at == at(2026, 11, 10, 13, 0)
    assert clock(ticket, Metric.FIRST_RESPONSE).target_minutes == 30
    event = entry.events.get(kind=EventKind.PRIORITY)
    assert event.actor == ict_agent and "P4 → P1" in event.detail and "whole floor" in event.detail
    assert (fresh(undp, ticket).impact, fresh(undp, ticket).urgency) == ("high", "high")


def test_reopening_is_refused_after_the_reopen_period(undp, undp_requester, ict_agent, raise_ticket, settings):
    settings.HELPDESK_REOPEN_DAYS = 7
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 11, 2, 9, 0))
    in_agency(
        undp,
        services.ticket_resolve,
        ticket=ticket,
        actor=ict_agent,
        resolution_note="Done.",
        at=at(2026, 11, 2, 10, 0),
    )
    with pytest.raises(ApplicationError) as refused:
        in_agency(
            undp, services.ticket_reopen, ticket=ticket, actor=undp_requester, reason="Again", at=at(2026, 11, 9, 10, 1)
        )
    assert refused.value.code == "helpdesk.reopen_period_over"
    assert status(ticket) == EntryStatus.RESOLVED


def test_resolved_tickets_close_by_themselves_after_the_reopen_period(
    undp, unfpa, undp_requester, unfpa_requester, ict_agent, raise_ticket, settings
):
    settings.HELPDESK_REOPEN_DAYS = 7
    old = raise_ticket(undp, undp_requester, at=at(2026, 11, 2, 9, 0))
    recent = raise_ticket(unfpa, unfpa_requester, at=at(2026, 11, 2, 9, 0))
    in_agency(
        undp, services.ticket_resolve, ticket=old, actor=ict_agent, resolution_note="Done.", at=at(2026, 11, 2, 10, 0)
    )
    in_agency(
        unfpa,
        services.ticket_resolve,
        ticket=recent,
        actor=ict_agent,
        resolution_note="Done.",
        at=at(2026, 11, 6, 10, 0),
    )
    closed = services.tickets_close_resolved(now=at(2026, 11, 10, 9, 0))
    assert closed == 1
    assert (status(old), status(recent)) == (EntryStatus.CLOSED, EntryStatus.RESOLVED)


def test_a_pending_wait_on_a_supplier_is_not_ended_by_the_requester_s_reply(
    undp, undp_requester, ict_agent, raise_ticket
):
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_pending, ticket=ticket, actor=ict_agent, waiting_on="supplier", reason="Spare part")
    in_agency(undp, services.ticket_reply, ticket=ticket, author=undp_requester, body="Any news?")
    entry = LedgerEntry.objects.get(pk=ticket.entry_id)
    assert (entry.status, entry.held_by) == (EntryStatus.PENDING, Holder.SUPPLIER)


def test_each_step_e_mails_the_requester_and_the_assignee_with_a_link(
    undp, undp_requester, ict_agent, raise_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = raise_ticket(undp, undp_requester)
    assert [m.to for m in mail.outbox] == [[undp_requester.email]]
    assert f"/helpdesk/{ticket.reference}/" in mail.outbox[0].body and "undp." in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        in_agency(undp, services.ticket_take, ticket=ticket, agent=ict_agent)
    assert [m.to for m in mail.outbox] == [[undp_requester.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        in_agency(undp, services.ticket_reply, ticket=ticket, author=undp_requester, body="Thanks, I'm at my desk.")
    assert [m.to for m in mail.outbox] == [[ict_agent.email]]
    assert f"/helpdesk/tickets/{ticket.reference}/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Cable replaced.")
    assert [m.to for m in mail.outbox] == [[undp_requester.email]]
    assert "/helpdesk/survey/" in mail.outbox[0].body and "Cable replaced." in mail.outbox[0].body


def test_internal_notes_are_never_e_mailed_to_the_requester(
    undp, undp_requester, ict_agent, second_agent, raise_ticket, django_capture_on_commit_callbacks
):
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_take, ticket=ticket, agent=ict_agent)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        in_agency(
            undp, services.ticket_reply, ticket=ticket, author=second_agent, body="SECRET: user broke it", internal=True
        )
    assert [m.to for m in mail.outbox] == [[ict_agent.email]]
    assert all(undp_requester.email not in m.to for m in mail.outbox)


def test_the_closing_task_runs_from_beat_in_the_public_schema(settings, undp, undp_requester, ict_agent, raise_ticket):
    from ict_helpdesk.tasks import tickets_close_resolved

    entry = settings.CELERY_BEAT_SCHEDULE["helpdesk-close-resolved"]
    assert entry["task"] == "ict_helpdesk.tasks.tickets_close_resolved" and entry["tenant_schemas"] == ["public"]
    ticket = raise_ticket(undp, undp_requester, at=at(2026, 1, 5, 9, 0))
    in_agency(
        undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Done.", at=at(2026, 1, 5, 10, 0)
    )
    assert tickets_close_resolved.delay().get() == 1
    assert status(ticket) == EntryStatus.CLOSED
