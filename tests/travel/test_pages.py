"""Travel's pages as each role uses them: asking for a trip with its legs and charge codes, the approver's
decision, the facility's clearance, fares and ticket, the claim and its settlement; and who may see what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from ledger.models import LedgerEntry
from shared_platform.start import viewer_for
from tenants.models import Agency
from travel import services
from travel.models import TravelRequest, TripStatus
from travel.start import approvals, new_request_links, start_panels

from .conftest import People, Places

pytestmark = pytest.mark.usefixtures("quiet")


def _trip_post(places: Places, traveller: User, **overrides: Any) -> dict[str, Any]:
    start = timezone.localdate() + timedelta(days=35)
    back = start + timedelta(days=4)
    data: dict[str, Any] = {
        "traveller_kind": "staff",
        "traveller": str(traveller.pk),
        "trip_type": "mission",
        "purpose": "Monitoring visit",
        "estimated_ticket_cost": "780.00",
        "legs-TOTAL_FORMS": "3",
        "legs-INITIAL_FORMS": "0",
        "legs-0-origin": str(places.brasilia.pk),
        "legs-0-destination": str(places.manaus.pk),
        "legs-0-departs_on": start.isoformat(),
        "legs-0-departs_time": "08:10",
        "legs-0-arrives_on": start.isoformat(),
        "legs-0-arrives_time": "11:20",
        "legs-0-mode": "air",
        "legs-1-origin": str(places.manaus.pk),
        "legs-1-destination": str(places.brasilia.pk),
        "legs-1-departs_on": back.isoformat(),
        "legs-1-departs_time": "15:00",
        "legs-1-arrives_on": back.isoformat(),
        "legs-1-arrives_time": "18:30",
        "legs-1-mode": "air",
        "legs-2-mode": "air",
        "charges-TOTAL_FORMS": "2",
        "charges-INITIAL_FORMS": "0",
        "charges-0-code": "PRJ-00123",
        "charges-0-percent": "70",
        "charges-1-code": "CORE-01",
        "charges-1-percent": "30",
        "provided-TOTAL_FORMS": "2",
        "provided-INITIAL_FORMS": "0",
        "provided-0-day": (start + timedelta(days=1)).isoformat(),
        "provided-0-lunch": "on",
        "passport_number": "FZ123456",
    }
    data.update(overrides)
    return data


def test_a_requester_asks_for_a_trip_and_sees_the_estimate_and_the_advance(
    people: People, places: Places, client_at: Callable[..., Client], undp: Agency
) -> None:
    browser = client_at(undp, people.requester)
    assert browser.get("/travel/new/").status_code == 200

    response = browser.post("/travel/new/", _trip_post(places, people.traveller))

    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(undp.schema_name):
        trip = TravelRequest.objects.get()
    assert response["Location"] == f"/travel/{trip.reference}/"
    page = browser.get(response["Location"]).content.decode()
    # 4 nights × 300 − 1 lunch (12 % of 300) = 1,164.00; advance 80 % = 931.20
    assert "4 nights × 300.00" in page
    assert "1,164.00" in page and "931.20" in page
    assert "PRJ-00123" in page


def test_shares_not_adding_to_100_are_refused_beside_the_charge_codes(
    people: People, places: Places, client_at: Callable[..., Client], undp: Agency
) -> None:
    browser = client_at(undp, people.requester)
    response = browser.post("/travel/new/", _trip_post(places, people.traveller, **{"charges-1-percent": "20"}))
    assert response.status_code == 400
    assert "they must add up to 100" in response.content.decode()
    with schema_context(undp.schema_name):
        assert not TravelRequest.objects.exists()


def test_an_arrival_before_the_departure_is_refused_on_its_row(
    people: People, places: Places, client_at: Callable[..., Client], undp: Agency
) -> None:
    browser = client_at(undp, people.requester)
    data = _trip_post(places, people.traveller, **{"legs-0-arrives_time": "07:00"})
    response = browser.post("/travel/new/", data)
    assert response.status_code == 400
    assert "The arrival is before the departure." in response.content.decode()


def test_add_rows_keeps_what_was_typed(
    people: People, places: Places, client_at: Callable[..., Client], undp: Agency
) -> None:
    browser = client_at(undp, people.requester)
    response = browser.post("/travel/new/", _trip_post(places, people.traveller, add_rows="1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "PRJ-00123" in body and "Monitoring visit" in body
    with schema_context(undp.schema_name):
        assert not TravelRequest.objects.exists()


def test_the_approver_decides_from_the_inbox_and_the_page(
    submit: Callable[..., TravelRequest], people: People, client_at: Callable[..., Client], undp: Agency
) -> None:
    trip = submit()
    inbox = approvals(viewer=viewer_for(user=people.approver, address=undp))
    assert [item.reference for item in inbox] == [trip.reference]
    assert approvals(viewer=viewer_for(user=people.traveller, address=undp)) == []

    browser = client_at(undp, people.approver)
    assert browser.post(f"/travel/{trip.reference}/approve/").status_code == 302
    with schema_context(undp.schema_name):
        trip.refresh_from_db()
    assert trip.status == TripStatus.APPROVED


def test_a_rejection_needs_a_reason(
    submit: Callable[..., TravelRequest], people: People, client_at: Callable[..., Client], undp: Agency
) -> None:
    trip = submit()
    browser = client_at(undp, people.approver)
    assert browser.post(f"/travel/{trip.reference}/reject/", {"reason": ""}).status_code == 400
    assert browser.post(f"/travel/{trip.reference}/reject/", {"reason": "No budget"}).status_code == 302


def test_the_facility_records_clearance_and_fares_then_issues_the_ticket(
    submit: Callable[..., TravelRequest],
    people: People,
    places: Places,
    client_at: Callable[..., Client],
    facility: Agency,
    undp: Agency,
) -> None:
    trip = submit()
    with schema_context(undp.schema_name):
        services.trip_approve(agency=undp, trip=trip, approver=people.approver)
    officer = client_at(facility, people.officer)
    case = f"/travel/cases/{trip.reference}/"
    assert trip.reference in officer.get("/travel/queue/").content.decode()
    assert officer.get(case).status_code == 200
    fares = {
        "fares-TOTAL_FORMS": "3",
        "fares-INITIAL_FORMS": "0",
        "fares-0-airline": "LATAM",
        "fares-0-travel_class": "Economy",
        "fares-0-fare": "700.00",
        "fares-1-airline": "Azul",
        "fares-1-travel_class": "Economy",
        "fares-1-fare": "650.00",
        "fares-2-travel_class": "Economy",
    }
    assert officer.post(case + "fares/", fares).status_code == 302
    # a ticket before the clearance is refused, saying which destination lacks it
    refused = officer.post(case + "ticket/", {"option": "2", "booking_reference": "XY12"})
    assert refused.status_code == 409
    assert "No ticket before the security clearance" in refused.content.decode()
    granted = {
        "location": str(places.manaus.pk),
        "reference": "TRIP-2026-1",
        "granted_on": timezone.localdate().isoformat(),
    }
    assert officer.post(case + "clearances/", granted).status_code == 302
    # the dearer fare needs a justification; the cheaper one is issued
    assert officer.post(case + "ticket/", {"option": "1", "booking_reference": "XY12"}).status_code == 400
    assert officer.post(case + "ticket/", {"option": "2", "booking_reference": "XY12"}).status_code == 302
    with schema_context(undp.schema_name):
        trip.refresh_from_db()
        assert trip.status == TripStatus.TICKETED
        assert trip.ticket.fare == 650
    # the approver is not a travel officer: refused
    assert client_at(facility, people.approver).post(case + "settle/").status_code in (302, 403)


def test_a_travel_officer_settles_a_claim_and_the_trip_is_billed(
    trip_at: Callable[..., TravelRequest], people: People, client_at: Callable[..., Client], facility: Agency
) -> None:
    trip = trip_at("claimed")
    officer = client_at(facility, people.officer)
    assert officer.post(f"/travel/cases/{trip.reference}/settle/").status_code == 302
    entry = LedgerEntry.objects.get(reference=trip.reference)
    assert entry.billable_recorded_at is not None and entry.status == "closed"
    again = officer.post(f"/travel/cases/{trip.reference}/settle/")
    assert again.status_code == 409


def test_the_traveller_claims_on_the_claim_page(
    trip_at: Callable[..., TravelRequest], people: People, client_at: Callable[..., Client], undp: Agency
) -> None:
    trip = trip_at("ticketed")
    browser = client_at(undp, people.traveller)
    form = browser.get(f"/travel/{trip.reference}/claim/")
    assert form.status_code == 200
    with schema_context(undp.schema_name):
        legs = list(trip.legs.order_by("position"))
    data: dict[str, Any] = {
        "legs-TOTAL_FORMS": "2",
        "legs-INITIAL_FORMS": "0",
        "provided-TOTAL_FORMS": "0",
        "provided-INITIAL_FORMS": "0",
        "expenses-TOTAL_FORMS": "1",
        "expenses-INITIAL_FORMS": "0",
        "expenses-0-description": "Taxi",
        "expenses-0-amount": "40.00",
    }
    for index, leg in enumerate(legs):
        departs, arrives = timezone.localtime(leg.departs_at), timezone.localtime(leg.arrives_at)
        data |= {
            f"legs-{index}-origin": str(leg.origin_id),
            f"legs-{index}-destination": str(leg.destination_id),
            f"legs-{index}-departs_on": departs.date().isoformat(),
            f"legs-{index}-departs_time": departs.strftime("%H:%M"),
            f"legs-{index}-arrives_on": arrives.date().isoformat(),
            f"legs-{index}-arrives_time": arrives.strftime("%H:%M"),
            f"legs-{index}-mode": "air",
        }
    response = browser.post(f"/travel/{trip.reference}/claim/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = browser.get(f"/travel/{trip.reference}/").content.decode()
    # 5 × 300 + 2 × 38 + 40 − 1,200 advance
    assert "USD 416.00 owed to the traveller" in page


def test_personal_data_is_shown_to_the_traveller_and_approvers_only(
    submit: Callable[..., TravelRequest],
    people: People,
    client_at: Callable[..., Client],
    undp: Agency,
    facility: Agency,
    make_person: Callable[..., User],
) -> None:
    trip = submit(personal=services.PersonalData(passport_number="FZ778899"), requester=people.requester)
    finance = make_person((Role.AGENCY_FINANCE, undp), email="finance@undp.test")
    for person, shown in (
        (people.traveller, True),
        (people.approver, True),
        (people.requester, False),
        (finance, False),
    ):
        page = client_at(undp, person).get(f"/travel/{trip.reference}/")
        assert page.status_code == 200
        assert ("FZ778899" in page.content.decode()) is shown, person.email
    auditor = make_person((Role.AUDITOR, None), email="auditor@facility.test")
    assert "FZ778899" not in client_at(facility, auditor).get(f"/travel/cases/{trip.reference}/").content.decode()
    assert "FZ778899" in client_at(facility, people.officer).get(f"/travel/cases/{trip.reference}/").content.decode()


def test_a_colleague_cannot_see_anothers_trip(
    submit: Callable[..., TravelRequest], people: People, client_at: Callable[..., Client], undp: Agency
) -> None:
    trip = submit()
    assert client_at(undp, people.colleague).get(f"/travel/{trip.reference}/").status_code == 404
    assert trip.reference not in client_at(undp, people.colleague).get("/travel/").content.decode()


def test_no_agency_reaches_anothers_trips(
    submit: Callable[..., TravelRequest],
    make_person: Callable[..., User],
    client_at: Callable[..., Client],
    unfpa: Agency,
    undp: Agency,
    facility: Agency,
) -> None:
    trip = submit()
    stranger = make_person((Role.APPROVER, unfpa), email="approver@unfpa.test")
    at_unfpa = client_at(unfpa, stranger)
    for url in (
        f"/travel/{trip.reference}/",
        f"/travel/{trip.reference}/authorization.pdf",
        f"/travel/{trip.reference}/claim/",
    ):
        assert at_unfpa.get(url).status_code in (403, 404), url
    assert at_unfpa.post(f"/travel/{trip.reference}/approve/").status_code in (403, 404)
    assert trip.reference not in at_unfpa.get("/travel/").content.decode()
    # a crafted Host header for UNDP's address does not let UNFPA's approver in
    crafted = Client(HTTP_HOST=f"undp.{facility.domains.first().domain if facility.domains.exists() else 'localhost'}")
    crafted.force_login(stranger)
    assert crafted.get(f"/travel/{trip.reference}/").status_code in (302, 403, 404)
    # the facility's pages are not on an agency's address, and agency people are refused on the portal
    assert at_unfpa.get("/travel/queue/").status_code == 404
    assert client_at(facility, stranger).get(f"/travel/cases/{trip.reference}/").status_code in (302, 403, 404)


def test_start_pages_offer_the_request_and_the_queue(
    people: People, undp: Agency, facility: Agency, trip_at: Callable[..., TravelRequest]
) -> None:
    trip_at("approved")
    links = new_request_links(viewer=viewer_for(user=people.requester, address=undp))
    assert [link.url for link in links] == ["/travel/new/"]
    panels = start_panels(viewer=viewer_for(user=people.officer, address=facility))
    assert panels[0].key == "travel-queue"
    assert panels[0].counts[0].number == 1


def test_duty_of_care_shows_who_is_away_to_approvers_only(
    trip_at: Callable[..., TravelRequest],
    people: People,
    client_at: Callable[..., Client],
    undp: Agency,
    submit: Callable[..., TravelRequest],
) -> None:
    trip = submit(
        at=timezone.now() - timedelta(days=30), start=timezone.localdate() - timedelta(days=1), late_justification="x"
    )
    with schema_context(undp.schema_name):
        services.trip_approve(agency=undp, trip=trip, approver=people.approver)
    page = client_at(undp, people.approver).get("/travel/duty-of-care/")
    assert page.status_code == 200 and trip.reference in page.content.decode() and "Manaus" in page.content.decode()
    assert client_at(undp, people.colleague).get("/travel/duty-of-care/").status_code == 403
