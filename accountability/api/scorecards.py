"""Scorecards and quality objectives in the API (/api/accountability/...), with the pages' rules and selectors.

- `scorecards/`: the month x agency x service cells for the filters
  (month_from, month_to as YYYY-MM, agency on the portal, module, service),
  paged; on an agency's address its own only.
- `scorecards/agencies/`: the agency-month rows (invoice, fixed share, credits
  above the cap, late bookings, split-purchase flags, LTA spend).
- `objectives/` (portal): each objective with its last completed period and
  the current one; keepers POST a new one.
- `objectives/{reference}/` (portal): one objective with every period's
  evaluation; keepers PATCH it.

A filter that does not read (2026-13, an unknown code) is refused with 400.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from quality.api.processes import PersonField
from quality.models import Process
from service_levels.models import Module, Service
from shared_platform import limits
from shared_platform.api import StandardPagination
from shared_platform.errors import form_errors_as_error
from shared_platform.schema import paginated

from ..access import may_read
from ..forms.scorecards import ScorecardFilterForm, ScorecardFilters
from ..models import (
    Comparison,
    ObjectiveMetric,
    ObjectiveScope,
    PeriodKind,
    QualityObjective,
    ScorecardAgencyMonth,
    ScorecardCell,
)
from ..selectors import scorecards as selectors
from ..selectors.objectives import (
    ObjectiveResult,
    objective_evaluate,
    objective_get,
    objective_periods,
    objectives_status,
)
from ..services.objectives import TARGET_MAX, objective_create, objective_update
from ..views.objectives import PERIODS_SHOWN

FILTER_KEYS = ("month_from", "month_to", "agency", "module", "service")


class ReadsAccountability(BasePermission):
    message = gettext_lazy(
        "Only the facility's staff, or the agency's approvers, finance officers and board members, read these records."
    )

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return may_read(user=request.user, address=request.tenant)


class ReadsObjectives(FacilityPortalOnly, ReadsAccountability):
    """The quality objectives are the facility's (portal only); the services decide who writes."""


def _filters(request: Request) -> ScorecardFilters:
    """The page's filters read with its form; anything that does not read is a 400."""
    scope = None if request.tenant.is_facility else request.tenant  # type: ignore[attr-defined]
    values = {key: value for key, value in request.query_params.items() if key in FILTER_KEYS}
    if scope is not None:
        values.pop("agency", None)
    form = ScorecardFilterForm(values, scope=scope)
    if values and not form.is_valid():
        raise form_errors_as_error(form, code="accountability.invalid_filter")
    return form.filters()


def _pattern(values: list[str]) -> dict[str, str]:
    """A choice described by a pattern: the schema's enums are named per field, and other operations share names."""
    return {"type": "string", "pattern": "^(" + "|".join(values) + ")$"}


@extend_schema_field(_pattern(ObjectiveMetric.values))
class MetricField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ObjectiveMetric.choices, **kwargs)


@extend_schema_field(_pattern(Comparison.values))
class ComparisonField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Comparison.choices, **kwargs)


@extend_schema_field(_pattern(PeriodKind.values))
class PeriodKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PeriodKind.choices, **kwargs)


@extend_schema_field(_pattern(ObjectiveScope.values))
class ObjectiveScopeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ObjectiveScope.choices, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^(|" + "|".join(Module.values) + ")$"})
class ModuleField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[("", ""), *Module.choices], **kwargs)


# -- scorecards ---------------------------------------------------------------------------------------------


class ScorecardCellSerializer(serializers.ModelSerializer[ScorecardCell]):
    month = serializers.DateField(read_only=True, help_text="First day of the month of delivery.")
    agency = serializers.CharField(source="agency.code", read_only=True)
    service = serializers.CharField(source="service.code", read_only=True)
    module = serializers.CharField(read_only=True)
    compliance_percent = serializers.SerializerMethodField(help_text="Met / delivered, to one decimal; null if none.")
    average_satisfaction = serializers.SerializerMethodField(help_text="1 to 5, to one decimal; null if none rated.")

    class Meta:
        model = ScorecardCell
        fields = [
            "month",
            "agency",
            "service",
            "module",
            "opened",
            "delivered",
            "met",
            "breached",
            "compliance_percent",
            "rated",
            "average_satisfaction",
            "usage_billed",
            "credits",
            "nonconformities_open",
            "actions_open",
            "actions_overdue",
            "refreshed_at",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True))
    def get_compliance_percent(self, cell: ScorecardCell) -> str | None:
        value = selectors.compliance_of(cell.met, cell.breached)
        return None if value is None else str(value)

    @extend_schema_field(serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True))
    def get_average_satisfaction(self, cell: ScorecardCell) -> str | None:
        value = selectors.satisfaction_of(cell.rating_total, cell.rated)
        return None if value is None else str(value)


