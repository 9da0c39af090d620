"""The quality system's API: nonconformities, corrective actions and effectiveness checks (clause 10.2).

The same rules as the pages, checked by the same services: every facility
role reads; the owner and the keepers work a nonconformity; an action's
owner ticks it done; keepers and internal auditors raise one by hand; the
read-only auditor reads and is refused (403) any change. Facility portal
only: an agency's people never reach these records.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from service_levels.models import Service
from shared_platform import limits
from shared_platform.api import PersonField, id_check
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from ..models import (
    CheckResult,
    CorrectiveAction,
    CriterionKind,
    EffectivenessCheck,
    Nonconformity,
    NonconformitySource,
    NonconformityStatus,
    Process,
    QualityEvent,
    Severity,
)
from ..selectors import nonconformities as selectors
from ..services import nonconformities as services
from .permissions import IsQualityReader

LARGEST_INTEGER = 2_147_483_647


def extend_schema_field_list(serializer: type[serializers.Serializer]) -> Any:  # type: ignore[type-arg]
    """A method field's schema: a list of `serializer` rows."""
    return extend_schema_field(serializer(many=True))


# --- Serializers ---------------------------------------------------------------


class CorrectiveActionSerializer(serializers.ModelSerializer[CorrectiveAction]):
    owner = PersonField()
    done_by = PersonField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = ["id", "description", "owner", "due_on", "overdue", "done_at", "done_by", "done_note"]

    def get_overdue(self, action: CorrectiveAction) -> bool:
        return action.done_at is None and action.due_on < timezone.localdate()


class EffectivenessCheckSerializer(serializers.ModelSerializer[EffectivenessCheck]):
    kind = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(CriterionKind.values)}.")
    result = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(CheckResult.values)}.")
    agency = serializers.CharField(source="agency.code", read_only=True, allow_null=True)
    service = serializers.CharField(source="service.code", read_only=True, allow_null=True)
    evaluated_by = PersonField(help_text="Null when the platform evaluated it from the ledger.")
    criterion = serializers.SerializerMethodField()

    class Meta:
        model = EffectivenessCheck
        fields = [
            "id",
            "kind",
            "criterion",
            "description",
            "agency",
            "service",
            "period_start",
            "period_end",
            "threshold",
            "measured",
            "result",
            "evaluated_at",
            "evaluated_by",
            "note",
        ]

    def get_criterion(self, check: EffectivenessCheck) -> str:
        return services.check_describe(check)


class NonconformityEventSerializer(serializers.ModelSerializer[QualityEvent]):
    actor = PersonField()

    class Meta:
        model = QualityEvent
        fields = ["at", "action", "actor", "detail"]


class NonconformitySerializer(serializers.ModelSerializer[Nonconformity]):
    source = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(NonconformitySource.values)}.")  # type: ignore[assignment]
    severity = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(Severity.values)}.")
    status = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(NonconformityStatus.values)}.")
    agency = serializers.CharField(source="agency.code", read_only=True, allow_null=True)
    service = serializers.CharField(source="service.code", read_only=True, allow_null=True)
    process = serializers.CharField(source="process.code", read_only=True, allow_null=True)
    owner = PersonField()
    raised_by = PersonField(help_text="Null when the platform raised it.")

    class Meta:
        model = Nonconformity
        fields = [
            "reference",
            "title",
            "source",
            "severity",
            "status",
            "process",
            "agency",
            "service",
            "month",
            "owner",
            "raised_by",
            "raised_at",
            "closed_at",
            "times_reopened",
        ]


class NonconformityBreachSerializer(serializers.Serializer):  # type: ignore[type-arg]
    request = serializers.CharField(source="entry.reference")
    metric = serializers.CharField()
    due_at = serializers.DateTimeField()


class NonconformityRatingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    request = serializers.CharField(source="reference")
    rating = serializers.IntegerField(source="satisfaction", allow_null=True)
    rated_at = serializers.DateTimeField(allow_null=True)


