"""Reads for long-term agreements: who sees which, the ceiling's figures, and who may act.

What an agency sees (issue 14): the agreements it owns or takes part in, and
those in force it could join (title, owner, vendor, items and prices,
validity), never another agency's consumption. The owner and the facility
see every agency's line; a participant sees its own line and the overall
remaining.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ledger.models import LedgerEntry
from tenants.models import Agency

from ..models import (
    CEILING_WARNING_SHARE,
    Consumption,
    LongTermAgreement,
    Participation,
    PiggybackRequest,
    PiggybackStatus,
)

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
REFERENCE_MAX = 30
# What a reference is made of (LTA-2026-000001): anything else names no agreement.
REFERENCE_SHAPE = re.compile(r"[A-Za-z0-9-]{1,30}")


@dataclass(frozen=True)
class AgencyLine:
    agency: Agency
    ceiling_usd: Decimal | None
    consumed_usd: Decimal
    joined_via: str

    @property
    def remaining_usd(self) -> Decimal | None:
        return None if self.ceiling_usd is None else self.ceiling_usd - self.consumed_usd

    @property
    def percent(self) -> int | None:
        if not self.ceiling_usd:
            return None
        return _percent(self.consumed_usd, self.ceiling_usd)

    @property
    def near_ceiling(self) -> bool:
        return self.ceiling_usd is not None and self.consumed_usd >= self.ceiling_usd * CEILING_WARNING_SHARE


@dataclass(frozen=True)
class Figures:
    ceiling_usd: Decimal
    consumed_usd: Decimal
    agencies: list[AgencyLine]

    @property
    def remaining_usd(self) -> Decimal:
        return self.ceiling_usd - self.consumed_usd

    @property
    def percent(self) -> int:
        return _percent(self.consumed_usd, self.ceiling_usd)

    @property
    def near_ceiling(self) -> bool:
        return self.consumed_usd >= self.warning_at_usd

    @property
    def warning_at_usd(self) -> Decimal:
        """Where the page turns amber and the owner is warned: 80 % of the ceiling."""
        return (self.ceiling_usd * CEILING_WARNING_SHARE).quantize(Decimal("0.01"))


def _percent(part: Decimal, whole: Decimal) -> int:
    if whole <= 0:
        return 0
    return max(0, min(100, int(part * HUNDRED / whole)))


def agreement_figures(*, agreement: LongTermAgreement, agency: Agency | None = None) -> Figures:
    """Ceiling, consumed and remaining, overall and per agency (only `agency`'s line when given)."""
    consumed = {
        row["agency_id"]: row["total"] or ZERO
        for row in Consumption.objects.filter(agreement=agreement).values("agency_id").annotate(total=Sum("amount_usd"))
    }
    participations = Participation.objects.filter(agreement=agreement).select_related("agency")
    if agency is not None:
        participations = participations.filter(agency=agency)
    lines = [
        AgencyLine(
            agency=participation.agency,
            ceiling_usd=participation.ceiling_usd,
            consumed_usd=consumed.get(participation.agency_id, ZERO),
            joined_via=participation.joined_via,
        )
        for participation in participations.order_by("agency__code")
    ]
    return Figures(ceiling_usd=agreement.ceiling_usd, consumed_usd=sum(consumed.values(), ZERO), agencies=lines)


def is_in_force(*, agreement: LongTermAgreement, on: date) -> bool:
    return agreement.valid_from <= on <= agreement.valid_until


def takes_part(*, agreement: LongTermAgreement, agency: Agency) -> bool:
    return Participation.objects.filter(agreement=agreement, agency=agency).exists()


def agreements_for_agency(*, agency: Agency, on: date, tab: str = "") -> QuerySet[LongTermAgreement]:
    """What an agency may read: those it owns ("ours"), takes part in without owning ("part"), or could join
    ("open": in force, not yet a participant); all three by default. Annotated `participating` and
    `waiting` (its request to join waits for the owner)."""
    part = Participation.objects.filter(agreement=OuterRef("pk"), agency=agency)
    waiting = PiggybackRequest.objects.filter(agreement=OuterRef("pk"), agency=agency, status=PiggybackStatus.REQUESTED)
    rows = LongTermAgreement.objects.select_related("owner", "vendor").annotate(
        participating=Exists(part), waiting=Exists(waiting)
    )
    open_to_join = Q(participating=False, valid_from__lte=on, valid_until__gte=on)
    if tab == "ours":
        return rows.filter(owner=agency)
    if tab == "part":
        return rows.filter(participating=True).exclude(owner=agency)
    if tab == "open":
        return rows.filter(open_to_join)
    return rows.filter(Q(participating=True) | Q(owner=agency) | open_to_join)


def agreement_for_agency(*, agency: Agency, reference: str, on: date) -> LongTermAgreement | None:
    """The agreement if this agency may read it (owns it, takes part, or it is in force to join), else None."""
    if not REFERENCE_SHAPE.fullmatch(reference):
        return None
    return agreements_for_agency(agency=agency, on=on).filter(reference=reference).first()


def agreement_get(*, reference: str) -> LongTermAgreement | None:
    """Any agreement by reference (the facility reads them all)."""
    if not REFERENCE_SHAPE.fullmatch(reference):
        return None
    return LongTermAgreement.objects.select_related("owner", "vendor").filter(reference=reference).first()


def agreements_all(*, on: date, status: str = "", search: str = "") -> QuerySet[LongTermAgreement]:
    """Every agreement (the facility's list), annotated with what was consumed; filtered by status (in force,
    expired, near its ceiling) and a search in the reference, title, owner and vendor."""
    rows = LongTermAgreement.objects.select_related("owner", "vendor").annotate(
        consumed=Coalesce(Sum("consumptions__amount_usd"), ZERO, output_field=DecimalField())
    )
    if status == "in_force":
        rows = rows.filter(valid_from__lte=on, valid_until__gte=on)
    elif status == "expired":
        rows = rows.filter(valid_until__lt=on)
    elif status == "near_ceiling":
        rows = rows.filter(consumed__gte=CEILING_WARNING_SHARE * F("ceiling_usd"))
    if search:
        rows = rows.filter(
            Q(reference__icontains=search)
            | Q(title__icontains=search)
            | Q(owner__code__icontains=search)
            | Q(vendor__legal_name__icontains=search)
        )
    return rows


def piggybacks_of(*, agreement: LongTermAgreement, agency: Agency | None) -> QuerySet[PiggybackRequest]:
    """An agreement's requests to join: every one for the owner and the facility (agency None), else the
    asking agency's own."""
    rows = agreement.piggybacks.select_related("agency", "requested_by", "decided_by")
    if agency is not None and agency.pk != agreement.owner_id:
        rows = rows.filter(agency=agency)
    return rows


@dataclass(frozen=True)
class AwardedPurchase:
    reference: str
    agency_code: str
    title: str
    vendor_name: str


def awarded_purchases(*, limit: int = 100) -> list[AwardedPurchase]:
    """Awarded solicitations an agreement could be made from, newest first, in every agency with one (read
    in each schema, as the facility's start page counts bids), leaving out those already made into one."""
    from django_tenants.utils import schema_context

    from procurement.models import Award
    from service_levels.models import Module

    used = set(LongTermAgreement.objects.filter(source_kind="award").values_list("source_reference", flat=True))
    agency_ids = (
        LedgerEntry.objects.filter(module=Module.PROCUREMENT, detail_id__isnull=False)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    found: list[tuple[Any, AwardedPurchase]] = []
    for agency in Agency.objects.filter(pk__in=agency_ids, is_active=True).order_by("code"):
        with schema_context(agency.schema_name):
            awards = (
                Award.objects.select_related("solicitation__requisition", "bid__invitation")
                .exclude(solicitation__reference__in=used)
                .filter(bid__total__gt=0, bid__total_usd__isnull=False)
                .order_by("-awarded_at")[:limit]
            )
            for award in awards:
                requisition = award.solicitation.requisition
                found.append(
                    (
                        award.awarded_at,
                        AwardedPurchase(
                            requisition.reference, agency.code, requisition.title, award.bid.invitation.vendor_name
                        ),
                    )
                )
    found.sort(key=lambda pair: pair[0], reverse=True)
    return [purchase for _at, purchase in found[:limit]]


def piggybacks_waiting(*, owner: Agency) -> QuerySet[PiggybackRequest]:
    """The piggyback requests waiting for this owner's decision (its approvals inbox)."""
    return (
        PiggybackRequest.objects.filter(agreement__owner=owner, status=PiggybackStatus.REQUESTED)
        .select_related("agreement", "agency", "requested_by")
        .order_by("requested_at", "pk")
    )


def piggyback_waiting_of(*, agreement: LongTermAgreement, agency: Agency) -> PiggybackRequest | None:
    return PiggybackRequest.objects.filter(agreement=agreement, agency=agency, status=PiggybackStatus.REQUESTED).first()


def agreements_near_ceiling(
    *, owner: Agency | None = None, on: date | None = None
) -> list[tuple[LongTermAgreement, Figures]]:
    """Agreements at or past 80 % of their overall ceiling (an owner's, or all for the facility), in force."""
    rows = LongTermAgreement.objects.select_related("owner", "vendor").annotate(
        consumed=Coalesce(Sum("consumptions__amount_usd"), ZERO, output_field=DecimalField())
    )
    if on is not None:
        rows = rows.filter(valid_from__lte=on, valid_until__gte=on)
    if owner is not None:
        rows = rows.filter(owner=owner)
    rows = rows.filter(consumed__gte=CEILING_WARNING_SHARE * F("ceiling_usd")).order_by("valid_until", "reference")
    return [(agreement, agreement_figures(agreement=agreement)) for agreement in rows[:50]]
