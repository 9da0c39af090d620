"""Reads of spend: split-purchase findings for one purchase, and the facility's reports across agencies.

A possible split purchase (PRODUCT.md, "Split-purchase warning"; issue 14):
the same agency buys the same category from the same vendor again and again
within 12 months, each purchase staying under a method threshold while
together they pass it. Everything here reads `sourcing.PurchaseRecord` (the
issued order lines of every agency, in the public schema); the check at
approval and order time is one query on the index `purchase_split_lookup`
(agency, category, ordered_on) that carries what it needs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Min, Sum

from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor
from vendors.selectors import thresholds_in_force

from ..models import PurchaseRecord

ZERO = Decimal("0.00")


def year_before(on: date) -> date:
    """The same date one year earlier; 29 February goes back to 28 February."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


def window_start(on: date) -> date:
    """The first day of the 12 months that end on `on` (a purchase counts from the day after a year ago)."""
    return year_before(on) + timedelta(days=1)


@dataclass(frozen=True)
class EarlierPurchase:
    """One earlier order's spend in the category: its number, requisition, date and amount (USD)."""

    order_number: str
    requisition_reference: str
    ordered_on: date
    amount_usd: Decimal

    def as_json(self) -> dict[str, str]:
        return {
            "order_number": self.order_number,
            "requisition": self.requisition_reference,
            "ordered_on": self.ordered_on.isoformat(),
            "amount_usd": str(self.amount_usd),
        }


@dataclass(frozen=True)
class SplitFinding:
    """This purchase with the earlier ones passes a threshold that each of them stays under."""

    category_id: int
    vendor_id: int
    threshold_method: str  # the method the threshold ends: "micro" or "rfq"
    threshold_usd: Decimal
    this_amount_usd: Decimal
    total_usd: Decimal
    purchases: list[EarlierPurchase] = field(default_factory=list)
    category_name: str = ""
    vendor_name: str = ""

    @property
    def order_numbers(self) -> str:
        return ", ".join(purchase.order_number for purchase in self.purchases)


def method_thresholds(*, agency: Agency, on: date) -> list[tuple[str, Decimal]]:
    """The method thresholds in force for the agency on that day, lowest first: (method it ends, value USD)."""
    thresholds = thresholds_in_force(agency=agency, on=on)
    return [("micro", thresholds.micro_purchase_max), ("rfq", thresholds.rfq_max)]


def group_findings(
    *,
    this_amount: Decimal,
    purchases: list[EarlierPurchase],
    thresholds: list[tuple[str, Decimal]],
    category_id: int,
    vendor_id: int,
) -> list[SplitFinding]:
    """The rule for one (category, vendor): for each threshold, lowest first, that this purchase stays
    under (at most the threshold), the earlier purchases that each stay under it too; at least one, and
    this purchase and theirs together above it, is a finding."""
    findings = []
    for method, threshold in thresholds:
        if this_amount > threshold:
            continue
        under = [purchase for purchase in purchases if purchase.amount_usd <= threshold]
        total = this_amount + sum((purchase.amount_usd for purchase in under), ZERO)
        if under and total > threshold:
            findings.append(
                SplitFinding(
                    category_id=category_id,
                    vendor_id=vendor_id,
                    threshold_method=method,
                    threshold_usd=threshold,
                    this_amount_usd=this_amount,
                    total_usd=total,
                    purchases=sorted(under, key=lambda purchase: (purchase.ordered_on, purchase.order_number)),
                )
            )
    return findings


def split_findings(
    *,
    agency: Agency,
    amounts_by_category: Mapping[int, Decimal],
    vendor_id: int | None,
    on: date,
    exclude_requisition: str = "",
) -> list[SplitFinding]:
    """Would this purchase (its USD amount per category) be split from the agency's earlier ones?

    Earlier purchases: the agency's order lines not cancelled, ordered in the 12 months up to `on`
    (strictly after the same date a year before), in those categories, from `vendor_id` (None, at
    approval before a vendor is chosen: every vendor is its own group), one purchase per order
    (its lines in the category added up). One query on `purchase_split_lookup`.
    """
    amounts = {category: Decimal(amount) for category, amount in amounts_by_category.items() if amount > 0}
    if not amounts:
        return []
    records = PurchaseRecord.objects.filter(
        agency=agency,
        category_id__in=sorted(amounts),
        ordered_on__gte=window_start(on),
        ordered_on__lte=on,
        cancelled=False,
    )
    if vendor_id is not None:
        records = records.filter(vendor_id=vendor_id)
    if exclude_requisition:
        records = records.exclude(requisition_reference=exclude_requisition)
    rows = (
        records.order_by()
        .values("category_id", "vendor_id", "order_number", "requisition_reference")
        .annotate(ordered_on=Min("ordered_on"), amount_usd=Sum("amount_usd"))
    )
    groups: dict[tuple[int, int], list[EarlierPurchase]] = defaultdict(list)
    for row in rows:
        groups[(row["category_id"], row["vendor_id"])].append(
            EarlierPurchase(row["order_number"], row["requisition_reference"], row["ordered_on"], row["amount_usd"])
        )
    if not groups:
        return []
    thresholds = method_thresholds(agency=agency, on=on)
    findings = [
        finding
        for (category_id, group_vendor), purchases in sorted(groups.items())
        for finding in group_findings(
            this_amount=amounts[category_id],
            purchases=purchases,
            thresholds=thresholds,
            category_id=category_id,
            vendor_id=group_vendor,
        )
    ]
    return _named(findings)


def _named(findings: list[SplitFinding]) -> list[SplitFinding]:
    if not findings:
        return findings
    categories = dict(SupplyCategory.objects.filter(pk__in={f.category_id for f in findings}).values_list("pk", "name"))
    vendors = dict(Vendor.objects.filter(pk__in={f.vendor_id for f in findings}).values_list("pk", "legal_name"))
    return [
        SplitFinding(
            **{
                **finding.__dict__,
                "category_name": categories.get(finding.category_id, ""),
                "vendor_name": vendors.get(finding.vendor_id, ""),
            }
        )
        for finding in findings
    ]


def requisition_amounts_by_category(requisition: Any) -> dict[int, Decimal]:
    """A requisition's estimated amount (USD) per category: what the split check weighs at approval and order."""
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    lines: Iterable[Any] = requisition.lines.all()
    for line in lines:
        amounts[line.category_id] += line.estimated_amount
    return dict(amounts)
