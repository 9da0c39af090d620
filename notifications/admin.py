"""Failed notifications in the Django admin: read-only rows, two actions (send again, mark handled)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import FailedNotification
from .services import failure_dismiss, failure_resend


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("open", _("Not handled")), ("resolved", _("Handled"))]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(FailedNotification)
class FailedNotificationAdmin(admin.ModelAdmin):
    list_display = ["failed_at", "agency", "reference", "step", "recipients", "attempts", "error", "resolved_at"]
    list_select_related = ["agency"]
    list_filter = [OpenFilter, "agency", "step"]
    search_fields = ["reference", "recipients", "error"]
    actions = ["send_again", "mark_handled"]
    readonly_fields = [field.name for field in FailedNotification._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description=_("Send the selected notifications again"), permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[FailedNotification]) -> None:
        count = 0
        for failure in queryset.filter(resolved_at__isnull=True):
            failure_resend(failure=failure, by=request.user)  # type: ignore[arg-type]
            count += 1
        message = ngettext("%(count)d notification queued again.", "%(count)d notifications queued again.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Mark the selected notifications as handled"), permissions=["view"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[FailedNotification]) -> None:
        count = 0
        for failure in queryset.filter(resolved_at__isnull=True):
            failure_dismiss(failure=failure, by=request.user)  # type: ignore[arg-type]
            count += 1
        message = ngettext("%(count)d notification marked handled.", "%(count)d notifications marked handled.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
