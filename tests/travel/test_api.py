"""Travel's API: the same rules as the services, on both addresses.

An agency's trips (submit with the estimate explained, visibility, decide,
cancel, claim), the facility's case (clearance before the ticket, fares,
settlement), personal data only for those who may see it, bad input answered
400 on its field, roles answered 403, and another agency's trips out of reach
whatever the address or Host.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import Role, User
from ledger.models import LedgerEntry
from service_levels.models import Module
from shared_platform.tenancy import agency_host
from tenants.models import Agency
from travel import services
from travel.models import Claim, TravelRequest

from .conftest import People, Places, at_noon

# No e-mail from the steps: the API's answers are what these tests are about.
pytestmark = pytest.mark.usefixtures("quiet")

TRIPS = "/api/travel/trips/"
CASES = "/api/travel/cases/"
QUEUE = "/api/travel/queue/"
PERSONAL = {"passport_number", "passport_expires_on", "date_of_birth", "phone", "contact_email"}

ClientFor = Callable[[User], APIClient]


@pytest.fixture
def agency_api(api_at: Callable[..., APIClient], undp: Agency) -> ClientFor:
    """agency_api(user): a token client on UNDP's address."""
    return lambda user: api_at(undp, user)


@pytest.fixture
def portal_api(api_at: Callable[..., APIClient], facility: Agency) -> ClientFor:
    """portal_api(user): a token client on the facility portal."""
    return lambda user: api_at(facility, user)


@pytest.fixture
def facility_finance(make_person: Callable[..., User], facility: Agency) -> User:
    """Facility staff who read trips and do not work them."""
    return make_person((Role.FACILITY_FINANCE, None), email="iris.finance@facility.test")


@pytest.fixture
def agency_finance(make_person: Callable[..., User], undp: Agency) -> User:
    """UNDP's finance officer: follows every trip of the agency, without its personal data."""
    return make_person((Role.AGENCY_FINANCE, undp), email="fernanda@undp.test")


def when(day: date, hour: int) -> str:
    return timezone.localtime(at_noon(day, hour)).isoformat()


def leg_body(origin: Any, destination: Any, day: date, arrival_hour: int = 13) -> dict[str, Any]:
    return {
        "origin": origin.pk,
        "destination": destination.pk,
        "departs_at": when(day, 9),
        "arrives_at": when(day, arrival_hour),
        "mode": "air",
    }


def trip_body(people: People, places: Places, **changes: Any) -> dict[str, Any]:
    """Tiago to Manaus for five nights, a month from now, charged to one project."""
    start = timezone.localdate() + timedelta(days=30)
    body: dict[str, Any] = {
        "traveller_kind": "staff",
        "traveller": people.traveller.pk,
        "purpose": "Field monitoring visit to the health project",
        "trip_type": "mission",
        "legs": [
            leg_body(places.brasilia, places.manaus, start),
            leg_body(places.manaus, places.brasilia, start + timedelta(days=5)),
        ],
        "charge_codes": [{"code": "PRJ-00123", "percent": "100.00"}],
        "estimated_ticket_cost": "850.00",
        "passport_number": "FZ123456",
        "passport_expires_on": "2031-05-01",
        "date_of_birth": "1988-03-14",
        "phone": "+55 61 99999-0000",
        "contact_email": "tiago.travel@example.org",
    }
    body.update(changes)
    return body


