"""Helpdesk pages.

On an agency's address: the requester's tickets (an approver's: the agency's),
raising one, its page (conversation, SLA due times, reply, reopen, close,
rate) and the survey reached from the resolution e-mail.

On the facility portal: the agents' queue across agencies, a ticket's page
with every action, and the facility manager's matrix and categories. A ticket
is read and changed in its agency's schema, entered for that request only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import facility_manager_required
from ledger.models import EntryStatus
from ledger.selectors import entry_clocks
from service_levels.models import Category, Module, Urgency
from service_levels.selectors import category_list, priority_matrix
from service_levels.services import category_save, priority_matrix_save
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sort, Sorts

from . import services
from .downloads import attachment_response
from .forms import (
    AgencyTicketFilterForm,
    AssignForm,
    CategoryForm,
    PendingForm,
    PriorityMatrixForm,
    QueueFilterForm,
    RateForm,
    ReopenForm,
    ReplyForm,
    ReprioritiseForm,
    ResolveForm,
    TicketForm,
)
from .models import Ticket
from .selectors import (
    agency_ticket,
    attachments,
    conversation,
    is_helpdesk_agent,
    is_helpdesk_reader,
    may_see_ticket,
    queue,
    sees_whole_agency,
    survey_ticket,
    ticket_get,
    ticket_list,
)
from .services import reopen_deadline


def _files(request: HttpRequest) -> list[Any]:
    return request.FILES.getlist("attachments")


def _refused(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, error.message)


def _ticket_context(ticket: Ticket, *, include_internal: bool) -> dict[str, Any]:
    """What both pages of a ticket show; internal notes and their files only to the facility."""
    entry = ticket.entry
    return {
        "ticket": ticket,
        "entry": entry,
        "clocks": entry_clocks(entry=entry),
        "messages_list": conversation(ticket=ticket, include_internal=include_internal),
        "files": attachments(ticket=ticket, include_internal=include_internal).filter(message__isnull=True),
        "history": entry.events.select_related("actor").all(),
        "survey": ticket.survey if hasattr(ticket, "survey") else None,
        "reopen_deadline": reopen_deadline(entry),
    }


# -- an agency's address -------------------------------------------------------------------------


def _agency_side(request: HttpRequest) -> None:
    if request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404("Tickets are raised on the agency's own address.")
    if not request.user.is_authenticated:
        raise PermissionDenied


def _my_ticket(request: HttpRequest, reference: str) -> Ticket:
    """A ticket of this agency the person may see; 404 for anything else (never says whether it exists)."""
    _agency_side(request)
    ticket = ticket_get(reference=reference)
    if ticket is None or not may_see_ticket(user=request.user, ticket=ticket):
        raise Http404("No such ticket here.")
    return ticket


# The agency's list: newest first unless a column is chosen; "due" is the next due time of a running clock.
TICKET_SORTS = Sorts(
    default="-raised",
    columns={
        "reference": ("reference",),
        "subject": ("subject", "pk"),
        "category": ("category__name", "pk"),
        "priority": ("entry__priority", "created_at"),
        "status": ("entry__status", "created_at"),
        "due": ("next_due", "pk"),
        "raised": ("created_at", "pk"),
    },
)
QUEUE_SORTS = Sorts(
    default="due",
    columns={
        "reference": ("reference",),
        "agency": ("agency__code", "opened_at"),
        "priority": ("priority", "opened_at"),
        "status": ("status", "opened_at"),
        "due": ("overdue_since", "next_due", "opened_at"),
        "raised": ("opened_at", "pk"),
    },
)
# What the list's form may filter by: any of them set means an empty list "found nothing", not "has nothing".
FILTER_PARAMETERS = ("whose", "status", "q", "agency", "category", "priority", "assignee")


def _filtered(request: HttpRequest, *, defaults: dict[str, str] | None = None) -> bool:
    """Whether the person narrowed the list (a value other than the list's own default)."""
    defaults = defaults or {}
    return any(
        request.GET.get(name, defaults.get(name, "")) != defaults.get(name, "")
        for name in FILTER_PARAMETERS
        if name in request.GET
    )


def ticket_list_page(request: HttpRequest) -> HttpResponse:
    _agency_side(request)
    agency = request.tenant  # type: ignore[attr-defined]
    whole = sees_whole_agency(user=request.user, agency=agency)
    form = AgencyTicketFilterForm(request.GET or None, whole_agency=whole)
    tickets = ticket_list(user=request.user, agency=agency, filters=form.filters())  # type: ignore[arg-type]
    tickets, sort = TICKET_SORTS.apply(request, tickets)
    page = Paginator(tickets, 25).get_page(request.GET.get("page"))
    now = timezone.now()
    for ticket in page:
        ticket.overdue = bool(ticket.next_due and ticket.next_due < now)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "whole_agency": whole,
        "filtered": _filtered(request, defaults={"whose": "mine"}),
    }
    return render(request, "ict_helpdesk/ticket_list.html", context)


