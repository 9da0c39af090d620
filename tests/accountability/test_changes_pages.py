"""Change requests' pages and API: each side acts on its own address, never on another agency's request."""

from __future__ import annotations

import pytest

from accountability.models import AgreementChangeRequest, ChangeStatus
from accountability.services import changes

pytest_plugins = ["tests.accountability.fixtures_changes"]
pytestmark = pytest.mark.usefixtures("quiet_changes")


def _proposal(chosen, day, **fields):
    return {
        "agreement": chosen.pk,
        "summary": "Add micro-purchases",
        "reason": "We start buying through the facility.",
        "effective_from": day.isoformat(),
        "services_added": ["PRC-MICRO"],
        **fields,
    }


def test_the_agency_proposes_from_its_form_and_reads_its_list(
    client_at, undp, change_people, undp_ict_travel, first_of_next_month
):
    client = client_at(undp, change_people.undp_finance)
    page = client.get("/accountability/changes/new/")
    assert page.status_code == 200 and b"PRC-MICRO" in page.content
    answer = client.post(
        "/accountability/changes/new/",
        _proposal(
            undp_ict_travel,
            first_of_next_month,
            target_1_service="ICT-INC",
            target_1_metric="resolution",
            target_1_priority="P1",
            target_1_minutes="180",
        ),
    )
    change = AgreementChangeRequest.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/accountability/changes/{change.reference}/")
    assert change.target_changes == [
        {"service": "ICT-INC", "metric": "resolution", "priority": "P1", "target_minutes": 180}
    ]
    assert change.reference.encode() in client.get("/accountability/changes/").content


@pytest.mark.parametrize(
    "fields",
    [
        {"effective_from": "2026-13-01"},
        {"effective_from": "2020-01-01"},
        {"summary": ""},
        {"summary": "x" * 1000},
        {"credit_percent": "1e30"},
        {"credit_percent": "-5"},
        {"services_added": ["NOPE"]},
        {"agreement": "999999999999999999999"},
        {"target_1_service": "ICT-INC", "target_1_metric": "resolution", "target_1_minutes": "abc"},
        {"target_1_service": "PRC-ITB", "target_1_metric": "completion", "target_1_minutes": "60"},
        {"services_added": [], "services_dropped": ["ICT-INC", "ICT-REQ", "TRV-TA"]},
    ],
)
def test_bad_proposals_show_errors_and_change_nothing(
    client_at, undp, change_people, undp_ict_travel, first_of_next_month, fields
):
    answer = client_at(undp, change_people.undp_finance).post(
        "/accountability/changes/new/", _proposal(undp_ict_travel, first_of_next_month, **fields)
    )
    assert 400 <= answer.status_code < 500
    assert b"errorlist" in answer.content or b"errornote" in answer.content
    assert not AgreementChangeRequest.objects.exists()


def test_a_requester_or_another_agency_cannot_propose(
    client_at, undp, unfpa, change_people, undp_ict_travel, first_of_next_month
):
    data = _proposal(undp_ict_travel, first_of_next_month)
    assert client_at(undp, change_people.undp_requester).post("/accountability/changes/new/", data).status_code == 403
    # UNFPA's finance officer cannot name UNDP's agreement: it is not among UNFPA's choices
    assert client_at(unfpa, change_people.unfpa_finance).post("/accountability/changes/new/", data).status_code == 400
    assert not AgreementChangeRequest.objects.exists()


def test_the_whole_flow_through_the_pages_of_both_sides(client_at, undp, facility, change_people, propose_change):
    change = propose_change()
    url = f"/accountability/changes/{change.reference}/"
    manager = client_at(facility, change_people.manager)
    page = manager.get(url)
    assert page.status_code == 200 and b'id="assess-form"' in page.content and b'id="hint"' in page.content
    assert manager.post(url + "assess/", {"price_effect": "", "target_effect": "x"}).status_code == 400
    assert (
        manager.post(url + "assess/", {"price_effect": "+600 USD a month", "target_effect": "None"}).status_code == 302
    )
    approver = client_at(undp, change_people.undp_approver)
    page = approver.get(url)
    assert b'id="approve"' in page.content and b'id="hint"' not in page.content
    assert approver.post(url + "approve/").status_code == 302
    assert manager.post(url + "approve/").status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    page = approver.get(url)
    assert change.new_agreement.reference.encode() in page.content
    assert b'id="approve"' not in page.content


def test_buttons_show_only_for_who_may(client_at, undp, facility, change_people, assessed_change):
    url = f"/accountability/changes/{assessed_change.reference}/"
    finance_page = client_at(undp, change_people.undp_finance).get(url)  # proposed it; not an approver
    assert b'id="approve"' not in finance_page.content and b'id="approval-refusal"' in finance_page.content
    assert b'id="withdraw"' in finance_page.content
    auditor = client_at(facility, change_people.auditor)
    auditor_page = auditor.get(url)
    assert auditor_page.status_code == 200
    assert b'id="approve"' not in auditor_page.content and b'id="reject"' not in auditor_page.content
    assert auditor.post(url + "approve/").status_code == 403
    assessed_change.refresh_from_db()
    assert assessed_change.facility_approved_at is None


