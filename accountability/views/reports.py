"""Monthly service reports as pages, on both kinds of address.

- `accountability:reports`: an agency's address lists its own reports, newest
  month first, paged; the facility portal lists every agency's, filtered by
  agency and month, with "Write now" for the facility manager and facility
  finance (an agency and a month that is over; a report already sent stays as sent).
- `accountability:report`: one report's figures as a page (the same sections as its PDF).
- `accountability:report-pdf`: its PDF from the agency's storage.

Who reads: `access.scope_for` (an agency's approvers, finance officers and
board members their own; the facility's staff every agency's). Another
agency's report is a 404 on an agency's address.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from ..access import holds_facility_role, scope_for
from ..forms.reports import ReportFilterForm, ReportWriteForm
from ..models import ServiceReport
from ..pdf_report import report_display, service_report_pdf
from ..selectors.reports import report_get, report_list
from ..services.reports import service_report_write

PAGE_SIZE = 25
# Write a report now, for an agency and a past month (the monthly run does it by itself otherwise).
REPORT_WRITER_ROLES = frozenset({Role.FACILITY_MANAGER, Role.FACILITY_FINANCE})
SORTS = Sorts(
    default="-month",
    columns={
        "month": ("month", "agency__code"),
        "agency": ("agency__code", "month"),
        "written": ("created_at", "pk"),
        "sent": ("sent_at", "pk"),
    },
)


def may_write_reports(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        request.tenant.is_facility  # type: ignore[attr-defined]
        and user.is_authenticated
        and (user.is_staff or holds_facility_role(user, REPORT_WRITER_ROLES))
    )


def _report_or_404(request: HttpRequest, pk: int) -> ServiceReport:
    scope = scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    report = report_get(pk=pk, scope=scope)
    if report is None:
        raise Http404("No such service report here.")
    return report


def report_list_page(request: HttpRequest) -> HttpResponse:
    scope = scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    filters = ReportFilterForm(request.GET or None) if scope is None else None
    chosen = filters.filters() if filters is not None else {"agency": None, "month": None}
    rows = report_list(
        scope=scope, agency_code=chosen["agency"].code if chosen["agency"] else "", month=chosen["month"]
    )
    rows, sort = SORTS.apply(request, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    may_write = may_write_reports(request)
    return render(
        request,
        "accountability/reports/list.html",
        {
            "page": page,
            "sort": sort,
            "filters": filters,
            "on_portal": scope is None,
            "may_write": may_write,
            "write_form": ReportWriteForm() if may_write else None,
        },
    )


@require_POST
def report_write_page(request: HttpRequest) -> HttpResponse:
    """ "Write now": the facility writes (or rewrites, before it is sent) an agency's report of a past month."""
    scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    if not may_write_reports(request):
        raise PermissionDenied(_("Only the facility manager and facility finance write service reports."))
    form = ReportWriteForm(request.POST)
    if form.is_valid():
        try:
            report = service_report_write(
                agency=form.cleaned_data["agency"], month=form.cleaned_data["month"], now=timezone.now()
            )
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            messages.success(
                request,
                _("The service report of %(agency)s for %(month)s is written.")
                % {"agency": report.agency.code, "month": date_format(report.month, "YEAR_MONTH_FORMAT")},
            )
            return redirect("accountability:report", pk=report.pk)
    filters = ReportFilterForm(None)
    rows, sort = SORTS.apply(request, report_list(scope=None))
    return render(
        request,
        "accountability/reports/list.html",
        {
            "page": Paginator(rows, PAGE_SIZE).get_page(1),
            "sort": sort,
            "filters": filters,
            "on_portal": True,
            "may_write": True,
            "write_form": form,
        },
        status=400,
    )


def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    return render(
        request,
        "accountability/reports/detail.html",
        {"report": report, "shown": report_display(report), "on_portal": request.tenant.is_facility},  # type: ignore[attr-defined]
    )


def report_pdf_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    return report_pdf_response(report)


def report_pdf_response(report: ServiceReport) -> HttpResponse:
    """The report's PDF from the agency's storage (rendered again from its frozen figures if the file was lost)."""
    from billing.services import document_read

    if not report.pdf_file:
        raise Http404("This report has no PDF.")
    content = document_read(
        agency=report.agency, name=report.pdf_file, render=lambda: service_report_pdf(report=report)
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="service-report-{report.agency.code}-{report.month:%Y-%m}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


_common = [
    path("reports/", report_list_page, name="reports"),
    path("reports/<int:pk>/", report_page, name="report"),
    path("reports/<int:pk>/pdf/", report_pdf_page, name="report-pdf"),
]
facility_pages: list[URLPattern] = [*_common, path("reports/write/", report_write_page, name="report-write")]
agency_pages: list[URLPattern] = list(_common)
