"""The daily subsistence allowance of an itinerary: plain Python, no database, every figure explained.

The ICSC rules as PRODUCT.md ("Travel") sets them, with the facility's defaults:

- One rate per night, at the location where the night is spent: where the
  traveller is at the end of that calendar day. A night on board (a leg that
  departs one day and arrives the next) counts at the place the leg reaches.
  Nights back at the duty station (the first leg's origin) earn no DSA.
- The rate is the one in force on that night's date (the table is
  effective-dated, so a rate change mid-trip changes the rate from that night).
- After `long_stay_nights` (60) consecutive nights at one location, each
  further night there is paid at the table's reduced "after 60 days" rate.
- Accommodation provided on a night removes the table's room share of that
  night's rate; each meal provided on a day removes the facility's share for
  that meal. A night's deductions never exceed its rate.
- Terminal expenses: a flat amount per journey leg.

`compute` returns the lines a person reads ("60 nights × 300.00 at Manaus"),
grouped where consecutive nights share a location, rate and deduction, and the
totals; the pages and the PDF print these lines, so every figure says how it
was reached. Money is `Decimal`, rounded to cents per unit.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Rate:
    """A location's rate in force from `effective_from` (a row of the ICSC table)."""

    effective_from: date
    rate: Decimal
    room_percent: Decimal
    reduced_rate: Decimal


@dataclass(frozen=True)
class Leg:
    """A journey leg between two table locations, by its local departure and arrival dates."""

    origin: int
    destination: int
    departs: date
    arrives: date


@dataclass(frozen=True)
class Provided:
    """What the host provided on one day: the night's accommodation and the day's meals."""

    accommodation: bool = False
    breakfast: bool = False
    lunch: bool = False
    dinner: bool = False


@dataclass(frozen=True)
class Rules:
    breakfast_percent: Decimal
    lunch_percent: Decimal
    dinner_percent: Decimal
    terminal_amount: Decimal
    long_stay_nights: int = 60


class Kind:
    """What a line of the computation is."""

    NIGHTS = "nights"  # nights at the full rate
    LONG_STAY = "long_stay"  # nights at the reduced rate after the long-stay threshold
    ROOM = "room"  # accommodation provided: minus the room share
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"
    CAP = "cap"  # deductions above a night's rate given back: a night is never negative
    TERMINAL = "terminal"


DEDUCTIONS = (Kind.ROOM, Kind.BREAKFAST, Kind.LUNCH, Kind.DINNER, Kind.CAP)


@dataclass(frozen=True)
class Line:
    """`count` × `unit` = `amount` (negative for a deduction), at `location` from `first` to `last`."""

    kind: str
    location: int | None
    count: int
    unit: Decimal
    amount: Decimal
    first: date | None = None
    last: date | None = None


@dataclass(frozen=True)
class Computation:
    lines: tuple[Line, ...]
    nights: int
    dsa_before_deductions: Decimal
    deductions: Decimal
    dsa: Decimal
    terminal: Decimal
    legs: int

    @property
    def total(self) -> Decimal:
        return self.dsa + self.terminal


class NoRate(Exception):
    """No rate is in force for a location on a night: the table does not cover the trip."""

    def __init__(self, location: int, night: date) -> None:
        super().__init__(f"no DSA rate for location {location} on {night}")
        self.location = location
        self.night = night


class ItineraryError(ValueError):
    """The legs do not make a journey (one departs before the previous one arrives)."""


@dataclass
class _Group:
    kind: str
    location: int | None
    unit: Decimal
    first: date
    last: date
    count: int = 1


