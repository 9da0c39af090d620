"""Evidence packs for an agency's auditors: one ZIP of its documents of a period, and checking one against the platform.

Issue 17: "one archive with its invoices, credit notes, the register entries
of the period with the chain's hashes, its scorecards and service reports,
and a manifest of SHA-256 digests; a verify command and page check an
archive against the platform" (ISO 9001:2015 clause 7.5.3: documented
information kept, protected from loss of integrity, and retrievable).

A pack's ZIP holds

    invoices/<number>.pdf             the issued invoices of the months (the stored PDFs)
    credit-notes/<number>.pdf         credit notes cancelling them or issued in the months
    register/entry-<number>.json      the board register's entries recorded in the months, with their hashes
    scorecards/cells.csv              the agency's scorecard cells (month x service) of the months
    scorecards/agency-months.csv      its agency-month figures
    service-reports/<CODE>-<YYYY-MM>.pdf  its monthly service reports
    manifest.json                     reference, agency, period, generated at, and each file's path, size, SHA-256

and the platform keeps the manifest and the SHA-256 of manifest.json's bytes
on the pack's row: an archive whose manifest digest is not one the platform
issued (for that agency) was assembled or edited elsewhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_tenants.utils import tenant_context

from accounts.models import User
from billing.models import CreditNote, Invoice
from billing.pdf import credit_note_pdf, invoice_pdf
from billing.selectors import month_start
from billing.services import credit_note_pdf_store, document_read, invoice_pdf_store, number_next
from governance.models import RegisterEntry
from governance.register import entry_hash_compute
from shared_platform.errors import ApplicationError
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from ..models import EvidencePack, PackStatus, ServiceReport
from ..pdf_report import service_report_pdf
from ..selectors import evidence as selectors
from ..selectors.reports import facility_today, months_between

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MONTHS_AT_MOST = 24
EARLIEST_MONTH = date(2000, 1, 1)
# What verify reads before refusing an archive as a possible zip bomb or not a pack at all.
VERIFY_MAX_ARCHIVE_BYTES = 200 * 1024 * 1024
VERIFY_MAX_MEMBERS = 5_000
VERIFY_MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
VERIFY_MAX_MANIFEST_BYTES = 5 * 1024 * 1024
VERIFY_MAX_RATIO = 200  # uncompressed / compressed of one member larger than 1 MB
FOLDERS = ("invoices/", "credit-notes/", "register/", "scorecards/", "service-reports/")


def _refuse(message: str, *, code: str, field_name: str = "", status_code: int = 400) -> ApplicationError:
    return ApplicationError(
        message,
        code=f"accountability.{code}",
        status_code=status_code,
        fields={field_name: [message]} if field_name else None,
    )


# -- asking for a pack ---------------------------------------------------------------------------------


@transaction.atomic
def evidence_pack_request(
    *, agency: Agency, month_from: date, month_to: date, requested_by: User, now: datetime
) -> EvidencePack:
    """Ask for an agency's evidence pack of past or current months (at most 24), assembled by the worker.

    Numbered EVP-<AGENCY>-<year>-<n> from billing's locked counter (gapless, never max()+1); the
    assembly is queued after the commit (tasks.evidence_pack_build_task).
    """
    from ..tasks import evidence_pack_build_task

    if agency.is_facility:
        raise _refuse(
            gettext("An evidence pack is an agency's; choose an agency."),
            code="pack_not_an_agency",
            field_name="agency",
        )
    month_from, month_to = month_start(month_from), month_start(month_to)
    if month_from < EARLIEST_MONTH:
        raise _refuse(
            gettext("Give a month from January 2000 on."), code="pack_month_too_early", field_name="month_from"
        )
    if month_to < month_from:
        raise _refuse(
            gettext("The last month comes before the first."), code="pack_months_out_of_order", field_name="month_to"
        )
    if month_to > month_start(facility_today(now)):
        raise _refuse(
            gettext("A pack covers past or current months; %(month)s is in the future.")
            % {"month": f"{month_to:%Y-%m}"},
            code="pack_month_in_future",
            field_name="month_to",
        )
    if months_between(month_from, month_to) > MONTHS_AT_MOST:
        raise _refuse(
            gettext("A pack covers at most %(count)d months; ask for several packs.") % {"count": MONTHS_AT_MOST},
            code="pack_too_many_months",
            field_name="month_from",
        )
    year = timezone.localtime(now).year
    pack = EvidencePack.objects.create(
        reference=number_next(series=f"EVP-{agency.code}", year=year),
        agency=agency,
        month_from=month_from,
        month_to=month_to,
        requested_by=requested_by,
        requested_at=now,
    )
    enqueue_after_commit(evidence_pack_build_task, pack.pk)
    return pack


# -- assembling it -------------------------------------------------------------------------------------


Producer = Callable[[], bytes]


def _invoice_bytes(invoice: Invoice) -> bytes:
    if not invoice.pdf_file:
        invoice = invoice_pdf_store(invoice_id=invoice.pk)
    return document_read(agency=invoice.agency, name=invoice.pdf_file, render=lambda: invoice_pdf(invoice=invoice))


def _credit_note_bytes(note: CreditNote) -> bytes:
    if not note.pdf_file:
        note = credit_note_pdf_store(credit_note_id=note.pk)
    return document_read(agency=note.agency, name=note.pdf_file, render=lambda: credit_note_pdf(credit_note=note))


def _report_bytes(report: ServiceReport) -> bytes:
    return document_read(agency=report.agency, name=report.pdf_file, render=lambda: service_report_pdf(report=report))


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _csv_bytes(header: list[str], rows: Iterator[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


CELL_COLUMNS = [
    "month",
    "service",
    "module",
    "opened",
    "delivered",
    "met",
    "breached",
    "rated",
    "rating_total",
    "usage_billed",
    "credits",
    "nonconformities_open",
    "actions_open",
    "actions_overdue",
]
AGENCY_MONTH_COLUMNS = [
    "month",
    "invoice_number",
    "fixed_share",
    "credits_over_cap",
    "invoiced_total",
    "late_bookings",
    "tickets_issued",
    "split_flags",
    "agreement_spend",
]


def pack_contents(pack: EvidencePack) -> list[tuple[str, Producer]]:
    """Every file of the pack but the manifest, in the order they are written, each with how to read it."""
    agency, first, last = pack.agency, pack.month_from, pack.month_to
    files: list[tuple[str, Producer]] = []
    for invoice in selectors.pack_invoices(agency=agency, month_from=first, month_to=last):
        files.append((f"invoices/{invoice.number}.pdf", lambda invoice=invoice: _invoice_bytes(invoice)))  # type: ignore[misc]
    for note in selectors.pack_credit_notes(agency=agency, month_from=first, month_to=last):
        files.append((f"credit-notes/{note.number}.pdf", lambda note=note: _credit_note_bytes(note)))  # type: ignore[misc]
    for entry in selectors.pack_register_entries(month_from=first, month_to=last):
        files.append(
            (
                f"register/entry-{entry.number:06d}.json",
                lambda entry=entry: _json_bytes(selectors.register_entry_document(entry)),  # type: ignore[misc]
            )
        )

    def cells() -> bytes:
        rows = selectors.pack_cells(agency=agency, month_from=first, month_to=last)
        return _csv_bytes(
            CELL_COLUMNS,
            (
                [f"{cell.month:%Y-%m}", cell.service.code, *(getattr(cell, name) for name in CELL_COLUMNS[2:])]
                for cell in rows
            ),
        )

    def agency_months() -> bytes:
        rows = selectors.pack_agency_months(agency=agency, month_from=first, month_to=last)
        return _csv_bytes(
            AGENCY_MONTH_COLUMNS,
            ([f"{row.month:%Y-%m}", *(getattr(row, name) for name in AGENCY_MONTH_COLUMNS[1:])] for row in rows),
        )

    files.append(("scorecards/cells.csv", cells))
    files.append(("scorecards/agency-months.csv", agency_months))
    for report in selectors.pack_service_reports(agency=agency, month_from=first, month_to=last):
        files.append(
            (f"service-reports/{agency.code}-{report.month:%Y-%m}.pdf", lambda report=report: _report_bytes(report))  # type: ignore[misc]
        )
    return files


# The pack's workflow: queued -> building -> ready | failed; a failed pack may be assembled again.
PACK_MOVES: dict[str, frozenset[str]] = {
    PackStatus.QUEUED: frozenset({PackStatus.BUILDING}),
    PackStatus.BUILDING: frozenset({PackStatus.READY, PackStatus.FAILED}),
    PackStatus.FAILED: frozenset({PackStatus.BUILDING}),
    PackStatus.READY: frozenset(),
}


def _pack_move(pack: EvidencePack, to: str, **fields: Any) -> bool:
    """Move the pack to `to` if the table allows it and nobody moved it first (a conditional UPDATE, committed
    at once so the polling page sees it); False when another run got there first."""
    if to not in PACK_MOVES[pack.status]:
        raise _refuse(
            gettext("An evidence pack that is %(status)s cannot become %(to)s.")
            % {"status": pack.get_status_display(), "to": PackStatus(to).label},
            code="pack_wrong_status",
            status_code=409,
        )
    moved = EvidencePack.objects.filter(pk=pack.pk, status=pack.status).update(status=to, **fields)
    pack.status = to
    return bool(moved)


def _claim(pack_id: int) -> EvidencePack | None:
    """Take the pack for this run: None when it is ready, or another run is assembling it."""
    pack = EvidencePack.objects.select_related("agency").filter(pk=pack_id).first()
    if pack is None or PackStatus.BUILDING not in PACK_MOVES[pack.status]:
        return None
    return pack if _pack_move(pack, PackStatus.BUILDING, files_done=0, message="") else None


def evidence_pack_build(*, pack_id: int) -> None:
    """Assemble the pack's ZIP in the agency's storage, counting files done as it goes; ready or failed.

    Not one transaction on purpose: each step commits, so the page polling the pack sees its progress (as
    billing's run does). Safe to run twice: a ready pack is left as it is, one being assembled is left to the
    run assembling it (a conditional UPDATE claims it once), and a failed one is assembled again.
    """
    pack = _claim(pack_id)
    if pack is None:
        return
    try:
        contents = pack_contents(pack)
        EvidencePack.objects.filter(pk=pack.pk).update(files_total=len(contents) + 1)
        entries: list[dict[str, Any]] = []
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, (path, produce) in enumerate(contents, start=1):
                    content = produce()
                    archive.writestr(path, content)
                    entries.append({"path": path, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()})
                    EvidencePack.objects.filter(pk=pack.pk).update(files_done=done)
                manifest = {
                    "reference": pack.reference,
                    "agency": pack.agency.code,
                    "agency_name": pack.agency.name,
                    "period": {"from": f"{pack.month_from:%Y-%m}", "to": f"{pack.month_to:%Y-%m}"},
                    "generated_at": timezone.now().isoformat(timespec="seconds"),
                    "files": entries,
                }
                manifest_bytes = _json_bytes(manifest)
                archive.writestr(MANIFEST, manifest_bytes)
            spool.seek(0)
            name = f"accountability/evidence/{pack.reference}.zip"
            with tenant_context(pack.agency):
                if default_storage.exists(name):
                    default_storage.delete(name)
                stored = default_storage.save(name, File(spool))
    except Exception as error:
        logger.exception("accountability: evidence pack %s failed", pack.reference)
        _pack_move(
            pack,
            PackStatus.FAILED,
            message=gettext("The pack could not be assembled (%(error)s). Ask for it again or tell the facility.")
            % {"error": error.__class__.__name__},
            finished_at=timezone.now(),
        )
        return
    _pack_move(
        pack,
        PackStatus.READY,
        files_done=len(contents) + 1,
        manifest=manifest,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        archive_file=stored,
        finished_at=timezone.now(),
    )


def evidence_pack_archive(*, pack: EvidencePack) -> IO[bytes]:
    """The ready pack's ZIP from the agency's storage (opened; the caller closes it)."""
    if pack.status != PackStatus.READY or not pack.archive_file:
        raise _refuse(gettext("This pack is not ready yet."), code="pack_not_ready", status_code=404)
    with tenant_context(pack.agency):
        try:
            return default_storage.open(pack.archive_file, "rb")  # type: ignore[no-any-return]
        except FileNotFoundError:
            raise _refuse(
                gettext("The pack's archive is missing from storage; ask for the pack again."),
                code="pack_archive_missing",
                status_code=404,
            ) from None


# -- checking an archive ------------------------------------------------------------------------------


class FileStatus:
    OK = "ok"
    CHANGED = "changed"
    MISSING = "missing"
    EXTRA = "extra"
    DIFFERS = "differs"  # matches the manifest but not the platform's own copy


@dataclass(frozen=True)
class FileCheck:
    path: str
    status: str
    expected_sha256: str = ""
    actual_sha256: str = ""
    platform_checked: bool = False


@dataclass
class VerifyReport:
    reference: str = ""
    agency_code: str = ""
    period_from: str = ""
    period_to: str = ""
    manifest_sha256: str = ""
    issued: bool = False  # the manifest's digest is one the platform issued, in the caller's scope
    issue_problem: str = ""
    files: list[FileCheck] = field(default_factory=list)

    @property
    def problems(self) -> list[FileCheck]:
        return [check for check in self.files if check.status != FileStatus.OK]

    @property
    def ok(self) -> bool:
        return self.issued and not self.problems

    def lines(self) -> list[str]:
        """One line per problem, in words (the command prints them)."""
        found = [self.issue_problem] if self.issue_problem else []
        for check in self.problems:
            found.append(STATUS_SENTENCES[check.status]() % {"path": check.path})
        return found


STATUS_SENTENCES: dict[str, Callable[[], str]] = {
    FileStatus.CHANGED: lambda: gettext(
        "%(path)s: changed since the pack was made (its SHA-256 is not the manifest's)."
    ),
    FileStatus.MISSING: lambda: gettext("%(path)s: listed in the manifest but missing from the archive."),
    FileStatus.EXTRA: lambda: gettext("%(path)s: in the archive but not in the manifest."),
    FileStatus.DIFFERS: lambda: gettext("%(path)s: not the platform's own copy of this document."),
}


def _archive_open(archive: bytes | IO[bytes]) -> zipfile.ZipFile:
    stream: IO[bytes] = io.BytesIO(archive) if isinstance(archive, bytes | bytearray) else archive
    try:
        stream.seek(0, io.SEEK_END)
        size = stream.tell()
        stream.seek(0)
    except (OSError, AttributeError):
        raise _refuse(gettext("The archive could not be read."), code="pack_unreadable", field_name="archive") from None
    if size > VERIFY_MAX_ARCHIVE_BYTES:
        raise _refuse(
            gettext("The archive is larger than %(limit)s MB.") % {"limit": VERIFY_MAX_ARCHIVE_BYTES // (1024 * 1024)},
            code="pack_too_large",
            field_name="archive",
            status_code=413,
        )
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise _refuse(gettext("This is not a ZIP archive."), code="pack_not_zip", field_name="archive") from None


def _members_check(zip_file: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by name, after refusing what no pack the platform makes would hold."""
    infos = zip_file.infolist()
    if len(infos) > VERIFY_MAX_MEMBERS:
        raise _refuse(
            gettext("The archive holds more than %(count)d files; no evidence pack does.")
            % {"count": VERIFY_MAX_MEMBERS},
            code="pack_too_many_files",
            field_name="archive",
        )
    total = sum(info.file_size for info in infos)
    if total > VERIFY_MAX_UNCOMPRESSED_BYTES or any(
        info.file_size > 1024 * 1024 and info.file_size > VERIFY_MAX_RATIO * max(info.compress_size, 1)
        for info in infos
    ):
        raise _refuse(
            gettext("The archive would unpack to more than the platform reads (a possible zip bomb); it is refused."),
            code="pack_too_large_unpacked",
            field_name="archive",
            status_code=413,
        )
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or "\\" in name or ".." in parts or ":" in parts[0] or "\x00" in name:
            raise _refuse(
                gettext("The archive holds a file outside its folder (%(name)s); it is refused.")
                % {"name": name[:200]},
                code="pack_bad_path",
                field_name="archive",
            )
        if name in members:
            raise _refuse(
                gettext("The archive holds %(name)s twice; it is refused.") % {"name": name[:200]},
                code="pack_duplicate_file",
                field_name="archive",
            )
        if not info.is_dir():
            members[name] = info
    return members


def _digest(zip_file: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, bytes | None]:
    """A member's SHA-256 (read in chunks, at most its declared size), and its bytes when small enough to keep."""
    digest = hashlib.sha256()
    kept = bytearray()
    keep = info.file_size <= VERIFY_MAX_MANIFEST_BYTES
    try:
        with zip_file.open(info) as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                if keep:
                    kept.extend(chunk)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError):
        raise _refuse(
            gettext("%(name)s in the archive could not be read.") % {"name": info.filename[:200]},
            code="pack_unreadable",
            field_name="archive",
        ) from None
    return digest.hexdigest(), bytes(kept) if keep else None


