"""Properties of business time, checked by hypothesis against a day-by-day reference."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from service_levels.business_time import BusinessCalendar

ZONE = ZoneInfo("America/Sao_Paulo")


def brazil(year: int) -> list[date]:
    return list(holidays.country_holidays("BR", years=year))


OFFICE = BusinessCalendar(
    time_zone="America/Sao_Paulo", week={d: [(time(8), time(17))] for d in range(5)}, closed_days=brazil
)
LUNCH_BREAK_WEEK = {d: [(time(8), time(12)), (time(13), time(17))] for d in range(5)} | {5: [(time(9), time(13))]}
LUNCH_BREAK = BusinessCalendar(time_zone="America/Sao_Paulo", week=LUNCH_BREAK_WEEK, closed_days=brazil)
CALENDARS = st.sampled_from([(OFFICE, {d: [(time(8), time(17))] for d in range(5)}), (LUNCH_BREAK, LUNCH_BREAK_WEEK)])

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=ZONE, microsecond=0)
)
durations = st.integers(min_value=1, max_value=60 * 9 * 80).map(lambda minutes: timedelta(minutes=minutes))


def reference_working_time(week: dict, start: datetime, end: datetime) -> timedelta:
    """The slow, obvious way: walk day by day and clip each span."""
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        if day not in holidays.country_holidays("BR", years=day.year):
            for span_start, span_end in week.get(day.weekday(), []):
                lo = max(start, datetime.combine(day, span_start, ZONE))
                hi = min(end, datetime.combine(day, span_end, ZONE))
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total


@settings(max_examples=150, deadline=None)
@given(CALENDARS, instants, instants)
def test_working_time_between_agrees_with_walking_day_by_day(calendar_and_week, a: datetime, b: datetime) -> None:
    calendar, week = calendar_and_week
    start, end = min(a, b), max(a, b)
    assert calendar.working_time_between(start, end) == reference_working_time(week, start, end)


@settings(max_examples=300, deadline=None)
@given(CALENDARS, instants, durations)
def test_the_due_time_never_falls_outside_working_time(calendar_and_week, start: datetime, target: timedelta) -> None:
    calendar, _week = calendar_and_week
    due = calendar.add(start, target)
    assert calendar.within_working_hours(due)
    assert calendar.working_time_between(start, due) == target


@settings(max_examples=300, deadline=None)
@given(CALENDARS, instants, durations)
def test_the_due_time_is_the_earliest_instant_reaching_the_target(
    calendar_and_week, start: datetime, target: timedelta
) -> None:
    calendar, _week = calendar_and_week
    due = calendar.add(start, target)
    assert calendar.working_time_between(start, due - timedelta(microseconds=1)) < target


@settings(max_examples=300, deadline=None)
@given(CALENDARS, instants, durations, durations, st.data())
def test_a_pause_of_business_length_p_moves_the_due_time_by_exactly_p(
    calendar_and_week, start: datetime, target: timedelta, pause: timedelta, data: st.DataObject
) -> None:
    calendar, _week = calendar_and_week
    due_without_pause = calendar.add(start, target)
    # Pause somewhere before the due time, for `pause` of business time.
    used = data.draw(st.integers(min_value=0, max_value=int(target.total_seconds() // 60) - 1), label="used minutes")
    paused_at = calendar.add(start, timedelta(minutes=used)) if used else start
    resumed_at = calendar.add(paused_at, pause)
    left = target - calendar.working_time_between(start, paused_at)
    due_after_pause = calendar.add(resumed_at, left)
    assert calendar.working_time_between(due_without_pause, due_after_pause) == pause
    assert due_after_pause == calendar.add(due_without_pause, pause)
