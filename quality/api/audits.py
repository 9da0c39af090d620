"""The internal audits' API (ISO 9001:2015 clause 9.2): the programme, audits, their checklist, findings, report.

The same rules as the pages: every facility role reads, on the facility
portal only; the services decide who writes (planners plan and cancel, the
audit's own auditor records it, the read-only auditor changes nothing).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import MayUseThisAddress
from shared_platform import limits
from shared_platform.api import BoundedJSONParser
from shared_platform.errors import ApplicationError

from ..models import Audit, AuditFinding, AuditQuestion, AuditStatus, Process
from ..pdf import audit_report_pdf
from ..selectors import audits as selectors
from ..services import audits as services
from ..services.audits import CLAUSE_MAX
from .permissions import IsQualityReader

PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}


PERMISSIONS = [MayUseThisAddress, IsQualityReader]


# --- serializers -------------------------------------------------------------------------------------------


class AuditQuestionSerializer(serializers.ModelSerializer[AuditQuestion]):
    class Meta:
        model = AuditQuestion
        fields = ["position", "clause", "question", "evidence"]


class AuditFindingSerializer(serializers.ModelSerializer[AuditFinding]):
    nonconformity = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    question = serializers.SlugRelatedField(slug_field="position", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    recorded_by = serializers.EmailField(source="recorded_by.email", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="conformity, observation, minor or major.")

    class Meta:
        model = AuditFinding
        fields = ["id", "kind", "clause", "description", "question", "nonconformity", "recorded_by", "recorded_at"]


class AuditSerializer(serializers.ModelSerializer[Audit]):
    process = serializers.CharField(source="process.code", read_only=True)
    process_owner = serializers.EmailField(source="process.owner.email", read_only=True)
    auditor = serializers.EmailField(source="auditor.email", read_only=True)
    status = serializers.CharField(read_only=True, help_text="planned, in_progress, completed or cancelled.")

    class Meta:
        model = Audit
        fields = [
            "reference",
            "process",
            "process_owner",
            "auditor",
            "planned_for",
            "scope",
            "status",
            "started_at",
            "completed_at",
            "summary",
        ]


class AuditDetailSerializer(AuditSerializer):
    questions = AuditQuestionSerializer(many=True, read_only=True)
    findings = AuditFindingSerializer(many=True, read_only=True)

    class Meta(AuditSerializer.Meta):
        fields = [*AuditSerializer.Meta.fields, "questions", "findings"]


class AuditPlanInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    process = serializers.SlugRelatedField(slug_field="code", queryset=Process.objects.filter(active=True))  # type: ignore[var-annotated]
    auditor = serializers.SlugRelatedField(slug_field="email", queryset=User.objects.filter(is_active=True))  # type: ignore[var-annotated]
    planned_for = serializers.DateField()
    scope = serializers.CharField(max_length=limits.SHORT_TEXT)


class AuditQuestionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    clause = serializers.CharField(max_length=CLAUSE_MAX)
    question = serializers.CharField(max_length=limits.NAME * 2)


class AuditEvidenceInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    evidence = serializers.CharField(max_length=limits.SHORT_TEXT)


class AuditFindingInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField(max_length=12, help_text="conformity, observation, minor or major.")
    clause = serializers.CharField(max_length=CLAUSE_MAX)
    description = serializers.CharField(max_length=limits.SHORT_TEXT)
    question = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=32767, help_text="The checklist question's number."
    )


class AuditCompleteInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    summary = serializers.CharField(max_length=limits.LONG_TEXT)


class AuditCancelInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)


class AuditProgrammeRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    process = serializers.CharField(source="process.code")
    process_owner = serializers.EmailField(source="process.owner.email")
    highest_risk = serializers.IntegerField(allow_null=True)
    risk_level = serializers.CharField(source="level")
    frequency_months = serializers.IntegerField()
    halved_after_major = serializers.BooleanField(source="halved")
    last_audit = serializers.CharField(source="last_audit.reference", allow_null=True, default=None)
    last_completed_on = serializers.DateField(allow_null=True)
    next_due = serializers.DateField()
    overdue = serializers.BooleanField()
    next_planned = serializers.CharField(source="next_planned.reference", allow_null=True, default=None)


# --- views -------------------------------------------------------------------------------------------------


def _audit(reference: str) -> Audit:
    audit = selectors.audit_get(reference=reference)
    if audit is None:
        raise Http404
    return audit


def _detail(audit: Audit, code: int = status.HTTP_200_OK) -> Response:
    return Response(AuditDetailSerializer(_audit(audit.reference)).data, status=code)


def _payload(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:  # type: ignore[type-arg]
    payload = serializer_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


class AuditListView(generics.ListAPIView):  # type: ignore[type-arg]
    """Internal audits, newest planned first; plan one with POST (the quality focal point or an internal auditor)."""

    serializer_class = AuditSerializer
    permission_classes = PERMISSIONS
    parser_classes = [BoundedJSONParser]

    def get_queryset(self) -> Any:
        wanted = self.request.query_params.get("status") or None
        if wanted and wanted not in AuditStatus.values:
            known = ", ".join(AuditStatus.values)
            raise ApplicationError(
                gettext('Unknown status "%(status)s"; choose one of %(known)s.') % {"status": wanted, "known": known},
                code="quality.invalid",
                fields={"status": [gettext("Choose one of %(known)s.") % {"known": known}]},
            )
        process = self.request.query_params.get("process") or None
        return selectors.audit_list(status=wanted, process_code=process).order_by("-planned_for", "-pk")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, description="Only audits in this status: planned, in_progress, completed or cancelled."
            ),
            OpenApiParameter("process", str, description="Only audits of the process with this code."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AuditPlanInputSerializer, responses={201: AuditDetailSerializer})
    def post(self, request: Request) -> Response:
        """Plan an audit; its checklist starts from the standard question bank. The auditor never owns the process."""
        data = _payload(AuditPlanInputSerializer, request)
        audit = services.audit_plan(planned_by=request.user, **data)  # type: ignore[arg-type]
        return _detail(audit, status.HTTP_201_CREATED)


class AuditDetailView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=AuditDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        """One audit with its checklist and findings."""
        return _detail(_audit(reference))


class AuditProgrammeView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=AuditProgrammeRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Every active process: risk, audit frequency, last completed audit, next due date, next planned audit."""
        rows = selectors.programme(today=timezone.localdate())
        return Response(AuditProgrammeRowSerializer(rows, many=True).data)


