"""Writes for procurement: every step of a purchase, from the agency's requisition to the purchase order.

The rules (PRODUCT.md, "Procurement (UN practice)"; issue 13; UN Procurement Manual):

- A requisition is raised by agency staff and approved or rejected, with a
  reason, by the agency's approver, never by its requester. Approval puts it
  on the ledger (the completion clock starts) and in the facility's queue.
- The method follows the estimated total and the agency's thresholds in force:
  micro-purchase, RFQ, then ITB or RFP (the buyer chooses and says why);
  above the committee threshold the contracts committee reviews before award.
  A less competitive method (direct contracting) or an RFQ with fewer than
  three invited vendors needs a written justification approved by the
  facility manager. A change of method moves the request to that method's
  service and SLA target, recorded in its history.
- Requester, approver and buyer of one requisition are three people; the two
  opening officers are neither requester nor approver; no committee member is
  the requester, approver, buyer or an evaluator of the case.
- Bids are sealed (procurement.sealing) until the deadline has passed and two
  officers record the opening; a late bid is kept, marked late, never opened.
  An RFP's financial envelopes open only after the technical scores are
  locked, and only for bids that reached the minimum technical score.
- Evaluators declare no conflict of interest first. RFQ and ITB: the lowest
  priced compliant bid is recommended. RFP: combined score of the averaged
  weighted technical score and lowest price / price x financial weight. Other
  currencies are compared in USD at the UN operational rate of the deadline's
  month (billing's rate table).
- The award needs a written justification when it is not the recommended bid;
  every bidder is told the outcome. The purchase order is numbered gapless per
  agency and year, never changes once issued (revisions, cancellation), and
  issuing it delivers the request on the ledger with one billable order.

Every function runs with the connection in the purchase's agency schema
(`django_tenants.utils.schema_context`); the ledger rows it changes are in the
public schema, in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Role, User
from accounts.selectors import has_role
from billing.models import OPERATING_CURRENCY, Currency
from billing.selectors import exchange_rate_for, month_start
from billing.services import number_next
from ledger import services as ledger
from ledger.models import Holder, LedgerEntry
from service_levels.models import Service
from service_levels.selectors import services_covered
from shared_platform import limits
from shared_platform.attachments import agency_file_path, upload_check
from shared_platform.inputs import decimal_checked, refuse, text_checked
from shared_platform.queue import enqueue_after_commit
from sourcing.models import LongTermAgreement, SplitStage
from sourcing.services.agreements import consumption_release
from sourcing.services.spend import purchase_records_cancel, purchase_records_write, split_flags_check
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor
from vendors.services import vendor_eligibility_check

from . import sealing
from .models import (
    RFQ_MINIMUM_QUOTES,
    SERVICE_OF_METHOD,
    SOLICITED_METHODS,
    Amendment,
    Award,
    Bid,
    BidDocument,
    CaseEvent,
    CaseEventKind,
    CommitteeDecision,
    CommitteeReview,
    ComplianceCheck,
    Criterion,
    Deviation,
    DeviationKind,
    DeviationStatus,
    Envelope,
    Evaluator,
    Invitation,
    Method,
    Opening,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    Question,
    Quotation,
    Requisition,
    RequisitionAttachment,
    RequisitionLine,
    RequisitionStatus,
    Solicitation,
    SolicitationDocument,
    SolicitationStatus,
    TechnicalScore,
)
from .selectors import (
    METHOD_RANK,
    bids_counting,
    deadline_passed,
    is_buyer,
    is_committee_member,
    is_facility_manager_person,
    method_in_force,
    needs_committee,
)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# The ledger's step of a purchase, for the facility's queues across agencies.
STEP_WAITING_BUYER = "awaiting_buyer"
STEP_SOURCING = "sourcing"
STEP_BIDDING = "bidding"
STEP_EVALUATION = "evaluation"
STEP_COMMITTEE = "committee"
STEP_AWARD = "award"
STEP_ORDER = "order"
# The most lines a requisition (and so a bid) has.
MAX_LINES = 200
# The most quotations a micro-purchase compares.
MAX_QUOTATIONS = 3


# -- small checks -------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Procurement times are aware datetimes.")
    return at


def _in_schema_of(agency: Agency) -> None:
    if connection.schema_name != agency.schema_name:  # type: ignore[attr-defined]
        raise RuntimeError(f"Procurement services run in the agency's schema ({agency.schema_name}).")


def _agency_here() -> Agency:
    """The agency whose schema the connection is in (for services not given it)."""
    return Agency.objects.get(schema_name=connection.schema_name)  # type: ignore[attr-defined]


def _refuse(
    message: str, *, code: str = "procurement.invalid", field: str | None = None, status: int = 400
) -> NoReturn:
    refuse(message, code=code, field=field, status=status)


def _text(value: str | None, *, field: str, required: str | None, limit: int, one_line: bool = False) -> str:
    return text_checked(
        value, field=field, required=required, limit=limit, code="procurement.invalid", one_line=one_line
    )


def _decimal(value: Any, *, field: str, places: int = 2, allow_zero: bool = True) -> Decimal:
    return decimal_checked(value, field=field, code="procurement.invalid", places=places, allow_zero=allow_zero)


def _event(requisition: Requisition, kind: str, at: datetime, actor: User | None, detail: str = "") -> None:
    CaseEvent.objects.create(requisition=requisition, kind=kind, at=at, actor=actor, detail=detail[: limits.SHORT_TEXT])


def _entry(requisition: Requisition) -> LedgerEntry:
    if requisition.entry_id is None:
        _refuse(
            gettext("%(reference)s has not been approved yet.") % {"reference": requisition.reference},
            code="procurement.not_approved",
            status=409,
        )
    return LedgerEntry.objects.select_related("agency", "service", "agreement").get(pk=requisition.entry_id)


def _locked(requisition: Requisition) -> Requisition:
    return Requisition.objects.select_for_update().get(pk=requisition.pk)


def _locked_solicitation(solicitation: Solicitation) -> Solicitation:
    return Solicitation.objects.select_for_update().select_related("requisition").get(pk=solicitation.pk)


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def _notify(requisition: Requisition, step: str, *, actor: User | None, detail: str = "") -> None:
    """E-mail the people of the purchase about a step, after commit, from the worker."""
    if ledger.alerts_are_muted():
        return
    from .tasks import case_notify

    enqueue_after_commit(case_notify, requisition.pk, step, actor.pk if actor else None, detail)


def outcome_sent_record(*, invitation_id: int, at: datetime | None = None) -> None:
    """The vendor was e-mailed the solicitation's outcome: kept on its invitation, the first time only."""
    Invitation.objects.filter(pk=invitation_id, outcome_sent_at__isnull=True).update(outcome_sent_at=_now(at))


def _notify_vendor(invitation: Invitation, step: str, *, token: str = "", item_id: int | None = None) -> None:
    if ledger.alerts_are_muted():
        return
    from .tasks import vendor_notify

    enqueue_after_commit(vendor_notify, invitation.pk, step, token, item_id)


# -- segregation of duties ----------------------------------------------------------


def _buyer_check(actor: User) -> None:
    if not is_buyer(user=actor):
        _refuse(
            gettext("Only the facility's procurement officers may do this."),
            code="procurement.buyers_only",
            status=403,
        )


def _case_buyer_check(requisition: Requisition, actor: User) -> None:
    """The step belongs to the buyer of the case (or the facility manager, who stands in)."""
    _buyer_check(actor)
    if requisition.buyer_id not in (None, actor.pk) and not is_facility_manager_person(user=actor):
        _refuse(
            gettext("%(reference)s is bought by %(buyer)s; only they or the facility manager act on it.")
            % {
                "reference": requisition.reference,
                "buyer": _person(User.objects.filter(pk=requisition.buyer_id).first()),
            },
            code="procurement.not_the_buyer",
            status=403,
        )
    if requisition.buyer_id is None:
        _refuse(
            gettext("Take %(reference)s as its buyer first.") % {"reference": requisition.reference},
            code="procurement.no_buyer",
            status=409,
        )


def segregation_conflicts(*, requisition: Requisition, user: User, as_role: str) -> str:
    """Why this person may not act in this role on this purchase, or "" if they may.

    Requester, approver and buyer are three people; the opening officers are
    neither requester nor approver; a committee member is none of requester,
    approver, buyer or evaluator (UN Procurement Manual, segregation of duties).
    Pages ask it before offering a step; the services refuse with it.
    """
    if as_role == "approver" and user.pk == requisition.requester_id:
        return gettext("You raised this requisition; another approver of your agency must decide it.")
    if as_role == "buyer":
        if user.pk == requisition.requester_id:
            return gettext("You raised this requisition, so you cannot also buy it.")
        if user.pk == requisition.approver_id:
            return gettext("You approved this requisition, so you cannot also buy it.")
    if as_role == "opening" and user.pk in (requisition.requester_id, requisition.approver_id):
        return gettext("The requester and the approver of a purchase may not open its bids.")
    if as_role == "evaluator" and user.pk in (requisition.requester_id, requisition.approver_id):
        return gettext("The requester and the approver of a purchase may not evaluate its bids.")
    if as_role == "receiver" and user.pk in (
        requisition.requester_id,
        requisition.approver_id,
        requisition.buyer_id,
    ):
        return gettext(
            "The requester, the approver and the buyer of a purchase may not receive it; another person of "
            "the agency records the receipt."
        )
    if as_role == "committee":
        if user.pk in (requisition.requester_id, requisition.approver_id, requisition.buyer_id):
            return gettext("Committee members may not review a case they raised, approved or bought.")
        solicitation = getattr(requisition, "solicitation", None)
        if solicitation is not None and solicitation.evaluators.filter(user_id=user.pk).exists():
            return gettext("Committee members may not review a case they evaluated.")
    return ""


