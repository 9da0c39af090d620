"""Pages of the management review (ISO 9001:2015 clause 9.3), on the facility portal.

Every facility role reads the reviews (the read-only auditor too); the
quality focal point and the facility manager plan them, compile the pack,
record the meeting, its decisions and actions, and close them; an action's
owner records it done. Buttons and forms are shown only to those who may use
them; a crafted POST reaches the same refusal in the service. Views read
through selectors and write through services only.
"""

from __future__ import annotations

from datetime import datetime
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

from accounts.models import User
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from .. import access
from ..forms.reviews import OutcomeForm, OutputForm, ReviewFilterForm, ReviewHoldForm, ReviewPlanForm
from ..models import ManagementReview, OutputKind, OutputStatus, ReviewStatus
from ..pdf_review import review_pdf_response
from ..selectors import reviews as selectors
from ..services import reviews as services

PAGE_SIZE = 25
# Requests listed per nonconformity on the review page (an automatic one may hold many breaches).
REQUESTS_PER_NONCONFORMITY = 20
SORTS = Sorts(
    default="-period",
    columns={
        "reference": ("id",),
        "title": ("title",),
        "period": ("period_to", "period_from"),
        "meeting": ("meeting_on",),
        "status": ("status",),
        "chair": ("chair__first_name", "chair__email"),
        "open": ("actions_open",),
    },
)
# The history's stable action words, as people read them.
HISTORY_LABELS = {
    "planned": _("Planned"),
    "compiled": _("Pack compiled"),
    "held": _("Held: pack frozen, minutes recorded"),
    "closed": _("Closed"),
    "decision_added": _("Decision recorded"),
    "action_added": _("Action recorded"),
    "action_done": _("Action done"),
    "action_dropped": _("Action dropped"),
}


def _reader_check(request: HttpRequest) -> None:
    """A review page: the facility's staff on the portal (403 otherwise; never on an agency's address)."""
    if not request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404
    access.scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]


def _review(reference: str) -> ManagementReview:
    review = selectors.review_get(reference=reference)
    if review is None:
        raise Http404("No such management review.")
    return review


def review_list(request: HttpRequest) -> HttpResponse:
    _reader_check(request)
    filters = ReviewFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows, sort = SORTS.apply(request, selectors.review_list(status=chosen.get("status") or None))
    rows = rows.order_by(*rows.query.order_by, "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accountability/reviews/list.html",
        {"page": page, "sort": sort, "filters": filters, "may_keep": services.may_keep(request.user)},
    )


def review_new(request: HttpRequest) -> HttpResponse:
    _reader_check(request)
    if not services.may_keep(request.user):
        raise PermissionDenied(
            gettext("Only the quality focal point and the facility manager prepare and record the management review.")
        )
    form = ReviewPlanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                review = services.review_plan(by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    gettext("%(reference)s is planned. Compile its pack before the meeting.")
                    % {"reference": review.reference},
                )
                return redirect("accountability:review", reference=review.reference)
        else:
            status = 400
    return render(request, "accountability/reviews/form.html", {"form": form}, status=status)


def _discussed(review: ManagementReview) -> list[dict[str, Any]]:
    """The nonconformities the review discussed, each with the requests behind it (their chains)."""
    rows = []
    for nc in selectors.review_nonconformities(review=review):
        entries: dict[int, Any] = {}
        for breach in nc.breaches.select_related("entry").order_by("due_at", "pk")[:REQUESTS_PER_NONCONFORMITY]:
            entries.setdefault(breach.entry_id, breach.entry)
        for entry in nc.rated_entries.order_by("rated_at", "pk")[:REQUESTS_PER_NONCONFORMITY]:
            entries.setdefault(entry.pk, entry)
        rows.append({"nc": nc, "entries": list(entries.values())[:REQUESTS_PER_NONCONFORMITY]})
    return rows


def _history(review: ManagementReview) -> list[dict[str, Any]]:
    people = {
        user.pk: user
        for user in User.objects.filter(
            pk__in=[line.get("actor") for line in (review.pack or {}).get("history", []) if line.get("actor")]
        )
    }
    lines = []
    for line in (review.pack or {}).get("history", []):
        try:
            at = datetime.fromisoformat(line["at"])
        except (KeyError, TypeError, ValueError):
            at = None
        lines.append(
            {
                "at": at,
                "label": HISTORY_LABELS.get(line.get("action", ""), line.get("action", "")),
                "actor": people.get(line.get("actor")),
                "detail": line.get("detail", ""),
            }
        )
    return lines


