"""The beat task: warnings and breaches found with one query, each recorded exactly once."""

from __future__ import annotations

import threading
from datetime import date, time

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import EntryStatus, Holder, SlaBreach, SlaClock
from ledger.selectors import clocks_crossing
from ledger.services import clock_stop, clocks_check, entry_assign, entry_pause
from service_levels.models import Metric
from service_levels.services import DEFAULT_WORKING_HOURS, calendar_save
from shared_platform.tenancy import address_url
from tests.sla_fixtures import at


@pytest.mark.django_db
def test_warnings_then_a_breach_are_each_recorded_once_and_mailed(
    undp, undp_agreement, raise_request, ict_agent, facility_manager, django_capture_on_commit_callbacks
):
    # given a P2 ticket (first response 1 h) assigned to an agent
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    entry_assign(entry=entry, assignee=ict_agent, at=at(2026, 11, 10, 9, 1))
    mail.outbox.clear()
    # when the beat task runs at 75%, at 90% and after the due time, twice each
    for moment in (at(2026, 11, 10, 9, 46), at(2026, 11, 10, 9, 55), at(2026, 11, 10, 10, 1)):
        with django_capture_on_commit_callbacks(execute=True):
            clocks_check(now=moment)
            clocks_check(now=moment)
    # then one first warning, one second warning and one breach: three e-mails to the agent and the manager
    response = entry.clocks.get(metric=Metric.FIRST_RESPONSE)
    assert response.first_warning_sent_at == at(2026, 11, 10, 9, 46)
    assert response.second_warning_sent_at == at(2026, 11, 10, 9, 55)
    assert response.breached_at == at(2026, 11, 10, 10, 1)
    breach = SlaBreach.objects.get(clock=response)
    assert breach.due_at == at(2026, 11, 10, 10, 0) and breach.held_by == Holder.FACILITY
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        f"SLA warning: {entry.reference} has used 75% of its first response target",
        f"SLA warning: {entry.reference} has used 90% of its first response target",
        f"SLA breached: {entry.reference} first response target ran out",
    ]
    assert all(sorted(message.to) == ["ict@facility.test", "manager@facility.test"] for message in mail.outbox)
    assert address_url(settings.BASE_DOMAIN, f"/requests/{entry.reference}/") in mail.outbox[-1].body
    entry.refresh_from_db()
    assert entry.breached and entry.status == EntryStatus.OPEN


@pytest.mark.django_db
def test_a_paused_clock_is_never_found_by_the_beat_task(undp, undp_agreement, raise_request):
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    entry_pause(entry=entry, waiting_on=Holder.REQUESTER, at=at(2026, 11, 10, 9, 20))
    assert clocks_check(now=at(2026, 11, 20, 12, 0)) == {"breaches": 0, "warnings": 0}


@pytest.mark.django_db
def test_the_beat_task_finds_crossings_with_one_query_on_the_clock_indexes(undp, undp_agreement, raise_request):
    for number in range(5):
        raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, number), priority="P1")
    with CaptureQueriesContext(connection) as queries:
        found = list(clocks_crossing(now=at(2026, 11, 10, 16, 0)))
    selects = [query["sql"] for query in queries if "ledger_slaclock" in query["sql"]]
    assert len(found) == 10 and len(selects) == 1
    # With sequential scans ruled out, the planner can answer from the three partial indexes alone.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # And no plain index scan either: when autovacuum has last seen the table empty (after other tests rolled
        # back many rows), a full scan of the entry_id index with a filter looks as cheap as the partial indexes.
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + selects[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("clock_due", "clock_second_warning", "clock_first_warning"):
        assert index in plan


@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_the_same_moment_record_each_breach_once(
    undp, undp_agreement, raise_request, facility_manager
):
    # given three P1 tickets whose first response ran out
    entries = [raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, n), priority="P1") for n in range(3)]
    mail.outbox.clear()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            barrier.wait()
            clocks_check(now=at(2026, 11, 10, 9, 45))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    # when four workers run the beat task at once
    threads = [threading.Thread(target=beat) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then each first-response clock has exactly one breach, and one e-mail went out per breach
    assert errors == []
    assert SlaBreach.objects.filter(entry__in=entries).count() == 3
    assert sum(subject.startswith("SLA breached") for subject in (m.subject for m in mail.outbox)) == 3


@pytest.mark.django_db
def test_a_calendar_change_recomputes_open_clocks_but_not_stopped_ones(
    undp, undp_agreement, raise_request, office_calendar, django_capture_on_commit_callbacks
):
    # given two P3 tickets, one answered (first response stopped), resolution due Friday 13 Nov 09:00
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P3")
    clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=at(2026, 11, 10, 10, 0))
    resolution = entry.clocks.get(metric=Metric.RESOLUTION)
    assert resolution.due_at == at(2026, 11, 13, 9, 0)
    # when the facility closes on Wednesday 11 Nov (a one-off closure)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_save(
            calendar=office_calendar,
            name=office_calendar.name,
            time_zone=office_calendar.time_zone,
            country=office_calendar.country,
            is_default=True,
            working_hours=DEFAULT_WORKING_HOURS,
            closures=[(date(2026, 11, 11), "Office move")],
        )
    # then the running resolution clock is due one working day later; the stopped first response keeps its figures
    resolution.refresh_from_db()
    assert resolution.due_at == at(2026, 11, 16, 9, 0)
    response = SlaClock.objects.get(entry=entry, metric=Metric.FIRST_RESPONSE)
    assert response.stopped_at == at(2026, 11, 10, 10, 0) and response.due_at is None


def test_default_hours_are_monday_to_friday_eight_to_five() -> None:
    assert [(day, time(8), time(17)) for day in range(5)] == DEFAULT_WORKING_HOURS
