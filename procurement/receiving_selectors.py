"""Reads for what happens after the order: receipts, the vendor's invoices, the three-way match, payables.

Who may read and act (PRODUCT.md, "Procurement (UN practice)"; issue 14):

- An agency's orders are read as its requisitions are (`procurement.selectors.requisitions_visible`):
  approvers and finance officers all of them, anyone else the ones they raised, and the orders they
  received (they are named receiver on the request).
- A receipt is recorded by a person of the agency (requester, approver or finance role there) who is
  neither the purchase's requester, its approver nor its buyer: four different people (UN Procurement
  Manual, segregation of duties).
- A supplier invoice is recorded by the agency's finance officers or the facility's finance staff; a held
  one is released by a finance officer other than the one who recorded it, with a justification.
- Each `*_refusal` function says why a person may not take a step, or returns None: pages show it before
  anyone tries, and `procurement.receiving` refuses with the same code and sentence.

Every function here runs with the connection in the agency's schema, except `facility_invoices`,
which enters each agency's schema in turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.selectors import facility_roles, has_role, sees_whole_agency
from tenants.models import Agency

from .models import (
    GoodsReceipt,
    InvoiceStatus,
    MatchSettings,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    ReceiptLine,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from .selectors import requisitions_visible

# An agency's people who may be the receiver of a purchase (if it is not theirs to request, approve or buy).
RECEIVER_ROLES = frozenset({Role.REQUESTER, Role.APPROVER, Role.AGENCY_FINANCE})
# On the facility portal: facility finance records and releases invoices; the manager and the auditor read.
FACILITY_INVOICE_ACTOR_ROLES = frozenset({Role.FACILITY_FINANCE})
FACILITY_INVOICE_READER_ROLES = frozenset({Role.FACILITY_FINANCE, Role.FACILITY_MANAGER, Role.AUDITOR})
# An order number is at most this long (UNDP-PO-2026-000123); anything longer is none.
ORDER_NUMBER_LENGTH = 40
ZERO = Decimal("0")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Refusal:
    """Why a person may not take a step: a stable code, a sentence for people, the HTTP status."""

    code: str
    message: str
    status: int


def figure(value: Decimal) -> str:
    """A quantity as people write it: 10, 8.5 (no trailing zeros, never an exponent)."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def unit_price_text(value: Decimal) -> str:
    """A unit price with its four decimals, as orders and invoices keep it: 105.0000."""
    return str(value.quantize(Decimal("0.0001")))


# -- who may act --------------------------------------------------------------------------------------


def is_agency_finance(*, user: User | AnonymousUser, agency: Agency) -> bool:
    return has_role(user=user, agency=agency, roles={Role.AGENCY_FINANCE})


