"""The DSA computation (travel.dsa) against cases worked by hand, and its properties.

Plain Python: no database. The rules are the module's docstring (ICSC DSA
rules with the facility's defaults).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from travel.dsa import ItineraryError, Kind, Leg, NoRate, Provided, Rate, RateBook, Rules, compute

HOME, MANAUS, RECIFE = 1, 2, 3
RULES = Rules(
    breakfast_percent=Decimal("6"),
    lunch_percent=Decimal("12"),
    dinner_percent=Decimal("12"),
    terminal_amount=Decimal("38.00"),
)
NO_TERMINAL = Rules(Decimal("6"), Decimal("12"), Decimal("12"), Decimal("0"))
START = date(2026, 2, 1)


def book(**overrides: list[Rate]) -> RateBook:
    rates = {
        HOME: [Rate(date(2020, 1, 1), Decimal("250"), Decimal("50"), Decimal("180"))],
        MANAUS: [Rate(date(2020, 1, 1), Decimal("300"), Decimal("50"), Decimal("210"))],
        RECIFE: [Rate(date(2020, 1, 1), Decimal("220"), Decimal("45"), Decimal("160"))],
    }
    rates.update({int(key): value for key, value in overrides.items()})
    return RateBook(rates)


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def test_65_nights_at_one_place_take_the_reduced_rate_after_the_60th() -> None:
    # given a mission of 65 nights in Manaus (300, then 210 after 60 days)
    legs = [Leg(HOME, MANAUS, day(0), day(0)), Leg(MANAUS, HOME, day(65), day(65))]

    # when
    result = compute(legs=legs, rates=book(), rules=NO_TERMINAL)

    # then 60 × 300 + 5 × 210
    assert result.dsa_before_deductions == Decimal("19050.00")
    assert result.nights == 65
    assert [(line.kind, line.count, line.unit) for line in result.lines] == [
        (Kind.NIGHTS, 60, Decimal("300")),
        (Kind.LONG_STAY, 5, Decimal("210")),
    ]


def test_a_multi_leg_trip_pays_each_night_where_it_is_spent_with_a_rate_change_mid_trip() -> None:
    # given Manaus for 3 nights, then Recife for 4, and Recife's rate rising on the trip's 6th night
    recife = [
        Rate(date(2020, 1, 1), Decimal("220"), Decimal("45"), Decimal("160")),
        Rate(day(5), Decimal("240"), Decimal("45"), Decimal("170")),
    ]
    legs = [
        Leg(HOME, MANAUS, day(0), day(0)),
        Leg(MANAUS, RECIFE, day(3), day(3)),
        Leg(RECIFE, HOME, day(7), day(7)),
    ]

    # when
    result = compute(legs=legs, rates=book(**{str(RECIFE): recife}), rules=RULES)

    # then 3 × 300 + 2 × 220 + 2 × 240, and three legs of terminal expenses
    assert result.dsa == Decimal("1820.00")
    assert result.terminal == Decimal("114.00")
    assert result.total == Decimal("1934.00")
    assert [(line.location, line.count, line.unit) for line in result.lines if line.kind == Kind.NIGHTS] == [
        (MANAUS, 3, Decimal("300")),
        (RECIFE, 2, Decimal("220")),
        (RECIFE, 2, Decimal("240")),
    ]


def test_a_night_on_board_counts_at_the_place_the_leg_reaches() -> None:
    legs = [Leg(HOME, MANAUS, day(0), day(1)), Leg(MANAUS, HOME, day(3), day(3))]

    result = compute(legs=legs, rates=book(), rules=NO_TERMINAL)

    assert result.nights == 3
    assert result.dsa == Decimal("900.00")


def test_accommodation_and_meals_provided_are_deducted_from_that_nights_rate() -> None:
    # given 4 nights in Manaus; the host gives the room on 2 nights and lunch on 1 day
    legs = [Leg(HOME, MANAUS, day(0), day(0)), Leg(MANAUS, HOME, day(4), day(4))]
    provided = {
        day(1): Provided(accommodation=True, lunch=True),
        day(2): Provided(accommodation=True),
    }

    result = compute(legs=legs, rates=book(), rules=NO_TERMINAL, provided=provided)

    # then 4 × 300 − 2 × 150 (room 50 %) − 1 × 36 (lunch 12 %)
    assert result.dsa_before_deductions == Decimal("1200.00")
    assert result.deductions == Decimal("336.00")
    assert result.dsa == Decimal("864.00")
    assert {(line.kind, line.count, line.amount) for line in result.lines if line.amount < 0} == {
        (Kind.ROOM, 2, Decimal("-300")),
        (Kind.LUNCH, 1, Decimal("-36")),
    }


def test_deductions_never_make_a_night_negative() -> None:
    rates = book(**{str(MANAUS): [Rate(date(2020, 1, 1), Decimal("300"), Decimal("100"), Decimal("210"))]})
    legs = [Leg(HOME, MANAUS, day(0), day(0)), Leg(MANAUS, HOME, day(1), day(1))]
    provided = {day(0): Provided(accommodation=True, breakfast=True, lunch=True, dinner=True)}

    result = compute(legs=legs, rates=rates, rules=NO_TERMINAL, provided=provided)

    assert result.dsa == Decimal("0.00")
    assert any(line.kind == Kind.CAP for line in result.lines)


def test_terminal_expenses_are_a_flat_amount_per_leg() -> None:
    legs = [
        Leg(HOME, MANAUS, day(0), day(0)),
        Leg(MANAUS, RECIFE, day(2), day(2)),
        Leg(RECIFE, HOME, day(4), day(4)),
    ]

    result = compute(legs=legs, rates=book(), rules=RULES)

    assert result.terminal == Decimal("114.00")
    terminal = [line for line in result.lines if line.kind == Kind.TERMINAL]
    assert [(line.count, line.unit) for line in terminal] == [(3, Decimal("38.00"))]


def test_nights_back_at_the_duty_station_earn_nothing() -> None:
    legs = [
        Leg(HOME, MANAUS, day(0), day(0)),
        Leg(MANAUS, HOME, day(2), day(2)),
        Leg(HOME, RECIFE, day(5), day(5)),
        Leg(RECIFE, HOME, day(6), day(6)),
    ]

    result = compute(legs=legs, rates=book(), rules=NO_TERMINAL)

    assert result.nights == 3
    assert result.dsa == Decimal("820.00")  # 2 × 300 + 1 × 220


def test_a_night_without_a_rate_in_force_is_refused_naming_place_and_night() -> None:
    late_table = book(**{str(MANAUS): [Rate(day(2), Decimal("300"), Decimal("50"), Decimal("210"))]})
    legs = [Leg(HOME, MANAUS, day(0), day(0)), Leg(MANAUS, HOME, day(4), day(4))]

    with pytest.raises(NoRate) as refused:
        compute(legs=legs, rates=late_table, rules=RULES)

    assert (refused.value.location, refused.value.night) == (MANAUS, day(0))


def test_legs_that_go_back_in_time_are_refused() -> None:
    with pytest.raises(ItineraryError):
        compute(legs=[Leg(HOME, MANAUS, day(3), day(2))], rates=book(), rules=RULES)
    with pytest.raises(ItineraryError):
        compute(legs=[Leg(HOME, MANAUS, day(0), day(2)), Leg(MANAUS, HOME, day(1), day(1))], rates=book(), rules=RULES)


# -- properties -------------------------------------------------------------------------------------


@st.composite
def itineraries(draw: st.DrawFn) -> list[Leg]:
    """Round trips from the duty station through one to three places, 1 to 90 nights in all."""
    stops = draw(st.lists(st.sampled_from([MANAUS, RECIFE]), min_size=1, max_size=3))
    stays = draw(st.lists(st.integers(min_value=0, max_value=30), min_size=len(stops), max_size=len(stops)))
    legs, where, when = [], HOME, START
    for stop, stay in zip(stops, stays, strict=True):
        if stop == where:
            continue
        legs.append(Leg(where, stop, when, when))
        where, when = stop, when + timedelta(days=stay)
    legs.append(Leg(where, HOME, when + timedelta(days=1), when + timedelta(days=1)))
    return legs


def _longer(legs: list[Leg], extra: int) -> list[Leg]:
    """The same trip with `extra` more nights before the journey home."""
    *out, home = legs
    return [*out, Leg(home.origin, home.destination, home.departs + timedelta(extra), home.arrives + timedelta(extra))]


@settings(max_examples=200, deadline=None)
@given(legs=itineraries(), extra=st.integers(min_value=1, max_value=70))
def test_more_nights_never_lower_the_total_before_deductions(legs: list[Leg], extra: int) -> None:
    shorter = compute(legs=legs, rates=book(), rules=RULES)
    longer = compute(legs=_longer(legs, extra), rates=book(), rules=RULES)
    assert longer.dsa_before_deductions >= shorter.dsa_before_deductions
    assert longer.nights == shorter.nights + extra


@settings(max_examples=200, deadline=None)
@given(
    legs=itineraries(),
    flags=st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()), max_size=120),
    room=st.decimals(min_value=0, max_value=100, places=2),
)
def test_deductions_never_make_the_allowance_negative(
    legs: list[Leg], flags: list[tuple[bool, bool, bool, bool]], room: Decimal
) -> None:
    rates = book(**{str(MANAUS): [Rate(date(2020, 1, 1), Decimal("300"), room, Decimal("210"))]})
    provided = {START + timedelta(days=index): Provided(*given) for index, given in enumerate(flags)}
    result = compute(legs=legs, rates=rates, rules=RULES, provided=provided)
    assert result.dsa >= 0
    assert result.dsa <= result.dsa_before_deductions
    assert result.dsa == result.dsa_before_deductions - result.deductions
    assert sum(line.amount for line in result.lines) == result.total
