"""Reads for agreement change requests: in the caller's scope (None: every agency; else the address's agency).

An agency's address reads only its own requests: a reference of another
agency is "not found", never "forbidden", so it does not say whether it
exists. The assessment hint is computed from the price list and the billing
usage, never typed: the unit price of each service added or dropped on the
day the change takes effect, the agency's volume of it over the last three
full months, and the current target beside each proposed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from billing.models import UsageEvent
from billing.selectors import money, month_start, price_in_force
from service_levels.models import Agreement, Metric, Priority, Service
from service_levels.selectors import describe_minutes, targets_for
from tenants.models import Agency

from ..models import AgreementChangeRequest, ChangeRequestEvent, ChangeStatus

REFERENCE = re.compile(r"^[A-Z][A-Z0-9_-]{0,14}-CR-\d{4}-\d{6}$")
# How many full months of usage the hint averages.
HINT_MONTHS = 3


def change_request_list(
    *, scope: Agency | None, status: str = "", agency_code: str = ""
) -> QuerySet[AgreementChangeRequest]:
    rows = AgreementChangeRequest.objects.select_related("agency", "agreement", "requested_by", "new_agreement")
    if scope is not None:
        rows = rows.filter(agency=scope)
    elif agency_code:
        rows = rows.filter(agency__code=agency_code)
    if status:
        rows = rows.filter(status=status)
    return rows


def change_request_get(*, scope: Agency | None, reference: str) -> AgreementChangeRequest | None:
    """The request with this reference in the caller's scope, or None (a bad reference is None too)."""
    reference = (reference or "").strip().upper()
    if len(reference) > 30 or not REFERENCE.match(reference):
        return None
    rows = AgreementChangeRequest.objects.select_related(
        "agency",
        "agreement",
        "requested_by",
        "assessed_by",
        "agency_approved_by",
        "facility_approved_by",
        "closed_by",
        "new_agreement",
    ).prefetch_related("services_added", "services_dropped")
    if scope is not None:
        rows = rows.filter(agency=scope)
    return rows.filter(reference=reference).first()


def change_request_events(*, request: AgreementChangeRequest) -> QuerySet[ChangeRequestEvent]:
    return request.events.select_related("actor").order_by("at", "pk")


def changeable_agreements(*, agency: Agency, today: date) -> QuerySet[Agreement]:
    """The agency's agreement in force and the versions starting later: what a change may apply to."""
    return (
        Agreement.objects.filter(agency=agency)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .prefetch_related("services__service")
        .order_by("valid_from")
    )


def open_request_of(*, agency: Agency) -> AgreementChangeRequest | None:
    return AgreementChangeRequest.objects.filter(
        agency=agency, status__in=(ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED)
    ).first()


def catalogue_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).order_by("module", "code")


# -- the assessment hint --------------------------------------------------------------------------------


@dataclass
class ServiceHint:
    service: Service
    added: bool
    unit_price: Decimal | None  # None: no price in force that day
    volume: Decimal  # units billed to the agency over the hint's months
    monthly_amount: Decimal | None  # average volume a month x price, signed (+ added, - dropped)


@dataclass
class TargetHint:
    service_code: str
    metric_label: str
    priority_label: str
    current_minutes: int | None
    proposed_minutes: int

    @property
    def current_text(self) -> str:
        return describe_minutes(self.current_minutes) if self.current_minutes else ""

    @property
    def proposed_text(self) -> str:
        return describe_minutes(self.proposed_minutes)


@dataclass
class AssessmentHint:
    months_from: date
    months_to: date
    services: list[ServiceHint] = field(default_factory=list)
    targets: list[TargetHint] = field(default_factory=list)
    monthly_effect: Decimal | None = None


def _hint_months(effective_from: date, today: date) -> tuple[date, date]:
    last = month_start(month_start(today) - timedelta(days=1))
    first = last
    for _step in range(HINT_MONTHS - 1):
        first = month_start(first - timedelta(days=1))
    return first, last


def assessment_hint(*, request: AgreementChangeRequest, today: date) -> AssessmentHint:
    """What the change does to the price and the targets, computed from the price list, usage and catalogue."""
    first, last = _hint_months(request.effective_from, today)
    hint = AssessmentHint(months_from=first, months_to=last)
    services = [(service, True) for service in request.services_added.all()]
    services += [(service, False) for service in request.services_dropped.all()]
    volumes = dict(
        UsageEvent.objects.filter(
            agency=request.agency,
            service__in=[service for service, _added in services],
            month__gte=first,
            month__lte=last,
        )
        .values_list("service_id")
        .annotate(total=Sum("quantity"))
    )
    effect = Decimal(0)
    priced = True
    for service, added in services:
        item = price_in_force(service_id=service.pk, on=request.effective_from)
        volume = volumes.get(service.pk) or Decimal(0)
        amount = None
        if item is not None:
            amount = money(volume * item.unit_price / HINT_MONTHS) * (1 if added else -1)
            effect += amount
        else:
            priced = False
        hint.services.append(ServiceHint(service, added, item.unit_price if item else None, volume, amount))
    hint.monthly_effect = effect if priced and services else None
    by_code = {
        service.code: service
        for service in Service.objects.filter(code__in=[row["service"] for row in request.target_changes])
    }
    for row in request.target_changes:
        target_service = by_code.get(row["service"])
        if target_service is None:
            continue
        current = targets_for(agreement=request.agreement, service=target_service, priority=row["priority"]).get(
            row["metric"]
        )
        hint.targets.append(
            TargetHint(
                service_code=target_service.code,
                metric_label=str(Metric(row["metric"]).label) if row["metric"] in Metric.values else row["metric"],
                priority_label=str(Priority(row["priority"]).label) if row["priority"] else "",
                current_minutes=current,
                proposed_minutes=int(row["target_minutes"]),
            )
        )
    return hint


def target_rows(*, request: AgreementChangeRequest) -> list[TargetHint]:
    """The proposed targets beside the current ones, for both sides' pages (no prices)."""
    return assessment_hint(request=request, today=request.requested_at.date()).targets


# -- the start page and the approvals inbox -------------------------------------------------------------


def awaiting_agency_approval(*, agency: Agency) -> QuerySet[AgreementChangeRequest]:
    return AgreementChangeRequest.objects.filter(
        agency=agency, status=ChangeStatus.ASSESSED, agency_approved_at__isnull=True
    ).select_related("agency", "requested_by")


def awaiting_facility_approval() -> QuerySet[AgreementChangeRequest]:
    return AgreementChangeRequest.objects.filter(
        status=ChangeStatus.ASSESSED, facility_approved_at__isnull=True
    ).select_related("agency", "requested_by")


def awaiting_assessment() -> QuerySet[AgreementChangeRequest]:
    return AgreementChangeRequest.objects.filter(status=ChangeStatus.SUBMITTED).select_related("agency", "requested_by")
