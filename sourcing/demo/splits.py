"""The demo's split purchase: one UNDP requester buys office furniture from one vendor three times in a few months,
6,000 USD each, under the micro-purchase threshold of 15,000 that the three together pass.

Played through `procurement.services` at past instants, as the running system
would have written it: the first two raised, approved, taken by the facility's
buyer, quoted and ordered (micro-purchases); the third approved with the
approver's explanation, which the split check asks for and records as a flag.
The third then waits for a buyer, whose order form shows the same warning for
that vendor. The facility's split-purchase report lists the flag and the scan
finds the three purchases.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from ledger.services import alerts_muted
from procurement import services
from procurement.demo import BUYER_EMAIL, ORDER_TERMS
from procurement.models import Requisition
from service_levels.selectors import services_covered
from tenants.models import Agency
from vendors.demo import roster_ensure
from vendors.models import SupplyCategory, Vendor, VendorStatus

from ..models import SplitFlag

AGENCY = "UNDP"
CATEGORY = "FURNITURE"
VENDOR = "Móveis Corporativos Planalto Ltda."
REQUESTER_EMAIL = "requester@undp.demo"
APPROVER_EMAIL = "approver@undp.demo"
# (title, description, quantity, unit, unit price): 6,000.00 USD each.
PURCHASES = [
    ("Desks for the new project room", "Office desk with drawers, 140 x 70 cm", "10", "each", "600.00"),
    ("Meeting table and cabinets", "Lockable filing cabinet, 4 drawers", "12", "each", "500.00"),
    ("Chairs for the project room", "Ergonomic office chair", "15", "each", "400.00"),
]
EXPLANATION = (
    "Three separate needs: the desks came with the new project room in the summer, the cabinets with the audit "
    "of our files, and these chairs are for the team hired this month. Each was budgeted on its own."
)


def _moments(now: datetime) -> list[datetime]:
    """When each purchase is raised: about 10 and 5 weeks ago and 5 days ago, within this year's service
    agreement (it starts on 1 January), on weekdays at 10:00."""
    start_of_year = timezone.localtime(now).replace(month=1, day=2, hour=10, minute=0, second=0, microsecond=0)
    moments: list[datetime] = []
    for days in (70, 35, 5):
        moment = max(timezone.localtime(now - timedelta(days=days)).replace(hour=10, minute=0), start_of_year)
        if moments:
            # Early in January all three would fall on 2 January: each comes after the one before is ordered.
            moment = max(moment, moments[-1] + timedelta(days=2))
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
        moments.append(moment)
    return moments


def _raise(
    agency: Agency, requester: User, category: SupplyCategory, purchase: tuple[str, ...], at: datetime
) -> Requisition:
    title, description, quantity, unit, price = purchase
    return services.requisition_raise(
        agency=agency,
        requester=requester,
        title=title,
        justification="Furniture for the project team; budget confirmed by the programme unit.",
        delivery_place="UNDP office, Brasília",
        delivery_date=(at + timedelta(days=30)).date(),
        charge_code="BRA10-00456-72200",
        lines=[services.LineInput(description, category, quantity, unit, price)],
        at=at,
    )


def splits_demo_load(*, now: datetime | None = None) -> int:
    """UNDP's three furniture purchases from one vendor, the third approved with an explanation (one flag).

    Returns the requisitions added; 0 when UNDP, its approver, the vendor or procurement in its agreement is
    missing, or when the demo's split purchase is already there."""
    now = now or timezone.now()
    roster_ensure()
    agency = Agency.objects.filter(code=AGENCY).first()
    vendor = Vendor.objects.filter(legal_name=VENDOR, status=VendorStatus.ACTIVE).first()
    category = SupplyCategory.objects.filter(code=CATEGORY).first()
    requester = User.objects.filter(email=REQUESTER_EMAIL).first()
    approver = User.objects.filter(email=APPROVER_EMAIL).first()
    buyer = User.objects.filter(email=BUYER_EMAIL).first()
    if None in (agency, vendor, category, requester, approver, buyer):
        return 0
    assert agency is not None and vendor is not None and category is not None  # for the type checker
    assert requester is not None and approver is not None and buyer is not None
    if (
        not services_covered(agency=agency, on=timezone.localdate(now))
        or SplitFlag.objects.filter(agency=agency, category=category).exists()
    ):
        return 0
    moments = _moments(now)
    with schema_context(agency.schema_name), transaction.atomic(), alerts_muted():
        for purchase, raised in zip(PURCHASES[:2], moments[:2], strict=True):
            requisition = _raise(agency, requester, category, purchase, raised)
            services.requisition_approve(
                agency=agency, requisition=requisition, approver=approver, at=raised + timedelta(hours=2)
            )
            services.requisition_take(requisition=requisition, buyer=buyer, at=raised + timedelta(hours=4))
            quotation = services.quotation_record(
                requisition=requisition,
                vendor=vendor,
                currency="USD",
                unit_prices=[Decimal(purchase[4])],
                reference=f"ORC-{raised:%Y%m%d}",
                by=buyer,
                at=raised + timedelta(days=1),
            )
            services.order_issue(
                agency=agency,
                requisition=requisition,
                by=buyer,
                terms=ORDER_TERMS,
                quotation=quotation,
                at=raised + timedelta(days=1, hours=3),
            )
        third = _raise(agency, requester, category, PURCHASES[2], moments[2])
        services.requisition_approve(
            agency=agency,
            requisition=third,
            approver=approver,
            split_explanation=EXPLANATION,
            at=moments[2] + timedelta(hours=3),
        )
    return len(PURCHASES)
