"""Business-time arithmetic on the default calendar (Mon-Fri 08:00-17:00, São Paulo, Brazilian holidays)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from service_levels.business_time import BusinessCalendar, CalendarError

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
OFFICE_HOURS = {weekday: [(time(8), time(17))] for weekday in range(5)}


def brazil(year: int) -> list[date]:
    return list(holidays.country_holidays("BR", years=year))


@pytest.fixture
def office() -> BusinessCalendar:
    return BusinessCalendar(time_zone="America/Sao_Paulo", week=OFFICE_HOURS, closed_days=brazil)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SAO_PAULO)  # type: ignore[misc]


def test_a_target_within_the_day_is_due_the_same_day(office: BusinessCalendar) -> None:
    assert office.add(at(2026, 11, 10, 9, 0), timedelta(hours=4)) == at(2026, 11, 10, 13, 0)


def test_overnight_the_clock_stops_at_closing_and_runs_from_opening(office: BusinessCalendar) -> None:
    # Tuesday 16:00 + 2 h: one hour today, one from Wednesday 08:00.
    assert office.add(at(2026, 11, 10, 16, 0), timedelta(hours=2)) == at(2026, 11, 11, 9, 0)


def test_weekends_do_not_count(office: BusinessCalendar) -> None:
    # Friday 13 Nov 2026 16:30 + 1 h -> Monday 16 Nov 08:30.
    assert office.add(at(2026, 11, 13, 16, 30), timedelta(hours=1)) == at(2026, 11, 16, 8, 30)


def test_public_holidays_do_not_count(office: BusinessCalendar) -> None:
    # Thursday 19 Nov 2026 16:00 + 2 h: Friday 20 Nov is Black Awareness Day, so Monday 09:00.
    assert office.add(at(2026, 11, 19, 16, 0), timedelta(hours=2)) == at(2026, 11, 23, 9, 0)
    assert not office.is_open(date(2026, 11, 20))


def test_a_target_used_up_at_closing_time_is_due_at_closing_time(office: BusinessCalendar) -> None:
    assert office.add(at(2026, 11, 10, 8, 0), timedelta(hours=9)) == at(2026, 11, 10, 17, 0)


def test_a_start_outside_working_hours_counts_from_the_next_opening(office: BusinessCalendar) -> None:
    # Saturday night: the 30 minutes start on Monday at 08:00.
    assert office.add(at(2026, 11, 14, 22, 0), timedelta(minutes=30)) == at(2026, 11, 16, 8, 30)
    # Before opening on a working day.
    assert office.add(at(2026, 11, 10, 6, 15), timedelta(minutes=30)) == at(2026, 11, 10, 8, 30)


def test_a_two_span_day_skips_the_lunch_break() -> None:
    lunch_break = {weekday: [(time(8), time(12)), (time(13), time(17))] for weekday in range(5)}
    calendar = BusinessCalendar(time_zone="America/Sao_Paulo", week=lunch_break)
    assert calendar.add(at(2026, 11, 10, 11, 0), timedelta(hours=2)) == at(2026, 11, 10, 14, 0)
    assert calendar.add(at(2026, 11, 10, 8, 0), timedelta(hours=4)) == at(2026, 11, 10, 12, 0)
    assert calendar.working_time_between(at(2026, 11, 10, 7, 0), at(2026, 11, 10, 18, 0)) == timedelta(hours=8)


def test_a_pause_across_a_weekend_costs_only_its_working_time(office: BusinessCalendar) -> None:
    # Paused Friday 15:00, resumed Monday 10:00: 2 h Friday + 2 h Monday of business time.
    assert office.working_time_between(at(2026, 11, 13, 15, 0), at(2026, 11, 16, 10, 0)) == timedelta(hours=4)


def test_working_time_between_is_zero_backwards_and_on_closed_days(office: BusinessCalendar) -> None:
    assert office.working_time_between(at(2026, 11, 10, 12, 0), at(2026, 11, 10, 9, 0)) == timedelta(0)
    assert office.working_time_between(at(2026, 11, 20, 8, 0), at(2026, 11, 20, 17, 0)) == timedelta(0)


def test_new_year_spans_the_year_boundary(office: BusinessCalendar) -> None:
    # Thursday 31 Dec 2026 16:00 + 2 h; 1 Jan 2027 (Friday) is a holiday -> Monday 4 Jan 09:00.
    assert office.add(at(2026, 12, 31, 16, 0), timedelta(hours=2)) == at(2027, 1, 4, 9, 0)


def test_long_targets_jump_whole_weeks_and_holidays(office: BusinessCalendar) -> None:
    # 45 working days of 9 h from Monday 2 Nov 2026 08:00. Counted by hand: November has 21 weekdays,
    # less All Souls (2 Nov) and Black Awareness Day (20 Nov) = 19; December 23, less Christmas = 22;
    # 1 Jan 2027 is a holiday, so days 42-45 are 4-7 January.
    due = office.add(at(2026, 11, 2, 8, 0), timedelta(hours=9 * 45))
    assert office.working_time_between(at(2026, 11, 2, 8, 0), due) == timedelta(hours=9 * 45)
    assert due == at(2027, 1, 7, 17, 0)


def test_instants_in_other_time_zones_are_read_on_the_calendars_wall_clock(office: BusinessCalendar) -> None:
    utc_noon = datetime(2026, 11, 10, 12, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in São Paulo
    assert office.add(utc_noon, timedelta(hours=1)) == at(2026, 11, 10, 10, 0)


def test_zero_length_targets_are_refused(office: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="longer than zero"):
        office.add(at(2026, 11, 10, 9, 0), timedelta(0))


def test_naive_datetimes_are_refused(office: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        office.add(datetime(2026, 11, 10, 9, 0), timedelta(hours=1))


def test_a_calendar_without_hours_or_with_overlapping_spans_is_refused() -> None:
    with pytest.raises(CalendarError):
        BusinessCalendar(time_zone="UTC", week={})
    with pytest.raises(CalendarError, match="overlap"):
        BusinessCalendar(time_zone="UTC", week={0: [(time(8), time(12)), (time(11), time(15))]})


def test_one_off_closures_count_like_holidays() -> None:
    closure = date(2026, 11, 11)
    calendar = BusinessCalendar(time_zone="America/Sao_Paulo", week=OFFICE_HOURS, closed_days=lambda year: [closure])
    assert calendar.add(at(2026, 11, 10, 16, 0), timedelta(hours=2)) == at(2026, 11, 12, 9, 0)