def _segregation_check(requisition: Requisition, user: User, as_role: str) -> None:
    reason = segregation_conflicts(requisition=requisition, user=user, as_role=as_role)
    if reason:
        _refuse(reason, code=f"procurement.segregation_{as_role}", status=403)


# -- requisitions -------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    description: str
    category: SupplyCategory | int | None
    quantity: Any
    unit: str
    estimated_unit_price: Any


def _lines_checked(lines: Sequence[LineInput]) -> list[RequisitionLine]:
    if not lines:
        _refuse(gettext("A requisition needs at least one line."), field="lines")
    if len(lines) > MAX_LINES:
        _refuse(gettext("At most %(count)d lines.") % {"count": MAX_LINES}, field="lines")
    checked = []
    for position, line in enumerate(lines, start=1):
        prefix = f"lines.{position}"
        category = line.category
        if not isinstance(category, SupplyCategory):
            category = SupplyCategory.objects.filter(pk=category, is_active=True).first() if category else None
        if category is None or not category.is_active:
            _refuse(gettext("Line %(line)d: choose a category.") % {"line": position}, field=f"{prefix}.category")
        checked.append(
            RequisitionLine(
                position=position,
                description=_text(
                    line.description,
                    field=f"{prefix}.description",
                    required=gettext("Line %(line)d: describe what is needed.") % {"line": position},
                    limit=limits.NAME,
                    one_line=True,
                ),
                category=category,
                quantity=_decimal(line.quantity, field=f"{prefix}.quantity", allow_zero=False),
                unit=_text(
                    line.unit,
                    field=f"{prefix}.unit",
                    required=gettext("Line %(line)d: give the unit (each, box, day…).") % {"line": position},
                    limit=30,
                    one_line=True,
                ),
                estimated_unit_price=_decimal(line.estimated_unit_price, field=f"{prefix}.estimated_unit_price"),
            )
        )
    return checked


@dataclass(frozen=True)
class AttachmentCheck:
    upload: UploadedFile
    name: str
    content_type: str
    size: int


def attachment_check(upload: UploadedFile, *, field: str) -> AttachmentCheck:
    """The file, refused when too big, of a kind not allowed, or not what its name says (the shared rules)."""
    checked = upload_check(upload, code_prefix="procurement", field=field)
    return AttachmentCheck(upload, checked.name, checked.content_type, upload.size or 0)


def attachment_path(folder: str, name: str) -> str:
    """Where a file is stored: the case's folder in the agency's media folder (shared_platform.attachments)."""
    return agency_file_path(module="procurement", folder=folder, name=name)


def _files_checked(files: Iterable[UploadedFile]) -> list[AttachmentCheck]:
    return [attachment_check(upload, field="files") for upload in files]


@transaction.atomic
def requisition_raise(
    *,
    agency: Agency,
    requester: User,
    title: str,
    justification: str,
    delivery_place: str,
    delivery_date: date,
    charge_code: str,
    lines: Sequence[LineInput],
    files: Iterable[UploadedFile] = (),
    agreement: LongTermAgreement | None = None,
    at: datetime | None = None,
) -> Requisition:
    """Agency staff ask the facility to buy something: lines, delivery, charge code, justification.

    It waits for the agency's approver; nothing is on the ledger yet. Refused
    when the agency's agreement does not cover procurement. A call-off names
    its long-term agreement (`sourcing.services.agreements.call_off_raise`
    checks the agreement and commits its value first) and needs PRC-LTA.
    """
    _in_schema_of(agency)
    at = _now(at)
    title = _text(title, field="title", required=gettext("A title is required."), limit=limits.NAME, one_line=True)
    justification = _text(
        justification, field="justification", required=gettext("Say why this is needed."), limit=limits.LONG_TEXT
    )
    delivery_place = _text(
        delivery_place,
        field="delivery_place",
        required=gettext("Say where it is to be delivered."),
        limit=limits.NAME,
        one_line=True,
    )
    charge_code = _text(
        charge_code, field="charge_code", required=gettext("A charge code is required."), limit=60, one_line=True
    )
    if not isinstance(delivery_date, date) or delivery_date < timezone.localtime(at).date():
        _refuse(gettext("The delivery date cannot be in the past."), field="delivery_date")
    checked_lines = _lines_checked(lines)
    checked_files = _files_checked(files)
    wanted = {SERVICE_OF_METHOD[Method.LTA]} if agreement is not None else set(SERVICE_OF_METHOD.values())
    if not services_covered(agency=agency, on=timezone.localtime(at).date()) & wanted:
        _refuse(
            gettext("%(agency)s's service agreement does not cover procurement.") % {"agency": agency.code},
            code="procurement.not_covered",
            status=409,
        )
    requisition = Requisition.objects.create(
        reference="",
        title=title,
        justification=justification,
        delivery_place=delivery_place,
        delivery_date=delivery_date,
        charge_code=charge_code,
        requester=requester,
        raised_at=at,
        agreement=agreement,
    )
    requisition.reference = f"{agency.code}-PR-{requisition.pk:06d}"
    for line in checked_lines:
        line.requisition = requisition
    RequisitionLine.objects.bulk_create(checked_lines)
    requisition.estimated_total = sum((line.estimated_amount for line in checked_lines), Decimal("0.00"))
    requisition.save(update_fields=["reference", "estimated_total"])
    _attach(requisition, checked_files, by=requester, at=at)
    _event(requisition, CaseEventKind.RAISED, at, requester)
    _notify(requisition, "raised", actor=requester)
    return requisition


def _attach(requisition: Requisition, files: list[AttachmentCheck], *, by: User, at: datetime) -> None:
    for checked in files:
        attachment = RequisitionAttachment(
            requisition=requisition,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=by,
            uploaded_at=at,
        )
        attachment.file.save(attachment_path(requisition.reference, checked.name), checked.upload, save=False)
        attachment.save()


@transaction.atomic
def requisition_attach(*, requisition: Requisition, files: Iterable[UploadedFile], by: User) -> None:
    """Add documents (specifications, quotes received) to a requisition still being worked."""
    if requisition.status in (RequisitionStatus.ORDERED, RequisitionStatus.CANCELLED, RequisitionStatus.REJECTED):
        _refuse(gettext("This requisition is finished; it takes no more documents."), status=409)
    _attach(requisition, _files_checked(files), by=by, at=timezone.now())


def _approver_check(requisition: Requisition, approver: User, agency: Agency) -> None:
    if not has_role(user=approver, agency=agency, roles={Role.APPROVER}):
        _refuse(
            gettext("Only an approver of %(agency)s may decide its requisitions.") % {"agency": agency.code},
            code="procurement.approvers_only",
            status=403,
        )
    _segregation_check(requisition, approver, "approver")
    if requisition.status != RequisitionStatus.SUBMITTED:
        _refuse(
            gettext("%(reference)s has already been decided.") % {"reference": requisition.reference},
            code="procurement.already_decided",
            status=409,
        )


@transaction.atomic
def requisition_approve(
    *,
    agency: Agency,
    requisition: Requisition,
    approver: User,
    split_explanation: str = "",
    at: datetime | None = None,
) -> Requisition:
    """The agency's approver (certifying officer) approves: the purchase goes on the ledger under the method
    its estimated total calls for (a call-off: PRC-LTA), the completion clock starts, and the facility's
    buyers see it.

    A possible split purchase (the same category bought from one vendor under
    a threshold again and again, `sourcing.selectors.spend.split_findings`)
    is approved only with the approver's explanation, recorded as a flag.
    """
    _in_schema_of(agency)
    at = _now(at)
    requisition = _locked(requisition)
    _approver_check(requisition, approver, agency)
    method: str
    if requisition.agreement_id is not None:
        method = Method.LTA
    else:
        method = method_in_force(agency=agency, total=requisition.estimated_total, on=timezone.localtime(at).date())
        if split_flags_check(
            agency=agency,
            requisition=requisition,
            stage=SplitStage.APPROVAL,
            vendor_id=None,
            by=approver,
            explanation=split_explanation,
            at=at,
        ):
            _event(requisition, CaseEventKind.SPLIT, at, approver, split_explanation)
    entry = ledger.entry_open(
        agency=agency,
        service=Service.objects.get(code=SERVICE_OF_METHOD[Method(method)]),
        reference=requisition.reference,
        title=requisition.title,
        requester=User.objects.filter(pk=requisition.requester_id).first(),
        opened_at=at,
        detail_id=requisition.pk,
        actor=approver,
    )
    entry.step = STEP_WAITING_BUYER
    entry.save(update_fields=["step"])
    requisition.entry = entry
    requisition.status = RequisitionStatus.APPROVED
    requisition.approver = approver
    requisition.decided_at = at
    requisition.method = method
    requisition.save(update_fields=["entry", "status", "approver", "decided_at", "method"])
    _event(requisition, CaseEventKind.APPROVED, at, approver, method)
    _notify(requisition, "approved", actor=approver)
    return requisition


