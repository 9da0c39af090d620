"""Agreement change requests: an agency proposes, the facility assesses, both sides approve, a new version follows.

The rules (the UNOPS engagement process; PRODUCT.md, "agreement change
requests approved by both the agency and the facility"; issue 17):

- An agency's approver or finance officer proposes a change to its agreement
  in force (or to a version starting later): services to add or drop, other
  targets, other credit terms, from a day after today. One request of an
  agency is under way at a time, so two approved changes never race for the
  same version.
- The facility's manager or finance officer assesses it in writing: the effect
  on the price and on the targets.
- After the assessment the agency's approver and the facility manager both
  approve, in either order. The agency's approver is never the person who
  proposed it (four eyes on the agency's side, as PRODUCT.md has approvers
  approve requests "never their own"). The second approval applies it:
  `service_levels.services.agreement_revise` makes a new agreement version
  from the agreed date in the same transaction, and the old version ends the
  day before, keeping the requests raised under it. If the revision is
  refused (requests already raised on or after that date), the approval is
  refused with its reason and nothing changes.
- Until approved, either side may reject it with a reason, and the agency may
  withdraw it.

Every step appends a ChangeRequestEvent, shown to both sides. Transitions are
one table (`TRANSITIONS`) and one function each, with a guard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import User
from accounts.selectors import facility_roles, has_role
from billing.services import number_next
from ledger.services import alerts_are_muted
from service_levels.models import Agreement, AgreementTarget, Metric, Priority, Service, ServiceTarget
from service_levels.services import MAX_TARGET_MINUTES, Override, agreement_revise
from shared_platform import limits
from shared_platform.inputs import decimal_checked, refuse, text_checked
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from ..access import (
    AGENCY_CHANGE_APPROVER_ROLES,
    AGENCY_PROPOSER_ROLES,
    CHANGE_ASSESSOR_ROLES,
    CHANGE_FACILITY_APPROVER_ROLES,
)
from ..models import AgreementChangeRequest, ChangeEventKind, ChangeRequestEvent, ChangeStatus

CODE = "accountability.invalid"
# The most target rows one request proposes (a service has at most a dozen targets).
MAX_TARGET_CHANGES = 40
HUNDRED = Decimal(100)

# The one table of allowed moves; approvals keep the request "assessed" until the second applies it.
TRANSITIONS: dict[str, frozenset[str]] = {
    ChangeStatus.SUBMITTED: frozenset({ChangeStatus.ASSESSED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN}),
    ChangeStatus.ASSESSED: frozenset({ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN}),
    ChangeStatus.APPROVED: frozenset(),
    ChangeStatus.REJECTED: frozenset(),
    ChangeStatus.WITHDRAWN: frozenset(),
}
OPEN_STATUSES = (ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED)
AGENCY_SIDE = "agency"
FACILITY_SIDE = "facility"


def _refuse(message: str, *, code: str = CODE, field: str | None = None, status: int = 400) -> NoReturn:
    refuse(message, code=code, field=field, status=status)


def _now(at: datetime | None) -> datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Change requests are stamped with aware datetimes.")
    return at


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _event(request: AgreementChangeRequest, kind: str, actor: User, at: datetime, detail: str = "") -> None:
    ChangeRequestEvent.objects.create(request=request, kind=kind, actor=actor, at=at, detail=detail)


def _notify(request: AgreementChangeRequest, step: str, actor: User) -> None:
    """The step's e-mails, after commit (none while the demo writes its history quietly)."""
    if alerts_are_muted():
        return
    from ..notifications_changes import change_request_notify

    enqueue_after_commit(change_request_notify, request.pk, step, actor.pk)


def _locked(request: AgreementChangeRequest) -> AgreementChangeRequest:
    return (
        AgreementChangeRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "agreement")
        .get(pk=request.pk)
    )


def _transition_check(request: AgreementChangeRequest, to: str) -> None:
    if to not in TRANSITIONS.get(request.status, frozenset()):
        _refuse(
            gettext("%(reference)s is “%(status)s”; it cannot be moved to “%(target)s”.")
            % {
                "reference": request.reference,
                "status": ChangeStatus(request.status).label,
                "target": ChangeStatus(to).label,
            },
            code="accountability.change_wrong_status",
            status=409,
        )


