"""Receipts, supplier invoices and the three-way match in the API, with the same rules as the pages.

An agency's address (/api/procurement/...):

- `orders/`: the orders in force the caller may read (as the requisitions: approvers and finance officers
  all, others their own and the ones they received), with the share received and the invoices' state;
  `orders/{number}/`: its lines (ordered, received, invoiced), receipts, invoices and rating.
- `orders/{number}/receipts/`: list, and record a receipt (JSON, or multipart with `files`);
  `orders/{number}/receipts/{id}/files/{file}/`: a delivery note.
- `orders/{number}/rating/`: the receiver rates the vendor.
- `orders/{number}/invoices/`: list, and record the vendor's invoice (matched at once).
- `supplier-invoices/`, `supplier-invoices/{id}/`, `supplier-invoices/{id}/override/`: the agency's
  invoices for its finance officers (approvers read); a held one is released by another finance officer.
- `payables/`: the payable invoices of a period as CSV for the agency's ERP. `match-settings/`: the tolerance.

The facility portal: `supplier-invoices/` across agencies (read in each agency's schema) and recording one
against an agency's order; `supplier-invoices/{agency}/{id}/` and its `override/`, for facility finance.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext, gettext_lazy
from django_tenants.utils import schema_context
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from accounts.selectors import sees_whole_agency
from billing.models import Currency
from shared_platform import limits
from shared_platform.api import (
    FILE_RESPONSE,
    BoundedJSONParser,
    DecimalStringField,
    PersonField,
    StandardPagination,
    id_check,
)
from shared_platform.errors import ApplicationError, form_errors_as_error
from shared_platform.schema import paginated
from sourcing.models import VendorRating
from sourcing.services.ratings import vendor_rating_record
from tenants.models import Agency

from . import receiving
from . import receiving_selectors as selectors
from .csv_payables import payables_csv_response
from .downloads import download, stored
from .forms.receiving import PayablesForm
from .models import (
    GoodsReceipt,
    InvoiceStatus,
    PurchaseOrder,
    ReceiptAttachment,
    ReceiptLine,
    SupplierInvoice,
    SupplierInvoiceLine,
)

UPLOAD_PARSERS = [MultiPartParser, FormParser, BoundedJSONParser]
CSV_RESPONSE = {(200, "text/csv"): OpenApiTypes.STR}
MAX_LINES = 200


def _position_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=32767, help_text="The order line's number.")


# -- what the answers carry --------------------------------------------------------------------------------


class OrderLineFiguresSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(read_only=True)
    description = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    ordered = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    unit_price = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True)
    received = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    invoiced = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class GoodsReceiptLineSerializer(serializers.ModelSerializer[ReceiptLine]):
    class Meta:
        model = ReceiptLine
        fields = ["position", "quantity"]
        read_only_fields = fields


class GoodsReceiptAttachmentSerializer(serializers.ModelSerializer[ReceiptAttachment]):
    class Meta:
        model = ReceiptAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class GoodsReceiptSerializer(serializers.ModelSerializer[GoodsReceipt]):
    received_by = PersonField()
    lines = GoodsReceiptLineSerializer(many=True, read_only=True)
    attachments = GoodsReceiptAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = GoodsReceipt
        fields = [
            "id",
            "reference",
            "order_number",
            "received_on",
            "note",
            "received_by",
            "recorded_at",
            "lines",
            "attachments",
        ]
        read_only_fields = fields


class SupplierInvoiceLineSerializer(serializers.ModelSerializer[SupplierInvoiceLine]):
    class Meta:
        model = SupplierInvoiceLine
        fields = ["position", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class SupplierInvoiceSerializer(serializers.ModelSerializer[SupplierInvoice]):
    """A supplier invoice and the match's result; `hold_reasons` are sentences in the caller's language."""

    vendor = serializers.IntegerField(source="vendor_id", read_only=True)
    vendor_name = serializers.SerializerMethodField()
    lines = SupplierInvoiceLineSerializer(many=True, read_only=True)
    hold_reasons = serializers.SerializerMethodField()
    recorded_by = PersonField()
    override_by = PersonField()
    status = serializers.CharField(read_only=True, help_text="held, or released (payable).")
    released_at = serializers.DateTimeField(read_only=True, allow_null=True)
    override_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = SupplierInvoice
        fields = [
            "id",
            "order_number",
            "vendor",
            "vendor_name",
            "vendor_invoice_number",
            "invoice_date",
            "currency",
            "total",
            "status",
            "hold_reasons",
            "tolerance_percent",
            "recorded_by",
            "recorded_at",
            "released_at",
            "override_by",
            "override_at",
            "override_justification",
            "lines",
        ]
        read_only_fields = fields

    def get_vendor_name(self, invoice: SupplierInvoice) -> str:
        return invoice.vendor.legal_name if invoice.vendor_id else ""

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_hold_reasons(self, invoice: SupplierInvoice) -> list[str]:
        return selectors.hold_reasons_text(invoice)


class FacilitySupplierInvoiceSerializer(SupplierInvoiceSerializer):
    agency = serializers.SerializerMethodField()

    class Meta(SupplierInvoiceSerializer.Meta):
        fields = ["agency", *SupplierInvoiceSerializer.Meta.fields]
        read_only_fields = fields

    def get_agency(self, invoice: SupplierInvoice) -> str:
        return str(self.context.get("agency_code", ""))


class FacilitySupplierInvoiceRowSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(source="agency_code", read_only=True)
    id = serializers.IntegerField(source="pk", read_only=True)
    order_number = serializers.CharField(read_only=True)
    vendor_name = serializers.CharField(read_only=True)
    vendor_invoice_number = serializers.CharField(read_only=True)
    invoice_date = serializers.DateField(read_only=True)
    currency = serializers.CharField(read_only=True)
    total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    status = serializers.CharField(read_only=True, help_text="held, or released (payable).")
    recorded_at = serializers.DateTimeField(read_only=True)
    released_at = serializers.DateTimeField(read_only=True, allow_null=True)


class VendorRatingSerializer(serializers.ModelSerializer[VendorRating]):
    rated_by = PersonField()

    class Meta:
        model = VendorRating
        fields = ["order_number", "on_time", "quality", "compliance", "comment", "rated_by", "rated_at"]
        read_only_fields = fields


class OrderInForceSerializer(serializers.ModelSerializer[PurchaseOrder]):
    display_number = serializers.CharField(read_only=True)
    requisition = serializers.CharField(source="requisition.reference", read_only=True)
    received_percent = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    held_invoices = serializers.IntegerField(read_only=True)
    payable_invoices = serializers.IntegerField(read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "number",
            "revision",
            "display_number",
            "status",
            "requisition",
            "vendor_name",
            "currency",
            "total",
            "issued_at",
            "delivery_date",
            "received_percent",
            "held_invoices",
            "payable_invoices",
        ]
        read_only_fields = fields


class OrderReceivingSerializer(serializers.ModelSerializer[PurchaseOrder]):
    """An order with what was ordered, received and invoiced per line, its receipts, invoices and rating."""

    display_number = serializers.CharField(read_only=True)
    requisition = serializers.CharField(source="requisition.reference", read_only=True)
    lines = serializers.SerializerMethodField()
    receipts = serializers.SerializerMethodField()
    invoices = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()

    class Meta:
        model = PurchaseOrder
        fields = [
            "number",
            "revision",
            "display_number",
            "status",
            "requisition",
            "vendor_name",
            "currency",
            "total",
            "issued_at",
            "delivery_place",
            "delivery_date",
            "lines",
            "receipts",
            "invoices",
            "rating",
        ]
        read_only_fields = fields

    @extend_schema_field(OrderLineFiguresSerializer(many=True))
    def get_lines(self, order: PurchaseOrder) -> Any:
        return OrderLineFiguresSerializer(selectors.order_line_figures(order=order), many=True).data

    @extend_schema_field(GoodsReceiptSerializer(many=True))
    def get_receipts(self, order: PurchaseOrder) -> Any:
        return GoodsReceiptSerializer(selectors.receipts_of(order_number=order.number), many=True).data

    @extend_schema_field(SupplierInvoiceSerializer(many=True))
    def get_invoices(self, order: PurchaseOrder) -> Any:
        return SupplierInvoiceSerializer(selectors.invoices_of(order_number=order.number), many=True).data

    @extend_schema_field(VendorRatingSerializer(allow_null=True))
    def get_rating(self, order: PurchaseOrder) -> Any:
        agency = self.context["agency"]
        rating = (
            VendorRating.objects.filter(agency=agency, order_number=order.number).select_related("rated_by").first()
        )
        return VendorRatingSerializer(rating).data if rating is not None else None


class MatchToleranceSerializer(serializers.Serializer[Any]):
    tolerance_percent = DecimalStringField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text="How far an invoiced unit price may be from the order's, in percent, boundary included.",
    )
    set_by = PersonField(required=False)
    set_at = serializers.DateTimeField(read_only=True, allow_null=True)


# -- what the callers send -----------------------------------------------------------------------------


class GoodsReceiptLineInputSerializer(serializers.Serializer[Any]):
    position = _position_field()
    quantity = DecimalStringField(max_digits=12, decimal_places=2, min_value=Decimal("0"))


class GoodsReceiptInputSerializer(serializers.Serializer[Any]):
    lines = GoodsReceiptLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]
    received_on = serializers.DateField(help_text="Not in the future, not before the order was issued.")
    note = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=receiving.MAX_RECEIPT_FILES,
        help_text="Multipart only: the delivery note and other files.",
    )


class VendorRatingInputSerializer(serializers.Serializer[Any]):
    on_time = serializers.BooleanField()
    quality = serializers.IntegerField(min_value=1, max_value=5)
    compliance = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")


class SupplierInvoiceLineInputSerializer(serializers.Serializer[Any]):
    position = _position_field()
    quantity = DecimalStringField(max_digits=12, decimal_places=2)
    unit_price = DecimalStringField(max_digits=16, decimal_places=4)


class SupplierInvoiceInputSerializer(serializers.Serializer[Any]):
    vendor_invoice_number = serializers.CharField(max_length=receiving.VENDOR_INVOICE_NUMBER_LENGTH)
    invoice_date = serializers.DateField(help_text="Not in the future, not before the order was issued.")
    currency = serializers.ChoiceField(choices=Currency.choices, help_text="The order's currency.")
    lines = SupplierInvoiceLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]


class FacilitySupplierInvoiceInputSerializer(SupplierInvoiceInputSerializer):
    agency = serializers.CharField(max_length=15, help_text="The agency's code, e.g. UNDP.")
    order_number = serializers.CharField(max_length=selectors.ORDER_NUMBER_LENGTH)


class SupplierInvoiceOverrideSerializer(serializers.Serializer[Any]):
    justification = serializers.CharField(max_length=limits.SHORT_TEXT)


class SupplierInvoiceFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, required=False)


class FacilitySupplierInvoiceFilterSerializer(SupplierInvoiceFilterSerializer):
    agency = serializers.CharField(max_length=15, required=False)


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _filters(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    params = {key: value for key, value in request.query_params.items() if key not in ("page", "page_size")}
    serializer = serializer_class(data=params)
    if not serializer.is_valid():
        fields = {name: [str(error) for error in errors] for name, errors in serializer.errors.items()}
        message = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in fields.items())
        raise ApplicationError(message, code="procurement.invalid_filter", fields=fields)
    return dict(serializer.validated_data)


def _invoice_lines(lines: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    found: dict[str, tuple[Any, Any]] = {}
    for line in lines:
        key = str(line["position"])
        if key in found:
            raise ApplicationError(
                gettext("Line %(line)s is given twice.") % {"line": key},
                code="procurement.invalid",
                fields={f"lines.{key}": [gettext("Line %(line)s is given twice.") % {"line": key}]},
            )
        found[key] = (line["quantity"], line["unit_price"])
    return found


def _receipt_lines(lines: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for line in lines:
        key = str(line["position"])
        if key in found:
            raise ApplicationError(
                gettext("Line %(line)s is given twice.") % {"line": key},
                code="procurement.invalid",
                fields={f"lines.{key}": [gettext("Line %(line)s is given twice.") % {"line": key}]},
            )
        found[key] = line["quantity"]
    return found


# -- an agency's address ---------------------------------------------------------------------------------


class _AgencySide(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.tenant.is_facility:  # type: ignore[attr-defined]
            raise Http404("Orders are received on the agency's own address.")

    @property
    def agency(self) -> Agency:
        return self.request.tenant  # type: ignore[attr-defined,no-any-return]

    @property
    def user(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def order(self, number: str) -> PurchaseOrder:
        """The order's latest revision, if the caller may read it (as its requisition); else 404."""
        order = selectors.order_visible(user=self.user, agency=self.agency, number=number)
        if order is None:
            raise Http404("No such purchase order here.")
        return order

    def order_detail(self, order: PurchaseOrder, code: int = status.HTTP_200_OK) -> Response:
        order = PurchaseOrder.objects.select_related("requisition").get(pk=order.pk)
        return Response(OrderReceivingSerializer(order, context={"agency": self.agency}).data, status=code)

    def invoice_reader_check(self) -> None:
        if not sees_whole_agency(user=self.user, agency=self.agency):
            raise ApplicationError(
                gettext("Your agency's supplier invoices are for its finance officers and approvers."),
                code="procurement.forbidden",
                status_code=403,
            )

    def invoice(self, pk: int) -> SupplierInvoice:
        self.invoice_reader_check()
        id_check(pk)
        invoice = SupplierInvoice.objects.select_related("vendor", "recorded_by", "override_by").filter(pk=pk).first()
        if invoice is None:
            raise Http404("No such invoice here.")
        return invoice


