"""Fair-cost simulations' pages on the facility portal ("accountability" namespace).

`accountability:simulations`: the saved simulations and a form of months that
previews, live, what each agency paid and would have paid under each key (a
table and a bar chart); the facility manager and facility finance save one.
`accountability:simulation`: a saved one, its CSV, and (for its makers) the
form attaching it to a board motion in draft or open. Read by the board (its
representatives, alternates and observers use the portal), the makers and the
auditor (`access.SIMULATION_READER_ROLES`); an agency's address has no such
page (404). Every change is one service call (accountability.services.simulations).
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import has_role
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from ..access import SIMULATION_READER_ROLES
from ..forms.simulations import AttachForm, MonthsForm, SaveForm
from ..models import CostSimulation
from ..selectors import simulations as selectors
from ..services import simulations as services

PAGE_SIZE = 25
SORTS = Sorts(
    default="-made",
    columns={
        "reference": ("reference",),
        "from": ("month_from", "pk"),
        "to": ("month_to", "pk"),
        "made": ("created_at", "pk"),
    },
)


def may_read_simulations(request: HttpRequest) -> bool:
    address = request.tenant  # type: ignore[attr-defined]
    user: Any = request.user
    if not address.is_facility or not user.is_authenticated:
        return False
    return bool(user.is_staff or has_role(user=user, agency=address, roles=SIMULATION_READER_ROLES))


def _reader_check(request: HttpRequest) -> None:
    if not request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404("Simulations are on the facility portal.")
    if not may_read_simulations(request):
        raise PermissionDenied(_("The board, the facility manager, facility finance and the auditor read simulations."))


def _simulation(request: HttpRequest, reference: str) -> CostSimulation:
    _reader_check(request)
    simulation = selectors.simulation_get(reference=reference)
    if simulation is None:
        raise Http404("No such simulation.")
    return simulation


def _key_columns() -> list[tuple[str, str]]:
    return [(method, selectors.key_label(method)) for method in selectors.KEYS]


def _rows(lines: list[Any]) -> list[dict[str, Any]]:
    """Live or frozen lines, as the table shows them: each key's amount and its difference from what was paid."""
    keys = _key_columns()
    return [
        {
            "code": getattr(line, "agency_code", None) or getattr(line, "agency", ""),
            "headcount": line.headcount,
            "usage": line.usage,
            "usage_share": line.usage_share,
            "credits": line.credits,
            "paid": line.paid,
            "would": [(method, label, line.would[method], line.would[method] - line.paid) for method, label in keys],
        }
        for line in lines
    ]


def _totals(totals: dict[str, Any]) -> dict[str, Any]:
    keys = _key_columns()
    return {**totals, "would_rows": [(method, label, totals["would"][method]) for method, label in keys]}


def simulation_list(request: HttpRequest) -> HttpResponse:
    _reader_check(request)
    may_make = services.may_make_simulations(user=request.user)  # type: ignore[arg-type]
    form: MonthsForm = SaveForm(request.POST) if request.method == "POST" else MonthsForm(request.GET or None)
    if request.GET and not {"month_from", "month_to"} & set(request.GET):
        form = MonthsForm()  # sorting or paging the saved list, no months asked
    status, result = 200, None
    if request.method == "POST" and not may_make:
        raise PermissionDenied(_("Only the facility manager and facility finance make and attach simulations."))
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.method == "POST":
                    simulation = services.simulation_save(
                        month_from=data["month_from"],
                        month_to=data["month_to"],
                        note=data.get("note", ""),
                        by=request.user,  # type: ignore[arg-type]
                    )
                    messages.success(
                        request, _("Simulation %(reference)s saved.") % {"reference": simulation.reference}
                    )
                    return redirect("accountability:simulation", simulation.reference)
                result = selectors.simulation_compute(month_from=data["month_from"], month_to=data["month_to"])
                status = 200
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
    rows, sort = SORTS.apply(request, selectors.simulation_list())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    save_form = None
    if result is not None and may_make:
        save_form = SaveForm(initial={"month_from": result.month_from, "month_to": result.month_to})
    context = {
        "form": form,
        "result": result,
        "keys": _key_columns(),
        "page": page,
        "sort": sort,
        "may_make": may_make,
        "save_form": save_form,
        "chart": selectors.chart_data(lines=result.lines) if result else None,
        "preview_rows": _rows(result.lines) if result else [],
        "preview_totals": _totals(result.totals) if result else {},
    }
    return render(request, "accountability/simulations/list.html", context, status=status)


def _detail(
    request: HttpRequest, simulation: CostSimulation, *, form: AttachForm | None = None, status: int = 200
) -> HttpResponse:
    may_make = services.may_make_simulations(user=request.user)  # type: ignore[arg-type]
    lines = selectors.frozen_lines(simulation)
    context = {
        "simulation": simulation,
        "lines": lines,
        "rows": _rows(lines),
        "table_totals": _totals(selectors.frozen_totals(simulation)),
        "keys": _key_columns(),
        "may_make": may_make,
        "attach_form": (form or AttachForm()) if may_make and simulation.motion_id is None else None,
        "chart": selectors.chart_data(lines=lines),
    }
    return render(request, "accountability/simulations/detail.html", context, status=status)


def simulation_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, _simulation(request, reference))


@require_POST
def simulation_attach(request: HttpRequest, reference: str) -> HttpResponse:
    simulation = _simulation(request, reference)
    if not services.may_make_simulations(user=request.user):  # type: ignore[arg-type]
        raise PermissionDenied(_("Only the facility manager and facility finance make and attach simulations."))
    form = AttachForm(request.POST)
    if not form.is_valid():
        return _detail(request, simulation, form=form, status=400)
    try:
        services.simulation_attach(
            simulation=simulation,
            motion=form.cleaned_data["motion"],
            by=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        form_error_apply(form, error)
        return _detail(request, simulation, form=form, status=error.status_code)
    messages.success(request, _("Attached to the motion; its page now shows this simulation."))
    return redirect("accountability:simulation", simulation.reference)


def simulation_csv(request: HttpRequest, reference: str) -> HttpResponse:
    simulation = _simulation(request, reference)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{simulation.reference}.csv"'
    writer = csv.writer(response)
    keys = _key_columns()
    writer.writerow(
        [
            _("Agency"),
            _("Headcount"),
            _("Usage billed (USD)"),
            _("Share of usage (%)"),
            _("Credits (USD)"),
            _("Paid (USD)"),
            *(_("Would have paid, %(key)s (USD)") % {"key": label} for _method, label in keys),
        ]
    )
    for line in selectors.frozen_lines(simulation):
        writer.writerow(
            [
                line.agency,
                line.headcount,
                line.usage,
                line.usage_share,
                line.credits,
                line.paid,
                *(line.would[method] for method, _label in keys),
            ]
        )
    totals = selectors.frozen_totals(simulation)
    writer.writerow(
        [
            _("Total"),
            "",
            totals["usage"],
            "",
            totals["credits"],
            totals["paid"],
            *(totals["would"][method] for method, _label in keys),
        ]
    )
    return response


_REF = "simulations/<str:reference>/"

pages = [
    path("simulations/", simulation_list, name="simulations"),
    path(_REF, simulation_detail, name="simulation"),
    path(f"{_REF}attach/", simulation_attach, name="simulation-attach"),
    path(f"{_REF}csv/", simulation_csv, name="simulation-csv"),
]
