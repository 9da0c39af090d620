"""Procurement's part of the start page and the approvals inbox.

- An agency's approver: the requisitions waiting for their decision (never their own) in the one inbox.
- The facility manager: the deviations waiting for a decision, across agencies, in the inbox too.
- A "New requisition" button on an agency's address whose agreement in force covers procurement.
- Facility procurement officers: the queue at a glance by step, from the ledger (one indexed query across
  agencies); the bids past their deadline waiting to be opened are counted in each agency's schema.
- Contracts committee members: the cases waiting for the committee.
- On an agency's address, after the order: the orders waiting for receipt that the viewer may receive
  (never one they requested, approved or bought), and, for its finance officers, the held supplier invoices.
- Facility finance: the supplier invoices held across agencies.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count as CountOf
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.selectors import SEES_WHOLE_AGENCY_ROLES
from ledger.models import OPEN_STATUSES, LedgerEntry
from service_levels.models import Module
from service_levels.selectors import services_covered
from shared_platform.start import Approval, Count, Item, Link, Panel, Viewer
from tenants.models import Agency

from . import selectors
from .models import (
    SERVICE_OF_METHOD,
    Deviation,
    DeviationStatus,
    InvoiceStatus,
    PurchaseOrder,
    Requisition,
    RequisitionStatus,
    Solicitation,
    SupplierInvoice,
)
from .models import SolicitationStatus as Status
from .services import STEP_AWARD, STEP_BIDDING, STEP_COMMITTEE, STEP_EVALUATION, STEP_WAITING_BUYER

SHOWN = 5
BUYER_ROLES = frozenset({Role.PROCUREMENT_AGENT, Role.FACILITY_MANAGER})


def procurement_covered(agency: Agency) -> bool:
    """Whether the agency's agreement in force today covers any procurement service."""
    return bool(services_covered(agency=agency, on=timezone.localdate()) & set(SERVICE_OF_METHOD.values()))


def _facility_url(name: str, *args: str) -> str:
    """A facility portal page, whichever address's URLs the caller has active."""
    return reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def _agency_url(name: str, *args: str) -> str:
    return reverse(name, args=args, urlconf=settings.ROOT_URLCONF)


def _name(user_id: int | None) -> str:
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return (user.get_full_name() or user.email) if user is not None else ""


def approvals(*, viewer: Viewer) -> list[Approval]:
    if viewer.on_facility:
        return _deviations_waiting(viewer) if Role.FACILITY_MANAGER in viewer.roles else []
    if Role.APPROVER not in viewer.roles:
        return []
    with schema_context(viewer.address.schema_name):
        waiting = list(
            Requisition.objects.filter(status=RequisitionStatus.SUBMITTED)
            .exclude(requester_id=viewer.user.pk)
            .order_by("raised_at", "pk")
        )
        names = {user.pk: user.get_full_name() or user.email for user in _people({r.requester_id for r in waiting})}
        return [
            Approval(
                module=_("Procurement"),
                reference=requisition.reference,
                title=requisition.title,
                url=_agency_url("procurement:requisition-decide", requisition.reference),
                agency_code=viewer.address.code,
                requested_by=names.get(requisition.requester_id, ""),
                waiting_since=requisition.raised_at,
            )
            for requisition in waiting
        ]


def _people(ids: set[int]) -> list[User]:
    return list(User.objects.filter(pk__in=ids))


