"""Pages for the catalogue, calendars and agreements: everyone reads, the facility manager changes."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.decorators import facility_manager_required
from accounts.selectors import agency_scope, is_facility_manager
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from . import services
from .forms import (
    AgreementForm,
    CalendarForm,
    ClosureFormSet,
    OverrideFormSet,
    RevisionForm,
    ServiceForm,
    SpanFormSet,
    TargetFormSet,
)
from .models import Agreement, Calendar, Service
from .selectors import agreement_list, calendar_list, public_holidays, service_list


def _manager(request: HttpRequest) -> bool:
    return is_facility_manager(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]


# The lists' sortable columns (shared_platform.sorting): the order comes from the address, like a page number.
SERVICE_SORTS = Sorts(
    default="module",
    columns={
        "code": ("code",),
        "name": ("name", "code"),
        "module": ("module", "code"),
        "unit": ("billing_unit", "code"),
        "status": ("is_active", "code"),
    },
)
CALENDAR_SORTS = Sorts(default="name", columns={"name": ("name",), "zone": ("time_zone", "name")})
AGREEMENT_SORTS = Sorts(
    default="agency",
    columns={
        "reference": ("reference",),
        "agency": ("agency__code", "valid_from"),
        "from": ("valid_from", "agency__code"),
        "to": ("valid_to", "agency__code"),
        "calendar": ("calendar__name", "agency__code"),
    },
)


def catalogue(request: HttpRequest) -> HttpResponse:
    """The services the facility offers, with their default targets."""
    services_sorted, sort = SERVICE_SORTS.apply(request, service_list())
    page = Paginator(services_sorted, 25).get_page(request.GET.get("page"))
    context = {"page": page, "sort": sort, "can_edit": _manager(request)}
    return render(request, "service_levels/catalogue.html", context)


@facility_manager_required
def service_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    service = get_object_or_404(Service, code=code) if code else None
    initial: dict[str, Any] = {}
    targets_initial: list[dict[str, Any]] = []
    if service is not None:
        initial = {
            f: getattr(service, f) for f in ("code", "name", "module", "billing_unit", "description", "is_active")
        }
        targets_initial = [
            {"metric": t.metric, "priority": t.priority, "target": t.target_minutes} for t in service.targets.all()
        ]
    form = ServiceForm(request.POST or None, initial=initial)
    if service is not None:
        form.fields["code"].disabled = True
    targets = TargetFormSet(request.POST or None, initial=targets_initial, prefix="targets")
    status = 200
    if request.method == "POST":
        if form.is_valid() and targets.is_valid():
            chosen = [
                services.Target(metric=t["metric"], priority=t.get("priority") or "", minutes=t["target"])
                for t in targets.cleaned_data
                if t and not t.get("DELETE") and t.get("target")
            ]
            try:
                saved = services.service_save(service=service, targets=chosen, **form.cleaned_data)
            except ApplicationError as error:
                form_error_apply(form, error)
            else:
                messages.success(request, _("Saved %(code)s %(name)s.") % {"code": saved.code, "name": saved.name})
                return redirect("catalogue")
        status = 400
    return render(
        request,
        "service_levels/service_form.html",
        {"form": form, "targets": targets, "service": service},
        status=status,
    )


def calendars(request: HttpRequest) -> HttpResponse:
    rows, sort = CALENDAR_SORTS.apply(request, calendar_list())
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {"page": page, "sort": sort, "can_edit": _manager(request)}
    return render(request, "service_levels/calendars.html", context)


def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(Calendar, pk=pk)
    year = timezone.localdate().year
    with contextlib.suppress(ValueError):
        year = int(request.GET.get("year", year))
    year = min(max(year, 2000), 2100)
    context = {
        "calendar": calendar,
        "year": year,
        "holidays": public_holidays(calendar=calendar, year=year),
        "can_edit": _manager(request),
    }
    return render(request, "service_levels/calendar_detail.html", context)


@facility_manager_required
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    calendar = get_object_or_404(Calendar, pk=pk) if pk else None
    initial: dict[str, Any] = {"is_default": False}
    spans_initial: list[dict[str, Any]] = [
        {"weekday": day, "starts": start, "ends": end} for day, start, end in services.DEFAULT_WORKING_HOURS
    ]
    closures_initial: list[dict[str, Any]] = []
    if calendar is not None:
        initial = {f: getattr(calendar, f) for f in ("name", "time_zone", "country", "subdivision", "is_default")}
        spans_initial = [{"weekday": s.weekday, "starts": s.starts, "ends": s.ends} for s in calendar.spans.all()]
        closures_initial = [{"day": c.day, "name": c.name} for c in calendar.closures.all()]
    form = CalendarForm(request.POST or None, initial=initial)
    spans = SpanFormSet(request.POST or None, initial=spans_initial, prefix="spans")
    closures = ClosureFormSet(request.POST or None, initial=closures_initial, prefix="closures")
    status = 200
    if request.method == "POST":
        if form.is_valid() and spans.is_valid() and closures.is_valid():
            hours = [(s["weekday"], s["starts"], s["ends"]) for s in spans.cleaned_data if s and not s.get("DELETE")]
            days = [(c["day"], c["name"]) for c in closures.cleaned_data if c and not c.get("DELETE")]
            try:
                saved = services.calendar_save(
                    calendar=calendar, working_hours=hours, closures=days, **form.cleaned_data
                )
            except ApplicationError as error:
                form_error_apply(form, error)
            else:
                if calendar:
                    done = _("Saved calendar %(name)s. Open clocks under it are being recomputed.")
                else:
                    done = _("Saved calendar %(name)s.")
                messages.success(request, done % {"name": saved.name})
                return redirect("calendar", pk=saved.pk)
        status = 400
    context = {"form": form, "spans": spans, "closures": closures, "calendar": calendar}
    return render(request, "service_levels/calendar_form.html", context, status=status)


def agreements(request: HttpRequest) -> HttpResponse:
    """Facility staff: every agency's agreements. An agency's address: its own."""
    scope = agency_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    rows, sort = AGREEMENT_SORTS.apply(request, agreement_list(agency=scope))
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {"page": page, "sort": sort, "scope": scope, "can_edit": _manager(request)}
    return render(request, "service_levels/agreements.html", context)


def _agreement_visible(request: HttpRequest, pk: int) -> Agreement:
    scope = agency_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    agreement = agreement_list(agency=scope).filter(pk=pk).first()
    if agreement is None:
        raise Http404
    return agreement


def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_visible(request, pk)
    in_use = agreement.ledger_entries.exists()
    return render(
        request,
        "service_levels/agreement_detail.html",
        {"agreement": agreement, "in_use": in_use, "can_edit": _manager(request)},
    )


def _overrides(formset: Any) -> list[services.Override]:
    return [
        services.Override(
            service=o["service"], metric=o["metric"], priority=o.get("priority") or "", minutes=o["target"]
        )
        for o in formset.cleaned_data
        if o and not o.get("DELETE") and o.get("target")
    ]


def _override_initial(agreement: Agreement | None) -> list[dict[str, Any]]:
    if agreement is None:
        return []
    return [
        {"service": o.service.code, "metric": o.metric, "priority": o.priority, "target": o.target_minutes}
        for o in agreement.target_overrides.all()
    ]


@facility_manager_required
def agreement_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new agreement, or changes to one no request has used yet."""
    agreement = get_object_or_404(Agreement, pk=pk) if pk else None
    initial: dict[str, Any] = {"services": [s.service for s in agreement.services.all()]} if agreement else {}
    if agreement is None:
        initial["calendar"] = Calendar.objects.filter(is_default=True).first()
    form = AgreementForm(request.POST or None, instance=agreement, initial=initial)
    overrides = OverrideFormSet(request.POST or None, initial=_override_initial(agreement), prefix="overrides")
    status = 200
    if request.method == "POST":
        if form.is_valid() and overrides.is_valid():
            data = dict(form.cleaned_data)
            chosen = list(data.pop("services"))
            try:
                if agreement is None:
                    saved = services.agreement_create(services=chosen, overrides=_overrides(overrides), **data)
                else:
                    data.pop("agency")
                    saved = services.agreement_update(
                        agreement=agreement, services=chosen, overrides=_overrides(overrides), **data
                    )
            except ApplicationError as error:
                form_error_apply(form, error)
            else:
                messages.success(request, _("Saved agreement %(reference)s.") % {"reference": saved.reference})
                return redirect("agreement", pk=saved.pk)
        status = 400
    context = {"form": form, "overrides": overrides, "agreement": agreement}
    return render(request, "service_levels/agreement_form.html", context, status=status)


