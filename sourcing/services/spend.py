"""Writes for spend: purchase records from issued orders, and split-purchase flags with their explanation.

The rules (PRODUCT.md, "Split-purchase warning"; issue 14):

- Every line of an issued purchase order is one `PurchaseRecord` in the
  public schema (agency, vendor, category, date, amount in USD), so the
  split-purchase check and the facility's joint-procurement report read one
  indexed table and never loop over agency schemas. A cancelled order's
  records stay, marked cancelled, and no longer count.
- When a requisition is approved or its order issued, the agency's purchases
  in the same category (from the same vendor, once the vendor is known) in
  the 12 months before are looked at: a purchase that stays under a method
  threshold while it and the earlier ones together pass it is a possible
  split purchase. The step goes ahead only with a written explanation, kept
  as a `SplitFlag` per finding for the buyer, the facility manager and the
  facility's report.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing.models import OPERATING_CURRENCY
from shared_platform import limits
from shared_platform.errors import ApplicationError
from shared_platform.inputs import text_checked
from tenants.models import Agency

from ..models import PurchaseRecord, SplitFlag
from ..selectors.spend import requisition_split_findings, split_findings_message

CENT = Decimal("0.01")


@transaction.atomic
def purchase_records_write(*, agency: Agency, order: Any, requisition: Any) -> None:
    """An issued order's lines become spend: one record per line, its category the requisition line's of the
    same position, its amount in USD (another currency converted at the order's own rate, total_usd / total,
    the last line taking the rounding so the records add up to the order's USD total). Dated the local day
    of issue. Called by `procurement.services.order_issue` in the agency's schema (issue 14)."""
    categories = dict(requisition.lines.values_list("position", "category_id"))
    lines = list(order.lines.order_by("position"))
    converted = order.currency != OPERATING_CURRENCY and order.total
    amounts: list[Decimal] = []
    for line in lines:
        amount = Decimal(line.amount)
        if converted:
            amount = (amount * order.total_usd / order.total).quantize(CENT, rounding=ROUND_HALF_UP)
        amounts.append(amount.quantize(CENT, rounding=ROUND_HALF_UP))
    if converted and amounts:
        amounts[-1] += Decimal(order.total_usd) - sum(amounts, Decimal("0.00"))
    ordered_on = timezone.localtime(order.issued_at).date()
    PurchaseRecord.objects.bulk_create(
        PurchaseRecord(
            agency=agency,
            order_number=order.number,
            requisition_reference=requisition.reference,
            vendor_id=order.vendor_id,
            category_id=categories[line.position],
            method=requisition.method,
            agreement_id=requisition.agreement_id,
            ordered_on=ordered_on,
            amount_usd=amount,
        )
        for line, amount in zip(lines, amounts, strict=True)
    )


@transaction.atomic
def purchase_records_cancel(*, agency: Agency, order_number: str) -> None:
    """A cancelled order's spend no longer counts: its records are marked cancelled, never deleted
    (`procurement.services.order_cancel`; issue 14)."""
    PurchaseRecord.objects.filter(agency=agency, order_number=order_number).update(cancelled=True)


@transaction.atomic
def split_flags_check(
    *,
    agency: Agency,
    requisition: Any,
    stage: str,
    vendor_id: int | None,
    by: User,
    explanation: str,
    at: datetime,
) -> list[SplitFlag]:
    """A possible split purchase goes ahead only explained (PRODUCT.md, "Split-purchase warning"; issue 14).

    The requisition's estimated amount per category is weighed against the agency's purchases of the
    12 months before (`split_findings`: at approval every vendor, at order the chosen one). Findings
    without an explanation: refused (`procurement.split_purchase`, 409) naming the earlier orders and the
    threshold; with one, a `SplitFlag` per finding records it, who gave it and when. No finding: nothing.
    """
    findings = requisition_split_findings(
        agency=agency, requisition=requisition, vendor_id=vendor_id, on=timezone.localtime(at).date()
    )
    if not findings:
        return []
    explanation = (explanation or "").strip()
    if not explanation:
        message = split_findings_message(findings)
        raise ApplicationError(
            message, code="procurement.split_purchase", status_code=409, fields={"split_explanation": [message]}
        )
    explanation = text_checked(
        explanation, field="split_explanation", required=None, limit=limits.SHORT_TEXT, code="procurement.invalid"
    )
    return SplitFlag.objects.bulk_create(
        SplitFlag(
            agency=agency,
            requisition_reference=requisition.reference,
            stage=stage,
            vendor_id=finding.vendor_id,
            category_id=finding.category_id,
            method_threshold=finding.threshold_method,
            threshold_usd=finding.threshold_usd,
            this_amount_usd=finding.this_amount_usd,
            total_usd=finding.total_usd,
            purchases=[purchase.as_json() for purchase in finding.purchases],
            explanation=explanation,
            explained_by=by,
            raised_at=at,
        )
        for finding in findings
    )
