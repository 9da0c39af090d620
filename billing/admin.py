"""Billing in the Django admin: read-only.

Invoices, credit notes and prices change only through billing.services (the
pages and the API), where the rules are checked; an issued invoice cannot be
changed from a shell or by SQL either (the triggers of migration 0002).
"""

from __future__ import annotations

from django.contrib import admin

from .models import (
    BillingRun,
    CostSharingKey,
    CreditNote,
    ExchangeRate,
    FixedCost,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    PriceListItem,
    PriceListVersion,
    UsageEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["position", "kind", "service", "description", "quantity", "unit_price", "amount"]
    readonly_fields = ["position", "kind", "service", "description", "quantity", "unit_price", "amount"]


class InvoiceEventInline(ReadOnlyInline):
    model = InvoiceEvent
    fields = ["at", "kind", "actor", "detail"]
    readonly_fields = ["at", "kind", "actor", "detail"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "agency", "month", "status", "total", "issued_at"]
    list_select_related = ["agency"]
    list_filter = ["status", "month", "agency"]
    search_fields = ["number", "agency__code"]
    inlines = [InvoiceLineInline, InvoiceEventInline]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "invoice", "agency", "amount", "issued_at"]
    list_select_related = ["invoice", "agency"]
    search_fields = ["number", "invoice__number"]


class PriceListItemInline(ReadOnlyInline):
    model = PriceListItem
    fields = ["service", "billing_unit", "unit_price"]
    readonly_fields = ["service", "billing_unit", "unit_price"]


@admin.register(PriceListVersion)
class PriceListVersionAdmin(ReadOnlyAdmin):
    list_display = ["effective_from", "decision", "created_at"]
    list_select_related = ["decision"]
    inlines = [PriceListItemInline]


@admin.register(CostSharingKey)
class CostSharingKeyAdmin(ReadOnlyAdmin):
    list_display = ["effective_from", "method", "decision"]
    list_select_related = ["decision"]


@admin.register(FixedCost)
class FixedCostAdmin(ReadOnlyAdmin):
    list_display = ["month", "description", "amount", "entered_by"]
    list_select_related = ["entered_by"]
    list_filter = ["month"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ["month", "currency", "rate"]


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "agencies_done", "agencies_total", "created_at"]


@admin.register(UsageEvent)
class UsageEventAdmin(ReadOnlyAdmin):
    list_display = ["entry", "unit_number", "agency", "service", "quantity", "completed_on"]
    list_select_related = ["entry", "agency", "service"]
    list_filter = ["month", "agency"]
    raw_id_fields = ["entry"]