def refused(response: Any, status: int, *, code: str | None = None, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error: dict[str, Any] = response.json()["error"]
    if code is not None:
        assert error["code"] == code, error
    if field is not None:
        assert field in error.get("fields", {}), error
    return error


def nothing_submitted() -> bool:
    with schema_context("undp"):
        trips = TravelRequest.objects.exists()
    return not trips and not LedgerEntry.objects.filter(module=Module.TRAVEL).exists()


# -- submitting -------------------------------------------------------------------------------------


def test_a_requester_submits_a_trip_and_sees_its_dsa_estimate_advance_and_how_they_add_up(
    people: People, places: Places, agency_api: ClientFor
) -> None:
    # when Ana submits Tiago's five nights in Manaus (DSA 300 a night)
    response = agency_api(people.requester).post(TRIPS, trip_body(people, places), format="json")

    # then the trip waits for approval, with its estimate and the advance (80 % of the DSA) as exact strings
    assert response.status_code == 201, response.content
    trip = response.json()
    assert trip["reference"].startswith("UNDP-TA-")
    assert trip["status"] == "submitted"
    assert trip["traveller_name"] == people.traveller.get_full_name()
    assert (trip["dsa_estimate"], trip["advance_percent"], trip["advance_amount"]) == ("1500.00", "80.00", "1200.00")

    # and the figures explain the estimate line by line, adding up to the DSA and terminal expenses
    figures = trip["figures"]
    assert figures[0]["label"] == "DSA, Manaus, Brazil"
    assert figures[0]["how"].startswith("5 nights × 300.00")
    assert figures[0]["amount"] == "1500.00"
    assert sum(Decimal(line["amount"]) for line in figures) == Decimal(trip["dsa_estimate"]) + Decimal(
        trip["terminal_estimate"]
    )
    assert [leg["destination_name"] for leg in trip["legs"]] == ["Manaus, Brazil", "Brasília, Brazil"]
    assert trip["charge_codes"] == [{"code": "PRJ-00123", "percent": "100.00"}]
    assert [event["kind"] for event in trip["history"]] == ["submitted"]

    # and it is listed, and found by the traveller's name
    listed = agency_api(people.requester).get(TRIPS, {"search": "Tiago"}).json()["results"]
    assert [row["reference"] for row in listed] == [trip["reference"]]
    assert agency_api(people.requester).get(TRIPS, {"search": "nobody"}).json()["results"] == []


def test_charge_codes_not_adding_up_to_100_are_refused_and_nothing_is_created(
    people: People, places: Places, agency_api: ClientFor
) -> None:
    body = trip_body(
        people, places, charge_codes=[{"code": "PRJ-1", "percent": "60.00"}, {"code": "PRJ-2", "percent": "30.00"}]
    )

    response = agency_api(people.requester).post(TRIPS, body, format="json")

    error = refused(response, 400, code="travel.charges_not_100", field="charge_codes")
    assert "90" in error["message"]
    assert nothing_submitted()


def test_an_unknown_place_or_an_arrival_before_the_departure_is_refused_on_the_legs(
    people: People, places: Places, agency_api: ClientFor
) -> None:
    client = agency_api(people.requester)
    body = trip_body(people, places)
    body["legs"][0]["destination"] = 987_654
    refused(client.post(TRIPS, body, format="json"), 400, code="travel.unknown_location", field="legs")

    body = trip_body(people, places)
    body["legs"][0]["arrives_at"] = when(timezone.localdate() + timedelta(days=29), 13)
    refused(client.post(TRIPS, body, format="json"), 400, code="travel.arrival_before_departure", field="legs")

    assert nothing_submitted()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"charge_codes": [{"code": "PRJ-1", "percent": 100}]}, "charge_codes.0.percent"),  # a number, not a string
        ({"estimated_ticket_cost": "12.345"}, "estimated_ticket_cost"),
        ({"trip_type": "holiday"}, "trip_type"),
        ({"legs": []}, "legs.non_field_errors"),
        ({"purpose": "x" * 2001}, "purpose"),
        ({"traveller": "tiago"}, "traveller"),
    ],
)
def test_input_of_the_wrong_kind_is_refused_on_its_field(
    people: People, places: Places, agency_api: ClientFor, change: dict[str, Any], field: str
) -> None:
    response = agency_api(people.requester).post(TRIPS, trip_body(people, places, **change), format="json")

    refused(response, 400, code="invalid", field=field)
    assert nothing_submitted()


def test_a_time_without_its_zone_is_refused(people: People, places: Places, agency_api: ClientFor) -> None:
    body = trip_body(people, places)
    body["legs"][0]["departs_at"] = body["legs"][0]["departs_at"][:19]

    refused(agency_api(people.requester).post(TRIPS, body, format="json"), 400, field="legs.0.departs_at")


def test_a_trip_overlapping_another_of_the_same_traveller_is_refused(
    people: People, places: Places, agency_api: ClientFor
) -> None:
    client = agency_api(people.requester)
    assert client.post(TRIPS, trip_body(people, places), format="json").status_code == 201

    refused(client.post(TRIPS, trip_body(people, places), format="json"), 409, code="travel.overlapping_trip")


# -- deciding -----------------------------------------------------------------------------------------


