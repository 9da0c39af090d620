"""The demo after the order: UNDP's and UNFPA's orders received, invoiced, matched, and their vendors rated.

Played through the services at past instants, after the purchases (`procurement.demo`): each agency's
finance officer (Daniel Costa, finance@<agency>.demo) receives, being neither the requester, the approver
nor the buyer of any demo purchase; the facility's finance officer (finance@facility.demo) records the
vendors' invoices. Every order in force is received in full and invoiced at its prices (payable), except
the latest, of which only part has arrived, and the one before it, whose vendor invoiced a unit price
above the order's: held, waiting for a finance officer's decision. The receiver rates each vendor.
Loading twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from ledger.services import alerts_muted
from sourcing.services.ratings import vendor_rating_record
from tenants.models import Agency

from . import receiving
from .models import GoodsReceipt, OrderStatus, PurchaseOrder
from .receiving_selectors import order_line_figures

SEED = 20261129
AGENCIES = ("UNDP", "UNFPA")
FACILITY_FINANCE_EMAIL = "finance@facility.demo"
RECEIVER_EMAIL = "finance@{code}.demo"
CENT = Decimal("0.01")
NOTES = (
    "Delivered complete; the delivery note is signed.",
    "Two boxes arrived dented; contents checked and fine.",
    "Delivered to the reception desk, checked against the order.",
)
COMMENTS = ("Delivered as ordered.", "Good quality, well packed.", "Delivery was a few days late but complete.")


def _at(moment: datetime, now: datetime) -> datetime:
    """A past instant: never later than an hour ago."""
    return min(moment, now - timedelta(hours=1))


def _receive(order: PurchaseOrder, receiver: User, agency: Agency, at: datetime, *, part: bool, note: str) -> None:
    lines = order_line_figures(order=order)
    quantities = {}
    for line in lines:
        quantity = line.ordered
        if part:
            quantity = (line.ordered / 2).quantize(CENT, rounding=ROUND_HALF_UP) if line.position == 1 else Decimal(0)
        if quantity > 0:
            quantities[line.position] = quantity
    receiving.receipt_record(
        agency=agency,
        order_number=order.number,
        lines=quantities,
        received_on=timezone.localtime(at).date(),
        note=note,
        by=receiver,
        at=at,
    )


def _invoice(order: PurchaseOrder, recorder: User, agency: Agency, at: datetime, *, above: bool) -> None:
    lines = {
        line.position: (line.ordered, (line.unit_price * Decimal("1.03")).quantize(CENT) if above else line.unit_price)
        for line in order_line_figures(order=order)
    }
    receiving.supplier_invoice_record(
        agency=agency,
        order_number=order.number,
        vendor_invoice_number=f"NF-{order.number.rsplit('-', 1)[-1]}-{timezone.localtime(at):%m%d}",
        invoice_date=timezone.localtime(at).date(),
        currency=order.currency,
        lines=lines,
        by=recorder,
        at=at,
    )


def _agency_load(agency: Agency, rng: random.Random, now: datetime) -> int:
    receiver = User.objects.filter(
        email=RECEIVER_EMAIL.format(code=agency.code.lower()),
        memberships__agency=agency,
        memberships__role=Role.AGENCY_FINANCE,
    ).first()
    recorder = User.objects.filter(email=FACILITY_FINANCE_EMAIL).first()
    if receiver is None or recorder is None or GoodsReceipt.objects.exists():
        return 0
    orders = list(
        PurchaseOrder.objects.filter(status=OrderStatus.ISSUED).select_related("requisition").order_by("issued_at")
    )
    added = 0
    for index, order in enumerate(orders):
        latest, before_latest = index == len(orders) - 1, index == len(orders) - 2
        arrival = order.issued_at + timedelta(days=rng.randint(2, 9), hours=rng.randint(1, 5))
        received_at = max(order.issued_at, _at(arrival, now))
        _receive(order, receiver, agency, received_at, part=latest, note=rng.choice(NOTES))
        added += 1
        if latest:
            continue
        vendor_rating_record(
            agency=agency,
            order_number=order.number,
            on_time=timezone.localtime(received_at).date() <= order.delivery_date,
            quality=rng.choice((3, 4, 4, 5, 5)),
            compliance=rng.choice((4, 5, 5)),
            comment=rng.choice(COMMENTS),
            by=receiver,
            at=max(received_at, _at(received_at + timedelta(hours=2), now)),
        )
        invoiced_at = max(received_at, _at(received_at + timedelta(days=2), now))
        _invoice(order, recorder, agency, invoiced_at, above=before_latest)
        added += 2
    return added


def receiving_demo_load(*, months: int = 3, now: datetime | None = None) -> int:
    """Receipts, invoices (payable and one held per agency) and ratings for UNDP's and UNFPA's demo orders;
    the number of records added (0 if they are already there, or with no months of history to play)."""
    if months <= 0:
        return 0
    now = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    added = 0
    with alerts_muted():
        for agency in Agency.objects.agencies().filter(code__in=AGENCIES).order_by("code"):
            with schema_context(agency.schema_name), transaction.atomic():
                added += _agency_load(agency, rng, now)
    return added
