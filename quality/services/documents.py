"""Controlled documents (ISO 9001:2015 clause 7.5): versions written, reviewed, approved and brought into effect.

A version moves draft -> in review -> approved (effective later) or
effective -> superseded, or is withdrawn with its document. The rules:

- one draft (or version in review, or approved and waiting) at a time;
- only its author edits a draft and sends it for review;
- an approver (quality focal point, facility manager) approves or returns it,
  never its own author (clause 7.5.2; the database refuses it too);
- one effective version at a time: the one it replaces becomes superseded
  (clause 7.5.3.2: obsolete information is kept and marked as such);
- every effective version is reviewed every `review_months`;
- the people holding the roles a document concerns read and acknowledge its
  effective version once (clause 7.3, awareness).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import FACILITY_ROLES
from shared_platform import limits
from shared_platform.attachments import attachment_name
from shared_platform.errors import ApplicationError

from ..access import APPROVER_ROLES, KEEPER_ROLES, READ_ONLY_ROLES, READER_ROLES, holds
from ..models import Acknowledgement, Document, DocumentVersion, Process, VersionStatus
from ..records import event_append

if TYPE_CHECKING:
    from accounts.models import User

DOCUMENT_CODE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
DOCUMENT_FILE_MAX_BYTES = 10 * 1024 * 1024
# What a controlled document may be uploaded as: its content type and the bytes it starts with.
DOCUMENT_FILE_KINDS: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}
# Versions still on their way to effect: at most one per document.
OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.APPROVED)


# --- checks -------------------------------------------------------------------------------------------


def _invalid(field: str, message: str, *, status_code: int = 400) -> ApplicationError:
    return ApplicationError(message, code="quality.invalid", status_code=status_code, fields={field: [message]})


def _text(value: str | None, *, field: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _invalid(field, gettext("This field is required."))
    if len(text) > limit:
        raise _invalid(field, gettext("At most %(limit)d characters.") % {"limit": limit})
    return text


def _refuse(message: str, *, code: str = "quality.not_allowed", status_code: int = 403) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=status_code)


def _not_read_only(user: User) -> None:
    if holds(user, READ_ONLY_ROLES) and not holds(user, KEEPER_ROLES):
        raise _refuse(gettext("The auditor reads the quality records and changes none of them."))


def may_author(user: User, document: Document) -> bool:
    """Who writes a document's versions: its owner, the owner of its process, the keepers of the register."""
    if not user.is_authenticated or (holds(user, READ_ONLY_ROLES) and not holds(user, KEEPER_ROLES)):
        return False
    return (
        holds(user, KEEPER_ROLES)
        or user.pk == document.owner_id
        or (document.process is not None and user.pk == document.process.owner_id)
    )


def may_approve(user: User, version: DocumentVersion) -> bool:
    return user.is_authenticated and holds(user, APPROVER_ROLES) and user.pk != version.author_id


def is_concerned(user: User, document: Document) -> bool:
    """Does this person hold one of the facility roles the document concerns?"""
    from accounts.selectors import facility_roles

    return bool(facility_roles(user) & set(document.concerns_roles))


def file_check(upload: UploadedFile, *, field: str = "file") -> str:
    """A controlled document's file: PDF, DOCX, ODT or XLSX, at most 10 MB, and really what its name says.

    Returns the name it is stored under.
    """
    name = attachment_name(upload.name or "")
    if upload.size is None or upload.size > DOCUMENT_FILE_MAX_BYTES:
        figures = {"name": name, "size": f"{(upload.size or 0) / 1_048_576:.1f}", "limit": 10}
        raise ApplicationError(
            gettext("%(name)s is %(size)s MB; a document's file is at most %(limit)d MB.") % figures,
            code="quality.file_too_large",
            status_code=413,
            fields={field: [gettext("%(name)s is larger than %(limit)d MB.") % figures]},
        )
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DOCUMENT_FILE_KINDS:
        message = gettext("%(name)s: a controlled document is a PDF, DOCX, ODT or XLSX file.") % {"name": name}
        raise ApplicationError(message, code="quality.file_type", fields={field: [message]})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(DOCUMENT_FILE_KINDS[extension][1]):
        message = gettext("%(name)s is not a real %(kind)s file.") % {"name": name, "kind": extension.lstrip(".")}
        raise ApplicationError(message, code="quality.file_content", fields={field: [message]})
    return name


