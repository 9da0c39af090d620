"""The evidence pack: what it holds and its manifest's digests, and the verifier that finds a changed, removed or extra
file, an edited manifest, another agency's pack, and refuses what is no pack at all (not a ZIP, a zip bomb, a path
leaving its folder) cleanly."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accountability.models import EvidencePack, PackStatus, ServiceReport
from accountability.services.evidence import (
    MANIFEST,
    FileStatus,
    evidence_pack_archive,
    evidence_pack_build,
    evidence_pack_request,
    evidence_pack_verify,
)
from accountability.services.reports import service_report_write
from accountability.services.scorecards import scorecards_refresh
from accounts.models import Role
from billing.models import Invoice
from governance.models import RegisterEntry
from shared_platform.errors import ApplicationError
from tests.billing.conftest import (  # noqa: F401  (fixtures)
    OCTOBER,
    decision,
    deliver,
    deliver_late,
    finance,
    issue,
    media_root,
    price_list,
    run_month,
)
from tests.sla_fixtures import at

NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def undp_finance(make_person, undp):
    return make_person((Role.AGENCY_FINANCE, undp), email="auditors-friend@undp.test")


@pytest.fixture
def unfpa_finance(make_person, unfpa):
    return make_person((Role.AGENCY_FINANCE, unfpa), email="auditors-friend@unfpa.test")


@pytest.fixture
def october_billed(undp, unfpa, sign_agreement, price_list, deliver, deliver_late, run_month, issue):  # noqa: F811
    """October delivered, billed and issued for UNDP (with a breach), its scorecards and service report written."""
    sign_agreement(undp, grants_service_credits=True)
    sign_agreement(unfpa)
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    deliver_late(undp, at(2026, 10, 7, 10, 0))
    deliver(unfpa, "ICT-REQ", at(2026, 10, 8, 10, 0))
    run_month()
    invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    issue(Invoice.objects.get(agency=unfpa, month=OCTOBER))
    scorecards_refresh(months=[OCTOBER, NOVEMBER], now=timezone.now())
    service_report_write(agency=undp, month=OCTOBER, now=timezone.now())
    return invoice


def _build(agency: Any, person: Any, *, first: date = OCTOBER, last: date = NOVEMBER) -> EvidencePack:
    pack = evidence_pack_request(
        agency=agency, month_from=first, month_to=last, requested_by=person, now=timezone.now()
    )
    evidence_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    return pack


def _archive(pack: EvidencePack) -> bytes:
    with evidence_pack_archive(pack=pack) as handle:
        return handle.read()


def _rezip(
    content: bytes, *, change: dict[str, bytes] | None = None, drop: str = "", add: dict[str, bytes] | None = None
) -> bytes:
    """The archive again, with some members' bytes changed, one dropped or some added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == drop:
                continue
            target.writestr(info.filename, (change or {}).get(info.filename, source.read(info.filename)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def test_the_pack_holds_the_periods_documents_and_a_manifest_of_their_digests(october_billed, undp, undp_finance):
    # when UNDP asks for October to November and the worker assembles it
    pack = _build(undp, undp_finance)
    # then it is ready, numbered for UNDP, and its ZIP is in UNDP's storage
    assert pack.status == PackStatus.READY and pack.files_done == pack.files_total
    assert pack.reference.startswith(f"EVP-UNDP-{timezone.localtime().year}-")
    content = _archive(pack)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        manifest_bytes = archive.read(MANIFEST)
        manifest = json.loads(manifest_bytes)
        # each file's size and SHA-256 in the manifest are the archive's own
        for item in manifest["files"]:
            data = archive.read(item["path"])
            assert (item["size"], item["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
        # the register entries carry the chain's hashes as the register keeps them
        entry = RegisterEntry.objects.order_by("number").first()
        assert entry is not None
        document = json.loads(archive.read(f"register/entry-{entry.number:06d}.json"))
        assert (document["entry_hash"], document["previous_hash"]) == (entry.entry_hash, entry.previous_hash)
        cells = archive.read("scorecards/cells.csv").decode()
    assert f"invoices/{october_billed.number}.pdf" in names
    assert "service-reports/UNDP-2026-10.pdf" in names
    assert {"scorecards/cells.csv", "scorecards/agency-months.csv", MANIFEST} <= names
    assert names == {item["path"] for item in manifest["files"]} | {MANIFEST}
    # and nothing of UNFPA's: its invoice is not in UNDP's pack
    unfpa_invoice = Invoice.objects.exclude(agency=undp).get(month=OCTOBER)
    assert f"invoices/{unfpa_invoice.number}.pdf" not in names
    assert "ICT-REQ" in cells and "UNFPA" not in cells
    # and the platform keeps the manifest and its digest
    assert pack.manifest == manifest
    assert pack.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()
    assert (manifest["reference"], manifest["agency"], manifest["period"]) == (
        pack.reference,
        "UNDP",
        {"from": "2026-10", "to": "2026-11"},
    )


def test_building_twice_leaves_the_ready_pack_as_it_is(october_billed, undp, undp_finance):
    pack = _build(undp, undp_finance)
    evidence_pack_build(pack_id=pack.pk)
    again = EvidencePack.objects.get(pk=pack.pk)
    assert (again.manifest_sha256, again.archive_file, again.finished_at) == (
        pack.manifest_sha256,
        pack.archive_file,
        pack.finished_at,
    )


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        (date(2027, 1, 1), date(2027, 2, 1), "accountability.pack_month_in_future"),
        (date(2026, 10, 1), date(2026, 9, 1), "accountability.pack_months_out_of_order"),
        (date(2024, 10, 1), date(2026, 10, 1), "accountability.pack_too_many_months"),
        (date(1999, 12, 1), date(2000, 1, 1), "accountability.pack_month_too_early"),
    ],
)
def test_a_pack_covers_past_or_current_months_at_most_24(undp, undp_finance, first, last, code):
    with pytest.raises(ApplicationError) as refused:
        evidence_pack_request(
            agency=undp, month_from=first, month_to=last, requested_by=undp_finance, now=at(2026, 11, 20, 9, 0)
        )
    assert refused.value.code == code
    assert not EvidencePack.objects.exists()


def test_24_months_up_to_the_current_one_are_accepted(undp, undp_finance):
    pack = evidence_pack_request(
        agency=undp,
        month_from=date(2024, 12, 1),
        month_to=NOVEMBER,
        requested_by=undp_finance,
        now=at(2026, 11, 20, 9, 0),
    )
    assert pack.status == PackStatus.QUEUED


def test_a_fresh_archive_verifies(october_billed, undp, undp_finance):
    pack = _build(undp, undp_finance)
    report = evidence_pack_verify(archive=_archive(pack), scope=undp)
    assert report.ok and report.issued and report.reference == pack.reference
    assert all(check.status == FileStatus.OK for check in report.files)
    # the invoice, the service report and the register entries were compared with the platform's own copies
    checked = {check.path for check in report.files if check.platform_checked}
    assert f"invoices/{october_billed.number}.pdf" in checked
    assert "service-reports/UNDP-2026-10.pdf" in checked
    assert any(path.startswith("register/") for path in checked)
    # and the facility (every agency's scope) verifies it too
    assert evidence_pack_verify(archive=_archive(pack), scope=None).ok


def test_a_changed_byte_in_one_file_is_found_and_named(october_billed, undp, undp_finance):
    pack = _build(undp, undp_finance)
    content = _archive(pack)
    path = f"invoices/{october_billed.number}.pdf"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        original = bytearray(archive.read(path))
    original[len(original) // 2] ^= 0x01
    report = evidence_pack_verify(archive=_rezip(content, change={path: bytes(original)}), scope=undp)
    assert not report.ok
    assert [(check.path, check.status) for check in report.problems] == [(path, FileStatus.CHANGED)]
    assert any(path in line for line in report.lines())


def test_a_removed_file_and_an_added_file_are_found(october_billed, undp, undp_finance):
    pack = _build(undp, undp_finance)
    report = evidence_pack_verify(
        archive=_rezip(_archive(pack), drop="scorecards/cells.csv", add={"invoices/extra.pdf": b"%PDF-1.4 not ours"}),
        scope=undp,
    )
    assert {(check.path, check.status) for check in report.problems} == {
        ("scorecards/cells.csv", FileStatus.MISSING),
        ("invoices/extra.pdf", FileStatus.EXTRA),
    }
    assert not report.ok


def test_an_edited_manifest_is_not_the_platforms(october_billed, undp, undp_finance):
    # given someone changes a file and writes its new digest into the manifest, so the two agree
    pack = _build(undp, undp_finance)
    content = _archive(pack)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    forged = b"month,service\n2026-10,ICT-REQ\n"
    for item in manifest["files"]:
        if item["path"] == "scorecards/cells.csv":
            item["sha256"], item["size"] = hashlib.sha256(forged).hexdigest(), len(forged)
    edited = _rezip(content, change={"scorecards/cells.csv": forged, MANIFEST: json.dumps(manifest).encode()})
    # then every file matches the manifest, but the manifest is not the one the platform issued
    report = evidence_pack_verify(archive=edited, scope=undp)
    assert not report.problems
    assert not report.issued and not report.ok
    assert pack.reference in report.issue_problem


def test_a_document_swapped_with_a_matching_manifest_is_not_the_platforms_copy(october_billed, undp, undp_finance):
    pack = _build(undp, undp_finance)
    content = _archive(pack)
    path = f"invoices/{october_billed.number}.pdf"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    forged = b"%PDF-1.4 a different invoice"
    for item in manifest["files"]:
        if item["path"] == path:
            item["sha256"] = hashlib.sha256(forged).hexdigest()
    report = evidence_pack_verify(
        archive=_rezip(content, change={path: forged, MANIFEST: json.dumps(manifest).encode()}), scope=undp
    )
    assert [(check.path, check.status) for check in report.problems] == [(path, FileStatus.DIFFERS)]


def test_another_agencys_pack_is_not_issued_for_this_agency(october_billed, undp, unfpa, undp_finance):
    pack = _build(undp, undp_finance)
    report = evidence_pack_verify(archive=_archive(pack), scope=unfpa)
    assert not report.issued and not report.ok
    assert report.issue_problem == "This pack was not issued for this agency."
    # and none of UNDP's documents were compared with the platform's copies for UNFPA's caller
    assert not any(check.platform_checked for check in report.files)


def _zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("archive", "code"),
    [
        (b"this is not a zip at all", "accountability.pack_not_zip"),
        (b"", "accountability.pack_not_zip"),
        (_zip({"invoices/a.pdf": b"x"}), "accountability.pack_no_manifest"),
        (_zip({MANIFEST: b"{not json"}), "accountability.pack_bad_manifest"),
        (_zip({MANIFEST: b'{"files": [{"path": 3}]}'}), "accountability.pack_bad_manifest"),
        (_zip({MANIFEST: b'{"files": []}', "../../etc/passwd": b"x"}), "accountability.pack_bad_path"),
        (_zip({MANIFEST: b'{"files": []}', "/absolute.txt": b"x"}), "accountability.pack_bad_path"),
        (
            _zip({MANIFEST: b'{"files": []}', "bomb.bin": b"\0" * (20 * 1024 * 1024)}),
            "accountability.pack_too_large_unpacked",
        ),
    ],
)
def test_what_is_no_pack_is_refused_clearly(db, archive, code):
    with pytest.raises(ApplicationError) as refused:
        evidence_pack_verify(archive=archive, scope=None)
    assert refused.value.code == code


def test_too_many_members_are_refused_before_any_is_read(db, monkeypatch):
    from accountability.services import evidence

    monkeypatch.setattr(evidence, "VERIFY_MAX_MEMBERS", 3)
    archive = _zip({MANIFEST: b'{"files": []}', **{f"register/{n}.json": b"{}" for n in range(5)}})
    with pytest.raises(ApplicationError) as refused:
        evidence_pack_verify(archive=archive, scope=None)
    assert refused.value.code == "accountability.pack_too_many_files"


def test_the_command_exits_0_when_it_verifies_and_1_with_a_line_per_problem(
    october_billed, undp, undp_finance, tmp_path, capsys
):
    pack = _build(undp, undp_finance)
    good = tmp_path / "good.zip"
    good.write_bytes(_archive(pack))
    call_command("verify_evidence_pack", str(good))
    assert pack.reference in capsys.readouterr().out
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_rezip(_archive(pack), drop="scorecards/agency-months.csv"))
    with pytest.raises(CommandError) as failed:
        call_command("verify_evidence_pack", str(bad))
    assert failed.value.returncode == 1
    assert "scorecards/agency-months.csv" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("verify_evidence_pack", str(good), "--agency", "UNFPA")
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"junk")
    with pytest.raises(CommandError) as refused:
        call_command("verify_evidence_pack", str(junk))
    assert "accountability.pack_not_zip" in str(refused.value)


