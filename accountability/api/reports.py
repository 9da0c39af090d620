"""Monthly service reports in the API, read-only, on both kinds of address (/api/accountability/reports/...).

An agency's address lists and serves its own reports only (another agency's
id is a 404); the facility portal every agency's, filtered by agency and
month. The same readers as the pages (`access.may_read`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.permissions import MayUseThisAddress
from billing.api import MonthField
from shared_platform.api import PDF_RESPONSE, StandardPagination, id_check
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from ..access import may_read, scope_for
from ..models import ServiceReport
from ..selectors.reports import report_get, report_list
from ..views.reports import report_pdf_response


class ReadsAccountability(BasePermission):
    message = gettext_lazy(
        "Only the facility's staff, or the agency's approvers, finance officers and board members, read these records."
    )

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return may_read(user=request.user, address=request.tenant)


class ServiceReportSerializer(serializers.ModelSerializer[ServiceReport]):
    agency = serializers.CharField(source="agency.code", read_only=True)
    month = MonthField(read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = ServiceReport
        fields = ["id", "agency", "month", "language", "pdf_sha256", "created_at", "sent_at", "pdf_url"]

    def get_pdf_url(self, report: ServiceReport) -> str:
        return f"/api/accountability/reports/{report.pk}/pdf/"


class ServiceReportDetailSerializer(ServiceReportSerializer):
    figures = serializers.JSONField(read_only=True, help_text="The figures frozen when the report was written.")

    class Meta(ServiceReportSerializer.Meta):
        fields = [*ServiceReportSerializer.Meta.fields, "figures"]


def _scope(request: Request) -> Agency | None:
    return scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]


def _report(request: Request, pk: int) -> ServiceReport:
    id_check(pk)
    report = report_get(pk=pk, scope=_scope(request))
    if report is None:
        raise Http404("No such service report here.")
    return report


@extend_schema(
    tags=["accountability"],
    parameters=[
        OpenApiParameter("agency", str, description="An agency's code (facility portal only)."),
        OpenApiParameter("month", str, description="A month as YYYY-MM."),
    ],
)
class ServiceReportListApi(ListAPIView):  # type: ignore[type-arg]
    """Monthly service reports in the caller's scope, newest month first."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]
    serializer_class = ServiceReportSerializer
    pagination_class = StandardPagination

    def get_queryset(self) -> QuerySet[ServiceReport]:
        if getattr(self, "swagger_fake_view", False):
            return ServiceReport.objects.none()
        scope = _scope(self.request)
        params = self.request.query_params
        month = MonthField().run_validation(params["month"]) if params.get("month") else None
        agency_code = params.get("agency", "") if scope is None else ""
        if agency_code and not Agency.objects.agencies().filter(code=agency_code).exists():
            raise ApplicationError(
                gettext("No agency has the code %(code)s.") % {"code": repr(agency_code[:20])},
                code="accountability.invalid_filter",
                fields={"agency": [gettext("Unknown agency.")]},
            )
        return report_list(scope=scope, agency_code=agency_code, month=month)


@extend_schema(tags=["accountability"])
class ServiceReportDetailApi(RetrieveAPIView):  # type: ignore[type-arg]
    """One report with its frozen figures."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]
    serializer_class = ServiceReportDetailSerializer

    def get_object(self) -> ServiceReport:
        return _report(self.request, int(self.kwargs["pk"]))


class ServiceReportPdfApi(APIView):
    """The report's PDF, in the agency's language, from the agency's storage."""

    permission_classes = [MayUseThisAddress, ReadsAccountability]

    @extend_schema(tags=["accountability"], responses=PDF_RESPONSE)
    def get(self, request: Request, pk: int) -> HttpResponse:
        return report_pdf_response(_report(request, pk))


def _patterns() -> list[URLPattern]:
    return [
        path("reports/", ServiceReportListApi.as_view(), name="accountability-reports"),
        path("reports/<int:pk>/", ServiceReportDetailApi.as_view(), name="accountability-report"),
        path("reports/<int:pk>/pdf/", ServiceReportPdfApi.as_view(), name="accountability-report-pdf"),
    ]


facility_api_urlpatterns: list[URLPattern] = _patterns()
agency_api_urlpatterns: list[URLPattern] = _patterns()