class ScorecardAgencyMonthSerializer(serializers.ModelSerializer[ScorecardAgencyMonth]):
    month = serializers.DateField(read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)

    class Meta:
        model = ScorecardAgencyMonth
        fields = [
            "month",
            "agency",
            "invoice_number",
            "fixed_share",
            "credits_over_cap",
            "invoiced_total",
            "late_bookings",
            "tickets_issued",
            "split_flags",
            "agreement_spend",
            "refreshed_at",
        ]


_FILTER_PARAMETERS = [
    OpenApiParameter("month_from", str, description="First month, YYYY-MM (default: 12 months back)."),
    OpenApiParameter("month_to", str, description="Last month, YYYY-MM (default: this month); at most 36 months."),
    OpenApiParameter("agency", str, description="One agency's code (facility portal only)."),
    OpenApiParameter("module", str, enum=Module.values),
    OpenApiParameter("service", str, description="One service's code."),
]


@extend_schema(tags=["accountability"], parameters=_FILTER_PARAMETERS)
class ScorecardListApi(ListAPIView):  # type: ignore[type-arg]
    """Scorecard cells for the filters, by month, agency and service; an agency's address gives its own only."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]
    serializer_class = ScorecardCellSerializer

    def get_queryset(self) -> Any:
        filters = _filters(self.request)
        return selectors.cells(
            scope=filters.agency, months=filters.months, service_ids=filters.service_ids, module=filters.module
        ).order_by("month", "agency__code", "service__code")


@extend_schema(tags=["accountability"], parameters=_FILTER_PARAMETERS[:3])
class ScorecardAgencyMonthListApi(ListAPIView):  # type: ignore[type-arg]
    """Per agency and month: the issued invoice's figures, late travel bookings, split-purchase flags, LTA spend."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]
    serializer_class = ScorecardAgencyMonthSerializer

    def get_queryset(self) -> Any:
        filters = _filters(self.request)
        return selectors.agency_months(scope=filters.agency, months=filters.months).order_by("month", "agency__code")


# -- objectives ---------------------------------------------------------------------------------------------


class ObjectiveLineSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.SerializerMethodField(help_text="The agency's code; null for the facility as a whole.")
    figure = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, read_only=True)
    delivered = serializers.IntegerField(source="figures.delivered", read_only=True)
    met = serializers.BooleanField(allow_null=True, read_only=True, help_text="null: no figure (no requests).")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_agency(self, line: Any) -> str | None:
        return line.agency.code if line.agency is not None else None


class ObjectiveResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    period_start = serializers.DateField(read_only=True)
    period_end = serializers.DateField(read_only=True)
    period = serializers.CharField(source="label", read_only=True, help_text="e.g. Q3 2026, in the reader's language.")
    complete = serializers.BooleanField(read_only=True, help_text="False while the period is under way.")
    met = serializers.BooleanField(allow_null=True, read_only=True)
    lines = ObjectiveLineSerializer(many=True, read_only=True)