@dataclass
class RateBook:
    """The rates of the locations of a trip, each location's rows sorted by date, looked up per night."""

    rates: Mapping[int, Sequence[Rate]]
    _dates: dict[int, list[date]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for location, rows in self.rates.items():
            self._dates[location] = [row.effective_from for row in rows]

    def on(self, location: int, night: date) -> Rate:
        dates = self._dates.get(location)
        if not dates:
            raise NoRate(location, night)
        index = bisect_right(dates, night) - 1
        if index < 0:
            raise NoRate(location, night)
        return self.rates[location][index]


def _percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def legs_check(legs: Sequence[Leg]) -> None:
    """Each leg arrives on or after its departure, and departs on or after the previous leg's arrival."""
    previous: Leg | None = None
    for leg in legs:
        if leg.arrives < leg.departs:
            raise ItineraryError("a leg arrives before it departs")
        if previous is not None and leg.departs < previous.arrives:
            raise ItineraryError("a leg departs before the previous one arrives")
        previous = leg


def overnight_locations(legs: Sequence[Leg]) -> list[tuple[date, int]]:
    """Each night away from the duty station and where it is spent, in order.

    The nights run from the first departure date to the day before the last
    arrival; a night belongs to the destination of the last leg that departed
    on or before that day.
    """
    if not legs:
        return []
    home = legs[0].origin
    nights: list[tuple[date, int]] = []
    night = legs[0].departs
    end = legs[-1].arrives
    index = 0
    count = len(legs)
    while night < end:
        while index + 1 < count and legs[index + 1].departs <= night:
            index += 1
        where = legs[index].destination
        if where != home:
            nights.append((night, where))
        night += ONE_DAY
    return nights


def compute(
    *,
    legs: Sequence[Leg],
    rates: RateBook,
    rules: Rules,
    provided: Mapping[date, Provided] | None = None,
) -> Computation:
    """The DSA and terminal expenses of an itinerary (see the module's docstring for the rules)."""
    legs_check(legs)
    provided = provided or {}
    groups: list[_Group] = []
    deduction_groups: list[_Group] = []
    run_location: int | None = None
    run_nights = 0
    previous_night: date | None = None
    shares = (
        (Kind.BREAKFAST, "breakfast", rules.breakfast_percent),
        (Kind.LUNCH, "lunch", rules.lunch_percent),
        (Kind.DINNER, "dinner", rules.dinner_percent),
    )
    for night, location in overnight_locations(legs):
        consecutive = location == run_location and previous_night is not None and night - previous_night == ONE_DAY
        run_nights = run_nights + 1 if consecutive else 1
        run_location, previous_night = location, night
        row = rates.on(location, night)
        if run_nights > rules.long_stay_nights:
            kind, unit = Kind.LONG_STAY, row.reduced_rate
        else:
            kind, unit = Kind.NIGHTS, row.rate
        _add(groups, kind, location, unit, night)
        given = provided.get(night)
        if given is None:
            continue
        taken = ZERO
        if given.accommodation:
            share = _percent_of(unit, row.room_percent)
            taken += share
            _add(deduction_groups, Kind.ROOM, location, share, night)
        for meal_kind, meal, percent in shares:
            if getattr(given, meal):
                share = _percent_of(unit, percent)
                taken += share
                _add(deduction_groups, meal_kind, location, share, night)
        if taken > unit:
            _add(deduction_groups, Kind.CAP, location, taken - unit, night)
    lines: list[Line] = []
    before = ZERO
    nights = 0
    for group in groups:
        amount = group.unit * group.count
        before += amount
        nights += group.count
        lines.append(Line(group.kind, group.location, group.count, group.unit, amount, group.first, group.last))
    deductions = ZERO
    for group in deduction_groups:
        amount = group.unit * group.count
        signed = amount if group.kind == Kind.CAP else -amount
        deductions -= signed
        lines.append(Line(group.kind, group.location, group.count, group.unit, signed, group.first, group.last))
    terminal = (rules.terminal_amount * len(legs)).quantize(CENT)
    if legs and rules.terminal_amount:
        lines.append(Line(Kind.TERMINAL, None, len(legs), rules.terminal_amount, terminal))
    return Computation(
        lines=tuple(lines),
        nights=nights,
        dsa_before_deductions=before.quantize(CENT),
        deductions=deductions.quantize(CENT),
        dsa=(before - deductions).quantize(CENT),
        terminal=terminal,
        legs=len(legs),
    )


def _add(groups: list[_Group], kind: str, location: int | None, unit: Decimal, night: date) -> None:
    """Count a night in the last group when it continues it (same kind, place and unit, the next night)."""
    for group in reversed(groups[-5:]):
        if group.kind == kind and group.location == location and group.unit == unit and group.last + ONE_DAY == night:
            group.last = night
            group.count += 1
            return
    groups.append(_Group(kind, location, unit, night, night))
