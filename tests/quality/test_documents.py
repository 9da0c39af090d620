"""Controlled documents (ISO 9001:2015 7.5): approval by someone other than the author, one effective version,
acknowledgements, reviews, the difference between versions, and the pages and API that show them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from quality.models import Acknowledgement, Document, DocumentVersion, VersionStatus
from quality.selectors.documents import (
    acknowledgement_status,
    documents_due_for_review,
    pending_acknowledgements,
    version_diff,
)
from quality.services.documents import (
    document_create,
    document_review_confirm,
    document_withdraw,
    documents_bring_into_effect,
    version_acknowledge,
    version_approve,
    version_draft,
    version_return,
    version_submit,
    version_update,
)
from shared_platform.errors import ApplicationError

pytestmark = pytest.mark.django_db

V1 = "1. Scope\n\nMicro-purchases up to USD 5,000.\n\nRFQ: at least two quotations."
V2 = "1. Scope\n\nMicro-purchases up to USD 10,000.\n\nRFQ: at least two quotations."


@pytest.fixture
def manual(procurement_officer, procurement_process, quality_officer) -> Document:
    """The procurement manual, v1 written by the procurement officer and approved by the quality officer."""
    document = document_create(
        created_by=procurement_officer,
        code="QM-PROC-01",
        title="Common Procurement Manual",
        owner=procurement_officer,
        process=procurement_process,
        concerns_roles=[Role.PROCUREMENT_AGENT, Role.CONTRACTS_COMMITTEE],
        text=V1,
    )
    version = document.versions.get()
    version_submit(version=version, submitted_by=procurement_officer)
    version_approve(version=version, approved_by=quality_officer)
    return document


def _next_version_in_review(document: Document, author, text: str) -> DocumentVersion:
    version = version_draft(document=document, drafted_by=author)
    version_update(version=version, updated_by=author, text=text, change_summary="Thresholds")
    return version_submit(version=version, submitted_by=author)


# --- the rules ------------------------------------------------------------------------------------------


def test_the_author_cannot_approve_their_own_version(quality_officer, facility_manager):
    # given a version written by the quality officer, an approver
    document = document_create(
        created_by=quality_officer, code="QP-1", title="Procedure", owner=quality_officer, text="x"
    )
    version = version_submit(version=document.versions.get(), submitted_by=quality_officer)

    # when its author tries to approve it, it is refused and nothing changes
    with pytest.raises(ApplicationError) as refused:
        version_approve(version=version, approved_by=quality_officer)
    assert refused.value.code == "quality.approver_is_author" and refused.value.status_code == 403
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW and version.approver is None

    # while another approver may
    version_approve(version=version, approved_by=facility_manager)
    version.refresh_from_db()
    assert version.status == VersionStatus.EFFECTIVE


def test_approving_a_new_version_supersedes_the_effective_one(manual, procurement_officer, facility_manager):
    v2 = _next_version_in_review(manual, procurement_officer, V2)
    version_approve(version=v2, approved_by=facility_manager)
    v3 = _next_version_in_review(manual, procurement_officer, V2 + "\n\nEvaluation committee above USD 50,000.")
    version_approve(version=v3, approved_by=facility_manager)

    statuses = dict(manual.versions.values_list("number", "status"))
    assert statuses == {1: "superseded", 2: "superseded", 3: "effective"}
    v2.refresh_from_db()
    assert v2.effective_until is not None
    assert manual.versions.filter(status=VersionStatus.EFFECTIVE).count() == 1
    v3.refresh_from_db()
    assert v3.review_due == v3.effective_from.replace(year=v3.effective_from.year + 1)


def test_a_new_draft_copies_the_effective_text_and_only_one_is_open_at_a_time(manual, procurement_officer):
    draft = version_draft(document=manual, drafted_by=procurement_officer)
    assert draft.number == 2 and draft.text == V1
    with pytest.raises(ApplicationError) as second:
        version_draft(document=manual, drafted_by=procurement_officer)
    assert second.value.status_code == 409


def test_a_version_approved_for_a_later_date_waits_and_the_beat_brings_it_into_effect(
    manual, procurement_officer, facility_manager
):
    today = timezone.localdate()
    v2 = _next_version_in_review(manual, procurement_officer, V2)
    version_approve(version=v2, approved_by=facility_manager, effective_from=today + timedelta(days=10))
    v2.refresh_from_db()
    assert v2.status == VersionStatus.APPROVED
    assert manual.versions.get(number=1).status == VersionStatus.EFFECTIVE

    # the beat before the date does nothing; on the date it brings v2 into effect; a second run does nothing
    assert documents_bring_into_effect(today=today + timedelta(days=9)) == 0
    assert documents_bring_into_effect(today=today + timedelta(days=10)) == 1
    assert documents_bring_into_effect(today=today + timedelta(days=10)) == 0
    assert dict(manual.versions.values_list("number", "status")) == {1: "superseded", 2: "effective"}


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_bring_a_version_into_effect_once(
    procurement_officer, procurement_process, quality_officer, facility_manager
):
    # given a version approved for tomorrow
    document = document_create(
        created_by=procurement_officer,
        code="QP-2",
        title="P",
        owner=procurement_officer,
        process=procurement_process,
        text="a",
    )
    version = version_submit(version=document.versions.get(), submitted_by=procurement_officer)
    tomorrow = timezone.localdate() + timedelta(days=1)
    version_approve(version=version, approved_by=quality_officer, effective_from=tomorrow)

    # when two workers run the beat at the same moment
    results: list[int] = []

    def run() -> None:
        try:
            results.append(documents_bring_into_effect(today=tomorrow))
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    # then it took effect once, with one history line
    assert sorted(results) == [0, 1]
    assert document.events.filter(action="effective").count() == 1


def test_an_effective_date_in_the_past_is_refused(manual, procurement_officer, facility_manager):
    v2 = _next_version_in_review(manual, procurement_officer, V2)
    with pytest.raises(ApplicationError) as refused:
        version_approve(
            version=v2, approved_by=facility_manager, effective_from=timezone.localdate() - timedelta(days=1)
        )
    assert "effective_from" in refused.value.fields
    v2.refresh_from_db()
    assert v2.status == VersionStatus.IN_REVIEW


def test_a_version_returned_to_its_author_is_a_draft_again_with_the_reason(
    manual, procurement_officer, facility_manager
):
    v2 = _next_version_in_review(manual, procurement_officer, V2)
    with pytest.raises(ApplicationError):
        version_return(version=v2, returned_by=facility_manager, reason="  ")
    version_return(version=v2, returned_by=facility_manager, reason="Say who sits on the committee.")
    v2.refresh_from_db()
    assert v2.status == VersionStatus.DRAFT
    assert manual.events.filter(action="returned", detail__contains="who sits").exists()


def test_the_acknowledgement_lists_show_who_has_and_who_has_not(
    manual, procurement_officer, make_person, quality_officer
):
    colleague = make_person((Role.PROCUREMENT_AGENT, None), first_name="Paula")
    committee = make_person((Role.CONTRACTS_COMMITTEE, None), first_name="Rafael")
    effective = manual.versions.get(status=VersionStatus.EFFECTIVE)

    version_acknowledge(version=effective, user=colleague)

    status = acknowledgement_status(effective)
    assert [person for person, _ in status.acknowledged] == [colleague]
    assert set(status.pending) == {procurement_officer, committee}
    assert status.progress == "1/3"
    assert pending_acknowledgements(user=committee) == [effective]
    assert pending_acknowledgements(user=colleague) == []

    # a second acknowledgement is refused; someone the document does not concern is refused
    with pytest.raises(ApplicationError) as twice:
        version_acknowledge(version=effective, user=colleague)
    assert twice.value.status_code == 409
    with pytest.raises(ApplicationError) as not_concerned:
        version_acknowledge(version=effective, user=quality_officer)
    assert not_concerned.value.status_code == 403
    assert Acknowledgement.objects.count() == 1


def test_the_difference_shows_the_changed_line(manual, procurement_officer):
    v2 = _next_version_in_review(manual, procurement_officer, V2)
    rows = version_diff(old=manual.versions.get(number=1), new=v2)
    changed = [row for row in rows if row.kind == "changed"]
    assert [(row.old, row.new) for row in changed] == [
        ("Micro-purchases up to USD 5,000.", "Micro-purchases up to USD 10,000.")
    ]


def test_confirming_a_review_moves_the_next_review_on(manual, procurement_officer, make_person):
    effective = manual.versions.get(status=VersionStatus.EFFECTIVE)
    later = timezone.now() + timedelta(days=400)
    version = document_review_confirm(document=manual, confirmed_by=procurement_officer, at=later)
    assert version.review_due == timezone.localdate(later).replace(year=timezone.localdate(later).year + 1)
    assert version.review_due > effective.review_due
    assert manual.events.filter(action="review_confirmed").exists()
    other = make_person((Role.TRAVEL_AGENT, None))
    with pytest.raises(ApplicationError) as refused:
        document_review_confirm(document=manual, confirmed_by=other)
    assert refused.value.status_code == 403


def test_documents_due_for_review_lists_the_overdue_and_the_soon_due(manual):
    effective = manual.versions.get(status=VersionStatus.EFFECTIVE)
    assert list(documents_due_for_review(today=timezone.localdate())) == []
    assert list(documents_due_for_review(today=effective.review_due - timedelta(days=10))) == [effective]
    assert list(documents_due_for_review(today=effective.review_due + timedelta(days=1))) == [effective]


def test_a_withdrawn_document_has_no_effective_version(manual, quality_officer, procurement_officer):
    with pytest.raises(ApplicationError) as not_keeper:
        document_withdraw(document=manual, withdrawn_by=procurement_officer, reason="Old")
    assert not_keeper.value.status_code == 403
    document_withdraw(document=manual, withdrawn_by=quality_officer, reason="Replaced by the UN manual")
    assert not manual.versions.filter(status=VersionStatus.EFFECTIVE).exists()
    with pytest.raises(ApplicationError) as again:
        document_withdraw(document=manual, withdrawn_by=quality_officer, reason="Again")
    assert again.value.status_code == 409


def test_bad_input_is_refused_and_nothing_is_created(quality_officer):
    cases = [
        ({"title": "  ", "text": "x"}, "title", 400),
        ({"title": "T", "text": ""}, "text", 400),
        ({"title": "T", "file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}, "file", 400),
        ({"title": "T", "file": SimpleUploadedFile("a.pdf", b"not a pdf")}, "file", 400),
        ({"title": "T", "file": SimpleUploadedFile("a.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024))}, "file", 413),
    ]
    for fields, field, status in cases:
        with pytest.raises(ApplicationError) as refused:
            document_create(created_by=quality_officer, code="QP-9", owner=quality_officer, **fields)
        assert field in refused.value.fields and refused.value.status_code == status, fields
    assert not Document.objects.exists()


def test_a_pdf_file_is_accepted_as_a_version(quality_officer):
    document = document_create(
        created_by=quality_officer,
        code="QF-1",
        title="Form",
        owner=quality_officer,
        file=SimpleUploadedFile("form.pdf", b"%PDF-1.4 a form"),
    )
    assert document.versions.get().file.name.endswith("form.pdf")


def test_the_auditor_and_an_agency_requester_cannot_change_anything(manual, external_auditor, undp_requester):
    effective = manual.versions.get(status=VersionStatus.EFFECTIVE)
    for person in (external_auditor, undp_requester):
        with pytest.raises(ApplicationError):
            version_draft(document=manual, drafted_by=person)
        with pytest.raises(ApplicationError):
            document_withdraw(document=manual, withdrawn_by=person, reason="x")
        with pytest.raises(ApplicationError):
            document_review_confirm(document=manual, confirmed_by=person)
        with pytest.raises(ApplicationError):
            version_acknowledge(version=effective, user=person)
        with pytest.raises(ApplicationError):
            document_create(created_by=person, code="X-1", title="X", owner=person, text="x")
    assert manual.versions.count() == 1 and Document.objects.count() == 1


# --- pages -----------------------------------------------------------------------------------------------


@pytest.fixture
def manual_with_v2(manual, procurement_officer, facility_manager) -> Document:
    v2 = _next_version_in_review(manual, procurement_officer, V2)
    version_approve(version=v2, approved_by=facility_manager)
    version_draft(document=manual, drafted_by=procurement_officer)
    return manual


def test_every_document_page_answers_for_the_quality_officer_and_the_auditor(
    facility, client_at, quality_officer, external_auditor, manual_with_v2
):
    addresses = [
        "/quality/documents/",
        "/quality/documents/?status=effective&process=PRC-RFQ",
        "/quality/documents/QM-PROC-01/",
        "/quality/documents/QM-PROC-01/versions/1/",
        "/quality/documents/QM-PROC-01/versions/2/",
        "/quality/documents/QM-PROC-01/versions/3/",
        "/quality/documents/QM-PROC-01/versions/2/diff/1/",
    ]
    for person in (quality_officer, external_auditor):
        client = client_at(facility, person)
        for address in addresses:
            assert client.get(address).status_code == 200, (person.email, address)
    assert client_at(facility, quality_officer).get("/quality/documents/new/").status_code == 200


def test_the_register_shows_the_effective_version_and_acknowledgement_progress(
    facility, client_at, quality_officer, manual_with_v2
):
    body = client_at(facility, quality_officer).get("/quality/documents/").content.decode()
    assert "/quality/documents/QM-PROC-01/versions/2/" in body
    assert "0/1" in body  # one procurement officer concerned, none has acknowledged v2


def test_the_diff_page_shows_the_words_that_changed(facility, client_at, quality_officer, manual_with_v2):
    body = client_at(facility, quality_officer).get("/quality/documents/QM-PROC-01/versions/2/diff/1/").content.decode()
    assert "<del>5,000.</del>" in body and "<ins>10,000.</ins>" in body


def test_the_text_is_shown_escaped(facility, client_at, quality_officer):
    document_create(
        created_by=quality_officer, code="QP-X", title="X", owner=quality_officer, text="<script>alert(1)</script>"
    )
    body = client_at(facility, quality_officer).get("/quality/documents/QP-X/versions/1/").content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def test_a_version_that_does_not_exist_is_a_404(facility, client_at, quality_officer, manual):
    client = client_at(facility, quality_officer)
    assert client.get("/quality/documents/QM-PROC-01/versions/9/").status_code == 404
    assert client.post("/quality/documents/QM-PROC-01/versions/9/approve/").status_code == 404
    assert client.get("/quality/documents/NOPE/").status_code == 404


def test_the_author_cannot_approve_their_own_version_on_the_page(
    facility, client_at, procurement_officer, manual, make_person
):
    # given the procurement officer also approves documents (facility manager), and wrote v2
    approver = make_person((Role.FACILITY_MANAGER, None), (Role.PROCUREMENT_AGENT, None))
    manual.owner = approver
    manual.save()
    v2 = _next_version_in_review(manual, approver, V2)
    client = client_at(facility, approver)
    page = client.get("/quality/documents/QM-PROC-01/versions/2/").content.decode()
    assert "/versions/2/approve/" not in page
    response = client.post("/quality/documents/QM-PROC-01/versions/2/approve/", {"effective_from": ""})
    assert response.status_code == 403
    v2.refresh_from_db()
    assert v2.status == VersionStatus.IN_REVIEW


def test_a_journey_on_the_pages_draft_submit_approve_acknowledge(
    facility, client_at, procurement_officer, facility_manager, manual
):
    author = client_at(facility, procurement_officer)
    assert author.get("/quality/documents/QM-PROC-01/versions/new/").status_code == 200
    assert author.post("/quality/documents/QM-PROC-01/versions/new/").status_code == 302
    saved = author.post("/quality/documents/QM-PROC-01/versions/2/edit/", {"text": V2, "change_summary": "Threshold"})
    assert saved.status_code == 302
    assert author.post("/quality/documents/QM-PROC-01/versions/2/submit/").status_code == 302
    approver = client_at(facility, facility_manager)
    past = approver.post(
        "/quality/documents/QM-PROC-01/versions/2/approve/",
        {"effective_from": (timezone.localdate() - timedelta(days=3)).isoformat()},
    )
    assert past.status_code == 400
    assert approver.post("/quality/documents/QM-PROC-01/versions/2/approve/", {"effective_from": ""}).status_code == 302
    assert author.post("/quality/documents/QM-PROC-01/versions/2/acknowledge/").status_code == 302
    again = author.post("/quality/documents/QM-PROC-01/versions/2/acknowledge/")
    assert again.status_code == 409
    body = author.get("/quality/documents/QM-PROC-01/").content.decode()
    assert "Micro-purchases up to USD 10,000." in body
    assert "You have acknowledged version 2." in body


def test_a_file_too_large_or_of_a_wrong_kind_is_a_form_error(facility, client_at, quality_officer):
    client = client_at(facility, quality_officer)
    base = {"code": "QF-2", "title": "Form", "owner": quality_officer.pk, "review_months": 12}
    wrong = client.post("/quality/documents/new/", {**base, "file": _upload("a.exe")})
    assert wrong.status_code == 400
    assert "is a PDF, DOCX, ODT or XLSX file" in wrong.content.decode()
    too_large = client.post(
        "/quality/documents/new/", {**base, "file": _upload("a.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024))}
    )
    assert too_large.status_code in (400, 413)
    assert not Document.objects.exists()


def _upload(name: str, content: bytes = b"MZ\x90\x00") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_the_auditor_is_refused_every_post(facility, client_at, external_auditor, manual_with_v2):
    client = client_at(facility, external_auditor)
    page = client.get("/quality/documents/QM-PROC-01/").content.decode()
    assert "/withdraw/" not in page and "/versions/new/" not in page
    for address in (
        "/quality/documents/QM-PROC-01/withdraw/",
        "/quality/documents/QM-PROC-01/review-confirm/",
        "/quality/documents/QM-PROC-01/versions/2/acknowledge/",
        "/quality/documents/QM-PROC-01/versions/3/submit/",
        "/quality/documents/QM-PROC-01/versions/new/",
        "/quality/documents/new/",
    ):
        assert client.post(address, {"reason": "x"}).status_code == 403, address
    assert manual_with_v2.withdrawn_at is None and manual_with_v2.versions.count() == 3


def test_agency_people_never_reach_the_document_pages(facility, undp, client_at, undp_requester, manual):
    assert client_at(undp, undp_requester).get("/quality/documents/").status_code in (403, 404)
    assert client_at(facility, undp_requester).get("/quality/documents/QM-PROC-01/").status_code in (302, 403, 404)


def test_the_file_of_a_version_downloads_for_facility_staff(facility, client_at, quality_officer, external_auditor):
    document_create(
        created_by=quality_officer,
        code="QF-3",
        title="Form",
        owner=quality_officer,
        file=SimpleUploadedFile("form.pdf", b"%PDF-1.4 a form"),
    )
    response = client_at(facility, external_auditor).get("/quality/documents/QF-3/versions/1/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- API -------------------------------------------------------------------------------------------------


def test_the_api_author_cannot_approve_their_own_version(facility, api_at, quality_officer, facility_manager):
    api = api_at(facility, quality_officer)
    created = api.post(
        "/api/quality/documents/",
        {"code": "QP-API", "title": "Procedure", "owner": quality_officer.email, "text": "Step one."},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert api.post("/api/quality/documents/QP-API/versions/1/submit/").status_code == 200
    own = api.post("/api/quality/documents/QP-API/versions/1/approve/", {}, format="json")
    assert own.status_code == 403 and own.json()["error"]["code"] == "quality.approver_is_author"
    other = api_at(facility, facility_manager).post(
        "/api/quality/documents/QP-API/versions/1/approve/", {}, format="json"
    )
    assert other.status_code == 200 and other.json()["status"] == "effective"


def test_the_api_acknowledgement_status_and_acknowledge(facility, api_at, procurement_officer, manual):
    api = api_at(facility, procurement_officer)
    before = api.get("/api/quality/documents/QM-PROC-01/versions/1/acknowledgements/").json()
    assert [p["email"] for p in before["pending"]] == [procurement_officer.email]
    done = api.post("/api/quality/documents/QM-PROC-01/versions/1/acknowledge/")
    assert done.status_code == 201
    assert [p["email"] for p in done.json()["acknowledged"]] == [procurement_officer.email]
    assert api.post("/api/quality/documents/QM-PROC-01/versions/1/acknowledge/").status_code == 409


def test_the_api_refuses_bad_input_the_auditor_and_agency_people(
    facility, undp, api_at, quality_officer, external_auditor, undp_requester, manual, make_person
):
    api = api_at(facility, quality_officer)
    empty = api.post(
        "/api/quality/documents/", {"code": "QP-Y", "title": "", "owner": quality_officer.email}, format="json"
    )
    assert empty.status_code == 400
    assert api.get("/api/quality/documents/QM-PROC-01/versions/7/").status_code == 404
    auditor = api_at(facility, external_auditor)
    assert auditor.get("/api/quality/documents/QM-PROC-01/").status_code == 200
    assert auditor.post("/api/quality/documents/QM-PROC-01/versions/").status_code == 403
    assert (
        auditor.post("/api/quality/documents/QM-PROC-01/withdraw/", {"reason": "x"}, format="json").status_code == 403
    )
    travel = make_person((Role.TRAVEL_AGENT, None))
    assert api_at(facility, travel).post("/api/quality/documents/QM-PROC-01/versions/").status_code == 403
    assert api_at(undp, undp_requester).get("/api/quality/documents/").status_code in (403, 404)
    assert api_at(facility, undp_requester).get("/api/quality/documents/").status_code in (403, 404)
    assert Document.objects.count() == 1 and manual.versions.count() == 1