class QualityObjectiveSerializer(serializers.ModelSerializer[QualityObjective]):
    metric = MetricField(read_only=True)
    comparison = ComparisonField(read_only=True)
    period_kind = PeriodKindField(read_only=True)
    scope = ObjectiveScopeField(read_only=True)
    module = ModuleField(read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    process = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    owner = serializers.EmailField(source="owner.email", read_only=True)

    class Meta:
        model = QualityObjective
        fields = [
            "reference",
            "title",
            "metric",
            "comparison",
            "target",
            "period_kind",
            "scope",
            "module",
            "service",
            "process",
            "owner",
            "valid_from",
            "valid_to",
            "active",
        ]


class QualityObjectiveStatusSerializer(serializers.Serializer):  # type: ignore[type-arg]
    objective = QualityObjectiveSerializer(read_only=True)
    last = ObjectiveResultSerializer(read_only=True, allow_null=True, help_text="The last completed period.")
    current = ObjectiveResultSerializer(read_only=True, allow_null=True, help_text="The period under way, so far.")


class QualityObjectiveDetailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    objective = QualityObjectiveSerializer(read_only=True)
    periods = ObjectiveResultSerializer(many=True, read_only=True, help_text="The latest 12 periods, the latest first.")


class QualityObjectiveInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=limits.NAME)
    metric = MetricField()
    comparison = ComparisonField()
    target = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, max_value=TARGET_MAX)  # type: ignore[arg-type]
    period_kind = PeriodKindField()
    scope = ObjectiveScopeField()
    module = ModuleField(required=False, default="")
    service = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="code", queryset=Service.objects.all(), required=False, allow_null=True, default=None
    )
    process = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="code", queryset=Process.objects.all(), required=False, allow_null=True, default=None
    )
    owner = PersonField(help_text="The owner's e-mail: a member of the facility's staff.")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    active = serializers.BooleanField(required=False, default=True)


def _objective(reference: str) -> QualityObjective:
    objective = objective_get(reference=reference)
    if objective is None:
        raise Http404
    return objective


def _detail(objective: QualityObjective) -> dict[str, Any]:
    today = timezone.localdate()
    periods: list[ObjectiveResult] = [
        objective_evaluate(objective=objective, period_start=start, today=today)
        for start in reversed(objective_periods(objective=objective, until=today)[-PERIODS_SHOWN:])
    ]
    return QualityObjectiveDetailSerializer({"objective": objective, "periods": periods}).data  # type: ignore[return-value]


class ObjectiveListApi(APIView):
    """The quality objectives, each with its last completed period and the current one (met, missed, figures)."""

    permission_classes = [MayUseThisAddress, ReadsObjectives]

    @extend_schema(
        tags=["accountability"],
        operation_id="accountability_objectives_list",
        responses=paginated(QualityObjectiveStatusSerializer, "PaginatedQualityObjectiveStatusList"),
    )
    def get(self, request: Request) -> Response:
        paginator = StandardPagination()
        rows = [
            {"objective": objective, "last": last, "current": current}
            for objective, last, current in objectives_status(until=timezone.localdate())
        ]
        page: list[dict[str, Any]] | None = paginator.paginate_queryset(rows, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(QualityObjectiveStatusSerializer(page, many=True).data)

    @extend_schema(
        tags=["accountability"],
        request=QualityObjectiveInputSerializer,
        responses={201: QualityObjectiveDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = QualityObjectiveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objective = objective_create(created_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(_detail(_objective(objective.reference)), status=status.HTTP_201_CREATED)


class ObjectiveDetailApi(APIView):
    """One quality objective with every period's evaluation; keepers change it."""

    permission_classes = [MayUseThisAddress, ReadsObjectives]

    @extend_schema(tags=["accountability"], responses=QualityObjectiveDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return Response(_detail(_objective(reference)))

    @extend_schema(
        tags=["accountability"],
        request=QualityObjectiveInputSerializer(partial=True),
        responses=QualityObjectiveDetailSerializer,
    )
    def patch(self, request: Request, reference: str) -> Response:
        objective = _objective(reference)
        data = QualityObjectiveInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        objective = objective_update(objective=objective, updated_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(_detail(_objective(objective.reference)))


facility_api_urlpatterns: list[URLPattern] = [
    path("scorecards/", ScorecardListApi.as_view(), name="accountability-scorecards"),
    path("scorecards/agencies/", ScorecardAgencyMonthListApi.as_view(), name="accountability-scorecard-agencies"),
    path("objectives/", ObjectiveListApi.as_view(), name="accountability-objectives"),
    path("objectives/<str:reference>/", ObjectiveDetailApi.as_view(), name="accountability-objective"),
]
agency_api_urlpatterns: list[URLPattern] = [
    path("scorecards/", ScorecardListApi.as_view(), name="accountability-scorecards"),
    path("scorecards/agencies/", ScorecardAgencyMonthListApi.as_view(), name="accountability-scorecard-agencies"),
]
