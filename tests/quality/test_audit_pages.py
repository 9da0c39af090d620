"""Audit pages, API and report: who reads, who writes, bad input refused, the report read back from its PDF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse as reverse_anywhere
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from quality.models import Audit, AuditStatus, FindingKind, Nonconformity, Process
from quality.pdf import audit_report_pdf
from quality.services.audits import audit_plan, audit_question_answer, audit_start, finding_record

pytestmark = pytest.mark.django_db

PAGES = ["quality:audits", "quality:audit-programme"]


def reverse(name: str, kwargs: dict[str, object] | None = None) -> str:
    """An address on the facility portal."""
    return reverse_anywhere(name, urlconf=settings.PUBLIC_SCHEMA_URLCONF, kwargs=kwargs)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def audit(ict_process: Process, internal_auditor: User, quality_officer: User) -> Audit:
    planned = audit_plan(
        process=ict_process,
        auditor=internal_auditor,
        planned_for=timezone.localdate(),
        scope="Incidents resolved last quarter.",
        planned_by=quality_officer,
    )
    return audit_start(audit=planned, started_by=internal_auditor)


@pytest.fixture
def facility_readers(
    quality_officer, facility_manager, committee_member, internal_auditor, external_auditor, ict_agent
):
    return [quality_officer, facility_manager, committee_member, internal_auditor, external_auditor, ict_agent]


def test_every_audit_page_answers_for_every_facility_reader(facility, client_at, audit, facility_readers):
    finding_record(audit=audit, kind=FindingKind.MINOR, clause="9.1.2", description="x", recorded_by=audit.auditor)
    for person in facility_readers:
        client = client_at(facility, person)
        for name in PAGES:
            assert client.get(reverse(name)).status_code == 200, (name, person.email)
        assert client.get(reverse("quality:audit", kwargs={"reference": audit.reference})).status_code == 200
        assert client.get(reverse("quality:audit-pdf", kwargs={"reference": audit.reference})).status_code == 200


def test_the_list_filters_by_process_and_status(facility, client_at, audit, quality_officer):
    client = client_at(facility, quality_officer)
    body = client.get(reverse("quality:audits") + "?process=ICT-INC&status=in_progress&sort=-process").content.decode()
    assert audit.reference in body
    body = client.get(reverse("quality:audits") + "?process=PRC-RFQ").content.decode()
    assert audit.reference not in body


def test_the_programme_offers_planners_the_plan_link(
    facility, client_at, ict_process, quality_officer, external_auditor
):
    planner_body = client_at(facility, quality_officer).get(reverse("quality:audit-programme")).content.decode()
    reader_body = client_at(facility, external_auditor).get(reverse("quality:audit-programme")).content.decode()
    assert reverse("quality:audit-new") + "?process=ICT-INC" in planner_body
    assert reverse("quality:audit-new") not in reader_body


def test_planning_from_the_page(facility, client_at, ict_process, internal_auditor, quality_officer):
    client = client_at(facility, quality_officer)
    assert client.get(reverse("quality:audit-new") + "?process=ICT-INC").status_code == 200
    response = client.post(
        reverse("quality:audit-new"),
        {
            "process": ict_process.pk,
            "auditor": internal_auditor.pk,
            "planned_for": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "scope": "All of it.",
        },
    )
    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("quality:audit", kwargs={"reference": audit.reference})


@pytest.mark.parametrize(
    "changes",
    [{"planned_for": ""}, {"process": "999999"}, {"scope": ""}],
    ids=["date missing", "unknown process", "no scope"],
)
def test_bad_plans_are_refused_on_the_page_and_nothing_changes(
    facility, client_at, ict_process, internal_auditor, quality_officer, changes
):
    data = {
        "process": ict_process.pk,
        "auditor": internal_auditor.pk,
        "planned_for": timezone.localdate().isoformat(),
        "scope": "All of it.",
        **changes,
    }
    response = client_at(facility, quality_officer).post(reverse("quality:audit-new"), data)
    assert response.status_code == 400
    assert not Audit.objects.exists()


def test_the_owner_as_auditor_is_refused_on_the_page(facility, client_at, make_person, quality_officer):
    from accounts.models import Role

    owner = make_person((Role.INTERNAL_AUDITOR, None), email="owner-auditor@facility.test")
    process = Process.objects.create(code="QMS-DOC", name="Documents", owner=owner)
    response = client_at(facility, quality_officer).post(
        reverse("quality:audit-new"),
        {"process": process.pk, "auditor": owner.pk, "planned_for": timezone.localdate().isoformat(), "scope": "x"},
    )
    assert response.status_code == 400
    assert "cannot audit it" in response.content.decode()
    assert not Audit.objects.exists()


def test_the_read_only_auditor_and_process_owner_are_refused_writes_on_the_pages(
    facility, client_at, audit, external_auditor, ict_agent
):
    for person in (external_auditor, ict_agent):
        client = client_at(facility, person)
        assert client.get(reverse("quality:audit-new")).status_code == 403
        url = reverse("quality:audit-finding-record", kwargs={"reference": audit.reference})
        response = client.post(url, {"kind": "minor", "clause": "8.5", "description": "x"})
        assert response.status_code == 403
        url = reverse("quality:audit-cancel", kwargs={"reference": audit.reference})
        assert client.post(url, {"reason": "x"}).status_code == 403
    assert not audit.findings.exists()
    assert Audit.objects.get().status == AuditStatus.IN_PROGRESS


def test_the_auditor_records_a_finding_from_the_page(facility, client_at, audit, internal_auditor):
    client = client_at(facility, internal_auditor)
    url = reverse("quality:audit-finding-record", kwargs={"reference": audit.reference})
    response = client.post(url, {"kind": "minor", "clause": "8.5", "description": "Records missing.", "question": "5"})
    assert response.status_code == 302
    finding = audit.findings.get()
    assert finding.question is not None and finding.question.position == 5
    assert finding.nonconformity is not None
    empty = client.post(url, {"kind": "minor", "clause": "8.5", "description": ""})
    assert empty.status_code == 400
    assert audit.findings.count() == 1


def test_agency_people_never_reach_audits(undp, client_at, api_at, audit, undp_requester):
    assert client_at(undp, undp_requester).get("/quality/audits/").status_code in (403, 404)
    assert api_at(undp, undp_requester).get("/api/quality/audits/").status_code in (403, 404)


def test_the_api_reads_and_plans(facility, api_at, audit, ict_process, internal_auditor, quality_officer):
    client = api_at(facility, quality_officer)
    listed = client.get(reverse("quality-audits"), {"process": "ICT-INC"})
    assert listed.status_code == 200
    assert listed.json()["results"][0]["reference"] == audit.reference
    assert client.get(reverse("quality-audits"), {"status": "nonsense"}).status_code == 400
    detail = client.get(reverse("quality-audit", kwargs={"reference": audit.reference})).json()
    assert len(detail["questions"]) >= 6
    programme = client.get(reverse("quality-audit-programme")).json()
    assert programme[0]["process"] == "ICT-INC"
    assert programme[0]["next_planned"] == audit.reference


@pytest.mark.parametrize(
    "changes",
    [{"planned_for": None}, {"process": "NOPE"}, {"scope": ""}],
    ids=["date missing", "unknown process", "no scope"],
)
def test_bad_plans_are_refused_by_the_api(facility, api_at, ict_process, internal_auditor, quality_officer, changes):
    body = {
        "process": "ICT-INC",
        "auditor": internal_auditor.email,
        "planned_for": timezone.localdate().isoformat(),
        "scope": "All.",
        **changes,
    }
    response = api_at(facility, quality_officer).post(reverse("quality-audits"), body, format="json")
    assert response.status_code == 400
    assert not Audit.objects.exists()


def test_the_api_refuses_the_read_only_auditor_and_other_roles_writes(
    facility, api_at, audit, external_auditor, ict_agent, committee_member
):
    for person in (external_auditor, ict_agent, committee_member):
        client = api_at(facility, person)
        findings = reverse("quality-audit-findings", kwargs={"reference": audit.reference})
        response = client.post(findings, {"kind": "major", "clause": "8.5", "description": "x"}, format="json")
        assert response.status_code == 403
        cancel = reverse("quality-audit-cancel", kwargs={"reference": audit.reference})
        assert client.post(cancel, {"reason": "x"}, format="json").status_code == 403
    assert not Nonconformity.objects.exists()


def test_the_api_records_evidence_and_findings_for_the_auditor(facility, api_at, audit, internal_auditor):
    client = api_at(facility, internal_auditor)
    answer = reverse("quality-audit-question-answer", kwargs={"reference": audit.reference, "position": 1})
    assert client.post(answer, {"evidence": "Procedure v3 seen."}, format="json").status_code == 200
    findings = reverse("quality-audit-findings", kwargs={"reference": audit.reference})
    response = client.post(findings, {"kind": "major", "clause": "8.5", "description": "No records."}, format="json")
    assert response.status_code == 201
    assert response.json()["nonconformity"].startswith("NC-")
    empty = client.post(findings, {"kind": "minor", "clause": "8.5", "description": ""}, format="json")
    assert empty.status_code == 400
    complete = reverse("quality-audit-complete", kwargs={"reference": audit.reference})
    assert client.post(complete, {"summary": "Not effective."}, format="json").json()["status"] == "completed"
    pdf = client.get(reverse("quality-audit-pdf", kwargs={"reference": audit.reference}))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_the_audit_report_reads_back_with_its_findings_and_nonconformity(audit, internal_auditor):
    # given
    audit_question_answer(
        question=audit.questions.get(position=1),
        evidence="Procedure IT-07 version 3 in use.",
        answered_by=internal_auditor,
    )
    finding = finding_record(
        audit=audit,
        kind=FindingKind.MINOR,
        clause="8.5.2",
        description="Incident tickets closed without a resolution note.",
        recorded_by=internal_auditor,
    )
    # when
    text = pdf_text(audit_report_pdf(audit=audit, reader=internal_auditor))
    # then
    flat = " ".join(text.split())
    assert audit.reference in flat
    assert "ICT-INC" in flat
    assert "Incident tickets closed without a resolution note." in flat
    assert finding.nonconformity is not None and finding.nonconformity.reference in flat
    assert "Procedure IT-07 version 3 in use." in flat
    assert "Page 1 of" in flat
