"""Writes after the purchase order: goods received, the vendor's invoice and the three-way match.

The rules (PRODUCT.md, "Procurement (UN practice)"; issue 14; UN Procurement Manual):

- What was received is recorded against the order in force, line by line; receipts add up and never go
  above what was ordered. The receiver is a person of the agency who is neither the purchase's requester,
  its approver nor its buyer: the four different people of one purchase.
- The vendor's invoice is recorded by the agency's finance officers or the facility's finance staff, in the
  order's currency, and matched line by line with the order and its receipts (the three-way match): the
  quantity invoiced (this invoice and the order's earlier ones) is at most the quantity received, and each
  unit price is within the agency's tolerance of the order's (default 0 %, boundary included). A match
  makes the invoice payable (exported for the agency's ERP, where it is paid); a mismatch holds it with the
  reasons and tells the agency's finance officers. Another finance officer may release a held invoice with
  a written justification, recorded with their name.

Every function runs with the connection in the order's agency schema (`schema_context`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from ledger import services as ledger
from ledger.models import LedgerEntry, NamedRole
from shared_platform import limits
from shared_platform.attachments import agency_file_path, uploads_check
from shared_platform.errors import ApplicationError
from shared_platform.inputs import decimal_checked, refuse, text_checked
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from .models import (
    CaseEvent,
    CaseEventKind,
    GoodsReceipt,
    InvoiceStatus,
    MatchSettings,
    OrderStatus,
    PurchaseOrder,
    ReceiptAttachment,
    ReceiptLine,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from .receiving_selectors import (
    HUNDRED,
    LineFigures,
    Refusal,
    figure,
    invoice_refusal,
    match_settings_refusal,
    match_tolerance,
    order_first_issued,
    order_latest,
    order_line_figures,
    override_refusal,
    receipt_refusal,
    unit_price_text,
)

CENT = Decimal("0.01")
# A delivery note, a signed completion certificate, a photograph or two.
MAX_RECEIPT_FILES = 5
# The columns' limits (numeric(12, 2) quantities, numeric(16, 2) amounts): larger is refused, never an overflow.
LARGEST_QUANTITY = Decimal("1e10")
LARGEST_AMOUNT = Decimal("1e14")
VENDOR_INVOICE_NUMBER_LENGTH = 60


# -- small checks -------------------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Procurement times are aware datetimes.")
    return at


def _in_schema_of(agency: Agency) -> None:
    if connection.schema_name != agency.schema_name:  # type: ignore[attr-defined]
        raise RuntimeError(f"Receiving services run in the agency's schema ({agency.schema_name}).")


def _refuse(
    message: str, *, code: str = "procurement.invalid", field: str | None = None, status: int = 400
) -> NoReturn:
    refuse(message, code=code, field=field, status=status)


def _refused(refusal: Refusal | None) -> None:
    if refusal is not None:
        _refuse(refusal.message, code=refusal.code, status=refusal.status)


def _order_locked(number: str) -> PurchaseOrder:
    """The order's latest revision, locked: receipts and invoices of one order are checked one at a time."""
    found = order_latest(number=number)
    if found is None:
        _refuse(
            gettext("There is no purchase order %(number)s here.") % {"number": str(number)[:40]},
            code="procurement.order_not_found",
            status=404,
        )
    order = PurchaseOrder.objects.select_for_update(of=("self",)).select_related("requisition").get(pk=found.pk)
    if order.status == OrderStatus.REVISED:
        _refuse(
            gettext("Purchase order %(number)s was revised a moment ago; open it again.") % {"number": order.number},
            code="procurement.order_revised",
            status=409,
        )
    return order


def _day(value: Any, *, field: str, missing: str) -> date:
    if not isinstance(value, date):
        _refuse(missing, field=field)
    return value.date() if isinstance(value, datetime) else value


def _positions(lines: Mapping[Any, Any], figures: dict[int, LineFigures]) -> dict[int, Any]:
    """The lines given, by the order's line numbers; a line the order does not have is refused."""
    if not isinstance(lines, Mapping):
        _refuse(gettext("Give the lines as line number and figures."), field="lines")
    if len(lines) > len(figures):
        _refuse(
            ngettext("The order has %(count)d line.", "The order has %(count)d lines.", len(figures))
            % {"count": len(figures)},
            field="lines",
        )
    checked: dict[int, Any] = {}
    for key, value in lines.items():
        text = str(key).strip()
        position = int(text) if text.isdigit() and len(text) <= 5 else None
        if position is None or position not in figures:
            _refuse(
                gettext("The order has no line %(line)s.") % {"line": text[:10]},
                field=f"lines.{text[:10]}",
            )
        if position in checked:
            _refuse(gettext("Line %(line)d is given twice.") % {"line": position}, field=f"lines.{position}")
        checked[position] = value
    return checked


