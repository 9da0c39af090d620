"""The forms of agreement change requests: proposing one (services as checkboxes, target rows, credit terms),
assessing, rejecting and withdrawing, and the facility's filters.

The services check everything again; the forms say it first, beside each field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from service_levels.models import Agreement, Metric, Priority, Service
from service_levels.services import MAX_TARGET_MINUTES
from shared_platform import limits
from tenants.models import Agency

from ..models import ChangeStatus

# The rows of proposed targets a form offers (the API takes up to MAX_TARGET_CHANGES).
TARGET_ROWS = 3
CREDIT_CHOICES = [("", _("Unchanged")), ("yes", _("Grants service credits")), ("no", _("No service credits"))]


def _percent(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text=_("Blank: unchanged."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
    )


class ChangeRequestForm(forms.Form):
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=Agreement.objects.none(), empty_label=None)
    summary = forms.CharField(label=_("What changes, in one line"), max_length=limits.NAME)
    reason = forms.CharField(label=_("Why"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    effective_from = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A day after today; usually the first day of a month."),
    )
    services_added = forms.ModelMultipleChoiceField(
        label=_("Services to add"),
        queryset=Service.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    services_dropped = forms.ModelMultipleChoiceField(
        label=_("Services to drop"),
        queryset=Service.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    grants_service_credits = forms.ChoiceField(label=_("Service credits"), choices=CREDIT_CHOICES, required=False)
    credit_percent = _percent(_("Credit per breach (%)"))
    credit_cap_percent = _percent(_("Monthly credit cap (%)"))

    def __init__(self, *args: Any, agreements: QuerySet[Agreement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agreement"]).queryset = agreements
        added = cast(forms.ModelMultipleChoiceField, self.fields["services_added"])
        added.queryset = Service.objects.filter(is_active=True).order_by("module", "code")
        taken = {link.service_id for agreement in agreements for link in agreement.services.all()}
        dropped = cast(forms.ModelMultipleChoiceField, self.fields["services_dropped"])
        dropped.queryset = Service.objects.filter(pk__in=taken).order_by("module", "code")
        service_choices = [("", "–"), *((s.code, f"{s.code} {s.name}") for s in Service.objects.order_by("code"))]
        for row in range(1, TARGET_ROWS + 1):
            self.fields[f"target_{row}_service"] = forms.ChoiceField(
                label=_("Target %(row)d: service") % {"row": row}, choices=service_choices, required=False
            )
            self.fields[f"target_{row}_metric"] = forms.ChoiceField(
                label=_("clock"), choices=[("", "–"), *Metric.choices], required=False
            )
            self.fields[f"target_{row}_priority"] = forms.ChoiceField(
                label=_("priority"), choices=[("", _("Every priority")), *Priority.choices], required=False
            )
            self.fields[f"target_{row}_minutes"] = forms.IntegerField(
                label=_("business minutes"), required=False, min_value=1, max_value=MAX_TARGET_MINUTES
            )

    def target_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"target_{row}_{name}"] for name in ("service", "metric", "priority", "minutes")]
            for row in range(1, TARGET_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(1, TARGET_ROWS + 1):
            values = [data.get(f"target_{row}_{name}") for name in ("service", "metric", "minutes")]
            if any(values) and not all(values):
                self.add_error(f"target_{row}_minutes", _("Give the service, the clock and the minutes."))
        return data

    def target_changes(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        rows = []
        for row in range(1, TARGET_ROWS + 1):
            if data.get(f"target_{row}_service"):
                rows.append(
                    {
                        "service": data[f"target_{row}_service"],
                        "metric": data.get(f"target_{row}_metric") or "",
                        "priority": data.get(f"target_{row}_priority") or "",
                        "target_minutes": data.get(f"target_{row}_minutes"),
                    }
                )
        return rows

    def grants(self) -> bool | None:
        value = self.cleaned_data.get("grants_service_credits")
        return None if not value else value == "yes"


class AssessForm(forms.Form):
    price_effect = forms.CharField(
        label=_("Effect on the price"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    target_effect = forms.CharField(
        label=_("Effect on the targets"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is rejected"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FacilityFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *ChangeStatus.choices])
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.agencies().order_by("code"),
        label=_("Agency"),
        required=False,
        empty_label=_("All agencies"),
        to_field_name="code",
    )

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {"status": "", "agency": ""}
        agency = self.cleaned_data["agency"]
        return {"status": self.cleaned_data["status"], "agency": agency.code if agency else ""}
