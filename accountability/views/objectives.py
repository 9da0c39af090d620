"""Quality objective pages (facility portal, ISO 9001 clause 6.2).

- `accountability:objectives`: every objective with its last completed
  period and the current one so far, met or missed, with the figures;
- `accountability:objective`: one objective, every period's evaluation (each
  agency's figure against the target, or the facility's);
- `accountability:objective-new` / `objective-edit`: the quality focal point
  and the facility manager set them (`access.REVIEW_KEEPER_ROLES`); others
  never see the buttons, and are refused (403) if they try.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext

from shared_platform.errors import ApplicationError, form_error_apply

from ..access import scope_for
from ..forms.objectives import ObjectiveForm
from ..models import QualityObjective
from ..selectors.objectives import objective_evaluate, objective_get, objective_periods, objectives_status
from ..services.objectives import EDITABLE, may_keep_objectives, objective_create, objective_update

# The latest periods a detail page evaluates (a monthly objective of many years would be hundreds).
PERIODS_SHOWN = 12


def _portal_reader_check(request: HttpRequest) -> None:
    if scope_for(user=request.user, address=request.tenant) is not None:  # type: ignore[attr-defined]
        raise Http404("The quality objectives are on the facility portal.")


def _objective(reference: str) -> QualityObjective:
    objective = objective_get(reference=reference)
    if objective is None:
        raise Http404("No such objective.")
    return objective


def objective_list(request: HttpRequest) -> HttpResponse:
    _portal_reader_check(request)
    status = objectives_status(until=timezone.localdate())
    return render(
        request,
        "accountability/objectives/objective_list.html",
        {"status": status, "may_create": may_keep_objectives(request.user)},
    )


def objective_detail(request: HttpRequest, reference: str) -> HttpResponse:
    _portal_reader_check(request)
    objective = _objective(reference)
    today = timezone.localdate()
    results = [
        objective_evaluate(objective=objective, period_start=start, today=today)
        for start in reversed(objective_periods(objective=objective, until=today)[-PERIODS_SHOWN:])
    ]
    return render(
        request,
        "accountability/objectives/objective_detail.html",
        {"objective": objective, "results": results, "may_edit": may_keep_objectives(request.user)},
    )


def _form_page(request: HttpRequest, objective: QualityObjective | None) -> HttpResponse:
    _portal_reader_check(request)
    if not may_keep_objectives(request.user):
        raise PermissionDenied(gettext("Only the quality focal point or the facility manager sets quality objectives."))
    initial: dict[str, Any] = {"valid_from": timezone.localdate().replace(day=1)}
    if objective is not None:
        initial = {name: getattr(objective, name) for name in EDITABLE}
    form = ObjectiveForm(request.POST or None, initial=initial, editing=objective is not None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if objective is None:
                    objective = objective_create(created_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
                    messages.success(request, gettext("The objective is set."))
                else:
                    objective = objective_update(objective=objective, updated_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
                    messages.success(request, gettext("The objective is saved."))
                return redirect("accountability:objective", reference=objective.reference)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
        else:
            status = 400
    return render(
        request, "accountability/objectives/objective_form.html", {"form": form, "objective": objective}, status=status
    )


def objective_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


def objective_edit(request: HttpRequest, reference: str) -> HttpResponse:
    return _form_page(request, _objective(reference))


pages: list[URLPattern] = [
    path("objectives/", objective_list, name="objectives"),
    path("objectives/new/", objective_new, name="objective-new"),
    path("objectives/<str:reference>/", objective_detail, name="objective"),
    path("objectives/<str:reference>/edit/", objective_edit, name="objective-edit"),
]
