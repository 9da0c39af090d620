"""Pages of nonconformities and corrective action (clause 10.2), on the facility portal.

Every facility role reads them; the owner and the keepers work them, an
action's owner ticks it done, keepers and internal auditors raise them by
hand; the read-only auditor reads and is refused (403) if they post. Views
read through selectors and write through services only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from .. import access
from ..access import reader_page_check
from ..forms.nonconformities import (
    ActionDoneForm,
    ActionForm,
    AssignForm,
    CheckForm,
    CorrectionForm,
    JudgeForm,
    ListFilterForm,
    NonconformityForm,
    RootCauseForm,
)
from ..models import CheckResult, CriterionKind, Nonconformity, NonconformityStatus
from ..selectors import nonconformities as selectors
from ..services import nonconformities as services

PAGE_SIZE = 25
SORTS = Sorts(
    default="-raised",
    columns={
        "reference": ("id",),
        "title": ("title",),
        "source": ("source",),
        "agency": ("agency__code",),
        "service": ("service__code",),
        "month": ("month",),
        "status": ("status",),
        "owner": ("owner__first_name", "owner__email"),
        "open": ("actions_open",),
        "overdue": ("actions_overdue",),
        "reopened": ("times_reopened",),
        "raised": ("raised_at",),
    },
)
# The history's stable action words, as people read them.
EVENT_LABELS = {
    "raised": _("Raised"),
    "assigned": _("Owner assigned"),
    "corrected": _("Correction recorded"),
    "analysed": _("Root cause recorded"),
    "action_added": _("Corrective action added"),
    "action_done": _("Corrective action done"),
    "check_planned": _("Effectiveness check planned"),
    "closed": _("Closed: effective"),
    "reopened": _("Reopened: not effective"),
    "breaches_attached": _("SLA breaches attached"),
    "ratings_attached": _("Low ratings attached"),
}


def may_raise(user: Any) -> bool:
    return access.holds(user, services.RAISER_ROLES)


def _nonconformity(reference: str) -> Nonconformity:
    nonconformity = selectors.nonconformity_get(reference=reference[:20])
    if nonconformity is None:
        raise Http404("No such nonconformity.")
    return nonconformity


def nonconformity_list(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    filters = ListFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.nonconformity_list(
        status=chosen.get("status") or None,
        source=chosen.get("source") or None,
        agency_code=chosen.get("agency") or None,
        process_code=chosen.get("process") or None,
        today=timezone.localdate(),
    )
    rows, sort = SORTS.apply(request, rows)
    rows = rows.order_by(*rows.query.order_by, "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/nonconformities/list.html",
        {"page": page, "sort": sort, "filters": filters, "may_raise": may_raise(request.user)},
    )


def nonconformity_new(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    if not may_raise(request.user):
        raise PermissionDenied(
            gettext("Only the quality focal point, the facility manager and internal auditors raise nonconformities.")
        )
    form = NonconformityForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                nonconformity = services.nonconformity_raise(raised_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    gettext("%(reference)s is raised. Record the correction and the root cause next.")
                    % {"reference": nonconformity.reference},
                )
                return redirect("quality:nonconformity", reference=nonconformity.reference)
        else:
            status = 400
    return render(request, "quality/nonconformities/form.html", {"form": form}, status=status)


def _detail_page(
    request: HttpRequest,
    nonconformity: Nonconformity,
    *,
    failed: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    works = services.may_work(user=user, nonconformity=nonconformity)
    keeper = access.holds(user, access.KEEPER_ROLES)
    is_open = nonconformity.status != NonconformityStatus.CLOSED
    actions = list(selectors.nonconformity_actions(nonconformity=nonconformity))
    checks = list(selectors.nonconformity_checks(nonconformity=nonconformity))
    today = timezone.localdate()
    all_done = bool(actions) and all(action.done_at for action in actions)
    forms_shown: dict[str, forms.Form | None] = {
        "assign_form": AssignForm(initial={"owner": nonconformity.owner}) if keeper and is_open else None,
        "correction_form": CorrectionForm(initial={"correction": nonconformity.correction})
        if works and is_open
        else None,
        "root_cause_form": RootCauseForm(initial={"root_cause": nonconformity.root_cause})
        if works and is_open
        else None,
        "action_form": ActionForm()
        if works
        and nonconformity.root_cause
        and nonconformity.status in (NonconformityStatus.OPEN, NonconformityStatus.ACTION)
        else None,
        "check_form": CheckForm(
            initial={"agency": nonconformity.agency, "service": nonconformity.service, "threshold": 0}
        )
        if works and nonconformity.status == NonconformityStatus.ACTION and all_done
        else None,
        "done_form": ActionDoneForm() if is_open else None,
        "judge_form": JudgeForm() if keeper else None,
    }
    if failed is not None:
        forms_shown[failed[0]] = failed[1]
    read_only = access.holds(user, access.READ_ONLY_ROLES) and not keeper
    context = {
        "nc": nonconformity,
        "breaches": selectors.nonconformity_breaches(nonconformity=nonconformity),
        "ratings": selectors.nonconformity_ratings(nonconformity=nonconformity),
        "actions": [
            {
                "action": action,
                "overdue": action.done_at is None and action.due_on < today,
                "may_tick": is_open
                and action.done_at is None
                and not read_only
                and (action.owner_id == user.pk or keeper),
            }
            for action in actions
        ],
        "checks": [
            {
                "check": check,
                "criterion": services.check_describe(check),
                "may_judge": keeper and check.kind == CriterionKind.JUDGEMENT and check.result == CheckResult.PENDING,
                "may_evaluate": keeper
                and check.kind != CriterionKind.JUDGEMENT
                and check.result == CheckResult.PENDING
                and check.period_start <= today,
            }
            for check in checks
        ],
        "events": [
            (event, EVENT_LABELS.get(event.action, event.action))
            for event in selectors.nonconformity_history(nonconformity=nonconformity)
        ],
        "works": works,
        **forms_shown,
    }
    return render(request, "quality/nonconformities/detail.html", context, status=status)


def nonconformity_detail(request: HttpRequest, reference: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    return _detail_page(request, _nonconformity(reference))


def _step(
    form_class: type[forms.Form],
    form_name: str,
    perform: Callable[[HttpRequest, Nonconformity, dict[str, Any]], str],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """A POST endpoint of the nonconformity's page: read the form, call one service, say what happened."""

    @require_POST
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        reader_page_check(request.user)  # type: ignore[arg-type]
        nonconformity = _nonconformity(reference)
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Please correct the errors below."))
            return _detail_page(request, nonconformity, failed=(form_name, form), status=400)
        try:
            message = perform(request, nonconformity, form.cleaned_data)
        except ApplicationError as error:
            form_error_apply(form, error)
            messages.error(request, error.message)
            return _detail_page(request, _nonconformity(reference), failed=(form_name, form), status=error.status_code)
        messages.success(request, message)
        return redirect("quality:nonconformity", reference=nonconformity.reference)

    return view


