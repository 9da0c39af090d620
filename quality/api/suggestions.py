"""The API of improvement suggestions (ISO 9001:2015 clause 10.3); the same rules as the pages.

Facility portal (`facility_api_urlpatterns`, under /api/quality/): every
facility role reads the board and each suggestion; the committee scores and
decides; the implementation owner or the committee adds and ticks steps and
records the implementation; the facility's staff (not the read-only auditor)
suggest. An agency's address (`agency_api_urlpatterns`): the suggestions this
person made there, and a new one. Every write is one service call, which
checks the role again.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import MayUseThisAddress
from shared_platform import limits
from shared_platform.api import PersonField, id_check
from tenants.models import Agency

from ..forms.suggestions import facility_staff
from ..models import Process, Suggestion, SuggestionStatus, SuggestionStep
from ..selectors import suggestions as selectors
from ..services import suggestions as services
from .permissions import IsQualityReader

# -- permissions -----------------------------------------------------------------------------------


class OnAgencyAddress(BasePermission):
    """One's own suggestions are read on one's agency's address."""

    message = gettext_lazy("Your own suggestions are on your agency's address.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return not request.tenant.is_facility


# -- serializers -----------------------------------------------------------------------------------


class StepSerializer(serializers.ModelSerializer[SuggestionStep]):
    done_by = PersonField()

    class Meta:
        model = SuggestionStep
        fields = ["id", "position", "description", "done_at", "done_by"]


class SuggestionSerializer(serializers.ModelSerializer[Suggestion]):
    process = serializers.CharField(source="process.code", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True, allow_null=True, default=None)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    suggested_by = PersonField()
    scored_by = PersonField()
    decided_by = PersonField()
    owner = PersonField()
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Suggestion
        fields = [
            "reference",
            "process",
            "title",
            "description",
            "suggested_by",
            "agency",
            "submitted_at",
            "status",
            "status_label",
            "impact",
            "effort",
            "score",
            "scored_by",
            "decision_reason",
            "decided_by",
            "decided_at",
            "owner",
            "due_on",
            "implemented_at",
            "outcome",
            "steps",
        ]


class MySuggestionSerializer(serializers.ModelSerializer[Suggestion]):
    """What the suggester reads: the decision, its reason and the outcome; not the committee's scoring."""

    process = serializers.CharField(source="process.code", read_only=True)
    process_name = serializers.CharField(source="process.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Suggestion
        fields = [
            "reference",
            "process",
            "process_name",
            "title",
            "description",
            "submitted_at",
            "status",
            "status_label",
            "decision_reason",
            "decided_at",
            "due_on",
            "implemented_at",
            "outcome",
        ]


class SuggestionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    process: serializers.SlugRelatedField[Process] = serializers.SlugRelatedField(
        slug_field="code", queryset=Process.objects.filter(active=True), help_text="The code of an active process."
    )
    title = serializers.CharField(max_length=limits.NAME)
    description = serializers.CharField(max_length=limits.LONG_TEXT, help_text="What would be better, and how.")


class ScoreInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    impact = serializers.IntegerField(min_value=1, max_value=5)
    effort = serializers.IntegerField(min_value=1, max_value=5)


class DecideInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = serializers.ChoiceField(choices=sorted(services.DECISIONS))
    reason = serializers.CharField(max_length=limits.SHORT_TEXT, help_text="The suggester reads it.")
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="When accepting: the e-mail address of the member of the facility's staff who implements it.",
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    steps = serializers.ListField(
        child=serializers.CharField(max_length=limits.NAME), required=False, default=list, max_length=50
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_staff()  # type: ignore[attr-defined]


class StepInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    description = serializers.CharField(max_length=limits.NAME)


class ImplementInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    outcome = serializers.CharField(max_length=limits.SHORT_TEXT, help_text="What was done; the suggester reads it.")


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:  # type: ignore[type-arg]
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# -- the facility portal ---------------------------------------------------------------------------


class _FacilitySide(APIView):
    permission_classes = [MayUseThisAddress, IsQualityReader]

    def suggestion(self, reference: str) -> Suggestion:
        suggestion = selectors.suggestion_get(reference=reference)
        if suggestion is None:
            raise Http404("No such suggestion.")
        return suggestion

    def answer(self, reference: str, code: int = status.HTTP_200_OK) -> Response:
        return Response(SuggestionSerializer(self.suggestion(reference)).data, status=code)


@extend_schema(
    tags=["quality"],
    parameters=[
        OpenApiParameter("status", str, enum=list(SuggestionStatus.values), description="Only this status."),
        OpenApiParameter("process", str, description="Only this process (its code)."),
    ],
)
class SuggestionListApi(_FacilitySide, ListAPIView):  # type: ignore[type-arg]
    """The committee's board: every suggestion, to score first, then by score (impact x (6 - effort))."""

    serializer_class = SuggestionSerializer

    def get_queryset(self) -> Any:
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in SuggestionStatus.values:
            wanted = "none"  # an unknown status matches nothing
        rows = selectors.suggestion_board(status=wanted, process_code=self.request.query_params.get("process") or None)
        return rows.prefetch_related("steps__done_by")

    @extend_schema(request=SuggestionInputSerializer, responses={201: SuggestionSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(SuggestionInputSerializer, request)
        suggestion = services.suggestion_submit(suggested_by=request.user, agency=None, **data)  # type: ignore[arg-type]
        return self.answer(suggestion.reference, status.HTTP_201_CREATED)


@extend_schema(tags=["quality"])
class SuggestionDetailApi(_FacilitySide):
    """One suggestion with its score, decision, owner, steps and outcome."""

    @extend_schema(responses=SuggestionSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return self.answer(reference)


@extend_schema(tags=["quality"])
class SuggestionScoreApi(_FacilitySide):
    """The committee scores impact and effort (1-5 each); again while undecided."""

    @extend_schema(request=ScoreInputSerializer, responses=SuggestionSerializer)
    def post(self, request: Request, reference: str) -> Response:
        suggestion = self.suggestion(reference)
        data = _valid(ScoreInputSerializer, request)
        services.suggestion_score(suggestion=suggestion, scored_by=request.user, **data)  # type: ignore[arg-type]
        return self.answer(reference)


@extend_schema(tags=["quality"])
class SuggestionDecideApi(_FacilitySide):
    """The committee accepts (with owner, due date, steps), rejects or defers a scored suggestion, with a reason."""

    @extend_schema(request=DecideInputSerializer, responses=SuggestionSerializer)
    def post(self, request: Request, reference: str) -> Response:
        suggestion = self.suggestion(reference)
        data = _valid(DecideInputSerializer, request)
        services.suggestion_decide(suggestion=suggestion, decided_by=request.user, **data)  # type: ignore[arg-type]
        return self.answer(reference)


@extend_schema(tags=["quality"])
class SuggestionStepsApi(_FacilitySide):
    """The owner or the committee adds an implementation step to an accepted suggestion."""

    @extend_schema(request=StepInputSerializer, responses={201: SuggestionSerializer})
    def post(self, request: Request, reference: str) -> Response:
        suggestion = self.suggestion(reference)
        data = _valid(StepInputSerializer, request)
        services.suggestion_step_add(suggestion=suggestion, added_by=request.user, **data)  # type: ignore[arg-type]
        return self.answer(reference, status.HTTP_201_CREATED)


@extend_schema(tags=["quality"])
class SuggestionStepDoneApi(_FacilitySide):
    """The owner or the committee ticks a step as done."""

    @extend_schema(request=None, responses=SuggestionSerializer)
    def post(self, request: Request, reference: str, step_id: int) -> Response:
        id_check(step_id)
        suggestion = self.suggestion(reference)
        step = selectors.suggestion_step_get(suggestion=suggestion, step_id=step_id)
        if step is None:
            raise Http404("No such step.")
        services.suggestion_step_done(step=step, done_by=request.user)  # type: ignore[arg-type]
        return self.answer(reference)


@extend_schema(tags=["quality"])
class SuggestionImplementApi(_FacilitySide):
    """The owner or the committee records it implemented, saying what was done (every step ticked first)."""

    @extend_schema(request=ImplementInputSerializer, responses=SuggestionSerializer)
    def post(self, request: Request, reference: str) -> Response:
        suggestion = self.suggestion(reference)
        data = _valid(ImplementInputSerializer, request)
        services.suggestion_implement(suggestion=suggestion, implemented_by=request.user, **data)  # type: ignore[arg-type]
        return self.answer(reference)


# -- an agency's address ---------------------------------------------------------------------------


class _AgencySide(APIView):
    permission_classes = [MayUseThisAddress, OnAgencyAddress]

    def agency(self) -> Agency:
        return self.request.tenant  # type: ignore[attr-defined,no-any-return]


@extend_schema(tags=["quality"])
class MySuggestionListApi(_AgencySide, ListAPIView):  # type: ignore[type-arg]
    """The suggestions this person made on this agency's address, newest first; or a new one."""

    serializer_class = MySuggestionSerializer

    def get_queryset(self) -> Any:
        return selectors.suggestions_mine(user=self.request.user, agency=self.agency())  # type: ignore[arg-type]

    @extend_schema(request=SuggestionInputSerializer, responses={201: MySuggestionSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(SuggestionInputSerializer, request)
        suggestion = services.suggestion_submit(suggested_by=request.user, agency=self.agency(), **data)  # type: ignore[arg-type]
        return Response(MySuggestionSerializer(suggestion).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["quality"])
class MySuggestionDetailApi(_AgencySide):
    """One of this person's suggestions with the committee's decision and the outcome; 404 for anyone else's."""

    @extend_schema(responses=MySuggestionSerializer)
    def get(self, request: Request, reference: str) -> Response:
        suggestion = selectors.suggestion_mine_get(user=request.user, agency=self.agency(), reference=reference)  # type: ignore[arg-type]
        if suggestion is None:
            raise Http404("No such suggestion of yours.")
        return Response(MySuggestionSerializer(suggestion).data)


_ONE = "suggestions/<str:reference>/"

facility_api_urlpatterns = [
    path("suggestions/", SuggestionListApi.as_view(), name="quality-suggestions"),
    path(_ONE, SuggestionDetailApi.as_view(), name="quality-suggestion"),
    path(f"{_ONE}score/", SuggestionScoreApi.as_view(), name="quality-suggestion-score"),
    path(f"{_ONE}decide/", SuggestionDecideApi.as_view(), name="quality-suggestion-decide"),
    path(f"{_ONE}steps/", SuggestionStepsApi.as_view(), name="quality-suggestion-steps"),
    path(f"{_ONE}steps/<int:step_id>/done/", SuggestionStepDoneApi.as_view(), name="quality-suggestion-step-done"),
    path(f"{_ONE}implement/", SuggestionImplementApi.as_view(), name="quality-suggestion-implement"),
]

agency_api_urlpatterns = [
    path("suggestions/", MySuggestionListApi.as_view(), name="quality-my-suggestions"),
    path(_ONE, MySuggestionDetailApi.as_view(), name="quality-my-suggestion"),
]
