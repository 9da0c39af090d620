"""Billing's pages.

On an agency's address, its finance officers see its issued invoices and
credit notes, the usage behind each line, and download PDF and CSV. On the
facility portal, facility finance (and, reading only, the facility manager
and the auditor) see every agency's, run a month with its progress shown
live, review drafts, issue, record payments, make credit notes, and keep the
price list, fixed costs, sharing keys and rates of exchange. Another agency's
invoice, PDF or CSV is "not found". Views read through selectors and write
through services only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sort, Sorts
from tenants.models import Agency

from . import selectors, services
from .downloads import credit_note_pdf_response, invoice_csv_response, invoice_pdf_response
from .forms import (
    AgencyBillingProfileForm,
    BillingSettingsForm,
    ConfirmForm,
    CreditNoteFilterForm,
    CreditNoteForm,
    ExchangeRateForm,
    FixedCostForm,
    InvoiceFilterForm,
    PaymentForm,
    PriceListForm,
    RunForm,
    SharingKeyForm,
)
from .models import BillingRun, CreditNote, FixedCost, Invoice, InvoiceStatus, LineKind, RunStatus

PAGE_SIZE = 25


# -- access ----------------------------------------------------------------------------


def _agency(request: HttpRequest) -> Agency:
    return request.tenant  # type: ignore[attr-defined,no-any-return]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _scope(request: HttpRequest) -> Agency | None:
    return selectors.billing_scope(user=request.user, agency=_agency(request))


def _finance_check(request: HttpRequest) -> None:
    if not selectors.is_facility_finance(user=request.user, agency=_agency(request)):
        raise PermissionDenied(gettext("Only facility finance may do this."))


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    invoice = selectors.invoice_get(pk=pk, scope=_scope(request))
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


def _context(request: HttpRequest, **values: Any) -> dict[str, Any]:
    agency = _agency(request)
    return {
        "is_finance": selectors.is_facility_finance(user=request.user, agency=agency),
        "may_keep_prices": selectors.may_keep_price_list(user=request.user, agency=agency),
        "on_facility": agency.is_facility,
        **values,
    }


# -- invoices ----------------------------------------------------------------------------


INVOICE_SORTS = Sorts(
    default="-month",
    columns={
        "number": ("number",),
        "agency": ("agency__code",),
        "month": ("month",),
        "status": ("status",),
        "total": ("total",),
        "issued": ("issued_at",),
        "due": ("due_on",),
    },
)
CREDIT_NOTE_SORTS = Sorts(
    default="-issued",
    columns={
        "number": ("number",),
        "agency": ("agency__code",),
        "invoice": ("invoice__number",),
        "issued": ("issued_at",),
        "amount": ("amount",),
    },
)


def _sorted(request: HttpRequest, rows: QuerySet, sorts: Sorts, *tie_breakers: str) -> tuple[QuerySet, Sort]:
    """The rows in the order the address asks for, then a fixed order among equals (pages never overlap)."""
    rows, sort = sorts.apply(request, rows)
    return rows.order_by(*rows.query.order_by, *tie_breakers), sort


def invoice_list(request: HttpRequest) -> HttpResponse:
    """Invoices in the caller's scope, with filters and sortable columns; on the portal, the run form and runs."""
    scope = _scope(request)
    form = InvoiceFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    invoices = selectors.invoice_list(
        scope=scope, month=data.get("month"), status=data.get("status") or "", agency_code=data.get("agency") or ""
    )
    invoices, sort = _sorted(request, invoices, INVOICE_SORTS, "-month", "agency__code", "-id")
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(
        request,
        page=page,
        form=form,
        sort=sort,
        filtered=any(data.get(name) for name in ("month", "status", "agency")),
        scope=scope,
        run_form=RunForm(initial={"month": selectors.current_month()}),
        runs=list(selectors.run_list()[:5]) if scope is None else [],
        credit_notes=list(selectors.credit_note_list(scope=scope)[:10]),
    )
    return render(request, "billing/invoice_list.html", context)


