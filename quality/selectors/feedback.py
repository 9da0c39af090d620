"""Reading customer feedback: ratings with their comments, and the average per month (clause 9.1.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DateField, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import Feedback


def feedback_list(
    *, agency_code: str | None = None, service_code: str | None = None, low_only: bool = False
) -> QuerySet[Feedback]:
    """Ratings with the request, service and agency; `low_only` keeps the ratings of 1 or 2."""
    rows = Feedback.objects.select_related("entry", "agency", "service")
    if agency_code:
        rows = rows.filter(agency__code=agency_code)
    if service_code:
        rows = rows.filter(service__code=service_code)
    if low_only:
        rows = rows.filter(rating__lte=2)
    return rows


def feedback_get(*, pk: int) -> Feedback | None:
    return Feedback.objects.select_related("entry", "agency", "service").filter(pk=pk).first()


@dataclass(frozen=True)
class MonthAverage:
    month: date
    average: Decimal
    ratings: int


def feedback_monthly_average(*, rows: QuerySet[Feedback], months: int = 12) -> list[MonthAverage]:
    """The average rating per month (facility time zone) over the last `months` months that have ratings."""
    per_month = (
        rows.order_by()
        .annotate(month=TruncMonth("at", output_field=DateField(), tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(average=Avg("rating"), ratings=Count("pk"))
        .order_by("-month")[:months]
    )
    return [
        MonthAverage(
            month=row["month"],
            average=Decimal(str(row["average"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
            ratings=row["ratings"],
        )
        for row in reversed(list(per_month))
    ]
