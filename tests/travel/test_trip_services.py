"""A trip's steps and the travel policy they enforce (travel.services), through the ledger to billing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ledger.models import EntryStatus, LedgerEntry, NamedPerson
from service_levels.models import Metric
from shared_platform.errors import ApplicationError
from tenants.models import Agency
from travel import services
from travel.models import TravellerKind, TravelRequest, TripStatus

from .conftest import People, Places, leg, round_trip

pytestmark = pytest.mark.usefixtures("quiet")


def test_submission_estimates_the_dsa_and_the_advance_and_opens_the_authorization_clock(
    submit: Callable[..., TravelRequest], people: People
) -> None:
    # given 5 nights in Manaus at 300, two legs of terminal expenses at 38
    trip = submit()

    # then
    assert trip.reference.startswith("UNDP-TA-")
    assert (trip.dsa_estimate, trip.terminal_estimate) == (Decimal("1500.00"), Decimal("76.00"))
    assert trip.advance_amount == Decimal("1200.00")  # 80 % of the DSA estimate
    entry = LedgerEntry.objects.get(pk=trip.entry_id)
    assert entry.step == services.STEP_AUTHORIZATION
    assert list(entry.clocks.values_list("metric", flat=True)) == [Metric.AUTHORIZATION]
    assert entry.title == "Brasília → Manaus → Brasília"
    assert NamedPerson.objects.filter(entry=entry, user=people.traveller).exists()


def test_a_departure_less_than_21_days_ahead_needs_a_justification_and_is_flagged(
    submit: Callable[..., TravelRequest], places: Places
) -> None:
    soon = timezone.localdate() + timedelta(days=10)
    with pytest.raises(ApplicationError) as refused:
        submit(legs=round_trip(places, soon, 3))
    assert refused.value.code == "travel.late_without_justification"
    assert not TravelRequest.objects.exists()

    trip = submit(legs=round_trip(places, soon, 3), late_justification="Donor visit announced last week.")
    assert trip.late_request and trip.late_request_justification == "Donor visit announced last week."


def test_overlapping_trips_of_one_traveller_are_refused(submit: Callable[..., TravelRequest], places: Places) -> None:
    start = timezone.localdate() + timedelta(days=40)
    first = submit(legs=round_trip(places, start, 5))
    with pytest.raises(ApplicationError) as refused:
        submit(legs=round_trip(places, start + timedelta(days=2), 5, where=places.recife))
    assert refused.value.code == "travel.overlapping_trip"
    assert first.reference in refused.value.message
    # a trip may start the day the other ends
    assert submit(legs=round_trip(places, start + timedelta(days=5), 2, where=places.recife)).pk


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"charges": [services.ChargeInput("A", Decimal("60")), services.ChargeInput("B", Decimal("30"))]},
            "travel.charges_not_100",
        ),
        ({"legs": "arrival_before_departure"}, "travel.arrival_before_departure"),
        ({"legs": "unknown_place"}, "travel.unknown_location"),
        ({"legs": "out_of_order"}, "travel.legs_out_of_order"),
    ],
)
def test_bad_input_is_refused_clearly_and_changes_nothing(
    submit: Callable[..., TravelRequest], places: Places, change: dict[str, object], code: str
) -> None:
    start = timezone.localdate() + timedelta(days=30)
    if change.get("legs") == "arrival_before_departure":
        change = {"legs": [leg(places.brasilia, places.manaus, start + timedelta(days=1), start)]}
    elif change.get("legs") == "unknown_place":
        unknown = services.LegInput(
            origin=places.brasilia.pk,
            destination=999_999,
            departs_at=timezone.now() + timedelta(days=30),
            arrives_at=timezone.now() + timedelta(days=30, hours=3),
        )
        change = {"legs": [unknown]}
    elif change.get("legs") == "out_of_order":
        change = {
            "legs": [
                leg(places.brasilia, places.manaus, start + timedelta(days=3)),
                leg(places.manaus, places.brasilia, start),
            ]
        }
    with pytest.raises(ApplicationError) as refused:
        submit(**change)
    assert refused.value.code == code
    assert refused.value.message
    assert not TravelRequest.objects.exists()
    assert not LedgerEntry.objects.filter(module="travel").exists()


def test_the_traveller_never_approves_their_own_trip(
    submit: Callable[..., TravelRequest], people: People, undp: Agency, make_person: Callable[..., object]
) -> None:
    from accounts.models import Role

    membership_approver = people.approver
    trip = submit(traveller=membership_approver, requester=people.requester)
    with pytest.raises(ApplicationError) as refused:
        services.trip_approve(agency=undp, trip=trip, approver=membership_approver)
    assert refused.value.code == "travel.own_trip"
    other = make_person((Role.APPROVER, undp), email="second@undp.test")
    assert services.trip_approve(agency=undp, trip=trip, approver=other).status == TripStatus.APPROVED  # type: ignore[arg-type]


def test_only_an_approver_decides(submit: Callable[..., TravelRequest], people: People, undp: Agency) -> None:
    trip = submit()
    with pytest.raises(ApplicationError) as refused:
        services.trip_approve(agency=undp, trip=trip, approver=people.colleague)
    assert refused.value.code == "travel.approvers_only"


def test_approval_stops_the_authorization_clock_and_starts_ticketing(
    trip_at: Callable[..., TravelRequest],
) -> None:
    trip = trip_at("approved")
    entry = LedgerEntry.objects.get(pk=trip.entry_id)
    states = dict(entry.clocks.values_list("metric", "state"))
    assert states == {Metric.AUTHORIZATION: "stopped", Metric.TICKETING: "running"}
    assert entry.step == services.STEP_TICKETING


def test_no_ticket_before_the_security_clearance(trip_at: Callable[..., TravelRequest], people: People) -> None:
    trip = trip_at("approved")
    services.fare_options_record(
        trip=trip, options=[services.FareInput("LATAM", "Economy", Decimal("700"))], by=people.officer
    )
    with pytest.raises(ApplicationError) as refused:
        services.ticket_issue(
            trip=trip, option_position=1, booking_reference="ABC123", by=people.officer, late_justification="x"
        )
    assert refused.value.code == "travel.clearance_missing"
    assert "Manaus" in refused.value.message
    trip.refresh_from_db()
    assert trip.status == TripStatus.APPROVED


def test_a_fare_other_than_the_cheapest_needs_a_justification(
    trip_at: Callable[..., TravelRequest], people: People
) -> None:
    trip = trip_at("cleared")
    with pytest.raises(ApplicationError) as refused:
        services.ticket_issue(
            trip=trip,
            option_position=2,
            booking_reference="ABC123",
            by=people.officer,
            late_justification="Trip started already",
        )
    assert refused.value.code == "travel.not_most_economical"


def test_a_ticket_less_than_21_days_before_departure_needs_a_justification_and_is_flagged(
    submit: Callable[..., TravelRequest], people: People, places: Places, undp: Agency
) -> None:
    start = timezone.localdate() + timedelta(days=25)
    trip = submit(legs=round_trip(places, start, 3))
    trip = services.trip_approve(agency=undp, trip=trip, approver=people.approver)
    services.clearance_record(
        trip=trip, location_id=places.manaus.pk, reference="TRIP-1", granted_on=timezone.localdate(), by=people.officer
    )
    services.fare_options_record(
        trip=trip, options=[services.FareInput("Azul", "Economy", "640.00")], by=people.officer
    )
    late = timezone.now() + timedelta(days=6)  # 19 days before departure
    with pytest.raises(ApplicationError) as refused:
        services.ticket_issue(trip=trip, option_position=1, booking_reference="Q1", by=people.officer, at=late)
    assert refused.value.code == "travel.late_without_justification"
    ticket = services.ticket_issue(
        trip=trip,
        option_position=1,
        booking_reference="Q1",
        by=people.officer,
        at=late,
        late_justification="Agenda changed by the host.",
    )
    assert ticket.late and ticket.late_justification == "Agenda changed by the host."


def test_the_claim_recomputes_the_dsa_on_the_journey_travelled_and_settles_against_the_advance(
    trip_at: Callable[..., TravelRequest], people: People, places: Places
) -> None:
    # given a trip planned for 5 nights (DSA 1,500, advance 1,200), travelled for 7 nights with a taxi
    trip = trip_at("ticketed")
    first = trip.legs.order_by("position").first()
    assert first is not None
    start = timezone.localtime(first.departs_at).date()
    claim = services.claim_submit(
        trip=trip,
        by=people.traveller,
        legs=round_trip(places, start, 7),
        expenses=[services.ExpenseInput("Taxi to the airport", Decimal("45.50"))],
        at=timezone.now(),
    )
    # then 7 × 300 + 2 × 38 + 45.50 − 1,200
    assert (claim.dsa_amount, claim.terminal_amount, claim.other_amount) == (
        Decimal("2100.00"),
        Decimal("76.00"),
        Decimal("45.50"),
    )
    assert claim.settlement_amount == Decimal("1021.50")
    entry = LedgerEntry.objects.get(pk=trip.entry_id)
    assert entry.status == EntryStatus.OPEN and entry.step == services.STEP_CLAIM


def test_a_shorter_journey_leaves_an_amount_to_recover(
    trip_at: Callable[..., TravelRequest], people: People, places: Places
) -> None:
    trip = trip_at("ticketed")
    first = trip.legs.order_by("position").first()
    assert first is not None
    claim = services.claim_submit(
        trip=trip,
        by=people.traveller,
        legs=round_trip(places, timezone.localtime(first.departs_at).date(), 2),
        at=timezone.now(),
    )
    assert claim.settlement_amount == Decimal("-524.00")  # 600 + 76 − 1,200


def test_only_the_traveller_claims(trip_at: Callable[..., TravelRequest], people: People, places: Places) -> None:
    trip = trip_at("ticketed")
    with pytest.raises(ApplicationError) as refused:
        services.claim_submit(trip=trip, by=people.colleague, legs=round_trip(places, trip.departs_on, 5))
    assert refused.value.code == "travel.forbidden"


def test_settlement_delivers_the_trip_and_bills_it_once(trip_at: Callable[..., TravelRequest], people: People) -> None:
    trip = trip_at("settled")
    entry = LedgerEntry.objects.get(pk=trip.entry_id)
    assert trip.status == TripStatus.SETTLED and trip.closed_at is not None
    assert entry.status == EntryStatus.CLOSED and entry.completed_at is not None
    assert entry.billable_units == Decimal("1") and entry.billable_recorded_at is not None
    assert dict(entry.clocks.values_list("metric", "state")) == {
        Metric.AUTHORIZATION: "stopped",
        Metric.TICKETING: "stopped",
        Metric.CLAIM: "stopped",
    }
    with pytest.raises(ApplicationError) as refused:
        services.claim_settle(trip=trip, by=people.officer)
    assert refused.value.code == "travel.illegal_transition"


def test_a_consultant_travels_without_an_account_and_the_requester_claims(
    submit: Callable[..., TravelRequest], people: People
) -> None:
    trip = submit(traveller_kind=TravellerKind.NON_STAFF, traveller=None, traveller_name="Dr. Helena Costa")
    assert trip.traveller_id is None and trip.traveller_name == "Dr. Helena Costa"
    trip.status = TripStatus.TICKETED
    assert services.may_claim(trip=trip, user=people.requester)
    assert not services.may_claim(trip=trip, user=people.colleague)


def test_only_travel_officers_record_clearances(
    trip_at: Callable[..., TravelRequest], people: People, places: Places
) -> None:
    trip = trip_at("approved")
    with pytest.raises(ApplicationError) as refused:
        services.clearance_record(
            trip=trip, location_id=places.manaus.pk, reference="X", granted_on=timezone.localdate(), by=people.approver
        )
    assert refused.value.code == "travel.travel_officers_only"


def test_personal_data_of_trips_closed_longer_than_the_retention_is_removed(
    submit: Callable[..., TravelRequest], trip_at: Callable[..., TravelRequest]
) -> None:
    old = trip_at("settled", personal=services.PersonalData(passport_number="FX123456", phone="+55 61 99999 0000"))
    recent = submit(personal=services.PersonalData(passport_number="YB998877"))
    removed = services.personal_data_remove(closed_before=timezone.now())
    assert removed == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.passport_number, old.phone) == ("", "") and old.personal_data_removed_at is not None
    assert recent.passport_number == "YB998877"
