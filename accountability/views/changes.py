"""Agreement change requests' pages, on an agency's address and on the facility portal ("accountability" namespace).

An agency's address (its approvers, finance officers and board members read;
`access.scope_for`): its requests (`accountability:changes`), proposing one
(`accountability:change-new`, approvers and finance officers), and one request
(`accountability:change`: what changes, the facility's assessment, both
approvals with who and when, the history, the new version once applied), with
its approver's approve and reject buttons and withdrawing, each offered only
to who may, with the reason shown to who may not.

The facility portal: every agency's requests (filter by status and agency), one
request with the computed assessment hint, the assessment form (manager and
finance), the facility's approval (manager) and rejection. Every change is one
service call (accountability.services.changes); a reference that is not in the
caller's scope is a 404 that never says whether it exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from tenants.models import Agency

from ..access import scope_for
from ..forms.changes import TARGET_ROWS, AssessForm, ChangeRequestForm, FacilityFilterForm, RejectForm, WithdrawForm
from ..models import AgreementChangeRequest, ChangeStatus
from ..selectors import changes as selectors
from ..services import changes as services

PAGE_SIZE = 25
SORTS = Sorts(
    default="-requested",
    columns={
        "reference": ("reference",),
        "agency": ("agency__code", "reference"),
        "summary": ("summary", "reference"),
        "from": ("effective_from", "reference"),
        "status": ("status", "reference"),
        "requested": ("requested_at", "pk"),
    },
)


def _scope(request: HttpRequest) -> Agency | None:
    return scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]


def _agency_scope(request: HttpRequest) -> Agency:
    agency = _scope(request)
    if agency is None:
        raise Http404("This page is on an agency's address.")
    return agency


def _change(request: HttpRequest, reference: str) -> tuple[Agency | None, AgreementChangeRequest]:
    scope = _scope(request)
    change = selectors.change_request_get(scope=scope, reference=reference)
    if change is None:
        raise Http404("No such change request here.")
    return scope, change


# -- lists -------------------------------------------------------------------------------------------


def change_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = FacilityFilterForm(request.GET or None) if scope is None else None
    filters = form.filters() if form is not None else {"status": "", "agency": ""}
    rows = selectors.change_request_list(scope=scope, status=filters["status"], agency_code=filters["agency"])
    rows, sort = SORTS.apply(request, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "sort": sort,
        "form": form,
        "on_facility": scope is None,
        "filtered": bool(filters["status"] or filters["agency"]),
        "may_propose": scope is not None and services.may_propose(user=request.user, agency=scope),  # type: ignore[arg-type]
        "pending": selectors.open_request_of(agency=scope) if scope is not None else None,
    }
    return render(request, "accountability/changes/list.html", context)


# -- proposing ---------------------------------------------------------------------------------------


def _proposal_error(form: ChangeRequestForm, error: ApplicationError) -> None:
    """A refused proposal on the field it names: `target_changes.<n>` on that row's minutes."""
    for name, texts in error.fields.items():
        parts = name.split(".")
        if parts[0] == "target_changes" and len(parts) == 2 and parts[1].isdigit():
            row = int(parts[1])
            if 0 < row <= TARGET_ROWS:
                for text in texts:
                    form.add_error(f"target_{row}_minutes", text)
    form_error_apply(form, error)


def change_new(request: HttpRequest) -> HttpResponse:
    agency = _agency_scope(request)
    today = timezone.localdate()
    refusal = ""
    if not services.may_propose(user=request.user, agency=agency):  # type: ignore[arg-type]
        refusal = _("Only your agency's approvers and finance officers propose a change to its agreement.")
    pending = selectors.open_request_of(agency=agency)
    agreements = selectors.changeable_agreements(agency=agency, today=today)
    form = ChangeRequestForm(request.POST if request.method == "POST" else None, agreements=agreements)
    status = 200
    if request.method == "POST":
        status = 400
        if refusal:
            form.add_error(None, refusal)
            status = 403
        elif form.is_valid():
            data = form.cleaned_data
            try:
                change = services.change_request_submit(
                    agency=agency,
                    agreement=data["agreement"],
                    summary=data["summary"],
                    reason=data["reason"],
                    effective_from=data["effective_from"],
                    services_added=list(data["services_added"]),
                    services_dropped=list(data["services_dropped"]),
                    target_changes=form.target_changes(),
                    grants_service_credits=form.grants(),
                    credit_percent=data["credit_percent"],
                    credit_cap_percent=data["credit_cap_percent"],
                    by=request.user,  # type: ignore[arg-type]
                )
            except ApplicationError as error:
                _proposal_error(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("Change request %(reference)s sent to the facility for its assessment.")
                    % {"reference": change.reference},
                )
                return redirect("accountability:change", change.reference)
    context = {
        "form": form,
        "refusal": refusal,
        "pending": pending,
        "agreements": list(agreements),
        "has_agreement": agreements.exists(),
    }
    return render(request, "accountability/changes/new.html", context, status=status)


