"""SLA pages: the facility manager's dashboard (an agency's own on its address), its CSV, the request ledger."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from service_levels.selectors import describe_minutes
from shared_platform.sorting import Sorts

from .forms import LedgerFilterForm, RequestFilterForm
from .selectors import (
    AtRisk,
    at_risk,
    breach_list,
    compliance_by,
    compliance_percent,
    compliance_report,
    entry_clocks,
    entry_get,
    entry_list,
    request_scope,
    satisfaction_average,
    satisfaction_report,
)


def describe_left(left: timedelta) -> str:
    """Business time left for people: '2 h 15 min', or '40 min overdue'."""
    text = describe_minutes(int(abs(left).total_seconds() // 60))
    return _("%(time)s overdue") % {"time": text} if left < timedelta(0) else text


# The dashboard's tables and the request list: each column sortable from the address, filters kept.
COMPLIANCE_SORTS = Sorts(
    default="-month",
    param="report_sort",
    columns={
        "month": ("month", "agency_code", "service_code"),
        "agency": ("agency_code", "month", "service_code"),
        "service": ("service_code", "month", "agency_code"),
        "met": ("met",),
        "breached": ("breached",),
        "percent": ("percent",),
    },
)
RISK_SORTS = Sorts(
    default="left",
    param="risk_sort",
    columns={
        "reference": ("clock.entry.reference",),
        "agency": ("clock.entry.agency.code", "left"),
        "service": ("clock.entry.service.code", "left"),
        "priority": ("clock.entry.priority", "left"),
        "due": ("clock.due_at",),
        "left": ("left",),
    },
)
BREACH_SORTS = Sorts(
    default="-due",
    param="breach_sort",
    columns={
        "reference": ("entry__reference", "pk"),
        "agency": ("agency__code", "due_at"),
        "service": ("service__code", "due_at"),
        "due": ("due_at", "pk"),
    },
)
SATISFACTION_SORTS = Sorts(
    default="-month",
    param="satisfaction_sort",
    columns={
        "month": ("month", "agency_code"),
        "agency": ("agency_code", "month"),
        "ratings": ("ratings",),
        "average": ("average",),
    },
)
REQUEST_SORTS = Sorts(
    default="-opened",
    columns={
        "reference": ("reference", "pk"),
        "title": ("title", "pk"),
        "agency": ("agency__code", "opened_at"),
        "service": ("service__code", "opened_at"),
        "priority": ("priority", "opened_at"),
        "status": ("status", "opened_at"),
        "opened": ("opened_at", "pk"),
        "delivered": ("completed_at", "pk"),
    },
)


def dashboard(request: HttpRequest) -> HttpResponse:
    """Compliance per agency x service x month, what is at risk now, recent breaches; filters, charts, CSV."""
    scope = request_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    form = LedgerFilterForm(request.GET or None, scope=scope)
    filters = form.filters()
    export = request.GET.get("export")
    if export:
        return _export(export, filters)
    report = compliance_report(filters=filters)
    report_rows, report_sort = COMPLIANCE_SORTS.apply_list(request, report)
    risk_rows, risk_sort = RISK_SORTS.apply_list(request, at_risk(filters=filters))
    breaches, breach_sort = BREACH_SORTS.apply(request, breach_list(filters=filters))
    by_month = compliance_by(report, "month")
    by_agency = compliance_by(report, "agency")
    satisfaction = satisfaction_report(filters=filters)
    satisfaction_rows, satisfaction_sort = SATISFACTION_SORTS.apply_list(request, satisfaction)
    charts = {
        # The charts' words travel with their figures, in the reader's language (ledger/static/ledger/dashboard.js).
        "words": {"met": _("Met"), "breached": _("Breached"), "compliance": _("Compliance %")},
        "months": {
            "labels": [_month_label(label) for label, *_rest in by_month],
            "met": [met for _l, met, _b, _p in by_month],
            "breached": [breached for _l, _m, breached, _p in by_month],
        },
        "agencies": {"labels": [label for label, *_ in by_agency], "percent": [float(p) for *_x, p in by_agency]},
    }
    context = {
        "form": form,
        "filters": filters,
        "scope": scope.agency,
        "only_mine": scope.person is not None,
        "report_page": Paginator(report_rows, 25).get_page(request.GET.get("report_page")),
        "report_sort": report_sort,
        "totals": _totals(report),
        "risk_page": Paginator([(risk, describe_left(risk.left)) for risk in risk_rows], 25).get_page(
            request.GET.get("risk_page")
        ),
        "risk_sort": risk_sort,
        "breach_page": Paginator(breaches, 25).get_page(request.GET.get("breach_page")),
        "breach_sort": breach_sort,
        "charts": charts,
        "has_data": bool(report),
        "satisfaction_page": Paginator(satisfaction_rows, 25).get_page(request.GET.get("satisfaction_page")),
        "satisfaction_sort": satisfaction_sort,
        "satisfaction_average": satisfaction_average(satisfaction),
        "satisfaction_ratings": sum(row.ratings for row in satisfaction),
    }
    return render(request, "ledger/dashboard.html", context)


def _month_label(label: object) -> str:
    """A month of the chart ("2026-01") as the reader's language writes it: "janvier 2026", "enero de 2026"."""
    try:
        return date_format(date.fromisoformat(f"{label}-01"), "YEAR_MONTH_FORMAT")
    except ValueError:
        return str(label)


