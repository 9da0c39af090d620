"""Pages of the quality system: the register of processes, a process with its measures and risk map, and its risks.

Every facility role reads them; the quality focal point and the facility
manager keep the register, and a process's owner keeps its risks with them.
Views read through selectors and write through services only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from ..access import KEEPER_ROLES, READ_ONLY_ROLES, holds, reader_page_check
from ..forms.processes import ProcessForm, RiskForm
from ..models import Process, QualityEvent, Risk
from ..selectors import documents as document_selectors
from ..selectors import processes as selectors
from ..services import processes as services

PAGE_SIZE = 25
PROCESS_SORTS = Sorts(
    default="code",
    columns={
        "code": ("code",),
        "name": ("name",),
        "owner": ("owner__first_name", "owner__last_name"),
        "risk": ("highest_risk",),
        "open": ("open_items",),
    },
)


# The history's stable action words, as people read them.
EVENT_LABELS = {
    "created": _("Registered"),
    "updated": _("Changed"),
    "risk_recorded": _("Risk or opportunity recorded"),
    "risk_updated": _("Risk or opportunity re-assessed"),
    "risk_removed": _("Risk or opportunity removed"),
    "drafted": _("New version drafted"),
    "draft_saved": _("Draft saved"),
    "submitted": _("Sent for review"),
    "returned": _("Returned to its author"),
    "approved": _("Approved"),
    "effective": _("Took effect"),
    "review_confirmed": _("Review confirmed without change"),
    "withdrawn": _("Withdrawn"),
    "acknowledged": _("Read and acknowledged"),
}


def history_lines(events: Iterable[QualityEvent]) -> list[dict[str, Any]]:
    """A record's history as the page lists it: when, who, what (translated), detail."""
    return [{"event": event, "label": EVENT_LABELS.get(event.action, event.action)} for event in events]


def is_keeper(request: HttpRequest) -> bool:
    return holds(request.user, KEEPER_ROLES)  # type: ignore[arg-type]


def is_read_only(request: HttpRequest) -> bool:
    return holds(request.user, READ_ONLY_ROLES) and not is_keeper(request)  # type: ignore[arg-type]


def may_keep_risks(request: HttpRequest, process: Process) -> bool:
    return not is_read_only(request) and (is_keeper(request) or request.user.pk == process.owner_id)


