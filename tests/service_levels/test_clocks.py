"""SLA clocks through a request's life: start, pause, resume, stop, reopen (ledger.services)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ledger.models import ClockState, EntryStatus, Holder, LedgerEvent, SlaBreach
from ledger.services import (
    clock_start,
    clock_stop,
    entry_assign,
    entry_billable_record,
    entry_cancel,
    entry_close,
    entry_open,
    entry_pause,
    entry_reopen,
    entry_resolve,
    entry_resume,
)
from service_levels.models import Metric
from shared_platform.errors import ApplicationError
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def clock(entry, metric):
    return entry.clocks.get(metric=metric)


def test_an_ict_ticket_starts_a_first_response_and_a_resolution_clock(undp, undp_agreement, raise_request):
    # given a P2 incident raised on Tuesday 10 Nov 2026 at 09:00
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    # then first response (1 h) and resolution (8 h) run on business time, with 75% / 90% warnings
    response = clock(entry, Metric.FIRST_RESPONSE)
    assert response.due_at == at(2026, 11, 10, 10, 0)
    assert response.warn_first_at == at(2026, 11, 10, 9, 45)
    assert response.warn_second_at == at(2026, 11, 10, 9, 54)
    assert clock(entry, Metric.RESOLUTION).due_at == at(2026, 11, 10, 17, 0)
    assert entry.agreement == undp_agreement
    assert entry.status == EntryStatus.NEW


def test_a_pause_waiting_on_the_requester_moves_the_due_time_by_the_paused_business_time(
    undp, undp_agreement, raise_request, ict_agent
):
    # given a P2 ticket raised Tuesday 09:00 and answered at 09:30
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    entry_assign(entry=entry, assignee=ict_agent, at=at(2026, 11, 10, 9, 10))
    clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=at(2026, 11, 10, 9, 30))
    # when it waits on the requester from 11:00 until Wednesday 09:00 (1 h of business time paused)
    entry_pause(entry=entry, waiting_on=Holder.REQUESTER, at=at(2026, 11, 10, 16, 0))
    paused = clock(entry, Metric.RESOLUTION)
    assert paused.state == ClockState.PAUSED and paused.due_at is None and paused.held_by == Holder.REQUESTER
    assert paused.used_before == timedelta(hours=7)
    entry_resume(entry=entry, at=at(2026, 11, 11, 9, 0))
    # then the resolution clock, due Tuesday 17:00, is now due Wednesday 10:00 (1 h left from 09:00)
    resumed = clock(entry, Metric.RESOLUTION)
    assert resumed.state == ClockState.RUNNING and resumed.due_at == at(2026, 11, 11, 10, 0)
    # and first response stayed stopped, met
    response = clock(entry, Metric.FIRST_RESPONSE)
    assert response.state == ClockState.STOPPED and response.breached_at is None
    entry.refresh_from_db()
    assert entry.status == EntryStatus.OPEN and entry.held_by == Holder.FACILITY


def test_reopening_resumes_resolution_where_it_stopped_and_never_resets_first_response(
    undp, undp_agreement, raise_request, ict_agent
):
    # given a P3 ticket (4 h / 27 h) answered and resolved after 5 business hours
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P3")
    entry_assign(entry=entry, assignee=ict_agent, at=at(2026, 11, 10, 9, 5))
    clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=at(2026, 11, 10, 10, 0))
    entry_resolve(entry=entry, at=at(2026, 11, 10, 14, 0))
    assert clock(entry, Metric.RESOLUTION).used_before == timedelta(hours=5)
    # when the requester reopens it on Thursday at 10:00
    entry_reopen(entry=entry, at=at(2026, 11, 12, 10, 0), reason="Still broken")
    # then resolution resumes with its 22 h left
    resolution = clock(entry, Metric.RESOLUTION)
    assert resolution.state == ClockState.RUNNING
    assert resolution.used_before == timedelta(hours=5)
    assert resolution.due_at == at(2026, 11, 16, 14, 0)  # Thu 7 h + Fri 13 Nov 9 h + Mon 6 h
    response = clock(entry, Metric.FIRST_RESPONSE)
    assert response.state == ClockState.STOPPED and response.stopped_at == at(2026, 11, 10, 10, 0)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.OPEN and entry.completed_at is None


def test_waiting_on_a_supplier_keeps_the_clock_running_when_the_agreement_says_so(undp, sign_agreement, raise_request):
    # given an agreement under which supplier waits do not pause the clock
    sign_agreement(undp, supplier_wait_pauses_clock=False)
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P1")
    # when the facility waits on a supplier
    entry_pause(entry=entry, waiting_on=Holder.SUPPLIER, at=at(2026, 11, 10, 9, 10))
    # then the resolution clock runs on, held by the supplier, and a breach is attributed to the supplier
    resolution = clock(entry, Metric.RESOLUTION)
    assert resolution.state == ClockState.RUNNING and resolution.held_by == Holder.SUPPLIER
    entry_resolve(entry=entry, at=at(2026, 11, 10, 15, 0))
    breach = SlaBreach.objects.get(clock=resolution)
    assert breach.held_by == Holder.SUPPLIER


def test_resolving_after_the_due_time_records_the_breach_the_beat_task_missed(undp, undp_agreement, raise_request):
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P1")
    entry_resolve(entry=entry, at=at(2026, 11, 10, 13, 30))  # resolution 4 h: due 13:00
    entry.refresh_from_db()
    assert entry.breached
    assert SlaBreach.objects.filter(entry=entry).count() == 2  # first response (30 min) and resolution


def test_resolving_exactly_at_the_due_time_is_met(undp, undp_agreement, raise_request):
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=at(2026, 11, 10, 10, 0))
    entry_resolve(entry=entry, at=at(2026, 11, 10, 17, 0))
    entry.refresh_from_db()
    assert not entry.breached and entry.completed_at == at(2026, 11, 10, 17, 0)


def test_a_later_step_starts_its_own_clock(undp, undp_agreement, raise_request):
    # given a travel request: authorization starts on submission, ticketing only after approval
    entry = raise_request(undp, "TRV-TA", at(2026, 11, 10, 9, 0))
    assert set(entry.clocks.values_list("metric", flat=True)) == {Metric.AUTHORIZATION}
    clock_stop(entry=entry, metric=Metric.AUTHORIZATION, at=at(2026, 11, 11, 9, 0))
    ticketing = clock_start(entry=entry, metric=Metric.TICKETING, at=at(2026, 11, 11, 9, 0))
    assert ticketing.due_at == at(2026, 11, 13, 9, 0)  # 2 working days of 9 h
    with pytest.raises(ApplicationError) as refused:
        clock_start(entry=entry, metric=Metric.TICKETING, at=at(2026, 11, 11, 10, 0))
    assert refused.value.code == "ledger.clock_exists"


def test_illegal_moves_are_refused_and_change_nothing(undp, undp_agreement, raise_request):
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    entry_resolve(entry=entry, at=at(2026, 11, 10, 11, 0))
    entry_close(entry=entry, at=at(2026, 11, 10, 12, 0))
    events = LedgerEvent.objects.filter(entry=entry).count()
    for refused_move in (
        lambda: entry_reopen(entry=entry, at=at(2026, 11, 10, 13, 0)),
        lambda: entry_pause(entry=entry, waiting_on=Holder.REQUESTER, at=at(2026, 11, 10, 13, 0)),
        lambda: entry_resume(entry=entry, at=at(2026, 11, 10, 13, 0)),
        lambda: entry_cancel(entry=entry, at=at(2026, 11, 10, 13, 0), reason="x"),
    ):
        with pytest.raises(ApplicationError) as refused:
            refused_move()
        assert refused.value.status_code == 409
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CLOSED
    assert LedgerEvent.objects.filter(entry=entry).count() == events


def test_a_service_outside_the_agreement_is_refused(undp, sign_agreement, raise_request):
    sign_agreement(undp, services=["ICT-INC"])
    with pytest.raises(ApplicationError) as refused:
        raise_request(undp, "PRC-RFQ", at(2026, 11, 10, 9, 0))
    assert refused.value.code == "sla.service_not_in_agreement"
    assert not undp.ledger_entries.exists()


def test_an_agency_without_an_agreement_in_force_is_refused(unfpa, sign_agreement, raise_request):
    from datetime import date

    sign_agreement(unfpa, valid_from=date(2027, 1, 1))
    with pytest.raises(ApplicationError) as refused:
        raise_request(unfpa, "ICT-INC", at(2026, 11, 10, 9, 0))
    assert refused.value.code == "sla.no_agreement"
    assert "UNFPA has no service agreement in force on Nov. 10, 2026" in refused.value.message


def test_billable_units_are_recorded_once(undp, undp_agreement, raise_request):
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P3")
    entry_resolve(entry=entry, at=at(2026, 11, 10, 11, 0))
    assert entry_billable_record(entry=entry, units=Decimal("1"), at=at(2026, 11, 10, 11, 0))
    entry_reopen(entry=entry, at=at(2026, 11, 10, 12, 0))
    entry_resolve(entry=entry, at=at(2026, 11, 10, 13, 0))
    assert not entry_billable_record(entry=entry, units=Decimal("1"), at=at(2026, 11, 10, 13, 0))
    entry.refresh_from_db()
    assert entry.billable_units == Decimal("1.00") and entry.billable_recorded_at == at(2026, 11, 10, 11, 0)


def test_an_unknown_priority_is_refused(undp, undp_agreement, catalogue):
    with pytest.raises(ApplicationError) as refused:
        entry_open(
            agency=undp,
            service=catalogue["ICT-INC"],
            reference="X-1",
            title="t",
            priority="P9",
            opened_at=at(2026, 11, 10, 9, 0),
        )
    assert refused.value.code == "ledger.unknown_priority"