@transaction.atomic
def requisition_reject(
    *, agency: Agency, requisition: Requisition, approver: User, reason: str, at: datetime | None = None
) -> Requisition:
    """The approver rejects, saying why; the requester is told. Nothing reaches the ledger."""
    _in_schema_of(agency)
    at = _now(at)
    reason = _text(reason, field="reason", required=gettext("Say why it is rejected."), limit=limits.SHORT_TEXT)
    requisition = _locked(requisition)
    _approver_check(requisition, approver, agency)
    requisition.status = RequisitionStatus.REJECTED
    requisition.approver = approver
    requisition.decided_at = at
    requisition.decision_reason = reason
    requisition.save(update_fields=["status", "approver", "decided_at", "decision_reason"])
    if requisition.agreement_id is not None:
        consumption_release(agency=agency, requisition=requisition, by=approver, at=at)
    _event(requisition, CaseEventKind.REJECTED, at, approver, reason)
    _notify(requisition, "rejected", actor=approver, detail=reason)
    return requisition


@transaction.atomic
def requisition_withdraw(*, requisition: Requisition, by: User, reason: str, at: datetime | None = None) -> Requisition:
    """The requester withdraws a requisition not yet ordered; an approved one leaves the ledger as cancelled."""
    at = _now(at)
    reason = _text(reason, field="reason", required=gettext("Say why it is withdrawn."), limit=limits.SHORT_TEXT)
    requisition = _locked(requisition)
    if by.pk != requisition.requester_id and not is_buyer(user=by):
        _refuse(
            gettext("Only its requester or a buyer may withdraw a requisition."),
            code="procurement.forbidden",
            status=403,
        )
    if requisition.status not in (
        RequisitionStatus.SUBMITTED,
        RequisitionStatus.APPROVED,
        RequisitionStatus.SOURCING,
    ):
        _refuse(
            gettext("%(reference)s can no longer be withdrawn.") % {"reference": requisition.reference},
            code="procurement.illegal_transition",
            status=409,
        )
    if requisition.entry_id is not None:
        ledger.entry_cancel(entry=_entry(requisition), at=at, actor=by, reason=reason)
    solicitation = Solicitation.objects.filter(requisition=requisition).first()
    if solicitation is not None and solicitation.status != SolicitationStatus.AWARDED:
        solicitation.status = SolicitationStatus.CANCELLED
        solicitation.save(update_fields=["status"])
    requisition.status = RequisitionStatus.CANCELLED
    requisition.save(update_fields=["status"])
    if requisition.agreement_id is not None:
        consumption_release(agency=_agency_here(), requisition=requisition, by=by, at=at)
    _event(requisition, CaseEventKind.CANCELLED, at, by, reason)
    _notify(requisition, "cancelled", actor=by, detail=reason)
    return requisition


# -- the buyer: taking the case, the method, deviations, waiting on the requester -------------


@transaction.atomic
def requisition_take(*, requisition: Requisition, buyer: User, at: datetime | None = None) -> Requisition:
    """A facility procurement officer takes an approved requisition as its buyer."""
    at = _now(at)
    _buyer_check(buyer)
    requisition = _locked(requisition)
    _segregation_check(requisition, buyer, "buyer")
    if requisition.status not in (RequisitionStatus.APPROVED, RequisitionStatus.SOURCING):
        _refuse(
            gettext("%(reference)s is not waiting for a buyer.") % {"reference": requisition.reference},
            code="procurement.illegal_transition",
            status=409,
        )
    entry = _entry(requisition)
    ledger.entry_assign(entry=entry, assignee=buyer, at=at, actor=buyer)
    ledger.entry_step(entry=entry, step=STEP_SOURCING, at=at, actor=buyer)
    requisition.buyer = buyer
    requisition.status = RequisitionStatus.SOURCING
    requisition.save(update_fields=["buyer", "status"])
    _event(requisition, CaseEventKind.ASSIGNED, at, buyer, _person(buyer))
    return requisition


def _deviation_approved(requisition: Requisition, kind: str) -> bool:
    return requisition.deviations.filter(kind=kind, status=DeviationStatus.APPROVED).exists()


@transaction.atomic
def method_change(
    *, requisition: Requisition, method: str, reason: str, by: User, at: datetime | None = None
) -> Requisition:
    """The buyer sets another method, saying why: the request moves to that method's service and target.

    More competition than the value calls for is the buyer's choice (ITB or
    RFP above the RFQ threshold is always theirs); less needs an approved
    direct-contracting deviation.
    """
    at = _now(at)
    if method not in Method.values or method == Method.LTA:
        _refuse(gettext("Unknown method."), field="method")
    reason = _text(reason, field="reason", required=gettext("Say why the method changes."), limit=limits.SHORT_TEXT)
    requisition = _locked(requisition)
    _case_buyer_check(requisition, by)
    if requisition.agreement_id is not None:
        _refuse(
            gettext("A call-off is bought at its long-term agreement's prices; its method does not change."),
            code="procurement.method_fixed",
            status=409,
        )
    if requisition.status != RequisitionStatus.SOURCING or hasattr(requisition, "solicitation"):
        _refuse(
            gettext("The method is fixed once a solicitation has gone out."),
            code="procurement.method_fixed",
            status=409,
        )
    entry = _entry(requisition)
    by_value = method_in_force(
        agency=entry.agency,
        total=requisition.estimated_total,
        on=timezone.localtime(requisition.decided_at or at).date(),
    )
    if METHOD_RANK[Method(method)] < METHOD_RANK[Method(by_value)] and not _deviation_approved(
        requisition, DeviationKind.DIRECT_CONTRACTING
    ):
        _refuse(
            gettext(
                "%(value)s USD calls for %(method)s; a less competitive method needs a direct-contracting "
                "deviation approved by the facility manager."
            )
            % {"value": requisition.estimated_total, "method": Method(by_value).label},
            code="procurement.deviation_required",
            status=409,
        )
    before = requisition.method
    ledger.entry_service_change(
        entry=entry, service=Service.objects.get(code=SERVICE_OF_METHOD[Method(method)]), reason=reason, at=at, actor=by
    )
    requisition.method, requisition.method_reason = method, reason
    requisition.save(update_fields=["method", "method_reason"])
    _event(requisition, CaseEventKind.METHOD, at, by, f"{before} → {method}: {reason}")
    return requisition


@transaction.atomic
def deviation_request(
    *, requisition: Requisition, kind: str, justification: str, by: User, at: datetime | None = None
) -> Deviation:
    """The buyer asks to depart from the method's rule (direct contracting, fewer than three quotes),
    in writing; the facility manager decides."""
    at = _now(at)
    if kind not in DeviationKind.values:
        _refuse(gettext("Unknown kind of deviation."), field="kind")
    justification = _text(
        justification,
        field="justification",
        required=gettext("A deviation needs a written justification."),
        limit=limits.LONG_TEXT,
    )
    requisition = _locked(requisition)
    _case_buyer_check(requisition, by)
    if requisition.deviations.filter(kind=kind, status=DeviationStatus.REQUESTED).exists():
        _refuse(
            gettext("This deviation is already waiting for a decision."),
            code="procurement.deviation_pending",
            status=409,
        )
    deviation = Deviation.objects.create(
        requisition=requisition, kind=kind, justification=justification, requested_by=by, requested_at=at
    )
    _event(requisition, CaseEventKind.DEVIATION, at, by, f"{kind} requested: {justification}")
    _notify(requisition, "deviation_requested", actor=by)
    return deviation


@transaction.atomic
def deviation_decide(
    *, deviation: Deviation, approve: bool, note: str, by: User, at: datetime | None = None
) -> Deviation:
    """The facility manager approves or refuses a deviation; the decision and its note are recorded."""
    at = _now(at)
    if not is_facility_manager_person(user=by):
        _refuse(gettext("Only the facility manager decides deviations."), code="procurement.manager_only", status=403)
    note = _text(
        note,
        field="note",
        required=None if approve else gettext("Say why the deviation is refused."),
        limit=limits.SHORT_TEXT,
    )
    deviation = Deviation.objects.select_for_update().select_related("requisition").get(pk=deviation.pk)
    if deviation.status != DeviationStatus.REQUESTED:
        _refuse(gettext("This deviation has already been decided."), code="procurement.already_decided", status=409)
    if by.pk in (deviation.requested_by_id, deviation.requisition.requester_id, deviation.requisition.approver_id):
        _refuse(
            gettext("The person who asked for a deviation, and the requester and approver, do not decide it."),
            code="procurement.segregation_deviation",
            status=403,
        )
    deviation.status = DeviationStatus.APPROVED if approve else DeviationStatus.REFUSED
    deviation.decided_by, deviation.decided_at, deviation.decision_note = by, at, note
    deviation.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(deviation.requisition, CaseEventKind.DEVIATION, at, by, f"{deviation.kind} {deviation.status}: {note}")
    _notify(deviation.requisition, "deviation_decided", actor=by)
    return deviation


@transaction.atomic
def case_ask_requester(*, requisition: Requisition, question: str, by: User, at: datetime | None = None) -> Requisition:
    """The buyer needs an answer from the requester (a specification, a budget line): the clock pauses."""
    at = _now(at)
    question = _text(question, field="question", required=gettext("Write the question."), limit=limits.SHORT_TEXT)
    requisition = _locked(requisition)
    _case_buyer_check(requisition, by)
    ledger.entry_pause(entry=_entry(requisition), waiting_on=Holder.REQUESTER, at=at, actor=by, reason=question[:200])
    _event(requisition, CaseEventKind.WAITING, at, by, question)
    _notify(requisition, "question", actor=by, detail=question)
    return requisition


