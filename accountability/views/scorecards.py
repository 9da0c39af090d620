"""Scorecard pages (ISO 9001 clause 9.1): every agency's on the facility portal, an agency's own on its address.

- `accountability:scorecards`: month x agency x service cells for the filters
  (months, agency on the portal, module, service), sortable and paged, with
  the totals, the trend charts over the months shown, the agency-month
  figures (invoice, fixed share, late bookings, split-purchase flags, LTA
  spend), "figures as of", a CSV with the same filters and, for facility
  staff other than the auditor, "Refresh now".
- `accountability:scorecard-cell` (agency code, service code, YYYY-MM): one
  cell's figures and the requests it counts, each linked to its page.
- `accountability:process-scorecards` (portal): each quality process's
  services' figures per month.

Every read goes through `access.scope_for`, so an agency's address never
reads a neighbour's cell: another agency's code there is a 404.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import DecimalField, F, QuerySet
from django.db.models.functions import Cast, NullIf
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import sees_whole_agency
from quality.models import Process
from service_levels.models import Service
from shared_platform.errors import ApplicationError
from shared_platform.sorting import Sorts
from tenants.models import Agency

from ..access import scope_for
from ..forms.scorecards import ScorecardFilterForm, ScorecardFilters
from ..models import ScorecardCell
from ..selectors import scorecards as selectors
from ..services.scorecards import may_refresh_scorecards, scorecards_refresh_now

PAGE_SIZE = 50
# A spreadsheet runs a cell starting with one of these as a formula; the CSV writes it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CELL_SORTS = Sorts(
    default="-month",
    columns={
        "month": ("month", "agency__code", "service__code"),
        "agency": ("agency__code", "month", "service__code"),
        "service": ("service__code", "month", "agency__code"),
        "delivered": ("delivered", "month", "agency__code"),
        "compliance": ("compliance_sort", "month", "agency__code"),
        "satisfaction": ("satisfaction_sort", "month", "agency__code"),
        "billed": ("usage_billed", "month", "agency__code"),
        "credits": ("credits", "month", "agency__code"),
        "nonconformities": ("nonconformities_open", "month", "agency__code"),
        "overdue": ("actions_overdue", "month", "agency__code"),
    },
)
AGENCY_MONTH_SORTS = Sorts(
    default="-month",
    param="agency_sort",
    columns={
        "month": ("month", "agency__code"),
        "agency": ("agency__code", "month"),
        "invoiced": ("invoiced_total", "month"),
        "late": ("late_bookings", "month"),
        "flags": ("split_flags", "month"),
        "spend": ("agreement_spend", "month"),
    },
)


def month_code(month: date) -> str:
    return f"{month:%Y-%m}"


def month_parse(text: str) -> date | None:
    """A "YYYY-MM" from an address, or None when it is not one (2026-13, garbage)."""
    try:
        return datetime.strptime(text, "%Y-%m").date() if len(text) == 7 else None
    except ValueError:
        return None


def cell_url(*, agency_code: str, service_code: str, month: date) -> str:
    return reverse("accountability:scorecard-cell", args=[agency_code, service_code, month_code(month)])


def entry_url(reference: str) -> str:
    """The request's own page at this address (the portal's for facility staff, the agency's on its address)."""
    return reverse("ledger-request", args=[reference])


def _with_sort_figures(found: QuerySet[ScorecardCell]) -> QuerySet[ScorecardCell]:
    """Compliance and satisfaction as sortable columns (NULL when nothing was delivered or rated, sorted last)."""
    decimal: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=4)
    return found.annotate(
        compliance_sort=Cast(F("met"), decimal) * 100 / NullIf(F("delivered"), 0),
        satisfaction_sort=Cast(F("rating_total"), decimal) / NullIf(F("rated"), 0),
    )


