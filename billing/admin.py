"""Billing in the Django admin: read-only, except the billing settings and the agencies' billing profiles.

Invoices, credit notes and prices change only through billing.services (the
pages and the API), where the rules are checked; an issued invoice cannot be
changed from a shell or by SQL either (the triggers of migration 0002). The
billing settings and profiles are edited here too, and saved by the same
services as their page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages

from shared_platform.admin_read_only import ReadOnlyAdmin, ReadOnlyInline
from shared_platform.errors import ApplicationError

from . import services
from .models import (
    AgencyBillingProfile,
    BillingRun,
    BillingSettings,
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


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    """The one row of billing settings: saved through billing.services.billing_settings_update."""

    fields = [
        "legal_name",
        "postal_address",
        "email",
        "bank_name",
        "bank_address",
        "account_name",
        "account_number",
        "swift_code",
        "routing_number",
        "payment_terms_days",
    ]
    list_display = ["legal_name", "bank_name", "payment_terms_days", "updated_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return not BillingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        values: dict[str, Any] = {str(name): form.cleaned_data[name] for name in self.fields}
        try:
            saved = services.billing_settings_update(updated_by=request.user, **values)
        except ApplicationError as error:  # the form checks the same; kept for a clear message
            messages.error(request, error.message)
            return
        obj.pk = saved.pk


@admin.register(AgencyBillingProfile)
class AgencyBillingProfileAdmin(admin.ModelAdmin):
    """An agency's billing address and reference: saved through billing.services.agency_billing_profile_set."""

    fields = ["agency", "billing_address", "reference", "contact"]
    list_display = ["agency", "reference", "contact", "updated_at"]
    list_select_related = ["agency"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        data = form.cleaned_data
        try:
            saved = services.agency_billing_profile_set(
                agency=data["agency"],
                billing_address=data["billing_address"],
                reference=data["reference"],
                contact=data["contact"],
                updated_by=request.user,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        obj.pk = saved.pk
