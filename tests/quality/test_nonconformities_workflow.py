"""Working a nonconformity (clause 10.2): correction, root cause before actions, actions with owners and due dates,
a check once all are done; who may do each step, on the pages and through the API; every step in the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from quality.models import CorrectiveAction, Nonconformity, NonconformitySource, NonconformityStatus
from quality.services import nonconformities as services
from shared_platform.errors import ApplicationError

TOMORROW = timezone.localdate() + timedelta(days=1)


@pytest.fixture
def nonconformity(quality_officer, ict_process) -> Nonconformity:
    return services.nonconformity_raise(
        title="Incident queue not watched on Friday afternoon",
        source=NonconformitySource.MANUAL,
        raised_by=quality_officer,
        process=ict_process,
    )


def test_a_nonconformity_is_worked_from_open_to_verifying_with_every_step_in_its_history(
    nonconformity, quality_officer, process_owner
):
    # given a nonconformity raised by hand, owned by the process owner
    assert nonconformity.owner == process_owner and nonconformity.status == NonconformityStatus.OPEN
    # when its owner records the correction and the root cause, adds an action and ticks it done, then plans a check
    services.nonconformity_correct(nonconformity=nonconformity, correction="Queue reassigned.", by=process_owner)
    services.nonconformity_analyse(nonconformity=nonconformity, root_cause="No rota on Fridays.", by=process_owner)
    action = services.action_add(
        nonconformity=nonconformity, description="Friday rota", owner=process_owner, due_on=TOMORROW, by=process_owner
    )
    nonconformity.refresh_from_db()
    assert nonconformity.status == NonconformityStatus.ACTION
    services.action_done(action=action, note="Rota in place.", by=process_owner)
    services.check_plan(
        nonconformity=nonconformity,
        criterion=services.Criterion(
            kind="judgement", period_start=TOMORROW, period_end=TOMORROW + timedelta(days=30), description="No gap"
        ),
        by=process_owner,
    )
    # then it is being verified, and the history tells each step
    nonconformity.refresh_from_db()
    assert nonconformity.status == NonconformityStatus.VERIFYING
    assert [event.action for event in nonconformity.events.all()] == [
        "raised",
        "corrected",
        "analysed",
        "action_added",
        "action_done",
        "check_planned",
    ]


def test_no_corrective_action_before_the_root_cause(nonconformity, quality_officer, process_owner):
    with pytest.raises(ApplicationError) as refused:
        services.action_add(
            nonconformity=nonconformity, description="Rota", owner=process_owner, due_on=TOMORROW, by=quality_officer
        )
    assert refused.value.code == "quality.root_cause_missing" and refused.value.status_code == 409
    assert not CorrectiveAction.objects.exists()


def test_a_due_date_in_the_past_is_refused(nonconformity, quality_officer, process_owner):
    services.nonconformity_analyse(nonconformity=nonconformity, root_cause="No rota.", by=quality_officer)
    with pytest.raises(ApplicationError) as refused:
        services.action_add(
            nonconformity=nonconformity,
            description="Rota",
            owner=process_owner,
            due_on=timezone.localdate() - timedelta(days=1),
            by=quality_officer,
        )
    assert refused.value.status_code == 400 and "due_on" in refused.value.fields
    assert not CorrectiveAction.objects.exists()


def test_no_check_while_an_action_is_open(nonconformity, quality_officer, process_owner):
    services.nonconformity_analyse(nonconformity=nonconformity, root_cause="No rota.", by=quality_officer)
    services.action_add(
        nonconformity=nonconformity, description="Rota", owner=process_owner, due_on=TOMORROW, by=quality_officer
    )
    with pytest.raises(ApplicationError) as refused:
        services.check_plan(
            nonconformity=nonconformity,
            criterion=services.Criterion(kind="judgement", period_start=TOMORROW, period_end=TOMORROW, description="x"),
            by=quality_officer,
        )
    assert refused.value.code == "quality.actions_open"


def test_the_auditor_and_other_staff_change_nothing_and_an_action_owner_ticks_only_their_own(
    nonconformity, quality_officer, process_owner, external_auditor, procurement_officer, internal_auditor
):
    services.nonconformity_analyse(nonconformity=nonconformity, root_cause="No rota.", by=quality_officer)
    action = services.action_add(
        nonconformity=nonconformity, description="Rota", owner=procurement_officer, due_on=TOMORROW, by=quality_officer
    )
    for person in (external_auditor, internal_auditor):
        with pytest.raises(ApplicationError) as refused:
            services.nonconformity_correct(nonconformity=nonconformity, correction="x", by=person)
        assert refused.value.status_code == 403
        with pytest.raises(ApplicationError):
            services.action_done(action=action, note="x", by=person)
    with pytest.raises(ApplicationError) as refused:
        services.nonconformity_raise(title="x", source="manual", raised_by=external_auditor)
    assert refused.value.status_code == 403
    with pytest.raises(ApplicationError) as refused:
        services.nonconformity_assign(nonconformity=nonconformity, owner=external_auditor, by=quality_officer)
    assert refused.value.status_code == 400
    services.action_done(action=action, note="Done.", by=procurement_officer)
    action.refresh_from_db()
    assert action.done_by == procurement_officer
    with pytest.raises(ApplicationError) as twice:
        services.action_done(action=action, note="Again.", by=quality_officer)
    assert twice.value.code == "quality.already_done"


def test_the_transition_table_refuses_moves_it_does_not_list(nonconformity):
    with pytest.raises(ApplicationError) as refused:
        services._move(
            nonconformity, NonconformityStatus.CLOSED, actor=None, at=timezone.now(), action="closed", detail=""
        )
    assert refused.value.code == "quality.illegal_transition" and refused.value.status_code == 409


# -- pages -------------------------------------------------------------------------------------------


def test_the_pages_show_the_nonconformity_to_every_facility_role_and_only_workers_see_the_forms(
    nonconformity, facility, client_at, quality_officer, external_auditor, procurement_officer
):
    url = f"/quality/nonconformities/{nonconformity.reference}/"
    for person in (quality_officer, external_auditor, procurement_officer):
        client = client_at(facility, person)
        listed = client.get("/quality/nonconformities/?status=not_closed&sort=-reopened&process=ICT-INC")
        assert listed.status_code == 200 and nonconformity.reference in listed.content.decode()
        assert client.get(url).status_code == 200
    assert b"root_cause" in client_at(facility, quality_officer).get(url).content
    assert b"root_cause" not in client_at(facility, external_auditor).get(url).content
    assert client_at(facility, quality_officer).get("/quality/nonconformities/new/").status_code == 200
    assert client_at(facility, external_auditor).get("/quality/nonconformities/new/").status_code == 403


def test_a_keeper_raises_and_works_a_nonconformity_from_the_pages(facility, client_at, quality_officer, process_owner):
    client = client_at(facility, quality_officer)
    raised = client.post(
        "/quality/nonconformities/new/",
        {"title": "Wrong invoice sent to UNDP", "source": "complaint", "severity": "major"},
    )
    assert raised.status_code == 302
    nonconformity = Nonconformity.objects.get()
    url = f"/quality/nonconformities/{nonconformity.reference}/"
    early = client.post(url + "actions/", {"description": "x", "owner": process_owner.pk, "due_on": TOMORROW})
    assert early.status_code == 409 and not CorrectiveAction.objects.exists()
    assert client.post(url + "analyse/", {"root_cause": ""}).status_code == 400
    assert client.post(url + "analyse/", {"root_cause": "Price list not updated."}).status_code == 302
    added = client.post(url + "actions/", {"description": "Update it", "owner": process_owner.pk, "due_on": TOMORROW})
    assert added.status_code == 302
    action = CorrectiveAction.objects.get()
    assert (
        client_at(facility, process_owner).post(f"{url}actions/{action.pk}/done/", {"note": "Updated."}).status_code
        == 302
    )
    planned = client.post(
        url + "checks/",
        {"kind": "judgement", "period_start": TOMORROW, "period_end": TOMORROW, "description": "Next invoice right"},
    )
    assert planned.status_code == 302
    nonconformity.refresh_from_db()
    assert nonconformity.status == NonconformityStatus.VERIFYING
    check = nonconformity.checks.get()
    assert client.post(f"{url}checks/{check.pk}/judge/", {"effective": "yes", "note": "Checked."}).status_code == 302
    nonconformity.refresh_from_db()
    assert nonconformity.status == NonconformityStatus.CLOSED
    assert "Closed" in client.get(url).content.decode()


def test_the_read_only_auditor_is_refused_every_post(nonconformity, facility, client_at, external_auditor):
    client = client_at(facility, external_auditor)
    url = f"/quality/nonconformities/{nonconformity.reference}/"
    assert client.post(url + "analyse/", {"root_cause": "x"}).status_code == 403
    assert client.post(url + "correct/", {"correction": "x"}).status_code == 403
    assert (
        client.post(
            "/quality/nonconformities/new/", {"title": "x", "source": "manual", "severity": "minor"}
        ).status_code
        == 403
    )
    nonconformity.refresh_from_db()
    assert nonconformity.root_cause == "" and Nonconformity.objects.count() == 1


def test_agency_people_never_reach_the_nonconformities(
    nonconformity, undp, facility, client_at, api_at, undp_requester
):
    assert client_at(undp, undp_requester).get("/quality/nonconformities/").status_code in (403, 404)
    assert client_at(facility, undp_requester).get("/quality/nonconformities/").status_code in (302, 403, 404)
    assert api_at(undp, undp_requester).get("/api/quality/nonconformities/").status_code in (403, 404)
    assert api_at(facility, undp_requester).get("/api/quality/nonconformities/").status_code == 403
    assert (
        api_at(facility, undp_requester).get(f"/api/quality/nonconformities/{nonconformity.reference}/").status_code
        == 403
    )


# -- API ---------------------------------------------------------------------------------------------


def test_the_api_works_a_nonconformity_and_refuses_bad_input_clearly(
    nonconformity, facility, api_at, quality_officer, process_owner, external_auditor
):
    api = api_at(facility, quality_officer)
    base = f"/api/quality/nonconformities/{nonconformity.reference}/"
    listed = api.get("/api/quality/nonconformities/?status=open")
    assert listed.status_code == 200 and listed.json()["results"][0]["reference"] == nonconformity.reference
    assert api.get("/api/quality/nonconformities/?status=lost").status_code == 400
    before = api.post(base + "actions/", {"description": "x", "owner": process_owner.pk, "due_on": str(TOMORROW)})
    assert before.status_code == 409 and before.json()["error"]["code"] == "quality.root_cause_missing"
    assert api.post(base + "analyse/", {"root_cause": "No rota."}).status_code == 200
    past = api.post(base + "actions/", {"description": "x", "owner": process_owner.pk, "due_on": "2020-01-01"})
    assert past.status_code == 400 and "due_on" in past.json()["error"]["fields"]
    added = api.post(base + "actions/", {"description": "Rota", "owner": process_owner.pk, "due_on": str(TOMORROW)})
    assert added.status_code == 201
    action_id = added.json()["actions"][0]["id"]
    assert (
        api_at(facility, process_owner).post(f"{base}actions/{action_id}/done/", {"note": "Done."}).status_code == 200
    )
    backwards = api.post(
        base + "checks/",
        {
            "kind": "sla_breaches",
            "period_start": "2026-11-30",
            "period_end": "2026-11-01",
            "threshold": 1,
            "agency": "UNDP",
        },
    )
    assert backwards.status_code == 400
    no_threshold = api.post(
        base + "checks/",
        {"kind": "sla_breaches", "period_start": "2026-11-01", "period_end": "2026-11-30", "agency": "UNDP"},
    )
    assert no_threshold.status_code == 400 and "threshold" in no_threshold.json()["error"]["fields"]
    planned = api.post(
        base + "checks/",
        {
            "kind": "sla_breaches",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "threshold": 1,
            "agency": "UNDP",
        },
    )
    assert planned.status_code == 201 and planned.json()["status"] == "verifying"
    auditor = api_at(facility, external_auditor)
    assert auditor.get(base).status_code == 200
    assert auditor.post(base + "correct/", {"correction": "x"}).status_code == 403
    assert auditor.post("/api/quality/nonconformities/", {"title": "x"}).status_code == 403
    assert api.get("/api/quality/nonconformities/NC-0000-9999/").status_code == 404


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("assign/", {"owner": 1}),
        ("correct/", {"correction": "x"}),
        ("analyse/", {"root_cause": "x"}),
        ("actions/", {"description": "x", "owner": 1, "due_on": "2099-01-01"}),
        ("actions/1/done/", {"note": "x"}),
        (
            "checks/",
            {"kind": "judgement", "period_start": "2099-01-01", "period_end": "2099-01-02", "description": "x"},
        ),
        ("checks/1/judge/", {"effective": True, "note": "x"}),
        ("checks/1/evaluate/", {}),
    ],
)
def test_every_api_step_refuses_agency_people_and_facility_staff_who_do_not_work_it(
    nonconformity, facility, undp, api_at, undp_requester, procurement_officer, suffix, body
):
    url = f"/api/quality/nonconformities/{nonconformity.reference}/{suffix}"
    body = {**body, "owner": procurement_officer.pk} if "owner" in body else body
    assert api_at(facility, undp_requester).post(url, body, format="json").status_code == 403
    assert api_at(undp, undp_requester).post(url, body, format="json").status_code in (403, 404)
    assert api_at(facility, procurement_officer).post(url, body, format="json").status_code in (403, 404)
    nonconformity.refresh_from_db()
    assert nonconformity.root_cause == "" and nonconformity.correction == "" and nonconformity.events.count() == 1
