"""The facility manager keeps the catalogue, calendars and agreements from pages; others read or are refused."""

from __future__ import annotations

from datetime import date

import pytest

from service_levels.models import Agreement, Calendar, Service
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def formset(prefix: str, rows: list[dict[str, str]], extra: int = 0) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows) + extra), f"{prefix}-INITIAL_FORMS": "0"}
    for number, row in enumerate(rows):
        data.update({f"{prefix}-{number}-{name}": value for name, value in row.items()})
    return data


def test_the_manager_adds_a_service_with_targets(facility, facility_manager, catalogue, client_at):
    client = client_at(facility, facility_manager)
    assert client.get("/catalogue/new/").status_code == 200
    response = client.post(
        "/catalogue/new/",
        {
            "code": "ICT-ACC",
            "name": "Account management",
            "module": "ict",
            "billing_unit": "ticket",
            "is_active": "on",
            **formset("targets", [{"metric": "resolution", "priority": "", "target": "1d 2h"}]),
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(code="ICT-ACC")
    assert [(t.metric, t.priority, t.target_minutes) for t in service.targets.all()] == [("resolution", "", 660)]
    assert "ICT-ACC" in client.get("/catalogue/").content.decode()


@pytest.mark.parametrize("target", ["0m", "soon", "-3h"])
def test_a_zero_or_unreadable_target_is_a_form_error_and_saves_nothing(
    facility, facility_manager, catalogue, client_at, target
):
    response = client_at(facility, facility_manager).post(
        "/catalogue/new/",
        {
            "code": "ICT-BAD",
            "name": "Bad",
            "module": "ict",
            "billing_unit": "ticket",
            **formset("targets", [{"metric": "resolution", "priority": "", "target": target}]),
        },
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Service.objects.filter(code="ICT-BAD").exists()


def test_agency_staff_read_the_catalogue_but_cannot_change_it(undp, undp_requester, catalogue, client_at):
    client = client_at(undp, undp_requester)
    assert "ICT-INC" in client.get("/catalogue/").content.decode()
    assert client.get("/catalogue/new/").status_code == 403
    assert client.post("/catalogue/ICT-INC/", {"name": "Hijacked"}).status_code == 403
    assert client.get("/calendars/1/edit/").status_code == 403
    assert client.get("/agreements/new/").status_code == 403
    assert Service.objects.get(code="ICT-INC").name == "ICT incident"


def test_the_manager_changes_working_hours_to_two_spans_and_adds_a_closure(
    facility, facility_manager, office_calendar, client_at
):
    spans = [
        {"weekday": str(day), "starts": starts, "ends": ends}
        for day in range(5)
        for starts, ends in (("08:00", "12:00"), ("13:00", "17:00"))
    ]
    response = client_at(facility, facility_manager).post(
        f"/calendars/{office_calendar.pk}/edit/",
        {
            "name": office_calendar.name,
            "time_zone": "America/Sao_Paulo",
            "country": "BR",
            "subdivision": "DF",
            "is_default": "on",
            **formset("spans", spans),
            **formset("closures", [{"day": "2026-12-24", "name": "Christmas Eve"}]),
        },
    )
    assert response.status_code == 302
    calendar = Calendar.objects.get(pk=office_calendar.pk)
    assert calendar.spans.count() == 10 and calendar.closures.get().name == "Christmas Eve"
    assert calendar.version == office_calendar.version + 1
    page = client_at(facility, facility_manager).get(f"/calendars/{calendar.pk}/?year=2026").content.decode()
    assert "Founding of Brasilia" in page  # the Federal District's own holiday


def test_overlapping_spans_and_an_unknown_time_zone_are_refused(facility, facility_manager, office_calendar, client_at):
    response = client_at(facility, facility_manager).post(
        f"/calendars/{office_calendar.pk}/edit/",
        {
            "name": office_calendar.name,
            "time_zone": "Mars/Olympus",
            "country": "BR",
            **formset(
                "spans",
                [
                    {"weekday": "0", "starts": "08:00", "ends": "12:00"},
                    {"weekday": "0", "starts": "11:00", "ends": "15:00"},
                ],
            ),
            **formset("closures", []),
        },
    )
    assert response.status_code == 400
    assert "must not overlap" in response.content.decode()
    assert Calendar.objects.get(pk=office_calendar.pk).version == office_calendar.version


def agreement_form(agency_pk: int, calendar_pk: int, services: list[int], **fields: str) -> dict[str, object]:
    return {
        "agency": str(agency_pk),
        "reference": "SLA-UNDP-NEW",
        "valid_from": "2026-01-01",
        "calendar": str(calendar_pk),
        "services": [str(pk) for pk in services],
        "warn_first_percent": "75",
        "warn_second_percent": "90",
        "supplier_wait_pauses_clock": "on",
        "credit_percent": "10.00",
        "credit_cap_percent": "5.00",
        **formset("overrides", [{"service": "ICT-INC", "metric": "resolution", "priority": "P1", "target": "2h"}]),
        **fields,
    }


def test_the_manager_signs_an_agreement_and_an_overlapping_one_is_refused(
    facility, facility_manager, undp, catalogue, office_calendar, client_at
):
    client = client_at(facility, facility_manager)
    services = [catalogue["ICT-INC"].pk, catalogue["ICT-REQ"].pk]
    response = client.post("/agreements/new/", agreement_form(undp.pk, office_calendar.pk, services))
    assert response.status_code == 302
    agreement = Agreement.objects.get(reference="SLA-UNDP-NEW")
    assert agreement.target_overrides.get().target_minutes == 120
    overlapping = client.post(
        "/agreements/new/",
        agreement_form(undp.pk, office_calendar.pk, services, reference="SLA-UNDP-TWO", valid_from="2026-06-01"),
    )
    assert overlapping.status_code == 400
    assert "already has an agreement in force during these dates" in overlapping.content.decode()
    assert Agreement.objects.filter(agency=undp).count() == 1


def test_a_used_agreement_changes_only_by_a_new_version(
    facility, facility_manager, undp, undp_agreement, raise_request, catalogue, office_calendar, client_at
):
    # given a request raised under the agreement in March
    entry = raise_request(undp, "ICT-INC", at(2026, 3, 10, 9, 0), priority="P2")
    client = client_at(facility, facility_manager)
    # when the manager tries to change it in place, it is refused
    services = [catalogue["ICT-INC"].pk]
    refused = client.post(
        f"/agreements/{undp_agreement.pk}/edit/", agreement_form(undp.pk, office_calendar.pk, services)
    )
    assert refused.status_code == 400 and "create a new version" in refused.content.decode()
    # and a new version from 1 July leaves March's request under the old one
    response = client.post(
        f"/agreements/{undp_agreement.pk}/new-version/",
        {
            "effective_from": "2026-07-01",
            "reference": "SLA-UNDP-2026-B",
            "terms-calendar": str(office_calendar.pk),
            "terms-services": [str(pk) for pk in services],
            "terms-warn_first_percent": "70",
            "terms-warn_second_percent": "85",
            "terms-credit_percent": "10",
            "terms-credit_cap_percent": "5",
            **formset("overrides", []),
            "confirm": "yes",
        },
    )
    assert response.status_code == 302
    undp_agreement.refresh_from_db()
    assert undp_agreement.valid_to == date(2026, 6, 30)
    entry.refresh_from_db()
    assert entry.agreement == undp_agreement
    assert Agreement.objects.get(reference="SLA-UNDP-2026-B").warn_first_percent == 70


def test_an_agency_reads_its_own_agreement_only(undp, undp_requester, undp_agreement, unfpa_agreement, client_at):
    client = client_at(undp, undp_requester)
    listing = client.get("/agreements/").content.decode()
    assert undp_agreement.reference in listing and unfpa_agreement.reference not in listing
    assert client.get(f"/agreements/{undp_agreement.pk}/").status_code == 200
    assert client.get(f"/agreements/{unfpa_agreement.pk}/").status_code == 404
