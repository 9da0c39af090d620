"""Fixed costs shared among agencies to the cent: no cent lost or invented, whatever the amount and the count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.sharing import amount_split
from shared_platform.errors import ApplicationError

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000000"), places=2)
weights = st.one_of(
    st.integers(min_value=0, max_value=100_000),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2),
)


@given(amount=amounts, agency_weights=st.lists(weights, min_size=1, max_size=60))
def test_shares_add_up_exactly_to_the_amount(amount, agency_weights):
    shares = amount_split(amount=amount, weights=dict(enumerate(agency_weights)))
    assert sum(shares.values()) == amount
    assert all(share >= 0 and share == share.quantize(Decimal("0.01")) for share in shares.values())


@given(amount=amounts, agency_weights=st.lists(weights, min_size=1, max_size=60))
def test_each_share_is_within_a_cent_of_its_exact_part(amount, agency_weights):
    shares = amount_split(amount=amount, weights=dict(enumerate(agency_weights)))
    total = sum(Decimal(w) for w in agency_weights)
    for index, weight in enumerate(agency_weights):
        exact = amount * Decimal(weight) / total if total else amount / len(agency_weights)
        assert abs(shares[index] - exact) < Decimal("0.01")


@given(amount=amounts, count=st.integers(min_value=1, max_value=200))
def test_equal_shares_differ_by_at_most_one_cent(amount, count):
    shares = amount_split(amount=amount, weights=dict.fromkeys(range(count), 1))
    assert max(shares.values()) - min(shares.values()) <= Decimal("0.01")
    assert sum(shares.values()) == amount


def test_awkward_amounts_by_hand():
    # 100.00 among 3 agencies: 33.34 + 33.33 + 33.33, the extra cent to the first in order
    assert amount_split(amount=Decimal("100.00"), weights={"A": 1, "B": 1, "C": 1}) == {
        "A": Decimal("33.34"),
        "B": Decimal("33.33"),
        "C": Decimal("33.33"),
    }
    # 0.01 among 7: one agency pays the cent
    shares = amount_split(amount=Decimal("0.01"), weights=dict.fromkeys("ABCDEFG", 1))
    assert sorted(shares.values()) == [Decimal("0.00")] * 6 + [Decimal("0.01")]
    # headcount 180 / 45 / 15 of 1000.00: 750.00, 187.50, 62.50
    assert amount_split(amount=Decimal("1000.00"), weights={"UNDP": 180, "UNFPA": 45, "UNAIDS": 15}) == {
        "UNDP": Decimal("750.00"),
        "UNFPA": Decimal("187.50"),
        "UNAIDS": Decimal("62.50"),
    }
    # every weight zero (no usage at all): equal shares
    assert amount_split(amount=Decimal("10.00"), weights={"A": 0, "B": 0}) == {
        "A": Decimal("5.00"),
        "B": Decimal("5.00"),
    }


def test_a_negative_amount_or_fractions_of_a_cent_are_refused():
    for amount in (Decimal("-1.00"), Decimal("1.005")):
        with pytest.raises(ApplicationError):
            amount_split(amount=amount, weights={"A": 1})
