"""The quality dashboard: where the facility's quality system stands, with a way into each part."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..access import reader_page_check
from ..models import NonconformitySource, NonconformityStatus, SuggestionStatus
from ..selectors.agenda import agenda_of
from ..selectors.dashboard import figures, nonconformities_per_month


def dashboard(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    months, series = nonconformities_per_month()
    colours: dict[str, str] = {
        NonconformitySource.SLA_BREACH.value: "#ba2121",
        NonconformitySource.LOW_RATING.value: "#e0a800",
        NonconformitySource.AUDIT.value: "#417690",
        NonconformitySource.COMPLAINT.value: "#79aec8",
        NonconformitySource.MANUAL.value: "#666666",
    }
    chart = {
        "labels": [date_format(month, "YEAR_MONTH_FORMAT") for month in months],
        "series": [
            {"label": str(NonconformitySource(source).label), "data": data, "colour": colours[source]}
            for source, data in series.items()
        ],
    }
    numbers = figures()
    context = {
        "figures": numbers,
        "nc_statuses": [
            (status.label, status.value, numbers.nonconformities_by_status[status]) for status in NonconformityStatus
        ],
        "suggestion_statuses": [
            (status.label, status.value, numbers.suggestions_by_status[status]) for status in SuggestionStatus
        ],
        "chart": chart,
        "chart_label": _("Nonconformities per month, by source"),
        "agenda": agenda_of(user=request.user)[:10],  # type: ignore[arg-type]
    }
    return render(request, "quality/dashboard.html", context)


pages = [path("", dashboard, name="dashboard")]