def _quantity(value: Any, *, field: str, allow_zero: bool) -> Decimal:
    quantity = decimal_checked(value, field=field, code="procurement.invalid", places=2, allow_zero=allow_zero)
    if quantity >= LARGEST_QUANTITY:
        _refuse(gettext("That figure is too large."), field=field)
    return quantity


def _event(order: PurchaseOrder, kind: str, at: datetime, actor: User, detail: str) -> None:
    CaseEvent.objects.create(
        requisition=order.requisition, kind=kind, at=at, actor=actor, detail=detail[: limits.SHORT_TEXT]
    )


# -- receipts ------------------------------------------------------------------------------------------


@transaction.atomic
def receipt_record(
    *,
    agency: Agency,
    order_number: str,
    lines: Mapping[Any, Any],
    received_on: date,
    note: str,
    files: Iterable[UploadedFile] = (),
    by: User,
    at: datetime | None = None,
) -> GoodsReceipt:
    """Record goods or services received against the order in force, line by line (`lines`: line number ->
    quantity received now; lines left out or at zero received nothing this time).

    Partial receipts add up; on no line does the total received pass the quantity ordered (each line that
    would is named). The day received is neither in the future nor before the order was issued. The receiver
    is a person of the agency who is neither the requester, the approver nor the buyer (UN Procurement
    Manual: four different people of one purchase); a cancelled order takes no receipt. The delivery note
    and other files go to the agency's folder; the receipt is numbered after its order (UNDP-PO-2026-000123-R1),
    the receiver is named on the request, and its history notes the receipt.
    """
    _in_schema_of(agency)
    at = _now(at)
    order = _order_locked(order_number)
    _refused(receipt_refusal(user=by, agency=agency, order=order))
    figures = {line.position: line for line in order_line_figures(order=order)}
    received_on = _day(received_on, field="received_on", missing=gettext("Give the day the goods arrived."))
    if received_on > timezone.localtime(at).date():
        _refuse(gettext("The day received cannot be in the future."), field="received_on")
    issued = order_first_issued(number=order.number) or order.issued_at
    if received_on < timezone.localtime(issued).date():
        _refuse(
            gettext("The day received cannot be before the order was issued (%(day)s).")
            % {"day": timezone.localtime(issued).date().isoformat()},
            field="received_on",
        )
    quantities = {
        position: _quantity(value, field=f"lines.{position}", allow_zero=True)
        for position, value in _positions(lines, figures).items()
    }
    quantities = {position: quantity for position, quantity in quantities.items() if quantity > 0}
    if not quantities:
        _refuse(gettext("Give the quantity received on at least one line."), field="lines")
    too_much = {}
    for position, quantity in sorted(quantities.items()):
        line = figures[position]
        if line.received + quantity > line.ordered:
            too_much[f"lines.{position}"] = [
                gettext(
                    "Line %(line)d: at most %(left)s more can be received (%(ordered)s ordered, %(before)s "
                    "received before), not %(quantity)s."
                )
                % {
                    "line": position,
                    "left": figure(max(line.remaining, Decimal(0))),
                    "ordered": figure(line.ordered),
                    "before": figure(line.received),
                    "quantity": figure(quantity),
                }
            ]
    if too_much:
        raise ApplicationError(
            " ".join(message for messages in too_much.values() for message in messages),
            code="procurement.over_receipt",
            status_code=400,
            fields=too_much,
        )
    note = text_checked(note, field="note", required=None, limit=limits.SHORT_TEXT, code="procurement.invalid")
    uploads = uploads_check(list(files), code_prefix="procurement", max_count=MAX_RECEIPT_FILES, field="files")
    count = GoodsReceipt.objects.filter(order_number=order.number).count()
    receipt = GoodsReceipt.objects.create(
        order_number=order.number,
        reference=f"{order.number}-R{count + 1}",
        received_on=received_on,
        note=note,
        received_by=by,
        recorded_at=at,
    )
    ReceiptLine.objects.bulk_create(
        ReceiptLine(receipt=receipt, position=position, quantity=quantity)
        for position, quantity in sorted(quantities.items())
    )
    for upload, checked in uploads:
        attachment = ReceiptAttachment(
            receipt=receipt,
            name=checked.name,
            content_type=checked.content_type,
            size=upload.size or 0,
            uploaded_by=by,
            uploaded_at=at,
        )
        path = agency_file_path(module="procurement", folder=f"receipts/{receipt.reference}", name=checked.name)
        attachment.file.save(path, upload, save=False)
        attachment.save()
    entry_id = order.requisition.entry_id
    entry = LedgerEntry.objects.filter(pk=entry_id).first() if entry_id is not None else None
    if entry is not None:
        ledger.entry_name_person(entry=entry, user=by, role=NamedRole.RECEIVER)
    _event(order, CaseEventKind.RECEIPT, at, by, receipt.reference)
    return receipt


