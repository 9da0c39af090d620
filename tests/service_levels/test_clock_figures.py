"""Each SLA clock is shown whole: metric, target, business time used, due time while running, result and holder.

Through the ledger's selector (at a chosen instant), its API (`/api/ledger/<reference>/`)
and its request page (`/requests/<reference>/`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ledger.models import Holder
from ledger.selectors import ClockResult, entry_clocks
from ledger.services import clock_stop, clocks_check, entry_pause, entry_resolve, entry_resume
from service_levels.models import Metric
from service_levels.selectors import describe_minutes
from shared_platform.templatetags.platform import when
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db

# Monday 7 January 2030, 09:00 in Brasília: later than the tests run, so "now" uses no business time of it.
FUTURE_MONDAY = at(2030, 1, 7, 9, 0)


def figures(entry, *, now=None):  # type: ignore[no-untyped-def]
    return {row.clock.metric: row for row in entry_clocks(entry=entry, now=now)}


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(30, "30 min"), (60, "1 h"), (270, "4 h 30 min"), (540, "1 day"), (27 * 60, "3 days"), (600, "1 day 1 h")],
)
def test_business_time_reads_in_working_days_hours_and_minutes(minutes: int, text: str) -> None:
    assert describe_minutes(minutes) == text


def test_a_running_clock_shows_its_target_the_time_used_so_far_and_its_due_time(undp, undp_agreement, raise_request):
    # given a P2 incident raised Monday 7 January 2030 at 09:00 (first response 1 h, resolution 8 h)
    entry = raise_request(undp, "ICT-INC", FUTURE_MONDAY, priority="P2")
    # when its clocks are read at 11:30 the same day
    clocks = figures(entry, now=at(2030, 1, 7, 11, 30))
    # then resolution has used 2 h 30 of its 8 h and is due at 17:00 Brasília time, with no result yet
    resolution = clocks[Metric.RESOLUTION]
    assert resolution.target_text == "8 h" and resolution.used == timedelta(hours=2, minutes=30)
    assert resolution.used_text == "2 h 30 min"
    assert resolution.due_at == at(2030, 1, 7, 17, 0) and resolution.due_at.utcoffset() == timedelta(hours=-3)
    assert resolution.time_zone == "America/Sao_Paulo"
    assert resolution.result is None and resolution.breach_held_by is None
    # and first response, past its 10:00 due time but not yet checked by the beat task, still counts
    assert clocks[Metric.FIRST_RESPONSE].used_text == "2 h 30 min"


def test_a_paused_clock_shows_the_time_used_before_the_pause_and_no_due_time(
    undp, undp_agreement, raise_request, ict_agent
):
    # given a P2 ticket raised Tuesday 10 Nov 2026 09:00, answered at 09:30, pending on the requester from 16:00
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=at(2026, 11, 10, 9, 30))
    entry_pause(entry=entry, waiting_on=Holder.REQUESTER, at=at(2026, 11, 10, 16, 0))
    # when its clocks are read days later
    clocks = figures(entry, now=at(2026, 11, 20, 12, 0))
    # then resolution shows the 7 h it used before the pause, waiting on the requester, with no due time
    resolution = clocks[Metric.RESOLUTION]
    assert resolution.used_text == "7 h" and resolution.due_at is None and resolution.result is None
    assert resolution.clock.held_by == Holder.REQUESTER
    assert resolution.state_text == "Paused (waiting on the requester)"
    # and first response, stopped after 30 min of its 1 h, was met
    response = clocks[Metric.FIRST_RESPONSE]
    assert response.used_text == "30 min" and response.target_text == "1 h"
    assert response.result == ClockResult.MET and response.due_at is None


def test_a_breached_clock_shows_who_held_it_when_it_ran_out(undp, sign_agreement, raise_request):
    # given an agreement under which waiting on a supplier does not pause the clock
    sign_agreement(undp, supplier_wait_pauses_clock=False)
    # and a P2 ticket answered at 09:30 that waits on a supplier from 10:00 past its 17:00 resolution due time
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=at(2026, 11, 10, 9, 30))
    entry_pause(entry=entry, waiting_on=Holder.SUPPLIER, at=at(2026, 11, 10, 10, 0))
    clocks_check(now=at(2026, 11, 10, 17, 30))
    # when it resumes and is resolved on Wednesday at 10:00
    entry_resume(entry=entry, at=at(2026, 11, 11, 9, 0))
    entry_resolve(entry=entry, at=at(2026, 11, 11, 10, 0))
    # then resolution, never paused, used 10 business hours (Tue 09-17, Wed 08-10) of its 8 h: a working
    # day (9 h) and an hour, breached while the supplier held it
    resolution = figures(entry)[Metric.RESOLUTION]
    assert resolution.used_text == "1 day 1 h" and resolution.due_at is None
    assert resolution.result == ClockResult.BREACHED and resolution.breach_held_by == Holder.SUPPLIER
    assert resolution.state_text == "Breached (held by the supplier)"


def test_the_ledger_api_shows_every_figure_of_each_clock(
    facility, undp, facility_manager, undp_agreement, raise_request, api_at
):
    # given a running request and a stopped one
    running = raise_request(undp, "ICT-INC", FUTURE_MONDAY, priority="P2")
    stopped = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    entry_resolve(entry=stopped, at=at(2026, 11, 10, 11, 0))
    api = api_at(facility, facility_manager)
    # when the facility reads them through the API
    running_clocks = {c["metric"]: c for c in api.get(f"/api/ledger/{running.reference}/").json()["clocks"]}
    stopped_clocks = {c["metric"]: c for c in api.get(f"/api/ledger/{stopped.reference}/").json()["clocks"]}
    # then the running clock has its target, the time used so far (none yet), and its due time with its zone
    resolution = running_clocks["resolution"]
    assert resolution["target_minutes"] == 480 and resolution["target"] == "8 h"
    assert resolution["used_minutes"] == 0 and resolution["used"] == "0 min"
    assert resolution["due_at"] == "2030-01-07T17:00:00-03:00" and resolution["time_zone"] == "America/Sao_Paulo"
    assert resolution["state"] == "running" and resolution["result"] is None
    # and the stopped one its total time used and its result, and no due time
    done = stopped_clocks["resolution"]
    assert done["used_minutes"] == 120 and done["used"] == "2 h" and done["due_at"] is None
    assert done["result"] == "met" and done["breach_held_by"] is None
    late = stopped_clocks["first_response"]
    assert late["used"] == "2 h" and late["result"] == "breached" and late["breach_held_by"] == "facility"


def test_the_ledger_lists_clocks_with_their_figures(
    facility, undp, facility_manager, undp_agreement, raise_request, api_at
):
    # given a request resolved this month
    entry = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    entry_resolve(entry=entry, at=at(2026, 11, 10, 9, 45))
    # when the ledger is listed for November 2026
    rows = api_at(facility, facility_manager).get("/api/ledger/?month=2026-11").json()["results"]
    # then each row's clocks carry the same figures
    [row] = [r for r in rows if r["reference"] == entry.reference]
    assert {c["metric"]: (c["used"], c["result"]) for c in row["clocks"]} == {
        "first_response": ("45 min", "met"),
        "resolution": ("45 min", "met"),
    }


def test_the_request_page_shows_target_used_due_and_result(
    facility, undp, facility_manager, sign_agreement, raise_request, client_at
):
    # given a request whose first response ran out while a supplier held it (no pause under this agreement)
    sign_agreement(undp, supplier_wait_pauses_clock=False)
    breached = raise_request(undp, "ICT-INC", at(2026, 11, 10, 9, 0), priority="P2")
    entry_pause(entry=breached, waiting_on=Holder.SUPPLIER, at=at(2026, 11, 10, 9, 30))
    clocks_check(now=at(2026, 11, 10, 10, 30))
    entry_resume(entry=breached, at=at(2026, 11, 10, 11, 0))
    entry_resolve(entry=breached, at=at(2026, 11, 10, 12, 0))
    # and a running one
    running = raise_request(undp, "ICT-INC", FUTURE_MONDAY, priority="P2")
    client = client_at(facility, facility_manager)
    # when the manager opens their pages
    breached_page = client.get(f"/requests/{breached.reference}/").content.decode()
    running_page = client.get(f"/requests/{running.reference}/").content.decode()
    # then the breached clock shows its target, its 3 h used in total and who held it
    assert "Breached (held by the supplier)" in breached_page
    assert "3 h in total" in breached_page and "1 h" in breached_page
    # and the running one its due time in the calendar's zone and the time used so far
    assert when(datetime(2030, 1, 7, 17, 0, tzinfo=ZoneInfo("America/Sao_Paulo")), "America/Sao_Paulo") in running_page
    assert "America/Sao_Paulo" in running_page
    assert "0 min so far" in running_page and "Running" in running_page