@extend_schema(tags=["procurement"])
class OrderListApi(_AgencySide, ListAPIView):  # type: ignore[type-arg]
    """The purchase orders in force the caller may read, newest first, with the share received."""

    serializer_class = OrderInForceSerializer

    def get_queryset(self) -> Any:
        return selectors.orders_in_force(user=self.user, agency=self.agency).order_by("-issued_at", "number")


@extend_schema(tags=["procurement"])
class OrderDetailApi(_AgencySide):
    @extend_schema(responses=OrderReceivingSerializer)
    def get(self, request: Request, number: str) -> Response:
        """An order: its lines (ordered, received, invoiced), receipts, invoices with the match, rating."""
        return self.order_detail(self.order(number))


@extend_schema(tags=["procurement"])
class ReceiptsApi(_AgencySide):
    parser_classes = UPLOAD_PARSERS

    @extend_schema(responses=GoodsReceiptSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        """The order's receipts, oldest first."""
        order = self.order(number)
        return Response(GoodsReceiptSerializer(selectors.receipts_of(order_number=order.number), many=True).data)

    @extend_schema(
        request={"application/json": GoodsReceiptInputSerializer, "multipart/form-data": GoodsReceiptInputSerializer},
        responses={201: GoodsReceiptSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        """Record what arrived, line by line (a person of the agency other than the requester, approver and
        buyer); receipts add up and never pass what was ordered."""
        order = self.order(number)
        data = _valid(GoodsReceiptInputSerializer, request.data)
        receipt = receiving.receipt_record(
            agency=self.agency,
            order_number=order.number,
            lines=_receipt_lines(data["lines"]),
            received_on=data["received_on"],
            note=data["note"],
            files=data["files"],
            by=self.user,
        )
        receipt = selectors.receipts_of(order_number=order.number).get(pk=receipt.pk)
        return Response(GoodsReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["procurement"], responses=FILE_RESPONSE)
class ReceiptFileApi(_AgencySide):
    def get(self, request: Request, number: str, pk: int, file_pk: int) -> HttpResponse:
        """A receipt's file (the delivery note)."""
        order = self.order(number)
        id_check(pk)
        id_check(file_pk)
        attachment = ReceiptAttachment.objects.filter(
            pk=file_pk, receipt_id=pk, receipt__order_number=order.number
        ).first()
        content = stored(attachment.file) if attachment is not None else None
        if attachment is None or content is None:
            raise Http404("No such file.")
        return download(content, filename=attachment.name, content_type=attachment.content_type)


@extend_schema(tags=["procurement"])
class RatingApi(_AgencySide):
    @extend_schema(request=VendorRatingInputSerializer, responses={201: VendorRatingSerializer})
    def post(self, request: Request, number: str) -> Response:
        """The receiver rates the vendor on this order, once: on time, quality and compliance (1 to 5)."""
        order = self.order(number)
        data = _valid(VendorRatingInputSerializer, request.data)
        rating = vendor_rating_record(agency=self.agency, order_number=order.number, by=self.user, **data)
        return Response(VendorRatingSerializer(rating).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["procurement"])
class OrderInvoicesApi(_AgencySide):
    @extend_schema(responses=SupplierInvoiceSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        """The vendor's invoices of this order, with the match's result."""
        order = self.order(number)
        return Response(SupplierInvoiceSerializer(selectors.invoices_of(order_number=order.number), many=True).data)

    @extend_schema(request=SupplierInvoiceInputSerializer, responses={201: SupplierInvoiceSerializer})
    def post(self, request: Request, number: str) -> Response:
        """A finance officer records the vendor's invoice; it is matched at once: payable, or held with reasons."""
        order = self.order(number)
        data = _valid(SupplierInvoiceInputSerializer, request.data)
        invoice = receiving.supplier_invoice_record(
            agency=self.agency,
            order_number=order.number,
            vendor_invoice_number=data["vendor_invoice_number"],
            invoice_date=data["invoice_date"],
            currency=data["currency"],
            lines=_invoice_lines(data["lines"]),
            by=self.user,
        )
        return Response(SupplierInvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["procurement"],
    parameters=[OpenApiParameter("status", str, enum=InvoiceStatus.values, description="held or released.")],
)
class InvoiceListApi(_AgencySide, ListAPIView):  # type: ignore[type-arg]
    """The agency's supplier invoices, held first (its finance officers and approvers)."""

    serializer_class = SupplierInvoiceSerializer

    def get_queryset(self) -> Any:
        self.invoice_reader_check()
        filters = _filters(SupplierInvoiceFilterSerializer, self.request)
        invoices = selectors.supplier_invoices(status=filters.get("status", ""))
        return invoices.prefetch_related("lines").order_by("status", "recorded_at", "pk")


@extend_schema(tags=["procurement"])
class InvoiceDetailApi(_AgencySide):
    @extend_schema(responses=SupplierInvoiceSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """A supplier invoice, its lines and the match's result."""
        return Response(SupplierInvoiceSerializer(self.invoice(pk)).data)


@extend_schema(tags=["procurement"])
class InvoiceOverrideApi(_AgencySide):
    @extend_schema(request=SupplierInvoiceOverrideSerializer, responses=SupplierInvoiceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Another finance officer than the one who recorded it releases a held invoice, saying why."""
        invoice = self.invoice(pk)
        data = _valid(SupplierInvoiceOverrideSerializer, request.data)
        invoice = receiving.supplier_invoice_override(
            agency=self.agency, invoice=invoice, justification=data["justification"], by=self.user
        )
        return Response(SupplierInvoiceSerializer(self.invoice(invoice.pk)).data)


@extend_schema(
    tags=["procurement"],
    parameters=[
        OpenApiParameter("released_from", OpenApiTypes.DATE, description="Payable from this day (included)."),
        OpenApiParameter("released_to", OpenApiTypes.DATE, description="Payable until this day (included)."),
    ],
    responses=CSV_RESPONSE,
)
class PayablesApi(_AgencySide):
    def get(self, request: Request) -> HttpResponse:
        """The payable invoices of a period as CSV for the agency's ERP (its finance officers); changes nothing."""
        if not selectors.is_agency_finance(user=self.user, agency=self.agency):
            raise ApplicationError(
                gettext("Only your agency's finance officers export its payables."),
                code="procurement.finance_only",
                status_code=403,
            )
        params = {key: value for key, value in request.query_params.items() if key in ("released_from", "released_to")}
        form = PayablesForm(params)
        if not form.is_valid():
            raise form_errors_as_error(form, code="procurement.invalid_filter")
        start, end = form.period()
        return payables_csv_response(
            agency=self.agency, invoices=selectors.payables(released_from=start, released_to=end)
        )


@extend_schema(tags=["procurement"])
class MatchSettingsApi(_AgencySide):
    def _answer(self) -> Response:
        current = selectors.match_settings()
        return Response(
            MatchToleranceSerializer(
                {
                    "tolerance_percent": selectors.match_tolerance(),
                    "set_by": current.set_by if current is not None else None,
                    "set_at": current.set_at if current is not None else None,
                }
            ).data
        )

    @extend_schema(responses=MatchToleranceSerializer)
    def get(self, request: Request) -> Response:
        """The agency's tolerance on unit prices in the three-way match."""
        return self._answer()

    @extend_schema(request=MatchToleranceSerializer, responses=MatchToleranceSerializer)
    def put(self, request: Request) -> Response:
        """The agency's finance officers set the tolerance (0 to 100 %)."""
        data = _valid(MatchToleranceSerializer, request.data)
        receiving.match_settings_set(agency=self.agency, tolerance_percent=data["tolerance_percent"], by=self.user)
        return self._answer()


# -- the facility portal --------------------------------------------------------------------------------


class ReadsSupplierInvoices(FacilityPortalOnly, BasePermission):
    """Facility finance (who acts), the facility manager and the auditor, on the facility portal."""

    message = gettext_lazy("Supplier invoices are for the facility's finance staff.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.tenant.is_facility and selectors.reads_facility_invoices(user=request.user))


class _FacilitySide(APIView):
    permission_classes = [MayUseThisAddress, ReadsSupplierInvoices]

    @contextmanager
    def in_agency(self, code: str) -> Iterator[Agency]:
        agency = selectors.facility_agency(code=code)
        if agency is None:
            raise Http404("No such agency.")
        with schema_context(agency.schema_name):
            yield agency

    def answer(self, agency: Agency, invoice: SupplierInvoice, code: int = status.HTTP_200_OK) -> Response:
        invoice = SupplierInvoice.objects.select_related("vendor", "recorded_by", "override_by").get(pk=invoice.pk)
        data = FacilitySupplierInvoiceSerializer(invoice, context={"agency_code": agency.code}).data
        return Response(data, status=code)


@extend_schema(
    tags=["procurement"],
    parameters=[
        OpenApiParameter("agency", str, description="An agency's code."),
        OpenApiParameter("status", str, enum=InvoiceStatus.values, description="held or released."),
    ],
)
class FacilityInvoiceListApi(_FacilitySide):
    @extend_schema(
        operation_id="procurement_facility_supplier_invoices_list",
        responses=paginated(FacilitySupplierInvoiceRowSerializer, "FacilitySupplierInvoicePage"),
    )
    def get(self, request: Request) -> Response:
        """Every agency's supplier invoices, held first (read in each agency's schema)."""
        filters = _filters(FacilitySupplierInvoiceFilterSerializer, request)
        rows = selectors.facility_invoices(
            agency_code=filters.get("agency", "").upper(), status=filters.get("status", "")
        )
        rows.sort(key=lambda row: (row.status, row.recorded_at, row.agency_code, row.pk))
        paginator = StandardPagination()
        page: list[selectors.FacilityInvoiceRow] | None = paginator.paginate_queryset(
            rows,  # type: ignore[arg-type]
            request,
            view=self,
        )
        return paginator.get_paginated_response(FacilitySupplierInvoiceRowSerializer(page, many=True).data)

    @extend_schema(
        operation_id="procurement_facility_supplier_invoices_create",
        request=FacilitySupplierInvoiceInputSerializer,
        responses={201: FacilitySupplierInvoiceSerializer},
    )
    def post(self, request: Request) -> Response:
        """Facility finance records a vendor's invoice against an agency's order; it is matched at once."""
        data = _valid(FacilitySupplierInvoiceInputSerializer, request.data)
        with self.in_agency(data["agency"]) as agency:
            invoice = receiving.supplier_invoice_record(
                agency=agency,
                order_number=data["order_number"],
                vendor_invoice_number=data["vendor_invoice_number"],
                invoice_date=data["invoice_date"],
                currency=data["currency"],
                lines=_invoice_lines(data["lines"]),
                by=request.user,  # type: ignore[arg-type]
            )
            return self.answer(agency, invoice, status.HTTP_201_CREATED)


def _facility_invoice(pk: int) -> SupplierInvoice:
    id_check(pk)
    invoice = SupplierInvoice.objects.filter(pk=pk).first()
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


@extend_schema(tags=["procurement"])
class FacilityInvoiceDetailApi(_FacilitySide):
    @extend_schema(
        operation_id="procurement_facility_supplier_invoice_retrieve", responses=FacilitySupplierInvoiceSerializer
    )
    def get(self, request: Request, agency: str, pk: int) -> Response:
        """An agency's supplier invoice, its lines and the match's result."""
        with self.in_agency(agency) as found:
            return self.answer(found, _facility_invoice(pk))


@extend_schema(tags=["procurement"])
class FacilityInvoiceOverrideApi(_FacilitySide):
    @extend_schema(request=SupplierInvoiceOverrideSerializer, responses=FacilitySupplierInvoiceSerializer)
    def post(self, request: Request, agency: str, pk: int) -> Response:
        """Facility finance (not the one who recorded it) releases a held invoice, saying why."""
        data = _valid(SupplierInvoiceOverrideSerializer, request.data)
        with self.in_agency(agency) as found:
            invoice = receiving.supplier_invoice_override(
                agency=found,
                invoice=_facility_invoice(pk),
                justification=data["justification"],
                by=request.user,  # type: ignore[arg-type]
            )
            return self.answer(found, invoice)


_ORDER = "procurement/orders/<str:number>/"

agency_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("procurement/orders/", OrderListApi.as_view(), name="procurement-orders"),
    path(_ORDER, OrderDetailApi.as_view(), name="procurement-order"),
    path(f"{_ORDER}receipts/", ReceiptsApi.as_view(), name="procurement-order-receipts"),
    path(f"{_ORDER}receipts/<int:pk>/files/<int:file_pk>/", ReceiptFileApi.as_view(), name="procurement-receipt-file"),
    path(f"{_ORDER}rating/", RatingApi.as_view(), name="procurement-order-rating"),
    path(f"{_ORDER}invoices/", OrderInvoicesApi.as_view(), name="procurement-order-invoices"),
    path("procurement/supplier-invoices/", InvoiceListApi.as_view(), name="procurement-supplier-invoices"),
    path("procurement/supplier-invoices/<int:pk>/", InvoiceDetailApi.as_view(), name="procurement-supplier-invoice"),
    path(
        "procurement/supplier-invoices/<int:pk>/override/",
        InvoiceOverrideApi.as_view(),
        name="procurement-supplier-invoice-override",
    ),
    path("procurement/payables/", PayablesApi.as_view(), name="procurement-payables"),
    path("procurement/match-settings/", MatchSettingsApi.as_view(), name="procurement-match-settings"),
]
facility_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("procurement/supplier-invoices/", FacilityInvoiceListApi.as_view(), name="procurement-facility-invoices"),
    path(
        "procurement/supplier-invoices/<str:agency>/<int:pk>/",
        FacilityInvoiceDetailApi.as_view(),
        name="procurement-facility-invoice",
    ),
    path(
        "procurement/supplier-invoices/<str:agency>/<int:pk>/override/",
        FacilityInvoiceOverrideApi.as_view(),
        name="procurement-facility-invoice-override",
    ),
]
