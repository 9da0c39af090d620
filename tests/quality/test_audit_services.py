"""Internal audits (ISO 9001 clause 9.2): the auditor's independence, who records, findings opening nonconformities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from quality.models import (
    Audit,
    AuditStatus,
    FindingKind,
    Nonconformity,
    NonconformitySource,
    Process,
    QualityEvent,
    Severity,
)
from quality.services.audits import (
    audit_cancel,
    audit_complete,
    audit_plan,
    audit_question_add,
    audit_question_answer,
    audit_start,
    finding_record,
)
from shared_platform.errors import ApplicationError

pytestmark = pytest.mark.django_db


def plan(process: Process, auditor: User, planner: User) -> Audit:
    return audit_plan(
        process=process,
        auditor=auditor,
        planned_for=timezone.localdate() + timedelta(days=7),
        scope="Incidents resolved last quarter; ISO 9001 and the incident procedure.",
        planned_by=planner,
    )


@pytest.fixture
def running_audit(ict_process: Process, internal_auditor: User, quality_officer: User) -> Audit:
    audit = plan(ict_process, internal_auditor, quality_officer)
    return audit_start(audit=audit, started_by=internal_auditor)


def test_a_planned_audit_gets_a_reference_and_the_standard_checklist(ict_process, internal_auditor, quality_officer):
    # when
    audit = plan(ict_process, internal_auditor, quality_officer)
    # then
    assert audit.reference.startswith("AUD-")
    clauses = list(audit.questions.values_list("clause", flat=True))
    assert 6 <= len(clauses) <= 10
    assert {"4.4", "6.1", "7.5", "8.1", "8.5", "9.1.1", "9.1.2", "10.2"} <= set(clauses)
    assert QualityEvent.objects.filter(audit=audit, action="planned").exists()


def test_the_process_owner_is_refused_as_its_auditor_at_planning(make_person, ict_process, quality_officer):
    # given the owner of the process also holds the internal auditor role
    owner = ict_process.owner
    from accounts.models import Membership, Role

    Membership.objects.create(user=owner, agency=None, role=Role.INTERNAL_AUDITOR)
    # when / then
    with pytest.raises(ApplicationError) as refused:
        plan(ict_process, owner, quality_officer)
    assert refused.value.code == "quality.auditor_not_independent"
    assert "auditor" in refused.value.fields
    assert not Audit.objects.exists()


def test_an_auditor_who_became_the_owner_after_planning_is_refused_at_recording(running_audit, internal_auditor):
    # given ownership of the process passes to the auditor after the audit started
    Process.objects.filter(pk=running_audit.process.pk).update(owner=internal_auditor)
    # when / then
    with pytest.raises(ApplicationError) as refused:
        finding_record(
            audit=running_audit,
            kind=FindingKind.OBSERVATION,
            clause="8.5",
            description="Handover notes are kept in e-mail.",
            recorded_by=internal_auditor,
        )
    assert refused.value.code == "quality.auditor_not_independent"
    assert not running_audit.findings.exists()


def test_an_auditor_who_became_the_owner_is_refused_at_start(ict_process, internal_auditor, quality_officer):
    audit = plan(ict_process, internal_auditor, quality_officer)
    Process.objects.filter(pk=ict_process.pk).update(owner=internal_auditor)
    with pytest.raises(ApplicationError) as refused:
        audit_start(audit=audit, started_by=internal_auditor)
    assert refused.value.code == "quality.auditor_not_independent"
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLANNED


def test_the_auditor_must_hold_the_internal_auditor_role(ict_process, procurement_officer, quality_officer):
    with pytest.raises(ApplicationError) as refused:
        plan(ict_process, procurement_officer, quality_officer)
    assert refused.value.code == "quality.auditor_not_qualified"


def test_only_the_audits_own_auditor_records_it(make_person, running_audit, quality_officer, external_auditor):
    from accounts.models import Role

    another_auditor = make_person((Role.INTERNAL_AUDITOR, None), email="second-auditor@facility.test")
    question = running_audit.questions.first()
    for person in (another_auditor, quality_officer, external_auditor):
        with pytest.raises(ApplicationError) as refused:
            audit_question_answer(question=question, evidence="Seen.", answered_by=person)
        assert refused.value.status_code == 403
    question.refresh_from_db()
    assert question.evidence == ""


def test_the_read_only_auditor_and_process_people_cannot_plan(ict_process, internal_auditor, external_auditor):
    for person in (external_auditor, ict_process.owner):
        with pytest.raises(ApplicationError) as refused:
            plan(ict_process, internal_auditor, person)
        assert refused.value.status_code == 403
    assert not Audit.objects.exists()


@pytest.mark.parametrize(
    ("kind", "severity"), [(FindingKind.MINOR, Severity.MINOR), (FindingKind.MAJOR, Severity.MAJOR)]
)
def test_a_minor_or_major_finding_opens_a_nonconformity_from_the_audit(running_audit, internal_auditor, kind, severity):
    # when
    finding = finding_record(
        audit=running_audit,
        kind=kind,
        clause="10.2",
        description="Two corrective actions closed without an effectiveness check.",
        recorded_by=internal_auditor,
    )
    # then
    assert finding.nonconformity is not None
    nonconformity = Nonconformity.objects.get(pk=finding.nonconformity.pk)
    assert nonconformity.source == NonconformitySource.AUDIT
    assert nonconformity.severity == severity
    assert nonconformity.process_id == running_audit.process_id
    assert nonconformity.raised_by == internal_auditor
    assert running_audit.reference in nonconformity.title


@pytest.mark.parametrize("kind", [FindingKind.CONFORMITY, FindingKind.OBSERVATION])
def test_a_conformity_or_observation_opens_no_nonconformity(running_audit, internal_auditor, kind):
    finding = finding_record(
        audit=running_audit, kind=kind, clause="8.1", description="As the procedure says.", recorded_by=internal_auditor
    )
    assert finding.nonconformity is None
    assert not Nonconformity.objects.exists()


@pytest.mark.parametrize(
    ("kind", "clause", "description", "field"),
    [
        (FindingKind.MINOR, "10.2", "   ", "description"),
        (FindingKind.MINOR, "", "Something.", "clause"),
        ("bad", "10.2", "Something.", "kind"),
    ],
)
def test_an_empty_or_unknown_finding_is_refused_and_nothing_changes(
    running_audit, internal_auditor, kind, clause, description, field
):
    with pytest.raises(ApplicationError) as refused:
        finding_record(
            audit=running_audit, kind=kind, clause=clause, description=description, recorded_by=internal_auditor
        )
    assert refused.value.status_code == 400
    assert field in refused.value.fields
    assert not running_audit.findings.exists()
    assert not Nonconformity.objects.exists()


def test_an_audit_is_completed_only_on_evidence(running_audit, internal_auditor):
    with pytest.raises(ApplicationError) as refused:
        audit_complete(audit=running_audit, summary="All well.", completed_by=internal_auditor)
    assert refused.value.code == "quality.audit_without_evidence"
    audit_question_answer(
        question=running_audit.questions.first(), evidence="Procedure v3 in use.", answered_by=internal_auditor
    )
    audit = audit_complete(audit=running_audit, summary="All well.", completed_by=internal_auditor)
    assert audit.status == AuditStatus.COMPLETED
    assert list(QualityEvent.objects.filter(audit=audit).values_list("action", flat=True)) == [
        "planned",
        "started",
        "answered",
        "completed",
    ]


def test_the_workflow_refuses_moves_outside_its_table(running_audit, internal_auditor, quality_officer):
    audit_cancel(audit=running_audit, reason="The process is being redesigned.", cancelled_by=quality_officer)
    with pytest.raises(ApplicationError) as refused:
        audit_start(audit=running_audit, started_by=internal_auditor)
    assert refused.value.status_code == 409
    with pytest.raises(ApplicationError):
        audit_question_add(audit=running_audit, clause="8.2", question="Is it?", added_by=internal_auditor)


def test_cancelling_needs_a_reason(running_audit, quality_officer):
    with pytest.raises(ApplicationError) as refused:
        audit_cancel(audit=running_audit, reason=" ", cancelled_by=quality_officer)
    assert "reason" in refused.value.fields
    running_audit.refresh_from_db()
    assert running_audit.status == AuditStatus.IN_PROGRESS
