"""Evidence packs in the API, on both kinds of address (/api/accountability/evidence-packs/...).

- list / create: an agency's address lists its own packs and asks for one
  (months; the agency is the address's); the portal lists every agency's and
  asks for a named agency's (the facility's record keepers, not the auditor).
- detail (with progress and, once ready, the manifest) and download (the ZIP).
- verify: POST an archive (multipart, field `archive`) and read the check,
  file by file; nothing is stored. Another agency's pack is "not issued for
  this agency", and nothing of it is shown.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import MayUseThisAddress
from billing.api import MonthField
from shared_platform.api import BoundedJSONParser, StandardPagination, id_check
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from ..access import scope_for
from ..models import EvidencePack
from ..selectors.evidence import may_assemble, pack_get, pack_list, pack_progress
from ..services.evidence import evidence_pack_archive, evidence_pack_request, evidence_pack_verify
from .reports import ReadsAccountability

ZIP_RESPONSE = {(200, "application/zip"): OpenApiTypes.BINARY}


class EvidencePackSerializer(serializers.ModelSerializer[EvidencePack]):
    agency = serializers.CharField(source="agency.code", read_only=True)
    month_from = MonthField(read_only=True)
    month_to = MonthField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="queued, building, ready or failed.")
    download_url = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()

    class Meta:
        model = EvidencePack
        fields = [
            "id",
            "reference",
            "agency",
            "month_from",
            "month_to",
            "status",
            "files_done",
            "files_total",
            "manifest_sha256",
            "message",
            "requested_at",
            "finished_at",
            "percent",
            "download_url",
        ]

    def get_percent(self, pack: EvidencePack) -> int:
        return int(pack_progress(pack=pack)["percent"])

    def get_download_url(self, pack: EvidencePack) -> str | None:
        return f"/api/accountability/evidence-packs/{pack.pk}/download/" if pack.status == "ready" else None


class EvidencePackDetailSerializer(EvidencePackSerializer):
    manifest = serializers.JSONField(read_only=True, help_text="Reference, agency, period and each file's SHA-256.")

    class Meta(EvidencePackSerializer.Meta):
        fields = [*EvidencePackSerializer.Meta.fields, "manifest"]


class PackRequestSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(max_length=20, required=False, help_text="An agency's code (facility portal only).")
    month_from = MonthField()
    month_to = MonthField()


class VerifyInputSerializer(serializers.Serializer[Any]):
    archive = serializers.FileField(help_text="The evidence pack's ZIP.")


class FileCheckSerializer(serializers.Serializer[Any]):
    path = serializers.CharField(read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="ok, changed (not the manifest's SHA-256), missing, extra (not in the manifest) "
        "or differs (not the platform's own copy).",
    )
    expected_sha256 = serializers.CharField(read_only=True)
    actual_sha256 = serializers.CharField(read_only=True)
    platform_checked = serializers.BooleanField(read_only=True)


class VerifyReportSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField(read_only=True)
    reference = serializers.CharField(read_only=True)
    agency = serializers.CharField(read_only=True, source="agency_code")
    period_from = serializers.CharField(read_only=True)
    period_to = serializers.CharField(read_only=True)
    manifest_sha256 = serializers.CharField(read_only=True)
    issued = serializers.BooleanField(read_only=True)
    issue_problem = serializers.CharField(read_only=True)
    problems = serializers.ListField(child=serializers.CharField(), read_only=True, source="lines")
    files = FileCheckSerializer(many=True, read_only=True)


def _scope(request: Request) -> Agency | None:
    return scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]


def _pack(request: Request, pk: int) -> EvidencePack:
    id_check(pk)
    pack = pack_get(pk=pk, scope=_scope(request))
    if pack is None:
        raise Http404("No such evidence pack here.")
    return pack


@extend_schema(tags=["accountability"])
class EvidencePackListApi(ListAPIView):  # type: ignore[type-arg]
    """Evidence packs in the caller's scope, newest first; POST asks for one (assembled by the worker)."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]
    serializer_class = EvidencePackSerializer
    pagination_class = StandardPagination
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[EvidencePack]:
        if getattr(self, "swagger_fake_view", False):
            return EvidencePack.objects.none()
        scope = _scope(self.request)
        return pack_list(
            scope=scope, agency_code=self.request.query_params.get("agency", "")[:20] if scope is None else ""
        )

    @extend_schema(parameters=[OpenApiParameter("agency", str, description="An agency's code (facility portal only).")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PackRequestSerializer, responses={201: EvidencePackDetailSerializer})
    def post(self, request: Request) -> Response:
        scope = _scope(request)
        if not may_assemble(user=request.user, address=request.tenant):  # type: ignore[attr-defined]
            raise PermissionDenied(gettext("You may read these evidence packs but not ask for one."))
        data = PackRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agency = scope
        if scope is None:
            code = data.validated_data.get("agency", "")
            agency = Agency.objects.agencies().filter(code=code).first() if code else None
            if agency is None:
                raise ApplicationError(
                    gettext("Name the agency whose pack this is."),
                    code="accountability.pack_agency_unknown",
                    fields={"agency": [gettext("Unknown agency.")]},
                )
        assert agency is not None
        pack = evidence_pack_request(
            agency=agency,
            month_from=data.validated_data["month_from"],
            month_to=data.validated_data["month_to"],
            requested_by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
        )
        return Response(EvidencePackDetailSerializer(pack).data, status=status.HTTP_201_CREATED)


class EvidencePackDetailApi(APIView):
    """One pack: its progress, and its manifest once ready."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]

    @extend_schema(tags=["accountability"], responses=EvidencePackDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(EvidencePackDetailSerializer(_pack(request, pk)).data)


class EvidencePackDownloadApi(APIView):
    """The ready pack's ZIP, from the agency's storage."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]

    @extend_schema(tags=["accountability"], responses=ZIP_RESPONSE)
    def get(self, request: Request, pk: int) -> FileResponse:
        pack = _pack(request, pk)
        response = FileResponse(
            evidence_pack_archive(pack=pack),
            as_attachment=True,
            filename=f"{pack.reference}.zip",
            content_type="application/zip",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class EvidencePackVerifyApi(APIView):
    """Check an archive against its manifest and the packs the platform issued in the caller's scope."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["accountability"],
        request={"multipart/form-data": VerifyInputSerializer},
        responses=VerifyReportSerializer,
    )
    def post(self, request: Request) -> Response:
        scope = _scope(request)
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = evidence_pack_verify(archive=data.validated_data["archive"], scope=scope)
        return Response(VerifyReportSerializer(report).data)


def _patterns() -> list[URLPattern]:
    return [
        path("evidence-packs/", EvidencePackListApi.as_view(), name="accountability-evidence-packs"),
        path("evidence-packs/verify/", EvidencePackVerifyApi.as_view(), name="accountability-evidence-verify"),
        path("evidence-packs/<int:pk>/", EvidencePackDetailApi.as_view(), name="accountability-evidence-pack"),
        path(
            "evidence-packs/<int:pk>/download/",
            EvidencePackDownloadApi.as_view(),
            name="accountability-evidence-download",
        ),
    ]


facility_api_urlpatterns: list[URLPattern] = _patterns()
agency_api_urlpatterns: list[URLPattern] = _patterns()