@transaction.atomic
def case_requester_answer(
    *, requisition: Requisition, answer: str, by: User, at: datetime | None = None
) -> Requisition:
    """The requester answers; the clock runs again."""
    at = _now(at)
    answer = _text(answer, field="answer", required=gettext("Write the answer."), limit=limits.SHORT_TEXT)
    requisition = _locked(requisition)
    if by.pk != requisition.requester_id:
        _refuse(gettext("Only the requester answers the buyer's question."), code="procurement.forbidden", status=403)
    ledger.entry_resume(entry=_entry(requisition), at=at, actor=by)
    _event(requisition, CaseEventKind.WAITING, at, by, answer)
    _notify(requisition, "answered", actor=by, detail=answer)
    return requisition


# -- solicitation -------------------------------------------------------------------


def _token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CriterionInput:
    name: str
    weight: int


@transaction.atomic
def solicitation_issue(
    *,
    requisition: Requisition,
    by: User,
    instructions: str,
    deadline: datetime,
    vendors: Sequence[Vendor],
    documents: Iterable[UploadedFile] = (),
    criteria: Sequence[CriterionInput] = (),
    technical_weight: int = 70,
    minimum_technical_score: Any = Decimal("70"),
    at: datetime | None = None,
) -> tuple[Solicitation, dict[int, str]]:
    """Send the RFQ, ITB or RFP to the invited vendors, each with a personal link by e-mail.

    At least three vendors for an RFQ unless a deviation for fewer quotes is
    approved; every vendor must be eligible (active on the roster). An RFP
    carries weighted technical criteria adding up to 100 and the technical
    share of the combined score. Returns the solicitation and each vendor's
    link token (only the token's hash is stored).
    """
    at = _now(at)
    requisition = _locked(requisition)
    _case_buyer_check(requisition, by)
    if requisition.method not in SOLICITED_METHODS:
        _refuse(
            gettext("A micro-purchase needs no solicitation: record the quotation and issue the order."),
            code="procurement.no_solicitation_for_micro",
            status=409,
        )
    if hasattr(requisition, "solicitation") or requisition.status != RequisitionStatus.SOURCING:
        _refuse(
            gettext("A solicitation has already gone out for this requisition."),
            code="procurement.already_solicited",
            status=409,
        )
    instructions = _text(
        instructions,
        field="instructions",
        required=gettext("Write the instructions to bidders."),
        limit=limits.LONG_TEXT,
    )
    if not isinstance(deadline, datetime) or timezone.is_naive(deadline) or deadline <= at:
        _refuse(gettext("The deadline must be in the future."), field="deadline")
    vendors = list({vendor.pk: vendor for vendor in vendors}.values())
    if not vendors:
        _refuse(gettext("Invite at least one vendor."), field="vendors")
    for vendor in vendors:
        vendor_eligibility_check(vendor)
    if (
        requisition.method == Method.RFQ
        and len(vendors) < RFQ_MINIMUM_QUOTES
        and not _deviation_approved(requisition, DeviationKind.FEWER_QUOTES)
    ):
        _refuse(
            gettext(
                "An RFQ invites at least %(minimum)d vendors; fewer needs a deviation approved by the facility manager."
            )
            % {"minimum": RFQ_MINIMUM_QUOTES},
            code="procurement.too_few_vendors",
            field="vendors",
        )
    checked_documents = _files_checked(documents)
    checked_criteria: list[CriterionInput] = []
    if requisition.method == Method.RFP:
        if (
            isinstance(technical_weight, bool)
            or not isinstance(technical_weight, int)
            or not 0 < technical_weight < 100
        ):
            _refuse(gettext("The technical weight is a whole percentage between 1 and 99."), field="technical_weight")
        minimum = _decimal(minimum_technical_score, field="minimum_technical_score")
        if minimum > HUNDRED:
            _refuse(gettext("The minimum technical score is a percentage up to 100."), field="minimum_technical_score")
        for criterion in criteria:
            name = _text(
                criterion.name,
                field="criteria",
                required=gettext("Name each criterion."),
                limit=limits.NAME,
                one_line=True,
            )
            if isinstance(criterion.weight, bool) or not isinstance(criterion.weight, int) or criterion.weight <= 0:
                _refuse(gettext("Each criterion's weight is a whole number above zero."), field="criteria")
            checked_criteria.append(CriterionInput(name, criterion.weight))
        if sum(criterion.weight for criterion in checked_criteria) != 100:
            _refuse(gettext("The technical criteria's weights must add up to 100."), field="criteria")
    else:
        technical_weight, minimum = 0, Decimal("0")
    entry = _entry(requisition)
    solicitation = Solicitation.objects.create(
        requisition=requisition,
        reference=requisition.reference.replace("-PR-", f"-{requisition.method.upper()}-"),
        method=requisition.method,
        instructions=instructions,
        deadline=deadline,
        issued_by=by,
        issued_at=at,
        technical_weight=technical_weight,
        minimum_technical_score=minimum,
    )
    Criterion.objects.bulk_create(
        Criterion(solicitation=solicitation, name=criterion.name, weight=criterion.weight)
        for criterion in checked_criteria
    )
    for checked in checked_documents:
        document = SolicitationDocument(
            solicitation=solicitation,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_at=at,
        )
        document.file.save(attachment_path(solicitation.reference, checked.name), checked.upload, save=False)
        document.save()
    tokens: dict[int, str] = {}
    for vendor in vendors:
        token, digest = _token()
        invitation = Invitation.objects.create(
            solicitation=solicitation,
            vendor=vendor,
            vendor_name=vendor.legal_name,
            email=vendor.email,
            language=vendor.language,
            token_hash=digest,
            invited_at=at,
        )
        tokens[vendor.pk] = token
        _notify_vendor(invitation, "invited", token=token)
    ledger.entry_step(entry=entry, step=STEP_BIDDING, at=at, actor=by)
    _event(requisition, CaseEventKind.SOLICITATION, at, by, f"{solicitation.reference}: {len(vendors)} vendors invited")
    return solicitation, tokens


@transaction.atomic
def invitation_link_renew(*, invitation: Invitation, by: User) -> str:
    """A new personal link for a vendor who lost theirs; the old link stops working."""
    requisition = invitation.solicitation.requisition
    _case_buyer_check(requisition, by)
    token, digest = _token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=digest)
    _notify_vendor(invitation, "invited", token=token)
    return token


def _open_for_bids(solicitation: Solicitation, at: datetime) -> None:
    if solicitation.status != SolicitationStatus.OPEN or deadline_passed(solicitation=solicitation, now=at):
        _refuse(
            gettext("The submission deadline of %(reference)s has passed.") % {"reference": solicitation.reference},
            code="procurement.deadline_passed",
            status=409,
        )


@transaction.atomic
def question_ask(*, invitation: Invitation, text: str, at: datetime | None = None) -> Question:
    """An invited vendor asks for a clarification before the deadline."""
    at = _now(at)
    text = _text(text, field="text", required=gettext("Write your question."), limit=limits.SHORT_TEXT)
    solicitation = _locked_solicitation(invitation.solicitation)
    _open_for_bids(solicitation, at)
    question = Question.objects.create(solicitation=solicitation, invitation=invitation, text=text, asked_at=at)
    _notify(solicitation.requisition, "vendor_question", actor=None)
    return question


@transaction.atomic
def question_answer(*, question: Question, answer: str, by: User, at: datetime | None = None) -> Question:
    """The buyer answers; the question (without who asked) and its answer go to every invitee."""
    at = _now(at)
    answer = _text(answer, field="answer", required=gettext("Write the answer."), limit=limits.LONG_TEXT)
    question = Question.objects.select_for_update().select_related("solicitation__requisition").get(pk=question.pk)
    _case_buyer_check(question.solicitation.requisition, by)
    if question.answered_at is not None:
        _refuse(gettext("This question has already been answered."), code="procurement.already_answered", status=409)
    question.answer, question.answered_by, question.answered_at = answer, by, at
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    for invitation in question.solicitation.invitations.all():
        _notify_vendor(invitation, "clarification", item_id=question.pk)
    return question


@transaction.atomic
def amendment_issue(
    *, solicitation: Solicitation, text: str, by: User, new_deadline: datetime | None = None, at: datetime | None = None
) -> Amendment:
    """Change the solicitation before its deadline, telling every invitee; it may move the deadline
    (later, or earlier but never into the past)."""
    at = _now(at)
    text = _text(text, field="text", required=gettext("Write what changes."), limit=limits.LONG_TEXT)
    solicitation = _locked_solicitation(solicitation)
    _case_buyer_check(solicitation.requisition, by)
    _open_for_bids(solicitation, at)
    if new_deadline is not None and (timezone.is_naive(new_deadline) or new_deadline <= at):
        _refuse(gettext("The new deadline must be in the future."), field="new_deadline")
    amendment = Amendment.objects.create(
        solicitation=solicitation,
        number=solicitation.amendments.count() + 1,
        text=text,
        previous_deadline=solicitation.deadline,
        new_deadline=new_deadline,
        issued_by=by,
        issued_at=at,
    )
    if new_deadline is not None:
        solicitation.deadline = new_deadline
        solicitation.save(update_fields=["deadline"])
    _event(solicitation.requisition, CaseEventKind.SOLICITATION, at, by, f"amendment {amendment.number}")
    for invitation in solicitation.invitations.all():
        _notify_vendor(invitation, "amendment", item_id=amendment.pk)
    return amendment


# -- bids -------------------------------------------------------------------------


def _currency_check(currency: str) -> str:
    currency = (currency or "").strip().upper()
    if currency not in Currency.values:
        _refuse(
            gettext("Bids are in %(currencies)s.") % {"currencies": ", ".join(Currency.values)},
            field="currency",
        )
    return currency