def _agencies_with_open_purchases(**filters: object) -> list[Agency]:
    agency_ids = (
        LedgerEntry.objects.filter(module=Module.PROCUREMENT, status__in=OPEN_STATUSES, **filters)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    return list(Agency.objects.filter(pk__in=agency_ids).order_by("code"))


def _deviations_waiting(viewer: Viewer) -> list[Approval]:
    """The facility manager decides deviations; one they asked for, or on a case they raised or approved, is not
    theirs to decide. Deviations live in each agency's schema: only agencies with open purchases are read."""
    found = []
    me = viewer.user.pk
    for agency in _agencies_with_open_purchases():
        with schema_context(agency.schema_name):
            deviations = list(
                Deviation.objects.filter(status=DeviationStatus.REQUESTED)
                .exclude(requested_by_id=me)
                .exclude(requisition__requester_id=me)
                .exclude(requisition__approver_id=me)
                .select_related("requisition")
            )
            for deviation in deviations:
                found.append(
                    Approval(
                        module=_("Procurement"),
                        reference=deviation.requisition.reference,
                        title=f"{deviation.get_kind_display()} · {deviation.requisition.title}",
                        url=_facility_url("procurement:case", deviation.requisition.reference),
                        agency_code=agency.code,
                        requested_by=_name(deviation.requested_by_id),
                        waiting_since=deviation.requested_at,
                    )
                )
    return found


def new_request_links(*, viewer: Viewer) -> list[Link]:
    if viewer.on_facility or not procurement_covered(viewer.address):
        return []
    return [Link(_("New requisition"), _agency_url("procurement:requisition-new"))]


def start_panels(*, viewer: Viewer) -> list[Panel]:
    if not viewer.on_facility:
        return _receiving_panels(viewer)
    panels = []
    if viewer.user.is_staff or viewer.roles & BUYER_ROLES:
        panels.append(_queue_panel())
    if Role.CONTRACTS_COMMITTEE in viewer.roles:
        panels.append(_committee_panel())
    if Role.FACILITY_FINANCE in viewer.roles:
        panels.append(_facility_held_panel())
    return panels


def _bids_waiting_opening() -> int:
    """Solicitations past their deadline with no opening yet, in the agencies with a purchase at bidding."""
    now = timezone.now()
    waiting = 0
    for agency in _agencies_with_open_purchases(step=STEP_BIDDING):
        with schema_context(agency.schema_name):
            waiting += Solicitation.objects.filter(status=Status.OPEN, deadline__lte=now).count()
    return waiting


def _queue_panel() -> Panel:
    """The procurement queue at a glance: how many purchases wait at each step, across agencies."""
    figures = LedgerEntry.objects.filter(module=Module.PROCUREMENT, status__in=OPEN_STATUSES).aggregate(
        awaiting_buyer=CountOf("pk", filter=Q(step=STEP_WAITING_BUYER)),
        bidding=CountOf("pk", filter=Q(step=STEP_BIDDING)),
        evaluation=CountOf("pk", filter=Q(step=STEP_EVALUATION)),
        committee=CountOf("pk", filter=Q(step=STEP_COMMITTEE)),
        award=CountOf("pk", filter=Q(step=STEP_AWARD)),
    )
    opening = _bids_waiting_opening() if figures["bidding"] else 0
    url = _facility_url("procurement:queue")
    return Panel(
        key="procurement-queue",
        title=_("Procurement queue"),
        counts=[
            Count(
                figures["awaiting_buyer"],
                _("waiting for a buyer"),
                f"{url}?step={STEP_WAITING_BUYER}",
                alarming=figures["awaiting_buyer"] > 0,
            ),
            Count(
                opening,
                _("past the deadline, waiting to be opened"),
                f"{url}?step={STEP_BIDDING}",
                alarming=opening > 0,
            ),
            Count(figures["bidding"], _("open for bids"), f"{url}?step={STEP_BIDDING}"),
            Count(figures["evaluation"], _("in evaluation"), f"{url}?step={STEP_EVALUATION}"),
            Count(figures["committee"], _("with the contracts committee"), f"{url}?step={STEP_COMMITTEE}"),
            Count(figures["award"], _("ready for award"), f"{url}?step={STEP_AWARD}"),
        ],
        empty=_("No purchase is in progress."),
        more=Link(_("Open the procurement queue"), url),
        order=20,
    )


def _committee_panel() -> Panel:
    entries = selectors.committee_cases().order_by("opened_at", "pk")
    total = entries.count()
    now = timezone.now()
    return Panel(
        key="procurement-committee",
        title=_("Contracts committee"),
        counts=[Count(total, _("cases waiting for the committee"), _facility_url("procurement:committee"))],
        items=[
            Item(
                label=f"{entry.reference} · {entry.agency.code} · {entry.title}",
                url=_facility_url("procurement:case", entry.reference),
                detail=entry.service.name,
                due_at=entry.next_due,  # type: ignore[attr-defined]
                overdue=bool(entry.next_due and entry.next_due < now),  # type: ignore[attr-defined]
            )
            for entry in entries[:SHOWN]
        ],
        empty=_("No case is waiting for the committee."),
        more=Link(_("All the committee's cases"), _facility_url("procurement:committee")) if total > SHOWN else None,
        order=25,
    )


# -- after the order: receipts and held invoices -------------------------------------------------------


def _receiving_panels(viewer: Viewer) -> list[Panel]:
    from . import receiving_selectors

    panels = []
    with schema_context(viewer.address.schema_name):
        whole = bool(viewer.roles & SEES_WHOLE_AGENCY_ROLES)
        waiting = receiving_selectors.orders_waiting_receipt(user=viewer.user, agency=viewer.address)
        if waiting or whole:
            panels.append(_receipt_panel(waiting))
        if Role.AGENCY_FINANCE in viewer.roles:
            panels.append(_held_panel(receiving_selectors.supplier_invoices(status=InvoiceStatus.HELD)))
    return panels


def _receipt_panel(waiting: list[PurchaseOrder]) -> Panel:
    url = _agency_url("procurement:orders")
    today = timezone.localdate()
    return Panel(
        key="procurement-receipts",
        title=_("Orders waiting for receipt"),
        counts=[Count(len(waiting), _("orders you may receive"), f"{url}?state=waiting")],
        items=[
            Item(
                label=f"{order.display_number} · {order.vendor_name}",
                url=_agency_url("procurement:order", order.number),
                detail=_("delivery by %(day)s") % {"day": date_format(order.delivery_date, "DATE_FORMAT")},
                overdue=order.delivery_date < today,
            )
            for order in waiting[:SHOWN]
        ],
        empty=_(
            "No order waits for you to receive it. The requester, the approver and the buyer of a purchase "
            "never receive it."
        ),
        more=Link(_("All purchase orders"), url),
        order=30,
    )


def _held_panel(held: QuerySet[SupplierInvoice]) -> Panel:
    url = _agency_url("procurement:invoices")
    total = held.count()
    return Panel(
        key="procurement-held-invoices",
        title=_("Held supplier invoices"),
        counts=[Count(total, _("held invoices"), f"{url}?status=held", alarming=total > 0)],
        items=[
            Item(
                label=f"{invoice.vendor_invoice_number} · {invoice.vendor.legal_name}",
                url=_agency_url("procurement:invoice", str(invoice.pk)),
                detail=invoice.order_number,
            )
            for invoice in held.order_by("recorded_at", "pk")[:SHOWN]
        ],
        empty=_("No supplier invoice is held."),
        more=Link(_("All supplier invoices"), url),
        order=31,
    )


def _facility_held_panel() -> Panel:
    from . import receiving_selectors

    url = _facility_url("procurement:invoices")
    held = receiving_selectors.facility_held_count()
    return Panel(
        key="procurement-held-invoices",
        title=_("Held supplier invoices"),
        counts=[Count(held, _("held invoices, every agency"), f"{url}?status=held", alarming=held > 0)],
        empty=_("No supplier invoice is held."),
        more=Link(_("Every agency's supplier invoices"), url),
        order=31,
    )