# -- who may do what (the pages ask the same functions before showing a button) ----------------------------


def may_propose(*, user: User, agency: Agency) -> bool:
    return not agency.is_facility and has_role(user=user, agency=agency, roles=AGENCY_PROPOSER_ROLES)


def may_approve_for_agency(*, user: User, request: AgreementChangeRequest) -> bool:
    return has_role(user=user, agency=request.agency, roles=AGENCY_CHANGE_APPROVER_ROLES)


def may_assess(*, user: User) -> bool:
    return bool(facility_roles(user) & CHANGE_ASSESSOR_ROLES)


def may_approve_for_facility(*, user: User) -> bool:
    return bool(facility_roles(user) & CHANGE_FACILITY_APPROVER_ROLES)


def may_reject(*, user: User, request: AgreementChangeRequest, side: str) -> bool:
    if side == AGENCY_SIDE:
        return may_approve_for_agency(user=user, request=request)
    return may_assess(user=user) or may_approve_for_facility(user=user)


def may_withdraw(*, user: User, request: AgreementChangeRequest) -> bool:
    return has_role(user=user, agency=request.agency, roles=AGENCY_PROPOSER_ROLES)


def agency_approval_refusal(*, user: User, request: AgreementChangeRequest) -> str:
    """Why this person may not approve for the agency now (empty: they may)."""
    if not may_approve_for_agency(user=user, request=request):
        return gettext("Only an approver of %(agency)s approves its change requests.") % {"agency": request.agency.code}
    if request.requested_by_id == user.pk:
        return gettext("You proposed this change; another approver of your agency approves it.")
    if request.status != ChangeStatus.ASSESSED:
        return gettext("A change request is approved once the facility has assessed it.")
    if request.agency_approved_at is not None:
        return gettext("Your agency has already approved it.")
    return ""


def facility_approval_refusal(*, user: User, request: AgreementChangeRequest) -> str:
    if not may_approve_for_facility(user=user):
        return gettext("Only the facility manager approves a change request for the facility.")
    if request.status != ChangeStatus.ASSESSED:
        return gettext("A change request is approved once the facility has assessed it.")
    if request.facility_approved_at is not None:
        return gettext("The facility has already approved it.")
    return ""


# -- checking what was proposed -------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetChange:
    """One proposed target: a service (code), a clock, a priority ("" for every priority), business minutes."""

    service: str
    metric: str
    priority: str
    target_minutes: Any


def _services(values: Iterable[Service | str], *, field: str) -> list[Service]:
    chosen: dict[int, Service] = {}
    for value in values:
        service = value if isinstance(value, Service) else None
        if service is None and isinstance(value, str) and len(value) <= 20:
            service = Service.objects.filter(code=value.strip()).first()
        if service is None:
            _refuse(gettext("“%(value)s” is not a service of the catalogue.") % {"value": str(value)[:20]}, field=field)
        chosen[service.pk] = service
    return list(chosen.values())


