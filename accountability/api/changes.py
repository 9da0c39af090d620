"""The API of agreement change requests under /api/accountability/, with the same rules as the pages.

On both kinds of address: `changes/` (the caller's scope: the agency's own on
its address, every agency's on the portal, `?status=` and on the portal
`?agency=`), `changes/<reference>/` (with its history and, on the portal, the
computed assessment hint), `approve/` and `reject/`. On an agency's address
only: proposing (`POST changes/`) and `withdraw/`. On the portal only:
`assess/`. Every write is one service call (accountability.services.changes);
a reference outside the caller's scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import MayUseThisAddress
from service_levels.models import Agreement, Metric, Priority
from shared_platform import limits
from shared_platform.api import DecimalStringField, PersonField
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from ..access import may_read, scope_for
from ..models import AgreementChangeRequest, ChangeEventKind, ChangeStatus
from ..selectors import changes as selectors
from ..services import changes as services

# -- what the answers carry ------------------------------------------------------------------------


class ChangeRequestSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    agreement = serializers.CharField(source="agreement.reference", read_only=True)
    summary = serializers.CharField(read_only=True)
    effective_from = serializers.DateField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="submitted, assessed, approved, rejected or withdrawn.")
    requested_by = PersonField()
    requested_at = serializers.DateTimeField(read_only=True)
    new_agreement = serializers.CharField(
        source="new_agreement.reference", read_only=True, allow_null=True, default=None
    )


class TargetChangeSerializer(serializers.Serializer[Any]):
    service = serializers.CharField(max_length=20, help_text="A service code, e.g. ICT-INC.")
    metric = serializers.ChoiceField(choices=Metric.choices)
    priority = serializers.ChoiceField(choices=[("", "every priority"), *Priority.choices], allow_blank=True)
    target_minutes = serializers.IntegerField(min_value=1, max_value=2_147_483_647)


class ChangeEventSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ChangeEventKind.choices, read_only=True)
    actor = PersonField()
    at = serializers.DateTimeField(read_only=True)
    detail = serializers.CharField(read_only=True)


class ServiceHintSerializer(serializers.Serializer[Any]):
    service = serializers.CharField(source="service.code", read_only=True)
    added = serializers.BooleanField(read_only=True)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, read_only=True, allow_null=True)
    volume = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    monthly_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)


class HintSerializer(serializers.Serializer[Any]):
    months_from = serializers.DateField(read_only=True)
    months_to = serializers.DateField(read_only=True)
    services = ServiceHintSerializer(many=True, read_only=True)
    monthly_effect = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)


class ChangeRequestDetailSerializer(ChangeRequestSerializer):
    reason = serializers.CharField(read_only=True)
    services_added = serializers.ListField(child=serializers.CharField(), read_only=True)
    services_dropped = serializers.ListField(child=serializers.CharField(), read_only=True)
    target_changes = TargetChangeSerializer(many=True, read_only=True)
    grants_service_credits = serializers.BooleanField(read_only=True, allow_null=True)
    credit_percent = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True)
    credit_cap_percent = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True)
    price_effect = serializers.CharField(read_only=True)
    target_effect = serializers.CharField(read_only=True)
    assessed_by = PersonField()
    assessed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    agency_approved_by = PersonField()
    agency_approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    facility_approved_by = PersonField()
    facility_approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_by = PersonField()
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closing_reason = serializers.CharField(read_only=True)
    events = ChangeEventSerializer(many=True, read_only=True)
    hint = HintSerializer(read_only=True, allow_null=True, help_text="On the facility portal only.")


DETAIL_ATTRIBUTES = (
    "reference",
    "summary",
    "reason",
    "effective_from",
    "status",
    "requested_by",
    "requested_at",
    "grants_service_credits",
    "credit_percent",
    "credit_cap_percent",
    "price_effect",
    "target_effect",
    "assessed_by",
    "assessed_at",
    "agency_approved_by",
    "agency_approved_at",
    "facility_approved_by",
    "facility_approved_at",
    "closed_by",
    "closed_at",
    "closing_reason",
)


def detail_data(change: AgreementChangeRequest, *, on_facility: bool) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(change, name) for name in DETAIL_ATTRIBUTES}
    data.update(
        {
            "agency": change.agency,
            "agreement": change.agreement,
            "new_agreement": change.new_agreement,
            "services_added": [service.code for service in change.services_added.all()],
            "services_dropped": [service.code for service in change.services_dropped.all()],
            "target_changes": change.target_changes,
            "events": list(selectors.change_request_events(request=change)),
            "hint": selectors.assessment_hint(request=change, today=timezone.localdate()) if on_facility else None,
        }
    )
    return data


# -- what the requests carry ------------------------------------------------------------------------


class ChangeRequestInputSerializer(serializers.Serializer[Any]):
    agreement = serializers.CharField(max_length=40, help_text="The reference of the agency's agreement to change.")
    summary = serializers.CharField(max_length=limits.NAME)
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)
    effective_from = serializers.DateField(help_text="A day after today.")
    services_added = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=50
    )
    services_dropped = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=50
    )
    target_changes = TargetChangeSerializer(many=True, required=False, default=list, max_length=40)  # type: ignore[call-arg]
    grants_service_credits = serializers.BooleanField(required=False, allow_null=True, default=None)
    credit_percent = DecimalStringField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None, min_value=0, max_value=100
    )
    credit_cap_percent = DecimalStringField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None, min_value=0, max_value=100
    )


class AssessInputSerializer(serializers.Serializer[Any]):
    price_effect = serializers.CharField(max_length=limits.SHORT_TEXT)
    target_effect = serializers.CharField(max_length=limits.SHORT_TEXT)


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)


class OptionalReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# -- who may come ----------------------------------------------------------------------------------


class ReadsChangeRequests(BasePermission):
    message = gettext_lazy(
        "Only the facility's staff, or the agency's approvers, finance officers and board members, read these records."
    )

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return may_read(user=request.user, address=request.tenant)


class _Side(APIView):
    permission_classes = [MayUseThisAddress, ReadsChangeRequests]

    def scope(self, request: Request) -> Agency | None:
        return scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]

    def change(self, request: Request, reference: str) -> tuple[Agency | None, AgreementChangeRequest]:
        scope = self.scope(request)
        change = selectors.change_request_get(scope=scope, reference=reference)
        if change is None:
            raise Http404("No such change request here.")
        return scope, change

    def detail(self, change: AgreementChangeRequest, scope: Agency | None, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.change_request_get(scope=scope, reference=change.reference)
        assert fresh is not None
        data = detail_data(fresh, on_facility=scope is None)
        return Response(ChangeRequestDetailSerializer(data).data, status=code)


STATUS_PARAMETER = OpenApiParameter("status", str, enum=list(ChangeStatus.values), description="Only this status.")
AGENCY_PARAMETER = OpenApiParameter("agency", str, description="On the facility portal: only this agency (code).")


@extend_schema(tags=["accountability"], parameters=[STATUS_PARAMETER, AGENCY_PARAMETER])
class ChangeRequestListApi(_Side, ListAPIView):  # type: ignore[type-arg]
    """The change requests in the caller's scope (the agency's own, or every agency's on the portal), newest first."""

    serializer_class = ChangeRequestSerializer

    def get_queryset(self) -> Any:
        request = self.request
        scope = self.scope(request)
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in ChangeStatus.values:
            message = gettext("Unknown status.")
            raise ApplicationError(message, code="accountability.invalid", fields={"status": [message]})
        code = request.query_params.get("agency", "")[:15] if scope is None else ""
        rows = selectors.change_request_list(scope=scope, status=wanted, agency_code=code)
        return rows.order_by("-requested_at", "-pk")