def _invoice_page(request: HttpRequest, invoice: Invoice, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    lines = list(selectors.invoice_lines(invoice=invoice))
    context = _context(
        request,
        invoice=invoice,
        usage_lines=[line for line in lines if line.kind == LineKind.USAGE],
        other_lines=[line for line in lines if line.kind != LineKind.USAGE],
        events=list(invoice.events.select_related("actor")),
        credit_note=getattr(invoice, "credit_note", None),
        payment_form=forms_.get("payment_form") or PaymentForm(),
        credit_note_form=forms_.get("credit_note_form") or CreditNoteForm(),
        facility=selectors.billing_settings(),
    )
    return render(request, "billing/invoice_detail.html", context, status=status)


def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_page(request, _invoice(request, pk))


def line_usage(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """The usage behind one line: each delivered request with its day and quantity."""
    invoice = _invoice(request, pk)
    line = invoice.lines.select_related("service").filter(pk=line_pk, kind=LineKind.USAGE).first()
    if line is None:
        raise Http404(gettext("No such line."))
    page = Paginator(selectors.usage_behind(line=line), 50).get_page(request.GET.get("page"))
    return render(request, "billing/line_usage.html", _context(request, invoice=invoice, line=line, page=page))


def invoice_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    if invoice.status == InvoiceStatus.DRAFT:
        raise Http404(gettext("A draft has no PDF; it is rendered when the invoice is issued."))
    return invoice_pdf_response(invoice)


def invoice_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice as CSV: one row per usage event behind each line, then shares and credits."""
    return invoice_csv_response(_invoice(request, pk))


def _confirm_page(request: HttpRequest, form: forms.Form, status: int = 200, **values: Any) -> HttpResponse:
    """What an irreversible step will do, said before it is done; the form carries the "I understand" box."""
    return render(request, "billing/confirm.html", _context(request, form=form, **values), status=status)


def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issuing takes the next gapless number for good: a GET says so and asks; the POST must confirm."""
    _finance_check(request)
    invoice = _invoice(request, pk)
    if invoice.status != InvoiceStatus.DRAFT:
        messages.info(request, gettext("%(invoice)s has already been issued.") % {"invoice": invoice.number})
        return redirect("billing:invoice", pk=pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return _confirm_page(
            request, form, status=400 if request.method == "POST" else 200, invoice=invoice, action="issue"
        )
    try:
        invoice = services.invoice_issue(invoice=invoice, issued_by=_user(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return _invoice_page(request, invoice, status=error.status_code)
    messages.success(
        request,
        gettext("Issued as %(number)s. Its PDF is being prepared for %(agency)s.")
        % {"number": invoice.number, "agency": invoice.agency.code},
    )
    return redirect("billing:invoice", pk=pk)


@require_POST
def invoice_pay(request: HttpRequest, pk: int) -> HttpResponse:
    _finance_check(request)
    invoice = _invoice(request, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _invoice_page(request, invoice, status=400, payment_form=form)
    try:
        services.invoice_pay(
            invoice=invoice,
            paid_by=_user(request),
            reference=form.cleaned_data["reference"],
            paid_on=form.cleaned_data["paid_on"],
        )
    except ApplicationError as error:
        form_error_apply(form, error)
        return _invoice_page(request, invoice, status=error.status_code, payment_form=form)
    messages.success(request, gettext("Payment of %(number)s recorded.") % {"number": invoice.number})
    return redirect("billing:invoice", pk=pk)


def credit_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A credit note cancels the invoice for good: a GET says so and asks; the POST carries the reason and the box."""
    _finance_check(request)
    invoice = _invoice(request, pk)
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
        messages.info(request, gettext("Only an issued or paid invoice can be cancelled by a credit note."))
        return redirect("billing:invoice", pk=pk)
    form = CreditNoteForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return _confirm_page(
            request, form, status=400 if request.method == "POST" else 200, invoice=invoice, action="credit"
        )
    try:
        note = services.credit_note_issue(invoice=invoice, reason=form.cleaned_data["reason"], issued_by=_user(request))
    except ApplicationError as error:
        form_error_apply(form, error)
        return _invoice_page(request, invoice, status=error.status_code, credit_note_form=form)
    messages.success(
        request,
        gettext("Credit note %(note)s issued; %(invoice)s is cancelled.")
        % {"note": note.number, "invoice": invoice.number},
    )
    return redirect("billing:invoice", pk=pk)


# -- credit notes ---------------------------------------------------------------------------


def credit_note_list(request: HttpRequest) -> HttpResponse:
    """Credit notes in the caller's scope; on the portal, filtered by agency; sortable columns."""
    scope = _scope(request)
    form = CreditNoteFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    notes = selectors.credit_note_list(scope=scope)
    if scope is None and data.get("agency"):
        notes = notes.filter(agency__code=data["agency"])
    notes, sort = _sorted(request, notes, CREDIT_NOTE_SORTS, "-issued_at", "-id")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(request, page=page, form=form, sort=sort, scope=scope, filtered=bool(data.get("agency")))
    return render(request, "billing/credit_note_list.html", context)


def credit_note_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    note: CreditNote | None = selectors.credit_note_get(pk=pk, scope=_scope(request))
    if note is None:
        raise Http404(gettext("No such credit note."))
    return credit_note_pdf_response(note)


# -- the monthly run (facility finance) ---------------------------------------------------------


@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    _finance_check(request)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = services.run_start(month=form.cleaned_data["month"], started_by=_user(request))
        except ApplicationError as error:
            form_error_apply(form, error)
        else:
            return redirect("billing:run", pk=run.pk)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, str(message))
    response = invoice_list(request)
    response.status_code = 400
    return response


def _run(request: HttpRequest, pk: int) -> BillingRun:
    if _scope(request) is not None:
        raise Http404(gettext("No such run."))
    run = selectors.run_get(pk=pk)
    if run is None:
        raise Http404(gettext("No such run."))
    return run


def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's progress, polled live from run_progress; then the month's drafts to review and issue."""
    run = _run(request, pk)
    drafts = selectors.drafts_of(month=run.month) if run.status == RunStatus.DONE else Invoice.objects.none()
    return render(request, "billing/run_detail.html", _context(request, run=run, drafts=drafts))


def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = _run(request, pk)
    return JsonResponse(selectors.run_progress(run=run))


def month_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue every draft of the run's month, once reviewed: a GET says what that does for good; the POST confirms."""
    _finance_check(request)
    run = _run(request, pk)
    drafts = list(selectors.drafts_of(month=run.month).order_by("agency__code"))
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if drafts and (request.method != "POST" or not form.is_valid()):
        return _confirm_page(
            request,
            form,
            status=400 if request.method == "POST" else 200,
            run=run,
            drafts=drafts,
            drafts_total=sum((draft.total for draft in drafts), Decimal("0")),
            action="issue-month",
        )
    issued = services.invoices_issue(month=run.month, issued_by=_user(request)) if drafts else []
    if issued:
        messages.success(
            request,
            ngettext(
                "%(count)d invoice issued: %(first)s.",
                "%(count)d invoices issued: %(first)s to %(last)s.",
                len(issued),
            )
            % {"count": len(issued), "first": issued[0].number, "last": issued[-1].number},
        )
    else:
        messages.info(request, gettext("There was no draft left to issue."))
    return redirect(f"{_list_url()}?month={run.month:%Y-%m}")


def _list_url() -> str:
    from django.urls import reverse

    return reverse("billing:invoices")


# -- price list, fixed costs, sharing keys, rates (facility portal) -------------------------------


def _facility_reader_check(request: HttpRequest) -> None:
    if _scope(request) is not None:
        raise PermissionDenied(gettext("Only the facility keeps these."))


def _form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    may_write: bool,
    template: str,
    save: Any,
    success: str,
    **context: Any,
) -> HttpResponse:
    """A list with its add form: a valid POST calls `save(form)` (a service); a refusal shows on the form."""
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(gettext("Only facility finance may change this."))
        if form.is_valid():
            try:
                save(form)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, success)
                return redirect(request.path)
        else:
            status = 400
    return render(request, template, _context(request, form=form, **context), status=status)


def price_list(request: HttpRequest) -> HttpResponse:
    _facility_reader_check(request)
    versions = list(selectors.price_list_versions())
    current = {item.service_id: item.unit_price for item in versions[0].items.all()} if versions else {}
    form = PriceListForm(request.POST or None, current=current)

    def save(form: PriceListForm) -> None:
        services.price_list_version_create(
            effective_from=form.cleaned_data["effective_from"],
            decision=form.cleaned_data["decision"],
            prices=form.prices(),
            notes=form.cleaned_data["notes"],
            created_by=_user(request),
        )

    return _form_page(
        request,
        form=form,
        may_write=selectors.may_keep_price_list(user=request.user, agency=_agency(request)),
        template="billing/price_list.html",
        save=save,
        success=gettext("The new price list is recorded."),
        versions=versions,
    )


def fixed_costs(request: HttpRequest) -> HttpResponse:
    _facility_reader_check(request)
    form = FixedCostForm(request.POST or None, initial={"month": selectors.current_month()})

    def save(form: FixedCostForm) -> None:
        services.fixed_cost_add(entered_by=_user(request), **form.cleaned_data)

    costs = selectors.fixed_costs()
    page = Paginator(costs, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = costs.values("month").annotate(total=models.Sum("amount")).order_by("-month")[:12]
    return _form_page(
        request,
        form=form,
        may_write=selectors.is_facility_finance(user=request.user, agency=_agency(request)),
        template="billing/fixed_costs.html",
        save=save,
        success=gettext("The fixed cost is recorded; the month's run shares it."),
        page=page,
        totals=totals,
    )


@require_POST
def fixed_cost_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _finance_check(request)
    cost = FixedCost.objects.filter(pk=pk).first()
    if cost is None:
        raise Http404(gettext("No such cost."))
    try:
        services.fixed_cost_remove(cost=cost, removed_by=_user(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The cost is removed."))
    return redirect("billing:fixed-costs")


def sharing_keys(request: HttpRequest) -> HttpResponse:
    _facility_reader_check(request)
    form = SharingKeyForm(request.POST or None)

    def save(form: SharingKeyForm) -> None:
        services.sharing_key_create(created_by=_user(request), **form.cleaned_data)

    return _form_page(
        request,
        form=form,
        may_write=selectors.is_facility_finance(user=request.user, agency=_agency(request)),
        template="billing/sharing_keys.html",
        save=save,
        success=gettext("The sharing key is recorded."),
        keys=list(selectors.sharing_keys()),
    )


def exchange_rates(request: HttpRequest) -> HttpResponse:
    _facility_reader_check(request)
    form = ExchangeRateForm(request.POST or None, initial={"month": selectors.current_month(), "currency": "BRL"})

    def save(form: ExchangeRateForm) -> None:
        services.exchange_rate_set(entered_by=_user(request), **form.cleaned_data)

    page = Paginator(selectors.exchange_rates(), PAGE_SIZE).get_page(request.GET.get("page"))
    return _form_page(
        request,
        form=form,
        may_write=selectors.is_facility_finance(user=request.user, agency=_agency(request)),
        template="billing/exchange_rates.html",
        save=save,
        success=gettext("The rate of exchange is recorded."),
        page=page,
    )


# -- the facility's billing settings and the agencies' billing profiles (facility portal) ---------------


def billing_settings(request: HttpRequest) -> HttpResponse:
    """What every invoice prints: the facility's legal name, address, bank details and payment terms; and each
    agency's billing address and reference. Facility finance changes them; the manager and the auditor read."""
    _facility_reader_check(request)
    current = selectors.billing_settings()
    initial = {name: getattr(current, name) for name in BillingSettingsForm.base_fields}
    form = BillingSettingsForm(request.POST or None, initial=initial)

    def save(form: BillingSettingsForm) -> None:
        services.billing_settings_update(updated_by=_user(request), **form.cleaned_data)

    return _form_page(
        request,
        form=form,
        may_write=selectors.is_facility_finance(user=request.user, agency=_agency(request)),
        template="billing/settings.html",
        save=save,
        success=gettext("The billing settings are saved; invoices issued from now on print them."),
        current=current,
        profiles=selectors.agency_billing_profiles(),
    )


def agency_billing_profile(request: HttpRequest, code: str) -> HttpResponse:
    """One agency's billing address, purchase-order or budget reference and finance contact."""
    _facility_reader_check(request)
    agency = next((agency for agency, _profile in selectors.agency_billing_profiles() if agency.code == code), None)
    if agency is None:
        raise Http404(gettext("No such agency."))
    profile = selectors.agency_billing_profile(agency=agency)
    initial = {name: getattr(profile, name) for name in AgencyBillingProfileForm.base_fields} if profile else {}
    form = AgencyBillingProfileForm(request.POST or None, initial=initial)

    def save(form: AgencyBillingProfileForm) -> None:
        services.agency_billing_profile_set(agency=agency, updated_by=_user(request), **form.cleaned_data)

    return _form_page(
        request,
        form=form,
        may_write=selectors.is_facility_finance(user=request.user, agency=_agency(request)),
        template="billing/agency_profile.html",
        save=save,
        success=gettext("%(agency)s's billing details are saved.") % {"agency": agency.code},
        billed_agency=agency,
        profile=profile,
    )
