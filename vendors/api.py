"""The roster's API under /api/vendors/, on the facility portal only, with the same rules as the pages.

Procurement officers and the facility manager keep the roster; the contracts
committee and the auditor read it; the facility manager alone sets an
agency's method thresholds. Every refusal leaves in the one error shape
(shared_platform.errors) with a `vendors.*` code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from shared_platform import limits
from shared_platform.api import StandardPagination
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from . import selectors, services
from .import_report import RowOutcome
from .models import MethodThresholds, SupplyCategory, Vendor, VendorContact, VendorStatus, VendorStatusChange
from .selectors import Thresholds

# -- permissions -------------------------------------------------------------------------


class ReadsRoster(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("The vendor roster is for the facility's procurement officers.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.may_read_roster(user=request.user, agency=request.tenant)


class KeepsRoster(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only the facility's procurement officers and manager keep the roster.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.may_keep_roster(user=request.user, agency=request.tenant)


class SetsThresholds(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only the facility manager sets the method thresholds.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.may_set_thresholds(user=request.user, agency=request.tenant)


def _keepers_write(view: Any, write_actions: set[str]) -> list[BasePermission]:
    if view.action in write_actions:
        return [MayUseThisAddress(), ReadsRoster(), KeepsRoster()]
    return [MayUseThisAddress(), ReadsRoster()]


# -- serializers -------------------------------------------------------------------------


class SupplyCategorySerializer(serializers.ModelSerializer[SupplyCategory]):
    vendor_count = serializers.IntegerField(read_only=True, help_text="How many vendors supply it.")

    class Meta:
        model = SupplyCategory
        fields = ["id", "code", "name", "is_active", "vendor_count"]


class SupplyCategoryInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=20, help_text="2 to 20 capitals, digits or hyphens, e.g. IT-EQUIP.")
    name = serializers.CharField(max_length=120)


class ContactSerializer(serializers.ModelSerializer[VendorContact]):
    class Meta:
        model = VendorContact
        fields = ["id", "name", "role", "email", "phone"]


class ContactInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=limits.NAME)
    role = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class StatusChangeSerializer(serializers.ModelSerializer[VendorStatusChange]):
    changed_by = serializers.EmailField(source="changed_by.email", read_only=True)

    class Meta:
        model = VendorStatusChange
        fields = ["status", "reason", "effective_on", "changed_by", "changed_at"]


class VendorSerializer(serializers.ModelSerializer[Vendor]):
    categories: serializers.SlugRelatedField[SupplyCategory] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    is_eligible = serializers.BooleanField(read_only=True, help_text="Only an active vendor may be invited or awarded.")

    class Meta:
        model = Vendor
        fields = [
            "id",
            "legal_name",
            "country",
            "registration_number",
            "email",
            "language",
            "contact_name",
            "phone",
            "address",
            "categories",
            "status",
            "status_reason",
            "status_since",
            "is_eligible",
            "created_at",
            "updated_at",
        ]


class VendorDetailSerializer(VendorSerializer):
    contacts = ContactSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()

    class Meta(VendorSerializer.Meta):
        fields = [*VendorSerializer.Meta.fields, "contacts", "history"]

    @extend_schema_field(StatusChangeSerializer(many=True))
    def get_history(self, vendor: Vendor) -> Any:
        """Every change of status, newest first."""
        return StatusChangeSerializer(selectors.vendor_history(vendor=vendor), many=True).data


class VendorInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    legal_name = serializers.CharField(max_length=limits.NAME)
    country = serializers.CharField(max_length=2, help_text="ISO 3166 two-letter code, e.g. BR.")
    registration_number = serializers.CharField(max_length=60)
    email = serializers.EmailField(help_text="Where solicitations are sent.")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")
    contact_name = serializers.CharField(max_length=limits.NAME, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")
    categories = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=SupplyCategory.objects.all(),
        required=False,
        help_text="Supply-category codes.",
    )


class StatusInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=VendorStatus.choices)
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)
    effective_on = serializers.DateField(required=False, help_text="Today (the default) or a past day.")


class ImportInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(help_text="CSV, UTF-8, with a header row (see the README for the columns).")
    dry_run = serializers.BooleanField(required=False, default=False, help_text="Report only; change nothing.")


class ImportRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    line = serializers.IntegerField(help_text="The row's line in the file; the header is line 1.")
    legal_name = serializers.CharField()
    country = serializers.CharField()
    registration_number = serializers.CharField()
    outcome = serializers.ChoiceField(choices=RowOutcome.choices)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why a row was refused.")
    vendor_id = serializers.IntegerField(allow_null=True)


class ImportReportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField()
    rows = ImportRowSerializer(many=True)


class ThresholdsSerializer(serializers.ModelSerializer[MethodThresholds]):
    agency = serializers.CharField(source="agency.code", read_only=True)
    set_by = serializers.EmailField(source="set_by.email", read_only=True)

    class Meta:
        model = MethodThresholds
        fields = [
            "id",
            "agency",
            "effective_from",
            "micro_purchase_max",
            "rfq_max",
            "committee_above",
            "set_by",
            "set_at",
        ]


def _money_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,  # type: ignore[arg-type]
        help_text=help_text,
    )


class ThresholdsInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.agencies())
    effective_from = serializers.DateField(help_text="Today or later.")
    micro_purchase_max = _money_field("Micro-purchase up to this amount (USD).")
    rfq_max = _money_field("Request for quotation up to this amount (USD); above, ITB or RFP.")
    committee_above = _money_field("The contracts committee reviews above this amount (USD).")


class ThresholdsInForceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.CharField()
    on = serializers.DateField()
    micro_purchase_max = serializers.DecimalField(max_digits=14, decimal_places=2)
    rfq_max = serializers.DecimalField(max_digits=14, decimal_places=2)
    committee_above = serializers.DecimalField(max_digits=14, decimal_places=2)
    effective_from = serializers.DateField(allow_null=True, help_text="None: no values set, the defaults apply.")
    is_default = serializers.BooleanField()


# -- views ---------------------------------------------------------------------------------


def _filter_check(params: Any) -> dict[str, str]:
    wanted = params.get("status", "")
    if wanted and wanted not in VendorStatus.values:
        raise ApplicationError(
            gettext("Unknown status %(status)s.") % {"status": repr(wanted[:20])},
            code="vendors.invalid_filter",
            fields={"status": [gettext("Choose active, suspended or ineligible.")]},
        )
    return {
        "status": wanted,
        "category": params.get("category", "")[:20],
        "country": params.get("country", "")[:2],
        "text": params.get("q", "")[:100],
    }


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=VendorStatus.values),
            OpenApiParameter("category", str, description="A supply-category code."),
            OpenApiParameter("country", str, description="ISO 3166 two-letter code."),
            OpenApiParameter("q", str, description="Words in the name, registration number, e-mail or contact."),
        ]
    )
)
class VendorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """The vendor roster shared by every agency."""

    pagination_class = StandardPagination
    queryset = Vendor.objects.none()
    lookup_value_regex = "[0-9]+"
    WRITE_ACTIONS = {"create", "partial_update", "status", "contacts", "contact_remove", "import_file"}

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return _keepers_write(self, self.WRITE_ACTIONS)

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        return VendorSerializer if self.action == "list" else VendorDetailSerializer

    def get_queryset(self) -> QuerySet[Vendor]:
        if getattr(self, "swagger_fake_view", False):
            return Vendor.objects.none()
        if self.action == "list":
            return selectors.vendor_list(**_filter_check(self.request.query_params)).order_by("legal_name", "pk")
        return Vendor.objects.prefetch_related("categories", "contacts")

    def _detail(self, vendor: Vendor, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.vendor_get(pk=vendor.pk) or vendor
        return Response(VendorDetailSerializer(fresh).data, status=status_code)

    @extend_schema(request=VendorInputSerializer, responses={201: VendorDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add a vendor, active. Its country and registration number are on the roster once."""
        payload = VendorInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        categories = data.pop("categories", [])
        vendor = services.vendor_create(**data, categories=categories, created_by=request.user)  # type: ignore[arg-type]
        return self._detail(vendor, status.HTTP_201_CREATED)

    @extend_schema(request=VendorInputSerializer(partial=True), responses={200: VendorDetailSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a vendor's details; `categories`, when sent, replaces the categories it supplies."""
        vendor = self.get_object()
        payload = VendorInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        categories = data.pop("categories", None)
        vendor = services.vendor_update(vendor=vendor, updated_by=request.user, categories=categories, **data)  # type: ignore[arg-type]
        return self._detail(vendor)

    @extend_schema(request=StatusInputSerializer, responses={200: VendorDetailSerializer})
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """Suspend, declare ineligible or reinstate (`active`), with a reason; kept in the vendor's history."""
        vendor = self.get_object()
        payload = StatusInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        vendor = services.vendor_status_set(
            vendor=vendor,
            status=data["status"],
            reason=data["reason"],
            effective_on=data.get("effective_on"),
            changed_by=request.user,  # type: ignore[arg-type]
        )
        return self._detail(vendor)

    @extend_schema(request=ContactInputSerializer, responses={201: ContactSerializer})
    @action(detail=True, methods=["post"])
    def contacts(self, request: Request, pk: str | None = None) -> Response:
        """Add a person at the vendor: a name, and an e-mail or a telephone."""
        vendor = self.get_object()
        payload = ContactInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contact = services.contact_add(vendor=vendor, added_by=request.user, **payload.validated_data)  # type: ignore[arg-type]
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"contacts/(?P<contact_id>[0-9]+)")
    def contact_remove(self, request: Request, pk: str | None = None, contact_id: str | None = None) -> Response:
        """Remove a person from the vendor's contacts."""
        vendor = self.get_object()
        contact = vendor.contacts.filter(pk=int(contact_id or 0)).first()
        if contact is None:
            raise ApplicationError(gettext("No such contact."), code="vendors.contact_not_found", status_code=404)
        services.contact_remove(contact=contact, removed_by=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request={"multipart/form-data": ImportInputSerializer}, responses={200: ImportReportSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        """Import a CSV file: each row is added, updated, unchanged, or refused with its reasons."""
        payload = ImportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.vendors_import(
            file=payload.validated_data["file"],
            imported_by=request.user,  # type: ignore[arg-type]
            dry_run=payload.validated_data["dry_run"],
        )
        return Response(ImportReportSerializer(report).data)


class CategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Supply categories: what is bought and what vendors supply."""

    serializer_class = SupplyCategorySerializer
    pagination_class = StandardPagination
    queryset = SupplyCategory.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return _keepers_write(self, {"create"})

    def get_queryset(self) -> QuerySet[SupplyCategory]:
        if getattr(self, "swagger_fake_view", False):
            return SupplyCategory.objects.none()
        return selectors.category_list().order_by("name", "pk")

    @extend_schema(request=SupplyCategoryInputSerializer, responses={201: SupplyCategorySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SupplyCategoryInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        category = services.category_create(created_by=request.user, **payload.validated_data)  # type: ignore[arg-type]
        category = selectors.category_list().get(pk=category.pk)
        return Response(SupplyCategorySerializer(category).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("agency", str, description="An agency's code, e.g. UNDP.")])
)
class ThresholdsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Method thresholds per agency, effective-dated: every value set, the ones in force, new ones."""

    serializer_class = ThresholdsSerializer
    pagination_class = StandardPagination
    queryset = MethodThresholds.objects.none()

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.action == "create":
            return [MayUseThisAddress(), SetsThresholds()]
        return [MayUseThisAddress(), ReadsRoster()]

    def get_queryset(self) -> QuerySet[MethodThresholds]:
        if getattr(self, "swagger_fake_view", False):
            return MethodThresholds.objects.none()
        return selectors.thresholds_list(agency_code=self.request.query_params.get("agency", "")[:20])

    @extend_schema(request=ThresholdsInputSerializer, responses={201: ThresholdsSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Set an agency's thresholds from a day on (today or later); the facility manager only."""
        payload = ThresholdsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.thresholds_set(set_by=request.user, **payload.validated_data)  # type: ignore[arg-type]
        return Response(ThresholdsSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", str, required=True, description="An agency's code, e.g. UNDP."),
            OpenApiParameter("on", str, description="A day as YYYY-MM-DD; today by default."),
        ],
        responses={200: ThresholdsInForceSerializer},
    )
    @action(detail=False, methods=["get"], url_path="in-force")
    def in_force(self, request: Request) -> Response:
        """The thresholds an agency buys under on a day: the latest set on or before it, else the defaults."""
        code = request.query_params.get("agency", "").replace("\x00", "").strip().upper()[:20]
        agency = Agency.objects.agencies().filter(code=code).first() if code else None
        if agency is None:
            raise ApplicationError(
                gettext("Name an agency by its code: ?agency=UNDP."),
                code="vendors.agency_not_found",
                status_code=404,
            )
        day = serializers.DateField().run_validation(request.query_params.get("on") or timezone.localdate())
        found: Thresholds = selectors.thresholds_in_force(agency=agency, on=day)
        body = {
            "agency": agency.code,
            "on": day,
            "micro_purchase_max": found.micro_purchase_max,
            "rfq_max": found.rfq_max,
            "committee_above": found.committee_above,
            "effective_from": found.effective_from,
            "is_default": found.effective_from is None,
        }
        return Response(ThresholdsInForceSerializer(body).data)