def concerns_check(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    unknown = [role for role in chosen if role not in FACILITY_ROLES]
    if unknown:
        raise _invalid("concerns_roles", gettext("Only facility roles can be concerned by a controlled document."))
    return chosen


def _locked_document(document: Document) -> Document:
    """The document's row, locked: every change of a version's state goes one at a time per document."""
    return Document.objects.select_for_update(of=("self",)).select_related("process").get(pk=document.pk)


def _locked_version(version: DocumentVersion) -> tuple[Document, DocumentVersion]:
    document = _locked_document(version.document)
    return document, DocumentVersion.objects.select_related("document").get(pk=version.pk)


def _status_check(version: DocumentVersion, *allowed: str, doing: str) -> None:
    if version.status not in allowed:
        raise ApplicationError(
            gettext("Version %(number)s is %(status)s: it cannot be %(doing)s.")
            % {"number": version.number, "status": version.get_status_display().lower(), "doing": doing},
            code="quality.version_state",
            status_code=409,
        )


def _review_due(effective_from: date, months: int) -> date:
    return effective_from + relativedelta(months=months)


def _store_file(version: DocumentVersion, upload: UploadedFile) -> None:
    name = file_check(upload)
    version.file.save(name, upload, save=False)


# --- the document and its first version ---------------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    created_by: User,
    code: str,
    title: str,
    owner: User,
    process: Process | None = None,
    concerns_roles: Iterable[str] = (),
    review_months: int = 12,
    text: str = "",
    file: UploadedFile | None = None,
    change_summary: str = "",
    at: datetime | None = None,
) -> Document:
    """Register a controlled document with its first version, a draft written by `created_by` (clause 7.5.2).

    Who registers it: the keepers of the register, or the owner of the process
    it belongs to. The version is text written here, an uploaded file (PDF,
    DOCX, ODT, XLSX up to 10 MB), or both.
    """
    at = at or timezone.now()
    _not_read_only(created_by)
    if not (holds(created_by, KEEPER_ROLES) or (process is not None and process.owner_id == created_by.pk)):
        raise _refuse(
            gettext("Only the quality focal point, the facility manager or the process owner registers a document.")
        )
    code = (code or "").strip().upper()
    if not DOCUMENT_CODE.match(code) or len(code) > 30:
        raise _invalid("code", gettext("A code is up to 30 capital letters, digits and hyphens, e.g. QM-PROC-01."))
    title = _text(title, field="title", limit=limits.NAME, required=True)
    text = _text(text, field="text", limit=200_000, required=False)
    change_summary = _text(change_summary, field="change_summary", limit=limits.SHORT_TEXT, required=False)
    roles = concerns_check(concerns_roles)
    if not isinstance(review_months, int) or not 1 <= review_months <= 60:
        raise _invalid("review_months", gettext("A review comes every 1 to 60 months."))
    if not owner.is_active or not holds(owner, READER_ROLES):
        raise _invalid("owner", gettext("The owner must be a member of the facility's staff."))
    if not text and file is None:
        raise _invalid("text", gettext("Write the text, upload the file, or both."))
    if file is not None:
        file_check(file)
    if Document.objects.filter(code=code).exists():
        raise ApplicationError(
            gettext("A document with the code %(code)s is already in the register.") % {"code": code},
            code="quality.document_code_taken",
            status_code=409,
            fields={"code": [gettext("This code is taken.")]},
        )
    try:
        with transaction.atomic():
            document = Document.objects.create(
                code=code, title=title, process=process, owner=owner, concerns_roles=roles, review_months=review_months
            )
    except IntegrityError:
        raise ApplicationError(
            gettext("A document with the code %(code)s is already in the register.") % {"code": code},
            code="quality.document_code_taken",
            status_code=409,
            fields={"code": [gettext("This code is taken.")]},
        ) from None
    version = DocumentVersion(document=document, number=1, text=text, change_summary=change_summary, author=created_by)
    if file is not None:
        _store_file(version, file)
    version.save()
    event_append(document, action="created", actor=created_by, at=at, detail=title)
    return document


