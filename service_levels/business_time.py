"""Business time: the working time between two instants, and when a target runs out.

Every SLA figure in the platform (due times, warnings, time left, time paused)
is computed by this module and nowhere else. The rules:

1. **Working hours are wall-clock spans in the calendar's time zone.** Each
   weekday has zero or more spans [start, end), e.g. 08:00-12:00 and
   13:00-17:00 on a day with a lunch break. Business time is measured on that
   wall clock, so a daylight-saving change inside working hours does not
   stretch or shrink a span (Brazil has had none since 2019).
2. **Closed days have no working time**: public holidays (the `holidays`
   package, by country and subdivision) and one-off closures of the calendar.
3. **Working time between a and b** is the part of [a, b] that falls in
   working hours; zero when b is not after a.
4. **Due time = start + target.** It is the *earliest* instant t at which the
   working time between start and t equals the target. A target used up
   exactly at closing time is due at closing time (17:00), not at the next
   opening; a start outside working hours counts from the next opening.
   Targets must be longer than zero.
5. **A pause of business length p moves the due time by exactly p**: the clock
   banks what was used before the pause and continues from the resume.
6. **Exact arithmetic.** Durations are `timedelta` (whole microseconds), never
   floats.
7. **Closed form, no stepping.** Each instant has a position on a continuous
   line of working time:

       P(t) = full weeks x weekly hours + earlier weekdays' hours this week
              - hours of closed days before t's day + hours worked today so far

   so working time between a and b is P(b) - P(a), and a due time is the
   inverse of P: whole weeks by division, the weekday by bisection, then a
   fixed point that steps over the closed days in the way (each round moves
   past at least one of them; usually one or two rounds). Closed days are kept
   as a sorted list with running totals, loaded a year at a time as needed.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MICROSECONDS_PER_DAY = 86_400_000_000
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Span = tuple[time, time]


class CalendarError(ValueError):
    """A calendar that cannot measure time: overlapping spans, no working hours at all."""


def _microseconds_of(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond


def _microseconds(duration: timedelta) -> int:
    return (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds


def spans_check(spans: Sequence[Span]) -> list[tuple[int, int]]:
    """One weekday's spans as microseconds from midnight; refuses empty or overlapping spans."""
    ordered = sorted((_microseconds_of(start), _microseconds_of(end)) for start, end in spans)
    previous_end = -1
    for start, end in ordered:
        if end <= start:
            raise CalendarError("A working span must end after it starts.")
        if start < previous_end:
            raise CalendarError("Working spans on one day must not overlap.")
        previous_end = end
    return ordered


def week_check(week: Mapping[int, Sequence[Span]]) -> tuple[list[tuple[int, int]], ...]:
    """All seven weekdays' spans, checked; refuses a week without any working hours."""
    spans = tuple(spans_check(week.get(weekday, ())) for weekday in range(7))
    if not any(spans):
        raise CalendarError("A calendar needs working hours on at least one weekday.")
    return spans