def test_requesting_queues_the_build_after_commit(undp, undp_finance, django_capture_on_commit_callbacks):
    # given no invoices or reports: the pack still holds the scorecards and the manifest
    with django_capture_on_commit_callbacks(execute=True):
        pack = evidence_pack_request(
            agency=undp, month_from=OCTOBER, month_to=OCTOBER, requested_by=undp_finance, now=timezone.now()
        )
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY
    assert {item["path"] for item in pack.manifest["files"]} >= {"scorecards/cells.csv", "scorecards/agency-months.csv"}
    assert ServiceReport.objects.count() == 0


def test_a_failed_pack_says_so_and_is_assembled_again_by_the_next_run(undp, undp_finance, monkeypatch):
    from accountability.services import evidence

    pack = evidence_pack_request(
        agency=undp, month_from=OCTOBER, month_to=OCTOBER, requested_by=undp_finance, now=timezone.now()
    )

    def broken(pack: Any) -> Any:
        raise OSError("disk full")

    # when the storage fails while it is assembled: failed, with a message, and no archive
    with monkeypatch.context() as patched:
        patched.setattr(evidence, "pack_contents", broken)
        evidence_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED and "OSError" in pack.message and not pack.archive_file
    # when the task runs again: ready
    evidence_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.message == "" and pack.manifest_sha256


def test_a_pack_being_assembled_is_not_taken_by_a_second_run(undp, undp_finance):
    pack = evidence_pack_request(
        agency=undp, month_from=OCTOBER, month_to=OCTOBER, requested_by=undp_finance, now=timezone.now()
    )
    EvidencePack.objects.filter(pk=pack.pk).update(status=PackStatus.BUILDING)
    evidence_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == PackStatus.BUILDING and not pack.archive_file
