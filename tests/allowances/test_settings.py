"""The allowance rules: set by travel officers and the manager, with every value checked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from allowances import selectors, services
from shared_platform.errors import ApplicationError

GOOD = {
    "breakfast_percent": "5",
    "lunch_percent": "15.5",
    "dinner_percent": "15",
    "terminal_amount": "40.00",
    "long_stay_nights": 90,
}


def test_the_defaults_hold_until_someone_sets_the_rules(db):
    rules = selectors.rules()
    assert (rules.breakfast_percent, rules.lunch_percent, rules.dinner_percent) == (
        Decimal("6.00"),
        Decimal("12.00"),
        Decimal("12.00"),
    )
    assert (rules.terminal_amount, rules.long_stay_nights) == (Decimal("38.00"), 60)


def test_a_travel_officer_sets_the_rules_and_the_computation_reads_them(travel_officer):
    saved = services.allowance_settings_update(by=travel_officer, **GOOD)
    assert saved.updated_by == travel_officer
    rules = selectors.rules()
    assert (rules.lunch_percent, rules.terminal_amount, rules.long_stay_nights) == (
        Decimal("15.50"),
        Decimal("40.00"),
        90,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("breakfast_percent", "-1"),
        ("lunch_percent", "101"),
        ("dinner_percent", "abc"),
        ("terminal_amount", "-5"),
        ("terminal_amount", "12.345"),
        ("long_stay_nights", 0),
        ("long_stay_nights", 400),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(travel_officer, field, value):
    with pytest.raises(ApplicationError) as refused:
        services.allowance_settings_update(by=travel_officer, **{**GOOD, field: value})
    assert refused.value.code == "allowances.invalid_settings" and field in refused.value.fields
    assert selectors.rules().terminal_amount == Decimal("38.00")


def test_meals_together_cannot_take_more_than_the_whole_rate(travel_officer):
    with pytest.raises(ApplicationError) as refused:
        services.allowance_settings_update(
            by=travel_officer, **{**GOOD, "breakfast_percent": "40", "lunch_percent": "40", "dinner_percent": "40"}
        )
    assert refused.value.code == "allowances.meal_shares_above_rate"


def test_other_facility_staff_cannot_set_the_rules(ict_agent):
    with pytest.raises(ApplicationError) as refused:
        services.allowance_settings_update(by=ict_agent, **GOOD)
    assert refused.value.status_code == 403
