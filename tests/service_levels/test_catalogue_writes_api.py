"""Catalogue and calendars through the API: a PATCH keeps what it leaves out, a whole write names what is missing."""

from __future__ import annotations

import pytest

from service_levels.models import Calendar, Service

pytestmark = pytest.mark.django_db


def test_patching_a_service_description_keeps_its_name_unit_and_targets(
    facility, facility_manager, catalogue, api_at
) -> None:
    # given a catalogue service with targets
    before = Service.objects.get(code="ICT-INC")
    targets_before = sorted(before.targets.values_list("metric", "priority", "target_minutes"))

    # when the manager sends only a new description
    response = api_at(facility, facility_manager).patch(
        "/api/catalogue/services/ICT-INC/", {"description": "Something broke."}, format="json"
    )

    # then the description changes and nothing else does
    assert response.status_code == 200, response.content
    after = Service.objects.get(code="ICT-INC")
    assert after.description == "Something broke."
    assert (after.name, after.module, after.billing_unit) == (before.name, before.module, before.billing_unit)
    assert sorted(after.targets.values_list("metric", "priority", "target_minutes")) == targets_before
    assert response.json()["targets"]


def test_putting_a_service_without_name_or_billing_unit_says_what_is_missing(
    facility, facility_manager, catalogue, api_at
) -> None:
    # when the manager replaces a service but leaves out its name and billing unit
    response = api_at(facility, facility_manager).put(
        "/api/catalogue/services/ICT-INC/",
        {"code": "ICT-INC", "module": "ict", "targets": [{"metric": "resolution", "target_minutes": 60}]},
        format="json",
    )

    # then it is refused, naming both fields, and the service is unchanged
    assert response.status_code == 400, response.content
    assert {"name", "billing_unit"} <= set(response.json()["error"]["fields"])
    assert Service.objects.get(code="ICT-INC").targets.count() == 8


def test_patching_a_calendar_name_keeps_its_hours_closures_and_zone(
    facility, facility_manager, office_calendar, api_at
) -> None:
    # given the office calendar
    spans_before = sorted(office_calendar.spans.values_list("weekday", "starts", "ends"))

    # when the manager renames it
    response = api_at(facility, facility_manager).patch(
        f"/api/catalogue/calendars/{office_calendar.pk}/", {"name": "Brasília"}, format="json"
    )

    # then only the name changes
    assert response.status_code == 200, response.content
    after = Calendar.objects.get(pk=office_calendar.pk)
    assert (after.name, after.time_zone, after.country) == ("Brasília", "America/Sao_Paulo", "BR")
    assert sorted(after.spans.values_list("weekday", "starts", "ends")) == spans_before
    assert after.is_default == office_calendar.is_default


@pytest.mark.parametrize("method", ["post", "put"])
def test_a_calendar_written_whole_without_time_zone_or_country_says_what_is_missing(
    method: str, facility, facility_manager, office_calendar, api_at
) -> None:
    # when the manager writes a whole calendar without its time zone and country
    url = "/api/catalogue/calendars/" + ("" if method == "post" else f"{office_calendar.pk}/")
    payload = {
        "name": "Geneva office",
        "working_hours": [{"weekday": 0, "starts": "09:00", "ends": "17:00"}],
        "closures": [],
    }
    response = getattr(api_at(facility, facility_manager), method)(url, payload, format="json")

    # then it is refused, naming both, and nothing was written
    assert response.status_code == 400, response.content
    assert {"time_zone", "country"} <= set(response.json()["error"]["fields"])
    assert not Calendar.objects.filter(name="Geneva office").exists()