def _totals(report: list) -> dict[str, object]:
    met = sum(row.met for row in report)
    breached = sum(row.breached for row in report)
    percent = compliance_percent(met, breached) if met + breached else None
    return {"met": met, "breached": breached, "total": met + breached, "percent": percent}


def _csv_response(name: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response, csv.writer(response)


def _export(section: str, filters) -> HttpResponse:  # type: ignore[no-untyped-def]
    """The rows the dashboard shows, as CSV: compliance, at-risk or breaches, with the same filters."""
    start, end = filters.period()
    suffix = (filters.agency.code.lower() + "-") if filters.agency else ""
    period = f"{start:%Y-%m}" if filters.month else f"{start:%Y-%m}-to-{end - timedelta(days=1):%Y-%m}"
    if section == "compliance":
        response, writer = _csv_response(f"sla-compliance-{suffix}{period}.csv")
        writer.writerow(["month", "agency", "service", "met", "breached", "total", "compliance_percent"])
        for row in compliance_report(filters=filters):
            writer.writerow(
                [f"{row.month:%Y-%m}", row.agency_code, row.service_code, row.met, row.breached, row.total, row.percent]
            )
        return response
    if section == "at_risk":
        response, writer = _csv_response(f"sla-at-risk-{suffix}{timezone.localdate():%Y-%m-%d}.csv")
        writer.writerow(
            ["reference", "agency", "service", "priority", "metric", "due_at", "business_minutes_left", "assignee"]
        )
        for risk in at_risk(filters=filters):
            writer.writerow(_risk_row(risk))
        return response
    if section == "breaches":
        response, writer = _csv_response(f"sla-breaches-{suffix}{period}.csv")
        writer.writerow(["reference", "agency", "service", "metric", "due_at", "recorded_at", "held_by"])
        for breach in breach_list(filters=filters):
            writer.writerow(
                [
                    breach.entry.reference,
                    breach.agency.code,
                    breach.service.code,
                    breach.metric,
                    timezone.localtime(breach.due_at).isoformat(),
                    timezone.localtime(breach.recorded_at).isoformat(),
                    breach.held_by,
                ]
            )
        return response
    if section == "satisfaction":
        response, writer = _csv_response(f"satisfaction-{suffix}{period}.csv")
        writer.writerow(["month", "agency", "ratings", "average"])
        for rating in satisfaction_report(filters=filters):
            writer.writerow([f"{rating.month:%Y-%m}", rating.agency_code, rating.ratings, rating.average])
        return response
    raise Http404(_("Unknown export; use compliance, at_risk, breaches or satisfaction."))


def _risk_row(risk: AtRisk) -> list[object]:
    entry = risk.entry
    due = risk.clock.due_at
    return [
        entry.reference,
        entry.agency.code,
        entry.service.code,
        entry.priority,
        risk.clock.metric,
        timezone.localtime(due).isoformat() if due else "",
        int(risk.left.total_seconds() // 60),
        entry.assignee.email if entry.assignee else "",
    ]


def request_list(request: HttpRequest) -> HttpResponse:
    """The ledger: every request (facility staff) or the agency's own, newest first, filtered and paged."""
    scope = request_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    form = RequestFilterForm(request.GET or None, scope=scope)
    filters = form.filters()
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    entries, sort = REQUEST_SORTS.apply(request, entry_list(filters=filters, status=status))
    return render(
        request,
        "ledger/request_list.html",
        {
            "form": form,
            "scope": scope.agency,
            "only_mine": scope.person is not None,
            "filtered": bool(
                form.is_bound and any(value for name, value in request.GET.items() if name in form.fields)
            ),
            "page": Paginator(entries, 25).get_page(request.GET.get("page")),
            "sort": sort,
        },
    )


def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    scope = request_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    entry = entry_get(reference=reference, agency=scope.agency, person=scope.person)
    if entry is None:
        raise Http404
    context = {"entry": entry, "scope": scope.agency, "clocks": entry_clocks(entry=entry)}
    return render(request, "ledger/request_detail.html", context)
