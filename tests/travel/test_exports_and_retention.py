"""What leaves for the agency's ERP (advances and settlements as CSV, split per charge code) and the removal of
personal data once the retention period has passed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from tenants.models import Agency
from travel import services
from travel.models import TravelRequest

from .conftest import People

pytestmark = pytest.mark.usefixtures("quiet")


def _rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_advances_and_settlements_leave_as_csv_one_line_per_charge_code(
    trip_at: Callable[..., TravelRequest],
    people: People,
    client_at: Callable[..., Client],
    undp: Agency,
    make_person: Callable[..., User],
) -> None:
    # given a trip charged 70/30 to two codes, approved and settled in the same month
    trip = trip_at(
        "settled",
        charges=[services.ChargeInput("PRJ-A", Decimal("70")), services.ChargeInput("PRJ-B", Decimal("30"))],
    )
    finance = client_at(undp, make_person((Role.AGENCY_FINANCE, undp), email="finance@undp.test"))

    assert trip.decided_at is not None
    advances = _rows(finance.get(f"/travel/exports/advances.csv?month={timezone.localtime(trip.decided_at):%Y-%m}"))
    assert [(row["charge_code"], row["amount_usd"]) for row in advances if row["reference"] == trip.reference] == [
        ("PRJ-A", "840.00"),
        ("PRJ-B", "360.00"),
    ]
    with schema_context(undp.schema_name):
        settled_at = TravelRequest.objects.get(pk=trip.pk).claim.settled_at
    assert settled_at is not None
    settlements = _rows(finance.get(f"/travel/exports/settlements.csv?month={timezone.localtime(settled_at):%Y-%m}"))
    lines = [row for row in settlements if row["reference"] == trip.reference]
    assert sum(Decimal(row["amount_usd"]) for row in lines) == Decimal(lines[0]["settlement_usd"])
    assert {row["charge_code"] for row in lines} == {"PRJ-A", "PRJ-B"}


def test_only_finance_and_approvers_export(people: People, client_at: Callable[..., Client], undp: Agency) -> None:
    assert client_at(undp, people.requester).get("/travel/exports/advances.csv").status_code == 403
    assert client_at(undp, people.approver).get("/travel/exports/advances.csv?month=garbage").status_code == 200


def test_the_command_removes_personal_data_after_the_retention_period_only(
    trip_at: Callable[..., TravelRequest], undp: Agency
) -> None:
    trip = trip_at("settled", personal=services.PersonalData(passport_number="FZ010203"))
    out = io.StringIO()
    call_command("travel_personal_data_remove", "--days", "365", stdout=out)
    with schema_context(undp.schema_name):
        assert TravelRequest.objects.get(pk=trip.pk).passport_number == "FZ010203"
    call_command("travel_personal_data_remove", "--days", "0", "--agency", "undp", stdout=out)
    with schema_context(undp.schema_name):
        cleaned = TravelRequest.objects.get(pk=trip.pk)
    assert cleaned.passport_number == "" and cleaned.personal_data_removed_at is not None
    assert "UNDP: personal data removed from 1 trip(s)." in out.getvalue()
    assert cleaned.personal_data_removed_at <= timezone.now() + timedelta(seconds=1)


def test_a_trip_called_off_after_approval_sends_its_advance_to_recover(
    submit: Callable[..., TravelRequest],
    people: People,
    client_at: Callable[..., Client],
    undp: Agency,
) -> None:
    # given an approved trip (advance 1,200.00 due), then cancelled
    trip = submit()
    with schema_context(undp.schema_name):
        services.trip_approve(agency=undp, trip=trip, approver=people.approver)
        services.trip_cancel(agency=undp, trip=trip, by=people.requester, reason="The workshop was postponed.")
    approver = client_at(undp, people.approver)
    rows = _rows(approver.get(f"/travel/exports/settlements.csv?month={timezone.localdate():%Y-%m}"))
    mine = [row for row in rows if row["reference"] == trip.reference]
    assert [(row["kind"], row["settlement_usd"], row["amount_usd"]) for row in mine] == [
        ("cancelled", "-1200.00", "-1200.00")
    ]