# -- supplier invoices and the three-way match --------------------------------------------------------


def match_findings(
    *, lines: Mapping[int, tuple[Decimal, Decimal]], figures: Mapping[int, LineFigures], tolerance: Decimal
) -> list[dict[str, Any]]:
    """What fails the three-way match, line by line, as facts (the pages and e-mails word them).

    Quantity: what the order's invoices bill for a line, this one included, is at most what was received.
    Price: |invoiced - ordered| <= ordered x tolerance / 100, the boundary included.
    """
    reasons: list[dict[str, Any]] = []
    for position in sorted(lines):
        quantity, unit_price = lines[position]
        line = figures[position]
        invoiced = line.invoiced + quantity
        if invoiced > line.received:
            reasons.append(
                {"line": position, "kind": "quantity", "invoiced": figure(invoiced), "received": figure(line.received)}
            )
        allowed = line.unit_price * tolerance / HUNDRED
        if abs(unit_price - line.unit_price) > allowed:
            reasons.append(
                {
                    "line": position,
                    "kind": "price_above" if unit_price > line.unit_price else "price_below",
                    "invoiced": unit_price_text(unit_price),
                    "ordered": unit_price_text(line.unit_price),
                    "tolerance": figure(tolerance),
                }
            )
    return reasons


def _invoice_lines(lines: Mapping[Any, Any], figures: dict[int, LineFigures]) -> dict[int, tuple[Decimal, Decimal]]:
    checked: dict[int, tuple[Decimal, Decimal]] = {}
    for position, value in _positions(lines, figures).items():
        if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
            _refuse(
                gettext("Line %(line)d: give the quantity and the unit price invoiced.") % {"line": position},
                field=f"lines.{position}",
            )
        quantity = _quantity(value[0], field=f"lines.{position}.quantity", allow_zero=False)
        unit_price = decimal_checked(
            value[1], field=f"lines.{position}.unit_price", code="procurement.invalid", places=4
        )
        checked[position] = (quantity, unit_price)
    if not checked:
        _refuse(gettext("An invoice bills at least one line of the order."), field="lines")
    return checked


def _amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def supplier_invoice_record(
    *,
    agency: Agency,
    order_number: str,
    vendor_invoice_number: str,
    invoice_date: date,
    currency: str,
    lines: Mapping[Any, Any],
    by: User,
    at: datetime | None = None,
) -> SupplierInvoice:
    """Record the vendor's invoice against the order in force and match it (the three-way match).

    By the agency's finance officers or the facility's finance staff; in the order's currency; dated
    neither in the future nor before the order; a vendor's invoice number is recorded once. `lines`: line
    number -> (quantity, unit price). Each line is matched: the quantity invoiced (this invoice and the
    order's earlier ones) is at most the quantity received, and the unit price is within the agency's
    tolerance of the order's, boundary included (MatchSettings, default 0 %). A match makes the invoice
    payable at once; a mismatch holds it with the reasons, and the agency's finance officers are told.
    """
    _in_schema_of(agency)
    at = _now(at)
    order = _order_locked(order_number)
    _refused(invoice_refusal(user=by, agency=agency, order=order))
    number = text_checked(
        vendor_invoice_number,
        field="vendor_invoice_number",
        required=gettext("Give the vendor's invoice number."),
        limit=VENDOR_INVOICE_NUMBER_LENGTH,
        code="procurement.invalid",
        one_line=True,
    )
    if currency != order.currency:
        _refuse(
            gettext("Order %(number)s is in %(currency)s; its invoice is too.")
            % {"number": order.number, "currency": order.currency},
            field="currency",
        )
    invoice_date = _day(invoice_date, field="invoice_date", missing=gettext("Give the invoice's date."))
    if invoice_date > timezone.localtime(at).date():
        _refuse(gettext("The invoice date cannot be in the future."), field="invoice_date")
    issued = order_first_issued(number=order.number) or order.issued_at
    if invoice_date < timezone.localtime(issued).date():
        _refuse(
            gettext("The invoice cannot be dated before the order was issued (%(day)s).")
            % {"day": timezone.localtime(issued).date().isoformat()},
            field="invoice_date",
        )
    figures = {line.position: line for line in order_line_figures(order=order)}
    checked = _invoice_lines(lines, figures)
    amounts = {position: _amount(quantity, price) for position, (quantity, price) in checked.items()}
    total = sum(amounts.values(), Decimal("0.00"))
    if any(amount >= LARGEST_AMOUNT for amount in amounts.values()) or total >= LARGEST_AMOUNT:
        _refuse(gettext("That total is too large."), field="lines")
    if total <= 0:
        _refuse(gettext("The invoice's total must be more than zero."), field="lines")
    tolerance = match_tolerance()
    reasons = match_findings(lines=checked, figures=figures, tolerance=tolerance)
    duplicate = gettext("Invoice %(number)s of this vendor has already been recorded.") % {"number": number}
    if SupplierInvoice.objects.filter(vendor_id=order.vendor_id, vendor_invoice_number__iexact=number).exists():
        _refuse(duplicate, code="procurement.invoice_duplicate", field="vendor_invoice_number", status=409)
    try:
        with transaction.atomic():  # another order's invoice with this number, recorded a moment ago
            invoice = _invoice_create(order, number, invoice_date, currency, total, reasons, tolerance, by, at)
    except IntegrityError:
        _refuse(duplicate, code="procurement.invoice_duplicate", field="vendor_invoice_number", status=409)
    SupplierInvoiceLine.objects.bulk_create(
        SupplierInvoiceLine(
            invoice=invoice, position=position, quantity=quantity, unit_price=unit_price, amount=amounts[position]
        )
        for position, (quantity, unit_price) in sorted(checked.items())
    )
    _event(order, CaseEventKind.INVOICE, at, by, f"{number}: {invoice.status}")
    if reasons:
        _notify_held(invoice)
    return invoice


