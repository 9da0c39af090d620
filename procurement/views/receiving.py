"""Pages after the order: receipts, the vendor's invoices and the three-way match, payables.

On an agency's address (namespace "procurement"):

- `orders`: the purchase orders in force, with how much was received and whether they are invoiced; the
  agency's approvers and finance officers see all of them, anyone else the ones of their requisitions
  and the ones they received (the requisitions' visibility rule).
- `order`: the order's lines with what was ordered, received and invoiced; its receipts and their files;
  its invoices with the match's result; "Record a receipt", "Rate the vendor" and "Record the vendor's
  invoice", each offered only to who may, and otherwise saying why.
- `invoices`, `invoice` (release with a justification), `payables-csv`, `match-settings`: the agency's
  finance officers (approvers read).

On the facility portal: `invoices` across agencies (read in each agency's schema), `facility-invoice`
(release) and `facility-invoice-new` (record the vendor's invoice against an agency's order), for the
facility's finance staff (the manager and the auditor read).

Anything a person may not read is a 404 that never says whether it exists; every change is one service
call, and a refusal is shown on the form it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.selectors import sees_whole_agency
from shared_platform.api import id_check
from shared_platform.attachments import file_download_response
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from sourcing.models import VendorRating
from sourcing.services.ratings import vendor_rating_record
from tenants.models import Agency

from .. import receiving
from .. import receiving_selectors as selectors
from ..csv_payables import payables_csv_response
from ..forms.receiving import (
    FacilityInvoiceFilterForm,
    FacilityOrderForm,
    InvoiceFilterForm,
    InvoiceForm,
    MatchSettingsForm,
    OrderFilterForm,
    OverrideForm,
    PayablesForm,
    RatingForm,
    ReceiptForm,
)
from ..models import PurchaseOrder, ReceiptAttachment, SupplierInvoice

PAGE_SIZE = 25


# -- who may come here ---------------------------------------------------------------------------------


def _agency(request: HttpRequest) -> Agency:
    """The agency whose address this is: its orders are received and invoiced there."""
    agency: Agency = request.tenant  # type: ignore[attr-defined]
    if agency.is_facility:
        raise Http404("Orders are received on the agency's own address.")
    if not request.user.is_authenticated:
        raise PermissionDenied
    return agency


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _order(request: HttpRequest, number: str) -> tuple[Agency, PurchaseOrder]:
    """The order's latest revision, if this person may read it; 404 for anything else."""
    agency = _agency(request)
    order = selectors.order_visible(user=_user(request), agency=agency, number=number)
    if order is None:
        raise Http404("No such purchase order here.")
    return agency, order


def _invoice_reader_check(request: HttpRequest, agency: Agency) -> None:
    if not sees_whole_agency(user=request.user, agency=agency):
        raise PermissionDenied(_("Your agency's supplier invoices are for its finance officers and approvers."))


def _finance_check(request: HttpRequest, agency: Agency) -> None:
    if not selectors.is_agency_finance(user=request.user, agency=agency):
        raise PermissionDenied(_("Only your agency's finance officers do this."))


def _renamed(error: ApplicationError, names: dict[str, str]) -> ApplicationError:
    """The service's field names (lines.2.quantity) as the form's (quantity_2), to show a refusal in place."""
    fields = {names.get(name, name): texts for name, texts in error.fields.items()}
    return ApplicationError(error.message, code=error.code, status_code=error.status_code, fields=fields)


def _receipt_names(form: ReceiptForm) -> dict[str, str]:
    return {"files": "attachments"} | {f"lines.{line.position}": name for line, name in form.line_names}


def _invoice_names(form: InvoiceForm) -> dict[str, str]:
    names: dict[str, str] = {}
    for line, quantity, price in form.line_names:
        names |= {
            f"lines.{line.position}": quantity,
            f"lines.{line.position}.quantity": quantity,
            f"lines.{line.position}.unit_price": price,
        }
    return names


# -- the orders ----------------------------------------------------------------------------------------


ORDER_SORTS = Sorts(
    default="-issued",
    columns={
        "number": ("number",),
        "vendor": ("vendor_name", "number"),
        "total": ("total_usd", "number"),
        "issued": ("issued_at", "number"),
        "delivery": ("delivery_date", "number"),
        "received": ("received_percent", "number"),
    },
)