# -- one request -------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, scope: Agency | None, change: AgreementChangeRequest) -> dict[str, Any]:
    user: Any = request.user
    on_facility = scope is None
    under_way = change.status in services.OPEN_STATUSES
    context: dict[str, Any] = {
        "change": change,
        "on_facility": on_facility,
        "events": list(selectors.change_request_events(request=change)),
        "targets": selectors.target_rows(request=change),
        "added": list(change.services_added.all()),
        "dropped": list(change.services_dropped.all()),
        "hint": selectors.assessment_hint(request=change, today=timezone.localdate()) if on_facility else None,
        "under_way": under_way,
    }
    side = services.FACILITY_SIDE if on_facility else services.AGENCY_SIDE
    context["may_reject"] = under_way and services.may_reject(user=user, request=change, side=side)
    if on_facility:
        context["may_assess"] = change.status == ChangeStatus.SUBMITTED and services.may_assess(user=user)
        context["approval_refusal"] = services.facility_approval_refusal(user=user, request=change)
        context["may_approve"] = under_way and not context["approval_refusal"]
        context["may_reject"] = under_way and services.may_reject(
            user=user, request=change, side=services.FACILITY_SIDE
        )
        context["may_withdraw"] = False
    else:
        context["may_assess"] = False
        context["approval_refusal"] = services.agency_approval_refusal(user=user, request=change)
        context["may_approve"] = under_way and not context["approval_refusal"]
        context["may_withdraw"] = under_way and services.may_withdraw(user=user, request=change)
    context.setdefault("assess_form", AssessForm())
    context.setdefault("reject_form", RejectForm())
    context.setdefault("withdraw_form", WithdrawForm())
    return context


def change_detail(request: HttpRequest, reference: str) -> HttpResponse:
    scope, change = _change(request, reference)
    return render(request, "accountability/changes/detail.html", _detail_context(request, scope, change))


def _detail_with_error(
    request: HttpRequest, scope: Agency | None, change: AgreementChangeRequest, status: int, **forms: Any
) -> HttpResponse:
    change.refresh_from_db()
    context = _detail_context(request, scope, change)
    context.update(forms)
    return render(request, "accountability/changes/detail.html", context, status=status)


@require_POST
def change_assess(request: HttpRequest, reference: str) -> HttpResponse:
    scope, change = _change(request, reference)
    if scope is not None:
        raise Http404("The facility assesses on its portal.")
    form = AssessForm(request.POST)
    if not form.is_valid():
        return _detail_with_error(request, scope, change, 400, assess_form=form)
    try:
        services.change_request_assess(
            request=change,
            price_effect=form.cleaned_data["price_effect"],
            target_effect=form.cleaned_data["target_effect"],
            by=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        form_error_apply(form, error)
        return _detail_with_error(request, scope, change, error.status_code, assess_form=form)
    messages.success(request, _("Assessed: the agency's approver and the facility manager approve it next."))
    return redirect("accountability:change", change.reference)


@require_POST
def change_approve(request: HttpRequest, reference: str) -> HttpResponse:
    scope, change = _change(request, reference)
    approve = services.change_request_approve_facility if scope is None else services.change_request_approve_agency
    try:
        approved = approve(request=change, by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail_with_error(request, scope, change, error.status_code)
    if approved.status == ChangeStatus.APPROVED and approved.new_agreement is not None:
        messages.success(
            request,
            _("Approved by both sides: %(version)s applies from %(day)s.")
            % {"version": approved.new_agreement.reference, "day": date_format(approved.effective_from, "DATE_FORMAT")},
        )
    else:
        messages.success(request, _("Approved; it applies once the other side approves too."))
    return redirect("accountability:change", change.reference)


@require_POST
def change_reject(request: HttpRequest, reference: str) -> HttpResponse:
    scope, change = _change(request, reference)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail_with_error(request, scope, change, 400, reject_form=form)
    side = services.FACILITY_SIDE if scope is None else services.AGENCY_SIDE
    try:
        services.change_request_reject(
            request=change,
            reason=form.cleaned_data["reason"],
            side=side,
            by=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        form_error_apply(form, error)
        return _detail_with_error(request, scope, change, error.status_code, reject_form=form)
    messages.success(request, _("Change request %(reference)s rejected.") % {"reference": change.reference})
    return redirect("accountability:change", change.reference)


@require_POST
def change_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    scope, change = _change(request, reference)
    if scope is None:
        raise Http404("The agency withdraws on its own address.")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail_with_error(request, scope, change, 400, withdraw_form=form)
    try:
        services.change_request_withdraw(
            request=change,
            reason=form.cleaned_data["reason"],
            by=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        form_error_apply(form, error)
        return _detail_with_error(request, scope, change, error.status_code, withdraw_form=form)
    messages.success(request, _("Change request %(reference)s withdrawn.") % {"reference": change.reference})
    return redirect("accountability:change", change.reference)


_REF = "changes/<str:reference>/"

agency_pages = [
    path("changes/", change_list, name="changes"),
    path("changes/new/", change_new, name="change-new"),
    path(_REF, change_detail, name="change"),
    path(f"{_REF}approve/", change_approve, name="change-approve"),
    path(f"{_REF}reject/", change_reject, name="change-reject"),
    path(f"{_REF}withdraw/", change_withdraw, name="change-withdraw"),
]
facility_pages = [
    path("changes/", change_list, name="changes"),
    path(_REF, change_detail, name="change"),
    path(f"{_REF}assess/", change_assess, name="change-assess"),
    path(f"{_REF}approve/", change_approve, name="change-approve"),
    path(f"{_REF}reject/", change_reject, name="change-reject"),
]
