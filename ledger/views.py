"""SLA pages: the facility manager's dashboard (an agency's own on its address), its CSV, the request ledger."""

from __future__ import annotations

import csv
from datetime import timedelta
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from service_levels.selectors import describe_minutes

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
    return f"{text} overdue" if left < timedelta(0) else text


def dashboard(request: HttpRequest) -> HttpResponse:
    """Compliance per agency x service x month, what is at risk now, recent breaches; filters, charts, CSV."""
    scope = request_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    form = LedgerFilterForm(request.GET or None, scope=scope)
    filters = form.filters()
    export = request.GET.get("export")
    if export:
        return _export(export, filters)
    report = compliance_report(filters=filters)
    by_month = compliance_by(report, "month")
    by_agency = compliance_by(report, "agency")
    risks = at_risk(filters=filters)
    satisfaction = satisfaction_report(filters=filters)
    charts = {
        "months": {
            "labels": [label for label, *_ in by_month],
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
        "report_page": Paginator(report, 25).get_page(request.GET.get("report_page")),
        "totals": _totals(report),
        "risk_page": Paginator([(risk, describe_left(risk.left)) for risk in risks], 25).get_page(
            request.GET.get("risk_page")
        ),
        "breach_page": Paginator(breach_list(filters=filters), 25).get_page(request.GET.get("breach_page")),
        "charts": charts,
        "has_data": bool(report),
        "satisfaction_page": Paginator(satisfaction, 25).get_page(request.GET.get("satisfaction_page")),
        "satisfaction_average": satisfaction_average(satisfaction),
        "satisfaction_ratings": sum(row.ratings for row in satisfaction),
    }
    return render(request, "ledger/dashboard.html", context)


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
    raise Http404("Unknown export; use compliance, at_risk, breaches or satisfaction.")


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
    entries = entry_list(filters=filters, status=status)
    return render(
        request,
        "ledger/request_list.html",
        {
            "form": form,
            "scope": scope.agency,
            "only_mine": scope.person is not None,
            "page": Paginator(entries, 25).get_page(request.GET.get("page")),
        },
    )


def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    scope = request_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    entry = entry_get(reference=reference, agency=scope.agency, person=scope.person)
    if entry is None:
        raise Http404
    context = {"entry": entry, "scope": scope.agency, "clocks": entry_clocks(entry=entry)}
    return render(request, "ledger/request_detail.html", context)
