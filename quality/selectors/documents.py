"""Reading controlled documents: the register, versions, who has acknowledged, what is due (clause 7.5).

The start page calls two of these:

- `documents_due_for_review(today=..., within_days=30)`: the effective versions
  whose review falls due within that many days (or is overdue);
- `pending_acknowledgements(user=...)`: the effective versions this person
  must still read and acknowledge.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, User
from accounts.selectors import facility_roles

from ..models import Acknowledgement, Document, DocumentVersion, Process, QualityEvent, VersionStatus

# The statuses a register's filter offers: what the document's latest state is.
DOCUMENT_FILTERS = ("effective", "in_review", "draft", "review_overdue", "withdrawn")


def concerned_people(*, roles: list[str]) -> QuerySet[User]:
    """Active people holding one of these facility roles."""
    if not roles:
        return User.objects.none()
    member_ids = Membership.objects.filter(agency__isnull=True, role__in=roles).values("user_id")
    return User.objects.filter(pk__in=member_ids, is_active=True).order_by("first_name", "last_name", "email")


def document_list(*, process: Process | None = None, status: str = "", today: date | None = None) -> QuerySet[Document]:
    """The register: each document with its versions (newest first) to find the effective and the open one."""
    today = today or timezone.localdate()
    rows = Document.objects.select_related("process", "owner").prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
    )
    if process is not None:
        rows = rows.filter(process=process)
    if status == "withdrawn":
        rows = rows.filter(withdrawn_at__isnull=False)
    elif status == "effective":
        rows = rows.filter(versions__status=VersionStatus.EFFECTIVE)
    elif status == "in_review":
        rows = rows.filter(versions__status=VersionStatus.IN_REVIEW)
    elif status == "draft":
        rows = rows.filter(versions__status=VersionStatus.DRAFT)
    elif status == "review_overdue":
        rows = rows.filter(versions__status=VersionStatus.EFFECTIVE, versions__review_due__lt=today)
    return rows.distinct()


@dataclass
class RegisterRow:
    """One line of the register: the document, its effective version, its open version, acknowledgements."""

    document: Document
    effective: DocumentVersion | None
    open_version: DocumentVersion | None
    acknowledged: int
    concerned: int
    review_overdue: bool


def register_rows(*, documents: list[Document], today: date | None = None) -> list[RegisterRow]:
    """The register's lines for one page of documents (counts read for that page only)."""
    today = today or timezone.localdate()
    rows = []
    people_by_roles: dict[tuple[str, ...], set[int]] = {}
    for document in documents:
        versions = list(document.versions.all())
        effective = next((v for v in versions if v.status == VersionStatus.EFFECTIVE), None)
        open_version = next(
            (v for v in versions if v.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.APPROVED)),
            None,
        )
        key = tuple(sorted(document.concerns_roles))
        if key not in people_by_roles:
            people_by_roles[key] = set(concerned_people(roles=list(key)).values_list("pk", flat=True))
        people = people_by_roles[key]
        acknowledged = Acknowledgement.objects.filter(version=effective, user_id__in=people).count() if effective else 0
        rows.append(
            RegisterRow(
                document=document,
                effective=effective,
                open_version=open_version,
                acknowledged=acknowledged,
                concerned=len(people),
                review_overdue=bool(effective and effective.review_due and effective.review_due < today),
            )
        )
    return rows


def document_get(*, code: str) -> Document | None:
    return Document.objects.select_related("process", "owner", "process__owner").filter(code=code).first()


def document_versions(*, document: Document) -> list[DocumentVersion]:
    return list(document.versions.select_related("author", "approver").order_by("-number"))


def version_get(*, document: Document, number: int) -> DocumentVersion | None:
    return document.versions.select_related("author", "approver", "document").filter(number=number).first()


def effective_version(*, document: Document) -> DocumentVersion | None:
    return document.versions.select_related("author", "approver").filter(status=VersionStatus.EFFECTIVE).first()


def document_history(*, document: Document) -> QuerySet[QualityEvent]:
    return document.events.select_related("actor").order_by("at", "pk")


@dataclass
class AcknowledgementStatus:
    """Who of the people concerned has read a version (with when), and who has not yet."""

    version: DocumentVersion
    acknowledged: list[tuple[User, datetime]]
    pending: list[User]

    @property
    def progress(self) -> str:
        return f"{len(self.acknowledged)}/{len(self.acknowledged) + len(self.pending)}"


def acknowledgement_status(version: DocumentVersion) -> AcknowledgementStatus:
    """The people holding the roles the document concerns, split into acknowledged (with when) and not yet.

    Someone who acknowledged and no longer holds a concerned role is still
    listed among those who acknowledged: the record is what happened.
    """
    acknowledgements = list(version.acknowledgements.select_related("user").order_by("at", "pk"))
    done = {ack.user_id for ack in acknowledgements}
    pending = [
        person for person in concerned_people(roles=list(version.document.concerns_roles)) if person.pk not in done
    ]
    return AcknowledgementStatus(
        version=version, acknowledged=[(ack.user, ack.at) for ack in acknowledgements], pending=pending
    )


def documents_due_for_review(*, today: date | None = None, within_days: int = 30) -> QuerySet[DocumentVersion]:
    """Effective versions whose review is due within `within_days` days of `today`, or overdue; soonest first.

    Each row's `document` (and its `owner`) is loaded: the reminder goes to the document's owner.
    """
    today = today or timezone.localdate()
    return (
        DocumentVersion.objects.filter(
            status=VersionStatus.EFFECTIVE,
            review_due__lte=today + timedelta(days=within_days),
            document__withdrawn_at__isnull=True,
        )
        .select_related("document", "document__owner")
        .order_by("review_due", "document__code")
    )


def pending_acknowledgements(*, user: User) -> list[DocumentVersion]:
    """The effective versions this person must still read and acknowledge (their facility roles are concerned)."""
    roles = sorted(facility_roles(user))
    if not roles:
        return []
    return list(
        DocumentVersion.objects.filter(
            status=VersionStatus.EFFECTIVE,
            document__withdrawn_at__isnull=True,
            document__concerns_roles__overlap=roles,
        )
        .exclude(acknowledgements__user=user)
        .select_related("document")
        .order_by("document__code")
    )


@dataclass
class DiffLine:
    """One line of a side-by-side comparison: `kind` is equal, changed, added or removed."""

    kind: str
    old_number: int | None
    old: str
    new_number: int | None
    new: str


def version_diff(*, old: DocumentVersion, new: DocumentVersion) -> list[DiffLine]:
    """The two texts line by line: unchanged lines, lines changed, added and removed (difflib's opcodes)."""
    old_lines = old.text.splitlines()
    new_lines = new.text.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    rows: list[DiffLine] = []
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                DiffLine("equal", a_start + i + 1, old_lines[a_start + i], b_start + i + 1, new_lines[b_start + i])
                for i in range(a_end - a_start)
            )
            continue
        width = max(a_end - a_start, b_end - b_start)
        for i in range(width):
            has_old = a_start + i < a_end
            has_new = b_start + i < b_end
            kind = "changed" if has_old and has_new else "removed" if has_old else "added"
            rows.append(
                DiffLine(
                    kind,
                    a_start + i + 1 if has_old else None,
                    old_lines[a_start + i] if has_old else "",
                    b_start + i + 1 if has_new else None,
                    new_lines[b_start + i] if has_new else "",
                )
            )
    return rows


def documents_of_process(*, process: Process) -> list[Document]:
    return list(
        Document.objects.filter(Q(process=process) | Q(pk=process.procedure_id))
        .select_related("owner")
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number")))
        .order_by("code")
    )
