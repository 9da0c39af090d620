"""Writes for vendor performance: the receiver's rating of one order's delivery (issue 14).

After the goods or services arrive, the person who received them rates the vendor on that order: delivered
on time or not, the quality and the compliance with the order (1 to 5). One rating per order, kept in the
public schema so that the facility reads each vendor's record across agencies (`sourcing.selectors.ratings`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from procurement.models import PurchaseOrder
from procurement.receiving_selectors import order_latest, rating_refusal
from shared_platform import limits
from shared_platform.inputs import refuse, text_checked
from tenants.models import Agency

from ..models import VendorRating

SCORES = range(1, 6)


def _score(value: Any, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
        refuse(gettext("Give a score from 1 to 5."), code="sourcing.invalid", field=field)
    return value


@transaction.atomic
def vendor_rating_record(
    *,
    agency: Agency,
    order_number: str,
    on_time: bool,
    quality: int,
    compliance: int,
    comment: str,
    by: User,
    at: datetime | None = None,
) -> VendorRating:
    """The receiver rates the vendor of one order: on time, quality and compliance (1 to 5), with a comment.

    Only a person who recorded a receipt of the order rates it, once per order (issue 14, "Vendor
    performance"). Runs in the order's agency schema; the rating itself is public.
    """
    if connection.schema_name != agency.schema_name:  # type: ignore[attr-defined]
        raise RuntimeError(f"Ratings are recorded in the order's agency schema ({agency.schema_name}).")
    at = at or timezone.now()
    found = order_latest(number=order_number)
    if found is None:
        refuse(
            gettext("There is no purchase order %(number)s here.") % {"number": str(order_number)[:40]},
            code="procurement.order_not_found",
            status=404,
        )
    # Two ratings of one order at once: the second waits for the first, then finds it.
    order = PurchaseOrder.objects.select_for_update().get(pk=found.pk)
    refusal = rating_refusal(user=by, agency=agency, order_number=order.number)
    if refusal is not None:
        refuse(refusal.message, code=refusal.code, status=refusal.status)
    if not isinstance(on_time, bool):
        refuse(gettext("Say whether the delivery was on time."), code="sourcing.invalid", field="on_time")
    comment = text_checked(comment, field="comment", required=None, limit=limits.SHORT_TEXT, code="sourcing.invalid")
    return VendorRating.objects.create(
        agency=agency,
        vendor_id=order.vendor_id,
        order_number=order.number,
        on_time=on_time,
        quality=_score(quality, field="quality"),
        compliance=_score(compliance, field="compliance"),
        comment=comment,
        rated_by=by,
        rated_at=at,
    )