def order_list(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    form = OrderFilterForm(request.GET or None)
    filters = form.filters()
    orders = selectors.orders_in_force(user=_user(request), agency=agency)
    if filters["state"] == OrderFilterForm.WAITING:
        orders = orders.filter(Q(received_quantity__lt=F("ordered_quantity")))
    elif filters["state"] == OrderFilterForm.RECEIVED:
        orders = orders.filter(Q(received_quantity__gte=F("ordered_quantity")))
    if filters["search"]:
        search = filters["search"]
        orders = orders.filter(
            Q(number__icontains=search) | Q(vendor_name__icontains=search) | Q(requisition__title__icontains=search)
        )
    orders, sort = ORDER_SORTS.apply(request, orders)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "filtered": bool(filters["state"] or filters["search"]),
        "whole_agency": sees_whole_agency(user=request.user, agency=agency),
        "finance": selectors.is_agency_finance(user=request.user, agency=agency),
    }
    return render(request, "procurement/receiving/order_list.html", context)


def _order_context(request: HttpRequest, agency: Agency, order: PurchaseOrder, **forms: Any) -> dict[str, Any]:
    user = _user(request)
    lines = selectors.order_line_figures(order=order)
    receipt_refusal = selectors.receipt_refusal(user=user, agency=agency, order=order)
    rating_refusal = selectors.rating_refusal(user=user, agency=agency, order_number=order.number)
    invoice_refusal = selectors.invoice_refusal(user=user, agency=agency, order=order)
    invoices = list(selectors.invoices_of(order_number=order.number))
    for invoice in invoices:
        invoice.reasons = selectors.hold_reasons_text(invoice)  # type: ignore[attr-defined]
    receipt_form = forms.get("receipt_form")
    if receipt_form is None and receipt_refusal is None:
        receipt_form = ReceiptForm(lines=lines)
    invoice_form = forms.get("invoice_form")
    if invoice_form is None and invoice_refusal is None:
        invoice_form = InvoiceForm(lines=lines, currency=order.currency)
    rating_form = forms.get("rating_form")
    if rating_form is None and rating_refusal is None:
        rating_form = RatingForm()
    return {
        "order": order,
        "requisition": order.requisition,
        "lines": lines,
        "receipts": list(selectors.receipts_of(order_number=order.number)),
        "invoices": invoices,
        "rating": VendorRating.objects.filter(agency=agency, order_number=order.number).first(),
        "receipt_form": receipt_form,
        "receipt_refusal": receipt_refusal,
        "rating_form": rating_form,
        # Only a receiver is told why they may not rate (already rated); others are not asked to.
        "rating_refusal": rating_refusal
        if rating_refusal and rating_refusal.code == "sourcing.already_rated"
        else None,
        "invoice_form": invoice_form,
        "invoice_refusal": invoice_refusal,
        "whole_agency": sees_whole_agency(user=user, agency=agency),
        "tolerance": selectors.match_tolerance(),
    }


def order_page(request: HttpRequest, number: str) -> HttpResponse:
    agency, order = _order(request, number)
    return render(request, "procurement/receiving/order_detail.html", _order_context(request, agency, order))


