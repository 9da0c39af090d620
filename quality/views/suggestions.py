"""Pages of improvement suggestions (ISO 9001:2015 clause 10.3).

On the facility portal (`pages`): the review committee's board (the backlog,
to score first, then by score), a suggestion's page with the forms each
person may use (the committee scores and decides; the owner or the committee
works the steps and records the implementation), and the form to suggest.
Every facility role reads them; the read-only auditor sees no form.

On an agency's address (`agency_pages`): the suggestions this person made
there, with the committee's decision, reason and outcome, and the form to
suggest. Anything else is a 404 that never says whether it exists.
Views read through selectors and write through services only.
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
from django.views.decorators.http import require_POST

from accounts.models import User
from shared_platform.api import id_check
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from tenants.models import Agency

from ..access import COMMITTEE_ROLES, holds, read_check
from ..forms.suggestions import BoardFilterForm, DecisionForm, ImplementForm, ScoreForm, StepForm, SuggestionForm
from ..models import Suggestion, SuggestionStatus
from ..selectors import suggestions as selectors
from ..services import suggestions as services

PAGE_SIZE = 25
BOARD_SORTS = Sorts(
    default="-priority",
    columns={
        "priority": ("priority",),
        "reference": ("pk",),
        "title": ("title",),
        "process": ("process__code",),
        "from": ("agency__code",),
        "submitted": ("submitted_at",),
        "impact": ("impact",),
        "effort": ("effort",),
        "score": ("score",),
        "status": ("status",),
    },
)
# The words of a suggestion's history, as people read them.
ACTIONS = {
    "submitted": _("Suggested"),
    "scored": _("Scored"),
    "rescored": _("Scored again"),
    "accepted": _("Accepted"),
    "rejected": _("Not accepted"),
    "deferred": _("Deferred"),
    "steps_planned": _("Implementation steps planned"),
    "step_added": _("Step added"),
    "step_done": _("Step done"),
    "implemented": _("Implemented"),
}


# -- who may come here ----------------------------------------------------------------------------


def _facility(request: HttpRequest) -> Agency:
    agency: Agency = request.tenant  # type: ignore[attr-defined]
    if not agency.is_facility:
        raise Http404("The committee's board is on the facility portal.")
    try:
        read_check(request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        raise PermissionDenied(error.message) from error
    return agency


def _agency(request: HttpRequest) -> Agency:
    agency: Agency = request.tenant  # type: ignore[attr-defined]
    if agency.is_facility:
        raise Http404("One's own suggestions are on one's agency's address.")
    if not request.user.is_authenticated:
        raise PermissionDenied
    return agency


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _suggestion(reference: str) -> Suggestion:
    suggestion = selectors.suggestion_get(reference=reference)
    if suggestion is None:
        raise Http404("No such suggestion.")
    return suggestion


def _history(suggestion: Suggestion) -> list[dict[str, Any]]:
    return [
        {"event": event, "label": ACTIONS.get(event.action, event.action)}
        for event in selectors.suggestion_history(suggestion=suggestion)
    ]


# -- the facility portal: the committee's board ---------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    _facility(request)
    form = BoardFilterForm(request.GET or None)
    status, process_code = None, None
    if form.is_valid():
        status = form.cleaned_data["status"] or None
        process = form.cleaned_data["process"]
        process_code = process.code if process is not None else None
    rows = selectors.with_priority(selectors.suggestion_board(status=status, process_code=process_code))
    rows, sort = BOARD_SORTS.apply(request, rows)
    rows = rows.order_by(*rows.query.order_by, "submitted_at", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "sort": sort,
        "form": form,
        "may_suggest": services.may_suggest(user=_user(request), agency=None),
        "is_committee": holds(_user(request), COMMITTEE_ROLES),
    }
    return render(request, "quality/suggestions/board.html", context)


def _detail_page(
    request: HttpRequest, suggestion: Suggestion, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    is_committee = holds(user, COMMITTEE_ROLES)
    undecided = suggestion.status in services.UNDECIDED
    accepted = suggestion.status == SuggestionStatus.ACCEPTED
    implementer = accepted and (is_committee or (suggestion.owner_id == user.pk and holds(user, services.STAFF_ROLES)))
    bound = bound or {}
    steps = selectors.suggestion_steps(suggestion=suggestion)
    initial_score = {"impact": suggestion.impact, "effort": suggestion.effort} if suggestion.score else None
    context = {
        "suggestion": suggestion,
        "steps": steps,
        "steps_open": sum(1 for step in steps if step.done_at is None),
        "events": _history(suggestion),
        "score_form": (bound.get("score") or ScoreForm(initial=initial_score)) if is_committee and undecided else None,
        "decision_form": (bound.get("decide") or DecisionForm())
        if is_committee and undecided and suggestion.score is not None
        else None,
        "needs_score": is_committee and undecided and suggestion.score is None,
        "step_form": (bound.get("step") or StepForm()) if implementer else None,
        "implement_form": (bound.get("implement") or ImplementForm()) if implementer else None,
        "implementer": implementer,
    }
    return render(request, "quality/suggestions/detail.html", context, status=status)


def detail(request: HttpRequest, reference: str) -> HttpResponse:
    _facility(request)
    return _detail_page(request, _suggestion(reference))


def _act(request: HttpRequest, reference: str, key: str, form_class: type[forms.Form], act: Any) -> HttpResponse:
    """One committee or owner step from the suggestion's page: the form, the service, back to the page."""
    _facility(request)
    suggestion = _suggestion(reference)
    form = form_class(request.POST)
    if not form.is_valid():
        return _detail_page(request, suggestion, bound={key: form}, status=400)
    try:
        message = act(suggestion, form.cleaned_data)
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from error
        form_error_apply(form, error)
        return _detail_page(request, _suggestion(reference), bound={key: form}, status=error.status_code)
    messages.success(request, message)
    return redirect("quality:suggestion", reference=suggestion.reference)


