"""The quality system's API: controlled documents, their versions and acknowledgements (clause 7.5).

Facility portal only. Every facility role reads; the services decide who
writes: an author drafts and submits, an approver other than the author
approves or returns, the people concerned acknowledge, keepers withdraw.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import FACILITY_ROLES
from shared_platform import limits
from shared_platform.api import BoundedJSONParser, StandardPagination
from shared_platform.schema import paginated

from ..models import Document, DocumentVersion, Process, VersionStatus
from ..selectors import documents as selectors
from ..services import documents as services
from .permissions import IsQualityReader
from .processes import PersonField, person_name

TEXT_LIMIT = 200_000


# --- serializers -------------------------------------------------------------------------------------


class QualityVersionSerializer(serializers.ModelSerializer[DocumentVersion]):
    author = serializers.EmailField(source="author.email", read_only=True)
    approver = serializers.EmailField(source="approver.email", read_only=True, allow_null=True)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "status",
            "text",
            "has_file",
            "change_summary",
            "author",
            "created_at",
            "submitted_at",
            "approver",
            "approved_at",
            "effective_from",
            "effective_until",
            "review_due",
        ]

    def get_has_file(self, version: DocumentVersion) -> bool:
        return bool(version.file)


class QualityDocumentSerializer(serializers.ModelSerializer[Document]):
    process = serializers.CharField(source="process.code", read_only=True, allow_null=True)
    owner = serializers.EmailField(source="owner.email", read_only=True)
    owner_name = serializers.SerializerMethodField()
    effective_version = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "code",
            "title",
            "process",
            "owner",
            "owner_name",
            "concerns_roles",
            "review_months",
            "withdrawn_at",
            "effective_version",
        ]

    def get_owner_name(self, document: Document) -> str | None:
        return person_name(document.owner)

    def get_effective_version(self, document: Document) -> int | None:
        effective = next((v for v in document.versions.all() if v.status == VersionStatus.EFFECTIVE), None)
        return effective.number if effective else None


class QualityDocumentDetailSerializer(QualityDocumentSerializer):
    versions = QualityVersionSerializer(many=True, read_only=True)

    class Meta(QualityDocumentSerializer.Meta):
        fields = [*QualityDocumentSerializer.Meta.fields, "versions"]


class QualityDocumentInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=limits.NAME)
    process = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="code", queryset=Process.objects.all(), required=False, allow_null=True, default=None
    )
    owner = PersonField(help_text="The owner's e-mail: a member of the facility's staff.")
    concerns_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(FACILITY_ROLES)), required=False, default=list, max_length=20
    )
    review_months = serializers.IntegerField(min_value=1, max_value=60, default=12)
    text = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None)
    change_summary = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")


class QualityVersionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=TEXT_LIMIT, allow_blank=True)
    change_summary = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None)
    remove_file = serializers.BooleanField(required=False, default=False)


class QualityApproveInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    effective_from = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today if left out; never before today."
    )


class QualityReasonInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)


class QualityNoteInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")


class QualityAcknowledgedSerializer(serializers.Serializer):  # type: ignore[type-arg]
    email = serializers.EmailField()
    name = serializers.CharField()
    at = serializers.DateTimeField()


class QualityPendingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    email = serializers.EmailField()
    name = serializers.CharField()


class QualityAcknowledgementStatusSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField()
    acknowledged = QualityAcknowledgedSerializer(many=True)
    pending = QualityPendingSerializer(many=True)


def _status_data(version: DocumentVersion) -> dict[str, Any]:
    report = selectors.acknowledgement_status(version)
    return {
        "version": version.number,
        "acknowledged": [
            {"email": person.email, "name": person_name(person), "at": at} for person, at in report.acknowledged
        ],
        "pending": [{"email": person.email, "name": person_name(person)} for person in report.pending],
    }


# --- views -------------------------------------------------------------------------------------------


def _document(code: str) -> Document:
    document = selectors.document_get(code=code)
    if document is None:
        raise Http404
    return document


def _version(code: str, number: int) -> DocumentVersion:
    version = selectors.version_get(document=_document(code), number=number)
    if version is None:
        raise Http404
    return version


class DocumentListApi(APIView):
    """The register of controlled documents; registering one makes its first version a draft by the caller."""

    permission_classes = [IsQualityReader]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="quality_documents_list",
        responses=paginated(QualityDocumentSerializer, "PaginatedQualityDocumentList"),
    )
    def get(self, request: Request) -> Response:
        paginator = StandardPagination()
        rows = selectors.document_list().order_by("code")
        page = paginator.paginate_queryset(rows, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(QualityDocumentSerializer(page, many=True).data)

    @extend_schema(request=QualityDocumentInputSerializer, responses={201: QualityDocumentDetailSerializer})
    def post(self, request: Request) -> Response:
        data = QualityDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_create(created_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(QualityDocumentDetailSerializer(_document(document.code)).data, status=status.HTTP_201_CREATED)


class DocumentDetailApi(APIView):
    """One controlled document with all its versions, newest first."""

    permission_classes = [IsQualityReader]

    @extend_schema(responses=QualityDocumentDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        return Response(QualityDocumentDetailSerializer(_document(code)).data)


class VersionListApi(APIView):
    """A document's versions; POST starts the next one as a draft copying the effective text."""

    permission_classes = [IsQualityReader]

    @extend_schema(operation_id="quality_documents_versions_list", responses=QualityVersionSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        return Response(QualityVersionSerializer(selectors.document_versions(document=_document(code)), many=True).data)

    @extend_schema(request=None, responses={201: QualityVersionSerializer})
    def post(self, request: Request, code: str) -> Response:
        version = services.version_draft(document=_document(code), drafted_by=request.user)  # type: ignore[arg-type]
        return Response(QualityVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionDetailApi(APIView):
    """One version; its author changes it (text, file, summary) while it is a draft."""

    permission_classes = [IsQualityReader]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=QualityVersionSerializer)
    def get(self, request: Request, code: str, number: int) -> Response:
        return Response(QualityVersionSerializer(_version(code, number)).data)

    @extend_schema(request=QualityVersionInputSerializer, responses=QualityVersionSerializer)
    def put(self, request: Request, code: str, number: int) -> Response:
        version = _version(code, number)
        data = QualityVersionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_update(version=version, updated_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(QualityVersionSerializer(version).data)


class VersionSubmitApi(APIView):
    """The author sends a draft for review."""

    permission_classes = [IsQualityReader]

    @extend_schema(request=None, responses=QualityVersionSerializer)
    def post(self, request: Request, code: str, number: int) -> Response:
        version = services.version_submit(version=_version(code, number), submitted_by=request.user)  # type: ignore[arg-type]
        return Response(QualityVersionSerializer(version).data)


class VersionReturnApi(APIView):
    """An approver sends a version in review back to its author, with the reason."""

    permission_classes = [IsQualityReader]

    @extend_schema(request=QualityReasonInputSerializer, responses=QualityVersionSerializer)
    def post(self, request: Request, code: str, number: int) -> Response:
        version = _version(code, number)
        data = QualityReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_return(version=version, returned_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(QualityVersionSerializer(version).data)


class VersionApproveApi(APIView):
    """An approver who is not its author approves a version in review, effective today or from a later date."""

    permission_classes = [IsQualityReader]

    @extend_schema(request=QualityApproveInputSerializer, responses=QualityVersionSerializer)
    def post(self, request: Request, code: str, number: int) -> Response:
        version = _version(code, number)
        data = QualityApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_approve(version=version, approved_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(QualityVersionSerializer(version).data)


class VersionAcknowledgeApi(APIView):
    """A person concerned acknowledges the effective version, once."""

    permission_classes = [IsQualityReader]

    @extend_schema(request=None, responses={201: QualityAcknowledgementStatusSerializer})
    def post(self, request: Request, code: str, number: int) -> Response:
        version = _version(code, number)
        services.version_acknowledge(version=version, user=request.user)  # type: ignore[arg-type]
        return Response(_status_data(version), status=status.HTTP_201_CREATED)


class AcknowledgementStatusApi(APIView):
    """Who of the people concerned has acknowledged a version (with when), and who has not yet."""

    permission_classes = [IsQualityReader]

    @extend_schema(responses=QualityAcknowledgementStatusSerializer)
    def get(self, request: Request, code: str, number: int) -> Response:
        return Response(_status_data(_version(code, number)))


class DocumentWithdrawApi(APIView):
    """A keeper withdraws a document from use, with the reason."""

    permission_classes = [IsQualityReader]

    @extend_schema(request=QualityReasonInputSerializer, responses=QualityDocumentDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        document = _document(code)
        data = QualityReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.document_withdraw(document=document, withdrawn_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(QualityDocumentDetailSerializer(_document(code)).data)


class DocumentReviewConfirmApi(APIView):
    """The owner or a keeper confirms a review without change: the next review falls due later."""

    permission_classes = [IsQualityReader]

    @extend_schema(request=QualityNoteInputSerializer, responses=QualityVersionSerializer)
    def post(self, request: Request, code: str) -> Response:
        document = _document(code)
        data = QualityNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.document_review_confirm(document=document, confirmed_by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(QualityVersionSerializer(version).data)


_VERSION = "documents/<str:code>/versions/<int:number>/"
facility_api_urlpatterns = [
    path("documents/", DocumentListApi.as_view(), name="quality-documents"),
    path("documents/<str:code>/", DocumentDetailApi.as_view(), name="quality-document"),
    path("documents/<str:code>/withdraw/", DocumentWithdrawApi.as_view(), name="quality-document-withdraw"),
    path(
        "documents/<str:code>/review-confirm/",
        DocumentReviewConfirmApi.as_view(),
        name="quality-document-review-confirm",
    ),
    path("documents/<str:code>/versions/", VersionListApi.as_view(), name="quality-versions"),
    path(_VERSION, VersionDetailApi.as_view(), name="quality-version"),
    path(_VERSION + "submit/", VersionSubmitApi.as_view(), name="quality-version-submit"),
    path(_VERSION + "return/", VersionReturnApi.as_view(), name="quality-version-return"),
    path(_VERSION + "approve/", VersionApproveApi.as_view(), name="quality-version-approve"),
    path(_VERSION + "acknowledge/", VersionAcknowledgeApi.as_view(), name="quality-version-acknowledge"),
    path(_VERSION + "acknowledgements/", AcknowledgementStatusApi.as_view(), name="quality-version-acknowledgements"),
]