def link_if_built(name: str, query: str = "") -> str | None:
    """The address of a page another part of the quality system provides, or None while it is not there."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def _process(code: str) -> Process:
    process = selectors.process_get(code=code)
    if process is None:
        raise Http404("No such process.")
    return process


def _keeper_page_check(request: HttpRequest) -> None:
    if not is_keeper(request):
        raise PermissionDenied(gettext("Only the quality focal point or the facility manager keeps the processes."))


def process_list(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    rows, sort = PROCESS_SORTS.apply(request, selectors.process_list())
    rows = rows.order_by(*rows.query.order_by, "code")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/processes/process_list.html",
        {"page": page, "sort": sort, "may_create": is_keeper(request)},
    )


def process_detail(request: HttpRequest, code: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    process = _process(code)
    risks = selectors.process_risks(process=process)
    counts = selectors.process_counts(process=process)
    query = f"?process={process.code}"
    context: dict[str, Any] = {
        "process": process,
        "risks": risks,
        "heat_map": selectors.risk_heat_map(risks=risks),
        "compliance": selectors.process_compliance(process=process),
        "documents": document_selectors.register_rows(
            documents=document_selectors.documents_of_process(process=process)
        ),
        "counts": counts,
        "suggestions_url": link_if_built("quality:suggestions", query),
        "nonconformities_url": link_if_built("quality:nonconformities", query),
        "audits_url": link_if_built("quality:audits", query),
        "events": history_lines(selectors.process_history(process=process)),
        "may_edit": is_keeper(request),
        "may_keep_risks": may_keep_risks(request, process),
        "impacts": range(1, 6),
    }
    return render(request, "quality/processes/process_detail.html", context)


def _process_form_page(request: HttpRequest, process: Process | None) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    _keeper_page_check(request)
    initial: dict[str, Any] = {}
    if process is not None:
        initial = {
            "name": process.name,
            "purpose": process.purpose,
            "owner": process.owner,
            "services": list(process.services.all()),
            "procedure": process.procedure,
            "active": process.active,
        }
    form = ProcessForm(request.POST or None, initial=initial, editing=process is not None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if process is None:
                    process = services.process_create(
                        created_by=request.user,  # type: ignore[arg-type]
                        code=data["code"],
                        name=data["name"],
                        owner=data["owner"],
                        purpose=data["purpose"],
                        services=data["services"],
                        procedure=data["procedure"],
                    )
                    messages.success(request, gettext("The process is in the register."))
                else:
                    process = services.process_update(
                        process=process,
                        updated_by=request.user,  # type: ignore[arg-type]
                        name=data["name"],
                        owner=data["owner"],
                        purpose=data["purpose"],
                        services=data["services"],
                        procedure=data["procedure"],
                        active=data["active"],
                    )
                    messages.success(request, gettext("The process is saved."))
                return redirect("quality:process", code=process.code)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
        else:
            status = 400
    return render(request, "quality/processes/process_form.html", {"form": form, "process": process}, status=status)


def process_new(request: HttpRequest) -> HttpResponse:
    return _process_form_page(request, None)


def process_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _process_form_page(request, _process(code))


def _risk(process: Process, pk: int) -> Risk:
    risk = selectors.risk_get(process=process, pk=pk)
    if risk is None:
        raise Http404("No such risk.")
    return risk


def _risk_form_page(request: HttpRequest, process: Process, risk: Risk | None) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    if not may_keep_risks(request, process):
        raise PermissionDenied(
            gettext("Only the process owner, the quality focal point or the facility manager keeps its risks.")
        )
    initial: dict[str, Any] = {"owner": process.owner}
    if risk is not None:
        initial = {
            "kind": risk.kind,
            "description": risk.description,
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "treatment": risk.treatment,
            "owner": risk.owner,
            "review_on": risk.review_on,
        }
    form = RiskForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if risk is None:
                    services.risk_record(process=process, recorded_by=request.user, **data)  # type: ignore[arg-type]
                    messages.success(request, gettext("The risk or opportunity is recorded."))
                else:
                    services.risk_update(risk=risk, updated_by=request.user, **data)  # type: ignore[arg-type]
                    messages.success(request, gettext("The risk or opportunity is saved."))
                return redirect("quality:process", code=process.code)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
        else:
            status = 400
    return render(
        request,
        "quality/processes/risk_form.html",
        {"form": form, "process": process, "risk": risk},
        status=status,
    )


def risk_new(request: HttpRequest, code: str) -> HttpResponse:
    return _risk_form_page(request, _process(code), None)


def risk_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    process = _process(code)
    return _risk_form_page(request, process, _risk(process, pk))


@require_POST
def risk_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    process = _process(code)
    risk = _risk(process, pk)
    try:
        services.risk_remove(risk=risk, removed_by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
        return redirect("quality:process", code=process.code)
    messages.success(request, gettext("The risk or opportunity is taken off the register."))
    return redirect("quality:process", code=process.code)


pages = [
    path("processes/", process_list, name="processes"),
    path("processes/new/", process_new, name="process-new"),
    path("processes/<str:code>/", process_detail, name="process"),
    path("processes/<str:code>/edit/", process_edit, name="process-edit"),
    path("processes/<str:code>/risks/new/", risk_new, name="risk-new"),
    path("processes/<str:code>/risks/<int:pk>/", risk_edit, name="risk-edit"),
    path("processes/<str:code>/risks/<int:pk>/remove/", risk_remove, name="risk-remove"),
]