def _manifest_read(content: bytes | None) -> dict[str, Any]:
    bad = _refuse(
        gettext("The archive's manifest.json is not a pack's manifest."), code="pack_bad_manifest", field_name="archive"
    )
    if content is None:
        raise bad
    try:
        manifest = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise bad from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise bad
    for item in manifest["files"]:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("path"), str)
            and isinstance(item.get("sha256"), str)
            and len(item["path"]) <= 300
        ):
            raise bad
    if not isinstance(manifest.get("reference", ""), str) or not isinstance(manifest.get("agency", ""), str):
        raise bad
    return manifest


def _platform_copy_matches(path: str, content: bytes | None, digest: str, agency: Agency) -> bool | None:
    """Whether a document equals the platform's own copy: True, False, or None when there is none to compare."""
    folder, _slash, name = path.partition("/")
    if folder == "invoices" and name.endswith(".pdf"):
        invoice = Invoice.objects.filter(agency=agency, number=name.removesuffix(".pdf")).exclude(pdf_file="").first()
        if invoice is None:
            return None
        return (
            hashlib.sha256(
                document_read(agency=agency, name=invoice.pdf_file, render=lambda: invoice_pdf(invoice=invoice))
            ).hexdigest()
            == digest
        )
    if folder == "credit-notes" and name.endswith(".pdf"):
        note = CreditNote.objects.filter(agency=agency, number=name.removesuffix(".pdf")).exclude(pdf_file="").first()
        if note is None:
            return None
        return (
            hashlib.sha256(
                document_read(agency=agency, name=note.pdf_file, render=lambda: credit_note_pdf(credit_note=note))
            ).hexdigest()
            == digest
        )
    if folder == "service-reports" and name.endswith(".pdf"):
        month_text = name.removesuffix(".pdf").removeprefix(f"{agency.code}-")
        try:
            month = date.fromisoformat(f"{month_text}-01")
        except ValueError:
            return None
        report = ServiceReport.objects.filter(agency=agency, month=month).exclude(pdf_sha256="").first()
        return None if report is None else report.pdf_sha256 == digest
    if folder == "register" and content is not None:
        return _register_entry_matches(content)
    return None


