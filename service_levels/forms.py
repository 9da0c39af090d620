"""Forms for the facility manager's catalogue, calendar and agreement pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shared_platform import limits
from tenants.models import Agency

from .models import (
    AGREEMENT_FIELDS,
    WORKING_DAY_MINUTES,
    Agreement,
    BillingUnit,
    Calendar,
    Metric,
    Module,
    Priority,
    Service,
    Weekday,
)

DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE)


def duration_parse(text: str) -> int:
    """Business minutes from '30m', '4h', '1h 30m', '3d' (a day is 9 working hours) or a bare number of minutes."""
    text = (text or "").strip()
    if text.isdigit():
        minutes = int(text)
    else:
        match = DURATION.match(text)
        if not text or match is None or not any(match.groups()):
            raise ValidationError(_("Write a duration such as 30m, 4h, 1h 30m or 3d (a day is 9 working hours)."))
        days, hours, mins = (int(part or 0) for part in match.groups())
        minutes = days * WORKING_DAY_MINUTES + hours * 60 + mins
    if minutes <= 0:
        raise ValidationError(_("A target must be longer than zero."))
    return minutes


def duration_format(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours}h" if hours else "", f"{rest}m" if rest else "") if part)


class DurationField(forms.CharField):
    def prepare_value(self, value: Any) -> Any:
        return duration_format(value) if isinstance(value, int) else value

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        value = super().clean(value)
        return duration_parse(value) if value else None


class ServiceForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("E.g. ICT-INC; cannot change later."))
    name = forms.CharField(label=_("Name"), max_length=120)
    module = forms.ChoiceField(label=_("Module"), choices=Module.choices)
    billing_unit = forms.ChoiceField(label=_("Billed per"), choices=BillingUnit.choices)
    description = forms.CharField(
        label=_("Description"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    is_active = forms.BooleanField(required=False, initial=True, label=_("Offered"))


class TargetForm(forms.Form):
    metric = forms.ChoiceField(label=_("Clock"), choices=Metric.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("All priorities")), *Priority.choices], required=False
    )
    target = DurationField(label=_("Target"), max_length=20, help_text=_("Business time, e.g. 30m, 4h, 3d."))


class BaseTargetFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = (form.cleaned_data.get("service"), form.cleaned_data["metric"], form.cleaned_data.get("priority", ""))
            if key in seen:
                raise ValidationError(_("Each metric and priority may have one target only."))
            seen.add(key)


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True)


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="America/Sao_Paulo")
    country = forms.CharField(
        label=_("Country"),
        max_length=3,
        initial="BR",
        help_text=_("ISO code; public holidays come from the holidays package."),
    )
    subdivision = forms.CharField(
        label=_("State or province"),
        max_length=10,
        required=False,
        help_text=_("State for regional holidays, e.g. DF."),
    )
    is_default = forms.BooleanField(required=False, label=_("Default for new agreements"))


class SpanForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    starts = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            raise ValidationError(_("A working span must end after it starts."))
        return data


class ClosureForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)


SpanFormSet = forms.formset_factory(SpanForm, extra=2, can_delete=True)
ClosureFormSet = forms.formset_factory(ClosureForm, extra=1, can_delete=True)


class AgreementForm(forms.ModelForm):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.agencies().active().order_by("code"))
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.filter(is_active=True).order_by("module", "code"),
        widget=forms.CheckboxSelectMultiple,
    )
    calendar = forms.ModelChoiceField(label=_("Calendar"), queryset=Calendar.objects.order_by("-is_default", "name"))

    class Meta:
        model = Agreement
        fields = ["agency", *AGREEMENT_FIELDS]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("valid_to") and data.get("valid_from") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The last day must not be before the first."))
        first, second = data.get("warn_first_percent"), data.get("warn_second_percent")
        if first and second and first >= second:
            self.add_error("warn_second_percent", _("The second warning comes after the first."))
        return data


class RevisionForm(forms.Form):
    effective_from = forms.DateField(
        label=_("In force from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day of the new version."),
    )
    reference = forms.CharField(label=_("Reference of the new version"), max_length=40)


class OverrideForm(TargetForm):
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.order_by("module", "code"), to_field_name="code"
    )

    field_order = ["service", "metric", "priority", "target"]


OverrideFormSet = forms.formset_factory(OverrideForm, formset=BaseTargetFormSet, extra=1, can_delete=True)