@require_POST
def score(request: HttpRequest, reference: str) -> HttpResponse:
    def act(suggestion: Suggestion, data: dict[str, Any]) -> str:
        scored = services.suggestion_score(
            suggestion=suggestion, impact=data["impact"], effort=data["effort"], scored_by=_user(request)
        )
        return gettext("Scored %(score)d.") % {"score": scored.score}

    return _act(request, reference, "score", ScoreForm, act)


@require_POST
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    def act(suggestion: Suggestion, data: dict[str, Any]) -> str:
        decided = services.suggestion_decide(
            suggestion=suggestion,
            decision=data["decision"],
            reason=data["reason"],
            decided_by=_user(request),
            owner=data["owner"],
            due_on=data["due_on"],
            steps=data["steps"],
        )
        return gettext("Decided: %(status)s. The suggester is told, with your reason.") % {
            "status": decided.get_status_display().lower()
        }

    return _act(request, reference, "decide", DecisionForm, act)


@require_POST
def step_add(request: HttpRequest, reference: str) -> HttpResponse:
    def act(suggestion: Suggestion, data: dict[str, Any]) -> str:
        services.suggestion_step_add(suggestion=suggestion, description=data["description"], added_by=_user(request))
        return gettext("Step added.")

    return _act(request, reference, "step", StepForm, act)


@require_POST
def step_done(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    _facility(request)
    id_check(step_id)
    suggestion = _suggestion(reference)
    step = selectors.suggestion_step_get(suggestion=suggestion, step_id=step_id)
    if step is None:
        raise Http404("No such step.")
    try:
        services.suggestion_step_done(step=step, done_by=_user(request))
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
        return _detail_page(request, suggestion, status=error.status_code)
    messages.success(request, gettext("Step done."))
    return redirect("quality:suggestion", reference=suggestion.reference)


@require_POST
def implement(request: HttpRequest, reference: str) -> HttpResponse:
    def act(suggestion: Suggestion, data: dict[str, Any]) -> str:
        services.suggestion_implement(suggestion=suggestion, outcome=data["outcome"], implemented_by=_user(request))
        return gettext("Recorded as implemented. The suggester is told what was done.")

    return _act(request, reference, "implement", ImplementForm, act)


def _suggest_page(request: HttpRequest, agency: Agency | None, done: str) -> HttpResponse:
    user = _user(request)
    if not services.may_suggest(user=user, agency=agency):
        raise PermissionDenied(gettext("The auditor reads the suggestions; only the others make them."))
    form = SuggestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                suggestion = services.suggestion_submit(
                    process=form.cleaned_data["process"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    suggested_by=user,
                    agency=agency,
                )
            except ApplicationError as error:
                if error.status_code == 403:
                    raise PermissionDenied(error.message) from error
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    gettext("Thank you: %(reference)s goes to the review committee.")
                    % {"reference": suggestion.reference},
                )
                return redirect(done, reference=suggestion.reference)
        else:
            status = 400
    return render(
        request, "quality/suggestions/suggest.html", {"form": form, "on_agency": agency is not None}, status=status
    )


def suggest(request: HttpRequest) -> HttpResponse:
    _facility(request)
    return _suggest_page(request, None, "quality:suggestion")


# -- an agency's address: one's own suggestions ---------------------------------------------------


def my_suggestions(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    rows = selectors.suggestions_mine(user=_user(request), agency=agency)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/suggestions/mine.html",
        {"page": page, "may_suggest": services.may_suggest(user=_user(request), agency=agency)},
    )


def my_suggestion(request: HttpRequest, reference: str) -> HttpResponse:
    agency = _agency(request)
    suggestion = selectors.suggestion_mine_get(user=_user(request), agency=agency, reference=reference)
    if suggestion is None:
        raise Http404("No such suggestion of yours.")
    steps = selectors.suggestion_steps(suggestion=suggestion) if suggestion.status != SuggestionStatus.SUBMITTED else []
    return render(request, "quality/suggestions/mine_detail.html", {"suggestion": suggestion, "steps": steps})


def agency_suggest(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    return _suggest_page(request, agency, "quality:my-suggestion")


pages = [
    path("suggestions/", board, name="suggestions"),
    path("suggestions/new/", suggest, name="suggest"),
    path("suggestions/<str:reference>/", detail, name="suggestion"),
    path("suggestions/<str:reference>/score/", score, name="suggestion-score"),
    path("suggestions/<str:reference>/decide/", decide, name="suggestion-decide"),
    path("suggestions/<str:reference>/steps/", step_add, name="suggestion-step-add"),
    path("suggestions/<str:reference>/steps/<int:step_id>/done/", step_done, name="suggestion-step-done"),
    path("suggestions/<str:reference>/implement/", implement, name="suggestion-implement"),
]

agency_pages = [
    path("suggestions/", my_suggestions, name="my-suggestions"),
    path("suggestions/new/", agency_suggest, name="suggest"),
    path("suggestions/<str:reference>/", my_suggestion, name="my-suggestion"),
]
