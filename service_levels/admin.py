"""Read-only admin views: the catalogue, calendars and agreements change through the facility manager's pages,
whose services keep history and recompute clocks; the admin only shows them."""

from django.contrib import admin

from shared_platform.admin_read_only import ReadOnlyAdmin

from .models import Agreement, Calendar, Service


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "module", "billing_unit", "is_active"]
    list_filter = ["module", "is_active"]


@admin.register(Calendar)
class CalendarAdmin(ReadOnlyAdmin):
    list_display = ["name", "time_zone", "country", "subdivision", "is_default"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["reference", "agency", "valid_from", "valid_to", "calendar"]
    list_select_related = ["agency", "calendar"]
    list_filter = ["agency"]