@require_POST
def order_receive(request: HttpRequest, number: str) -> HttpResponse:
    """Record what arrived; a refusal is shown on the line or field it is about."""
    agency, order = _order(request, number)
    form = ReceiptForm(request.POST, request.FILES, lines=selectors.order_line_figures(order=order))
    status = 400
    if form.is_valid():
        try:
            receipt = receiving.receipt_record(
                agency=agency,
                order_number=order.number,
                lines=form.quantities(),
                received_on=form.cleaned_data["received_on"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data["attachments"],
                by=_user(request),
            )
        except ApplicationError as error:
            form_error_apply(form, _renamed(error, _receipt_names(form)))
            status = error.status_code
        else:
            messages.success(request, _("Receipt %(reference)s recorded.") % {"reference": receipt.reference})
            return redirect("procurement:order", order.number)
    context = _order_context(request, agency, order, receipt_form=form)
    return render(request, "procurement/receiving/order_detail.html", context, status=status)


@require_POST
def order_rate(request: HttpRequest, number: str) -> HttpResponse:
    """The receiver rates the vendor on this order: on time, quality, compliance."""
    agency, order = _order(request, number)
    form = RatingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            vendor_rating_record(
                agency=agency,
                order_number=order.number,
                on_time=form.cleaned_data["on_time"],
                quality=form.cleaned_data["quality"],
                compliance=form.cleaned_data["compliance"],
                comment=form.cleaned_data["comment"],
                by=_user(request),
            )
        except ApplicationError as error:
            form_error_apply(form, error)
            status = error.status_code
        else:
            messages.success(request, _("Thank you: the vendor's rating is recorded."))
            return redirect("procurement:order", order.number)
    context = _order_context(request, agency, order, rating_form=form)
    return render(request, "procurement/receiving/order_detail.html", context, status=status)


@require_POST
def order_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """A finance officer records the vendor's invoice; it is matched at once."""
    agency, order = _order(request, number)
    form = InvoiceForm(request.POST, lines=selectors.order_line_figures(order=order), currency=order.currency)
    status = 400
    if form.is_valid():
        try:
            invoice = receiving.supplier_invoice_record(
                agency=agency,
                order_number=order.number,
                vendor_invoice_number=form.cleaned_data["vendor_invoice_number"],
                invoice_date=form.cleaned_data["invoice_date"],
                currency=form.cleaned_data["currency"],
                lines=form.lines(),
                by=_user(request),
            )
        except ApplicationError as error:
            form_error_apply(form, _renamed(error, _invoice_names(form)))
            status = error.status_code
        else:
            _invoice_recorded_message(request, invoice)
            return redirect("procurement:order", order.number)
    context = _order_context(request, agency, order, invoice_form=form)
    return render(request, "procurement/receiving/order_detail.html", context, status=status)


def _invoice_recorded_message(request: HttpRequest, invoice: SupplierInvoice) -> None:
    if invoice.status == "released":
        messages.success(
            request,
            _("Invoice %(number)s matches the order and its receipts: it is payable.")
            % {"number": invoice.vendor_invoice_number},
        )
    else:
        messages.warning(
            request,
            _("Invoice %(number)s does not match and is held; the reasons are shown with it.")
            % {"number": invoice.vendor_invoice_number},
        )


@require_GET
def receipt_attachment(request: HttpRequest, number: str, pk: int, file_pk: int) -> FileResponse:
    id_check(pk)
    id_check(file_pk)
    _agency_of_address, order = _order(request, number)
    attachment = (
        ReceiptAttachment.objects.filter(pk=file_pk, receipt_id=pk, receipt__order_number=order.number)
        .select_related("receipt")
        .first()
    )
    if attachment is None:
        raise Http404("No such file on this order.")
    try:
        opened = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file is missing.")
    return file_download_response(file=opened, name=attachment.name, content_type=attachment.content_type)


# -- the agency's supplier invoices --------------------------------------------------------------------


INVOICE_SORTS = Sorts(
    default="status",
    columns={
        "status": ("status", "recorded_at"),
        "number": ("vendor_invoice_number", "pk"),
        "order": ("order_number", "pk"),
        "vendor": ("vendor__legal_name", "pk"),
        "date": ("invoice_date", "pk"),
        "total": ("total", "pk"),
        "recorded": ("recorded_at", "pk"),
        "released": ("released_at", "pk"),
    },
)


def _invoice_list(request: HttpRequest, agency: Agency, payables_form: PayablesForm | None = None) -> HttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    filters = form.filters()
    invoices, sort = INVOICE_SORTS.apply(request, selectors.supplier_invoices(**filters))
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "filtered": any(filters.values()),
        "finance": selectors.is_agency_finance(user=request.user, agency=agency),
        "payables_form": payables_form or PayablesForm(),
        "held": selectors.held_invoices_count(),
        "tolerance": selectors.match_tolerance(),
    }
    status = 400 if payables_form is not None else 200
    return render(request, "procurement/receiving/invoice_list.html", context, status=status)


def invoice_list(request: HttpRequest) -> HttpResponse:
    """The agency's supplier invoices, held first: for its finance officers (approvers read)."""
    agency = _agency(request)
    _invoice_reader_check(request, agency)
    return _invoice_list(request, agency)


def _invoice_context(
    invoice: SupplierInvoice, *, user: User, agency: Agency, form: OverrideForm | None
) -> dict[str, Any]:
    order = selectors.order_latest(number=invoice.order_number)
    figures = {line.position: line for line in selectors.order_line_figures(order=order)} if order else {}
    refusal = selectors.override_refusal(user=user, agency=agency, invoice=invoice)
    if form is None and refusal is None:
        form = OverrideForm()
    return {
        "invoice": invoice,
        "order": order,
        "lines": [(line, figures.get(line.position)) for line in invoice.lines.order_by("position")],
        "reasons": selectors.hold_reasons_text(invoice),
        "override_form": form,
        # Only finance officers are told why they may not release it; the others read.
        "override_refusal": refusal if refusal and refusal.code != "procurement.finance_only" else None,
    }


