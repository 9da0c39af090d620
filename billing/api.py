"""Billing's API under /api/billing/, with the same rules as the pages.

On an agency's address: its agency finance officers read its issued invoices
and credit notes, the usage behind each line, the PDF and the CSV; another
agency's are "not found". On the facility portal: facility finance (the
facility manager and the auditor read only) runs months, issues, records
payments, makes credit notes and keeps the price list (the facility manager
too), fixed costs, sharing keys and rates. Nothing here updates or deletes an
invoice: there is no PUT, PATCH or DELETE on them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from service_levels.models import Service
from shared_platform.api import EARLIEST_DATETIME, StandardPagination
from shared_platform.errors import ApplicationError

from . import selectors, services
from .downloads import credit_note_pdf_response, invoice_csv_response, invoice_pdf_response
from .models import (
    LOCAL_CURRENCIES,
    BillingRun,
    CostSharingKey,
    CreditNote,
    ExchangeRate,
    FixedCost,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    PriceListItem,
    PriceListVersion,
    SharingMethod,
    UsageEvent,
)

PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}
CSV_RESPONSE = {(200, "text/csv"): OpenApiTypes.STR}
MONTH_HELP = "A month as YYYY-MM."

# -- permissions -------------------------------------------------------------------------


class ReadsBilling(BasePermission):
    """Agency finance on its address; facility finance, the facility manager and the auditor on the portal."""

    message = gettext_lazy("Invoices are for the agency's finance officers, and facility finance on the portal.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        from django.core.exceptions import PermissionDenied

        try:
            selectors.billing_scope(user=request.user, agency=request.tenant)
        except PermissionDenied:
            return False
        return True


class IsFacilityFinance(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only facility finance may do this.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.is_facility_finance(user=request.user, agency=request.tenant)


class ReadsFacilityBilling(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only the facility's finance, manager and auditor read this.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return request.tenant.is_facility and ReadsBilling().has_permission(request, view)


class KeepsPriceList(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only facility finance and the facility manager keep the price list.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.may_keep_price_list(user=request.user, agency=request.tenant)


def _scope(request: Request) -> Any:
    return selectors.billing_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])(-[0-9]{2})?$", "example": "2026-10"})
class MonthField(serializers.DateField):
    """YYYY-MM (or a date, taken as its month); always written YYYY-MM."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        kwargs.setdefault("format", "%Y-%m")
        kwargs.setdefault("help_text", MONTH_HELP)
        super().__init__(**kwargs)

    default_error_messages = {"too_early": gettext_lazy("Give a month from January 2000 on.")}

    def to_internal_value(self, value: Any) -> Any:
        month = super().to_internal_value(value).replace(day=1)
        if month < EARLIEST_DATETIME.date():  # the platform bills nothing before it (and %Y writes 897, not 0897)
            self.fail("too_early")
        return month

    def to_representation(self, value: Any) -> Any:
        return None if value is None else f"{value.year:04d}-{value.month:02d}"


# -- serializers -------------------------------------------------------------------------


class InvoiceLineSerializer(serializers.ModelSerializer[InvoiceLine]):
    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="None on cost-share and credit-cap lines."
    )
    request = serializers.CharField(
        source="entry.reference",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="None on lines of no request.",
    )

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "position",
            "kind",
            "service",
            "request",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "usage_from",
            "usage_to",
        ]


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    agency = serializers.CharField(source="agency.code", read_only=True)
    month = MonthField(read_only=True)
    credit_note = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "agency",
            "month",
            "status",
            "currency",
            "usage_total",
            "cost_share_total",
            "credits_total",
            "total",
            "local_currency",
            "exchange_rate",
            "local_total",
            "sharing_method",
            "issued_at",
            "due_on",
            "payment_terms_days",
            "agency_reference",
            "paid_at",
            "payment_reference",
            "cancelled_at",
            "credit_note",
            "pdf_url",
        ]

    def get_credit_note(self, invoice: Invoice) -> str | None:
        note = getattr(invoice, "credit_note", None)
        return note.number if note else None

    def get_pdf_url(self, invoice: Invoice) -> str | None:
        return None if invoice.status == InvoiceStatus.DRAFT else f"/api/billing/invoices/{invoice.pk}/pdf/"


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "lines"]


