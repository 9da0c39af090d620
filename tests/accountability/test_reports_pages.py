"""Service reports and evidence packs on the pages and the API: each agency reads its own only, the facility every
agency's; "Write now" and "Assemble a pack" for those who may; bad input is a 4xx that changes nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accountability.models import EvidencePack, PackStatus, ServiceReport
from accountability.services.evidence import evidence_pack_archive, evidence_pack_build, evidence_pack_request
from accountability.services.reports import service_report_write
from accounts.models import Role
from tests.billing.conftest import media_root  # noqa: F401  (fixture)

OCTOBER = date(2026, 10, 1)
SEPTEMBER = date(2026, 9, 1)


@pytest.fixture
def people(make_person, facility, undp, unfpa):
    return {
        "undp_finance": make_person((Role.AGENCY_FINANCE, undp), email="finance@undp.test"),
        "undp_requester": make_person((Role.REQUESTER, undp), email="requester@undp.test"),
        "unfpa_finance": make_person((Role.AGENCY_FINANCE, unfpa), email="finance@unfpa.test"),
        "manager": make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test"),
        "auditor": make_person((Role.AUDITOR, None), email="auditor@facility.test"),
        "ict": make_person((Role.ICT_AGENT, None), email="ict@facility.test"),
    }


@pytest.fixture
def reports(undp, unfpa, sign_agreement):
    sign_agreement(undp)
    sign_agreement(unfpa)
    now = timezone.now()
    return {
        "undp": service_report_write(agency=undp, month=OCTOBER, now=now),
        "unfpa": service_report_write(agency=unfpa, month=OCTOBER, now=now),
    }


@pytest.fixture
def packs(undp, unfpa, people):
    made = {}
    for key, agency, person in (("undp", undp, people["undp_finance"]), ("unfpa", unfpa, people["unfpa_finance"])):
        pack = evidence_pack_request(
            agency=agency, month_from=SEPTEMBER, month_to=OCTOBER, requested_by=person, now=timezone.now()
        )
        evidence_pack_build(pack_id=pack.pk)
        pack.refresh_from_db()
        made[key] = pack
    return made


def _zip_of(pack: EvidencePack) -> bytes:
    with evidence_pack_archive(pack=pack) as handle:
        return handle.read()


# -- service reports --------------------------------------------------------------------------------------------


def test_an_agencys_finance_officer_lists_reads_and_downloads_its_own_report(client_at, undp, people, reports):
    client = client_at(undp, people["undp_finance"])
    listed = client.get("/accountability/reports/")
    assert listed.status_code == 200
    assert f"/accountability/reports/{reports['undp'].pk}/pdf/".encode() in listed.content
    assert f"/accountability/reports/{reports['unfpa'].pk}/".encode() not in listed.content
    assert client.get(f"/accountability/reports/{reports['undp'].pk}/").status_code == 200
    pdf = client.get(f"/accountability/reports/{reports['undp'].pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"


def test_unfpas_address_never_lists_or_serves_undps_report(client_at, api_at, unfpa, undp, people, reports):
    undp_report = reports["undp"]
    # UNFPA's finance officer on UNFPA's address
    client = client_at(unfpa, people["unfpa_finance"])
    assert f"/accountability/reports/{undp_report.pk}/".encode() not in client.get("/accountability/reports/").content
    assert client.get(f"/accountability/reports/{undp_report.pk}/").status_code == 404
    assert client.get(f"/accountability/reports/{undp_report.pk}/pdf/").status_code == 404
    api = api_at(unfpa, people["unfpa_finance"])
    listed = api.get("/api/accountability/reports/")
    assert listed.status_code == 200
    assert [row["agency"] for row in listed.json()["results"]] == ["UNFPA"]
    assert api.get(f"/api/accountability/reports/{undp_report.pk}/").status_code == 404
    assert api.get(f"/api/accountability/reports/{undp_report.pk}/pdf/").status_code == 404
    # UNDP's finance officer sending UNDP's session to UNFPA's address is refused before any view runs
    assert (
        client_at(unfpa, people["undp_finance"]).get(f"/accountability/reports/{reports['unfpa'].pk}/").status_code
        == 403
    )
    assert api_at(unfpa, people["undp_finance"]).get("/api/accountability/reports/").status_code == 403


def test_a_requester_reads_no_reports(client_at, api_at, undp, people, reports):
    assert client_at(undp, people["undp_requester"]).get("/accountability/reports/").status_code == 403
    assert api_at(undp, people["undp_requester"]).get("/api/accountability/reports/").status_code == 403


def test_the_facility_reads_every_agencys_reports_with_filters(client_at, api_at, facility, people, reports):
    client = client_at(facility, people["auditor"])
    page = client.get("/accountability/reports/", {"agency": "UNFPA", "month": "2026-10"})
    assert page.status_code == 200
    assert f"/accountability/reports/{reports['unfpa'].pk}/".encode() in page.content
    assert f"/accountability/reports/{reports['undp'].pk}/".encode() not in page.content
    # the auditor reads but is offered no "Write now"
    assert b"write-now" not in page.content
    for garbage in ({"month": "2026-13"}, {"agency": "NOPE"}, {"page": "x"}, {"sort": "-nothing"}):
        assert client.get("/accountability/reports/", garbage).status_code == 200
    api = api_at(facility, people["auditor"])
    assert {row["agency"] for row in api.get("/api/accountability/reports/").json()["results"]} == {"UNDP", "UNFPA"}
    assert api.get("/api/accountability/reports/", {"agency": "UNDP"}).json()["count"] == 1
    assert api.get("/api/accountability/reports/", {"month": "2026-13"}).status_code == 400
    assert api.get("/api/accountability/reports/", {"agency": "NOPE"}).status_code == 400
    detail = api.get(f"/api/accountability/reports/{reports['undp'].pk}/").json()
    assert detail["figures"]["agency"] == "UNDP" and detail["month"] == "2026-10"
    assert api.get("/api/accountability/reports/99999999999999999999/").status_code == 404


def test_write_now_refuses_the_current_month_and_writes_a_past_one(client_at, facility, undp, people, sign_agreement):
    sign_agreement(undp)
    client = client_at(facility, people["manager"])
    assert b"write-now" in client.get("/accountability/reports/").content
    current = f"{timezone.localdate():%Y-%m}"
    refused = client.post("/accountability/reports/write/", {"agency": "UNDP", "month": current})
    assert refused.status_code == 400 and b"not over yet" in refused.content
    for bad in ({"agency": "UNDP", "month": "2026-13"}, {"agency": "NOPE", "month": "2026-10"}, {}):
        assert client.post("/accountability/reports/write/", bad).status_code == 400
    assert not ServiceReport.objects.exists()
    written = client.post("/accountability/reports/write/", {"agency": "UNDP", "month": "2026-10"})
    report = ServiceReport.objects.get()
    assert written.status_code == 302 and written["Location"] == f"/accountability/reports/{report.pk}/"
    # the auditor and an ICT officer may not write
    assert (
        client_at(facility, people["auditor"])
        .post("/accountability/reports/write/", {"agency": "UNDP", "month": "2026-09"})
        .status_code
        == 403
    )
    assert ServiceReport.objects.count() == 1


# -- evidence packs ----------------------------------------------------------------------------------------------


def test_an_agency_assembles_downloads_and_verifies_its_pack_on_its_pages(
    client_at, undp, people, django_capture_on_commit_callbacks
):
    client = client_at(undp, people["undp_finance"])
    assert b"assemble-pack" in client.get("/accountability/evidence/").content
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/accountability/evidence/", {"month_from": "2026-09", "month_to": "2026-10"})
    pack = EvidencePack.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/accountability/evidence/{pack.pk}/"
    assert pack.agency == undp
    progress = client.get(f"/accountability/evidence/{pack.pk}/progress/").json()
    assert progress["status"] == PackStatus.READY and progress["finished"] and progress["percent"] == 100
    assert client.get(f"/accountability/evidence/{pack.pk}/").status_code == 200
    download = client.get(f"/accountability/evidence/{pack.pk}/download/")
    content = b"".join(download.streaming_content)
    assert download.status_code == 200 and zipfile.is_zipfile(io.BytesIO(content))
    verified = client.post("/accountability/evidence/verify/", {"archive": SimpleUploadedFile("pack.zip", content)})
    assert verified.status_code == 200 and b'data-ok="true"' in verified.content


@pytest.mark.parametrize(
    "months",
    [
        {"month_from": "2026-13", "month_to": "2026-10"},
        {"month_from": "2030-01", "month_to": "2030-02"},
        {"month_from": "2020-01", "month_to": "2026-10"},
        {"month_from": "", "month_to": ""},
        {"month_from": "x" * 5000, "month_to": "-1"},
    ],
)
def test_bad_months_are_a_form_error_and_nothing_is_asked(client_at, undp, people, months):
    response = client_at(undp, people["undp_finance"]).post("/accountability/evidence/", months)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not EvidencePack.objects.exists()


def test_the_verify_page_refuses_what_is_no_pack_with_a_400(client_at, undp, people):
    client = client_at(undp, people["undp_finance"])
    traversal = io.BytesIO()
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("manifest.json", '{"files": []}')
        archive.writestr("../evil.txt", "x")
    for upload in (b"not a zip", traversal.getvalue()):
        response = client.post("/accountability/evidence/verify/", {"archive": SimpleUploadedFile("x.zip", upload)})
        assert response.status_code == 400 and b"errornote" in response.content
    assert client.post("/accountability/evidence/verify/", {}).status_code == 400


def test_unfpas_address_never_lists_downloads_or_confirms_undps_pack(client_at, api_at, unfpa, people, packs):
    undp_pack = packs["undp"]
    client = client_at(unfpa, people["unfpa_finance"])
    listed = client.get("/accountability/evidence/")
    assert undp_pack.reference.encode() not in listed.content and packs["unfpa"].reference.encode() in listed.content
    for suffix in ("", "progress/", "download/"):
        assert client.get(f"/accountability/evidence/{undp_pack.pk}/{suffix}").status_code == 404
    verified = client.post(
        "/accountability/evidence/verify/", {"archive": SimpleUploadedFile("p.zip", _zip_of(undp_pack))}
    )
    assert verified.status_code == 200 and b"not issued for this agency" in verified.content
    api = api_at(unfpa, people["unfpa_finance"])
    assert [row["reference"] for row in api.get("/api/accountability/evidence-packs/").json()["results"]] == [
        packs["unfpa"].reference
    ]
    for suffix in ("", "download/"):
        assert api.get(f"/api/accountability/evidence-packs/{undp_pack.pk}/{suffix}").status_code == 404
    checked = api.post(
        "/api/accountability/evidence-packs/verify/",
        {"archive": SimpleUploadedFile("p.zip", _zip_of(undp_pack))},
        format="multipart",
    ).json()
    assert checked["ok"] is False and checked["issued"] is False


def test_the_api_asks_for_reads_downloads_and_verifies_a_pack(
    api_at, facility, undp, people, django_capture_on_commit_callbacks
):
    api = api_at(undp, people["undp_finance"])
    with django_capture_on_commit_callbacks(execute=True):
        made = api.post(
            "/api/accountability/evidence-packs/", {"month_from": "2026-09", "month_to": "2026-10"}, format="json"
        )
    assert made.status_code == 201, made.content
    pack_id = made.json()["id"]
    detail = api.get(f"/api/accountability/evidence-packs/{pack_id}/").json()
    assert detail["status"] == "ready" and detail["agency"] == "UNDP" and detail["manifest"]["agency"] == "UNDP"
    download = api.get(f"/api/accountability/evidence-packs/{pack_id}/download/")
    content = b"".join(download.streaming_content)
    verified = api.post(
        "/api/accountability/evidence-packs/verify/",
        {"archive": SimpleUploadedFile("p.zip", content)},
        format="multipart",
    )
    assert verified.status_code == 200 and verified.json()["ok"] is True
    # bad input: a 400 with the error shape, nothing asked for
    for bad in ({"month_from": "2026-13", "month_to": "2026-10"}, {"month_from": "2030-01", "month_to": "2030-01"}, {}):
        refused = api.post("/api/accountability/evidence-packs/", bad, format="json")
        assert refused.status_code == 400 and "error" in refused.json()
    assert EvidencePack.objects.count() == 1
    assert (
        api.post(
            "/api/accountability/evidence-packs/verify/",
            {"archive": SimpleUploadedFile("x.zip", b"junk")},
            format="multipart",
        ).status_code
        == 400
    )
    # the facility asks for a named agency; the auditor only reads
    manager = api_at(facility, people["manager"])
    assert (
        manager.post(
            "/api/accountability/evidence-packs/", {"month_from": "2026-10", "month_to": "2026-10"}, format="json"
        ).status_code
        == 400
    )
    assert (
        manager.post(
            "/api/accountability/evidence-packs/",
            {"agency": "UNDP", "month_from": "2026-10", "month_to": "2026-10"},
            format="json",
        ).status_code
        == 201
    )
    assert (
        api_at(facility, people["auditor"])
        .post(
            "/api/accountability/evidence-packs/",
            {"agency": "UNDP", "month_from": "2026-10", "month_to": "2026-10"},
            format="json",
        )
        .status_code
        == 403
    )
    assert api_at(undp, people["undp_requester"]).get("/api/accountability/evidence-packs/").status_code == 403


def test_the_facility_assembles_a_pack_for_an_agency_and_the_auditor_only_reads(client_at, facility, people, packs):
    manager = client_at(facility, people["manager"])
    page = manager.get("/accountability/evidence/")
    assert b"assemble-pack" in page.content
    assert packs["undp"].reference.encode() in page.content and packs["unfpa"].reference.encode() in page.content
    assert packs["unfpa"].reference.encode() not in manager.get("/accountability/evidence/", {"agency": "UNDP"}).content
    asked = manager.post(
        "/accountability/evidence/", {"agency": "UNFPA", "month_from": "2026-10", "month_to": "2026-10"}
    )
    assert asked.status_code == 302
    auditor = client_at(facility, people["auditor"])
    assert b"assemble-pack" not in auditor.get("/accountability/evidence/").content
    before = EvidencePack.objects.count()
    assert (
        auditor.post(
            "/accountability/evidence/", {"agency": "UNDP", "month_from": "2026-10", "month_to": "2026-10"}
        ).status_code
        == 403
    )
    assert EvidencePack.objects.count() == before
