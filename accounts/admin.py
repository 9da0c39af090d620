from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shared_platform.errors import ApplicationError

from .models import Membership, User
from .services import membership_check


class MembershipForm(forms.ModelForm):
    """The admin writes memberships directly; the same rules as membership_grant apply."""

    class Meta:
        model = Membership
        fields = ["user", "agency", "role"]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("role"):
            try:
                membership_check(role=data["role"], agency=data.get("agency"))
            except ApplicationError as error:
                raise ValidationError(error.message) from error
        return data


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 1
    autocomplete_fields = ["agency"]
    fields = ["agency", "role", "granted_at"]
    readonly_fields = ["granted_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name")}),
        (_("Platform administration"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "agency", "role", "granted_at"]
    list_select_related = ["user", "agency"]
    list_filter = ["role", "agency"]
    search_fields = ["user__email", "user__last_name", "agency__code"]
    autocomplete_fields = ["user", "agency"]