# --- versions -------------------------------------------------------------------------------------------


@transaction.atomic
def version_draft(*, document: Document, drafted_by: User, at: datetime | None = None) -> DocumentVersion:
    """Start the next version as a draft, copying the effective text; one open version at a time (clause 7.5.3.2)."""
    document = _locked_document(document)
    if not may_author(drafted_by, document):
        raise _refuse(gettext("Only the document's owner, its process owner or the quality focal point drafts it."))
    if document.withdrawn_at is not None:
        raise _refuse(
            gettext("The document is withdrawn: it has no new versions."), code="quality.withdrawn", status_code=409
        )
    open_version = document.versions.filter(status__in=OPEN_STATUSES).first()
    if open_version is not None:
        raise ApplicationError(
            gettext("Version %(number)s is still %(status)s: finish it before starting another.")
            % {"number": open_version.number, "status": open_version.get_status_display().lower()},
            code="quality.open_version",
            status_code=409,
        )
    effective = document.versions.filter(status=VersionStatus.EFFECTIVE).first()
    latest = document.versions.order_by("-number").first()
    version = DocumentVersion.objects.create(
        document=document,
        number=(latest.number if latest else 0) + 1,
        text=effective.text if effective else "",
        author=drafted_by,
    )
    event_append(document, action="drafted", actor=drafted_by, at=at, detail=f"v{version.number}")
    return version


@transaction.atomic
def version_update(
    *,
    version: DocumentVersion,
    updated_by: User,
    text: str,
    change_summary: str = "",
    file: UploadedFile | None = None,
    remove_file: bool = False,
    at: datetime | None = None,
) -> DocumentVersion:
    """Change a draft's text, file or summary of changes: only its author, only while it is a draft."""
    document, version = _locked_version(version)
    if version.author_id != updated_by.pk or not may_author(updated_by, document):
        raise _refuse(gettext("Only the author of this draft changes it."))
    _status_check(version, VersionStatus.DRAFT, doing=gettext("changed"))
    version.text = _text(text, field="text", limit=200_000, required=False)
    version.change_summary = _text(change_summary, field="change_summary", limit=limits.SHORT_TEXT, required=False)
    if remove_file and version.file:
        version.file = None  # type: ignore[assignment]
    if file is not None:
        _store_file(version, file)
    version.save(update_fields=["text", "change_summary", "file"])
    event_append(document, action="draft_saved", actor=updated_by, at=at, detail=f"v{version.number}")
    return version


@transaction.atomic
def version_submit(*, version: DocumentVersion, submitted_by: User, at: datetime | None = None) -> DocumentVersion:
    """The author sends a draft for review; it must say something (text or file)."""
    at = at or timezone.now()
    document, version = _locked_version(version)
    if version.author_id != submitted_by.pk or not may_author(submitted_by, document):
        raise _refuse(gettext("Only the author of this draft sends it for review."))
    _status_check(version, VersionStatus.DRAFT, doing=gettext("sent for review"))
    if not version.text.strip() and not version.file:
        raise _invalid("text", gettext("The draft is empty: write its text or upload its file first."))
    version.status = VersionStatus.IN_REVIEW
    version.submitted_at = at
    version.save(update_fields=["status", "submitted_at"])
    event_append(document, action="submitted", actor=submitted_by, at=at, detail=f"v{version.number}")
    return version


@transaction.atomic
def version_return(
    *, version: DocumentVersion, returned_by: User, reason: str, at: datetime | None = None
) -> DocumentVersion:
    """An approver sends a version in review back to its author as a draft, saying why."""
    document, version = _locked_version(version)
    if not holds(returned_by, APPROVER_ROLES):
        raise _refuse(gettext("Only the quality focal point or the facility manager reviews a document."))
    _status_check(version, VersionStatus.IN_REVIEW, doing=gettext("returned"))
    reason = _text(reason, field="reason", limit=limits.SHORT_TEXT, required=True)
    version.status = VersionStatus.DRAFT
    version.submitted_at = None
    version.save(update_fields=["status", "submitted_at"])
    event_append(document, action="returned", actor=returned_by, at=at, detail=f"v{version.number}: {reason}")
    return version