def _invoice_create(
    order: PurchaseOrder,
    number: str,
    invoice_date: date,
    currency: str,
    total: Decimal,
    reasons: list[dict[str, Any]],
    tolerance: Decimal,
    by: User,
    at: datetime,
) -> SupplierInvoice:
    return SupplierInvoice.objects.create(
        order_number=order.number,
        vendor_id=order.vendor_id,
        vendor_invoice_number=number,
        invoice_date=invoice_date,
        currency=currency,
        total=total,
        status=InvoiceStatus.HELD if reasons else InvoiceStatus.RELEASED,
        hold_reasons=reasons,
        tolerance_percent=tolerance,
        recorded_by=by,
        recorded_at=at,
        released_at=None if reasons else at,
    )


def _notify_held(invoice: SupplierInvoice) -> None:
    """Tell the agency's finance officers of a held invoice, after commit, from the worker."""
    if ledger.alerts_are_muted():
        return
    from .notifications_receiving import invoice_held_notify

    enqueue_after_commit(invoice_held_notify, invoice.pk)


@transaction.atomic
def supplier_invoice_override(
    *, agency: Agency, invoice: SupplierInvoice, justification: str, by: User, at: datetime | None = None
) -> SupplierInvoice:
    """Release a held invoice as payable despite the mismatch, with a written justification.

    A finance officer (the agency's, or the facility's finance staff) other than the one who recorded it;
    who released it, when and why are kept and shown with the invoice and in the payables export.
    """
    _in_schema_of(agency)
    at = _now(at)
    invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
    _refused(override_refusal(user=by, agency=agency, invoice=invoice))
    justification = text_checked(
        justification,
        field="justification",
        required=gettext("Say why the invoice is paid despite the mismatch."),
        limit=limits.SHORT_TEXT,
        code="procurement.invalid",
    )
    invoice.status = InvoiceStatus.RELEASED
    invoice.released_at = at
    invoice.override_by = by
    invoice.override_at = at
    invoice.override_justification = justification
    invoice.save(update_fields=["status", "released_at", "override_by", "override_at", "override_justification"])
    order = order_latest(number=invoice.order_number)
    if order is not None:
        _event(order, CaseEventKind.INVOICE, at, by, f"{invoice.vendor_invoice_number}: released")
    return invoice


@transaction.atomic
def match_settings_set(
    *, agency: Agency, tolerance_percent: Any, by: User, at: datetime | None = None
) -> MatchSettings:
    """The agency's finance officers set the tolerance on unit prices of the three-way match, 0 to 100 %
    (issue 14: default 0 %). Invoices already recorded keep the tolerance they were matched with."""
    _in_schema_of(agency)
    at = _now(at)
    _refused(match_settings_refusal(user=by, agency=agency))
    tolerance = decimal_checked(tolerance_percent, field="tolerance_percent", code="procurement.invalid", places=2)
    if tolerance > HUNDRED:
        _refuse(gettext("The tolerance is between 0 and 100 %."), field="tolerance_percent")
    settings, _created = MatchSettings.objects.select_for_update().get_or_create(pk=1)
    settings.price_tolerance_percent = tolerance
    settings.set_by = by
    settings.set_at = at
    settings.save(update_fields=["price_tolerance_percent", "set_by", "set_at"])
    return settings