@extend_schema(tags=["accountability"])
class AgencyChangeRequestListApi(ChangeRequestListApi):
    """The agency's change requests; its approvers and finance officers propose one (POST)."""

    @extend_schema(request=ChangeRequestInputSerializer, responses={201: ChangeRequestDetailSerializer})
    def post(self, request: Request) -> Response:
        scope = self.scope(request)
        if scope is None:
            raise Http404("An agency proposes on its own address.")
        data = _valid(ChangeRequestInputSerializer, request)
        agreement = Agreement.objects.filter(agency=scope, reference=data.pop("agreement")).first()
        if agreement is None:
            message = gettext("Choose %(agency)s's agreement in force or a version starting later.") % {
                "agency": scope.code
            }
            raise ApplicationError(message, code="accountability.invalid", fields={"agreement": [message]})
        change = services.change_request_submit(agency=scope, agreement=agreement, by=request.user, **data)  # type: ignore[arg-type]
        return self.detail(change, scope, status.HTTP_201_CREATED)


@extend_schema(tags=["accountability"])
class ChangeRequestDetailApi(_Side):
    """One change request: what changes, the assessment, both approvals, its history."""

    @extend_schema(responses=ChangeRequestDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        scope, change = self.change(request, reference)
        return self.detail(change, scope)


@extend_schema(tags=["accountability"])
class ChangeRequestAssessApi(_Side):
    """The facility's manager or finance officer writes the effect on the price and on the targets."""

    @extend_schema(request=AssessInputSerializer, responses=ChangeRequestDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        scope, change = self.change(request, reference)
        if scope is not None:
            raise Http404("The facility assesses on its portal.")
        data = _valid(AssessInputSerializer, request)
        services.change_request_assess(request=change, by=request.user, **data)  # type: ignore[arg-type]
        return self.detail(change, scope)


@extend_schema(tags=["accountability"])
class ChangeRequestApproveApi(_Side):
    """The agency's approver (on its address) or the facility manager (on the portal) approves; the second
    approval makes the new agreement version."""

    @extend_schema(request=None, responses=ChangeRequestDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        scope, change = self.change(request, reference)
        if scope is None:
            services.change_request_approve_facility(request=change, by=request.user)  # type: ignore[arg-type]
        else:
            services.change_request_approve_agency(request=change, by=request.user)  # type: ignore[arg-type]
        return self.detail(change, scope)


@extend_schema(tags=["accountability"])
class ChangeRequestRejectApi(_Side):
    """The agency's approver or the facility's manager or finance officer rejects it, saying why."""

    @extend_schema(request=ReasonInputSerializer, responses=ChangeRequestDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        scope, change = self.change(request, reference)
        data = _valid(ReasonInputSerializer, request)
        side = services.FACILITY_SIDE if scope is None else services.AGENCY_SIDE
        services.change_request_reject(request=change, reason=data["reason"], side=side, by=request.user)  # type: ignore[arg-type]
        return self.detail(change, scope)


@extend_schema(tags=["accountability"])
class ChangeRequestWithdrawApi(_Side):
    """The agency withdraws a request under way (its approvers and finance officers)."""

    @extend_schema(request=OptionalReasonInputSerializer, responses=ChangeRequestDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        scope, change = self.change(request, reference)
        if scope is None:
            raise Http404("The agency withdraws on its own address.")
        data = _valid(OptionalReasonInputSerializer, request)
        services.change_request_withdraw(request=change, reason=data["reason"], by=request.user)  # type: ignore[arg-type]
        return self.detail(change, scope)


_REF = "changes/<str:reference>/"

agency_api_urlpatterns: list[URLPattern] = [
    path("changes/", AgencyChangeRequestListApi.as_view(), name="accountability-changes"),
    path(_REF, ChangeRequestDetailApi.as_view(), name="accountability-change"),
    path(f"{_REF}approve/", ChangeRequestApproveApi.as_view(), name="accountability-change-approve"),
    path(f"{_REF}reject/", ChangeRequestRejectApi.as_view(), name="accountability-change-reject"),
    path(f"{_REF}withdraw/", ChangeRequestWithdrawApi.as_view(), name="accountability-change-withdraw"),
]
facility_api_urlpatterns: list[URLPattern] = [
    path("changes/", ChangeRequestListApi.as_view(), name="accountability-changes"),
    path(_REF, ChangeRequestDetailApi.as_view(), name="accountability-change"),
    path(f"{_REF}assess/", ChangeRequestAssessApi.as_view(), name="accountability-change-assess"),
    path(f"{_REF}approve/", ChangeRequestApproveApi.as_view(), name="accountability-change-approve"),
    path(f"{_REF}reject/", ChangeRequestRejectApi.as_view(), name="accountability-change-reject"),
]
