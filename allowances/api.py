"""The DSA table's API under /api/travel/, on the facility portal only, with the same rules as the pages.

Every member of the facility's staff reads the rates, locations, imports and
allowance rules; travel officers and the facility manager import the table
and set the rules. Every refusal leaves in the one error shape
(shared_platform.errors) with an `allowances.*` code.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from shared_platform.api import StandardPagination

from . import selectors, services
from .models import AllowanceSettings, DsaRate, Location, RateImport, RefusedRow

# -- permissions -------------------------------------------------------------------------


class ReadsRates(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("The DSA table is for the facility's staff.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.may_read_rates(user=request.user, agency=request.tenant)


class KeepsRates(FacilityPortalOnly, BasePermission):
    message = gettext_lazy(
        "Only the facility's travel officers and manager change the DSA table and the allowance rules."
    )

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.may_keep_rates(user=request.user, agency=request.tenant)


def _readers() -> list[BasePermission]:
    return [MayUseThisAddress(), ReadsRates()]


def _keepers() -> list[BasePermission]:
    return [MayUseThisAddress(), ReadsRates(), KeepsRates()]


# -- serializers -------------------------------------------------------------------------


class LocationSerializer(serializers.ModelSerializer[Location]):
    class Meta:
        model = Location
        fields = ["id", "country", "country_name", "name"]


class RateSerializer(serializers.ModelSerializer[DsaRate]):
    location = LocationSerializer(read_only=True)
    reduced_rate = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, help_text="DSA after 60 days (USD)."
    )

    class Meta:
        model = DsaRate
        fields = ["id", "location", "effective_from", "rate", "room_percent", "reduced_rate"]


class RateSearchSerializer(serializers.Serializer):  # type: ignore[type-arg]
    on = serializers.DateField(required=False, help_text="The day the rates are in force on; today by default.")
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)


class RefusedRowSerializer(serializers.ModelSerializer[RefusedRow]):
    class Meta:
        model = RefusedRow
        fields = ["line", "reason", "content"]


class RateImportSerializer(serializers.ModelSerializer[RateImport]):
    imported_by = serializers.EmailField(source="imported_by.email", read_only=True)

    class Meta:
        model = RateImport
        fields = ["id", "file_name", "imported_at", "imported_by", "rows_read", "rows_imported", "rows_refused"]


class RateImportReportSerializer(RateImportSerializer):
    refused = RefusedRowSerializer(many=True, read_only=True, help_text="Each refused row: its line and why.")

    class Meta(RateImportSerializer.Meta):
        fields = [*RateImportSerializer.Meta.fields, "refused"]


class RateFileInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(
        help_text="CSV, UTF-8: country, country_name, location, effective_from, dsa, room_percent, dsa_after_60_days."
    )


class AllowanceSettingsSerializer(serializers.ModelSerializer[AllowanceSettings]):
    updated_by = serializers.EmailField(source="updated_by.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = AllowanceSettings
        fields = [
            "breakfast_percent",
            "lunch_percent",
            "dinner_percent",
            "terminal_amount",
            "long_stay_nights",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = ["updated_at", "updated_by"]


def _share(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,  # type: ignore[arg-type]
        max_value=100,  # type: ignore[arg-type]
        help_text=help_text,
    )


class AllowanceSettingsInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    breakfast_percent = _share("Taken off a night's rate when breakfast is provided (% of the rate).")
    lunch_percent = _share("Taken off a night's rate when lunch is provided (% of the rate).")
    dinner_percent = _share("Taken off a night's rate when dinner is provided (% of the rate).")
    terminal_amount = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=0,  # type: ignore[arg-type]
        help_text="Terminal expenses per journey leg (USD).",
    )
    long_stay_nights = serializers.IntegerField(
        min_value=1, max_value=366, help_text="Consecutive nights at the full rate before the reduced rate."
    )


# -- views ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("on", str, description="A day as YYYY-MM-DD; today by default."),
            OpenApiParameter("search", str, description="Words in the country or location, or a country code."),
        ]
    )
)
class RateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The DSA table: each location's rate in force on a day, and the import of a new table."""

    serializer_class = RateSerializer
    pagination_class = StandardPagination
    queryset = DsaRate.objects.none()

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return _keepers() if self.action == "import_file" else _readers()

    def get_queryset(self) -> QuerySet[DsaRate]:
        if getattr(self, "swagger_fake_view", False):
            return DsaRate.objects.none()
        filters = RateSearchSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        on = filters.validated_data.get("on") or timezone.localdate()
        return selectors.rate_table(on=on, text=filters.validated_data.get("search", ""))

    @extend_schema(
        request={"multipart/form-data": RateFileInputSerializer}, responses={201: RateImportReportSerializer}
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        """Import the ICSC table as CSV: the good rows are imported, each bad one refused with its line and reason."""
        payload = RateFileInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        done = services.dsa_table_import(file=upload, file_name=upload.name or "", by=request.user)  # type: ignore[arg-type]
        found = RateImport.objects.prefetch_related("refused").select_related("imported_by").get(pk=done.pk)
        return Response(RateImportReportSerializer(found).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("search", str, description="Words in the country or location, or a code.")]
    )
)
class LocationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The places the table has rates for (what an itinerary is written in)."""

    serializer_class = LocationSerializer
    pagination_class = StandardPagination
    queryset = Location.objects.none()

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return _readers()

    def get_queryset(self) -> QuerySet[Location]:
        if getattr(self, "swagger_fake_view", False):
            return Location.objects.none()
        filters = RateSearchSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.location_list(text=filters.validated_data.get("search", ""))


class RateImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Every import of the table, newest first; one import with its refused rows."""

    pagination_class = StandardPagination
    queryset = RateImport.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return _readers()

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return RateImportSerializer if self.action == "list" else RateImportReportSerializer

    def get_queryset(self) -> QuerySet[RateImport]:
        if getattr(self, "swagger_fake_view", False):
            return RateImport.objects.none()
        rows = selectors.import_list()
        return rows if self.action == "list" else rows.prefetch_related("refused")


class AllowanceSettingsView(APIView):
    """The facility's allowance rules: meal shares, terminal expenses, the long-stay threshold."""

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return _keepers() if self.request.method == "PUT" else _readers()

    @extend_schema(responses={200: AllowanceSettingsSerializer})
    def get(self, request: Request) -> Response:
        return Response(AllowanceSettingsSerializer(selectors.allowance_settings()).data)

    @extend_schema(request=AllowanceSettingsInputSerializer, responses={200: AllowanceSettingsSerializer})
    def put(self, request: Request) -> Response:
        """Set every rule at once; the new values apply to DSA computed from now on."""
        payload = AllowanceSettingsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = services.allowance_settings_update(by=request.user, **payload.validated_data)  # type: ignore[arg-type]
        return Response(AllowanceSettingsSerializer(saved).data)
