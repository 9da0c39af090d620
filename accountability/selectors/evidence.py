"""Reads for evidence packs: whose packs a person reads, who may ask for one, what goes in one, its progress.

Who: on an agency's address its approvers, finance officers and board
members (`access.AGENCY_READER_ROLES`) read and ask for the agency's own
packs; on the facility portal the facility's staff read every agency's, and
those who keep its records (not the read-only auditor) may assemble one for
an agency, e.g. for the agency's auditors.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import has_role
from billing.models import CreditNote, Invoice, InvoiceStatus
from billing.selectors import month_end, month_start
from governance.models import RegisterEntry
from tenants.models import Agency

from ..access import AGENCY_READER_ROLES, holds_facility_role, may_read
from ..models import EvidencePack, PackStatus, ScorecardAgencyMonth, ScorecardCell, ServiceReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# On the portal: the facility's record keepers assemble a pack for an agency (the auditor only reads).
FACILITY_PACK_ASSEMBLER_ROLES = frozenset(
    {Role.FACILITY_MANAGER, Role.FACILITY_FINANCE, Role.QUALITY_FOCAL_POINT, Role.INTERNAL_AUDITOR}
)


def may_assemble(*, user: User | AnonymousUser, address: Agency) -> bool:
    if not may_read(user=user, address=address):
        return False
    if address.is_facility:
        return bool(user.is_staff or holds_facility_role(user, FACILITY_PACK_ASSEMBLER_ROLES))
    return has_role(user=user, agency=address, roles=AGENCY_READER_ROLES)


def pack_list(*, scope: Agency | None, agency_code: str = "") -> QuerySet[EvidencePack]:
    packs = EvidencePack.objects.select_related("agency", "requested_by")
    if scope is not None:
        packs = packs.filter(agency=scope)
    elif agency_code:
        packs = packs.filter(agency__code=agency_code)
    return packs.order_by("-requested_at", "-pk")


def pack_get(*, pk: int, scope: Agency | None) -> EvidencePack | None:
    return pack_list(scope=scope).filter(pk=pk).first()


def pack_progress(*, pack: EvidencePack) -> dict[str, Any]:
    """What the pack's page polls while the worker assembles it."""
    finished = pack.status in (PackStatus.READY, PackStatus.FAILED)
    percent = (
        100
        if pack.status == PackStatus.READY
        else (int(100 * pack.files_done / pack.files_total) if pack.files_total else 0)
    )
    return {
        "status": pack.status,
        "status_label": str(pack.get_status_display()),
        "files_done": pack.files_done,
        "files_total": pack.files_total,
        "percent": percent,
        "finished": finished,
        "message": pack.message,
    }


# -- what a pack holds ---------------------------------------------------------------------------------


def period_bounds(*, month_from: date, month_to: date) -> tuple[datetime, datetime]:
    """[start, end) of the months, as aware instants in the facility's time zone."""
    zone = timezone.get_current_timezone()
    first = month_start(month_from)
    after = month_end(month_to) + timedelta(days=1)
    return datetime(first.year, first.month, 1, tzinfo=zone), datetime(after.year, after.month, after.day, tzinfo=zone)


def pack_invoices(*, agency: Agency, month_from: date, month_to: date) -> QuerySet[Invoice]:
    """The agency's invoices for the months that were issued (also those since paid or cancelled)."""
    return (
        Invoice.objects.filter(agency=agency, month__gte=month_from, month__lte=month_to, number__isnull=False)
        .exclude(status=InvoiceStatus.DRAFT)
        .select_related("agency")
        .order_by("month", "number")
    )


def pack_credit_notes(*, agency: Agency, month_from: date, month_to: date) -> QuerySet[CreditNote]:
    """Its credit notes cancelling an invoice of the months, or issued within them."""
    start, end = period_bounds(month_from=month_from, month_to=month_to)
    return (
        CreditNote.objects.filter(agency=agency)
        .filter(
            Q(invoice__month__gte=month_from, invoice__month__lte=month_to) | Q(issued_at__gte=start, issued_at__lt=end)
        )
        .select_related("agency", "invoice")
        .order_by("issued_at", "number")
    )


def pack_register_entries(*, month_from: date, month_to: date) -> QuerySet[RegisterEntry]:
    """The board's decision register entries recorded in the months (the board decides for every agency)."""
    start, end = period_bounds(month_from=month_from, month_to=month_to)
    return RegisterEntry.objects.filter(recorded_at__gte=start, recorded_at__lt=end).order_by("number")


def register_entry_document(entry: RegisterEntry) -> dict[str, Any]:
    """An entry as the pack holds it: what its hash is computed from, and the chain's hashes."""
    return {
        "number": entry.number,
        "recorded_at": entry.recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "content": entry.content,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
    }


def pack_cells(*, agency: Agency, month_from: date, month_to: date) -> QuerySet[ScorecardCell]:
    return (
        ScorecardCell.objects.filter(agency=agency, month__gte=month_from, month__lte=month_to)
        .select_related("service")
        .order_by("month", "service__code")
    )


def pack_agency_months(*, agency: Agency, month_from: date, month_to: date) -> QuerySet[ScorecardAgencyMonth]:
    return ScorecardAgencyMonth.objects.filter(agency=agency, month__gte=month_from, month__lte=month_to).order_by(
        "month"
    )


def pack_service_reports(*, agency: Agency, month_from: date, month_to: date) -> QuerySet[ServiceReport]:
    return (
        ServiceReport.objects.filter(agency=agency, month__gte=month_from, month__lte=month_to)
        .exclude(pdf_file="")
        .select_related("agency")
        .order_by("month")
    )