def _chart(figures: list[selectors.MonthFigures]) -> dict[str, Any]:
    """The four trend charts' data (static/accountability/charts.js), words in the reader's language."""

    def number(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "labels": [date_format(line.month, "YEAR_MONTH_FORMAT") for line in figures],
        "charts": {
            "volume": {
                "type": "bar",
                "series": [
                    {"label": _("Within target"), "colour": "#417690", "data": [f.totals.met for f in figures]},
                    {"label": _("Breached"), "colour": "#ba2121", "data": [f.totals.breached for f in figures]},
                ],
            },
            "compliance": {
                "type": "line",
                "series": [
                    {
                        "label": _("SLA compliance (%)"),
                        "colour": "#417690",
                        "data": [number(f.totals.compliance) for f in figures],
                    }
                ],
            },
            "satisfaction": {
                "type": "line",
                "series": [
                    {
                        "label": _("Average satisfaction (1 to 5)"),
                        "colour": "#e0a800",
                        "data": [number(f.totals.satisfaction) for f in figures],
                    }
                ],
            },
            "billed": {
                "type": "bar",
                "series": [
                    {
                        "label": _("Usage billed (USD)"),
                        "colour": "#79aec8",
                        "data": [str(f.totals.usage_billed) for f in figures],
                    },
                    {
                        "label": _("Service credits (USD)"),
                        "colour": "#ba2121",
                        "data": [str(f.totals.credits) for f in figures],
                    },
                ],
            },
        },
    }


def _filters(request: HttpRequest, scope: Agency | None) -> tuple[ScorecardFilterForm, ScorecardFilters]:
    form = ScorecardFilterForm(request.GET or None, scope=scope)
    return form, form.filters()


def _cells_for(filters: ScorecardFilters) -> QuerySet[ScorecardCell]:
    return selectors.cells(
        scope=filters.agency, months=filters.months, service_ids=filters.service_ids, module=filters.module
    )


def _csv_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(filters: ScorecardFilters, found: QuerySet[ScorecardCell]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = f"-{filters.agency.code.lower()}" if filters.agency is not None else ""
    name = f"scorecards{suffix}-{month_code(filters.months[0])}-{month_code(filters.months[-1])}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "month",
            "agency",
            "service",
            "module",
            "opened",
            "delivered",
            "met",
            "breached",
            "compliance_percent",
            "rated",
            "average_satisfaction",
            "usage_billed_usd",
            "credits_usd",
            "nonconformities_open",
            "actions_open",
            "actions_overdue",
        ]
    )
    for cell in found.order_by("month", "agency__code", "service__code"):
        writer.writerow(
            [
                _csv_text(value)
                for value in (
                    month_code(cell.month),
                    cell.agency.code,
                    cell.service.code,
                    cell.module,
                    cell.opened,
                    cell.delivered,
                    cell.met,
                    cell.breached,
                    selectors.compliance_of(cell.met, cell.breached) or "",
                    cell.rated,
                    selectors.satisfaction_of(cell.rating_total, cell.rated) or "",
                    cell.usage_billed,
                    cell.credits,
                    cell.nonconformities_open,
                    cell.actions_open,
                    cell.actions_overdue,
                )
            ]
        )
    return response


def scorecards(request: HttpRequest) -> HttpResponse:
    """The scorecards for the filters: the table, its totals, the trends, the agency months, the CSV."""
    scope = scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    form, filters = _filters(request, scope)
    found = _cells_for(filters)
    export = request.GET.get("export", "")
    if export == "csv":
        return _csv(filters, found)
    if export:
        return HttpResponseBadRequest(_("Unknown download; use csv."))
    rows, sort = CELL_SORTS.apply(request, _with_sort_figures(found))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    agency_months = selectors.agency_months(scope=filters.agency, months=filters.months)
    # One grouped query gives the trend, and its months' sums are the totals (no second pass over the cells).
    trend = selectors.trend(found, months=filters.months)
    agency_rows, agency_sort = AGENCY_MONTH_SORTS.apply(request, agency_months)
    query = {
        key: value
        for key, value in (
            ("month_from", month_code(filters.months[0])),
            ("month_to", month_code(filters.months[-1])),
            ("agency", filters.agency.code if filters.agency is not None and scope is None else ""),
            ("module", filters.module),
            ("service", filters.service.code if filters.service is not None else ""),
        )
        if value
    }
    context = {
        "form": form,
        "filters": filters,
        "scope": scope,
        "page": page,
        "sort": sort,
        "rows": [
            (cell, cell_url(agency_code=cell.agency.code, service_code=cell.service.code, month=cell.month))
            for cell in page
        ],
        "totals": selectors.totals_sum(line.totals for line in trend),
        "chart": _chart(trend),
        "agency_page": Paginator(agency_rows, PAGE_SIZE).get_page(request.GET.get("agency_page")),
        "agency_sort": agency_sort,
        "refreshed_at": selectors.refreshed_at(scope=filters.agency, months=filters.months),
        "may_refresh": scope is None and may_refresh_scorecards(request.user),
        "csv_query": urlencode({**query, "export": "csv"}),
        "query": query,
        "first_month": filters.months[0],
        "last_month": filters.months[-1],
    }
    return render(request, "accountability/scorecards/scorecards.html", context)


