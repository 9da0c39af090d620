"""Splitting an amount among agencies to the cent, by weights (the cost-sharing key).

The largest remainder method (Hamilton's): each agency first gets the whole
cents of its exact share, then the cents left over go one each to the agencies
with the largest fractional parts (ties by the order given, which is agency
code). The shares add up exactly to the amount: no cent is lost or invented.
Exact arithmetic with `Fraction`; money never passes through float.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from shared_platform.errors import ApplicationError

Key = TypeVar("Key", bound=Hashable)
CENT = Decimal("0.01")


def amount_split(*, amount: Decimal, weights: Mapping[Key, Decimal | int]) -> dict[Key, Decimal]:
    """`amount` (2 places, not negative) shared in proportion to `weights`; equal shares if every weight is 0."""
    if amount < 0 or amount != amount.quantize(CENT):
        raise ApplicationError("An amount to share is a positive sum in cents.", code="billing.invalid_amount")
    if any(weight < 0 for weight in weights.values()):
        raise ApplicationError("Sharing weights cannot be negative.", code="billing.invalid_weights")
    if not weights:
        return {}
    keys = list(weights)
    exact_weights = [Fraction(weights[key]) for key in keys]
    total_weight = sum(exact_weights, Fraction(0))
    if total_weight == 0:
        exact_weights, total_weight = [Fraction(1)] * len(keys), Fraction(len(keys))
    cents = int(amount * 100)
    exact = [Fraction(cents) * weight / total_weight for weight in exact_weights]
    floors = [int(share) for share in exact]  # exact shares are never negative, so int() is the floor
    left_over = cents - sum(floors)
    by_remainder = sorted(range(len(keys)), key=lambda index: (-(exact[index] - floors[index]), index))
    for index in by_remainder[:left_over]:
        floors[index] += 1
    return {key: (Decimal(share) / 100).quantize(CENT) for key, share in zip(keys, floors, strict=True)}