class NonconformityDetailSerializer(NonconformitySerializer):
    actions = serializers.SerializerMethodField()
    checks = serializers.SerializerMethodField()
    breaches = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta(NonconformitySerializer.Meta):
        fields = [
            *NonconformitySerializer.Meta.fields,
            "description",
            "correction",
            "root_cause",
            "actions",
            "checks",
            "breaches",
            "ratings",
            "history",
        ]

    @extend_schema_field_list(CorrectiveActionSerializer)
    def get_actions(self, nc: Nonconformity) -> Any:
        return CorrectiveActionSerializer(selectors.nonconformity_actions(nonconformity=nc), many=True).data

    @extend_schema_field_list(EffectivenessCheckSerializer)
    def get_checks(self, nc: Nonconformity) -> Any:
        return EffectivenessCheckSerializer(selectors.nonconformity_checks(nonconformity=nc), many=True).data

    @extend_schema_field_list(NonconformityBreachSerializer)
    def get_breaches(self, nc: Nonconformity) -> Any:
        return NonconformityBreachSerializer(selectors.nonconformity_breaches(nonconformity=nc), many=True).data

    @extend_schema_field_list(NonconformityRatingSerializer)
    def get_ratings(self, nc: Nonconformity) -> Any:
        return NonconformityRatingSerializer(selectors.nonconformity_ratings(nonconformity=nc), many=True).data

    @extend_schema_field_list(NonconformityEventSerializer)
    def get_history(self, nc: Nonconformity) -> Any:
        return NonconformityEventSerializer(selectors.nonconformity_history(nonconformity=nc), many=True).data


class NonconformityFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=[*NonconformityStatus.values, "not_closed"], required=False)
    source = serializers.ChoiceField(choices=NonconformitySource.values, required=False)  # type: ignore[assignment]
    agency = serializers.CharField(max_length=20, required=False)
    process = serializers.CharField(max_length=20, required=False)


class RaiseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=limits.NAME)
    description = serializers.CharField(max_length=limits.LONG_TEXT, required=False, allow_blank=True, default="")
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=12, default=NonconformitySource.MANUAL, help_text="manual or complaint."
    )
    severity = serializers.CharField(max_length=6, default=Severity.MINOR, help_text="minor or major.")
    process = serializers.CharField(max_length=20, required=False, allow_null=True, default=None)
    agency = serializers.CharField(max_length=20, required=False, allow_null=True, default=None)
    service = serializers.CharField(max_length=20, required=False, allow_null=True, default=None)
    owner = serializers.IntegerField(
        min_value=1, max_value=LARGEST_INTEGER, required=False, allow_null=True, default=None, help_text="A user id."
    )


class AssignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    owner = serializers.IntegerField(min_value=1, max_value=LARGEST_INTEGER, help_text="A user id.")


class CorrectionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    correction = serializers.CharField(max_length=limits.SHORT_TEXT)


class RootCauseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    root_cause = serializers.CharField(max_length=limits.LONG_TEXT)


class ActionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    description = serializers.CharField(max_length=limits.SHORT_TEXT)
    owner = serializers.IntegerField(min_value=1, max_value=LARGEST_INTEGER, help_text="A user id.")
    due_on = serializers.DateField()


class ActionDoneSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(max_length=limits.SHORT_TEXT)


class CheckInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField(max_length=14, help_text=f"One of: {', '.join(CriterionKind.values)}.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    threshold = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True, default=None)
    agency = serializers.CharField(
        max_length=20, required=False, allow_null=True, default=None, help_text="Empty: the nonconformity's agency."
    )
    service = serializers.CharField(max_length=20, required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=limits.NAME, required=False, allow_blank=True, default="")


class JudgeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    effective = serializers.BooleanField()
    note = serializers.CharField(max_length=limits.SHORT_TEXT)


# --- Lookups -------------------------------------------------------------------


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _unknown(field: str) -> ApplicationError:
    return ApplicationError(
        gettext("Unknown %(field)s.") % {"field": field}, code="quality.invalid", fields={field: [gettext("Unknown.")]}
    )


def _person(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise _unknown(field)
    return person


def _agency(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.agencies().filter(code=code.strip().upper()).first()
    if agency is None:
        raise _unknown("agency")
    return agency


def _service(code: str | None) -> Service | None:
    if not code:
        return None
    service = Service.objects.filter(code=code.strip().upper()).first()
    if service is None:
        raise _unknown("service")
    return service


def _process(code: str | None) -> Process | None:
    if not code:
        return None
    process = Process.objects.filter(code=code.strip()).first()
    if process is None:
        raise _unknown("process")
    return process


def _nonconformity(reference: str) -> Nonconformity:
    nonconformity = selectors.nonconformity_get(reference=reference[:20]) if "\x00" not in reference else None
    if nonconformity is None:
        raise Http404("No such nonconformity.")
    return nonconformity


class _QualityApi(APIView):
    permission_classes = [IsQualityReader]

    def detail(self, reference: str, code: int = status.HTTP_200_OK) -> Response:
        return Response(NonconformityDetailSerializer(_nonconformity(reference)).data, status=code)


# --- Views ---------------------------------------------------------------------


@extend_schema(
    tags=["quality"],
    parameters=[
        OpenApiParameter("status", str, enum=[*NonconformityStatus.values, "not_closed"]),
        OpenApiParameter("source", str, enum=NonconformitySource.values),
        OpenApiParameter("agency", str, description="An agency's code."),
        OpenApiParameter("process", str, description="A process's code, e.g. ICT-INC."),
    ],
)
class NonconformityListApi(_QualityApi, ListAPIView):  # type: ignore[type-arg]
    """Nonconformities, newest first; POST raises one by hand (keepers and internal auditors)."""

    serializer_class = NonconformitySerializer

    def get_queryset(self) -> QuerySet[Nonconformity]:
        filters = NonconformityFilterSerializer(data=self.request.query_params)
        if not filters.is_valid():
            fields = {name: [str(error) for error in errors] for name, errors in filters.errors.items()}
            raise ApplicationError(gettext("A filter is not valid."), code="quality.invalid_filter", fields=fields)
        chosen = filters.validated_data
        return selectors.nonconformity_list(
            status=chosen.get("status"),
            source=chosen.get("source"),
            agency_code=chosen.get("agency"),
            process_code=chosen.get("process"),
        ).order_by("-raised_at", "-pk")

    @extend_schema(request=RaiseSerializer, responses={201: NonconformityDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(RaiseSerializer, request.data)
        nonconformity = services.nonconformity_raise(
            title=data["title"],
            description=data["description"],
            source=data["source"],
            severity=data["severity"],
            process=_process(data["process"]),
            agency=_agency(data["agency"]),
            service=_service(data["service"]),
            owner=_person(data["owner"], "owner"),
            raised_by=request.user,  # type: ignore[arg-type]
        )
        return self.detail(nonconformity.reference, status.HTTP_201_CREATED)


@extend_schema(tags=["quality"])
class NonconformityDetailApi(_QualityApi):
    """A nonconformity with its breaches or ratings, correction, root cause, actions, checks and history."""

    @extend_schema(responses=NonconformityDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return self.detail(reference)


@extend_schema(tags=["quality"])
class NonconformityAssignApi(_QualityApi):
    """A keeper names the owner."""

    @extend_schema(request=AssignSerializer, responses=NonconformityDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        nonconformity = _nonconformity(reference)
        data = _valid(AssignSerializer, request.data)
        owner = _person(data["owner"], "owner")
        assert owner is not None
        services.nonconformity_assign(nonconformity=nonconformity, owner=owner, by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["quality"])
class NonconformityCorrectApi(_QualityApi):
    """The correction: what was done at once."""

    @extend_schema(request=CorrectionSerializer, responses=NonconformityDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        nonconformity = _nonconformity(reference)
        data = _valid(CorrectionSerializer, request.data)
        services.nonconformity_correct(nonconformity=nonconformity, correction=data["correction"], by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["quality"])
class NonconformityAnalyseApi(_QualityApi):
    """The root cause, required before corrective actions."""

    @extend_schema(request=RootCauseSerializer, responses=NonconformityDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        nonconformity = _nonconformity(reference)
        data = _valid(RootCauseSerializer, request.data)
        services.nonconformity_analyse(nonconformity=nonconformity, root_cause=data["root_cause"], by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["quality"])
class ActionAddApi(_QualityApi):
    """A corrective action with its owner and due date (not in the past)."""

    @extend_schema(request=ActionInputSerializer, responses={201: NonconformityDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        nonconformity = _nonconformity(reference)
        data = _valid(ActionInputSerializer, request.data)
        owner = _person(data["owner"], "owner")
        assert owner is not None
        services.action_add(
            nonconformity=nonconformity,
            description=data["description"],
            owner=owner,
            due_on=data["due_on"],
            by=request.user,  # type: ignore[arg-type]
        )
        return self.detail(reference, status.HTTP_201_CREATED)


@extend_schema(tags=["quality"])
class ActionDoneApi(_QualityApi):
    """The action's owner (or a keeper) says it is done and what was done."""

    @extend_schema(request=ActionDoneSerializer, responses=NonconformityDetailSerializer)
    def post(self, request: Request, reference: str, pk: int) -> Response:
        id_check(pk)
        nonconformity = _nonconformity(reference)
        action = selectors.action_get(nonconformity=nonconformity, pk=pk)
        if action is None:
            raise Http404("No such action.")
        data = _valid(ActionDoneSerializer, request.data)
        services.action_done(action=action, note=data["note"], by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["quality"])
class CheckPlanApi(_QualityApi):
    """Plan the effectiveness check once every action is done: measured from the ledger, or judged."""

    @extend_schema(request=CheckInputSerializer, responses={201: NonconformityDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        nonconformity = _nonconformity(reference)
        data = _valid(CheckInputSerializer, request.data)
        criterion = services.Criterion(
            kind=data["kind"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            threshold=data["threshold"],
            agency=_agency(data["agency"]),
            service=_service(data["service"]),
            description=data["description"],
        )
        services.check_plan(nonconformity=nonconformity, criterion=criterion, by=request.user)  # type: ignore[arg-type]
        return self.detail(reference, status.HTTP_201_CREATED)


def _check(nonconformity: Nonconformity, pk: int) -> EffectivenessCheck:
    id_check(pk)
    check = selectors.check_get(nonconformity=nonconformity, pk=pk)
    if check is None:
        raise Http404("No such check.")
    return check


@extend_schema(tags=["quality"])
class CheckJudgeApi(_QualityApi):
    """A keeper records whether a check judged in words found the action effective."""

    @extend_schema(request=JudgeSerializer, responses=NonconformityDetailSerializer)
    def post(self, request: Request, reference: str, pk: int) -> Response:
        check = _check(_nonconformity(reference), pk)
        data = _valid(JudgeSerializer, request.data)
        services.check_judge(check=check, effective=data["effective"], note=data["note"], by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["quality"])
class CheckEvaluateApi(_QualityApi):
    """ "Evaluate now": a keeper runs the ledger evaluation of a measured check."""

    @extend_schema(request=None, responses=NonconformityDetailSerializer)
    def post(self, request: Request, reference: str, pk: int) -> Response:
        check = _check(_nonconformity(reference), pk)
        services.check_evaluate(check=check, by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


facility_api_urlpatterns = [
    path("nonconformities/", NonconformityListApi.as_view(), name="quality-nonconformities"),
    path("nonconformities/<str:reference>/", NonconformityDetailApi.as_view(), name="quality-nonconformity"),
    path(
        "nonconformities/<str:reference>/assign/",
        NonconformityAssignApi.as_view(),
        name="quality-nonconformity-assign",
    ),
    path(
        "nonconformities/<str:reference>/correct/",
        NonconformityCorrectApi.as_view(),
        name="quality-nonconformity-correct",
    ),
    path(
        "nonconformities/<str:reference>/analyse/",
        NonconformityAnalyseApi.as_view(),
        name="quality-nonconformity-analyse",
    ),
    path("nonconformities/<str:reference>/actions/", ActionAddApi.as_view(), name="quality-nonconformity-actions"),
    path(
        "nonconformities/<str:reference>/actions/<int:pk>/done/",
        ActionDoneApi.as_view(),
        name="quality-nonconformity-action-done",
    ),
    path("nonconformities/<str:reference>/checks/", CheckPlanApi.as_view(), name="quality-nonconformity-checks"),
    path(
        "nonconformities/<str:reference>/checks/<int:pk>/judge/",
        CheckJudgeApi.as_view(),
        name="quality-nonconformity-check-judge",
    ),
    path(
        "nonconformities/<str:reference>/checks/<int:pk>/evaluate/",
        CheckEvaluateApi.as_view(),
        name="quality-nonconformity-check-evaluate",
    ),
]
