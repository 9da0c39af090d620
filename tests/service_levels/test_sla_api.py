"""The SLA API: catalogue, calendars, agreements, ledger and compliance; who may read and write what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from ledger.services import entry_resolve
from service_levels.models import Agreement, Calendar, Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(undp, unfpa, undp_agreement, unfpa_agreement, raise_request, undp_requester):
    now = timezone.now()
    for agency in (undp, unfpa):
        requester = undp_requester if agency == undp else None
        entry = raise_request(
            agency,
            "ICT-REQ",
            now - timedelta(hours=1),
            priority="P4",
            reference=f"{agency.code}-1",
            requester=requester,
        )
        entry_resolve(entry=entry, at=now - timedelta(minutes=1))


def test_everyone_reads_the_catalogue_only_the_manager_writes_it(
    facility, undp, undp_requester, facility_manager, catalogue, api_at
):
    listing = api_at(undp, undp_requester).get("/api/catalogue/services/")
    assert listing.status_code == 200
    incident = next(s for s in listing.json()["results"] if s["code"] == "ICT-INC")
    assert {"metric": "first_response", "priority": "P1", "target_minutes": 30, "target": "30 min"} in incident[
        "targets"
    ]
    payload = {
        "code": "ICT-NEW",
        "name": "Phones",
        "module": "ict",
        "billing_unit": "ticket",
        "targets": [{"metric": "resolution", "priority": "", "target_minutes": 480}],
    }
    refused = api_at(undp, undp_requester).post("/api/catalogue/services/", payload, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.permission_denied"
    created = api_at(facility, facility_manager).post("/api/catalogue/services/", payload, format="json")
    assert created.status_code == 201 and Service.objects.filter(code="ICT-NEW").exists()


def test_a_zero_target_or_unknown_metric_is_refused_and_changes_nothing(facility, facility_manager, catalogue, api_at):
    client = api_at(facility, facility_manager)
    for targets in ([{"metric": "resolution", "target_minutes": 0}], [{"metric": "speed", "target_minutes": 10}]):
        response = client.post(
            "/api/catalogue/services/",
            {"code": "ICT-ZERO", "name": "x", "module": "ict", "billing_unit": "ticket", "targets": targets},
            format="json",
        )
        assert response.status_code == 400 and "targets" in response.json()["error"]["message"]
    assert not Service.objects.filter(code="ICT-ZERO").exists()


def test_calendars_are_validated(facility, facility_manager, catalogue, api_at):
    client = api_at(facility, facility_manager)
    base = {"name": "Geneva", "country": "CH", "subdivision": "GE", "closures": []}
    bad_zone = client.post(
        "/api/catalogue/calendars/",
        {**base, "time_zone": "Europe/Atlantis", "working_hours": [{"weekday": 0, "starts": "08:00", "ends": "17:00"}]},
        format="json",
    )
    assert bad_zone.status_code == 400 and "time_zone" in bad_zone.json()["error"]["fields"]
    no_hours = client.post(
        "/api/catalogue/calendars/", {**base, "time_zone": "Europe/Zurich", "working_hours": []}, format="json"
    )
    assert no_hours.status_code == 400 and no_hours.json()["error"]["code"] == "sla.invalid_working_hours"
    created = client.post(
        "/api/catalogue/calendars/",
        {**base, "time_zone": "Europe/Zurich", "working_hours": [{"weekday": 0, "starts": "08:30", "ends": "17:30"}]},
        format="json",
    )
    assert created.status_code == 201 and Calendar.objects.filter(name="Geneva").exists()


def test_agreements_facility_manager_creates_overlap_refused(
    facility, facility_manager, undp, catalogue, office_calendar, api_at
):
    client = api_at(facility, facility_manager)
    payload = {
        "agency": "UNDP",
        "reference": "SLA-UNDP-API",
        "valid_from": "2026-01-01",
        "calendar": office_calendar.pk,
        "services": ["ICT-INC", "TRV-TA"],
        "target_overrides": [{"service": "ICT-INC", "metric": "resolution", "priority": "P1", "target_minutes": 120}],
        "grants_service_credits": True,
        "credit_percent": "10.00",
    }
    created = client.post("/api/agreements/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["services"] == ["ICT-INC", "TRV-TA"]
    overlap = client.post(
        "/api/agreements/", {**payload, "reference": "SLA-UNDP-API2", "valid_from": "2026-05-01"}, format="json"
    )
    assert overlap.status_code == 400 and overlap.json()["error"]["code"] == "sla.agreement_overlap"
    five_decimals = client.post(
        "/api/agreements/",
        {**payload, "reference": "X", "valid_from": "2030-01-01", "credit_percent": "10.12345"},
        format="json",
    )
    assert five_decimals.status_code == 400
    assert Agreement.objects.filter(agency=undp).count() == 1


def test_an_agency_reads_its_own_agreement_and_nothing_else(
    undp, unfpa, undp_requester, undp_agreement, unfpa_agreement, api_at
):
    client = api_at(undp, undp_requester)
    listing = client.get("/api/agreements/").json()
    assert [a["reference"] for a in listing["results"]] == [undp_agreement.reference]
    assert client.get(f"/api/agreements/{unfpa_agreement.pk}/").status_code == 404
    assert client.patch(f"/api/agreements/{undp_agreement.pk}/", {"notes": "x"}, format="json").status_code == 403
    assert client.post(f"/api/agreements/{undp_agreement.pk}/new-version/", {}, format="json").status_code == 403


def test_the_ledger_facility_sees_all_an_agency_its_own(facility, undp, undp_requester, ict_agent, delivered, api_at):
    everyone = api_at(facility, ict_agent).get("/api/ledger/").json()
    assert {row["reference"] for row in everyone["results"]} == {"UNDP-1", "UNFPA-1"}
    own = api_at(undp, undp_requester).get("/api/ledger/?agency=UNFPA").json()
    assert [row["reference"] for row in own["results"]] == ["UNDP-1"]
    assert api_at(undp, undp_requester).get("/api/ledger/UNFPA-1/").status_code == 404
    detail = api_at(undp, undp_requester).get("/api/ledger/UNDP-1/").json()
    assert {clock["metric"] for clock in detail["clocks"]} == {"first_response", "resolution"}


def test_compliance_figures_per_agency(facility, undp, undp_requester, facility_manager, delivered, api_at):
    report = api_at(facility, facility_manager).get("/api/sla/compliance/").json()
    assert {(row["agency"], row["met"], row["breached"]) for row in report["results"]} == {
        ("UNDP", 1, 0),
        ("UNFPA", 1, 0),
    }
    own = api_at(undp, undp_requester).get("/api/sla/compliance/").json()
    assert [row["agency"] for row in own["results"]] == ["UNDP"]
    assert api_at(undp, undp_requester).get("/api/sla/at-risk/").status_code == 200
    assert api_at(undp, undp_requester).get("/api/sla/breaches/").status_code == 200


def test_a_bad_filter_is_a_400_that_names_it(facility, facility_manager, delivered, api_at):
    response = api_at(facility, facility_manager).get("/api/sla/compliance/?month=2020-13&agency=NOPE")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"month", "agency"}


def test_a_token_replayed_on_another_agencys_host_is_refused(unfpa, undp_requester, delivered, api_at):
    for path in ("/api/ledger/", "/api/sla/compliance/", "/api/agreements/", "/api/sla/breaches/", "/api/sla/at-risk/"):
        assert api_at(unfpa, undp_requester).get(path).status_code == 403, path


def test_board_members_on_the_portal_get_no_cross_agency_figures(facility, undp, make_person, delivered, api_at):
    board = make_person((Role.BOARD_REPRESENTATIVE, undp))
    for path in ("/api/ledger/", "/api/sla/compliance/", "/api/agreements/", "/api/sla/breaches/", "/api/sla/at-risk/"):
        assert api_at(facility, board).get(path).status_code == 403, path


def test_the_openapi_schema_lists_the_sla_endpoints(facility, facility_manager, api_at):
    schema = api_at(facility, facility_manager).get("/api/schema/?format=json").json()
    for path in (
        "/api/catalogue/services/",
        "/api/agreements/{id}/new-version/",
        "/api/ledger/",
        "/api/sla/compliance/",
    ):
        assert path in schema["paths"], path
