"""Read-only admin views of the ledger: modules write it through ledger.services only."""

from django.contrib import admin

from service_levels.admin import ReadOnlyAdmin

from .models import LedgerEntry, SlaBreach


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["reference", "agency", "service", "priority", "status", "opened_at", "completed_at", "breached"]
    list_select_related = ["agency", "service"]
    list_filter = ["module", "status", "breached", "agency"]
    search_fields = ["reference", "title"]
    date_hierarchy = "opened_at"


@admin.register(SlaBreach)
class SlaBreachAdmin(ReadOnlyAdmin):
    list_display = ["entry", "agency", "service", "metric", "due_at", "held_by"]
    list_select_related = ["entry", "agency", "service"]
    list_filter = ["agency", "metric", "held_by"]
