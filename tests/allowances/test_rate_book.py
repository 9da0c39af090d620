"""The imported table in the DSA computation: each night is paid at the rate in force on that night."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from allowances import selectors
from allowances.models import Location
from travel.dsa import Kind, Leg, compute


def test_a_rate_change_mid_trip_pays_each_night_at_the_rate_in_force(sample_import):
    # given Brasília as the duty station and a trip to Manaus across the July table (Manaus unchanged, Recife up)
    brasilia = Location.objects.get(country="BR", name="Brasília")
    recife = Location.objects.get(country="BR", name="Recife")
    legs = [
        Leg(origin=brasilia.pk, destination=recife.pk, departs=date(2026, 6, 28), arrives=date(2026, 6, 28)),
        Leg(origin=recife.pk, destination=brasilia.pk, departs=date(2026, 7, 3), arrives=date(2026, 7, 3)),
    ]

    # when the DSA is computed with the rates and rules as the table holds them
    book = selectors.rate_book(locations={brasilia.pk, recife.pk}, until=date(2026, 7, 3))
    result = compute(legs=legs, rates=book, rules=selectors.rules())

    # then the three June nights are paid at January's rate and the two July nights at July's
    nights = [(line.count, line.unit, line.first) for line in result.lines if line.kind == Kind.NIGHTS]
    assert nights == [(3, Decimal("228.00"), date(2026, 6, 28)), (2, Decimal("240.00"), date(2026, 7, 1))]
    assert result.dsa == Decimal("1164.00")
    # and two legs of terminal expenses at the default amount
    assert result.terminal == Decimal("76.00")
