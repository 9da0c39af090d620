"""The DSA rate table and the allowance rules on the facility portal (/travel/rates/, /travel/settings/).

Every member of the facility's staff reads them (travel officers compute
trips with them, finance checks claims); the facility's travel officers and
manager import the ICSC table and set the rules. Anyone else on the portal
is refused (403); an agency's address has none of these pages (404). Views
read through selectors and write through services only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from tenants.models import Agency

from . import selectors, services
from .demo import SAMPLE
from .forms import AllowanceSettingsForm, ImportForm, RateFilterForm
from .rates_csv import COLUMNS, MAX_BYTES, MAX_ROWS

PAGE_SIZE = 25

RATE_SORTS = Sorts(
    default="country",
    columns={
        "country": ("location__country_name", "location__name"),
        "location": ("location__name", "location__country_name"),
        "rate": ("rate", "location__country_name", "location__name"),
        "room": ("room_percent", "location__country_name", "location__name"),
        "reduced": ("reduced_rate", "location__country_name", "location__name"),
        "from": ("effective_from", "location__country_name", "location__name"),
    },
)


# -- access -------------------------------------------------------------------------------


def _agency(request: HttpRequest) -> Agency:
    return request.tenant  # type: ignore[attr-defined,no-any-return]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _read_check(request: HttpRequest) -> None:
    if not selectors.may_read_rates(user=request.user, agency=_agency(request)):
        raise PermissionDenied(gettext("The DSA table is for the facility's staff."))


def _keep_check(request: HttpRequest) -> None:
    if not selectors.may_keep_rates(user=request.user, agency=_agency(request)):
        raise PermissionDenied(
            gettext("Only the facility's travel officers and manager change the DSA table and the allowance rules.")
        )


def _context(request: HttpRequest, **values: Any) -> dict[str, Any]:
    return {"may_keep": selectors.may_keep_rates(user=request.user, agency=_agency(request)), **values}


# -- the table ---------------------------------------------------------------------------------


def rates(request: HttpRequest) -> HttpResponse:
    """The rates in force on a day (today by default), searched, sortable by each column, 25 a page."""
    _read_check(request)
    form = RateFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    on = data.get("on") or today
    text = data.get("q") or ""
    rows, sort = RATE_SORTS.apply(request, selectors.rate_table(on=on, text=text))
    rows = rows.order_by(*rows.query.order_by, "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = selectors.latest_effective_date()
    context = _context(
        request,
        form=form,
        page=page,
        sort=sort,
        on=on,
        today=today,
        text=text,
        upcoming=latest if latest is not None and latest > on else None,
        tab="rates",
    )
    return render(request, "allowances/rates.html", context)


def location(request: HttpRequest, pk: int) -> HttpResponse:
    """One location's rates over time: every table it was in, the one in force today marked."""
    _read_check(request)
    found = selectors.location_get(pk=pk)
    if found is None:
        raise Http404(gettext("No such location."))
    today = timezone.localdate()
    history = list(selectors.location_rates(location=found))
    in_force = next((row for row in history if row.effective_from <= today), None)
    context = _context(request, location=found, history=history, in_force=in_force, today=today, tab="rates")
    return render(request, "allowances/location.html", context)


def sample(request: HttpRequest) -> FileResponse:
    """The sample table (ICSC style, two dates), to start a file from."""
    _read_check(request)
    response = FileResponse(SAMPLE.open("rb"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{SAMPLE.name}"'
    return response


# -- imports ------------------------------------------------------------------------------------


def rate_import(request: HttpRequest) -> HttpResponse:
    """Upload the ICSC table as CSV; then the report of what it did (imported, refused rows and why)."""
    _keep_check(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                done = services.dsa_table_import(file=upload, file_name=upload.name or "", by=_user(request))
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    gettext("%(imported)s rows imported, %(refused)s refused.")
                    % {"imported": done.rows_imported, "refused": done.rows_refused},
                )
                return redirect("allowances:import-report", pk=done.pk)
        else:
            status = 400
    context = _context(
        request,
        form=form,
        columns=COLUMNS,
        max_rows=MAX_ROWS,
        max_megabytes=MAX_BYTES // (1024 * 1024),
        tab="import",
    )
    return render(request, "allowances/import.html", context, status=status)


def imports(request: HttpRequest) -> HttpResponse:
    """Every import of the table: when, by whom, from which file, and how many rows each way."""
    _read_check(request)
    page = Paginator(selectors.import_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "allowances/imports.html", _context(request, page=page, tab="imports"))


def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """What one import did: its counts, and each refused row with its line and reason, 25 a page."""
    _read_check(request)
    found = selectors.import_get(pk=pk)
    if found is None:
        raise Http404(gettext("No such import."))
    page = Paginator(selectors.refused_rows(rate_import=found), PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(request, rate_import=found, page=page, tab="imports")
    return render(request, "allowances/import_report.html", context)


# -- the allowance rules ------------------------------------------------------------------------


def allowance_settings(request: HttpRequest) -> HttpResponse:
    """The meal shares, terminal expenses and long-stay threshold: read by the staff, set by the keepers."""
    _read_check(request)
    current = selectors.allowance_settings()
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    form = AllowanceSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        _keep_check(request)
        if form.is_valid():
            try:
                services.allowance_settings_update(by=_user(request), **form.cleaned_data)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, gettext("The allowance rules are saved."))
                return redirect("allowances:settings")
        else:
            status = 400
    context = _context(request, form=form, current=current, tab="settings")
    return render(request, "allowances/settings.html", context, status=status)