class BusinessCalendar:
    """Working hours, time zone and closed days; measures and adds business time.

    `week` maps a weekday (0 = Monday) to its spans; `closed_days(year)` gives
    that year's closed dates (holidays and closures). Instances are immutable
    in what they answer and safe to share between threads.
    """

    def __init__(
        self,
        *,
        time_zone: str,
        week: Mapping[int, Sequence[Span]],
        closed_days: Callable[[int], Iterable[date]] = lambda year: (),
    ) -> None:
        self.zone = ZoneInfo(time_zone)
        self._spans = week_check(week)
        self._day_length = tuple(sum(end - start for start, end in spans) for spans in self._spans)
        self._week_length = sum(self._day_length)
        # Working time of the weekdays before / up to and including each weekday.
        self._before: list[int] = []
        self._through: list[int] = []
        running = 0
        for length in self._day_length:
            self._before.append(running)
            running += length
            self._through.append(running)
        self._closed_days = closed_days
        self._loaded: ClosedDays | None = None

    # -- public answers -------------------------------------------------

    @property
    def weekly_hours(self) -> timedelta:
        return timedelta(microseconds=self._week_length)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Rule 3: the working time in [start, end]."""
        if end <= start:
            return timedelta(0)
        start_local, end_local = self._local(start), self._local(end)
        closed = self._closed_covering(start_local.toordinal(), end_local.toordinal())
        return timedelta(microseconds=self._position(end_local, closed) - self._position(start_local, closed))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Rule 4: the earliest instant at which `duration` of working time has passed since `start`."""
        wanted = _microseconds(duration)
        if wanted <= 0:
            raise ValueError("A business-time target must be longer than zero.")
        start_local = self._local(start)
        closed = self._closed_covering(start_local.toordinal(), start_local.toordinal())
        target = self._position(start_local, closed) + wanted
        closed_before = 0
        while True:
            ordinal = self._first_day_reaching(target + closed_before)
            closed = self._closed_covering(start_local.toordinal(), ordinal, closed)
            now_closed_before = closed.lost_before(ordinal + 1)
            if now_closed_before == closed_before:
                break
            closed_before = now_closed_before
        into_day = target + closed_before - self._open_weekdays_before(ordinal)
        moment = 0
        for span_start, span_end in self._spans[(ordinal - 1) % 7]:
            if into_day <= span_end - span_start:
                moment = span_start + into_day
                break
            into_day -= span_end - span_start
        day = date.fromordinal(ordinal)
        return datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(microseconds=moment)

    def is_open(self, day: date) -> bool:
        ordinal = day.toordinal()
        closed = self._closed_covering(ordinal, ordinal)
        return self._day_length[day.weekday()] > 0 and not closed.contains(ordinal)

    def within_working_hours(self, instant: datetime) -> bool:
        """True if the instant lies in a span of an open day, both ends included."""
        local = self._local(instant)
        if not self.is_open(local.date()):
            return False
        moment = _microseconds_of(local.time())
        return any(start <= moment <= end for start, end in self._spans[local.weekday()])

    # -- the business-time line (rule 7) --------------------------------

    def _local(self, instant: datetime) -> datetime:
        if instant.tzinfo is None:
            raise ValueError("Business time needs aware datetimes.")
        return instant.astimezone(self.zone)

    def _open_weekdays_before(self, ordinal: int) -> int:
        """Working time of all weekdays before this day, closed days not yet taken off."""
        weeks, weekday = divmod(ordinal - 1, 7)  # ordinal 1 (1 January of year 1) is a Monday
        return weeks * self._week_length + self._before[weekday]

    def _position(self, local: datetime, closed: ClosedDays) -> int:
        ordinal = local.toordinal()
        position = self._open_weekdays_before(ordinal) - closed.lost_before(ordinal)
        if not closed.contains(ordinal):
            moment = _microseconds_of(local.time())
            for start, end in self._spans[local.weekday()]:
                if moment <= start:
                    break
                position += min(moment, end) - start
        return position

    def _first_day_reaching(self, position: int) -> int:
        """The first day by the end of which `position` is reached, closed days ignored."""
        weeks = (position - 1) // self._week_length
        rest = position - weeks * self._week_length
        weekday = bisect.bisect_left(self._through, rest)
        return weeks * 7 + weekday + 1

    def _closed_covering(self, first: int, last: int, current: ClosedDays | None = None) -> ClosedDays:
        """Closed days loaded for every year from `first`'s to `last`'s.

        One computation keeps to one snapshot (`current`) and only ever extends
        it forward, so its running totals stay comparable; the newest snapshot
        is kept for the next computation.
        """
        first_year, last_year = date.fromordinal(first).year, date.fromordinal(last).year
        snapshot = current or self._loaded
        if snapshot is not None and snapshot.first_year <= first_year and last_year <= snapshot.last_year:
            return snapshot
        if current is not None:
            from_year = current.first_year
        else:
            from_year = min(first_year, snapshot.first_year) if snapshot else first_year
        to_year = max(last_year, snapshot.last_year if snapshot else last_year, first_year + 1)
        fresh = ClosedDays.load(range(from_year, to_year + 1), self._closed_days, self._day_length)
        self._loaded = fresh
        return fresh


@dataclass(frozen=True)
class ClosedDays:
    """The closed days (with working hours) of a run of years, and their running working-time totals."""

    first_year: int
    last_year: int
    ordinals: tuple[int, ...]
    lost: tuple[int, ...]  # lost[i]: working time of the first i closed days

    @classmethod
    def load(cls, years: range, closed_days: Callable[[int], Iterable[date]], day_length: Sequence[int]) -> ClosedDays:
        ordinals = sorted(
            {
                day.toordinal()
                for year in years
                for day in closed_days(year)
                if day.year == year and day_length[day.weekday()] > 0
            }
        )
        lost = [0]
        for ordinal in ordinals:
            lost.append(lost[-1] + day_length[(ordinal - 1) % 7])
        return cls(years.start, years.stop - 1, tuple(ordinals), tuple(lost))

    def lost_before(self, ordinal: int) -> int:
        return self.lost[bisect.bisect_left(self.ordinals, ordinal)]

    def contains(self, ordinal: int) -> bool:
        index = bisect.bisect_left(self.ordinals, ordinal)
        return index < len(self.ordinals) and self.ordinals[index] == ordinal