def _minutes(value: Any, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        _refuse(gettext("Give the target as a whole number of business minutes."), field=field)
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        _refuse(gettext("Give the target as a whole number of business minutes."), field=field)
    minutes = int(text)
    if minutes <= 0:
        _refuse(gettext("A target must be a positive number of business minutes."), field=field)
    if minutes > MAX_TARGET_MINUTES:
        _refuse(
            gettext("A target can be at most %(limit)s business minutes (a year).")
            % {"limit": f"{MAX_TARGET_MINUTES:,}"},
            field=field,
        )
    return minutes


def _targets_checked(changes: Sequence[TargetChange | Mapping[str, Any]], after: Mapping[str, Service]) -> list[dict]:
    """The proposed targets as stored: [{service, metric, priority, target_minutes}], each for a service the
    agreement has after the change, on a clock the catalogue gives that service, once per clock and priority."""
    if len(changes) > MAX_TARGET_CHANGES:
        _refuse(gettext("At most %(count)d targets.") % {"count": MAX_TARGET_CHANGES}, field="target_changes")
    rows: list[dict] = []
    seen: set[tuple[str, str, str]] = set()
    for position, change in enumerate(changes, start=1):
        values = change if isinstance(change, Mapping) else change.__dict__
        field = f"target_changes.{position}"
        code = str(values.get("service") or "").strip()[:20]
        service = after.get(code)
        if service is None:
            _refuse(
                gettext("Target %(row)d: %(service)s is not among the agreement's services after the change.")
                % {"row": position, "service": code or "–"},
                field=field,
            )
        metric = str(values.get("metric") or "")
        offered = set(ServiceTarget.objects.filter(service=service).values_list("metric", flat=True))
        if metric not in Metric.values or metric not in offered:
            _refuse(
                gettext("Target %(row)d: %(service)s has no clock “%(metric)s”.")
                % {"row": position, "service": code, "metric": metric[:30]},
                field=field,
            )
        priority = str(values.get("priority") or "")
        if priority not in ("", *Priority.values):
            _refuse(
                gettext("Target %(row)d: unknown priority “%(priority)s”.")
                % {"row": position, "priority": priority[:10]},
                field=field,
            )
        minutes = _minutes(values.get("target_minutes"), field=field)
        key = (code, metric, priority)
        if key in seen:
            _refuse(
                gettext("Target %(row)d: each service, clock and priority may have one target only.")
                % {"row": position},
                field=field,
            )
        seen.add(key)
        rows.append({"service": code, "metric": metric, "priority": priority, "target_minutes": minutes})
    return rows


def _percent(value: Any, *, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    number = decimal_checked(value, field=field, code=CODE, places=2)
    if number > HUNDRED:
        _refuse(gettext("A percentage is at most 100."), field=field)
    return number


def _agreement_check(agreement: Agreement, agency: Agency, today: date) -> None:
    if agreement.agency_id != agency.pk or (agreement.valid_to is not None and agreement.valid_to < today):
        _refuse(
            gettext("Choose %(agency)s's agreement in force or a version starting later.") % {"agency": agency.code},
            field="agreement",
            status=404 if agreement.agency_id != agency.pk else 400,
        )


def _effective_check(effective_from: Any, agreement: Agreement, today: date) -> date:
    if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
        _refuse(gettext("Give the day the change takes effect."), field="effective_from")
    if effective_from <= today:
        _refuse(gettext("A change takes effect from a day after today."), field="effective_from")
    if effective_from <= agreement.valid_from:
        _refuse(
            gettext("A new version of %(reference)s must start after %(day)s, when this one started.")
            % {"reference": agreement.reference, "day": _day(agreement.valid_from)},
            field="effective_from",
        )
    if agreement.valid_to is not None and effective_from > agreement.valid_to:
        _refuse(
            gettext("%(reference)s ends on %(day)s; a change must take effect by then.")
            % {"reference": agreement.reference, "day": _day(agreement.valid_to)},
            field="effective_from",
        )
    return effective_from


# -- the transitions ------------------------------------------------------------------------------------


@transaction.atomic
def change_request_submit(
    *,
    agency: Agency,
    agreement: Agreement,
    summary: str,
    reason: str,
    effective_from: date,
    services_added: Iterable[Service | str] = (),
    services_dropped: Iterable[Service | str] = (),
    target_changes: Sequence[TargetChange | Mapping[str, Any]] = (),
    grants_service_credits: bool | None = None,
    credit_percent: Any = None,
    credit_cap_percent: Any = None,
    by: User,
    at: datetime | None = None,
) -> AgreementChangeRequest:
    """An agency proposes a change to its agreement (UNOPS engagement process: "what happens when plans change").

    Its approvers and finance officers propose, on its address. The change
    applies to its agreement in force or to a version starting later, from a
    day after today (and after that version's start, by its end): what a new
    version needs (`agreement_revise`). At least one change: services added
    must not be in the agreement, services dropped must be, at least one
    service remains, targets are for services the agreement has after the
    change, credit terms are percentages (0 to 100). One request of an agency
    is under way at a time. Numbered <AGENCY>-CR-<year>-<n> (gapless per year).
    """
    at = _now(at)
    today = timezone.localdate(at)
    if not may_propose(user=by, agency=agency):
        _refuse(
            gettext("Only the agency's approvers and finance officers propose a change to its agreement."),
            code="accountability.change_proposers_only",
            status=403,
        )
    _agreement_check(agreement, agency, today)
    summary = text_checked(
        summary,
        field="summary",
        required=gettext("Say in one line what changes."),
        limit=limits.NAME,
        code=CODE,
        one_line=True,
    )
    reason = text_checked(
        reason, field="reason", required=gettext("Say why the agency asks for it."), limit=limits.SHORT_TEXT, code=CODE
    )
    effective_from = _effective_check(effective_from, agreement, today)
    current = {link.service.code: link.service for link in agreement.services.select_related("service")}
    added = _services(services_added, field="services_added")
    dropped = _services(services_dropped, field="services_dropped")
    for service in added:
        if service.code in current:
            _refuse(
                gettext("%(service)s is already in %(reference)s.")
                % {"service": service.code, "reference": agreement.reference},
                field="services_added",
            )
        if not service.is_active:
            _refuse(gettext("%(service)s is no longer offered.") % {"service": service.code}, field="services_added")
    for service in dropped:
        if service.code not in current:
            _refuse(
                gettext("%(service)s is not in %(reference)s.")
                % {"service": service.code, "reference": agreement.reference},
                field="services_dropped",
            )
    after = {code: service for code, service in current.items() if service not in dropped}
    after.update({service.code: service for service in added})
    if not after:
        _refuse(gettext("An agreement keeps at least one service."), field="services_dropped")
    targets = _targets_checked(list(target_changes), after)
    if grants_service_credits is not None and not isinstance(grants_service_credits, bool):
        _refuse(gettext("Say whether the agreement grants service credits."), field="grants_service_credits")
    percent = _percent(credit_percent, field="credit_percent")
    cap = _percent(credit_cap_percent, field="credit_cap_percent")
    terms_change = (
        (grants_service_credits is not None and grants_service_credits != agreement.grants_service_credits)
        or (percent is not None and percent != agreement.credit_percent)
        or (cap is not None and cap != agreement.credit_cap_percent)
    )
    if not (added or dropped or targets or terms_change):
        _refuse(
            gettext("Propose at least one change: a service to add or drop, a target, or other credit terms."),
            code="accountability.change_empty",
        )
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one request under way per agency
    pending = AgreementChangeRequest.objects.filter(agency=agency, status__in=OPEN_STATUSES).first()
    if pending is not None:
        _refuse(
            gettext("%(reference)s is still under way; withdraw it or wait for its outcome before proposing another.")
            % {"reference": pending.reference},
            code="accountability.change_pending",
            status=409,
        )
    request = AgreementChangeRequest.objects.create(
        reference=number_next(series=f"{agency.code}-CR", year=today.year),
        agency=agency,
        agreement=agreement,
        summary=summary,
        reason=reason,
        effective_from=effective_from,
        target_changes=targets,
        grants_service_credits=grants_service_credits,
        credit_percent=percent,
        credit_cap_percent=cap,
        requested_by=by,
        requested_at=at,
    )
    request.services_added.set(added)
    request.services_dropped.set(dropped)
    _event(request, ChangeEventKind.SUBMITTED, by, at, summary)
    _notify(request, "submitted", by)
    return request


@transaction.atomic
def change_request_assess(
    *, request: AgreementChangeRequest, price_effect: str, target_effect: str, by: User, at: datetime | None = None
) -> AgreementChangeRequest:
    """The facility's manager or finance officer writes the effect on the price and on the targets.

    Both texts are required: the agency approves what it has read (UNOPS
    engagement process). Only a submitted request is assessed.
    """
    at = _now(at)
    if not may_assess(user=by):
        _refuse(
            gettext("Only the facility manager and facility finance assess change requests."),
            code="accountability.change_assessors_only",
            status=403,
        )
    price_effect = text_checked(
        price_effect,
        field="price_effect",
        required=gettext("Write the effect on the price."),
        limit=limits.SHORT_TEXT,
        code=CODE,
    )
    target_effect = text_checked(
        target_effect,
        field="target_effect",
        required=gettext("Write the effect on the targets."),
        limit=limits.SHORT_TEXT,
        code=CODE,
    )
    request = _locked(request)
    _transition_check(request, ChangeStatus.ASSESSED)
    request.status = ChangeStatus.ASSESSED
    request.price_effect, request.target_effect = price_effect, target_effect
    request.assessed_by, request.assessed_at = by, at
    request.save(update_fields=["status", "price_effect", "target_effect", "assessed_by", "assessed_at"])
    _event(request, ChangeEventKind.ASSESSED, by, at)
    _notify(request, "assessed", by)
    return request


def _new_reference(request: AgreementChangeRequest) -> str:
    reference = f"SLA-{request.agency.code}-{request.effective_from:%Y%m%d}"
    if Agreement.objects.filter(reference=reference).exists():
        reference = f"{reference}-CR{request.pk}"
    return reference


def _overrides_after(request: AgreementChangeRequest, services: Sequence[Service]) -> list[Override]:
    """The old version's target overrides for the services kept, with the proposed targets in their place."""
    kept = {service.pk: service for service in services}
    by_key: dict[tuple[int, str, str], Override] = {}
    for target in AgreementTarget.objects.filter(agreement=request.agreement, service_id__in=kept):
        by_key[(target.service_id, target.metric, target.priority)] = Override(
            kept[target.service_id], target.metric, target.priority, target.target_minutes
        )
    by_code = {service.code: service for service in services}
    for row in request.target_changes:
        service = by_code[row["service"]]
        by_key[(service.pk, row["metric"], row["priority"])] = Override(
            service, row["metric"], row["priority"], int(row["target_minutes"])
        )
    return list(by_key.values())


def _apply(request: AgreementChangeRequest, by: User, at: datetime) -> None:
    """Both sides approved: the new agreement version from the agreed date (same transaction)."""
    dropped = set(request.services_dropped.values_list("pk", flat=True))
    services = [
        link.service for link in request.agreement.services.select_related("service") if link.service_id not in dropped
    ]
    services += list(request.services_added.all())
    terms: dict[str, object] = {}
    if request.grants_service_credits is not None:
        terms["grants_service_credits"] = request.grants_service_credits
    if request.credit_percent is not None:
        terms["credit_percent"] = request.credit_percent
    if request.credit_cap_percent is not None:
        terms["credit_cap_percent"] = request.credit_cap_percent
    new = agreement_revise(
        agreement=request.agreement,
        effective_from=request.effective_from,
        reference=_new_reference(request),
        services=services,
        overrides=_overrides_after(request, services),
        **terms,
    )
    request.status, request.new_agreement = ChangeStatus.APPROVED, new
    request.save(update_fields=["status", "new_agreement"])
    _event(
        request,
        ChangeEventKind.APPLIED,
        by,
        at,
        gettext("%(reference)s from %(day)s") % {"reference": new.reference, "day": _day(request.effective_from)},
    )


def _approve(request: AgreementChangeRequest, *, by: User, at: datetime, side: str) -> AgreementChangeRequest:
    if side == AGENCY_SIDE:
        request.agency_approved_by, request.agency_approved_at = by, at
        fields, kind = ["agency_approved_by", "agency_approved_at"], ChangeEventKind.AGENCY_APPROVED
    else:
        request.facility_approved_by, request.facility_approved_at = by, at
        fields, kind = ["facility_approved_by", "facility_approved_at"], ChangeEventKind.FACILITY_APPROVED
    both = request.agency_approved_at is not None and request.facility_approved_at is not None
    if not both:
        request.save(update_fields=fields)
        _event(request, kind, by, at)
        return request
    _transition_check(request, ChangeStatus.APPROVED)
    # agreement_revise's refusal (requests raised on or after the date) rolls all of this back.
    request.save(update_fields=fields)
    _event(request, kind, by, at)
    _apply(request, by, at)
    _notify(request, "approved", by)
    return request


@transaction.atomic
def change_request_approve_agency(
    *, request: AgreementChangeRequest, by: User, at: datetime | None = None
) -> AgreementChangeRequest:
    """The agency's approver approves the assessed change (never the person who proposed it).

    When the facility manager has already approved, this applies it: a new
    agreement version from the agreed date, or a refusal that changes nothing.
    """
    at = _now(at)
    request = _locked(request)
    refusal = agency_approval_refusal(user=by, request=request)
    if refusal:
        forbidden = not may_approve_for_agency(user=by, request=request) or request.requested_by_id == by.pk
        _refuse(
            refusal,
            code="accountability.change_agency_approval_refused" if forbidden else "accountability.change_wrong_status",
            status=403 if forbidden else 409,
        )
    return _approve(request, by=by, at=at, side=AGENCY_SIDE)


@transaction.atomic
def change_request_approve_facility(
    *, request: AgreementChangeRequest, by: User, at: datetime | None = None
) -> AgreementChangeRequest:
    """The facility manager approves the assessed change; with the agency's approval already given, it applies it."""
    at = _now(at)
    request = _locked(request)
    refusal = facility_approval_refusal(user=by, request=request)
    if refusal:
        forbidden = not may_approve_for_facility(user=by)
        _refuse(
            refusal,
            code="accountability.change_facility_approval_refused"
            if forbidden
            else "accountability.change_wrong_status",
            status=403 if forbidden else 409,
        )
    return _approve(request, by=by, at=at, side=FACILITY_SIDE)


@transaction.atomic
def change_request_reject(
    *, request: AgreementChangeRequest, reason: str, side: str, by: User, at: datetime | None = None
) -> AgreementChangeRequest:
    """Either side rejects a request under way, saying why: the agency's approver, or the facility's manager or
    finance officer. Nothing changes in the agreement."""
    at = _now(at)
    if side not in (AGENCY_SIDE, FACILITY_SIDE):
        raise ValueError(f"Unknown side {side!r}.")
    request = _locked(request)
    if not may_reject(user=by, request=request, side=side):
        _refuse(
            gettext(
                "Only the agency's approvers or the facility manager and facility finance reject a change request."
            ),
            code="accountability.change_rejecters_only",
            status=403,
        )
    reason = text_checked(
        reason, field="reason", required=gettext("Say why it is rejected."), limit=limits.SHORT_TEXT, code=CODE
    )
    _transition_check(request, ChangeStatus.REJECTED)
    request.status, request.closed_by, request.closed_at, request.closing_reason = (
        ChangeStatus.REJECTED,
        by,
        at,
        reason,
    )
    request.save(update_fields=["status", "closed_by", "closed_at", "closing_reason"])
    _event(request, ChangeEventKind.REJECTED, by, at, reason)
    _notify(request, "rejected", by)
    return request


@transaction.atomic
def change_request_withdraw(
    *, request: AgreementChangeRequest, by: User, reason: str = "", at: datetime | None = None
) -> AgreementChangeRequest:
    """The agency withdraws a request under way (its approvers and finance officers)."""
    at = _now(at)
    request = _locked(request)
    if not may_withdraw(user=by, request=request):
        _refuse(
            gettext("Only the agency's approvers and finance officers withdraw its change requests."),
            code="accountability.change_withdrawers_only",
            status=403,
        )
    reason = text_checked(reason, field="reason", required=None, limit=limits.SHORT_TEXT, code=CODE)
    _transition_check(request, ChangeStatus.WITHDRAWN)
    request.status, request.closed_by, request.closed_at, request.closing_reason = (
        ChangeStatus.WITHDRAWN,
        by,
        at,
        reason,
    )
    request.save(update_fields=["status", "closed_by", "closed_at", "closing_reason"])
    _event(request, ChangeEventKind.WITHDRAWN, by, at, reason)
    _notify(request, "withdrawn", by)
    return request