def _assign(request: HttpRequest, nc: Nonconformity, data: dict[str, Any]) -> str:
    services.nonconformity_assign(nonconformity=nc, owner=data["owner"], by=request.user)  # type: ignore[arg-type]
    return gettext("The owner is recorded.")


def _correct(request: HttpRequest, nc: Nonconformity, data: dict[str, Any]) -> str:
    services.nonconformity_correct(nonconformity=nc, correction=data["correction"], by=request.user)  # type: ignore[arg-type]
    return gettext("The correction is recorded.")


def _analyse(request: HttpRequest, nc: Nonconformity, data: dict[str, Any]) -> str:
    services.nonconformity_analyse(nonconformity=nc, root_cause=data["root_cause"], by=request.user)  # type: ignore[arg-type]
    return gettext("The root cause is recorded. Decide the corrective actions that remove it.")


def _action_add(request: HttpRequest, nc: Nonconformity, data: dict[str, Any]) -> str:
    services.action_add(nonconformity=nc, by=request.user, **data)  # type: ignore[arg-type]
    return gettext("The corrective action is recorded; its owner sees it on their start page.")


def _check_plan(request: HttpRequest, nc: Nonconformity, data: dict[str, Any]) -> str:
    criterion = services.Criterion(
        kind=data["kind"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        threshold=data.get("threshold"),
        agency=data.get("agency"),
        service=data.get("service"),
        description=data.get("description") or "",
    )
    services.check_plan(nonconformity=nc, criterion=criterion, by=request.user)  # type: ignore[arg-type]
    return gettext("The effectiveness check is planned.")


nonconformity_assign = _step(AssignForm, "assign_form", _assign)
nonconformity_correct = _step(CorrectionForm, "correction_form", _correct)
nonconformity_analyse = _step(RootCauseForm, "root_cause_form", _analyse)
action_add = _step(ActionForm, "action_form", _action_add)
check_plan = _step(CheckForm, "check_form", _check_plan)


@require_POST
def action_done(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    nonconformity = _nonconformity(reference)
    action = selectors.action_get(nonconformity=nonconformity, pk=pk)
    if action is None:
        raise Http404("No such action.")
    form = ActionDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say what was done."))
        return _detail_page(request, nonconformity, status=400)
    try:
        services.action_done(action=action, note=form.cleaned_data["note"], by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail_page(request, _nonconformity(reference), status=error.status_code)
    messages.success(request, gettext("The action is done."))
    return redirect("quality:nonconformity", reference=nonconformity.reference)


@require_POST
def check_judge(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    nonconformity = _nonconformity(reference)
    check = selectors.check_get(nonconformity=nonconformity, pk=pk)
    if check is None:
        raise Http404("No such check.")
    form = JudgeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, nonconformity, failed=("judge_form", form), status=400)
    try:
        check = services.check_judge(check=check, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail_page(request, _nonconformity(reference), status=error.status_code)
    messages.success(
        request, gettext("The judgement is recorded: %(result)s.") % {"result": check.get_result_display()}
    )
    return redirect("quality:nonconformity", reference=nonconformity.reference)


@require_POST
def check_evaluate(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """ "Evaluate now": the same evaluation as the beat's, for one check."""
    reader_page_check(request.user)  # type: ignore[arg-type]
    nonconformity = _nonconformity(reference)
    check = selectors.check_get(nonconformity=nonconformity, pk=pk)
    if check is None:
        raise Http404("No such check.")
    try:
        check = services.check_evaluate(check=check, by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail_page(request, _nonconformity(reference), status=error.status_code)
    if check.result == CheckResult.PENDING:
        message = gettext("Measured so far: %(measured)d, at most %(threshold)d allowed; the period is not over.") % {
            "measured": check.measured or 0,
            "threshold": check.threshold or 0,
        }
    else:
        message = gettext("Measured %(measured)d: %(result)s.") % {
            "measured": check.measured or 0,
            "result": check.get_result_display().lower(),
        }
    messages.success(request, message)
    return redirect("quality:nonconformity", reference=nonconformity.reference)


pages = [
    path("nonconformities/", nonconformity_list, name="nonconformities"),
    path("nonconformities/new/", nonconformity_new, name="nonconformity-new"),
    path("nonconformities/<str:reference>/", nonconformity_detail, name="nonconformity"),
    path("nonconformities/<str:reference>/assign/", nonconformity_assign, name="nonconformity-assign"),
    path("nonconformities/<str:reference>/correct/", nonconformity_correct, name="nonconformity-correct"),
    path("nonconformities/<str:reference>/analyse/", nonconformity_analyse, name="nonconformity-analyse"),
    path("nonconformities/<str:reference>/actions/", action_add, name="nonconformity-action-add"),
    path("nonconformities/<str:reference>/actions/<int:pk>/done/", action_done, name="nonconformity-action-done"),
    path("nonconformities/<str:reference>/checks/", check_plan, name="nonconformity-check-plan"),
    path("nonconformities/<str:reference>/checks/<int:pk>/judge/", check_judge, name="nonconformity-check-judge"),
    path(
        "nonconformities/<str:reference>/checks/<int:pk>/evaluate/",
        check_evaluate,
        name="nonconformity-check-evaluate",
    ),
]
