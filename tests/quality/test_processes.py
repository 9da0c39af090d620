"""Processes and their risks and opportunities (ISO 9001:2015 4.4 and 6.1): who keeps them, and the pages and API."""

from __future__ import annotations

import pytest

from accounts.models import Role
from quality.models import Process, QualityEvent, Risk, RiskKind
from quality.services.processes import process_create, process_update, risk_record, risk_remove, risk_update
from shared_platform.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_a_keeper_registers_a_process_with_its_owner_and_a_history_line(quality_officer, process_owner):
    # when the quality focal point registers a process
    process = process_create(
        created_by=quality_officer, code="ict-chg", name="ICT change management", owner=process_owner
    )

    # then it is in the register under its code in capitals, with who did it
    assert process.code == "ICT-CHG"
    assert QualityEvent.objects.filter(process=process, action="created", actor=quality_officer).exists()


def test_a_process_code_is_unique_and_bad_input_is_refused_without_change(quality_officer, ict_process, process_owner):
    with pytest.raises(ApplicationError) as taken:
        process_create(created_by=quality_officer, code="ICT-INC", name="Again", owner=process_owner)
    assert taken.value.status_code == 409
    with pytest.raises(ApplicationError) as empty:
        process_create(created_by=quality_officer, code="NEW-ONE", name="  ", owner=process_owner)
    assert empty.value.status_code == 400 and "name" in empty.value.fields
    with pytest.raises(ApplicationError) as bad_code:
        process_create(created_by=quality_officer, code="no spaces!", name="X", owner=process_owner)
    assert "code" in bad_code.value.fields
    assert Process.objects.count() == 1


def test_an_agency_person_cannot_own_a_process(quality_officer, undp_requester):
    with pytest.raises(ApplicationError) as refused:
        process_create(created_by=quality_officer, code="X-1", name="X", owner=undp_requester)
    assert "owner" in refused.value.fields


def test_only_keepers_register_or_change_processes(ict_process, process_owner, external_auditor):
    for person in (process_owner, external_auditor):
        with pytest.raises(ApplicationError) as refused:
            process_update(process=ict_process, updated_by=person, name="Renamed", owner=process_owner)
        assert refused.value.status_code == 403
    ict_process.refresh_from_db()
    assert ict_process.name == "ICT incident handling"


def test_the_process_owner_records_reassesses_and_removes_a_risk(ict_process, process_owner):
    # when the owner records a risk
    risk = risk_record(
        process=ict_process, recorded_by=process_owner, description="Single officer at lunch", likelihood=3, impact=4
    )
    # then it scores likelihood x impact and is owned by the process owner by default
    assert risk.score == 12 and risk.owner == process_owner

    risk = risk_update(
        risk=risk,
        updated_by=process_owner,
        description="Single officer at lunch",
        likelihood=2,
        impact=4,
        kind=RiskKind.RISK,
        treatment="Staggered breaks",
        owner=process_owner,
    )
    assert risk.score == 8
    risk_remove(risk=risk, removed_by=process_owner)
    assert not Risk.objects.exists()
    actions = list(QualityEvent.objects.filter(process=ict_process).values_list("action", flat=True))
    assert actions == ["risk_recorded", "risk_updated", "risk_removed"]


def test_a_score_outside_one_to_five_is_refused(ict_process, quality_officer):
    with pytest.raises(ApplicationError) as refused:
        risk_record(process=ict_process, recorded_by=quality_officer, description="X", likelihood=6, impact=1)
    assert "likelihood" in refused.value.fields
    assert not Risk.objects.exists()


def test_another_facility_role_and_the_auditor_cannot_keep_a_processs_risks(ict_process, make_person, external_auditor):
    travel = make_person((Role.TRAVEL_AGENT, None))
    for person in (travel, external_auditor):
        with pytest.raises(ApplicationError) as refused:
            risk_record(process=ict_process, recorded_by=person, description="X", likelihood=1, impact=1)
        assert refused.value.status_code == 403


# --- pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def risky_process(ict_process, process_owner):
    risk_record(process=ict_process, recorded_by=process_owner, description="Outage", likelihood=4, impact=4)
    return ict_process


