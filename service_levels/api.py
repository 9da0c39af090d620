"""API for the catalogue, calendars and agreements.

Catalogue and calendars: read on every address, written by the facility
manager. Agreements: facility staff read all, an agency reads its own; the
facility manager creates, changes (while unused) and revises them.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from accounts.permissions import IsFacilityManagerOrReadOnly
from accounts.selectors import agency_scope
from tenants.models import Agency

from . import services
from .models import AGREEMENT_FIELDS, Agreement, Calendar, Metric, Priority, Service, Weekday
from .selectors import agreement_list, calendar_list, describe_minutes, service_list
from .services import Override


class NeverDeletedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """List, read, create and change; never delete: requests and invoices refer to these rows."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class TargetSerializer(serializers.Serializer):  # type: ignore[type-arg]
    metric = serializers.ChoiceField(choices=Metric.choices)
    priority = serializers.ChoiceField(
        choices=[("", "All priorities"), *Priority.choices], allow_blank=True, default=""
    )
    target_minutes = serializers.IntegerField(
        min_value=1, max_value=services.MAX_TARGET_MINUTES, help_text="Business minutes on the agreement's calendar."
    )
    target = serializers.SerializerMethodField(help_text="The same, for people.")

    def get_target(self, target: Any) -> str:
        minutes = target["target_minutes"] if isinstance(target, dict) else target.target_minutes
        return describe_minutes(minutes)


class ServiceSerializer(serializers.ModelSerializer[Service]):
    targets = TargetSerializer(many=True)

    class Meta:
        model = Service
        fields = ["code", "name", "module", "billing_unit", "description", "is_active", "targets"]

    def save(self, **kwargs: Any) -> Service:
        data = dict(self.validated_data)
        targets = None
        if "targets" in data:
            targets = [
                services.Target(metric=t["metric"], priority=t.get("priority", ""), minutes=t["target_minutes"])
                for t in data.pop("targets")
            ]
        if self.instance is None:
            self.instance = services.service_save(targets=targets or [], **data)
        else:
            # A PATCH keeps what it does not send (a PUT sends everything: the serializer requires it).
            data["code"] = self.instance.code
            self.instance = services.service_change(service=self.instance, targets=targets, **data)
        return self.instance


class ServiceViewSet(NeverDeletedViewSet):
    """The service catalogue with default targets per metric and priority."""

    serializer_class = ServiceSerializer
    permission_classes = [IsFacilityManagerOrReadOnly]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    queryset = Service.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return service_list()


class SpanSerializer(serializers.Serializer):  # type: ignore[type-arg]
    weekday = serializers.ChoiceField(choices=Weekday.choices)
    starts = serializers.TimeField()
    ends = serializers.TimeField()


class ClosureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    day = serializers.DateField()
    name = serializers.CharField(max_length=120)


class CalendarSerializer(serializers.ModelSerializer[Calendar]):
    working_hours = SpanSerializer(many=True, source="spans")
    closures = ClosureSerializer(many=True)

    class Meta:
        model = Calendar
        fields = ["id", "name", "time_zone", "country", "subdivision", "is_default", "working_hours", "closures"]
        # A calendar written whole says where it is: no silent default time zone or country.
        extra_kwargs = {"time_zone": {"required": True}, "country": {"required": True}}

    def save(self, **kwargs: Any) -> Calendar:
        data = dict(self.validated_data)
        if "spans" in data:
            data["working_hours"] = [(int(s["weekday"]), s["starts"], s["ends"]) for s in data.pop("spans")]
        if "closures" in data:
            data["closures"] = [(c["day"], c["name"]) for c in data["closures"]]
        if self.instance is None:
            self.instance = services.calendar_save(**data)
        else:
            # A PATCH keeps what it does not send (a PUT sends everything: the serializer requires it).
            self.instance = services.calendar_change(calendar=self.instance, **data)
        return self.instance


