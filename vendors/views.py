"""The roster's pages on the facility portal (/vendors/), and the method thresholds.

Facility procurement officers and the facility manager keep the roster (new
vendors, details, contacts, status, CSV import); the contracts committee and
the auditor read it. The facility manager alone sets an agency's thresholds.
Anyone else on the portal is refused (403); an agency's address has none of
these pages (404). Views read through selectors and write through services only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.models import User
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from sourcing.selectors.ratings import vendor_record, vendor_records
from tenants.models import Agency

from . import selectors, services
from .forms import CategoryForm, ContactForm, ImportForm, RosterFilterForm, StatusForm, ThresholdsForm, VendorForm
from .models import SupplyCategory, Vendor, VendorContact
from .roster_csv import COLUMNS, MAX_ROWS, OPTIONAL, REQUIRED, roster_csv, roster_template_csv

PAGE_SIZE = 25

ROSTER_SORTS = Sorts(
    default="name",
    columns={
        "name": ("legal_name", "pk"),
        "country": ("country", "legal_name"),
        "registration": ("registration_key",),
        "status": ("status", "legal_name"),
        "since": ("status_since", "legal_name"),
        "updated": ("updated_at",),
    },
)


# -- access -------------------------------------------------------------------------------


def _agency(request: HttpRequest) -> Agency:
    return request.tenant  # type: ignore[attr-defined,no-any-return]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _read_check(request: HttpRequest) -> None:
    if not selectors.may_read_roster(user=request.user, agency=_agency(request)):
        raise PermissionDenied(gettext("The vendor roster is for the facility's procurement officers."))


def _keep_check(request: HttpRequest) -> None:
    if not selectors.may_keep_roster(user=request.user, agency=_agency(request)):
        raise PermissionDenied(gettext("Only the facility's procurement officers and manager keep the roster."))


def _thresholds_check(request: HttpRequest) -> None:
    if not selectors.may_set_thresholds(user=request.user, agency=_agency(request)):
        raise PermissionDenied(gettext("Only the facility manager sets the method thresholds."))


def _vendor(pk: int) -> Vendor:
    vendor = selectors.vendor_get(pk=pk)
    if vendor is None:
        raise Http404(gettext("No such vendor."))
    return vendor


def _context(request: HttpRequest, **values: Any) -> dict[str, Any]:
    agency = _agency(request)
    return {
        "may_keep": selectors.may_keep_roster(user=request.user, agency=agency),
        "may_set_thresholds": selectors.may_set_thresholds(user=request.user, agency=agency),
        **values,
    }


# -- the roster ----------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[RosterFilterForm, dict[str, Any]]:
    form = RosterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "status": data.get("status") or "",
        "category": data.get("category") or "",
        "country": data.get("country") or "",
        "text": data.get("q") or "",
    }
    return form, filters


def roster(request: HttpRequest) -> HttpResponse:
    """The roster with filters (status, category, country, words), sortable columns, 25 a page."""
    _read_check(request)
    form, filters = _filtered(request)
    vendors, sort = ROSTER_SORTS.apply(request, selectors.vendor_list(**filters))
    vendors = vendors.order_by(*vendors.query.order_by, "pk")
    page = Paginator(vendors, PAGE_SIZE).get_page(request.GET.get("page"))
    records = vendor_records(vendor_ids=[vendor.pk for vendor in page])
    for vendor in page:
        vendor.record = records.get(vendor.pk)  # type: ignore[attr-defined]
    context = _context(
        request,
        form=form,
        page=page,
        sort=sort,
        filtered=any(filters.values()),
        counts=selectors.roster_counts(),
        countries=selectors.roster_countries(),
        export_query=request.GET.urlencode(),
    )
    return render(request, "vendors/roster.html", context)


def roster_export(request: HttpRequest) -> HttpResponse:
    """The roster (with the list's filters) as CSV, in the import's columns: edit it and import it back."""
    _read_check(request)
    _form, filters = _filtered(request)
    vendors = selectors.vendor_list(**filters).order_by("legal_name", "pk")
    response = HttpResponse(roster_csv(vendors), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="vendor-roster-{stamp}.csv"'
    return response


def roster_template(request: HttpRequest) -> HttpResponse:
    """An empty file with the header and one example row."""
    _read_check(request)
    response = HttpResponse(roster_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vendor-roster-template.csv"'
    return response


def vendor_detail(
    request: HttpRequest, pk: int, contact_form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    """A vendor: its details, the categories it supplies, its contacts, its status history, and its record
    across agencies (the receivers' ratings of its deliveries)."""
    _read_check(request)
    vendor = _vendor(pk)
    context = _context(
        request,
        vendor=vendor,
        history=list(selectors.vendor_history(vendor=vendor)),
        contacts=list(vendor.contacts.all()),
        categories=list(vendor.categories.all()),
        contact_form=contact_form or ContactForm(),
        record=vendor_record(vendor=vendor),
    )
    return render(request, "vendors/vendor_detail.html", context, status=status)


def _vendor_form_page(request: HttpRequest, vendor: Vendor | None) -> HttpResponse:
    _keep_check(request)
    initial = None
    if vendor is not None:
        initial = {
            name: getattr(vendor, name)
            for name in (
                "legal_name",
                "country",
                "registration_number",
                "email",
                "language",
                "contact_name",
                "phone",
                "address",
            )
        }
        initial["categories"] = list(vendor.categories.all())
    form = VendorForm(request.POST if request.method == "POST" else None, initial=initial, vendor=vendor)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            categories = data.pop("categories")
            try:
                if vendor is None:
                    saved = services.vendor_create(**data, categories=categories, created_by=_user(request))
                    messages.success(request, gettext("%(vendor)s is on the roster.") % {"vendor": saved.legal_name})
                else:
                    saved = services.vendor_update(
                        vendor=vendor, updated_by=_user(request), categories=categories, **data
                    )
                    messages.success(request, gettext("%(vendor)s is saved.") % {"vendor": saved.legal_name})
                return redirect("vendors:vendor", pk=saved.pk)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
        else:
            status = 400
    return render(request, "vendors/vendor_form.html", _context(request, form=form, vendor=vendor), status=status)


def vendor_new(request: HttpRequest) -> HttpResponse:
    return _vendor_form_page(request, None)


def vendor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _vendor_form_page(request, _vendor(pk))


def vendor_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend, declare ineligible or reinstate: a GET says what will happen and asks; the POST must confirm."""
    _keep_check(request)
    vendor = _vendor(pk)
    form = StatusForm(request.POST if request.method == "POST" else None, vendor=vendor)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.vendor_status_set(
                    vendor=vendor,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    effective_on=form.cleaned_data["effective_on"],
                    changed_by=_user(request),
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                vendor.refresh_from_db()
                messages.success(
                    request,
                    gettext("%(vendor)s is now %(status)s.")
                    % {"vendor": vendor.legal_name, "status": vendor.get_status_display().lower()},
                )
                return redirect("vendors:vendor", pk=pk)
        else:
            status = 400
    return render(request, "vendors/status_form.html", _context(request, vendor=vendor, form=form), status=status)


@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    _keep_check(request)
    vendor = _vendor(pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return vendor_detail(request, pk, contact_form=form, status=400)
    try:
        contact = services.contact_add(vendor=vendor, added_by=_user(request), **form.cleaned_data)
    except ApplicationError as error:
        form_error_apply(form, error)
        return vendor_detail(request, pk, contact_form=form, status=error.status_code)
    messages.success(request, gettext("%(name)s is added to the contacts.") % {"name": contact.name})
    return redirect("vendors:vendor", pk=pk)


@require_POST
def contact_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    _keep_check(request)
    vendor = _vendor(pk)
    contact = VendorContact.objects.filter(vendor=vendor, pk=contact_pk).first()
    if contact is None:
        raise Http404(gettext("No such contact."))
    services.contact_remove(contact=contact, removed_by=_user(request))
    messages.success(request, gettext("%(name)s is removed from the contacts.") % {"name": contact.name})
    return redirect("vendors:vendor", pk=pk)


def roster_import(request: HttpRequest) -> HttpResponse:
    """Import a CSV file and show what happened to each row: added, updated, unchanged, or refused and why."""
    _keep_check(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.vendors_import(
                    file=form.cleaned_data["file"], imported_by=_user(request), dry_run=form.cleaned_data["dry_run"]
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
        else:
            status = 400
    context = _context(
        request,
        form=form,
        report=report,
        required_columns=REQUIRED,
        optional_columns=OPTIONAL,
        columns=COLUMNS,
        max_rows=MAX_ROWS,
        categories=list(selectors.category_list(active_only=True)),
    )
    return render(request, "vendors/import.html", context, status=status)


# -- categories ------------------------------------------------------------------------------


def categories(request: HttpRequest) -> HttpResponse:
    """The supply categories, how many vendors supply each; keepers add categories and take them out of use."""
    _read_check(request)
    form = CategoryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        _keep_check(request)
        if form.is_valid():
            try:
                category = services.category_create(created_by=_user(request), **form.cleaned_data)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, gettext("Category %(code)s added.") % {"code": category.code})
                return redirect("vendors:categories")
        else:
            status = 400
    context = _context(request, form=form, categories=list(selectors.category_list()))
    return render(request, "vendors/categories.html", context, status=status)


@require_POST
def category_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a category out of use, or back into use."""
    _keep_check(request)
    category = SupplyCategory.objects.filter(pk=pk).first()
    if category is None:
        raise Http404(gettext("No such category."))
    services.category_update(
        category=category, name=category.name, is_active=not category.is_active, updated_by=_user(request)
    )
    if category.is_active:
        messages.success(request, gettext("Category %(code)s is in use again.") % {"code": category.code})
    else:
        messages.success(request, gettext("Category %(code)s is out of use.") % {"code": category.code})
    return redirect("vendors:categories")


# -- method thresholds ------------------------------------------------------------------------


def thresholds(request: HttpRequest) -> HttpResponse:
    """Each agency's thresholds in force today and the next change; the facility manager sets new values."""
    _read_check(request)
    today = timezone.localdate()
    overview = selectors.thresholds_overview(on=today)
    agencies = [row.agency for row in overview]
    chosen = request.GET.get("agency", "")
    form = ThresholdsForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies,
        initial={"agency": chosen} if chosen else None,
    )
    status = 200
    if request.method == "POST":
        _thresholds_check(request)
        if form.is_valid():
            data = form.cleaned_data
            agency = next(agency for agency in agencies if agency.code == data["agency"])
            try:
                services.thresholds_set(
                    agency=agency,
                    effective_from=data["effective_from"],
                    micro_purchase_max=data["micro_purchase_max"],
                    rfq_max=data["rfq_max"],
                    committee_above=data["committee_above"],
                    set_by=_user(request),
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    gettext("%(agency)s's thresholds are set from %(day)s.")
                    % {"agency": agency.code, "day": data["effective_from"].isoformat()},
                )
                return redirect("vendors:thresholds-agency", code=agency.code)
        else:
            status = 400
    context = _context(request, overview=overview, form=form, today=today)
    return render(request, "vendors/thresholds.html", context, status=status)


def thresholds_agency(request: HttpRequest, code: str) -> HttpResponse:
    """One agency's thresholds: in force today and every value they took, with who set them."""
    _read_check(request)
    agency = Agency.objects.agencies().filter(code=code.replace("\x00", "").upper()).first()
    if agency is None:
        raise Http404(gettext("No such agency."))
    today = timezone.localdate()
    context = _context(
        request,
        agency=agency,
        in_force=selectors.thresholds_in_force(agency=agency, on=today),
        history=list(selectors.thresholds_history(agency=agency)),
        today=today,
    )
    return render(request, "vendors/thresholds_agency.html", context)
