"""Reads for vendor performance: each vendor's record across agencies, for the facility's officers.

One query per vendor page (the figures) and one for its last ratings; the roster reads the figures of a
page of vendors in one query. Averages stay Decimal (never float), to one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DecimalField, Q

from vendors.models import Vendor

from ..models import VendorRating

ONE_DECIMAL = Decimal("0.1")
LAST_SHOWN = 10


@dataclass(frozen=True)
class VendorRecord:
    """A vendor's ratings across agencies: how many, the share on time, the averages, the last ones."""

    ratings: int
    on_time_percent: Decimal | None
    quality_average: Decimal | None
    compliance_average: Decimal | None
    last: list[VendorRating] = field(default_factory=list)


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _figures() -> dict[str, Count | Avg]:
    return {
        "ratings": Count("pk"),
        "on_time": Count("pk", filter=Q(on_time=True)),
        "quality_average": Avg("quality", output_field=DecimalField(max_digits=6, decimal_places=3)),
        "compliance_average": Avg("compliance", output_field=DecimalField(max_digits=6, decimal_places=3)),
    }


def _record(figures: dict[str, object], last: list[VendorRating]) -> VendorRecord:
    count = int(figures["ratings"] or 0)  # type: ignore[call-overload]
    on_time = int(figures["on_time"] or 0)  # type: ignore[call-overload]
    return VendorRecord(
        ratings=count,
        on_time_percent=_rounded(Decimal(on_time) * 100 / count) if count else None,
        quality_average=_rounded(figures["quality_average"]),  # type: ignore[arg-type]
        compliance_average=_rounded(figures["compliance_average"]),  # type: ignore[arg-type]
        last=last,
    )


def vendor_record(*, vendor: Vendor, last: int = LAST_SHOWN) -> VendorRecord:
    ratings = VendorRating.objects.filter(vendor=vendor)
    figures = ratings.aggregate(**_figures())
    latest = list(ratings.select_related("agency").order_by("-rated_at", "-pk")[:last])
    return _record(figures, latest)


def vendor_records(*, vendor_ids: Iterable[int]) -> dict[int, VendorRecord]:
    """The figures (without the last ratings) of several vendors, in one query: for a page of the roster."""
    rows = (
        VendorRating.objects.filter(vendor_id__in=list(vendor_ids))
        .values("vendor_id")
        .annotate(**_figures())
        .order_by("vendor_id")
    )
    return {row["vendor_id"]: _record(row, []) for row in rows}