def invoice_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An invoice with its lines against the order and the receipts, the match's result, and the release."""
    agency = _agency(request)
    _invoice_reader_check(request, agency)
    id_check(pk)
    invoice = SupplierInvoice.objects.select_related("vendor", "recorded_by", "override_by").filter(pk=pk).first()
    if invoice is None:
        raise Http404("No such invoice here.")
    form = None
    status = 200
    if request.method == "POST":
        form = OverrideForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                receiving.supplier_invoice_override(
                    agency=agency, invoice=invoice, justification=form.cleaned_data["justification"], by=_user(request)
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("Invoice %(number)s released: it is payable.") % {"number": invoice.vendor_invoice_number},
                )
                return redirect("procurement:invoice", invoice.pk)
    context = _invoice_context(invoice, user=_user(request), agency=agency, form=form) | {"on_facility": False}
    return render(request, "procurement/receiving/invoice_detail.html", context, status=status)


@require_GET
def payables_csv(request: HttpRequest) -> HttpResponse:
    """The payable invoices released in a period, as CSV for the agency's ERP (changes nothing)."""
    agency = _agency(request)
    _finance_check(request, agency)
    form = PayablesForm(request.GET)
    if not form.is_valid():
        return _invoice_list(request, agency, payables_form=form)
    start, end = form.period()
    return payables_csv_response(agency=agency, invoices=selectors.payables(released_from=start, released_to=end))


def match_settings(request: HttpRequest) -> HttpResponse:
    """The tolerance on unit prices: finance officers set it, approvers read it."""
    agency = _agency(request)
    _invoice_reader_check(request, agency)
    may_set = selectors.match_settings_refusal(user=_user(request), agency=agency) is None
    current = selectors.match_settings()
    form = MatchSettingsForm(initial={"tolerance_percent": selectors.match_tolerance()})
    status = 200
    if request.method == "POST":
        _finance_check(request, agency)
        form = MatchSettingsForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                receiving.match_settings_set(
                    agency=agency, tolerance_percent=form.cleaned_data["tolerance_percent"], by=_user(request)
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request, _("The tolerance is saved; invoices recorded from now on are matched with it.")
                )
                return redirect("procurement:match-settings")
    context = {"form": form, "may_set": may_set, "current": current, "tolerance": selectors.match_tolerance()}
    return render(request, "procurement/receiving/match_settings.html", context, status=status)


# -- the facility portal ---------------------------------------------------------------------------------


def _facility_reader_check(request: HttpRequest) -> None:
    if not request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404("Every agency's supplier invoices are on the facility portal.")
    if not selectors.reads_facility_invoices(user=request.user):
        raise PermissionDenied(_("Supplier invoices are for the facility's finance staff."))


FACILITY_INVOICE_SORTS = Sorts(
    default="status",
    columns={
        "status": ("status", "recorded_at"),
        "agency": ("agency_code", "recorded_at"),
        "number": ("vendor_invoice_number",),
        "order": ("order_number",),
        "vendor": ("vendor_name", "recorded_at"),
        "date": ("invoice_date", "recorded_at"),
        "recorded": ("recorded_at",),
        "released": ("released_at",),
    },
)


def facility_invoice_list(request: HttpRequest) -> HttpResponse:
    """Every agency's supplier invoices, held first, read in each agency's schema."""
    _facility_reader_check(request)
    form = FacilityInvoiceFilterForm(request.GET or None)
    filters = form.filters()
    rows, sort = FACILITY_INVOICE_SORTS.apply_list(request, selectors.facility_invoices(**filters))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "filtered": any(filters.values()),
        "may_record": selectors.is_facility_finance(user=request.user),
    }
    return render(request, "procurement/receiving/facility_invoice_list.html", context)


@contextmanager
def _agency_schema(code: str) -> Iterator[Agency]:
    agency = selectors.facility_agency(code=code)
    if agency is None:
        raise Http404("No such agency.")
    with schema_context(agency.schema_name):
        yield agency