def _bring_into_effect(document: Document, version: DocumentVersion, *, actor: User | None, at: datetime) -> None:
    """Under the document's lock: the version becomes the effective one and the one before it is superseded."""
    assert version.effective_from is not None
    previous = document.versions.filter(status=VersionStatus.EFFECTIVE).exclude(pk=version.pk).first()
    if previous is not None:
        until = max(version.effective_from - timedelta(days=1), previous.effective_from or version.effective_from)
        previous.status = VersionStatus.SUPERSEDED
        previous.effective_until = until
        previous.save(update_fields=["status", "effective_until"])
    version.status = VersionStatus.EFFECTIVE
    version.review_due = _review_due(version.effective_from, document.review_months)
    version.save(update_fields=["status", "review_due"])
    detail = f"v{version.number}" + (f" (v{previous.number} superseded)" if previous is not None else "")
    event_append(document, action="effective", actor=actor, at=at, detail=detail)


@transaction.atomic
def version_approve(
    *,
    version: DocumentVersion,
    approved_by: User,
    effective_from: date | None = None,
    at: datetime | None = None,
) -> DocumentVersion:
    """Approve a version in review, never by its own author (clause 7.5.2: review and approval for adequacy).

    Effective from `effective_from` (default today, never before today): from
    today at once, superseding the version in effect; from a later day it waits
    as approved and the daily beat brings it into effect. Its review falls due
    `review_months` after it takes effect.
    """
    at = at or timezone.now()
    today = timezone.localdate(at)
    effective_from = effective_from or today
    document, version = _locked_version(version)
    if not holds(approved_by, APPROVER_ROLES):
        raise _refuse(gettext("Only the quality focal point or the facility manager approves a document."))
    if version.author_id == approved_by.pk:
        raise ApplicationError(
            gettext("You wrote version %(number)s: someone else must approve it.") % {"number": version.number},
            code="quality.approver_is_author",
            status_code=403,
        )
    _status_check(version, VersionStatus.IN_REVIEW, doing=gettext("approved"))
    if effective_from < today:
        raise _invalid("effective_from", gettext("A version takes effect today or later, not in the past."))
    if effective_from > today + relativedelta(years=2):
        raise _invalid("effective_from", gettext("A version takes effect within two years of its approval."))
    version.status = VersionStatus.APPROVED
    version.approver = approved_by
    version.approved_at = at
    version.effective_from = effective_from
    try:
        with transaction.atomic():
            version.save(update_fields=["status", "approver", "approved_at", "effective_from"])
    except IntegrityError:  # the database's own guard: the approver is never the author
        raise ApplicationError(
            gettext("You wrote version %(number)s: someone else must approve it.") % {"number": version.number},
            code="quality.approver_is_author",
            status_code=403,
        ) from None
    event_append(
        document,
        action="approved",
        actor=approved_by,
        at=at,
        detail=gettext("v%(number)s, effective from %(date)s") % {"number": version.number, "date": effective_from},
    )
    if effective_from <= today:
        _bring_into_effect(document, version, actor=approved_by, at=at)
    return version


def documents_bring_into_effect(*, today: date | None = None) -> int:
    """For the daily beat: approved versions whose date has come take effect. Safe to run twice at once.

    Each document is locked in turn and its waiting version read again under
    the lock, so a second worker finds it already effective and does nothing.
    Returns how many versions took effect.
    """
    today = today or timezone.localdate()
    document_ids = list(
        DocumentVersion.objects.filter(status=VersionStatus.APPROVED, effective_from__lte=today)
        .values_list("document_id", flat=True)
        .distinct()
    )
    brought = 0
    for document_id in document_ids:
        with transaction.atomic():
            document = Document.objects.select_for_update().filter(pk=document_id).first()
            if document is None:
                continue
            version = (
                document.versions.filter(status=VersionStatus.APPROVED, effective_from__lte=today)
                .order_by("effective_from", "number")
                .first()
            )
            if version is None:
                continue
            _bring_into_effect(document, version, actor=None, at=timezone.now())
            brought += 1
    return brought


