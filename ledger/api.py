"""API for the ledger and the SLA figures: facility staff see every agency, an agency its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from service_levels.models import Metric
from shared_platform.api import PersonField, StandardPagination
from shared_platform.errors import form_errors_as_error
from shared_platform.schema import paginated

from .forms import RequestFilterForm
from .models import ClockState, Holder, LedgerEntry, SlaBreach
from .selectors import (
    ClockFigures,
    ClockResult,
    LedgerFilters,
    at_risk,
    breach_list,
    clocks_with_breaches,
    compliance_report,
    entry_clocks,
    entry_list,
    request_scope,
)

FILTER_PARAMETERS = [
    OpenApiParameter("agency", str, description="Agency code (facility portal only)."),
    OpenApiParameter("service", str, description="Service code, e.g. ICT-INC."),
    OpenApiParameter("module", str, enum=["procurement", "travel", "ict"]),
    OpenApiParameter("month", str, description="YYYY-MM, one of the last 12 months; default: the last 3 months."),
]


def filters_from(request: Request, *, with_status: bool = False) -> tuple[LedgerFilters, str]:
    """The query's filters within the caller's scope; a bad value is a 400 that names it."""
    scope = request_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    form = RequestFilterForm(request.query_params, scope=scope)
    if not form.is_valid():
        raise form_errors_as_error(form, code="ledger.invalid_filter")
    return form.filters(), (form.cleaned_data.get("status") or "") if with_status else ""


class CalendarDateTimeField(serializers.DateTimeField):
    """An instant in the time zone it was given in (a clock's calendar), not converted to the server's."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value


class LedgerClockSerializer(serializers.Serializer[ClockFigures]):
    """One SLA clock: its target, the business time used, its due time while running, and its result.

    The one clock shape of the API: the ledger and the helpdesk both answer with it.
    """

    metric = serializers.ChoiceField(choices=Metric.choices, source="clock.metric", read_only=True)
    metric_label = serializers.CharField(source="clock.get_metric_display", read_only=True)
    state = serializers.ChoiceField(choices=ClockState.choices, source="clock.state", read_only=True)
    held_by = serializers.ChoiceField(
        choices=Holder.choices, source="clock.held_by", read_only=True, help_text=_("Who holds the clock now.")
    )
    target_minutes = serializers.IntegerField(
        source="clock.target_minutes", read_only=True, help_text=_("The target in business minutes.")
    )
    target = serializers.CharField(
        source="target_text",
        read_only=True,
        help_text=_("The target for people, e.g. '4 h' or '3 days' (a day is 9 working hours)."),
    )
    used_minutes = serializers.IntegerField(
        read_only=True,
        help_text=_("Business minutes used: so far while running or paused, in total once stopped."),
    )
    used = serializers.CharField(source="used_text", read_only=True, help_text=_("The business time used, for people."))
    started_at = serializers.DateTimeField(source="clock.started_at", read_only=True)
    due_at = CalendarDateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "While running: when the target runs out, in the calendar's time zone. Null while paused or stopped."
        ),
    )
    time_zone = serializers.CharField(read_only=True, help_text=_("The time zone of the agreement's calendar."))
    result = serializers.ChoiceField(
        choices=ClockResult.choices,
        read_only=True,
        allow_null=True,
        help_text=_("breached as soon as the target ran out; met once stopped within it; null while counting."),
    )
    breach_held_by = serializers.ChoiceField(
        choices=Holder.choices,
        read_only=True,
        allow_null=True,
        help_text=_("Who held the clock when it ran out: the facility, the requester or a supplier."),
    )
    breached_at = serializers.DateTimeField(source="clock.breached_at", read_only=True, allow_null=True)
    stopped_at = serializers.DateTimeField(source="clock.stopped_at", read_only=True, allow_null=True)


def clocks_data(entry: LedgerEntry) -> Any:
    """The request's clocks in the API's one clock shape, measured at one instant."""
    return LedgerClockSerializer(entry_clocks(entry=entry), many=True).data  # type: ignore[arg-type]


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agreement: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    requester: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True
    )
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True
    )
    clocks = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "reference",
            "agency",
            "service",
            "module",
            "agreement",
            "title",
            "priority",
            "status",
            "held_by",
            "requester",
            "assignee",
            "opened_at",
            "completed_at",
            "closed_at",
            "breached",
            "billable_units",
            "clocks",
        ]

    @extend_schema_field(LedgerClockSerializer(many=True))
    def get_clocks(self, entry: LedgerEntry) -> Any:
        return clocks_data(entry)


class LedgerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The cross-agency ledger: one row per request, whatever its module. Read-only; modules write it."""

    serializer_class = LedgerEntrySerializer
    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9._-]+"
    queryset = LedgerEntry.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self.request, "tenant", None) is None:
            return LedgerEntry.objects.none()
        filters, status = filters_from(self.request, with_status=True)
        if self.action == "retrieve":  # a reference is looked up in the caller's scope, whatever the period
            filters = LedgerFilters(agency=filters.agency, person=filters.person)
        return (
            entry_list(filters=filters, status=status)
            .prefetch_related(clocks_with_breaches())
            .select_related("agreement__calendar", "requester")
        )

    @extend_schema(parameters=[*FILTER_PARAMETERS, OpenApiParameter("status", str)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class ComplianceRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    month = serializers.DateField()
    agency = serializers.CharField(source="agency_code")
    service = serializers.CharField(source="service_code")
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=4, decimal_places=1)


class ComplianceApi(APIView):
    """SLA compliance per agency x service x month: requests delivered, met and breached."""

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses=inline_serializer(
            "ComplianceReport",
            {"count": serializers.IntegerField(), "results": ComplianceRowSerializer(many=True)},
        ),
    )
    def get(self, request: Request) -> Response:
        filters, _ = filters_from(request)
        rows = compliance_report(filters=filters)
        return Response({"count": len(rows), "results": ComplianceRowSerializer(rows, many=True).data})


class AtRiskSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reference = serializers.CharField(source="entry.reference")
    agency = serializers.CharField(source="entry.agency.code")
    service = serializers.CharField(source="entry.service.code")
    priority = serializers.CharField(source="entry.priority")
    metric = serializers.CharField(source="clock.metric")
    due_at = serializers.DateTimeField(source="clock.due_at")
    business_minutes_left = serializers.SerializerMethodField()
    used_percent = serializers.IntegerField()

    def get_business_minutes_left(self, risk: Any) -> int:
        return int(risk.left.total_seconds() // 60)


class AtRiskApi(APIView):
    """Open requests past their first warning, least business time left first (negative: overdue)."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=paginated(AtRiskSerializer, "PaginatedAtRiskList"))
    def get(self, request: Request) -> Response:
        filters, _ = filters_from(request)
        paginator = StandardPagination()
        page: list[Any] | None = paginator.paginate_queryset(at_risk(filters=filters), request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(AtRiskSerializer(page, many=True).data)


class BreachSerializer(serializers.ModelSerializer[SlaBreach]):
    reference = serializers.CharField(source="entry.reference")
    agency = serializers.CharField(source="agency.code")
    service = serializers.CharField(source="service.code")

    class Meta:
        model = SlaBreach
        fields = ["reference", "agency", "service", "metric", "due_at", "recorded_at", "held_by"]


class BreachViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Breaches in the period, newest first, with who held the clock."""

    serializer_class = BreachSerializer
    queryset = SlaBreach.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self.request, "tenant", None) is None:
            return SlaBreach.objects.none()
        filters, _ = filters_from(self.request)
        return breach_list(filters=filters)

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("ledger", LedgerViewSet, basename="ledger-entry")
router.register("sla/breaches", BreachViewSet, basename="sla-breach")

urlpatterns: list[URLPattern | URLResolver] = [
    path("sla/compliance/", ComplianceApi.as_view(), name="api-sla-compliance"),
    path("sla/at-risk/", AtRiskApi.as_view(), name="api-sla-at-risk"),
    path("", include(router.urls)),
]


class ModuleQueueEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    """One request in a module's queue on the facility portal (procurement's cases, travel's trips), from the ledger:
    nothing of the agency's private record (a trip's title is its route)."""

    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[var-annotated]
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[var-annotated]
    assignee = PersonField()
    next_due = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Earliest due time still ahead.")
    overdue_since = serializers.DateTimeField(read_only=True, allow_null=True, help_text="A running clock ran out.")

    class Meta:
        model = LedgerEntry
        fields = [
            "reference",
            "agency",
            "service",
            "title",
            "status",
            "step",
            "held_by",
            "assignee",
            "opened_at",
            "next_due",
            "overdue_since",
            "breached",
        ]
        read_only_fields = fields