def _register_entry_matches(content: bytes) -> bool | None:
    """The entry's hashes are the register's own, and its content still hashes to them (the chain's rule)."""
    try:
        document = json.loads(content.decode("utf-8"))
        number = int(document["number"])
        entry = RegisterEntry.objects.filter(number=number).first()
        if entry is None:
            return False
        recomputed = entry_hash_compute(
            number=number,
            recorded_at=datetime.fromisoformat(document["recorded_at"]),
            content=document["content"],
            previous_hash=document["previous_hash"],
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, OverflowError, RecursionError):
        return False
    return (
        document.get("entry_hash") == entry.entry_hash
        and document.get("previous_hash") == entry.previous_hash
        and recomputed == entry.entry_hash
    )


def evidence_pack_verify(*, archive: bytes | IO[bytes], scope: Agency | None) -> VerifyReport:
    """Check an archive against its manifest and the platform.

    Refuses (ApplicationError) what is not a pack at all: not a ZIP, a possible zip bomb (member count and
    total unpacked size checked before anything is read), a path leaving the archive's folder, no or a
    malformed manifest.json. Otherwise reports each file: ok, changed, missing, extra, or differing from the
    platform's own copy (invoice and credit-note PDFs, service reports, register entries and their hashes);
    and whether the manifest's digest is one the platform issued for a pack within `scope` (an agency's
    address: its own packs only; another agency's pack is "not issued for this agency", and nothing of
    that agency's documents is compared or shown). Reads only; changes nothing.
    """
    with _archive_open(archive) as zip_file:
        members = _members_check(zip_file)
        if MANIFEST not in members:
            raise _refuse(
                gettext("The archive has no manifest.json, so it is not an evidence pack."),
                code="pack_no_manifest",
                field_name="archive",
            )
        manifest_digest, manifest_bytes = _digest(zip_file, members[MANIFEST])
        manifest = _manifest_read(manifest_bytes)
        report = VerifyReport(
            reference=str(manifest.get("reference", ""))[:60],
            agency_code=str(manifest.get("agency", ""))[:20],
            period_from=str((manifest.get("period") or {}).get("from", ""))[:7]
            if isinstance(manifest.get("period"), dict)
            else "",
            period_to=str((manifest.get("period") or {}).get("to", ""))[:7]
            if isinstance(manifest.get("period"), dict)
            else "",
            manifest_sha256=manifest_digest,
        )
        pack = EvidencePack.objects.select_related("agency").filter(reference=report.reference).first()
        compare_with: Agency | None = None
        if pack is None:
            report.issue_problem = gettext("The platform issued no pack %(reference)s.") % {
                "reference": report.reference or "?"
            }
        elif scope is not None and pack.agency_id != scope.pk:
            report.issue_problem = gettext("This pack was not issued for this agency.")
        elif pack.manifest_sha256 != manifest_digest:
            report.issue_problem = gettext(
                "The manifest is not the one the platform issued for %(reference)s: it was edited or replaced."
            ) % {"reference": pack.reference}
            compare_with = pack.agency
        else:
            report.issued = True
            compare_with = pack.agency
        listed: set[str] = set()
        for item in manifest["files"]:
            path = item["path"]
            listed.add(path)
            info = members.get(path)
            if info is None:
                report.files.append(
                    FileCheck(path=path, status=FileStatus.MISSING, expected_sha256=item["sha256"][:64])
                )
                continue
            digest, content = _digest(zip_file, info)
            status = FileStatus.OK if digest == item["sha256"] else FileStatus.CHANGED
            checked = False
            if status == FileStatus.OK and compare_with is not None:
                matches = _platform_copy_matches(path, content, digest, compare_with)
                checked = matches is not None
                if matches is False:
                    status = FileStatus.DIFFERS
            report.files.append(
                FileCheck(
                    path=path,
                    status=status,
                    expected_sha256=item["sha256"][:64],
                    actual_sha256=digest,
                    platform_checked=checked,
                )
            )
        for path in sorted(set(members) - listed - {MANIFEST}):
            report.files.append(FileCheck(path=path[:300], status=FileStatus.EXTRA))
    return report
