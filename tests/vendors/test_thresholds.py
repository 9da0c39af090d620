"""Method thresholds: per agency, effective-dated, the defaults until set; history never changes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shared_platform.errors import ApplicationError
from vendors import selectors, services
from vendors.models import MethodThresholds


def _set(agency, manager, day, micro="10000.00", rfq="150000.00", committee="250000.00"):
    return services.thresholds_set(
        agency=agency,
        effective_from=day,
        micro_purchase_max=Decimal(micro),
        rfq_max=Decimal(rfq),
        committee_above=Decimal(committee),
        set_by=manager,
    )


def test_without_values_the_defaults_apply(undp):
    found = selectors.thresholds_in_force(agency=undp, on=timezone.localdate())
    assert (found.micro_purchase_max, found.rfq_max, found.committee_above) == (
        Decimal("15000.00"),
        Decimal("200000.00"),
        Decimal("300000.00"),
    )
    assert found.effective_from is None


def test_the_row_in_force_on_a_day_is_the_latest_on_or_before_it(undp, unfpa, manager):
    today = timezone.localdate()
    _set(undp, manager, today, micro="10000.00")
    _set(undp, manager, today + timedelta(days=10), micro="12000.00")
    assert selectors.thresholds_in_force(agency=undp, on=today - timedelta(days=1)).effective_from is None
    assert selectors.thresholds_in_force(agency=undp, on=today).micro_purchase_max == Decimal("10000.00")
    assert selectors.thresholds_in_force(agency=undp, on=today + timedelta(days=9)).micro_purchase_max == Decimal(
        "10000.00"
    )
    assert selectors.thresholds_in_force(agency=undp, on=today + timedelta(days=10)).micro_purchase_max == Decimal(
        "12000.00"
    )
    # another agency keeps the defaults
    assert selectors.thresholds_in_force(agency=unfpa, on=today + timedelta(days=10)).effective_from is None
    overview = {row.agency.code: row for row in selectors.thresholds_overview(on=today)}
    assert overview["UNDP"].in_force.micro_purchase_max == Decimal("10000.00")
    assert overview["UNDP"].next_change.effective_from == today + timedelta(days=10)
    assert overview["UNFPA"].in_force.effective_from is None


def test_a_past_day_is_refused_so_history_never_changes(undp, manager):
    with pytest.raises(ApplicationError) as refused:
        _set(undp, manager, timezone.localdate() - timedelta(days=1))
    assert refused.value.code == "vendors.thresholds_in_past"


def test_a_future_day_can_be_set_again_but_today_cannot(undp, manager):
    tomorrow = timezone.localdate() + timedelta(days=1)
    _set(undp, manager, tomorrow, micro="9000.00")
    _set(undp, manager, tomorrow, micro="9500.00")
    assert MethodThresholds.objects.get(agency=undp).micro_purchase_max == Decimal("9500.00")
    _set(undp, manager, timezone.localdate())
    with pytest.raises(ApplicationError) as refused:
        _set(undp, manager, timezone.localdate(), micro="1000.00")
    assert refused.value.code == "vendors.thresholds_in_force"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"micro": "0"}, "vendors.thresholds_not_positive"),
        ({"micro": "-5"}, "vendors.thresholds_not_positive"),
        ({"micro": "NaN"}, "vendors.thresholds_not_positive"),
        ({"micro": "15000.001"}, "vendors.too_many_decimals"),
        ({"micro": "200000.00", "rfq": "200000.00"}, "vendors.thresholds_not_increasing"),
        ({"rfq": "300000.00", "committee": "250000.00"}, "vendors.thresholds_not_increasing"),
        ({"committee": "1e15"}, "vendors.thresholds_too_large"),
    ],
)
def test_amounts_are_positive_with_cents_and_increase(undp, manager, values, code):
    with pytest.raises(ApplicationError) as refused:
        _set(undp, manager, timezone.localdate(), **values)
    assert refused.value.code == code


def test_the_facility_has_no_thresholds_of_its_own(facility, manager):
    with pytest.raises(ApplicationError) as refused:
        _set(facility, manager, timezone.localdate())
    assert refused.value.code == "vendors.thresholds_agency_required"


def test_history_lists_every_value_latest_first(undp, manager):
    today = timezone.localdate()
    _set(undp, manager, today)
    _set(undp, manager, today + timedelta(days=30))
    days = [row.effective_from for row in selectors.thresholds_history(agency=undp)]
    assert days == [today + timedelta(days=30), today]