class UsageEventSerializer(serializers.ModelSerializer[UsageEvent]):
    request = serializers.CharField(source="entry.reference")
    title = serializers.CharField(source="entry.title")

    class Meta:
        model = UsageEvent
        fields = ["request", "title", "unit_number", "quantity", "completed_on"]


class PaymentInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reference = serializers.CharField(max_length=100, help_text="The agency's transfer reference.")
    paid_on = serializers.DateField(help_text="The day the agency paid (not in the future, not before the issue).")


class CreditNoteInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=300)


class CreditNoteSerializer(serializers.ModelSerializer[CreditNote]):
    agency = serializers.CharField(source="agency.code", read_only=True)
    invoice = serializers.CharField(source="invoice.number", read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice",
            "agency",
            "amount",
            "currency",
            "local_currency",
            "exchange_rate",
            "local_amount",
            "reason",
            "issued_at",
            "pdf_url",
        ]

    def get_pdf_url(self, note: CreditNote) -> str:
        return f"/api/billing/credit-notes/{note.pk}/pdf/"


class RunSerializer(serializers.ModelSerializer[BillingRun]):
    month = MonthField(read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = BillingRun
        fields = [
            "id",
            "month",
            "status",
            "percent",
            "agencies_done",
            "agencies_total",
            "drafts_made",
            "skipped_issued",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]


class RunInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    month = MonthField()


class PriceItemSerializer(serializers.ModelSerializer[PriceListItem]):
    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["service", "billing_unit", "unit_price"]


class PriceListSerializer(serializers.ModelSerializer[PriceListVersion]):
    decision = serializers.IntegerField(source="decision.number", read_only=True)
    items = PriceItemSerializer(many=True, read_only=True)

    class Meta:
        model = PriceListVersion
        fields = ["id", "effective_from", "decision", "notes", "created_at", "items"]


class PriceInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="code", queryset=Service.objects.all()
    )
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)  # type: ignore[arg-type]


class PriceListInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    effective_from = serializers.DateField()
    decision = serializers.IntegerField(min_value=1, help_text="The approving decision's number in the register.")
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    items = PriceInputSerializer(many=True, allow_empty=False)


class FixedCostSerializer(serializers.ModelSerializer[FixedCost]):
    month = MonthField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)  # type: ignore[arg-type]

    class Meta:
        model = FixedCost
        fields = ["id", "month", "description", "amount", "entered_at"]
        read_only_fields = ["entered_at"]


class SharingKeySerializer(serializers.ModelSerializer[CostSharingKey]):
    effective_from = MonthField()
    method = serializers.ChoiceField(choices=SharingMethod.choices)
    decision = serializers.IntegerField(source="decision.number", help_text="The decision's number in the register.")

    class Meta:
        model = CostSharingKey
        fields = ["id", "effective_from", "method", "decision", "created_at"]
        read_only_fields = ["created_at"]


class ExchangeRateSerializer(serializers.ModelSerializer[ExchangeRate]):
    month = MonthField()
    currency = serializers.ChoiceField(choices=sorted(LOCAL_CURRENCIES))
    rate = serializers.DecimalField(max_digits=14, decimal_places=6, min_value=0)  # type: ignore[arg-type]

    class Meta:
        model = ExchangeRate
        fields = ["id", "month", "currency", "rate", "entered_at"]
        read_only_fields = ["entered_at"]