def test_the_approver_decides_and_no_one_decides_their_own_trip(
    people: People, submit: Callable[..., TravelRequest], agency_api: ClientFor
) -> None:
    # given a trip of Tiago's, and one the approver travels on himself
    tiagos = submit()
    own = submit(traveller=people.approver, start=timezone.localdate() + timedelta(days=40))

    # the approver may not approve his own trip
    refused(agency_api(people.approver).post(f"{TRIPS}{own.reference}/approve/"), 403, code="travel.own_trip")
    # a requester may not approve at all, and a colleague does not even see the trip
    refused(agency_api(people.requester).post(f"{TRIPS}{tiagos.reference}/approve/"), 403, code="travel.approvers_only")
    refused(agency_api(people.colleague).post(f"{TRIPS}{tiagos.reference}/approve/"), 404)

    # the approver approves Tiago's: the ticketing clock runs
    response = agency_api(people.approver).post(f"{TRIPS}{tiagos.reference}/approve/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["approver"]) == ("approved", people.approver.get_full_name())
    assert body["request_status"] and body["clocks"]
    # once decided, it is not decided again
    refused(
        agency_api(people.approver).post(f"{TRIPS}{tiagos.reference}/reject/", {"reason": "No"}, format="json"),
        409,
        code="travel.illegal_transition",
    )


def test_a_rejection_says_why_and_a_trip_is_cancelled_with_a_reason(
    people: People, submit: Callable[..., TravelRequest], agency_api: ClientFor
) -> None:
    rejected = submit()
    cancelled = submit(start=timezone.localdate() + timedelta(days=50))
    url = f"{TRIPS}{rejected.reference}/reject/"

    refused(agency_api(people.approver).post(url, {}, format="json"), 400, field="reason")
    response = agency_api(people.approver).post(url, {"reason": "No budget left."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "No budget left."

    response = agency_api(people.traveller).post(
        f"{TRIPS}{cancelled.reference}/cancel/", {"reason": "Meeting postponed."}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_the_list_shows_each_person_what_they_may_see_and_filters_by_status(
    people: People, submit: Callable[..., TravelRequest], agency_finance: User, agency_api: ClientFor
) -> None:
    trip = submit()

    def references(user: User, **params: Any) -> list[str]:
        response = agency_api(user).get(TRIPS, params)
        assert response.status_code == 200, response.content
        return [row["reference"] for row in response.json()["results"]]

    assert references(people.requester) == references(people.traveller) == [trip.reference]
    assert references(people.approver) == references(agency_finance) == [trip.reference]
    assert references(people.colleague) == []
    assert references(people.approver, status="submitted") == [trip.reference]
    assert references(people.approver, status="approved") == []
    refused(agency_api(people.approver).get(TRIPS, {"status": "nonsense"}), 400, field="status")
    refused(agency_api(people.colleague).get(f"{TRIPS}{trip.reference}/"), 404)
    refused(agency_api(people.approver).get(f"{TRIPS}UNDP-TA-999999/"), 404)


# -- personal data ----------------------------------------------------------------------------------


def test_personal_data_is_shown_to_the_traveller_the_approver_and_the_travel_officer_only(
    people: People,
    places: Places,
    agency_finance: User,
    facility_finance: User,
    agency_api: ClientFor,
    portal_api: ClientFor,
) -> None:
    # given a trip Ana submitted for Tiago with his passport and contacts
    response = agency_api(people.requester).post(TRIPS, trip_body(people, places), format="json")
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    # (the requester who typed them does not read them back)
    assert not PERSONAL & set(response.json())

    # then the traveller and the approver read them
    for reader in (people.traveller, people.approver):
        body = agency_api(reader).get(f"{TRIPS}{reference}/").json()
        assert body["passport_number"] == "FZ123456" and body["date_of_birth"] == "1988-03-14"
        assert body["contact_email"] == "tiago.travel@example.org"

    # while the requester and the agency's finance officer see the trip without them
    for reader in (people.requester, agency_finance):
        body = agency_api(reader).get(f"{TRIPS}{reference}/").json()
        assert body["reference"] == reference and not PERSONAL & set(body)
        assert "FZ123456" not in str(body)

    # on the portal, the travel officer reads them, facility finance does not
    body = portal_api(people.officer).get(f"{CASES}{reference}/").json()
    assert body["passport_number"] == "FZ123456" and body["agency"] == "UNDP"
    body = portal_api(facility_finance).get(f"{CASES}{reference}/").json()
    assert body["reference"] == reference and not PERSONAL & set(body)


# -- the facility: clearance, fares, ticket, settlement ----------------------------------------------


def test_no_ticket_before_the_security_clearance_then_issued_late_with_a_justification(
    people: People,
    places: Places,
    trip_at: Callable[..., TravelRequest],
    facility_finance: User,
    portal_api: ClientFor,
) -> None:
    # given an approved trip (departing soon: the ticket is late)
    trip = trip_at("approved")
    officer = portal_api(people.officer)
    assert trip.reference in [row["reference"] for row in officer.get(QUEUE).json()["results"]]
    fares = {"options": [{"airline": "LATAM", "travel_class": "Economy", "fare": "812.40"}]}
    response = officer.post(f"{CASES}{trip.reference}/fares/", fares, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["clearances_missing"] == [places.manaus.pk]

    # when the officer issues the ticket before the clearance, it is refused
    ticket = {"option": 1, "booking_reference": "QX7Y2Z", "late_justification": "Mission confirmed late."}
    refused(
        officer.post(f"{CASES}{trip.reference}/ticket/", ticket, format="json"), 409, code="travel.clearance_missing"
    )

    # facility finance reads the case but records nothing
    assert portal_api(facility_finance).get(f"{CASES}{trip.reference}/").status_code == 200
    clearance = {"location": places.manaus.pk, "reference": "TRIP-0042", "granted_on": timezone.localdate().isoformat()}
    refused(portal_api(facility_finance).post(f"{CASES}{trip.reference}/clearances/", clearance, format="json"), 403)

    # a clearance for a place the trip does not go to is refused; for Manaus it is recorded
    elsewhere = clearance | {"location": places.geneva.pk}
    refused(
        officer.post(f"{CASES}{trip.reference}/clearances/", elsewhere, format="json"),
        400,
        code="travel.not_a_destination",
    )
    response = officer.post(f"{CASES}{trip.reference}/clearances/", clearance, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["clearances"][0]["reference"] == "TRIP-0042"

    # then the ticket is issued, flagged late with its justification
    refused(
        officer.post(f"{CASES}{trip.reference}/ticket/", ticket | {"late_justification": ""}, format="json"),
        400,
        code="travel.late_without_justification",
    )
    response = officer.post(f"{CASES}{trip.reference}/ticket/", ticket, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "ticketed" and body["step"] == "travelling"
    assert body["ticket"]["fare"] == "812.40" and body["ticket"]["late"] is True
    assert body["assignee"] == (people.officer.get_full_name() or people.officer.email)

    # and the late-bookings report counts it
    rows = officer.get("/api/travel/late-bookings/", {"year": timezone.localdate().year}).json()
    assert {"agency": "UNDP", "tickets": 1, "late": 1}.items() <= rows[0].items()
    refused(officer.get("/api/travel/late-bookings/", {"year": "last"}), 400, field="year")


def test_the_claim_settles_for_the_claimed_amount_minus_the_advance(
    people: People, trip_at: Callable[..., TravelRequest], agency_api: ClientFor, portal_api: ClientFor
) -> None:
    # given a ticketed trip that has been travelled
    trip = trip_at("ticketed")
    with schema_context("undp"):
        legs = [
            {
                "origin": leg.origin_id,
                "destination": leg.destination_id,
                "departs_at": leg.departs_at.isoformat(),
                "arrives_at": leg.arrives_at.isoformat(),
                "mode": leg.mode,
            }
            for leg in trip.legs.order_by("position")
        ]
    claim = {"legs": legs, "expenses": [{"description": "Taxi to the airport", "amount": "45.00"}]}
    url = f"{TRIPS}{trip.reference}/claim/"

    # only the traveller claims
    refused(agency_api(people.requester).post(url, claim, format="json"), 403, code="travel.forbidden")
    refused(agency_api(people.colleague).post(url, claim, format="json"), 404)

    # when Tiago claims, with a JSON body and no receipt
    response = agency_api(people.traveller).post(url, claim, format="json")

    # then the settlement is what he claims minus the advance he received
    assert response.status_code == 201, response.content
    body = response.json()
    figures = body["claim"]
    total = Decimal(figures["dsa_amount"]) + Decimal(figures["terminal_amount"]) + Decimal("45.00")
    assert Decimal(figures["total"]) == total
    assert figures["advance_amount"] == body["advance_amount"] == "1200.00"
    assert Decimal(figures["settlement_amount"]) == total - Decimal("1200.00")
    assert body["status"] == "claimed" and body["claim_figures"]
    assert [expense["description"] for expense in figures["expenses"]] == ["Taxi to the airport"]

    # and the travel officer settles it
    response = portal_api(people.officer).post(f"{CASES}{trip.reference}/settle/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "settled"
    assert response.json()["claim"]["settled_by"] == (people.officer.get_full_name() or people.officer.email)
    refused(portal_api(people.officer).post(f"{CASES}{trip.reference}/settle/"), 409, code="travel.illegal_transition")


def test_a_claim_may_carry_its_receipts_as_multipart(
    people: People, trip_at: Callable[..., TravelRequest], agency_api: ClientFor
) -> None:
    trip = trip_at("ticketed")
    with schema_context("undp"):
        legs = [
            {
                "origin": leg.origin_id,
                "destination": leg.destination_id,
                "departs_at": leg.departs_at.isoformat(),
                "arrives_at": leg.arrives_at.isoformat(),
            }
            for leg in trip.legs.order_by("position")
        ]
    url = f"{TRIPS}{trip.reference}/claim/"
    client = agency_api(people.traveller)

    def receipt() -> SimpleUploadedFile:
        return SimpleUploadedFile("taxi.pdf", b"%PDF-1.4 taxi receipt", content_type="application/pdf")

    # a receipt named by an expense must be sent, and the claim must be JSON
    unsent = {"legs": legs, "expenses": [{"description": "Taxi", "amount": "45.00", "receipt": "visa.pdf"}]}
    refused(
        client.post(url, {"claim": json.dumps(unsent), "receipts": [receipt()]}, format="multipart"),
        400,
        field="expenses.0.receipt",
    )
    refused(client.post(url, {"claim": "{not json"}, format="multipart"), 400, field="claim")

    sent = {"legs": legs, "expenses": [{"description": "Taxi", "amount": "45.00", "receipt": "taxi.pdf"}]}
    response = client.post(url, {"claim": json.dumps(sent), "receipts": [receipt()]}, format="multipart")

    assert response.status_code == 201, response.content
    assert response.json()["claim"]["expenses"][0]["receipt_name"] == "taxi.pdf"
    with schema_context("undp"):
        expense = Claim.objects.get(travel_request=trip).expenses.get()
        assert expense.receipt
    # the receipt comes back as it was sent, to the traveller and to the facility's travel officer
    download = client.get(f"{TRIPS}{trip.reference}/receipts/{expense.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 taxi receipt"  # type: ignore[attr-defined]
    assert client.get(f"{TRIPS}{trip.reference}/receipts/{expense.pk + 1}/").status_code == 404
    assert client.get(f"{TRIPS}{trip.reference}/receipts/99999999999999999999/").status_code == 404


def test_the_authorization_and_settlement_pdfs_are_served_to_those_who_see_the_trip(
    people: People,
    trip_at: Callable[..., TravelRequest],
    agency_api: ClientFor,
    portal_api: ClientFor,
    submit: Callable[..., TravelRequest],
) -> None:
    waiting = submit(start=timezone.localdate() + timedelta(days=90))
    traveller = agency_api(people.traveller)
    pdf = traveller.get(f"{TRIPS}{waiting.reference}/authorization/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    refused(traveller.get(f"{TRIPS}{waiting.reference}/settlement/pdf/"), 404, code="travel.no_claim")
    assert agency_api(people.colleague).get(f"{TRIPS}{waiting.reference}/authorization/pdf/").status_code == 404

    settled = trip_at("settled")
    officer = portal_api(people.officer)
    statement = officer.get(f"/api/travel/cases/{settled.reference}/settlement/pdf/")
    assert statement.status_code == 200 and statement.content.startswith(b"%PDF")
    assert officer.get("/api/travel/cases/UNDP-TA-999999/authorization/pdf/").status_code == 404


# -- policy and duty of care --------------------------------------------------------------------------


def test_the_agency_sets_its_advance_and_new_trips_follow_it(
    people: People, places: Places, agency_finance: User, agency_api: ClientFor
) -> None:
    assert agency_api(people.requester).get("/api/travel/policy/").json()["advance_percent"] == "80.00"
    body = {"advance_percent": "75.00"}
    refused(agency_api(people.requester).put("/api/travel/policy/", body, format="json"), 403)
    refused(agency_api(agency_finance).put("/api/travel/policy/", {"advance_percent": 75}, format="json"), 400)

    response = agency_api(agency_finance).put("/api/travel/policy/", body, format="json")
    assert response.status_code == 200 and response.json()["advance_percent"] == "75.00"

    trip = agency_api(people.requester).post(TRIPS, trip_body(people, places), format="json").json()
    assert (trip["advance_percent"], trip["advance_amount"]) == ("75.00", "1125.00")


def test_duty_of_care_shows_where_travellers_are_to_approvers_and_travel_officers(
    people: People,
    submit: Callable[..., TravelRequest],
    undp: Agency,
    facility_finance: User,
    agency_api: ClientFor,
    portal_api: ClientFor,
) -> None:
    # given an approved trip of Tiago's starting in three days, with his phone while travelling
    soon = timezone.localdate() + timedelta(days=3)
    trip = submit(start=soon, late_justification="Urgent mission.", personal=services.PersonalData(phone="+55 61 9"))
    services.trip_approve(agency=undp, trip=trip, approver=people.approver)

    # the approver sees where he will be, with his phone; a requester is refused
    rows = agency_api(people.approver).get("/api/travel/duty-of-care/").json()
    assert [(row["reference"], row["place"], row["phone"]) for row in rows] == [
        (trip.reference, "Manaus, Brazil", "+55 61 9")
    ]
    refused(agency_api(people.requester).get("/api/travel/duty-of-care/"), 403, code="travel.approvers_only")

    # on the portal, the travel officer sees every agency's, with contacts; facility finance without them
    rows = portal_api(people.officer).get("/api/travel/duty-of-care/").json()
    assert [(row["agency"], row["phone"]) for row in rows] == [("UNDP", "+55 61 9")]
    rows = portal_api(facility_finance).get("/api/travel/duty-of-care/").json()
    assert [row["reference"] for row in rows] == [trip.reference] and "phone" not in rows[0]


# -- isolation ------------------------------------------------------------------------------------------


def test_another_agencys_people_cannot_reach_undps_trips_by_address_or_host(
    people: People,
    submit: Callable[..., TravelRequest],
    make_person: Callable[..., User],
    unfpa: Agency,
    api_at: Callable[..., APIClient],
) -> None:
    # given a UNDP trip and a UNFPA approver
    trip = submit()
    unfpa_approver = make_person((Role.APPROVER, unfpa), (Role.REQUESTER, unfpa), email="uma@unfpa.test")

    # on UNFPA's own address, UNDP's trip is simply not there
    refused(api_at(unfpa, unfpa_approver).get(f"{TRIPS}{trip.reference}/"), 404)
    refused(api_at(unfpa, unfpa_approver).post(f"{TRIPS}{trip.reference}/approve/"), 404)
    assert api_at(unfpa, unfpa_approver).get(TRIPS).json()["results"] == []

    # with a crafted Host header for UNDP, the UNFPA token is refused outright
    crafted = api_at(unfpa, unfpa_approver)
    crafted.defaults["HTTP_HOST"] = agency_host("UNDP")
    refused(crafted.get(TRIPS), 403)
    refused(crafted.get(f"{TRIPS}{trip.reference}/"), 403)
    refused(crafted.post(f"{TRIPS}{trip.reference}/approve/"), 403)
    with schema_context("undp"):
        assert TravelRequest.objects.get(pk=trip.pk).status == "submitted"


def test_agency_people_are_refused_the_facilitys_travel_endpoints(
    people: People,
    trip_at: Callable[..., TravelRequest],
    make_person: Callable[..., User],
    undp: Agency,
    agency_api: ClientFor,
    portal_api: ClientFor,
) -> None:
    trip = trip_at("approved")
    board = make_person((Role.BOARD_REPRESENTATIVE, undp), email="rosa.board@undp.test")

    # an agency's address serves no facility endpoint
    refused(agency_api(people.approver).get(QUEUE), 404)
    refused(agency_api(people.approver).get(f"{CASES}{trip.reference}/"), 404)
    # on the portal, an agency person and a board member are refused
    refused(portal_api(people.approver).get(QUEUE), 403)
    refused(portal_api(people.approver).get(f"{CASES}{trip.reference}/"), 403)
    refused(portal_api(board).get(QUEUE), 403)
    refused(portal_api(board).get(f"{CASES}{trip.reference}/"), 403)
    # and the portal has no agency trips; an unknown case is not found
    refused(portal_api(people.officer).get(TRIPS), 404)
    refused(portal_api(people.officer).get(f"{CASES}UNDP-TA-999999/"), 404)
    refused(portal_api(people.officer).get(QUEUE, {"step": "nonsense"}), 400, field="step")