def is_facility_finance(*, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(facility_roles(user) & FACILITY_INVOICE_ACTOR_ROLES)


def is_finance_officer(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """The agency's finance officers, or the facility's finance staff: who record and release its invoices."""
    return is_agency_finance(user=user, agency=agency) or is_facility_finance(user=user)


def reads_facility_invoices(*, user: User | AnonymousUser) -> bool:
    """Facility finance, the facility manager and the auditor read every agency's supplier invoices."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or facility_roles(user) & FACILITY_INVOICE_READER_ROLES)


def receipt_refusal(*, user: User, agency: Agency, order: PurchaseOrder) -> Refusal | None:
    """Why this person may not record a receipt against this order, or None if they may."""
    if order.status != OrderStatus.ISSUED:
        return Refusal(
            "procurement.order_not_in_force",
            gettext("Purchase order %(number)s is cancelled; nothing is received against it.")
            % {"number": order.number},
            409,
        )
    from .services import segregation_conflicts

    conflict = segregation_conflicts(requisition=order.requisition, user=user, as_role="receiver")
    if conflict:
        return Refusal("procurement.segregation_receiver", conflict, 403)
    if not has_role(user=user, agency=agency, roles=RECEIVER_ROLES):
        return Refusal(
            "procurement.receivers_only",
            gettext("Only the people of %(agency)s record what it received.") % {"agency": agency.code},
            403,
        )
    if all(line.remaining <= 0 for line in order_line_figures(order=order)):
        return Refusal(
            "procurement.fully_received",
            gettext("Everything ordered on %(number)s has been received.") % {"number": order.number},
            409,
        )
    return None


def rating_refusal(*, user: User, agency: Agency, order_number: str) -> Refusal | None:
    """Only a person who recorded a receipt of the order rates its vendor, once per order."""
    from sourcing.models import VendorRating

    if not GoodsReceipt.objects.filter(order_number=order_number, received_by_id=user.pk).exists():
        return Refusal(
            "sourcing.not_the_receiver",
            gettext("Only a person who recorded a receipt of %(number)s rates its vendor.") % {"number": order_number},
            403,
        )
    if VendorRating.objects.filter(agency=agency, order_number=order_number).exists():
        return Refusal(
            "sourcing.already_rated",
            gettext("The vendor of %(number)s has already been rated.") % {"number": order_number},
            409,
        )
    return None


def invoice_refusal(*, user: User, agency: Agency, order: PurchaseOrder) -> Refusal | None:
    """Why this person may not record a vendor's invoice against this order, or None."""
    if not is_finance_officer(user=user, agency=agency):
        return Refusal(
            "procurement.finance_only",
            gettext("Only the finance officers of %(agency)s and the facility's finance staff record its invoices.")
            % {"agency": agency.code},
            403,
        )
    if order.status != OrderStatus.ISSUED:
        return Refusal(
            "procurement.order_not_in_force",
            gettext("Purchase order %(number)s is cancelled; no invoice is paid against it.")
            % {"number": order.number},
            409,
        )
    return None


def override_refusal(*, user: User, agency: Agency, invoice: SupplierInvoice) -> Refusal | None:
    """A held invoice is released by a finance officer other than the one who recorded it."""
    if not is_finance_officer(user=user, agency=agency):
        return Refusal(
            "procurement.finance_only",
            gettext("Only the finance officers of %(agency)s and the facility's finance staff release its invoices.")
            % {"agency": agency.code},
            403,
        )
    if invoice.status != InvoiceStatus.HELD:
        return Refusal(
            "procurement.invoice_not_held",
            gettext("Invoice %(number)s is not held; it is already payable.")
            % {"number": invoice.vendor_invoice_number},
            409,
        )
    if invoice.recorded_by_id == user.pk:
        return Refusal(
            "procurement.segregation_override",
            gettext("You recorded this invoice; another finance officer decides whether to release it."),
            403,
        )
    return None


def match_settings_refusal(*, user: User, agency: Agency) -> Refusal | None:
    if not is_agency_finance(user=user, agency=agency):
        return Refusal(
            "procurement.finance_only",
            gettext("Only the finance officers of %(agency)s set its tolerance.") % {"agency": agency.code},
            403,
        )
    return None


# -- orders ------------------------------------------------------------------------------------------


def _received_of_number() -> Any:
    received = (
        ReceiptLine.objects.filter(receipt__order_number=OuterRef("number"))
        .values("receipt__order_number")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(received), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def _ordered_of_order() -> Any:
    ordered = OrderLine.objects.filter(order=OuterRef("pk")).values("order").annotate(total=Sum("quantity"))
    return Coalesce(
        Subquery(ordered.values("total")), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


def _invoices_of_number(status: str) -> Any:
    invoices = (
        SupplierInvoice.objects.filter(order_number=OuterRef("number"), status=status)
        .values("order_number")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(invoices), Value(0))


def orders_visible(*, user: User, agency: Agency) -> QuerySet[PurchaseOrder]:
    """Every revision of the orders this person may read: as the requisition list, plus the ones they received."""
    whole = sees_whole_agency(user=user, agency=agency)
    requisitions = requisitions_visible(user=user, agency=agency, sees_whole_agency=whole)
    orders = PurchaseOrder.objects.filter(requisition__in=requisitions)
    if not whole:
        received = GoodsReceipt.objects.filter(received_by_id=user.pk).values("order_number")
        orders = PurchaseOrder.objects.filter(Q(requisition__in=requisitions) | Q(number__in=received))
    return orders


def orders_in_force(*, user: User, agency: Agency) -> QuerySet[PurchaseOrder]:
    """The orders in force this person may read, each with how much of it was received and invoiced."""
    orders = orders_visible(user=user, agency=agency).filter(status=OrderStatus.ISSUED)
    orders = orders.annotate(ordered_quantity=_ordered_of_order(), received_quantity=_received_of_number())
    return orders.select_related("requisition").annotate(
        received_percent=Case(
            When(ordered_quantity__gt=0, then=F("received_quantity") * HUNDRED / F("ordered_quantity")),
            default=Value(ZERO),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        held_invoices=_invoices_of_number(InvoiceStatus.HELD),
        payable_invoices=_invoices_of_number(InvoiceStatus.RELEASED),
    )


def orders_waiting_receipt(*, user: User, agency: Agency) -> list[PurchaseOrder]:
    """The orders in force not yet fully received that this person may receive (the start page's list)."""
    if not has_role(user=user, agency=agency, roles=RECEIVER_ROLES):
        return []
    waiting = (
        orders_in_force(user=user, agency=agency)
        .filter(Q(received_quantity__lt=F("ordered_quantity")))
        .exclude(requisition__requester_id=user.pk)
        .exclude(requisition__approver_id=user.pk)
        .exclude(requisition__buyer_id=user.pk)
    )
    return list(waiting.order_by("delivery_date", "number"))


def order_latest(*, number: str) -> PurchaseOrder | None:
    """The order's latest revision (in force, or cancelled), whoever asks: for services, which check who acts."""
    if not number or len(number) > ORDER_NUMBER_LENGTH:
        return None
    return PurchaseOrder.objects.filter(number=number).select_related("requisition").order_by("-revision").first()


def order_visible(*, user: User, agency: Agency, number: str) -> PurchaseOrder | None:
    """The order's latest revision if this person may read it, else None (a page answers 404)."""
    if not number or len(number) > ORDER_NUMBER_LENGTH:
        return None
    return (
        orders_visible(user=user, agency=agency)
        .filter(number=number)
        .select_related("requisition")
        .order_by("-revision")
        .first()
    )


def order_first_issued(*, number: str) -> datetime | None:
    """When the order was first issued (revision 0): nothing is received or invoiced before."""
    return PurchaseOrder.objects.filter(number=number).order_by("revision").values_list("issued_at", flat=True).first()


def received_by_position(*, order_number: str) -> dict[int, Decimal]:
    rows = (
        ReceiptLine.objects.filter(receipt__order_number=order_number)
        .values("position")
        .annotate(total=Sum("quantity"))
        .values_list("position", "total")
    )
    return {position: total for position, total in rows}


def invoiced_by_position(*, order_number: str) -> dict[int, Decimal]:
    """What the order's invoices bill per line (held or payable: both ask to be paid)."""
    rows = (
        SupplierInvoiceLine.objects.filter(invoice__order_number=order_number)
        .values("position")
        .annotate(total=Sum("quantity"))
        .values_list("position", "total")
    )
    return {position: total for position, total in rows}


@dataclass(frozen=True)
class LineFigures:
    """One order line with what was received and invoiced against it."""

    position: int
    description: str
    unit: str
    ordered: Decimal
    unit_price: Decimal
    received: Decimal
    invoiced: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.ordered - self.received


def order_line_figures(*, order: PurchaseOrder) -> list[LineFigures]:
    received = received_by_position(order_number=order.number)
    invoiced = invoiced_by_position(order_number=order.number)
    return [
        LineFigures(
            position=line.position,
            description=line.description,
            unit=line.unit,
            ordered=line.quantity,
            unit_price=line.unit_price,
            received=received.get(line.position, ZERO),
            invoiced=invoiced.get(line.position, ZERO),
        )
        for line in order.lines.order_by("position")
    ]


def receipts_of(*, order_number: str) -> QuerySet[GoodsReceipt]:
    return (
        GoodsReceipt.objects.filter(order_number=order_number)
        .select_related("received_by")
        .prefetch_related("lines", "attachments")
        .order_by("recorded_at", "pk")
    )


def invoices_of(*, order_number: str) -> QuerySet[SupplierInvoice]:
    return (
        SupplierInvoice.objects.filter(order_number=order_number)
        .select_related("vendor", "recorded_by", "override_by")
        .prefetch_related("lines")
        .order_by("recorded_at", "pk")
    )


# -- the three-way match ---------------------------------------------------------------------------


def match_tolerance() -> Decimal:
    """The agency's tolerance on unit prices, in percent (default 0 %)."""
    tolerance = MatchSettings.objects.filter(pk=1).values_list("price_tolerance_percent", flat=True).first()
    return tolerance if tolerance is not None else ZERO


def match_settings() -> MatchSettings | None:
    return MatchSettings.objects.filter(pk=1).select_related("set_by").first()


def hold_reason_text(reason: dict[str, Any]) -> str:
    """One stored reason of a hold as a sentence in the reader's language (they are stored as facts)."""
    kind = reason.get("kind")
    values = {key: reason.get(key, "") for key in ("line", "invoiced", "received", "ordered", "tolerance")}
    if kind == "quantity":
        return gettext("Line %(line)s: %(invoiced)s invoiced, %(received)s received.") % values
    if kind == "price_above":
        return (
            gettext(
                "Line %(line)s: unit price %(invoiced)s is above the order's %(ordered)s by more than the "
                "%(tolerance)s %% tolerance."
            )
            % values
        )
    if kind == "price_below":
        return (
            gettext(
                "Line %(line)s: unit price %(invoiced)s is below the order's %(ordered)s by more than the "
                "%(tolerance)s %% tolerance."
            )
            % values
        )
    return str(reason.get("text", ""))


def hold_reasons_text(invoice: SupplierInvoice) -> list[str]:
    return [hold_reason_text(reason) for reason in invoice.hold_reasons or [] if isinstance(reason, dict)]


# -- lists of invoices ---------------------------------------------------------------------------------


def supplier_invoices(
    *,
    status: str = "",
    search: str = "",
    released_from: date | None = None,
    released_to: date | None = None,
) -> QuerySet[SupplierInvoice]:
    """The agency's supplier invoices (its finance officers' list): held first unless sorted otherwise."""
    invoices = SupplierInvoice.objects.select_related("vendor", "recorded_by", "override_by")
    if status:
        invoices = invoices.filter(status=status)
    if search:
        invoices = invoices.filter(
            Q(vendor_invoice_number__icontains=search)
            | Q(order_number__icontains=search)
            | Q(vendor__legal_name__icontains=search)
        )
    if released_from is not None:
        invoices = invoices.filter(released_at__date__gte=released_from)
    if released_to is not None:
        invoices = invoices.filter(released_at__date__lte=released_to)
    return invoices


def payables(*, released_from: date | None, released_to: date | None) -> QuerySet[SupplierInvoice]:
    """The payable invoices released in the period (dates in the facility's time zone), oldest first."""
    invoices = supplier_invoices(
        status=InvoiceStatus.RELEASED, released_from=released_from, released_to=released_to
    ).order_by("released_at", "pk")
    return invoices


def held_invoices_count() -> int:
    return SupplierInvoice.objects.filter(status=InvoiceStatus.HELD).count()


@dataclass(frozen=True)
class FacilityInvoiceRow:
    """A supplier invoice as the facility's list shows it, with its agency (read in the agency's schema)."""

    agency_code: str
    pk: int
    order_number: str
    vendor_name: str
    vendor_invoice_number: str
    invoice_date: date
    currency: str
    total: Decimal
    status: str
    status_label: str
    recorded_at: datetime
    released_at: datetime | None


def _agencies(code: str = "") -> Iterable[Agency]:
    agencies = Agency.objects.agencies().active().order_by("code")
    if code:
        agencies = agencies.filter(code=code)
    return list(agencies)


def facility_invoices(*, agency_code: str = "", status: str = "") -> list[FacilityInvoiceRow]:
    """Every agency's supplier invoices for the facility's finance staff, read in each agency's schema in turn."""
    rows: list[FacilityInvoiceRow] = []
    for agency in _agencies(agency_code):
        with schema_context(agency.schema_name):
            invoices = SupplierInvoice.objects.select_related("vendor")
            if status:
                invoices = invoices.filter(status=status)
            rows += [
                FacilityInvoiceRow(
                    agency_code=agency.code,
                    pk=invoice.pk,
                    order_number=invoice.order_number,
                    vendor_name=invoice.vendor.legal_name if invoice.vendor_id else "",
                    vendor_invoice_number=invoice.vendor_invoice_number,
                    invoice_date=invoice.invoice_date,
                    currency=invoice.currency,
                    total=invoice.total,
                    status=invoice.status,
                    status_label=str(invoice.get_status_display()),
                    recorded_at=invoice.recorded_at,
                    released_at=invoice.released_at,
                )
                for invoice in invoices
            ]
    return rows


def facility_held_count() -> int:
    held = 0
    for agency in _agencies():
        with schema_context(agency.schema_name):
            held += held_invoices_count()
    return held


def facility_agency(*, code: str) -> Agency | None:
    """An active agency by its code (the facility's pages name the agency whose invoice they show)."""
    if not code or len(code) > 15:
        return None
    return Agency.objects.agencies().active().filter(code=code.upper()).first()