@transaction.atomic
def document_review_confirm(
    *, document: Document, confirmed_by: User, note: str = "", at: datetime | None = None
) -> DocumentVersion:
    """The owner (or a keeper) has reviewed the effective version and it needs no change (clause 7.5.2 b).

    Its next review falls `review_months` after today.
    """
    at = at or timezone.now()
    document = _locked_document(document)
    _not_read_only(confirmed_by)
    if not (holds(confirmed_by, KEEPER_ROLES) or confirmed_by.pk == document.owner_id):
        raise _refuse(
            gettext("Only the document's owner, the quality focal point or the facility manager confirms its review.")
        )
    version = document.versions.filter(status=VersionStatus.EFFECTIVE).first()
    if version is None:
        raise ApplicationError(
            gettext("The document has no effective version to review."), code="quality.version_state", status_code=409
        )
    note = _text(note, field="note", limit=limits.SHORT_TEXT, required=False)
    version.review_due = _review_due(timezone.localdate(at), document.review_months)
    version.save(update_fields=["review_due"])
    document.last_reminded_at = None
    document.save(update_fields=["last_reminded_at"])
    detail = gettext("v%(number)s reviewed without change; next review %(date)s") % {
        "number": version.number,
        "date": version.review_due,
    }
    event_append(document, action="review_confirmed", actor=confirmed_by, at=at, detail=f"{detail}. {note}".strip(". "))
    return version


@transaction.atomic
def document_withdraw(*, document: Document, withdrawn_by: User, reason: str, at: datetime | None = None) -> Document:
    """Withdraw a document from use: its effective and open versions are withdrawn, kept on record (clause 7.5.3.2)."""
    at = at or timezone.now()
    document = _locked_document(document)
    _not_read_only(withdrawn_by)
    if not holds(withdrawn_by, KEEPER_ROLES):
        raise _refuse(gettext("Only the quality focal point or the facility manager withdraws a document."))
    if document.withdrawn_at is not None:
        raise ApplicationError(gettext("The document is already withdrawn."), code="quality.withdrawn", status_code=409)
    reason = _text(reason, field="reason", limit=limits.SHORT_TEXT, required=True)
    today = timezone.localdate(at)
    for version in document.versions.filter(status__in=[*OPEN_STATUSES, VersionStatus.EFFECTIVE]):
        if version.status == VersionStatus.EFFECTIVE:
            version.effective_until = today
        version.status = VersionStatus.WITHDRAWN
        version.save(update_fields=["status", "effective_until"])
    document.withdrawn_at = at
    document.save(update_fields=["withdrawn_at"])
    event_append(document, action="withdrawn", actor=withdrawn_by, at=at, detail=reason)
    return document


@transaction.atomic
def version_acknowledge(*, version: DocumentVersion, user: User, at: datetime | None = None) -> Acknowledgement:
    """A person concerned has read the effective version and says so, once (clause 7.3: awareness)."""
    at = at or timezone.now()
    document, version = _locked_version(version)
    if not is_concerned(user, document):
        raise _refuse(gettext("This document does not concern your role: there is nothing for you to acknowledge."))
    if version.status != VersionStatus.EFFECTIVE:
        raise ApplicationError(
            gettext("Only the effective version is acknowledged."), code="quality.version_state", status_code=409
        )
    already = ApplicationError(
        gettext("You have already acknowledged version %(number)s.") % {"number": version.number},
        code="quality.already_acknowledged",
        status_code=409,
    )
    if version.acknowledgements.filter(user=user).exists():
        raise already
    try:
        with transaction.atomic():
            acknowledgement = Acknowledgement.objects.create(version=version, user=user, at=at)
    except IntegrityError:
        raise already from None
    event_append(
        document,
        action="acknowledged",
        actor=user,
        at=at,
        detail=f"v{version.number}",
    )
    return acknowledgement