@require_POST
def scorecards_refresh(request: HttpRequest) -> HttpResponse:
    """ "Refresh now" (portal): the months the page showed, refreshed at once; back to the same filters."""
    scope = scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    if scope is not None:
        raise Http404
    form = ScorecardFilterForm(request.POST, scope=None)
    filters = form.filters()
    try:
        written = scorecards_refresh_now(months=filters.months, requested_by=request.user, now=timezone.now())
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(reverse("accountability:scorecards"))
    messages.success(
        request,
        _("The scorecards of %(first)s to %(last)s are refreshed (%(count)s cells).")
        % {
            "first": date_format(filters.months[0], "YEAR_MONTH_FORMAT"),
            "last": date_format(filters.months[-1], "YEAR_MONTH_FORMAT"),
            "count": written,
        },
    )
    query = {key: str(value) for key, value in request.POST.items() if key in form.fields and value}
    return redirect(reverse("accountability:scorecards") + (f"?{urlencode(query)}" if query else ""))


def scorecard_cell(request: HttpRequest, agency: str, service: str, month: str) -> HttpResponse:
    """One cell: its figures and the requests it counts as delivered, each linked to the request's page."""
    scope = scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    first = month_parse(month)
    if first is None:
        raise Http404("Not a month.")
    if scope is not None and agency != scope.code:
        raise Http404("Another agency's scorecard.")
    found_agency = scope or Agency.objects.agencies().filter(code=agency).first()
    found_service = Service.objects.filter(code=service).first()
    if found_agency is None or found_service is None:
        raise Http404("No such agency or service.")
    cell = selectors.cell_get(scope=scope, agency_code=agency, service_code=service, month=first)
    figures = selectors.totals([cell] if cell is not None else [])
    # The cell's figures are the agency's; its list of requests follows the ledger's rule for who sees which.
    sees_all = scope is None or sees_whole_agency(user=request.user, agency=scope)
    entries = selectors.cell_entries(
        agency=found_agency,
        service=found_service,
        month=first,
        person=None if sees_all else request.user,  # type: ignore[arg-type]
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "agency": found_agency,
        "service": found_service,
        "month": first,
        "cell": cell,
        "figures": figures,
        "page": page,
        "entries": [(entry, entry_url(entry.reference)) for entry in page],
        "scope": scope,
        "back_query": urlencode(
            {
                "month_from": month_code(first),
                "month_to": month_code(first),
                "service": found_service.code,
                **({"agency": found_agency.code} if scope is None else {}),
            }
        ),
    }
    return render(request, "accountability/scorecards/cell.html", context)


def process_scorecards(request: HttpRequest) -> HttpResponse:
    """Each quality process's performance (clause 4.4 c): its services' figures of every agency, per month."""
    scope = scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    if scope is not None:
        raise Http404
    form, filters = _filters(request, None)
    processes = Process.objects.filter(active=True).prefetch_related("services").order_by("code")
    cards = [selectors.process_scorecard(process=process, months=filters.months) for process in processes]
    return render(
        request,
        "accountability/scorecards/processes.html",
        {
            "form": form,
            "filters": filters,
            "cards": cards,
            "first_month": filters.months[0],
            "last_month": filters.months[-1],
        },
    )


facility_pages: list[URLPattern] = [
    path("scorecards/", scorecards, name="scorecards"),
    path("scorecards/refresh/", scorecards_refresh, name="scorecards-refresh"),
    path("scorecards/processes/", process_scorecards, name="process-scorecards"),
    path("scorecards/<str:agency>/<str:service>/<str:month>/", scorecard_cell, name="scorecard-cell"),
]
agency_pages: list[URLPattern] = [
    path("scorecards/", scorecards, name="scorecards"),
    path("scorecards/<str:agency>/<str:service>/<str:month>/", scorecard_cell, name="scorecard-cell"),
]