def test_the_process_pages_answer_for_the_quality_officer_and_the_auditor(
    facility, client_at, quality_officer, external_auditor, risky_process
):
    risk = risky_process.risks.get()
    for person in (quality_officer, external_auditor):
        client = client_at(facility, person)
        listing = client.get("/quality/processes/")
        assert listing.status_code == 200
        assert "/quality/processes/ICT-INC/" in listing.content.decode()
        detail = client.get("/quality/processes/ICT-INC/")
        assert detail.status_code == 200
        assert "Outage" in detail.content.decode()
    officer = client_at(facility, quality_officer)
    for address in (
        "/quality/processes/new/",
        "/quality/processes/ICT-INC/edit/",
        "/quality/processes/ICT-INC/risks/new/",
        f"/quality/processes/ICT-INC/risks/{risk.pk}/",
    ):
        assert officer.get(address).status_code == 200, address


def test_the_list_shows_the_highest_risk_score(facility, client_at, quality_officer, risky_process):
    body = client_at(facility, quality_officer).get("/quality/processes/?sort=-risk").content.decode()
    assert ">16<" in body


def test_the_auditor_sees_no_write_button_and_is_refused_when_posting(
    facility, client_at, external_auditor, risky_process
):
    client = client_at(facility, external_auditor)
    detail = client.get("/quality/processes/ICT-INC/").content.decode()
    assert "/risks/new/" not in detail and "/edit/" not in detail
    risk = risky_process.risks.get()
    assert client.post(f"/quality/processes/ICT-INC/risks/{risk.pk}/remove/").status_code == 403
    assert client.post("/quality/processes/new/", {"code": "X", "name": "X"}).status_code == 403
    assert Risk.objects.filter(pk=risk.pk).exists()


def test_a_keeper_adds_a_process_through_the_page_and_a_bad_form_is_a_400(
    facility, client_at, quality_officer, process_owner
):
    client = client_at(facility, quality_officer)
    bad = client.post("/quality/processes/new/", {"code": "PRC-NEW", "name": "", "owner": process_owner.pk})
    assert bad.status_code == 400
    good = client.post("/quality/processes/new/", {"code": "PRC-NEW", "name": "New", "owner": process_owner.pk})
    assert good.status_code == 302
    assert Process.objects.filter(code="PRC-NEW").exists()


def test_agency_people_never_reach_the_process_pages(facility, undp, client_at, undp_requester, ict_process):
    assert client_at(undp, undp_requester).get("/quality/processes/").status_code in (403, 404)
    assert client_at(facility, undp_requester).get("/quality/processes/").status_code in (302, 403, 404)


# --- API -------------------------------------------------------------------------------------------------


def test_the_api_lists_and_creates_processes_for_a_keeper(facility, api_at, quality_officer, process_owner):
    api = api_at(facility, quality_officer)
    created = api.post(
        "/api/quality/processes/",
        {"code": "ICT-CHG", "name": "ICT change management", "owner": process_owner.email},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert api.get("/api/quality/processes/").json()["count"] == 1
    assert api.get("/api/quality/processes/ICT-CHG/").json()["owner"] == process_owner.email


def test_the_api_refuses_the_auditor_an_unauthorised_role_and_agency_people(
    facility, undp, api_at, external_auditor, ict_agent, undp_requester, ict_process, make_person
):
    body = {"code": "X-1", "name": "X", "owner": ict_agent.email}
    assert api_at(facility, external_auditor).post("/api/quality/processes/", body, format="json").status_code == 403
    travel = make_person((Role.TRAVEL_AGENT, None))
    risk = {"description": "X", "likelihood": 1, "impact": 1}
    assert (
        api_at(facility, travel).post("/api/quality/processes/ICT-INC/risks/", risk, format="json").status_code == 403
    )
    assert api_at(undp, undp_requester).get("/api/quality/processes/").status_code in (403, 404)
    assert api_at(facility, undp_requester).get("/api/quality/processes/").status_code in (403, 404)
    assert not Process.objects.filter(code="X-1").exists()


def test_the_process_owner_records_a_risk_through_the_api(facility, api_at, process_owner, ict_process):
    api = api_at(facility, process_owner)
    created = api.post(
        "/api/quality/processes/ICT-INC/risks/", {"description": "Outage", "likelihood": 4, "impact": 4}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["score"] == 16
    bad = api.post("/api/quality/processes/ICT-INC/risks/", {"description": "X", "likelihood": 9}, format="json")
    assert bad.status_code == 400
    assert Risk.objects.count() == 1
