"""The demo's processes and documents: built through the services, idempotent, and showing every state."""

from __future__ import annotations

import pytest
from django.utils import timezone

from demo import data
from quality.demo.processes import MANUAL_CODE, processes_demo_load
from quality.models import Document, DocumentVersion, Process, QualityEvent, VersionStatus
from quality.selectors.documents import acknowledgement_status, documents_due_for_review
from quality.selectors.processes import process_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(make_person, facility):
    """The facility's demo people, with their roles (as demo.services.demo_load grants them)."""
    return {
        email: make_person(*[(role, None) for role in roles], email=email, first_name=first, last_name=last)
        for email, first, last, roles, _ in data.FACILITY_PEOPLE
    }


def test_the_demo_builds_processes_risks_and_the_manual_in_its_second_version(demo_people):
    # when the demo is loaded
    added = processes_demo_load(now=timezone.now())

    # then the five processes are there with their owners, procurement by RFQ the riskiest
    assert added == 5
    owners = dict(Process.objects.values_list("code", "owner__email"))
    assert owners["PRC-RFQ"] == "procurement@facility.demo" and owners["QMS-DOC"] == "quality@facility.demo"
    scores = {row.code: row.highest_risk for row in process_list()}
    assert scores["PRC-RFQ"] == 16 and max(scores.values()) == 16
    assert all(process.procedure_id for process in Process.objects.all())

    # and the manual's v2, approved by the facility manager (not its author), supersedes v1
    manual = Document.objects.get(code=MANUAL_CODE)
    v1, v2 = manual.versions.get(number=1), manual.versions.get(number=2)
    assert (v1.status, v2.status) == (VersionStatus.SUPERSEDED, VersionStatus.EFFECTIVE)
    assert v2.author.email == "procurement@facility.demo" and v2.approver.email == "manager@facility.demo"
    assert v1.approver.email == "quality@facility.demo"
    status = acknowledgement_status(v2)
    assert [person.email for person, _ in status.acknowledged] == ["procurement2@facility.demo"]
    assert {person.email for person in status.pending} == {"procurement@facility.demo", "committee@facility.demo"}

    # and one review is overdue, one version waits in review
    overdue = [v for v in documents_due_for_review(today=timezone.localdate()) if v.review_due < timezone.localdate()]
    assert [v.document.code for v in overdue] == ["QP-TRV-01"]
    assert DocumentVersion.objects.filter(status=VersionStatus.IN_REVIEW).count() == 1


def test_loading_the_demo_twice_adds_nothing(demo_people):
    processes_demo_load(now=timezone.now())
    counts = (Process.objects.count(), DocumentVersion.objects.count(), QualityEvent.objects.count())
    assert processes_demo_load(now=timezone.now()) == 0
    assert (Process.objects.count(), DocumentVersion.objects.count(), QualityEvent.objects.count()) == counts


def test_every_page_of_the_demo_answers_for_the_quality_officer_and_the_auditor(demo_people, facility, client_at):
    processes_demo_load(now=timezone.now())
    addresses = ["/quality/processes/", "/quality/documents/", "/quality/documents/?status=review_overdue"]
    addresses += [f"/quality/processes/{code}/" for code in Process.objects.values_list("code", flat=True)]
    for document in Document.objects.all():
        addresses.append(f"/quality/documents/{document.code}/")
        addresses += [f"/quality/documents/{document.code}/versions/{v.number}/" for v in document.versions.all()]
    addresses.append(f"/quality/documents/{MANUAL_CODE}/versions/2/diff/1/")
    for email in ("quality@facility.demo", "auditor@facility.demo", "procurement@facility.demo"):
        client = client_at(facility, demo_people[email])
        for address in addresses:
            assert client.get(address).status_code == 200, (email, address)
    diff = client_at(facility, demo_people["quality@facility.demo"]).get(
        f"/quality/documents/{MANUAL_CODE}/versions/2/diff/1/"
    )
    assert "<ins>10,000</ins>" in diff.content.decode() or "10,000" in diff.content.decode()
