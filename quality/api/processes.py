"""The quality system's API: processes and their risks and opportunities (clauses 4.4 and 6.1).

Facility portal only. Every facility role reads; the services decide who
writes (keepers for processes; keepers or the process owner for risks), so a
request refused here is refused on the page too.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from service_levels.models import Service
from shared_platform import limits
from shared_platform.api import StandardPagination
from shared_platform.schema import paginated

from ..forms.processes import facility_people
from ..models import Document, Process, Risk, RiskKind
from ..selectors import processes as selectors
from ..services import processes as services
from .permissions import IsQualityReader


def person_name(user: User | None) -> str | None:
    return (user.get_full_name() or user.email) if user is not None else None


class PersonField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """A facility person, read and written by e-mail."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "email")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", User.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return facility_people()


# --- serializers -------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": "^(" + "|".join(RiskKind.values) + ")$"})
class RiskKindField(serializers.ChoiceField):
    """`risk` or `opportunity`; described by a pattern, since the schema's enums are named by field and
    several other operations have a `kind` of their own."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RiskKind.choices, **kwargs)


class QualityRiskSerializer(serializers.ModelSerializer[Risk]):
    kind = RiskKindField(read_only=True)
    owner = serializers.EmailField(source="owner.email", read_only=True)
    score = serializers.IntegerField(read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "kind",
            "description",
            "likelihood",
            "impact",
            "score",
            "treatment",
            "owner",
            "review_on",
            "updated_at",
        ]


class QualityRiskInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = RiskKindField(default=RiskKind.RISK)
    description = serializers.CharField(max_length=limits.SHORT_TEXT)
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    impact = serializers.IntegerField(min_value=1, max_value=5)
    treatment = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")
    owner = PersonField(required=False, help_text="The owner's e-mail; the process owner if left out.")
    review_on = serializers.DateField(required=False, allow_null=True, default=None)


class QualityProcessSerializer(serializers.ModelSerializer[Process]):
    owner = serializers.EmailField(source="owner.email", read_only=True)
    owner_name = serializers.SerializerMethodField()
    procedure = serializers.CharField(source="procedure.code", read_only=True, allow_null=True)
    services = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)  # type: ignore[var-annotated]
    highest_risk = serializers.IntegerField(read_only=True, allow_null=True)
    open_items = serializers.IntegerField(read_only=True)

    class Meta:
        model = Process
        fields = [
            "code",
            "name",
            "purpose",
            "owner",
            "owner_name",
            "procedure",
            "services",
            "active",
            "highest_risk",
            "open_items",
        ]

    def get_owner_name(self, process: Process) -> str | None:
        return person_name(process.owner)


class QualityProcessDetailSerializer(QualityProcessSerializer):
    risks = QualityRiskSerializer(many=True, read_only=True)

    class Meta(QualityProcessSerializer.Meta):
        fields = [*QualityProcessSerializer.Meta.fields, "risks"]


class QualityProcessInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=limits.NAME)
    purpose = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")
    owner = PersonField(help_text="The owner's e-mail: a member of the facility's staff.")
    services = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        many=True, slug_field="code", queryset=Service.objects.all(), required=False, default=list
    )
    procedure = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="code", queryset=Document.objects.all(), required=False, allow_null=True, default=None
    )


# --- views -------------------------------------------------------------------------------------------


def _process(code: str) -> Process:
    process = selectors.process_list().filter(code=code).first()
    if process is None:
        raise Http404
    return process


class ProcessListApi(APIView):
    """The register of processes, with each one's highest risk score and open items."""

    permission_classes = [IsQualityReader]

    @extend_schema(
        operation_id="quality_processes_list",
        responses=paginated(QualityProcessSerializer, "PaginatedQualityProcessList"),
    )
    def get(self, request: Request) -> Response:
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.process_list().order_by("code"), request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(QualityProcessSerializer(page, many=True).data)

    @extend_schema(request=QualityProcessInputSerializer, responses={201: QualityProcessDetailSerializer})
    def post(self, request: Request) -> Response:
        data = QualityProcessInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        process = services.process_create(created_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(QualityProcessDetailSerializer(_process(process.code)).data, status=status.HTTP_201_CREATED)


class ProcessDetailApi(APIView):
    """One process with its risks and opportunities."""

    permission_classes = [IsQualityReader]

    @extend_schema(responses=QualityProcessDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        return Response(QualityProcessDetailSerializer(_process(code)).data)


class RiskListApi(APIView):
    """A process's risks and opportunities, highest score first; the owner or a keeper records one."""

    permission_classes = [IsQualityReader]

    @extend_schema(operation_id="quality_processes_risks_list", responses=QualityRiskSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        return Response(QualityRiskSerializer(selectors.process_risks(process=_process(code)), many=True).data)

    @extend_schema(request=QualityRiskInputSerializer, responses={201: QualityRiskSerializer})
    def post(self, request: Request, code: str) -> Response:
        process = _process(code)
        data = QualityRiskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk = services.risk_record(process=process, recorded_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(QualityRiskSerializer(risk).data, status=status.HTTP_201_CREATED)


class RiskDetailApi(APIView):
    """One risk or opportunity: re-assess it (all fields) or take it off the register."""

    permission_classes = [IsQualityReader]

    def _risk(self, code: str, pk: int) -> Risk:
        risk = selectors.risk_get(process=_process(code), pk=pk)
        if risk is None:
            raise Http404
        return risk

    @extend_schema(responses=QualityRiskSerializer)
    def get(self, request: Request, code: str, pk: int) -> Response:
        return Response(QualityRiskSerializer(self._risk(code, pk)).data)

    @extend_schema(request=QualityRiskInputSerializer, responses=QualityRiskSerializer)
    def put(self, request: Request, code: str, pk: int) -> Response:
        risk = self._risk(code, pk)
        data = QualityRiskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.setdefault("owner", risk.owner)
        risk = services.risk_update(risk=risk, updated_by=request.user, **fields)  # type: ignore[arg-type]
        return Response(QualityRiskSerializer(risk).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, code: str, pk: int) -> Response:
        services.risk_remove(risk=self._risk(code, pk), removed_by=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


facility_api_urlpatterns = [
    path("processes/", ProcessListApi.as_view(), name="quality-processes"),
    path("processes/<str:code>/", ProcessDetailApi.as_view(), name="quality-process"),
    path("processes/<str:code>/risks/", RiskListApi.as_view(), name="quality-risks"),
    path("processes/<str:code>/risks/<int:pk>/", RiskDetailApi.as_view(), name="quality-risk"),
]