class CalendarViewSet(NeverDeletedViewSet):
    """Business calendars: time zone, working hours, public holidays' country, one-off closures."""

    serializer_class = CalendarSerializer
    permission_classes = [IsFacilityManagerOrReadOnly]
    queryset = Calendar.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return calendar_list()


class OverrideSerializer(TargetSerializer):
    service = serializers.SlugRelatedField(slug_field="code", queryset=Service.objects.all())


class AgreementSerializer(serializers.ModelSerializer[Agreement]):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.agencies())
    calendar = serializers.PrimaryKeyRelatedField(queryset=Calendar.objects.all())
    services = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Service.objects.all(), write_only=True, help_text="Service codes."
    )
    target_overrides = OverrideSerializer(many=True, required=False)

    class Meta:
        model = Agreement
        fields = ["id", "agency", *AGREEMENT_FIELDS, "services", "target_overrides"]
        validators: list[Any] = []  # overlaps are checked by the service with a clear message

    def to_representation(self, agreement: Agreement) -> dict[str, Any]:
        data = super().to_representation(agreement)
        data["services"] = [item.service.code for item in agreement.services.all()]
        return data

    @staticmethod
    def overrides(data: dict[str, Any]) -> list[Override]:
        return [
            services.Override(
                service=o["service"], metric=o["metric"], priority=o.get("priority", ""), minutes=o["target_minutes"]
            )
            for o in data.pop("target_overrides", [])
        ]


def _services_and_overrides(agreement: Agreement, data: dict[str, Any]) -> tuple[list[Service], list[Override]]:
    """What the request gives, or else what the agreement has now."""
    if "target_overrides" in data:
        overrides = AgreementSerializer.overrides(data)
    else:
        overrides = [
            Override(service=o.service, metric=o.metric, priority=o.priority, minutes=o.target_minutes)
            for o in agreement.target_overrides.all()
        ]
    chosen = data.pop("services", None) or [item.service for item in agreement.services.all()]
    return chosen, overrides


class RevisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    effective_from = serializers.DateField()
    reference = serializers.CharField(max_length=40)
    services = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Service.objects.all(), required=False
    )
    target_overrides = OverrideSerializer(many=True, required=False)


class AgreementViewSet(NeverDeletedViewSet):
    """Service agreements: effective-dated, never overlapping; a used agreement changes only by a new version."""

    serializer_class = AgreementSerializer
    permission_classes: list[type[BasePermission]] = [IsFacilityManagerOrReadOnly]
    queryset = Agreement.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        tenant = getattr(self.request, "tenant", None)
        if tenant is None:  # the OpenAPI schema is being generated
            return Agreement.objects.none()
        return agreement_list(agency=agency_scope(user=self.request.user, agency=tenant))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AgreementSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        overrides = AgreementSerializer.overrides(data)
        agreement = services.agreement_create(services=data.pop("services"), overrides=overrides, **data)
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = self.get_object()
        payload = AgreementSerializer(agreement, data=request.data, partial=kwargs.get("partial", False))
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("agency", None)
        chosen, overrides = _services_and_overrides(agreement, data)
        agreement = services.agreement_update(agreement=agreement, services=chosen, overrides=overrides, **data)
        return Response(AgreementSerializer(agreement_list().get(pk=agreement.pk)).data)

    @extend_schema(request=RevisionSerializer, responses={201: AgreementSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str | None = None) -> Response:
        """A new version from a date; the current one ends the day before and keeps its requests."""
        agreement = self.get_object()
        payload = RevisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        chosen, overrides = _services_and_overrides(agreement, data)
        revised = services.agreement_revise(
            agreement=agreement,
            effective_from=data["effective_from"],
            reference=data["reference"],
            services=chosen,
            overrides=overrides,
        )
        return Response(AgreementSerializer(agreement_list().get(pk=revised.pk)).data, status=status.HTTP_201_CREATED)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("catalogue/services", ServiceViewSet, basename="service")
router.register("catalogue/calendars", CalendarViewSet, basename="calendar")
router.register("agreements", AgreementViewSet, basename="agreement")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