def test_unfpa_never_reads_nor_approves_undps_request(client_at, api_at, unfpa, change_people, assessed_change):
    url = f"/accountability/changes/{assessed_change.reference}/"
    unfpa_client = client_at(unfpa, change_people.unfpa_approver)
    assert unfpa_client.get(url).status_code == 404
    assert unfpa_client.post(url + "approve/").status_code == 404
    assert unfpa_client.post(url + "reject/", {"reason": "no"}).status_code == 404
    listing = unfpa_client.get("/accountability/changes/")
    assert listing.status_code == 200 and assessed_change.reference.encode() not in listing.content
    api = api_at(unfpa, change_people.unfpa_approver)
    assert api.get(f"/api/accountability/changes/{assessed_change.reference}/").status_code == 404
    assert api.post(f"/api/accountability/changes/{assessed_change.reference}/approve/").status_code == 404
    answer = api.get("/api/accountability/changes/")
    assert answer.status_code == 200 and assessed_change.reference not in answer.content.decode()
    assessed_change.refresh_from_db()
    assert assessed_change.agency_approved_at is None and assessed_change.status == ChangeStatus.ASSESSED


def test_the_same_person_on_another_agencys_host_is_refused(client_at, api_at, unfpa, change_people, assessed_change):
    # UNDP's approver replays their session (and token) on UNFPA's address
    url = f"/accountability/changes/{assessed_change.reference}/"
    assert client_at(unfpa, change_people.undp_approver).get(url).status_code in (403, 404)
    assert api_at(unfpa, change_people.undp_approver).post(f"/api{url}approve/").status_code in (403, 404)
    assessed_change.refresh_from_db()
    assert assessed_change.agency_approved_at is None


def test_the_api_proposes_assesses_and_both_sides_approve(
    api_at, undp, facility, change_people, undp_ict_travel, first_of_next_month
):
    agency_api = api_at(undp, change_people.undp_finance)
    answer = agency_api.post(
        "/api/accountability/changes/",
        {
            "agreement": undp_ict_travel.reference,
            "summary": "Add micro-purchases",
            "reason": "We start buying.",
            "effective_from": first_of_next_month.isoformat(),
            "services_added": ["PRC-MICRO"],
            "credit_percent": "12.50",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    reference = answer.json()["reference"]
    url = f"/api/accountability/changes/{reference}/"
    facility_api = api_at(facility, change_people.manager)
    assert facility_api.get(url).json()["hint"] is not None
    assert agency_api.get(url).json()["hint"] is None
    assessed = facility_api.post(url + "assess/", {"price_effect": "a", "target_effect": "b"}, format="json")
    assert assessed.status_code == 200
    assert api_at(undp, change_people.undp_approver).post(url + "approve/").status_code == 200
    done = facility_api.post(url + "approve/")
    assert done.status_code == 200 and done.json()["status"] == "approved" and done.json()["new_agreement"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"agreement": "NOPE", "summary": "s", "reason": "r", "effective_from": "2026-12-01"},
        {"agreement": "x" * 500, "summary": "s", "reason": "r", "effective_from": "2026-13-01"},
        {
            "agreement": "SLA-UNDP-20260101",
            "summary": "s",
            "reason": "r",
            "effective_from": "2026-12-01",
            "credit_percent": 5,
        },
        {
            "agreement": "SLA-UNDP-20260101",
            "summary": "s",
            "reason": "r",
            "effective_from": "2026-12-01",
            "target_changes": [{"service": "ICT-INC"}],
        },
    ],
)
def test_bad_api_bodies_are_refused_clearly(api_at, undp, change_people, undp_ict_travel, body):
    answer = api_at(undp, change_people.undp_finance).post("/api/accountability/changes/", body, format="json")
    assert 400 <= answer.status_code < 500 and "error" in answer.json()
    assert not AgreementChangeRequest.objects.exists()


def test_bad_references_are_not_found(client_at, api_at, undp, facility, change_people):
    for reference in ("NOPE", "UNDP-CR-2026-999999", "x" * 300):
        page = client_at(undp, change_people.undp_approver).get(f"/accountability/changes/{reference}/")
        assert page.status_code == 404
        api = api_at(facility, change_people.manager).get(f"/api/accountability/changes/{reference}/")
        assert api.status_code == 404


def test_the_approvals_inbox_and_the_assessors_panel(client_at, undp, facility, change_people, propose_change):
    change = propose_change()
    assert change.reference.encode() in client_at(facility, change_people.finance).get("/").content
    changes.change_request_assess(request=change, price_effect="a", target_effect="b", by=change_people.finance)
    assert change.reference.encode() in client_at(undp, change_people.undp_approver).get("/approvals/").content
    assert change.reference.encode() in client_at(facility, change_people.manager).get("/approvals/").content
    # the finance officer who proposed it approves nothing
    assert change.reference.encode() not in client_at(undp, change_people.undp_finance).get("/approvals/").content
