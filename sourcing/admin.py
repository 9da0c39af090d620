"""Pooled sourcing in the admin: read-only. Agreements, consumption, spend, flags and ratings are written
only by their services (sourcing.services), which check the rules; a platform administrator reads them here."""

from __future__ import annotations

from django.contrib import admin

from shared_platform.admin_read_only import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    AgreementDocument,
    AgreementItem,
    Consumption,
    LongTermAgreement,
    Participation,
    PiggybackRequest,
    PurchaseRecord,
    SplitFlag,
    VendorRating,
)


class AgreementItemInline(ReadOnlyInline):
    model = AgreementItem
    fields = ["position", "description", "category", "unit", "unit_price_usd"]


class ParticipationInline(ReadOnlyInline):
    model = Participation
    fields = ["agency", "ceiling_usd", "joined_via", "joined_at", "warned_at"]


class AgreementDocumentInline(ReadOnlyInline):
    model = AgreementDocument
    fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(LongTermAgreement)
class LongTermAgreementAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "owner", "vendor", "valid_from", "valid_until", "ceiling_usd"]
    list_filter = ["owner", "source_kind"]
    search_fields = ["reference", "title", "vendor__legal_name", "source_reference"]
    list_select_related = ["owner", "vendor"]
    inlines = [AgreementItemInline, ParticipationInline, AgreementDocumentInline]


@admin.register(PiggybackRequest)
class PiggybackRequestAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "agency", "status", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status", "agency"]
    search_fields = ["agreement__reference"]
    list_select_related = ["agreement", "agency", "requested_by", "decided_by"]


@admin.register(Consumption)
class ConsumptionAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "agency", "kind", "amount_usd", "requisition_reference", "recorded_at"]
    list_filter = ["kind", "agency"]
    search_fields = ["agreement__reference", "requisition_reference"]
    list_select_related = ["agreement", "agency"]


@admin.register(PurchaseRecord)
class PurchaseRecordAdmin(ReadOnlyAdmin):
    list_display = ["order_number", "agency", "vendor", "category", "ordered_on", "amount_usd", "cancelled"]
    list_filter = ["agency", "cancelled"]
    search_fields = ["order_number", "requisition_reference", "vendor__legal_name"]
    list_select_related = ["agency", "vendor", "category"]


@admin.register(SplitFlag)
class SplitFlagAdmin(ReadOnlyAdmin):
    list_display = ["requisition_reference", "agency", "stage", "vendor", "category", "total_usd", "raised_at"]
    list_filter = ["agency", "stage"]
    search_fields = ["requisition_reference", "vendor__legal_name"]
    list_select_related = ["agency", "vendor", "category"]


@admin.register(VendorRating)
class VendorRatingAdmin(ReadOnlyAdmin):
    list_display = ["order_number", "agency", "vendor", "on_time", "quality", "compliance", "rated_at"]
    list_filter = ["agency", "on_time"]
    search_fields = ["order_number", "vendor__legal_name"]
    list_select_related = ["agency", "vendor"]
