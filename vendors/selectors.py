"""Reads of the roster and the method thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tenants.models import Agency

from .models import DEFAULT_COMMITTEE_ABOVE, DEFAULT_MICRO_PURCHASE_MAX, DEFAULT_RFQ_MAX, MethodThresholds


@dataclass(frozen=True)
class Thresholds:
    micro_purchase_max: Decimal
    rfq_max: Decimal
    committee_above: Decimal
    effective_from: date | None  # None: the defaults, no row set for the agency


DEFAULT_THRESHOLDS = Thresholds(DEFAULT_MICRO_PURCHASE_MAX, DEFAULT_RFQ_MAX, DEFAULT_COMMITTEE_ABOVE, None)


def thresholds_in_force(*, agency: Agency, on: date) -> Thresholds:
    """The thresholds an agency buys under on a day: the latest set on or before it, else the defaults."""
    row = (
        MethodThresholds.objects.filter(agency=agency, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        return DEFAULT_THRESHOLDS
    return Thresholds(row.micro_purchase_max, row.rfq_max, row.committee_above, row.effective_from)
