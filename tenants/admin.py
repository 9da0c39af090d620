"""The facility's administration pages for agencies.

Adding an agency here goes through tenants.services.agency_create, like the
command and the API: its schema is cloned from the template and its address
created. Agencies are deactivated, never deleted, from here: deleting would
leave (or, with auto_drop_schema, destroy) a whole schema of private data.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from shared_platform.errors import ApplicationError

from .models import Agency, AgencyKind, Domain
from .services import agency_check_new, agency_create, agency_update


class AgencyAdminForm(forms.ModelForm):
    kind = forms.ChoiceField(
        choices=[(AgencyKind.MEMBER, AgencyKind.MEMBER.label), (AgencyKind.PARTNER, AgencyKind.PARTNER.label)]
    )

    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "headcount", "language", "is_active"]

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if self.instance.pk is None and not self.errors:
            try:
                agency_check_new(code=data["code"], name=data["name"], kind=data["kind"], headcount=data["headcount"])
            except ApplicationError as error:
                raise ValidationError(error.message) from error
        return data


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    can_delete = False
    readonly_fields = ["domain", "is_primary"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyAdminForm
    list_display = ["code", "name", "kind", "headcount", "is_active", "schema_name"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).exclude(kind=AgencyKind.FACILITY)

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["code", "schema_name"] if obj else []

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        fields = ["code", "name", "kind", "headcount", "language", "is_active"]
        return [*fields, "schema_name"] if obj else fields

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def get_inlines(self, request, obj):  # type: ignore[no-untyped-def]
        return [DomainInline] if obj else []

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        data = form.cleaned_data
        if change:
            agency_update(
                agency=obj,
                name=data["name"],
                kind=data["kind"],
                headcount=data["headcount"],
                is_active=data["is_active"],
                language=data["language"],
            )
        else:
            created = agency_create(
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                headcount=data["headcount"],
                language=data["language"],
            )
            obj.pk, obj.schema_name = created.pk, created.schema_name
            obj._state.adding = False