def ticket_new(request: HttpRequest) -> HttpResponse:
    _agency_side(request)
    form = TicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_raise(
                agency=request.tenant,  # type: ignore[attr-defined]
                requester=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                category=data["category"],
                impact=data["impact"],
                urgency=data["urgency"],
                subject=data["subject"],
                description=data["description"],
                files=data["attachments"],
            )
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            messages.success(
                request,
                _("Ticket %(reference)s raised. We e-mailed you a confirmation.") % {"reference": ticket.reference},
            )
            return redirect("helpdesk:ticket", ticket.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "ict_helpdesk/ticket_new.html", {"form": form}, status=status)


def ticket_page(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _my_ticket(request, reference)
    return _requester_page(request, ticket)


def _requester_page(
    request: HttpRequest, ticket: Ticket, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = _ticket_context(ticket, include_internal=False)
    entry = ticket.entry
    context |= {
        "reply_form": ReplyForm(),
        "reopen_form": ReopenForm(),
        "rate_form": RateForm(),
        "may_reply": entry.status not in (EntryStatus.CLOSED, EntryStatus.CANCELLED),
        "may_reopen": entry.status == EntryStatus.RESOLVED,
        "may_close": entry.status == EntryStatus.RESOLVED,
        "may_rate": entry.status in (EntryStatus.RESOLVED, EntryStatus.CLOSED) and context["survey"] is None,
        "as_agent": False,
        **(bound or {}),
    }
    return render(request, "ict_helpdesk/ticket_detail.html", context, status=status)


@require_POST
def ticket_reply(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _my_ticket(request, reference)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_reply(
                ticket=ticket,
                author=request.user,  # type: ignore[arg-type]
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("helpdesk:ticket", reference)
    return _requester_page(request, ticket, bound={"reply_form": form}, status=400)


@require_POST
def ticket_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _my_ticket(request, reference)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_reopen(ticket=ticket, actor=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            messages.success(
                request, _("%(reference)s is open again; the agent has been told.") % {"reference": reference}
            )
            return redirect("helpdesk:ticket", reference)
    return _requester_page(request, ticket, bound={"reopen_form": form}, status=400)


def _confirmed(request: HttpRequest) -> bool:
    """An irreversible step goes ahead only when its confirmation page was answered (no script: CSP)."""
    return request.POST.get("confirm") == "yes"


def _confirm_page(request: HttpRequest, ticket: Ticket, *, action: str, back: str) -> HttpResponse:
    return render(request, "ict_helpdesk/ticket_confirm.html", {"ticket": ticket, "action": action, "back": back})


@require_POST
def ticket_confirm_close(request: HttpRequest, reference: str) -> HttpResponse:
    """The requester confirms the fix; closing cannot be undone, so the page asks first."""
    ticket = _my_ticket(request, reference)
    if not _confirmed(request):
        return _confirm_page(request, ticket, action=request.path, back=reverse("helpdesk:ticket", args=[reference]))
    try:
        services.ticket_close(ticket=ticket, actor=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(reference)s is closed. Thank you.") % {"reference": reference})
    return redirect("helpdesk:ticket", reference)


@require_POST
def ticket_rate(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _my_ticket(request, reference)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_rate(
                ticket=ticket,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            messages.success(request, _("Thank you for rating the service."))
            return redirect("helpdesk:ticket", reference)
    return _requester_page(request, ticket, bound={"rate_form": form}, status=400)


def attachment_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    return attachment_response(ticket=_my_ticket(request, reference), pk=pk, include_internal=False)


@login_not_required
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey from the resolution e-mail: the signed link stands for the requester, and works once."""
    if request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404("Surveys are answered on the agency's address.")
    try:
        ticket = survey_ticket(token=token, schema_name=connection.schema_name)  # type: ignore[attr-defined]
    except ApplicationError as error:
        return render(request, "ict_helpdesk/survey.html", {"error": error.message}, status=error.status_code)
    form = RateForm(request.POST or None)
    context: dict[str, Any] = {"ticket": ticket, "form": form, "token": token}
    if hasattr(ticket, "survey"):
        context["done"] = ticket.survey
        return render(request, "ict_helpdesk/survey.html", context, status=200 if request.method == "GET" else 409)
    if request.method == "POST" and form.is_valid():
        try:
            context["done"] = services.ticket_rate(
                ticket=ticket, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"], by=None
            )
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            return render(request, "ict_helpdesk/survey.html", context)
    return render(request, "ict_helpdesk/survey.html", context, status=400 if request.method == "POST" else 200)


# -- the facility portal -------------------------------------------------------------------------


def _reader_check(request: HttpRequest) -> None:
    if not request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404("The queue is on the facility portal.")
    if not is_helpdesk_reader(user=request.user):
        raise PermissionDenied("Only the facility's staff work the helpdesk queue.")


def queue_page(request: HttpRequest) -> HttpResponse:
    _reader_check(request)
    form = QueueFilterForm(request.GET or None, me=request.user if is_helpdesk_agent(user=request.user) else None)  # type: ignore[arg-type]
    entries = queue(filters=form.filters())
    sort: Sort = QUEUE_SORTS.chosen(request)
    if sort != Sort("due", descending=False):  # the default keeps the queue's own order: overdue, then soonest due
        entries, sort = QUEUE_SORTS.apply(request, entries)
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "as_agent": is_helpdesk_agent(user=request.user),
        "filtered": _filtered(request, defaults={"status": "active"}),
    }
    return render(request, "ict_helpdesk/queue.html", context)


@contextmanager
def _agency_ticket(request: HttpRequest, reference: str) -> Iterator[Ticket]:
    """The ticket, with the connection in its agency's schema for as long as the page needs it."""
    _reader_check(request)
    with agency_ticket(reference=reference) as ticket:
        yield ticket


def _agent_page(
    request: HttpRequest, ticket: Ticket, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = _ticket_context(ticket, include_internal=True)
    entry = ticket.entry
    context |= {
        "as_agent": is_helpdesk_agent(user=request.user),
        "reply_form": ReplyForm(agent=True),
        "assign_form": AssignForm(),
        "priority_form": ReprioritiseForm(initial={"impact": ticket.impact, "urgency": ticket.urgency}),
        "pending_form": PendingForm(),
        "resolve_form": ResolveForm(),
        "reopen_form": ReopenForm(),
        "in_progress": entry.status in (EntryStatus.NEW, EntryStatus.OPEN, EntryStatus.PENDING),
        **(bound or {}),
    }
    return render(request, "ict_helpdesk/ticket_detail.html", context, status=status)


def agent_ticket(request: HttpRequest, reference: str) -> HttpResponse:
    with _agency_ticket(request, reference) as ticket:
        return _agent_page(request, ticket)


def agent_attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    with _agency_ticket(request, reference) as ticket:
        return attachment_response(ticket=ticket, pk=pk, include_internal=True)


# The agents' actions: each calls one service and says what happened, in the agent's language.


def _take(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_take(ticket=ticket, agent=user)
    return _("You took %(reference)s.") % {"reference": ticket.reference}


def _assign(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_assign(ticket=ticket, assignee=data["assignee"], actor=user)
    return _("%(reference)s assigned.") % {"reference": ticket.reference}


def _reply(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_reply(ticket=ticket, author=user, body=data["body"], internal=data["internal"], files=files)
    return _("Internal note added.") if data["internal"] else _("Reply sent to the requester.")


def _priority(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_reprioritise(
        ticket=ticket, actor=user, impact=data["impact"], urgency=data["urgency"], reason=data["reason"]
    )
    return _("Priority of %(reference)s updated; its targets follow.") % {"reference": ticket.reference}


def _pending(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_pending(ticket=ticket, actor=user, waiting_on=data["waiting_on"], reason=data["reason"])
    return _("%(reference)s is pending; its clocks are paused.") % {"reference": ticket.reference}


def _resume(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_resume(ticket=ticket, actor=user)
    return _("%(reference)s resumed; its clocks run again.") % {"reference": ticket.reference}


def _resolve(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_resolve(ticket=ticket, actor=user, resolution_note=data["resolution_note"])
    return _("%(reference)s resolved; the requester has been asked to rate it.") % {"reference": ticket.reference}


def _reopen(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_reopen(ticket=ticket, actor=user, reason=data["reason"])
    return _("%(reference)s reopened.") % {"reference": ticket.reference}


def _close(ticket: Ticket, user: Any, data: dict[str, Any], files: list[Any]) -> str:
    services.ticket_close(ticket=ticket, actor=user)
    return _("%(reference)s closed.") % {"reference": ticket.reference}


AgentAction = Callable[[Ticket, Any, dict[str, Any], list[Any]], str]

# action in the URL: (its form, or None when it takes no input; the form's name on the page; what it does)
ACTIONS: dict[str, tuple[type[forms.Form] | None, str, AgentAction]] = {
    "take": (None, "", _take),
    "assign": (AssignForm, "assign_form", _assign),
    "reply": (ReplyForm, "reply_form", _reply),
    "priority": (ReprioritiseForm, "priority_form", _priority),
    "pending": (PendingForm, "pending_form", _pending),
    "resume": (None, "", _resume),
    "resolve": (ResolveForm, "resolve_form", _resolve),
    "reopen": (ReopenForm, "reopen_form", _reopen),
    "close": (None, "", _close),
}


# Steps that cannot be undone: posted without the confirmation, they show what will happen and change nothing.
IRREVERSIBLE_ACTIONS = frozenset({"close"})


@require_POST
def agent_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    form_class, form_name, call = ACTIONS[action]
    with _agency_ticket(request, reference) as ticket:
        if not is_helpdesk_agent(user=request.user):
            raise PermissionDenied("Only the facility's ICT agents act on tickets.")
        if action in IRREVERSIBLE_ACTIONS and not _confirmed(request):
            back = reverse("helpdesk:agent-ticket", args=[reference])
            return _confirm_page(request, ticket, action=request.path, back=back)
        form: forms.Form | None = None
        if form_class is not None:
            if form_class is ReplyForm:
                form = ReplyForm(request.POST, request.FILES, agent=True)
            else:
                form = form_class(request.POST, request.FILES)
            if not form.is_valid():
                return _agent_page(request, ticket, bound={form_name: form}, status=400)
        try:
            done = call(ticket, request.user, form.cleaned_data if form else {}, _files(request) if form else [])
        except ApplicationError as error:
            if form is None:
                _refused(request, error)
                return redirect("helpdesk:agent-ticket", reference)
            form_error_apply(form, error)
            return _agent_page(request, ticket, bound={form_name: form}, status=error.status_code)
    messages.success(request, done)
    return redirect("helpdesk:agent-ticket", reference)


@facility_manager_required
def helpdesk_settings(request: HttpRequest) -> HttpResponse:
    """The facility manager's impact x urgency matrix and categories."""
    form = PriorityMatrixForm(request.POST or None, matrix=priority_matrix())
    if request.method == "POST" and form.is_valid():
        try:
            changed = priority_matrix_save(cells=form.cells())
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Matrix saved (%(count)d cell changed); new tickets use it.",
                    "Matrix saved (%(count)d cells changed); new tickets use it.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect("helpdesk:settings")
    context = {
        "form": form,
        "categories": category_list(module=Module.ICT),
        "urgencies": Urgency.labels,
    }
    return render(request, "ict_helpdesk/settings.html", context, status=400 if form.errors else 200)


@facility_manager_required
def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    category = Category.objects.filter(pk=pk, module=Module.ICT).first() if pk else None
    if pk and category is None:
        raise Http404("No such category.")
    initial = {"code": category.code, "name": category.name, "is_active": category.is_active} if category else None
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = category_save(category=category, module=Module.ICT, **form.cleaned_data)
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            messages.success(request, _("Category %(name)s saved.") % {"name": saved.name})
            return redirect(reverse("helpdesk:settings"))
    return render(
        request,
        "ict_helpdesk/category_form.html",
        {"form": form, "category": category},
        status=400 if form.errors else 200,
    )
