"""Customer feedback (clause 9.1.2): the requesters' ratings with their comments, for the facility's staff.

The quality focal point reads each rating with its comment, the request,
the service and the agency; a complaint in it can open a nonconformity
("Raise a nonconformity from this complaint").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from service_levels.models import Service
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from tenants.models import Agency

from ..access import reader_page_check
from ..forms.nonconformities import ComplaintForm
from ..selectors import feedback as selectors
from ..services import feedback as services
from .nonconformities import may_raise

PAGE_SIZE = 25
SORTS = Sorts(
    default="-at",
    columns={
        "at": ("at",),
        "rating": ("rating",),
        "request": ("entry__reference",),
        "agency": ("agency__code",),
        "service": ("service__code",),
    },
)
CHART_HEIGHT = 100


class FeedbackFilterForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"), choices=[], required=False)
    service = forms.ChoiceField(label=_("Service"), choices=[], required=False)
    low = forms.BooleanField(label=_("Only ratings of 1 or 2"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [  # type: ignore[attr-defined]
            ("", _("Any agency")),
            *((agency.code, agency.code) for agency in Agency.objects.agencies().order_by("code")),
        ]
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", _("Any service")),
            *((service.code, f"{service.code} {service.name}") for service in Service.objects.order_by("code")),
        ]


def _chart(months: list[selectors.MonthAverage]) -> list[dict[str, Any]]:
    """The bars of the average-per-month chart, drawn as SVG by the template (no script, no inline style)."""
    width = 40
    return [
        {
            "month": row.month,
            "average": row.average,
            "ratings": row.ratings,
            "x": index * width + 4,
            "height": int(row.average * CHART_HEIGHT / 5),
            "y": CHART_HEIGHT - int(row.average * CHART_HEIGHT / 5) + 14,
        }
        for index, row in enumerate(months)
    ]


def feedback_list(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    filters = FeedbackFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.feedback_list(
        agency_code=chosen.get("agency") or None,
        service_code=chosen.get("service") or None,
        low_only=bool(chosen.get("low")),
    )
    bars = _chart(selectors.feedback_monthly_average(rows=rows))
    rows, sort = SORTS.apply(request, rows)
    rows = rows.order_by(*rows.query.order_by, "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/feedback/list.html",
        {
            "page": page,
            "sort": sort,
            "filters": filters,
            "bars": bars,
            "chart_width": len(bars) * 40 + 8,
            "chart_height": CHART_HEIGHT + 34,
            "may_raise": may_raise(request.user),
        },
    )


def feedback_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Raise a nonconformity from this complaint": the feedback's request, agency and service go with it."""
    reader_page_check(request.user)  # type: ignore[arg-type]
    if not may_raise(request.user):
        raise PermissionDenied(
            gettext("Only the quality focal point, the facility manager and internal auditors raise nonconformities.")
        )
    feedback = selectors.feedback_get(pk=pk)
    if feedback is None:
        raise Http404("No such feedback.")
    initial = {
        "title": gettext("Complaint from %(agency)s about %(request)s")
        % {"agency": feedback.agency.code, "request": feedback.entry.reference}
    }
    form = ComplaintForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                nonconformity = services.feedback_complaint_raise(
                    feedback=feedback,
                    raised_by=request.user,  # type: ignore[arg-type]
                    **form.cleaned_data,
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    gettext("%(reference)s is raised from the complaint.") % {"reference": nonconformity.reference},
                )
                return redirect("quality:nonconformity", reference=nonconformity.reference)
        else:
            status = 400
    return render(request, "quality/nonconformities/form.html", {"form": form, "feedback": feedback}, status=status)


pages = [
    path("feedback/", feedback_list, name="feedback"),
    path("feedback/<int:pk>/complaint/", feedback_complaint, name="feedback-complaint"),
]
