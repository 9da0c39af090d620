"""Writes for long-term agreements: making one, piggybacking, call-offs and the consumption of the ceiling.

The rules (issue 14, "Long-term agreements"; PRODUCT.md, "Long-term agreements"):

- An agreement is made by the facility's procurement officers (or its
  manager), from an awarded solicitation of any agency or recorded from an
  existing contract; its owner agency always takes part in it.
- Another agency asks to piggyback; an approver of the owner agency accepts
  (optionally with a ceiling for that agency) or refuses, saying why.
- A participating agency calls off at the agreed prices. The call-off is
  refused when the agreement is not in force, when the agency does not take
  part, or when its value would pass what remains of the overall ceiling or of
  the agency's own.
- Consumption is append-only and written only under a row lock on the
  agreement, so two call-offs at once can never pass the ceiling together. At
  80 % of a ceiling the owner's approvers and the facility's procurement
  officers are e-mailed, once.

Agreements live in the public schema; a call-off's requisition lives in the
agency's schema. `call_off_raise` runs with the connection in the agency's
schema (the public tables are on its search path), in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

from accounts.models import User
from ledger import services as ledger
from shared_platform.inputs import refuse
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from ..models import (
    CEILING_WARNING_SHARE,
    Consumption,
    ConsumptionKind,
    LongTermAgreement,
    Participation,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


# -- small checks -------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Sourcing times are aware datetimes.")
    return at


def _refuse(message: str, *, code: str = "sourcing.invalid", field: str | None = None, status: int = 400) -> NoReturn:
    refuse(message, code=code, field=field, status=status)


def usd_text(amount: Decimal) -> str:
    """An amount as the reader's language writes it, grouped, two decimals (12,000.00)."""
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def _consumed(agreement_id: int, agency_id: int | None = None) -> Decimal:
    rows = Consumption.objects.filter(agreement_id=agreement_id)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return rows.aggregate(total=Sum("amount_usd"))["total"] or ZERO


def _warn_ceiling(agreement: LongTermAgreement, agency_id: int | None) -> None:
    """Queue the 80 % e-mail after commit (overall when agency_id is None, else that agency's ceiling)."""
    if ledger.alerts_are_muted():
        return
    from ..tasks import ceiling_warning_send

    enqueue_after_commit(ceiling_warning_send, agreement.pk, agency_id)


# -- consumption of the ceiling -------------------------------------------------------


@transaction.atomic
def consumption_commit(
    *,
    agreement: LongTermAgreement,
    agency: Agency,
    amount_usd: Decimal,
    requisition_reference: str,
    by: User,
    at: datetime | None = None,
) -> Consumption:
    """A call-off takes its value from the agreement's ceiling: one appended Consumption row.

    Under a row lock on the agreement and the agency's participation (so two
    call-offs at once queue, and the second sees the first), it is refused
    when today is outside the agreement's validity, when the agency does not
    take part, or when the value would pass what remains of the overall
    ceiling or of the agency's own ceiling, whichever binds (issue 14). At
    80 % of either ceiling, the first time, the owner's approvers and the
    facility's procurement officers are e-mailed (after commit).
    """
    at = _now(at)
    if not isinstance(amount_usd, Decimal) or not amount_usd.is_finite() or amount_usd <= 0:
        _refuse(gettext("A call-off needs a value above zero."), field="quantities")
    amount_usd = amount_usd.quantize(CENT)
    if amount_usd <= 0:
        _refuse(gettext("A call-off needs a value above zero."), field="quantities")
    locked = LongTermAgreement.objects.select_for_update().get(pk=agreement.pk)
    today = timezone.localtime(at).date()
    if not locked.valid_from <= today <= locked.valid_until:
        _refuse(
            gettext("%(reference)s is valid from %(start)s to %(end)s; it cannot be called off on %(today)s.")
            % {
                "reference": locked.reference,
                "start": date_format(locked.valid_from, "SHORT_DATE_FORMAT"),
                "end": date_format(locked.valid_until, "SHORT_DATE_FORMAT"),
                "today": date_format(today, "SHORT_DATE_FORMAT"),
            },
            code="sourcing.agreement_expired",
            status=409,
        )
    participation = Participation.objects.select_for_update().filter(agreement=locked, agency=agency).first()
    if participation is None:
        _refuse(
            gettext("%(agency)s does not take part in %(reference)s; ask the owner to piggyback on it first.")
            % {"agency": agency.code, "reference": locked.reference},
            code="sourcing.not_participating",
            status=403,
        )
    overall_remaining = locked.ceiling_usd - _consumed(locked.pk)
    agency_consumed = _consumed(locked.pk, agency.pk)
    agency_remaining = participation.ceiling_usd - agency_consumed if participation.ceiling_usd is not None else None
    if agency_remaining is not None and agency_remaining < overall_remaining and amount_usd > agency_remaining:
        _refuse(
            gettext(
                "This call-off of %(amount)s USD would pass %(agency)s's own ceiling on this agreement: "
                "%(remaining)s USD remains."
            )
            % {
                "amount": usd_text(amount_usd),
                "agency": agency.code,
                "remaining": usd_text(max(agency_remaining, ZERO)),
            },
            code="sourcing.ceiling_exceeded",
            status=409,
        )
    if amount_usd > overall_remaining:
        _refuse(
            gettext("This call-off of %(amount)s USD would pass the agreement's ceiling: %(remaining)s USD remains.")
            % {"amount": usd_text(amount_usd), "remaining": usd_text(max(overall_remaining, ZERO))},
            code="sourcing.ceiling_exceeded",
            status=409,
        )
    consumption = Consumption.objects.create(
        agreement=locked,
        agency=agency,
        kind=ConsumptionKind.CALL_OFF,
        amount_usd=amount_usd,
        requisition_reference=requisition_reference,
        recorded_by=by,
        recorded_at=at,
    )
    if locked.warned_at is None and locked.ceiling_usd - overall_remaining + amount_usd >= (
        locked.ceiling_usd * CEILING_WARNING_SHARE
    ):
        locked.warned_at = at
        locked.save(update_fields=["warned_at"])
        _warn_ceiling(locked, None)
    if (
        participation.ceiling_usd is not None
        and participation.warned_at is None
        and agency_consumed + amount_usd >= participation.ceiling_usd * CEILING_WARNING_SHARE
    ):
        participation.warned_at = at
        participation.save(update_fields=["warned_at"])
        _warn_ceiling(locked, agency.pk)
    return consumption


@transaction.atomic
def consumption_release(*, agency: Agency, requisition: Any, by: User, at: datetime) -> Consumption | None:
    """A call-off rejected or withdrawn gives its value back: a negative row, never a change to the first.

    The row equals what the requisition still holds on its agreement (its
    call-off rows net of earlier releases), so a second release adds nothing
    (issue 14: consumption is an append-only record per agency). Written
    under the agreement's row lock, like every consumption row.
    """
    at = _now(at)
    if requisition.agreement_id is None:
        return None
    LongTermAgreement.objects.select_for_update().filter(pk=requisition.agreement_id).first()
    held = (
        Consumption.objects.filter(
            agreement_id=requisition.agreement_id, agency=agency, requisition_reference=requisition.reference
        ).aggregate(total=Sum("amount_usd"))["total"]
        or ZERO
    )
    if held <= 0:
        return None
    return Consumption.objects.create(
        agreement_id=requisition.agreement_id,
        agency=agency,
        kind=ConsumptionKind.RELEASE,
        amount_usd=-held,
        requisition_reference=requisition.reference,
        recorded_by=by,
        recorded_at=at,
    )
