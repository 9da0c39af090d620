"""Reads for long-term agreements: who sees which, the ceiling's figures, and who may act.

What an agency sees (issue 14): the agreements it owns or takes part in, and
those in force it could join (title, owner, vendor, items and prices,
validity), never another agency's consumption. The owner and the facility
see every agency's line; a participant sees its own line and the overall
remaining.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

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
        return self.consumed_usd >= self.ceiling_usd * CEILING_WARNING_SHARE


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
    """What an agency may read: those it owns ("ours"), takes part in ("part"), or could join ("open")."""
    part = Participation.objects.filter(agreement=OuterRef("pk"), agency=agency)
    rows = LongTermAgreement.objects.select_related("owner", "vendor").annotate(participating=Exists(part))
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
    if len(reference) > 30:
        return None
    return agreements_for_agency(agency=agency, on=on).filter(reference=reference).first()


def agreements_all(*, on: date, status: str = "") -> QuerySet[LongTermAgreement]:
    """Every agreement (the facility's list), filtered by status: in force, expired, near its ceiling."""
    rows = LongTermAgreement.objects.select_related("owner", "vendor").annotate(
        consumed=Sum("consumptions__amount_usd", default=ZERO)
    )
    if status == "in_force":
        rows = rows.filter(valid_from__lte=on, valid_until__gte=on)
    elif status == "expired":
        rows = rows.filter(valid_until__lt=on)
    elif status == "near_ceiling":
        rows = rows.filter(consumed__gte=CEILING_WARNING_SHARE * F("ceiling_usd"))
    return rows


def piggybacks_waiting(*, owner: Agency) -> QuerySet[PiggybackRequest]:
    """The piggyback requests waiting for this owner's decision (its approvals inbox)."""
    return (
        PiggybackRequest.objects.filter(agreement__owner=owner, status=PiggybackStatus.REQUESTED)
        .select_related("agreement", "agency", "requested_by")
        .order_by("requested_at", "pk")
    )


def piggyback_waiting_of(*, agreement: LongTermAgreement, agency: Agency) -> PiggybackRequest | None:
    return PiggybackRequest.objects.filter(agreement=agreement, agency=agency, status=PiggybackStatus.REQUESTED).first()


def agreements_near_ceiling(*, owner: Agency | None = None) -> list[tuple[LongTermAgreement, Figures]]:
    """Agreements at or past 80 % of their overall ceiling (an owner's, or all for the facility), in force."""
    rows = LongTermAgreement.objects.select_related("owner", "vendor").annotate(
        consumed=Sum("consumptions__amount_usd", default=ZERO)
    )
    if owner is not None:
        rows = rows.filter(owner=owner)
    rows = rows.filter(consumed__gte=CEILING_WARNING_SHARE * F("ceiling_usd")).order_by("valid_until", "reference")
    return [(agreement, agreement_figures(agreement=agreement)) for agreement in rows[:50]]
