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

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NoReturn

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from billing.services import number_next
from ledger import services as ledger
from shared_platform import limits
from shared_platform.attachments import uploads_check
from shared_platform.inputs import LARGEST_FIGURE, decimal_checked, refuse, text_checked
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor
from vendors.services import vendor_eligibility_check

from .. import access
from ..models import (
    CEILING_WARNING_SHARE,
    AgreementDocument,
    AgreementItem,
    Consumption,
    ConsumptionKind,
    JoinedVia,
    LongTermAgreement,
    Participation,
    PiggybackRequest,
    PiggybackStatus,
    SourceKind,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# The most items a price schedule holds (as a requisition's lines), documents sent at once, founding agencies.
MAX_ITEMS = 200
MAX_DOCUMENTS = 10
MAX_PARTICIPANTS = 50
# A requisition line holds a quantity below ten billion (twelve digits, two of them decimals).
LARGEST_QUANTITY = Decimal("1e10")


# -- small checks -------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Sourcing times are aware datetimes.")
    return at


def _refuse(message: str, *, code: str = "sourcing.invalid", field: str | None = None, status: int = 400) -> NoReturn:
    refuse(message, code=code, field=field, status=status)


def _text(value: str | None, *, field: str, required: str | None, limit: int, one_line: bool = False) -> str:
    return text_checked(value, field=field, required=required, limit=limit, code="sourcing.invalid", one_line=one_line)


def _decimal(value: Any, *, field: str, places: int = 2, allow_zero: bool = True) -> Decimal:
    # A figure like 1e30 is refused as too large before the shared check quantizes it (which cannot).
    if not isinstance(value, (float, bool)):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            number = Decimal(0)
        if number.is_finite() and abs(number) >= LARGEST_FIGURE:
            _refuse(gettext("That figure is too large."), field=field)
    return decimal_checked(value, field=field, code="sourcing.invalid", places=places, allow_zero=allow_zero)


def usd_text(amount: Decimal) -> str:
    """An amount as the reader's language writes it, grouped, two decimals (12,000.00)."""
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _consumed(agreement_id: int, agency_id: int | None = None) -> Decimal:
    rows = Consumption.objects.filter(agreement_id=agreement_id)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return rows.aggregate(total=Sum("amount_usd"))["total"] or ZERO


def _locked(agreement: LongTermAgreement) -> LongTermAgreement:
    return (
        LongTermAgreement.objects.select_for_update(of=("self",)).select_related("owner", "vendor").get(pk=agreement.pk)
    )


def _warn_ceiling(agreement: LongTermAgreement, agency_id: int | None) -> None:
    """Queue the 80 % e-mail after commit (overall when agency_id is None, else that agency's ceiling)."""
    if ledger.alerts_are_muted():
        return
    from ..tasks import ceiling_warning_send

    enqueue_after_commit(ceiling_warning_send, agreement.pk, agency_id)


def _notify_piggyback(piggyback: PiggybackRequest) -> None:
    if ledger.alerts_are_muted():
        return
    from ..tasks import piggyback_notify

    enqueue_after_commit(piggyback_notify, piggyback.pk)


def _in_force_check(agreement: LongTermAgreement, today: date) -> None:
    if not agreement.valid_from <= today <= agreement.valid_until:
        _refuse(
            gettext("%(reference)s is valid from %(start)s to %(end)s; it cannot be called off on %(today)s.")
            % {
                "reference": agreement.reference,
                "start": _day(agreement.valid_from),
                "end": _day(agreement.valid_until),
                "today": _day(today),
            },
            code="sourcing.agreement_expired",
            status=409,
        )


# -- consumption of the ceiling -------------------------------------------------------


@dataclass(frozen=True)
class _Room:
    """What a locked agreement has left for one agency: its participation and what it and all have consumed."""

    participation: Participation
    overall_consumed: Decimal
    agency_consumed: Decimal


def _room_check(locked: LongTermAgreement, agency: Agency, amount_usd: Decimal, today: date) -> _Room:
    """The refusals of a call-off, in the order people understand them: not in force, not a participant,
    then over what remains of the agency's own ceiling or the overall one, whichever binds."""
    _in_force_check(locked, today)
    participation = Participation.objects.select_for_update().filter(agreement=locked, agency=agency).first()
    if participation is None:
        _refuse(
            gettext("%(agency)s does not take part in %(reference)s; ask the owner to piggyback on it first.")
            % {"agency": agency.code, "reference": locked.reference},
            code="sourcing.not_participating",
            status=403,
        )
    overall_consumed = _consumed(locked.pk)
    agency_consumed = _consumed(locked.pk, agency.pk)
    overall_remaining = locked.ceiling_usd - overall_consumed
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
    return _Room(participation, overall_consumed, agency_consumed)


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
    if not isinstance(amount_usd, Decimal) or not amount_usd.is_finite() or amount_usd.quantize(CENT) <= 0:
        _refuse(gettext("A call-off needs a value above zero."), field="quantities")
    amount_usd = amount_usd.quantize(CENT)
    locked = _locked(agreement)
    room = _room_check(locked, agency, amount_usd, timezone.localtime(at).date())
    consumption = Consumption.objects.create(
        agreement=locked,
        agency=agency,
        kind=ConsumptionKind.CALL_OFF,
        amount_usd=amount_usd,
        requisition_reference=requisition_reference,
        recorded_by=by,
        recorded_at=at,
    )
    if locked.warned_at is None and room.overall_consumed + amount_usd >= locked.ceiling_usd * CEILING_WARNING_SHARE:
        locked.warned_at = at
        locked.save(update_fields=["warned_at"])
        _warn_ceiling(locked, None)
    participation = room.participation
    if (
        participation.ceiling_usd is not None
        and participation.warned_at is None
        and room.agency_consumed + amount_usd >= participation.ceiling_usd * CEILING_WARNING_SHARE
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


# -- making an agreement ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    """One line of a price schedule as typed: what, its category, the unit, the agreed price in USD."""

    description: str
    category: SupplyCategory | int | None
    unit: str
    unit_price_usd: Any


def _maker_check(by: User) -> None:
    if not access.may_make_agreements(user=by):
        _refuse(
            gettext("Only the facility's procurement officers and its manager make long-term agreements."),
            code="sourcing.makers_only",
            status=403,
        )


def _items_checked(items: Sequence[ItemInput]) -> list[AgreementItem]:
    if not items:
        _refuse(gettext("A price schedule needs at least one item."), field="items")
    if len(items) > MAX_ITEMS:
        _refuse(gettext("At most %(count)d items.") % {"count": MAX_ITEMS}, field="items")
    checked = []
    for position, item in enumerate(items, start=1):
        prefix = f"items.{position}"
        category = item.category
        if not isinstance(category, SupplyCategory):
            category = (
                SupplyCategory.objects.filter(pk=category, is_active=True).first()
                if isinstance(category, int) and 0 < category < 2**31
                else None
            )
        if category is None or not category.is_active:
            _refuse(gettext("Item %(item)d: choose a category.") % {"item": position}, field=f"{prefix}.category")
        checked.append(
            AgreementItem(
                position=position,
                description=_text(
                    item.description,
                    field=f"{prefix}.description",
                    required=gettext("Item %(item)d: describe what may be called off.") % {"item": position},
                    limit=limits.NAME,
                    one_line=True,
                ),
                category=category,
                unit=_text(
                    item.unit,
                    field=f"{prefix}.unit",
                    required=gettext("Item %(item)d: give the unit (each, box, day…).") % {"item": position},
                    limit=30,
                    one_line=True,
                ),
                # Cents: a call-off's lines carry the price as a requisition's estimated unit price.
                unit_price_usd=_decimal(item.unit_price_usd, field=f"{prefix}.unit_price_usd", allow_zero=False),
            )
        )
    return checked


def _participants_checked(
    owner: Agency, participants: Iterable[Agency], agency_ceilings: Mapping[Agency, Any], ceiling: Decimal
) -> dict[Agency, Decimal | None]:
    """The founding agencies with their own ceilings (None: only the overall one); the owner always among them."""
    chosen = {owner.pk: owner}
    for agency in participants:
        chosen[agency.pk] = agency
    if len(chosen) > MAX_PARTICIPANTS:
        _refuse(gettext("At most %(count)d agencies.") % {"count": MAX_PARTICIPANTS}, field="participants")
    for agency in chosen.values():
        if agency.is_facility or not agency.is_active:
            _refuse(gettext("%(agency)s cannot take part in an agreement.") % {"agency": agency}, field="participants")
    ceilings: dict[Agency, Decimal | None] = {agency: None for agency in chosen.values()}
    for agency, value in agency_ceilings.items():
        if value is None or value == "":
            continue
        if agency.pk not in chosen:
            _refuse(
                gettext("%(agency)s has a ceiling but does not take part.") % {"agency": agency.code},
                field="agency_ceilings",
            )
        amount = _decimal(value, field="agency_ceilings", allow_zero=False)
        if amount > ceiling:
            _refuse(
                gettext("%(agency)s's ceiling is above the agreement's (%(ceiling)s USD).")
                % {"agency": agency.code, "ceiling": usd_text(ceiling)},
                field="agency_ceilings",
            )
        ceilings[chosen[agency.pk]] = amount
    return ceilings


def _documents_store(
    agreement: LongTermAgreement, checked: Sequence[tuple[UploadedFile, Any]], *, by: User, at: datetime
) -> None:
    """The agreement's files, in the public schema's storage (the facility's), whatever address asked."""
    with schema_context(get_public_schema_name()):
        for upload, accepted in checked:
            document = AgreementDocument(
                agreement=agreement,
                name=accepted.name,
                content_type=accepted.content_type,
                size=upload.size or 0,
                uploaded_by=by,
                uploaded_at=at,
            )
            document.file.save(f"{agreement.reference}/{accepted.name}", upload, save=False)
            document.save()


def _files_checked(files: Iterable[UploadedFile]) -> list[tuple[UploadedFile, Any]]:
    return uploads_check(list(files), code_prefix="sourcing", max_count=MAX_DOCUMENTS, field="files")


def _agreement_make(
    *,
    owner: Agency,
    vendor: Vendor,
    title: str,
    valid_from: date,
    valid_until: date,
    ceiling_usd: Any,
    items: list[AgreementItem],
    participants: Iterable[Agency],
    agency_ceilings: Mapping[Agency, Any],
    source_kind: str,
    source_reference: str,
    terms: str,
    files: list[tuple[UploadedFile, Any]],
    by: User,
    at: datetime,
) -> LongTermAgreement:
    title = _text(title, field="title", required=gettext("A title is required."), limit=limits.NAME, one_line=True)
    terms = _text(terms, field="terms", required=None, limit=limits.LONG_TEXT)
    if not isinstance(valid_from, date):
        _refuse(gettext("Give the first day the agreement is valid."), field="valid_from")
    if not isinstance(valid_until, date):
        _refuse(gettext("Give the last day the agreement is valid."), field="valid_until")
    if valid_until < valid_from:
        _refuse(gettext("The agreement cannot end before it starts."), field="valid_until")
    if valid_until < timezone.localtime(at).date():
        _refuse(gettext("The agreement has already ended; record one still in force."), field="valid_until")
    ceiling = _decimal(ceiling_usd, field="ceiling_usd", allow_zero=False)
    ceilings = _participants_checked(owner, participants, agency_ceilings, ceiling)
    if owner.is_facility or not owner.is_active:
        _refuse(gettext("Choose the agency that owns the agreement."), field="owner")
    vendor_eligibility_check(vendor)
    agreement = LongTermAgreement.objects.create(
        reference=number_next(series="LTA", year=timezone.localtime(at).year),
        title=title,
        owner=owner,
        vendor=vendor,
        valid_from=valid_from,
        valid_until=valid_until,
        ceiling_usd=ceiling,
        source_kind=source_kind,
        source_reference=source_reference,
        terms=terms,
        created_by=by,
        created_at=at,
    )
    for item in items:
        item.agreement = agreement
    AgreementItem.objects.bulk_create(items)
    Participation.objects.bulk_create(
        Participation(
            agreement=agreement,
            agency=agency,
            ceiling_usd=ceiling,
            joined_via=JoinedVia.OWNER if agency.pk == owner.pk else JoinedVia.FOUNDING,
            joined_at=at,
        )
        for agency, ceiling in ceilings.items()
    )
    _documents_store(agreement, files, by=by, at=at)
    return agreement


@dataclass(frozen=True)
class AwardedCase:
    """What an agreement takes from an awarded solicitation, read in its agency's schema."""

    agency: Agency
    solicitation_reference: str
    title: str
    vendor: Vendor
    items: list[ItemInput]


def awarded_case_read(*, requisition_reference: str) -> AwardedCase:
    """An awarded purchase of any agency, by its requisition's reference: the vendor of the awarded bid and
    the requisition's lines at the bid's unit prices converted to USD (the bid's own USD total / total).

    Read in the agency's schema (the ledger says whose it is), as the facility's
    case page reads it. Refused when there is no such purchase or no award yet.
    """
    from procurement.models import Award
    from procurement.selectors import case_entry

    reference = (requisition_reference or "").strip()
    entry = case_entry(reference=reference) if re.fullmatch(r"[A-Za-z0-9-]{1,40}", reference) else None
    if entry is None:
        _refuse(
            gettext("No purchase %(reference)s was found.") % {"reference": reference[:40]},
            code="sourcing.no_award",
            field="requisition_reference",
            status=404,
        )
    with schema_context(entry.agency.schema_name):
        award = (
            Award.objects.filter(solicitation__requisition__reference=reference)
            .select_related("solicitation__requisition", "bid__invitation")
            .first()
        )
        if award is None or not award.bid.total or award.bid.total_usd is None or not award.bid.lines:
            _refuse(
                gettext("%(reference)s has no awarded solicitation with opened prices.") % {"reference": reference},
                code="sourcing.no_award",
                field="requisition_reference",
                status=409,
            )
        bid = award.bid
        total, total_usd, unit_prices = Decimal(bid.total or 0), Decimal(bid.total_usd or 0), list(bid.lines or [])
        ratio = total_usd / total
        lines = list(award.solicitation.requisition.lines.order_by("position"))
        items = [
            ItemInput(
                description=line.description,
                category=line.category_id,
                unit=line.unit,
                unit_price_usd=(Decimal(str(price)) * ratio).quantize(CENT, rounding=ROUND_HALF_UP),
            )
            for line, price in zip(lines, unit_prices, strict=False)
        ]
        return AwardedCase(
            agency=entry.agency,
            solicitation_reference=award.solicitation.reference,
            title=award.solicitation.requisition.title,
            vendor=Vendor.objects.get(pk=bid.invitation.vendor_id),
            items=items,
        )


@transaction.atomic
def agreement_create_from_award(
    *,
    requisition_reference: str,
    title: str,
    valid_from: date,
    valid_until: date,
    ceiling_usd: Any,
    participants: Iterable[Agency] = (),
    agency_ceilings: Mapping[Agency, Any] | None = None,
    terms: str = "",
    files: Iterable[UploadedFile] = (),
    by: User,
    at: datetime | None = None,
) -> LongTermAgreement:
    """A long-term agreement from a solicitation one agency competed (issue 14, "Long-term agreements").

    The owner is the agency whose purchase was awarded; the vendor the awarded
    bid's; the price schedule the requisition's lines at the bid's unit prices
    in USD. The officer gives the title, validity, ceiling (USD), the founding
    agencies and their own ceilings. One agreement per solicitation. Made by
    the facility's procurement officers or manager.
    """
    at = _now(at)
    _maker_check(by)
    case = awarded_case_read(requisition_reference=requisition_reference)
    if LongTermAgreement.objects.filter(
        source_kind=SourceKind.AWARD, source_reference=case.solicitation_reference
    ).exists():
        _refuse(
            gettext("An agreement was already made from %(reference)s.") % {"reference": case.solicitation_reference},
            code="sourcing.already_made",
            field="requisition_reference",
            status=409,
        )
    return _agreement_make(
        owner=case.agency,
        vendor=case.vendor,
        title=title,
        valid_from=valid_from,
        valid_until=valid_until,
        ceiling_usd=ceiling_usd,
        items=_items_checked(case.items),
        participants=participants,
        agency_ceilings=agency_ceilings or {},
        source_kind=SourceKind.AWARD,
        source_reference=case.solicitation_reference,
        terms=terms,
        files=_files_checked(files),
        by=by,
        at=at,
    )


@transaction.atomic
def agreement_record_from_contract(
    *,
    owner: Agency,
    vendor: Vendor,
    title: str,
    contract_reference: str,
    valid_from: date,
    valid_until: date,
    ceiling_usd: Any,
    items: Sequence[ItemInput],
    participants: Iterable[Agency] = (),
    agency_ceilings: Mapping[Agency, Any] | None = None,
    terms: str = "",
    files: Iterable[UploadedFile] = (),
    by: User,
    at: datetime | None = None,
) -> LongTermAgreement:
    """A long-term agreement an agency already signed, recorded with its documents (issue 14).

    The vendor must be active on the roster (`vendor_eligibility_check`); the
    price schedule is typed in (USD, cents); the documents pass the platform's
    file checks and are kept in the facility's storage, served only to those
    who may read them (`sourcing.access.may_read_documents`).
    """
    at = _now(at)
    _maker_check(by)
    contract_reference = _text(
        contract_reference,
        field="contract_reference",
        required=gettext("Give the contract's reference."),
        limit=limits.REFERENCE,
        one_line=True,
    )
    checked_items = _items_checked(items)
    checked_files = _files_checked(files)
    return _agreement_make(
        owner=owner,
        vendor=vendor,
        title=title,
        valid_from=valid_from,
        valid_until=valid_until,
        ceiling_usd=ceiling_usd,
        items=checked_items,
        participants=participants,
        agency_ceilings=agency_ceilings or {},
        source_kind=SourceKind.CONTRACT,
        source_reference=contract_reference,
        terms=terms,
        files=checked_files,
        by=by,
        at=at,
    )


@transaction.atomic
def agreement_documents_add(
    *, agreement: LongTermAgreement, files: Iterable[UploadedFile], by: User, at: datetime | None = None
) -> list[AgreementDocument]:
    """More of the contract's documents (an amendment, the signed copy), by the facility's makers."""
    at = _now(at)
    _maker_check(by)
    checked = _files_checked(files)
    if not checked:
        _refuse(gettext("Choose at least one file."), field="files")
    before = set(agreement.documents.values_list("pk", flat=True))
    _documents_store(agreement, checked, by=by, at=at)
    return list(agreement.documents.exclude(pk__in=before))


# -- piggybacking -------------------------------------------------------------------


@transaction.atomic
def piggyback_request(
    *,
    agreement: LongTermAgreement,
    agency: Agency,
    by: User,
    reason: str,
    expected_spend_usd: Any = None,
    at: datetime | None = None,
) -> PiggybackRequest:
    """An approver of another agency asks to join an agreement in force, saying why (PRODUCT.md:
    "one agency competes, others piggyback"). One waiting request per agency; the owner's approvers are
    e-mailed. The owner agency and agencies already taking part do not ask."""
    at = _now(at)
    if not access.is_approver(user=by, agency=agency):
        _refuse(
            gettext("Only an approver of %(agency)s may ask to join an agreement for it.") % {"agency": agency.code},
            code="sourcing.approvers_only",
            status=403,
        )
    reason = _text(
        reason, field="reason", required=gettext("Say why your agency wants to join."), limit=limits.SHORT_TEXT
    )
    expected = None
    if expected_spend_usd not in (None, ""):
        expected = _decimal(expected_spend_usd, field="expected_spend_usd", allow_zero=False)
    locked = _locked(agreement)
    if locked.owner_id == agency.pk:
        _refuse(
            gettext("%(agency)s owns %(reference)s; an owner does not piggyback on its own agreement.")
            % {"agency": agency.code, "reference": locked.reference},
            code="sourcing.own_agreement",
            status=409,
        )
    if Participation.objects.filter(agreement=locked, agency=agency).exists():
        _refuse(
            gettext("%(agency)s already takes part in %(reference)s.")
            % {"agency": agency.code, "reference": locked.reference},
            code="sourcing.already_participating",
            status=409,
        )
    _in_force_check(locked, timezone.localtime(at).date())
    if PiggybackRequest.objects.filter(agreement=locked, agency=agency, status=PiggybackStatus.REQUESTED).exists():
        _refuse(
            gettext("%(agency)s's request to join %(reference)s is already waiting for the owner.")
            % {"agency": agency.code, "reference": locked.reference},
            code="sourcing.piggyback_waiting",
            status=409,
        )
    try:
        with transaction.atomic():
            piggyback = PiggybackRequest.objects.create(
                agreement=locked,
                agency=agency,
                reason=reason,
                requested_ceiling_usd=expected,
                requested_by=by,
                requested_at=at,
            )
    except IntegrityError:  # a second request at the same instant: the constraint keeps one waiting
        _refuse(
            gettext("%(agency)s's request to join %(reference)s is already waiting for the owner.")
            % {"agency": agency.code, "reference": locked.reference},
            code="sourcing.piggyback_waiting",
            status=409,
        )
    _notify_piggyback(piggyback)
    return piggyback


@transaction.atomic
def piggyback_decide(
    *,
    piggyback: PiggybackRequest,
    by: User,
    accept: bool,
    note: str = "",
    agency_ceiling_usd: Any = None,
    at: datetime | None = None,
) -> PiggybackRequest:
    """An approver of the owner agency accepts (optionally setting the joining agency's own ceiling) or
    refuses, saying why; recorded, and the asking agency's approvers are e-mailed (issue 14). Never the
    person who asked, and only while the request waits; an expired agreement takes no one in."""
    at = _now(at)
    piggyback = (
        PiggybackRequest.objects.select_for_update(of=("self",))
        .select_related("agreement__owner", "agency")
        .get(pk=piggyback.pk)
    )
    agreement = _locked(piggyback.agreement)
    if not access.is_approver(user=by, agency=agreement.owner):
        _refuse(
            gettext("Only an approver of %(owner)s, which owns %(reference)s, decides who joins it.")
            % {"owner": agreement.owner.code, "reference": agreement.reference},
            code="sourcing.owner_approvers_only",
            status=403,
        )
    if by.pk == piggyback.requested_by_id:
        _refuse(
            gettext("You asked for this; another approver of %(owner)s decides it.") % {"owner": agreement.owner.code},
            code="sourcing.segregation",
            status=403,
        )
    if piggyback.status != PiggybackStatus.REQUESTED:
        _refuse(gettext("This request has already been decided."), code="sourcing.already_decided", status=409)
    note = _text(
        note,
        field="note",
        required=None if accept else gettext("Say why the request is refused."),
        limit=limits.SHORT_TEXT,
    )
    ceiling = None
    if accept:
        if agency_ceiling_usd not in (None, ""):
            ceiling = _decimal(agency_ceiling_usd, field="agency_ceiling_usd", allow_zero=False)
            if ceiling > agreement.ceiling_usd:
                _refuse(
                    gettext("The agency's ceiling cannot be above the agreement's (%(ceiling)s USD).")
                    % {"ceiling": usd_text(agreement.ceiling_usd)},
                    field="agency_ceiling_usd",
                )
        _in_force_check(agreement, timezone.localtime(at).date())
        Participation.objects.get_or_create(
            agreement=agreement,
            agency=piggyback.agency,
            defaults={"ceiling_usd": ceiling, "joined_via": JoinedVia.PIGGYBACK, "joined_at": at},
        )
    piggyback.status = PiggybackStatus.ACCEPTED if accept else PiggybackStatus.REFUSED
    piggyback.decided_by = by
    piggyback.decided_at = at
    piggyback.decision_note = note
    piggyback.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _notify_piggyback(piggyback)
    return piggyback


# -- call-offs ------------------------------------------------------------------------


def call_off_value(*, agreement: LongTermAgreement, quantities: Mapping[int, Decimal]) -> Decimal:
    """The value of a call-off at the agreed prices, as its requisition will total it (line by line, cents)."""
    prices = dict(agreement.items.values_list("position", "unit_price_usd"))
    return sum(
        (
            (quantity * prices[position].quantize(CENT)).quantize(CENT, rounding=ROUND_HALF_UP)
            for position, quantity in quantities.items()
            if position in prices and quantity > 0
        ),
        ZERO,
    )


def _quantities_checked(agreement: LongTermAgreement, quantities: Mapping[Any, Any]) -> dict[int, Decimal]:
    items = {item.position: item for item in agreement.items.all()}
    if not isinstance(quantities, Mapping) or len(quantities) > len(items):
        _refuse(gettext("Give a quantity for the agreement's items only."), field="quantities")
    wanted: dict[int, Decimal] = {}
    for key, value in quantities.items():
        try:
            position = int(key)
        except (TypeError, ValueError):
            position = -1
        if position not in items:
            _refuse(gettext("Give a quantity for the agreement's items only."), field="quantities")
        quantity = _decimal(value, field=f"quantities.{position}")
        if quantity >= LARGEST_QUANTITY:
            _refuse(gettext("That figure is too large."), field=f"quantities.{position}")
        if quantity > 0:
            wanted[position] = quantity
    if not wanted:
        _refuse(gettext("Give a quantity for at least one item."), field="quantities")
    return wanted


@transaction.atomic
def call_off_raise(
    *,
    agency: Agency,
    agreement: LongTermAgreement,
    requester: User,
    quantities: Mapping[Any, Any],
    delivery_place: str,
    delivery_date: date,
    charge_code: str,
    justification: str,
    at: datetime | None = None,
) -> Any:
    """A participating agency calls off the agreement at its prices: a requisition with service PRC-LTA
    (5-day target) that goes through the agency's approval and the facility's order like any other.

    In one transaction, under the agreement's row lock: the value at the agreed
    prices is refused when the agreement is not in force, when the agency does
    not take part, or when it would pass what remains of the ceiling (the
    agency's own or the overall, whichever binds); else the requisition is
    raised (`procurement.services.requisition_raise`, agreement set) and its
    value appended to the consumption (issue 14). Runs in the agency's schema.
    Any requester or approver of the agency may call off.
    """
    from procurement import services as procurement

    at = _now(at)
    if not access.may_call_off(user=requester, agency=agency):
        _refuse(
            gettext("Only the requesters and approvers of %(agency)s raise its call-offs.") % {"agency": agency.code},
            code="sourcing.requesters_only",
            status=403,
        )
    locked = _locked(agreement)
    wanted = _quantities_checked(locked, quantities)
    value = call_off_value(agreement=locked, quantities=wanted)
    _room_check(locked, agency, value, timezone.localtime(at).date())
    items = {item.position: item for item in locked.items.select_related("category")}
    title = gettext("Call-off against %(reference)s: %(title)s") % {
        "reference": locked.reference,
        "title": locked.title,
    }
    requisition = procurement.requisition_raise(
        agency=agency,
        requester=requester,
        title=title[: limits.NAME],
        justification=justification,
        delivery_place=delivery_place,
        delivery_date=delivery_date,
        charge_code=charge_code,
        lines=[
            procurement.LineInput(
                description=items[position].description,
                category=items[position].category,
                quantity=quantity,
                unit=items[position].unit,
                estimated_unit_price=items[position].unit_price_usd.quantize(CENT),
            )
            for position, quantity in sorted(wanted.items())
        ],
        agreement=locked,
        at=at,
    )
    consumption_commit(
        agreement=locked,
        agency=agency,
        amount_usd=requisition.estimated_total,
        requisition_reference=requisition.reference,
        by=requester,
        at=at,
    )
    return requisition