# -- views --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("month", str, description=MONTH_HELP),
            OpenApiParameter("status", str, enum=InvoiceStatus.values),
            OpenApiParameter("agency", str, description="Agency code (facility portal only)."),
        ]
    )
)
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Invoices in the caller's scope. Facility finance issues, records payments and credits them."""

    pagination_class = StandardPagination
    queryset = Invoice.objects.none()
    WRITE_ACTIONS = {"issue", "pay", "credit_note"}

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.action in self.WRITE_ACTIONS:
            return [MayUseThisAddress(), IsFacilityFinance()]
        return [MayUseThisAddress(), ReadsBilling()]

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return InvoiceSerializer if self.action == "list" else InvoiceDetailSerializer

    def get_queryset(self) -> QuerySet[Invoice]:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        params = self.request.query_params
        month = None
        if self.action == "list" and params.get("month"):
            month = MonthField().run_validation(params["month"])
        wanted = params.get("status", "") if self.action == "list" else ""
        if wanted and wanted not in InvoiceStatus.values:
            raise ApplicationError(
                gettext("Unknown status %(status)s.") % {"status": repr(wanted)},
                code="billing.invalid_filter",
                fields={"status": [gettext("Unknown status.")]},
            )
        agency = params.get("agency", "") if self.action == "list" else ""
        return selectors.invoice_list(scope=_scope(self.request), month=month, status=wanted, agency_code=agency)

    def _detail(self, invoice: Invoice) -> Response:
        invoice = selectors.invoice_get(pk=invoice.pk, scope=None) or invoice
        return Response(InvoiceDetailSerializer(invoice).data)

    @extend_schema(request=None, responses={200: InvoiceDetailSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        """Issue a draft: it gets the next number and never changes again; the worker renders its PDF."""
        return self._detail(services.invoice_issue(invoice=self.get_object(), issued_by=request.user))  # type: ignore[arg-type]

    @extend_schema(request=PaymentInputSerializer, responses={200: InvoiceDetailSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        """Record the agency's payment of an issued invoice: its transfer reference and the day it was paid."""
        payload = PaymentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invoice = services.invoice_pay(
            invoice=self.get_object(),
            paid_by=request.user,  # type: ignore[arg-type]
            reference=payload.validated_data["reference"],
            paid_on=payload.validated_data["paid_on"],
        )
        return self._detail(invoice)

    @extend_schema(request=CreditNoteInputSerializer, responses={201: CreditNoteSerializer})
    @action(detail=True, methods=["post"], url_path="credit-note")
    def credit_note(self, request: Request, pk: str | None = None) -> Response:
        """Cancel an issued or paid invoice by a credit note for its whole amount."""
        payload = CreditNoteInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.credit_note_issue(
            invoice=self.get_object(),
            reason=payload.validated_data["reason"],
            issued_by=request.user,  # type: ignore[arg-type]
        )
        return Response(CreditNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The issued invoice's PDF, from the agency's storage."""
        invoice = self.get_object()
        if invoice.status == InvoiceStatus.DRAFT:
            raise ApplicationError(gettext("A draft has no PDF yet."), code="billing.draft_has_no_pdf", status_code=404)
        return invoice_pdf_response(invoice)

    @extend_schema(responses=CSV_RESPONSE)
    @action(detail=True, methods=["get"])
    def csv(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The invoice as CSV: every usage event behind each line, then shares, credits and the total."""
        return invoice_csv_response(self.get_object())

    @extend_schema(
        parameters=[OpenApiParameter("line", int, required=True, description="The line's id.")],
        responses=UsageEventSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def usage(self, request: Request, pk: str | None = None) -> Response:
        """The usage behind one usage line of the invoice."""
        invoice = self.get_object()
        line_id = request.query_params.get("line", "")
        line = invoice.lines.filter(pk=int(line_id), kind=LineKind.USAGE).first() if line_id.isdigit() else None
        if line is None:
            raise ApplicationError(
                gettext("Name one of the invoice's usage lines: ?line=<id>."),
                code="billing.no_such_line",
                status_code=404,
            )
        page = self.paginate_queryset(selectors.usage_behind(line=line))
        return self.get_paginated_response(UsageEventSerializer(page, many=True).data)


class CreditNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Credit notes in the caller's scope, each cancelling one invoice."""

    serializer_class = CreditNoteSerializer
    pagination_class = StandardPagination
    permission_classes = [MayUseThisAddress, ReadsBilling]
    queryset = CreditNote.objects.none()

    def get_queryset(self) -> QuerySet[CreditNote]:
        if getattr(self, "swagger_fake_view", False):
            return CreditNote.objects.none()
        return selectors.credit_note_list(scope=_scope(self.request))

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        return credit_note_pdf_response(self.get_object())


class _FacilityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Facility-portal lists: read by facility finance, the manager and the auditor; written by `writers`."""

    pagination_class = StandardPagination
    writers: type[BasePermission] = IsFacilityFinance

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.action in ("create", "destroy"):
            return [MayUseThisAddress(), self.writers()]
        return [MayUseThisAddress(), ReadsFacilityBilling()]


class RunViewSet(mixins.CreateModelMixin, _FacilityViewSet):
    """Monthly runs: start one (the worker drafts the invoices) and follow its progress."""

    serializer_class = RunSerializer
    queryset = BillingRun.objects.all()

    def get_queryset(self) -> QuerySet[BillingRun]:
        return selectors.run_list()

    @extend_schema(request=RunInputSerializer, responses={202: RunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RunInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = services.run_start(month=payload.validated_data["month"], started_by=request.user)  # type: ignore[arg-type]
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PriceListViewSet(mixins.CreateModelMixin, _FacilityViewSet):
    """Price-list versions, each from a date and citing the board decision that approved it."""

    serializer_class = PriceListSerializer
    queryset = PriceListVersion.objects.all()
    writers = KeepsPriceList

    def get_queryset(self) -> QuerySet[PriceListVersion]:
        return selectors.price_list_versions()

    @extend_schema(request=PriceListInputSerializer, responses={201: PriceListSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PriceListInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = services.price_list_version_create(
            effective_from=data["effective_from"],
            decision=data["decision"],
            prices={item["service"]: item["unit_price"] for item in data["items"]},
            notes=data["notes"],
            created_by=request.user,  # type: ignore[arg-type]
        )
        return Response(PriceListSerializer(version).data, status=status.HTTP_201_CREATED)


class FixedCostViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, _FacilityViewSet):
    """The facility's fixed costs per month, shared among the agencies by the key in force."""

    serializer_class = FixedCostSerializer
    queryset = FixedCost.objects.all()

    def get_queryset(self) -> QuerySet[FixedCost]:
        return selectors.fixed_costs()

    def perform_create(self, serializer: FixedCostSerializer) -> None:  # type: ignore[override]
        serializer.instance = services.fixed_cost_add(entered_by=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_destroy(self, instance: FixedCost) -> None:
        services.fixed_cost_remove(cost=instance, removed_by=self.request.user)  # type: ignore[arg-type]


class SharingKeyViewSet(mixins.CreateModelMixin, _FacilityViewSet):
    """Cost-sharing keys (equal, headcount, usage share), each citing the approving board decision."""

    serializer_class = SharingKeySerializer
    queryset = CostSharingKey.objects.all()

    def get_queryset(self) -> QuerySet[CostSharingKey]:
        return selectors.sharing_keys()

    def perform_create(self, serializer: SharingKeySerializer) -> None:  # type: ignore[override]
        data = serializer.validated_data
        serializer.instance = services.sharing_key_create(
            effective_from=data["effective_from"],
            method=data["method"],
            decision=data["decision"]["number"],
            created_by=self.request.user,  # type: ignore[arg-type]
        )


class ExchangeRateViewSet(mixins.CreateModelMixin, _FacilityViewSet):
    """The UN operational rate of exchange per month (BRL per USD); setting a month again replaces it."""

    serializer_class = ExchangeRateSerializer
    queryset = ExchangeRate.objects.all()

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        return selectors.exchange_rates()

    def perform_create(self, serializer: ExchangeRateSerializer) -> None:  # type: ignore[override]
        serializer.instance = services.exchange_rate_set(entered_by=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]