class AuditStartView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=None, responses=AuditDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        """The audit's auditor starts it (refused if they own the process now)."""
        return _detail(services.audit_start(audit=_audit(reference), started_by=request.user))  # type: ignore[arg-type]


class AuditQuestionAddView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=AuditQuestionInputSerializer, responses={201: AuditQuestionSerializer})
    def post(self, request: Request, reference: str) -> Response:
        """The audit's auditor adds a checklist question."""
        data = _payload(AuditQuestionInputSerializer, request)
        question = services.audit_question_add(audit=_audit(reference), added_by=request.user, **data)  # type: ignore[arg-type]
        return Response(AuditQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class AuditQuestionAnswerView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=AuditEvidenceInputSerializer, responses=AuditQuestionSerializer)
    def post(self, request: Request, reference: str, position: int) -> Response:
        """The audit's auditor records the evidence seen for a checklist question."""
        audit = _audit(reference)
        question = get_object_or_404(AuditQuestion, audit=audit, position=position)
        data = _payload(AuditEvidenceInputSerializer, request)
        answered = services.audit_question_answer(
            question=question,
            evidence=data["evidence"],
            answered_by=request.user,  # type: ignore[arg-type]
        )
        return Response(AuditQuestionSerializer(answered).data)


class AuditFindingView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=AuditFindingInputSerializer, responses={201: AuditFindingSerializer})
    def post(self, request: Request, reference: str) -> Response:
        """The audit's auditor records a finding; a minor or major nonconformity opens a nonconformity."""
        audit = _audit(reference)
        data = _payload(AuditFindingInputSerializer, request)
        question = None
        if data.get("question") is not None:
            question = audit.questions.filter(position=data["question"]).first()
            if question is None:
                message = gettext("That question is not on this audit's checklist.")
                raise ApplicationError(message, code="quality.invalid", fields={"question": [message]})
        finding = services.finding_record(
            audit=audit,
            kind=data["kind"],
            clause=data["clause"],
            description=data["description"],
            question=question,
            recorded_by=request.user,  # type: ignore[arg-type]
        )
        return Response(AuditFindingSerializer(finding).data, status=status.HTTP_201_CREATED)


class AuditCompleteView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=AuditCompleteInputSerializer, responses=AuditDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        """The audit's auditor completes it with a conclusion."""
        data = _payload(AuditCompleteInputSerializer, request)
        return _detail(services.audit_complete(audit=_audit(reference), completed_by=request.user, **data))  # type: ignore[arg-type]


class AuditCancelView(APIView):
    permission_classes = PERMISSIONS
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=AuditCancelInputSerializer, responses=AuditDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        """A planner cancels a planned or running audit, with the reason."""
        data = _payload(AuditCancelInputSerializer, request)
        return _detail(services.audit_cancel(audit=_audit(reference), cancelled_by=request.user, **data))  # type: ignore[arg-type]


class AuditReportView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=PDF_RESPONSE)
    def get(self, request: Request, reference: str) -> HttpResponse:
        """The audit report as PDF, in the reader's language."""
        audit = _audit(reference)
        response = HttpResponse(audit_report_pdf(audit=audit, reader=request.user), content_type="application/pdf")  # type: ignore[arg-type]
        response["Content-Disposition"] = f'attachment; filename="{audit.reference}.pdf"'
        return response


facility_api_urlpatterns = [
    path("audits/", AuditListView.as_view(), name="quality-audits"),
    path("audit-programme/", AuditProgrammeView.as_view(), name="quality-audit-programme"),
    path("audits/<str:reference>/", AuditDetailView.as_view(), name="quality-audit"),
    path("audits/<str:reference>/start/", AuditStartView.as_view(), name="quality-audit-start"),
    path("audits/<str:reference>/questions/", AuditQuestionAddView.as_view(), name="quality-audit-questions"),
    path(
        "audits/<str:reference>/questions/<int:position>/answer/",
        AuditQuestionAnswerView.as_view(),
        name="quality-audit-question-answer",
    ),
    path("audits/<str:reference>/findings/", AuditFindingView.as_view(), name="quality-audit-findings"),
    path("audits/<str:reference>/complete/", AuditCompleteView.as_view(), name="quality-audit-complete"),
    path("audits/<str:reference>/cancel/", AuditCancelView.as_view(), name="quality-audit-cancel"),
    path("audits/<str:reference>/report.pdf", AuditReportView.as_view(), name="quality-audit-pdf"),
]