def facility_invoice_page(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    _facility_reader_check(request)
    id_check(pk)
    with _agency_schema(code) as agency:
        invoice = SupplierInvoice.objects.select_related("vendor", "recorded_by", "override_by").filter(pk=pk).first()
        if invoice is None:
            raise Http404("No such invoice.")
        form = None
        status = 200
        if request.method == "POST":
            form = OverrideForm(request.POST)
            status = 400
            if form.is_valid():
                try:
                    receiving.supplier_invoice_override(
                        agency=agency,
                        invoice=invoice,
                        justification=form.cleaned_data["justification"],
                        by=_user(request),
                    )
                except ApplicationError as error:
                    form_error_apply(form, error)
                    status = error.status_code
                else:
                    messages.success(
                        request,
                        _("Invoice %(number)s released: it is payable.") % {"number": invoice.vendor_invoice_number},
                    )
                    return redirect("procurement:facility-invoice", agency.code, invoice.pk)
        context = _invoice_context(invoice, user=_user(request), agency=agency, form=form) | {
            "on_facility": True,
            "agency": agency,
        }
        return render(request, "procurement/receiving/invoice_detail.html", context, status=status)


def facility_invoice_new(request: HttpRequest) -> HttpResponse:
    """Facility finance records a vendor's invoice: first the agency and the order, then the lines billed."""
    _facility_reader_check(request)
    if not selectors.is_facility_finance(user=request.user):
        raise PermissionDenied(_("Only the facility's finance staff record supplier invoices here."))
    data = request.POST if request.method == "POST" else request.GET
    order_form = FacilityOrderForm(data or None)
    if not data or not order_form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(
            request, "procurement/receiving/facility_invoice_new.html", {"order_form": order_form}, status=status
        )
    with _agency_schema(order_form.cleaned_data["agency"]) as agency:
        order = selectors.order_latest(number=order_form.cleaned_data["order"].strip())
        if order is None:
            order_form.add_error(
                "order", _("%(agency)s has no purchase order with that number.") % {"agency": agency.code}
            )
            return render(
                request, "procurement/receiving/facility_invoice_new.html", {"order_form": order_form}, status=400
            )
        lines = selectors.order_line_figures(order=order)
        refusal = selectors.invoice_refusal(user=_user(request), agency=agency, order=order)
        form = InvoiceForm(request.POST if request.method == "POST" else None, lines=lines, currency=order.currency)
        status = 200
        if request.method == "POST" and refusal is None:
            status = 400
            if form.is_valid():
                try:
                    invoice = receiving.supplier_invoice_record(
                        agency=agency,
                        order_number=order.number,
                        vendor_invoice_number=form.cleaned_data["vendor_invoice_number"],
                        invoice_date=form.cleaned_data["invoice_date"],
                        currency=form.cleaned_data["currency"],
                        lines=form.lines(),
                        by=_user(request),
                    )
                except ApplicationError as error:
                    form_error_apply(form, _renamed(error, _invoice_names(form)))
                    status = error.status_code
                else:
                    _invoice_recorded_message(request, invoice)
                    return redirect("procurement:facility-invoice", agency.code, invoice.pk)
        elif request.method == "POST":
            status = refusal.status if refusal else 400
        context = {
            "order_form": order_form,
            "agency": agency,
            "order": order,
            "lines": lines,
            "invoice_form": form,
            "invoice_refusal": refusal,
            "invoices": [
                (invoice, selectors.hold_reasons_text(invoice))
                for invoice in selectors.invoices_of(order_number=order.number)
            ],
        }
        return render(request, "procurement/receiving/facility_invoice_new.html", context, status=status)


agency_pages = [
    path("orders/", order_list, name="orders"),
    path("orders/<str:number>/", order_page, name="order"),
    path("orders/<str:number>/receive/", order_receive, name="order-receive"),
    path("orders/<str:number>/rate/", order_rate, name="order-rate"),
    path("orders/<str:number>/invoice/", order_invoice, name="order-invoice"),
    path("orders/<str:number>/receipts/<int:pk>/files/<int:file_pk>/", receipt_attachment, name="receipt-attachment"),
    path("supplier-invoices/", invoice_list, name="invoices"),
    path("supplier-invoices/payables.csv", payables_csv, name="payables-csv"),
    path("supplier-invoices/<int:pk>/", invoice_page, name="invoice"),
    path("match-settings/", match_settings, name="match-settings"),
]
facility_pages = [
    path("supplier-invoices/", facility_invoice_list, name="invoices"),
    path("supplier-invoices/new/", facility_invoice_new, name="facility-invoice-new"),
    path("supplier-invoices/<str:code>/<int:pk>/", facility_invoice_page, name="facility-invoice"),
]