@facility_manager_required
def agreement_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version from a date; the current one ends the day before and keeps its requests."""
    agreement = get_object_or_404(Agreement, pk=pk)
    form = RevisionForm(request.POST or None)
    terms = AgreementForm(
        request.POST or None,
        instance=None,
        initial={
            **{
                f: getattr(agreement, f)
                for f in AgreementForm.Meta.fields
                if f not in ("reference", "valid_from", "valid_to")
            },
            "services": [s.service for s in agreement.services.all()],
            "agency": agreement.agency,
        },
        prefix="terms",
    )
    for name in ("agency", "reference", "valid_from", "valid_to"):
        del terms.fields[name]
    overrides = OverrideFormSet(request.POST or None, initial=_override_initial(agreement), prefix="overrides")
    status = 200
    if request.method == "POST":
        valid = form.is_valid() and terms.is_valid() and overrides.is_valid()
        if valid and request.POST.get("confirm") != "yes":
            # Ending the version in force cannot be undone: say what will happen, change nothing yet.
            effective_from = form.cleaned_data["effective_from"]
            context = {
                "agreement": agreement,
                "effective_from": effective_from,
                "ends_on": effective_from - timedelta(days=1),
                "reference": form.cleaned_data["reference"],
                # Everything the form sent goes back with the confirmation, but its own token and answer.
                "posted": [
                    (name, value)
                    for name, values in request.POST.lists()
                    for value in values
                    if name not in ("csrfmiddlewaretoken", "confirm")
                ],
            }
            return render(request, "service_levels/agreement_revise_confirm.html", context)
        if valid:
            data = dict(terms.cleaned_data)
            chosen = list(data.pop("services"))
            try:
                with transaction.atomic():
                    saved = services.agreement_revise(
                        agreement=agreement,
                        effective_from=form.cleaned_data["effective_from"],
                        reference=form.cleaned_data["reference"],
                        services=chosen,
                        overrides=_overrides(overrides),
                        **data,
                    )
            except ApplicationError as error:
                form_error_apply(form, error)
            else:
                messages.success(
                    request,
                    _("%(reference)s applies from %(day)s.")
                    % {"reference": saved.reference, "day": date_format(saved.valid_from, "DATE_FORMAT")},
                )
                return redirect("agreement", pk=saved.pk)
        status = 400
    context = {"form": form, "terms": terms, "overrides": overrides, "agreement": agreement}
    return render(request, "service_levels/agreement_revise.html", context, status=status)
