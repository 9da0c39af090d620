"""The price in force at each date, and usage metered once per billable unit from the ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing import selectors, services
from billing.models import PriceListVersion, UsageEvent
from shared_platform.errors import ApplicationError
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def test_the_price_in_force_is_the_latest_version_effective_on_that_day(price_list, catalogue, decision, finance):
    # given a second version from 1 October with ICT tickets dearer
    services.price_list_version_create(
        effective_from=date(2026, 10, 1),
        decision=decision,
        prices={catalogue["ICT-INC"]: Decimal("27.5")},
        created_by=finance,
    )
    incident = catalogue["ICT-INC"].pk
    # then each day reads the version in force that day; a service the new version does not price keeps its old price
    assert selectors.price_in_force(service_id=incident, on=date(2025, 12, 31)) is None
    assert selectors.price_in_force(service_id=incident, on=date(2026, 1, 1)).unit_price == Decimal("25.00")
    assert selectors.price_in_force(service_id=incident, on=date(2026, 9, 30)).unit_price == Decimal("25.00")
    assert selectors.price_in_force(service_id=incident, on=date(2026, 10, 1)).unit_price == Decimal("27.5")
    request = catalogue["ICT-REQ"].pk
    assert selectors.price_in_force(service_id=request, on=date(2026, 10, 15)).unit_price == Decimal("40.00")
    # and the in-memory table the run uses agrees
    table = selectors.price_table()
    assert table.in_force(service_id=incident, on=date(2026, 9, 30)).unit_price == Decimal("25.00")
    assert table.in_force(service_id=incident, on=date(2026, 10, 2)).unit_price == Decimal("27.5")


def test_a_price_list_must_cite_an_adopted_decision(catalogue, finance):
    with pytest.raises(ApplicationError) as refused:
        services.price_list_version_create(
            effective_from=date(2026, 1, 1), decision=None, prices={catalogue["ICT-INC"]: "1"}, created_by=finance
        )
    assert refused.value.code == "billing.decision_required"


def test_citing_a_decision_number_not_in_the_register_says_so(catalogue, decision, facility, finance, api_at):
    # given a register whose entries stop well before 999
    payload = {"effective_from": "2026-01-01", "decision": 999, "items": [{"service": "ICT-INC", "unit_price": "1"}]}

    # when facility finance cites decision 999
    response = api_at(facility, finance).post("/api/billing/price-lists/", payload, format="json")

    # then the answer names the missing decision with its own code, and no price list is made
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "billing.decision_not_found"
    assert "no decision number 999" in error["message"] and "decision" in error["fields"]
    assert not PriceListVersion.objects.exists()


def test_a_price_with_five_decimals_or_negative_is_refused_and_nothing_is_saved(catalogue, decision, finance):
    for bad, code in (("1.23456", "billing.too_many_decimals"), ("-1", "billing.negative_amount"), ("x", None)):
        with pytest.raises(ApplicationError) as refused:
            services.price_list_version_create(
                effective_from=date(2026, 1, 1),
                decision=decision,
                prices={catalogue["ICT-INC"]: bad},
                created_by=finance,
            )
        if code:
            assert refused.value.code == code
    assert not selectors.price_list_versions().exists()


def test_usage_is_one_event_per_unit_and_recording_twice_bills_once(undp, undp_agreement, deliver):
    # given a request delivered with 2.5 hours of work (recorded through the ledger, which meters usage)
    entry = deliver(undp, "PRC-MICRO", at(2026, 10, 5, 10, 0), units="2.5")
    events = list(UsageEvent.objects.filter(entry=entry).order_by("unit_number"))
    assert [(event.unit_number, event.quantity) for event in events] == [
        (1, Decimal("1")),
        (2, Decimal("1")),
        (3, Decimal("0.5")),
    ]
    assert {event.month for event in events} == {date(2026, 10, 1)}
    assert {event.completed_on for event in events} == {date(2026, 10, 5)}
    # when the same event is recorded again, and the month is swept
    assert services.usage_record(entry=entry) == 0
    assert services.usage_sweep(month=date(2026, 10, 1)) == 0
    # then it is still billed once
    assert UsageEvent.objects.filter(entry=entry).count() == 3


def test_the_sweep_catches_billable_requests_without_usage(undp, undp_agreement, deliver):
    entry = deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    UsageEvent.objects.filter(entry=entry).delete()  # e.g. recorded before billing existed
    assert services.usage_sweep(month=date(2026, 9, 1)) == 0  # another month: nothing
    assert services.usage_sweep(month=date(2026, 10, 1)) == 1
    assert services.usage_sweep(month=date(2026, 10, 1)) == 0


def test_a_delivery_late_in_the_evening_counts_in_the_facility_time_zone(undp, undp_agreement, deliver):
    # 31 Oct 23:30 in Brasília is 1 Nov in UTC; it is October's usage
    entry = deliver(undp, "ICT-REQ", at(2026, 10, 31, 22, 30))
    assert UsageEvent.objects.get(entry=entry).month == date(2026, 10, 1)