def _detail_page(
    request: HttpRequest,
    review: ManagementReview,
    *,
    failed: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    keeps = services.may_keep(user)
    today = timezone.localdate()
    outputs = list(selectors.review_outputs(review=review))
    forms_shown: dict[str, forms.Form | None] = {
        "hold_form": ReviewHoldForm()
        if keeps and review.status == ReviewStatus.PLANNED and review.compiled_at
        else None,
        "output_form": OutputForm() if keeps and review.status == ReviewStatus.HELD else None,
    }
    if failed is not None:
        forms_shown[failed[0]] = failed[1]
    open_actions = [o for o in outputs if o.kind == OutputKind.ACTION and o.status == OutputStatus.OPEN]
    context = {
        "review": review,
        "sections": selectors.pack_sections(pack=review.pack),
        "decisions": [o for o in outputs if o.kind == OutputKind.DECISION],
        "actions": [
            {
                "output": output,
                "overdue": output.status == OutputStatus.OPEN and output.due_on is not None and output.due_on < today,
                "may_complete": services.may_complete(user=user, output=output),
                "may_drop": keeps and output.status == OutputStatus.OPEN and review.status == ReviewStatus.HELD,
            }
            for output in outputs
            if output.kind == OutputKind.ACTION
        ],
        "discussed": _discussed(review),
        "history": _history(review),
        "may_compile": keeps and review.status == ReviewStatus.PLANNED,
        "may_close": keeps and review.status == ReviewStatus.HELD and not open_actions,
        "close_blocked": keeps and review.status == ReviewStatus.HELD and bool(open_actions),
        **forms_shown,
    }
    return render(request, "accountability/reviews/detail.html", context, status=status)


def review_detail(request: HttpRequest, reference: str) -> HttpResponse:
    _reader_check(request)
    return _detail_page(request, _review(reference))


def _refused(request: HttpRequest, reference: str, error: ApplicationError) -> HttpResponse:
    messages.error(request, error.message)
    return _detail_page(request, _review(reference), status=error.status_code)


@require_POST
def review_compile(request: HttpRequest, reference: str) -> HttpResponse:
    _reader_check(request)
    review = _review(reference)
    try:
        services.review_pack_compile(review=review, by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        return _refused(request, reference, error)
    messages.success(request, gettext("The pack is compiled from the platform's records of the period."))
    return redirect("accountability:review", reference=review.reference)


def _form_step(
    request: HttpRequest, reference: str, *, form_class: Any, form_name: str, step: Any, done: str
) -> HttpResponse:
    """A form posted on the review's page: the service's refusal goes back onto that form, on the page."""
    _reader_check(request)
    review = _review(reference)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Please correct the errors below."))
        return _detail_page(request, review, failed=(form_name, form), status=400)
    try:
        step(review=review, by=request.user, **form.cleaned_data)
    except ApplicationError as error:
        form_error_apply(form, error)
        messages.error(request, error.message)
        return _detail_page(request, _review(reference), failed=(form_name, form), status=error.status_code)
    messages.success(request, done)
    return redirect("accountability:review", reference=review.reference)


@require_POST
def review_hold(request: HttpRequest, reference: str) -> HttpResponse:
    return _form_step(
        request,
        reference,
        form_class=ReviewHoldForm,
        form_name="hold_form",
        step=services.review_hold,
        done=gettext("The review is held: its pack is frozen. Record its decisions and actions."),
    )


@require_POST
def review_output_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _form_step(
        request,
        reference,
        form_class=OutputForm,
        form_name="output_form",
        step=services.review_output_add,
        done=gettext("Recorded."),
    )


def _output_step(request: HttpRequest, reference: str, pk: int, *, drop: bool) -> HttpResponse:
    _reader_check(request)
    review = _review(reference)
    output = selectors.output_get(review=review, pk=pk) if 0 < pk < 2**63 else None
    if output is None:
        raise Http404("No such decision or action.")
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say what was done, or why the action is dropped."))
        return _detail_page(request, review, status=400)
    try:
        if drop:
            services.review_output_drop(output=output, reason=form.cleaned_data["outcome"], by=request.user)  # type: ignore[arg-type]
        else:
            services.review_output_complete(output=output, outcome=form.cleaned_data["outcome"], by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        return _refused(request, reference, error)
    messages.success(request, gettext("The action is dropped.") if drop else gettext("The action is done."))
    return redirect("accountability:review", reference=review.reference)


@require_POST
def review_output_complete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _output_step(request, reference, pk, drop=False)


@require_POST
def review_output_drop(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _output_step(request, reference, pk, drop=True)


@require_POST
def review_close(request: HttpRequest, reference: str) -> HttpResponse:
    _reader_check(request)
    review = _review(reference)
    try:
        services.review_close(review=review, by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        return _refused(request, reference, error)
    messages.success(request, gettext("The review is closed: every action it decided is done or dropped."))
    return redirect("accountability:review", reference=review.reference)


def review_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    _reader_check(request)
    return review_pdf_response(review=_review(reference), reader=request.user)


pages = [
    path("reviews/", review_list, name="reviews"),
    path("reviews/new/", review_new, name="review-new"),
    path("reviews/<str:reference>/", review_detail, name="review"),
    path("reviews/<str:reference>/pdf/", review_pdf, name="review-pdf"),
    path("reviews/<str:reference>/compile/", review_compile, name="review-compile"),
    path("reviews/<str:reference>/hold/", review_hold, name="review-hold"),
    path("reviews/<str:reference>/outputs/", review_output_add, name="review-output-add"),
    path(
        "reviews/<str:reference>/outputs/<int:pk>/complete/",
        review_output_complete,
        name="review-output-complete",
    ),
    path("reviews/<str:reference>/outputs/<int:pk>/drop/", review_output_drop, name="review-output-drop"),
    path("reviews/<str:reference>/close/", review_close, name="review-close"),
]
