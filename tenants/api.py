"""API: the agencies served by the facility.

On the facility portal, facility staff list every agency and platform
administrators create them. On an agency's address the list holds that
agency alone.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsFacilityStaff, IsPlatformAdministrator, MayUseThisAddress
from shared_platform.tenancy import agency_url

from .models import Agency, AgencyKind
from .selectors import agency_list
from .services import MAX_HEADCOUNT, agency_create


class AgencySerializer(serializers.ModelSerializer[Agency]):
    address = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "headcount", "is_active", "address"]

    def get_address(self, agency: Agency) -> str:
        return agency_url(agency)


class AgencyCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=15)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=[AgencyKind.MEMBER, AgencyKind.PARTNER], default=AgencyKind.MEMBER)
    headcount = serializers.IntegerField(min_value=0, max_value=MAX_HEADCOUNT, default=0)


class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    serializer_class = AgencySerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9]+"

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.action == "create":
            return [IsPlatformAdministrator()]
        tenant = getattr(self.request, "tenant", None)  # None while the OpenAPI schema is generated
        if tenant is None or tenant.is_facility:
            return [IsFacilityStaff()]
        return [MayUseThisAddress()]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        tenant = getattr(self.request, "tenant", None)
        agencies = agency_list()
        if tenant is not None and not tenant.is_facility:
            agencies = agencies.filter(pk=tenant.pk)
        return agencies

    def get_object(self) -> Agency:
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()

    @extend_schema(request=AgencyCreateSerializer, responses={201: AgencySerializer})
    def create(self, request: Request) -> Response:
        payload = AgencyCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agency = agency_create(**payload.validated_data)
        return Response(AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


AgencyViewSet.http_method_names = ["get", "post", "head", "options"]
