"""The one check every service uses for a typed figure: whatever is typed, a clear refusal, never a crash."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_platform.errors import ApplicationError
from shared_platform.inputs import decimal_checked


@pytest.mark.parametrize("typed", ["1e30", "9" * 40, "1E+100", "-1e30"])
def test_a_figure_too_large_to_hold_is_refused_on_its_field(typed: str) -> None:
    with pytest.raises(ApplicationError) as refusal:
        decimal_checked(typed, field="quantity", code="test.invalid")
    assert refusal.value.code == "test.invalid"
    assert "quantity" in (refusal.value.fields or {})


def test_a_figure_with_more_decimals_than_allowed_is_refused_and_a_good_one_kept() -> None:
    with pytest.raises(ApplicationError):
        decimal_checked("10.001", field="amount", code="test.invalid")
    assert decimal_checked(" 10.50 ", field="amount", code="test.invalid") == Decimal("10.50")