def _prices_checked(solicitation: Solicitation, unit_prices: Sequence[Any]) -> list[str]:
    positions = list(solicitation.requisition.lines.values_list("position", flat=True))
    if len(unit_prices) != len(positions):
        _refuse(
            gettext("Give a unit price for each of the %(count)d lines.") % {"count": len(positions)},
            field="unit_prices",
        )
    return [
        str(_decimal(price, field=f"unit_prices.{position}", places=4))
        for position, price in zip(positions, unit_prices, strict=True)
    ]


@transaction.atomic
def bid_submit(
    *,
    invitation: Invitation,
    currency: str,
    unit_prices: Sequence[Any],
    technical_proposal: str = "",
    documents: Iterable[tuple[str, UploadedFile]] = (),
    at: datetime | None = None,
    on_paper_by: User | None = None,
) -> Bid:
    """A vendor submits (or replaces) its bid through its link; a buyer may record one received on paper.

    Prices and documents are sealed at once. Before the deadline the new bid
    replaces the vendor's earlier one (all are kept); after it, the bid is kept,
    marked late, and never opened. An RFP bid carries its technical proposal in
    a separate envelope.
    """
    at = _now(at)
    solicitation = _locked_solicitation(invitation.solicitation)
    if on_paper_by is not None:
        _case_buyer_check(solicitation.requisition, on_paper_by)
        if at > timezone.now():
            _refuse(gettext("A bid cannot have arrived in the future."), field="received_at")
    if solicitation.status == SolicitationStatus.CANCELLED:
        _refuse(gettext("This solicitation was cancelled."), code="procurement.cancelled", status=409)
    currency = _currency_check(currency)
    prices = _prices_checked(solicitation, unit_prices)
    technical_proposal = _text(
        technical_proposal,
        field="technical_proposal",
        required=gettext("An RFP bid includes its technical proposal.") if solicitation.two_envelopes else None,
        limit=limits.LONG_TEXT,
    )
    envelopes = {Envelope.TECHNICAL, Envelope.FINANCIAL} if solicitation.two_envelopes else {Envelope.SINGLE}
    checked_documents = []
    for envelope, upload in documents:
        if envelope not in envelopes:
            _refuse(gettext("Unknown envelope."), field="documents")
        checked_documents.append((envelope, attachment_check(upload, field="documents")))
    late = at >= solicitation.deadline or solicitation.status != SolicitationStatus.OPEN
    if not late:
        Bid.objects.filter(invitation=invitation, late=False, superseded=False).update(superseded=True)
    bid = Bid.objects.create(
        solicitation=solicitation,
        invitation=invitation,
        received_at=at,
        on_paper=on_paper_by is not None,
        recorded_by=on_paper_by,
        late=late,
        sealed_financial=sealing.seal({"currency": currency, "unit_prices": prices}),
        sealed_technical=sealing.seal({"proposal": technical_proposal}) if solicitation.two_envelopes else None,
    )
    for envelope, checked in checked_documents:
        checked.upload.seek(0)
        BidDocument.objects.create(
            bid=bid,
            envelope=envelope,
            sealed_name=sealing.seal_bytes(checked.name.encode()),
            sealed_content=sealing.seal_bytes(checked.upload.read()),
            size=checked.size,
        )
    _event(
        solicitation.requisition,
        CaseEventKind.BID,
        at,
        on_paper_by,
        f"{invitation.vendor_name}{' (late)' if late else ''}{' on paper' if on_paper_by else ''}",
    )
    _notify_vendor(invitation, "bid_received", item_id=bid.pk)
    return bid


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation a vendor's link names, or None (the link is wrong, old, or another agency's)."""
    if not token or len(token) > limits.TOKEN:
        return None
    return Invitation.objects.select_related("solicitation__requisition").filter(token_hash=token_hash(token)).first()


# -- opening -------------------------------------------------------------------------


def _usd(solicitation: Solicitation, currency: str, amount: Decimal) -> Decimal:
    """An amount in US dollars at the UN operational rate of the deadline's month."""
    if currency == OPERATING_CURRENCY:
        return amount
    month = month_start(timezone.localtime(solicitation.deadline).date())
    rate = exchange_rate_for(month=month, currency=currency)
    if rate is None:
        _refuse(
            gettext("There is no UN operational rate for %(currency)s in %(month)s; facility finance enters it first.")
            % {"currency": currency, "month": f"{month:%Y-%m}"},
            code="procurement.rate_missing",
            status=409,
        )
    return (amount / rate.rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _quantities(solicitation: Solicitation) -> list[Decimal]:
    return list(solicitation.requisition.lines.order_by("position").values_list("quantity", flat=True))


def _opening_officers_check(solicitation: Solicitation, officers: Sequence[User]) -> None:
    if len(officers) != 2 or officers[0].pk == officers[1].pk:
        _refuse(
            gettext("Bids are opened by two different officers."), code="procurement.two_officers", field="officers"
        )
    for officer in officers:
        if not is_buyer(user=officer):
            _refuse(
                gettext("%(person)s is not a facility procurement officer.") % {"person": _person(officer)},
                code="procurement.buyers_only",
                status=403,
            )
        _segregation_check(solicitation.requisition, officer, "opening")


@transaction.atomic
def bids_open(*, solicitation: Solicitation, officers: Sequence[User], at: datetime | None = None) -> Opening:
    """Two officers open the bids after the deadline; the record (who, when, each bidder, when each bid
    arrived, what was read out) is kept and printed.

    RFQ and ITB: one opening reads out every price. RFP: the first opening
    reads the technical envelopes; the financial envelopes open only after the
    technical evaluation is locked, and only those of bids that reached the
    minimum technical score. Late bids are listed, never opened.
    """
    at = _now(at)
    solicitation = _locked_solicitation(solicitation)
    _opening_officers_check(solicitation, officers)
    if at < solicitation.deadline:
        _refuse(
            gettext("The bids of %(reference)s stay sealed until the deadline has passed.")
            % {"reference": solicitation.reference},
            code="procurement.still_sealed",
            status=409,
        )
    if solicitation.two_envelopes and solicitation.technical_locked_at is not None:
        envelope = Envelope.FINANCIAL
    elif solicitation.two_envelopes:
        envelope = Envelope.TECHNICAL
    else:
        envelope = Envelope.SINGLE
    if solicitation.openings.filter(envelope=envelope).exists():
        _refuse(gettext("These envelopes have already been opened."), code="procurement.already_opened", status=409)
    if envelope != Envelope.FINANCIAL and solicitation.status != SolicitationStatus.OPEN:
        _refuse(
            gettext("This solicitation is not waiting for its opening."),
            code="procurement.illegal_transition",
            status=409,
        )
    quantities = _quantities(solicitation)
    readout = []
    for bid in (
        Bid.objects.filter(solicitation=solicitation, superseded=False)
        .select_related("invitation")
        .order_by("received_at")
    ):
        row: dict[str, Any] = {
            "bid": bid.pk,
            "vendor": bid.invitation.vendor_name,
            "received_at": bid.received_at.isoformat(),
            "on_paper": bid.on_paper,
            "late": bid.late,
        }
        if bid.late:
            readout.append(row)
            continue
        if envelope == Envelope.TECHNICAL:
            bid.technical_proposal = sealing.unseal(bid.sealed_technical or b"")["proposal"]
            bid.technical_opened_at = at
            bid.save(update_fields=["technical_proposal", "technical_opened_at"])
            row["technical"] = True
        else:
            if envelope == Envelope.FINANCIAL and (
                bid.technical_score is None or bid.technical_score < solicitation.minimum_technical_score
            ):
                row["below_minimum"] = True
                readout.append(row)
                continue
            sealed = sealing.unseal(bid.sealed_financial)
            prices = [Decimal(price) for price in sealed["unit_prices"]]
            total = sum(
                (
                    (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
                    for quantity, price in zip(quantities, prices, strict=True)
                ),
                Decimal("0.00"),
            )
            bid.currency, bid.total, bid.lines = sealed["currency"], total, sealed["unit_prices"]
            bid.total_usd = _usd(solicitation, bid.currency, total)
            bid.financial_opened_at = at
            bid.save(update_fields=["currency", "total", "lines", "total_usd", "financial_opened_at"])
            row.update(currency=bid.currency, total=str(total), total_usd=str(bid.total_usd))
        readout.append(row)
    opening = Opening.objects.create(
        solicitation=solicitation,
        envelope=envelope,
        opened_at=at,
        first_officer=officers[0],
        second_officer=officers[1],
        readout=readout,
    )
    if envelope != Envelope.FINANCIAL:
        solicitation.status = SolicitationStatus.OPENED
        solicitation.save(update_fields=["status"])
        ledger.entry_step(entry=_entry(solicitation.requisition), step=STEP_EVALUATION, at=at, actor=officers[0])
    _event(
        solicitation.requisition,
        CaseEventKind.OPENING,
        at,
        officers[0],
        # One envelope needs no name; an RFP's two say which was opened.
        f"{_person(officers[0])}, {_person(officers[1])}"
        if envelope == Envelope.SINGLE
        else f"{Envelope(envelope).label}: {_person(officers[0])}, {_person(officers[1])}",
    )
    return opening


def bid_document_read(*, document: BidDocument) -> tuple[str, bytes]:
    """A bid's file, once its envelope has been opened: (name, content)."""
    bid = document.bid
    opened = bid.technical_opened_at if document.envelope == Envelope.TECHNICAL else bid.financial_opened_at
    if opened is None or bid.late:
        _refuse(gettext("This envelope is still sealed."), code="procurement.still_sealed", status=409)
    return sealing.unseal_bytes(document.sealed_name).decode(), sealing.unseal_bytes(document.sealed_content)


# -- evaluation -------------------------------------------------------------------------


@transaction.atomic
def evaluator_declare(
    *, solicitation: Solicitation, user: User, no_conflict: bool, statement: str = "", at: datetime | None = None
) -> Evaluator:
    """Before evaluating, each evaluator declares no conflict of interest with the bidders (recorded).

    A person who declares a conflict is recorded (`has_conflict`) and every
    evaluation step then refuses them (`procurement.conflict_declared`).
    """
    at = _now(at)
    solicitation = _locked_solicitation(solicitation)
    _buyer_check(user)
    _segregation_check(solicitation.requisition, user, "evaluator")
    if solicitation.status != SolicitationStatus.OPENED:
        _refuse(
            gettext("Evaluation starts once the bids are opened."), code="procurement.illegal_transition", status=409
        )
    statement = _text(
        statement,
        field="statement",
        required=None if no_conflict else gettext("Describe the conflict."),
        limit=limits.SHORT_TEXT,
    )
    bidders = ", ".join(sorted({bid.invitation.vendor_name for bid in bids_counting(solicitation=solicitation)}))
    declaration = (
        f"I declare that I have no conflict of interest with any bidder ({bidders}). {statement}".strip()
        if no_conflict
        else f"Conflict of interest declared: {statement}"
    )
    evaluator, created = Evaluator.objects.get_or_create(
        solicitation=solicitation,
        user=user,
        defaults={"declared_at": at, "declaration": declaration[: limits.SHORT_TEXT], "has_conflict": not no_conflict},
    )
    if not created:
        _refuse(
            gettext("You have already made your declaration for this case."),
            code="procurement.already_declared",
            status=409,
        )
    _event(solicitation.requisition, CaseEventKind.EVALUATION, at, user, declaration)
    return evaluator


def _evaluator(solicitation: Solicitation, user: User) -> Evaluator:
    evaluator = Evaluator.objects.filter(solicitation=solicitation, user_id=user.pk).first()
    if evaluator is None:
        _refuse(
            gettext("Declare that you have no conflict of interest with the bidders first."),
            code="procurement.declaration_required",
            status=403,
        )
    if evaluator.has_conflict:
        _refuse(
            gettext("You declared a conflict of interest for this case."),
            code="procurement.conflict_declared",
            status=403,
        )
    return evaluator


def _evaluation_open(solicitation: Solicitation) -> None:
    if solicitation.status != SolicitationStatus.OPENED:
        _refuse(gettext("This evaluation is closed."), code="procurement.evaluation_closed", status=409)


def _opened_bid(solicitation: Solicitation, bid: Bid) -> Bid:
    bid = Bid.objects.select_related("invitation").get(pk=bid.pk)  # as it stands now, not as the caller read it
    if bid.solicitation_id != solicitation.pk or bid.late or bid.superseded:
        _refuse(gettext("That bid is not one of this solicitation's bids being evaluated."), field="bid")
    return bid


@dataclass(frozen=True)
class Finding:
    bid: Bid
    passed: bool
    reason: str


@transaction.atomic
def compliance_findings_record(
    *, solicitation: Solicitation, by: User, findings: Sequence[Finding], at: datetime | None = None
) -> list[ComplianceCheck]:
    """RFQ and ITB: the evaluator's findings on whether bids meet the requirements, each with its reason.

    All are checked before any is kept, in one transaction; a finding given
    again replaces the evaluator's earlier one for that bid.
    """
    at = _now(at)
    solicitation = _locked_solicitation(solicitation)
    if solicitation.two_envelopes:
        _refuse(
            gettext("An RFP is scored against its criteria, not checked for compliance."),
            code="procurement.wrong_method",
            status=409,
        )
    _evaluation_open(solicitation)
    evaluator = _evaluator(solicitation, by)
    counting = {bid.pk: bid for bid in bids_counting(solicitation=solicitation)}
    checks = []
    for finding in findings:
        bid = counting.get(finding.bid.pk)
        if bid is None:
            _refuse(gettext("That bid is not one of this solicitation's bids being evaluated."), field="bid")
        reason = _text(
            finding.reason,
            field="reason",
            required=gettext("Give the reason for the finding."),
            limit=limits.SHORT_TEXT,
        )
        checks.append(
            ComplianceCheck(bid=bid, evaluator=evaluator, passed=bool(finding.passed), reason=reason, recorded_at=at)
        )
    return ComplianceCheck.objects.bulk_create(
        checks,
        update_conflicts=True,
        unique_fields=["bid", "evaluator"],
        update_fields=["passed", "reason", "recorded_at"],
    )


def compliance_record(*, bid: Bid, by: User, passed: bool, reason: str, at: datetime | None = None) -> ComplianceCheck:
    """RFQ and ITB: the evaluator's finding on one bid, with the reason (see compliance_findings_record)."""
    (check,) = compliance_findings_record(
        solicitation=bid.solicitation, by=by, findings=[Finding(bid, passed, reason)], at=at
    )
    return check


@transaction.atomic
def technical_score_record(
    *, bid: Bid, criterion: Criterion, by: User, score: Any, at: datetime | None = None
) -> TechnicalScore:
    """RFP: one evaluator's score (0-100) of one bid on one criterion, until the technical scores are locked."""
    at = _now(at)
    solicitation = _locked_solicitation(bid.solicitation)
    if not solicitation.two_envelopes:
        _refuse(
            gettext("Only an RFP is scored against technical criteria."), code="procurement.wrong_method", status=409
        )
    _evaluation_open(solicitation)
    if solicitation.technical_locked_at is not None:
        _refuse(gettext("The technical scores are locked."), code="procurement.technical_locked", status=409)
    if criterion.solicitation_id != solicitation.pk:
        _refuse(gettext("That criterion is not one of this solicitation's."), field="criterion")
    evaluator = _evaluator(solicitation, by)
    bid = _opened_bid(solicitation, bid)
    value = _decimal(score, field="score")
    if value > HUNDRED:
        _refuse(gettext("A score is from 0 to 100."), field="score")
    recorded, _created = TechnicalScore.objects.update_or_create(
        bid=bid, criterion=criterion, evaluator=evaluator, defaults={"score": value, "recorded_at": at}
    )
    return recorded


def _evaluators_working(solicitation: Solicitation) -> list[Evaluator]:
    evaluators = list(solicitation.evaluators.filter(has_conflict=False))
    if not evaluators:
        _refuse(gettext("No evaluator has declared and evaluated yet."), code="procurement.no_evaluators", status=409)
    return evaluators


def technical_scores(*, solicitation: Solicitation) -> dict[int, Decimal]:
    """RFP: each bid's technical score, 0-100: per criterion the evaluators' average, weighted, summed."""
    criteria = list(solicitation.criteria.all())
    evaluators = _evaluators_working(solicitation)
    bids = list(bids_counting(solicitation=solicitation))
    scores = {
        (score.bid_id, score.criterion_id, score.evaluator_id): score.score
        for score in TechnicalScore.objects.filter(bid__in=bids)
    }
    results = {}
    for bid in bids:
        total = Decimal("0")
        for criterion in criteria:
            given = [scores.get((bid.pk, criterion.pk, evaluator.pk)) for evaluator in evaluators]
            if any(value is None for value in given):
                _refuse(
                    gettext("%(vendor)s has not been scored on “%(criterion)s” by every evaluator yet.")
                    % {"vendor": bid.invitation.vendor_name, "criterion": criterion.name},
                    code="procurement.scores_missing",
                    status=409,
                )
            average = sum((value for value in given if value is not None), Decimal("0")) / len(given)
            total += average * criterion.weight / HUNDRED
        results[bid.pk] = total.quantize(CENT, rounding=ROUND_HALF_UP)
    return results


@transaction.atomic
def technical_lock(*, solicitation: Solicitation, by: User, at: datetime | None = None) -> Solicitation:
    """RFP: the buyer locks the technical evaluation once every evaluator scored every bid; the
    financial envelopes of the bids that reached the minimum score may then be opened."""
    at = _now(at)
    solicitation = _locked_solicitation(solicitation)
    _case_buyer_check(solicitation.requisition, by)
    if not solicitation.two_envelopes:
        _refuse(gettext("Only an RFP has a technical evaluation to lock."), code="procurement.wrong_method", status=409)
    _evaluation_open(solicitation)
    if solicitation.technical_locked_at is not None:
        _refuse(gettext("The technical scores are locked."), code="procurement.technical_locked", status=409)
    for bid_pk, score in technical_scores(solicitation=solicitation).items():
        Bid.objects.filter(pk=bid_pk).update(technical_score=score)
    solicitation.technical_locked_at = at
    solicitation.save(update_fields=["technical_locked_at"])
    _event(solicitation.requisition, CaseEventKind.EVALUATION, at, by, "technical evaluation locked")
    return solicitation


@dataclass(frozen=True)
class Ranking:
    bid: Bid
    qualified: bool
    reason: str


def _compliance_findings(solicitation: Solicitation, bids: list[Bid]) -> dict[int, tuple[bool, str]]:
    evaluators = _evaluators_working(solicitation)
    checks = {(check.bid_id, check.evaluator_id): check for check in ComplianceCheck.objects.filter(bid__in=bids)}
    findings = {}
    for bid in bids:
        given = [checks.get((bid.pk, evaluator.pk)) for evaluator in evaluators]
        if any(check is None for check in given):
            _refuse(
                gettext("%(vendor)s's compliance has not been checked by every evaluator yet.")
                % {"vendor": bid.invitation.vendor_name},
                code="procurement.checks_missing",
                status=409,
            )
        failed = [check for check in given if check is not None and not check.passed]
        findings[bid.pk] = (not failed, "; ".join(check.reason for check in failed))
    return findings


@transaction.atomic
def evaluation_complete(*, solicitation: Solicitation, by: User, at: datetime | None = None) -> Solicitation:
    """The buyer closes the evaluation; the recommendation follows from the findings and scores.

    RFQ and ITB: a bid is compliant when every evaluator passed it; the lowest
    priced compliant bid in USD is recommended. RFP: financial score = lowest
    price / price x financial weight; combined = technical score x technical
    weight + financial score; the highest combined score among the bids that
    reached the minimum technical score is recommended. Above the committee
    threshold the case then goes to the contracts committee.
    """
    at = _now(at)
    solicitation = _locked_solicitation(solicitation)
    requisition = solicitation.requisition
    _case_buyer_check(requisition, by)
    _evaluation_open(solicitation)
    bids = list(bids_counting(solicitation=solicitation))
    if not bids:
        _refuse(
            gettext("No bid to evaluate: cancel the requisition or solicit again."),
            code="procurement.no_bids",
            status=409,
        )
    recommended: Bid | None = None
    if solicitation.two_envelopes:
        if (
            solicitation.technical_locked_at is None
            or not solicitation.openings.filter(envelope=Envelope.FINANCIAL).exists()
        ):
            _refuse(
                gettext("Lock the technical scores and open the financial envelopes first."),
                code="procurement.financial_not_opened",
                status=409,
            )
        qualified = [
            bid
            for bid in bids
            if bid.total_usd is not None
            and bid.technical_score is not None
            and bid.technical_score >= solicitation.minimum_technical_score
        ]
        lowest = min((bid.total_usd for bid in qualified if bid.total_usd), default=None)
        for bid in bids:
            if bid in qualified and lowest is not None and bid.total_usd:
                bid.financial_score = (lowest / bid.total_usd * solicitation.financial_weight).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
                bid.combined_score = (
                    bid.technical_score * solicitation.technical_weight / HUNDRED + bid.financial_score  # type: ignore[operator]
                ).quantize(CENT, rounding=ROUND_HALF_UP)
                bid.compliant = True
            else:
                bid.financial_score = bid.combined_score = None
                bid.compliant = False
            bid.save(update_fields=["financial_score", "combined_score", "compliant"])
        ranked = sorted(
            (bid for bid in qualified if bid.combined_score is not None),
            key=lambda bid: (-(bid.combined_score or 0), bid.total_usd or 0, bid.received_at),
        )
        recommended = ranked[0] if ranked else None
    else:
        findings = _compliance_findings(solicitation, bids)
        for bid in bids:
            bid.compliant = findings[bid.pk][0]
            bid.save(update_fields=["compliant"])
        compliant = sorted((bid for bid in bids if bid.compliant), key=lambda bid: (bid.total_usd, bid.received_at))
        recommended = compliant[0] if compliant else None
    if recommended is None:
        _refuse(
            gettext("No bid qualifies: cancel the requisition or solicit again."),
            code="procurement.no_qualified_bid",
            status=409,
        )
    solicitation.recommended_bid = recommended
    solicitation.evaluated_at = at
    entry = _entry(requisition)
    value = max(requisition.estimated_total, recommended.total_usd or Decimal("0"))
    if needs_committee(agency=entry.agency, value_usd=value, on=timezone.localtime(at).date()):
        solicitation.status = SolicitationStatus.COMMITTEE
        ledger.entry_step(entry=entry, step=STEP_COMMITTEE, at=at, actor=by)
        _notify(requisition, "committee", actor=by)
    else:
        solicitation.status = SolicitationStatus.EVALUATED
        ledger.entry_step(entry=entry, step=STEP_AWARD, at=at, actor=by)
    solicitation.save(update_fields=["recommended_bid", "evaluated_at", "status"])
    _event(requisition, CaseEventKind.EVALUATION, at, by, f"recommended: {recommended.invitation.vendor_name}")
    return solicitation


# -- contracts committee and award -------------------------------------------------------


@transaction.atomic
def committee_review(
    *, solicitation: Solicitation, member: User, decision: str, comments: str = "", at: datetime | None = None
) -> CommitteeReview:
    """A contracts committee member approves, rejects, or returns the case with comments.

    Returned: the evaluation reopens for the buyer. Rejected: no award; the
    buyer solicits again or cancels. Approved: the award may follow.
    """
    at = _now(at)
    if not is_committee_member(user=member):
        _refuse(
            gettext("Only contracts committee members review cases."), code="procurement.committee_only", status=403
        )
    if decision not in CommitteeDecision.values:
        _refuse(gettext("Approve, reject or return the case."), field="decision")
    comments = _text(
        comments,
        field="comments",
        required=None if decision == CommitteeDecision.APPROVE else gettext("Say why, for the buyer."),
        limit=limits.LONG_TEXT,
    )
    solicitation = _locked_solicitation(solicitation)
    _segregation_check(solicitation.requisition, member, "committee")
    if solicitation.status != SolicitationStatus.COMMITTEE:
        _refuse(gettext("This case is not before the committee."), code="procurement.not_before_committee", status=409)
    review = CommitteeReview.objects.create(
        solicitation=solicitation, member=member, decision=decision, comments=comments, decided_at=at
    )
    if decision == CommitteeDecision.RETURN:
        solicitation.status = SolicitationStatus.OPENED
        solicitation.save(update_fields=["status"])
        ledger.entry_step(entry=_entry(solicitation.requisition), step=STEP_EVALUATION, at=at, actor=member)
    _event(solicitation.requisition, CaseEventKind.COMMITTEE, at, member, f"{decision}: {comments}")
    _notify(solicitation.requisition, f"committee_{decision}", actor=member, detail=comments)
    return review


def committee_cleared(*, solicitation: Solicitation) -> bool:
    """The committee's last word on the case is an approval."""
    last = solicitation.committee_reviews.order_by("-decided_at", "-pk").first()
    return last is not None and last.decision == CommitteeDecision.APPROVE


@transaction.atomic
def award_make(
    *, solicitation: Solicitation, bid: Bid, justification: str, by: User, at: datetime | None = None
) -> Award:
    """The buyer awards the contract, with a written justification (required when it is not the
    recommended bid). Above the committee threshold only after the committee approved. Every bidder is told."""
    at = _now(at)
    solicitation = _locked_solicitation(solicitation)
    _case_buyer_check(solicitation.requisition, by)
    if solicitation.status == SolicitationStatus.COMMITTEE and not committee_cleared(solicitation=solicitation):
        _refuse(
            gettext("The contracts committee has not approved this case; the award waits for it."),
            code="procurement.committee_pending",
            status=409,
        )
    if solicitation.status not in (SolicitationStatus.EVALUATED, SolicitationStatus.COMMITTEE):
        _refuse(gettext("Finish the evaluation before the award."), code="procurement.not_evaluated", status=409)
    bid = _opened_bid(solicitation, bid)
    if not bid.compliant:
        _refuse(
            gettext("Only a compliant, qualified bid can be awarded."),
            code="procurement.bid_not_qualified",
            field="bid",
        )
    vendor_eligibility_check(Vendor.objects.get(pk=bid.invitation.vendor_id))
    justification = _text(
        justification,
        field="justification",
        required=(
            gettext("Say why the award does not go to the recommended bid.")
            if bid.pk != solicitation.recommended_bid_id
            else gettext("Write the justification of the award.")
        ),
        limit=limits.LONG_TEXT,
    )
    award = Award.objects.create(
        solicitation=solicitation, bid=bid, justification=justification, awarded_by=by, awarded_at=at
    )
    solicitation.status = SolicitationStatus.AWARDED
    solicitation.save(update_fields=["status"])
    ledger.entry_step(entry=_entry(solicitation.requisition), step=STEP_ORDER, at=at, actor=by)
    _event(solicitation.requisition, CaseEventKind.AWARD, at, by, f"{bid.invitation.vendor_name}: {justification}")
    for invitation in solicitation.invitations.filter(bids__isnull=False).distinct():
        _notify_vendor(invitation, "outcome", item_id=award.pk)
    return award


# -- micro-purchase quotations -----------------------------------------------------------


@transaction.atomic
def quotation_record(
    *,
    requisition: Requisition,
    vendor: Vendor,
    currency: str,
    unit_prices: Sequence[Any],
    reference: str = "",
    by: User,
    at: datetime | None = None,
) -> Quotation:
    """Micro-purchase: the buyer records a quotation obtained (one, or up to three compared)."""
    at = _now(at)
    requisition = _locked(requisition)
    _case_buyer_check(requisition, by)
    if requisition.method != Method.MICRO:
        _refuse(
            gettext("Quotations are recorded for a micro-purchase; this one is solicited."),
            code="procurement.wrong_method",
            status=409,
        )
    if requisition.quotations.count() >= MAX_QUOTATIONS:
        _refuse(
            gettext("A micro-purchase compares at most three quotations."),
            code="procurement.too_many_quotations",
            status=409,
        )
    vendor_eligibility_check(vendor)
    currency = _currency_check(currency)
    lines = list(requisition.lines.order_by("position"))
    if len(unit_prices) != len(lines):
        _refuse(
            gettext("Give a unit price for each of the %(count)d lines.") % {"count": len(lines)}, field="unit_prices"
        )
    prices = [
        _decimal(price, field=f"unit_prices.{line.position}", places=4)
        for line, price in zip(lines, unit_prices, strict=True)
    ]
    total = sum(
        (
            (line.quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
            for line, price in zip(lines, prices, strict=True)
        ),
        Decimal("0.00"),
    )
    if total <= 0:
        _refuse(gettext("A quotation has a total above zero."), field="unit_prices")
    rate_month = month_start(timezone.localtime(at).date())
    if currency == OPERATING_CURRENCY:
        total_usd = total
    else:
        rate = exchange_rate_for(month=rate_month, currency=currency)
        if rate is None:
            _refuse(
                gettext(
                    "There is no UN operational rate for %(currency)s in %(month)s; facility finance enters it first."
                )
                % {"currency": currency, "month": f"{rate_month:%Y-%m}"},
                code="procurement.rate_missing",
                status=409,
            )
        total_usd = (total / rate.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    quotation = Quotation.objects.create(
        requisition=requisition,
        vendor=vendor,
        vendor_name=vendor.legal_name,
        currency=currency,
        lines=[str(price) for price in prices],
        total=total,
        total_usd=total_usd,
        reference=_text(reference, field="reference", required=None, limit=limits.REFERENCE, one_line=True),
        recorded_by=by,
        recorded_at=at,
    )
    _event(requisition, CaseEventKind.BID, at, by, f"quotation {vendor.legal_name} {currency} {total}")
    return quotation


# -- purchase orders -------------------------------------------------------------------


def _order_terms(terms: str) -> str:
    return _text(
        terms,
        field="terms",
        required=gettext("Write the order's terms (payment, delivery, warranty)."),
        limit=limits.LONG_TEXT,
    )


@transaction.atomic
def order_issue(
    *,
    agency: Agency,
    requisition: Requisition,
    by: User,
    terms: str,
    quotation: Quotation | None = None,
    split_explanation: str = "",
    at: datetime | None = None,
) -> PurchaseOrder:
    """Issue the purchase order to the awarded vendor (a micro-purchase: the chosen quotation; a call-off:
    the long-term agreement's vendor at its prices).

    Numbered gapless per agency and year (UNDP-PO-2026-000123, a locked counter);
    issuing it delivers the request on the ledger and records one billable
    purchase order, and its lines as spend (`sourcing.PurchaseRecord`). A
    possible split purchase with this vendor goes ahead only with the buyer's
    explanation. The PDF is rendered and e-mailed to the vendor by the worker.
    """
    _in_schema_of(agency)
    at = _now(at)
    terms = _order_terms(terms)
    requisition = _locked(requisition)
    _case_buyer_check(requisition, by)
    if requisition.status != RequisitionStatus.SOURCING or requisition.orders.exists():
        _refuse(
            gettext("An order has already been issued for this requisition."),
            code="procurement.already_ordered",
            status=409,
        )
    lines = list(requisition.lines.order_by("position"))
    if requisition.method == Method.LTA:
        agreement = LongTermAgreement.objects.select_related("vendor").get(pk=requisition.agreement_id or 0)
        vendor_id, vendor_name, currency = agreement.vendor_id, agreement.vendor.legal_name, str(OPERATING_CURRENCY)
        unit_prices = [str(line.estimated_unit_price) for line in lines]
        total = total_usd = requisition.estimated_total
    elif requisition.method == Method.MICRO:
        if quotation is None or quotation.requisition_id != requisition.pk:
            _refuse(gettext("Choose the quotation the order goes to."), field="quotation")
        vendor_id, vendor_name, currency, unit_prices = (
            quotation.vendor_id,
            quotation.vendor_name,
            quotation.currency,
            quotation.lines,
        )
        total, total_usd = quotation.total, quotation.total_usd
    else:
        award = Award.objects.filter(solicitation__requisition=requisition).select_related("bid__invitation").first()
        if award is None:
            _refuse(gettext("Award the contract before the order."), code="procurement.not_awarded", status=409)
        bid = award.bid
        vendor_id, vendor_name, currency = bid.invitation.vendor_id, bid.invitation.vendor_name, bid.currency
        unit_prices, total, total_usd = bid.lines or [], bid.total or Decimal("0"), bid.total_usd or Decimal("0")
    vendor = Vendor.objects.get(pk=vendor_id)
    vendor_eligibility_check(vendor)
    if requisition.method != Method.LTA and split_flags_check(
        agency=agency,
        requisition=requisition,
        stage=SplitStage.ORDER,
        vendor_id=vendor.pk,
        by=by,
        explanation=split_explanation,
        at=at,
    ):
        _event(requisition, CaseEventKind.SPLIT, at, by, split_explanation)
    number = number_next(series=f"{agency.code}-PO", year=timezone.localtime(at).year)
    order = PurchaseOrder.objects.create(
        requisition=requisition,
        number=number,
        vendor=vendor,
        vendor_name=vendor_name,
        vendor_email=vendor.email,
        vendor_language=vendor.language,
        currency=currency,
        total=total,
        total_usd=total_usd,
        terms=terms,
        delivery_place=requisition.delivery_place,
        delivery_date=requisition.delivery_date,
        charge_code=requisition.charge_code,
        issued_by=by,
        issued_at=at,
    )
    _order_lines(order, lines, unit_prices)
    purchase_records_write(agency=agency, order=order, requisition=requisition)
    requisition.status = RequisitionStatus.ORDERED
    requisition.save(update_fields=["status"])
    entry = _entry(requisition)
    ledger.entry_resolve(entry=entry, at=at, actor=by, note=number)
    ledger.entry_billable_record(entry=entry, units=Decimal("1"), at=at, actor=by)
    _event(requisition, CaseEventKind.ORDER, at, by, number)
    _order_pdf(order)
    _notify(requisition, "ordered", actor=by, detail=number)
    return order


def _order_lines(order: PurchaseOrder, lines: list[RequisitionLine], unit_prices: Sequence[Any]) -> None:
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=line.position,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=Decimal(str(price)),
            amount=(line.quantity * Decimal(str(price))).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        for line, price in zip(lines, unit_prices, strict=True)
    )


def _order_pdf(order: PurchaseOrder) -> None:
    from .tasks import order_pdf_store

    enqueue_after_commit(order_pdf_store, order.pk)


@transaction.atomic
def order_revise(
    *,
    order: PurchaseOrder,
    by: User,
    change_note: str,
    terms: str | None = None,
    delivery_date: date | None = None,
    at: datetime | None = None,
) -> PurchaseOrder:
    """An issued order never changes: an amendment is the next revision under the same number,
    with what changed; the earlier revision is kept, marked replaced."""
    at = _now(at)
    change_note = _text(
        change_note, field="change_note", required=gettext("Say what changes."), limit=limits.SHORT_TEXT
    )
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    _case_buyer_check(order.requisition, by)
    if order.status != OrderStatus.ISSUED:
        _refuse(gettext("Only the order in force can be revised."), code="procurement.order_not_in_force", status=409)
    if delivery_date is not None and delivery_date < timezone.localtime(at).date():
        _refuse(gettext("The delivery date cannot be in the past."), field="delivery_date")
    lines = list(order.lines.all())
    order.status = OrderStatus.REVISED
    order.save(update_fields=["status"])
    revision = PurchaseOrder.objects.create(
        requisition=order.requisition,
        number=order.number,
        revision=order.revision + 1,
        vendor_id=order.vendor_id,
        vendor_name=order.vendor_name,
        vendor_email=order.vendor_email,
        vendor_language=order.vendor_language,
        currency=order.currency,
        total=order.total,
        total_usd=order.total_usd,
        terms=_order_terms(terms) if terms is not None else order.terms,
        delivery_place=order.delivery_place,
        delivery_date=delivery_date or order.delivery_date,
        charge_code=order.charge_code,
        change_note=change_note,
        issued_by=by,
        issued_at=at,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=revision,
            position=line.position,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for line in lines
    )
    _event(order.requisition, CaseEventKind.ORDER, at, by, f"{revision.display_number}: {change_note}")
    _order_pdf(revision)
    _notify(order.requisition, "order_revised", actor=by, detail=revision.display_number)
    return revision


@transaction.atomic
def order_cancel(*, order: PurchaseOrder, by: User, reason: str, at: datetime | None = None) -> PurchaseOrder:
    """Cancel the order in force, saying why; the number stays used and the cancellation is recorded."""
    at = _now(at)
    reason = _text(reason, field="reason", required=gettext("Say why the order is cancelled."), limit=limits.SHORT_TEXT)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    _case_buyer_check(order.requisition, by)
    if order.status != OrderStatus.ISSUED:
        _refuse(gettext("Only the order in force can be cancelled."), code="procurement.order_not_in_force", status=409)
    order.status, order.cancelled_at, order.cancelled_by, order.cancel_reason = OrderStatus.CANCELLED, at, by, reason
    order.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    purchase_records_cancel(agency=_agency_here(), order_number=order.number)
    _event(order.requisition, CaseEventKind.CANCELLED, at, by, f"{order.display_number}: {reason}")
    _notify(order.requisition, "order_cancelled", actor=by, detail=reason)
    return order


def order_pdf_save(*, order: PurchaseOrder, content: bytes) -> None:
    """Store an order's rendered PDF (the worker calls this once per revision)."""
    name = attachment_path(f"orders/{order.number}", f"{order.display_number.replace(' ', '-').replace('.', '')}.pdf")
    order.pdf.save(name, ContentFile(content), save=False)
    PurchaseOrder.objects.filter(pk=order.pk).update(pdf=order.pdf.name)
