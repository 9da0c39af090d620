"""The roster in the Django admin, for platform administrators: read-only.

Vendors, their status and the thresholds change only through vendors.services
(the pages and the API), where the rules are checked and the status history is
written; the admin shows what is there.
"""

from __future__ import annotations

from django.contrib import admin

from shared_platform.admin_read_only import ReadOnlyAdmin, ReadOnlyInline

from .models import MethodThresholds, SupplyCategory, Vendor, VendorContact, VendorStatusChange


class ContactInline(ReadOnlyInline):
    model = VendorContact
    fields = ["name", "role", "email", "phone"]


class StatusChangeInline(ReadOnlyInline):
    model = VendorStatusChange
    fields = ["effective_on", "status", "reason", "changed_by", "changed_at"]


@admin.register(SupplyCategory)
class SupplyCategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(Vendor)
class VendorAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "country", "registration_number", "status", "status_since", "language"]
    list_filter = ["status", "country", "language", "categories"]
    search_fields = ["legal_name", "registration_number", "email"]
    inlines = [ContactInline, StatusChangeInline]


@admin.register(VendorStatusChange)
class VendorStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["vendor", "status", "effective_on", "changed_by", "changed_at"]
    list_select_related = ["vendor", "changed_by"]
    list_filter = ["status"]
    search_fields = ["vendor__legal_name", "reason"]


@admin.register(MethodThresholds)
class MethodThresholdsAdmin(ReadOnlyAdmin):
    list_display = ["agency", "effective_from", "micro_purchase_max", "rfq_max", "committee_above", "set_by"]
    list_select_related = ["agency", "set_by"]
    list_filter = ["agency"]
