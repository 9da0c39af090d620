"""Billing's forms: the run, the price list, fixed costs, sharing keys, rates, payments, credit notes.

The forms check the shape of the input (a month, a number with its decimals);
the rules themselves (a month in the future, an issued month, an adopted
decision) are the services', whose refusals are shown on the same form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from service_levels.models import Service

from .models import LOCAL_CURRENCIES, InvoiceStatus, SharingMethod


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month picker); cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        kwargs.setdefault("help_text", "A month, e.g. 2026-10.")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


def _money(label: str, places: int = 2, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=places, min_value=Decimal("0"), **kwargs)


class RunForm(forms.Form):
    month = MonthField(label="Month to bill")


class PriceListForm(forms.Form):
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="In force from")
    decision = forms.IntegerField(
        min_value=1, label="Board decision", help_text="Its number in the decision register, e.g. 1."
    )
    notes = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, current: dict[int, Decimal] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = list(Service.objects.filter(is_active=True).order_by("module", "code"))
        for service in self.services:
            self.fields[f"price_{service.code}"] = _money(
                f"{service.code} {service.name} (USD per {service.get_billing_unit_display().lower()})",
                places=4,
                required=False,
                initial=(current or {}).get(service.pk),
                help_text="Up to 4 decimal places; blank: the previous price stays in force.",
            )

    def prices(self) -> dict[Service, Decimal]:
        return {
            service: self.cleaned_data[f"price_{service.code}"]
            for service in self.services
            if self.cleaned_data.get(f"price_{service.code}") is not None
        }


class FixedCostForm(forms.Form):
    month = MonthField()
    description = forms.CharField(max_length=200, help_text="e.g. Facility manager, premises, platform.")
    amount = _money("Amount (USD)")


class SharingKeyForm(forms.Form):
    effective_from = MonthField(label="In force from (month)")
    method = forms.ChoiceField(choices=SharingMethod.choices)
    decision = forms.IntegerField(min_value=1, label="Board decision", help_text="Its number in the register.")


class ExchangeRateForm(forms.Form):
    month = MonthField()
    currency = forms.ChoiceField(choices=[(code, code) for code in sorted(LOCAL_CURRENCIES)])
    rate = forms.DecimalField(
        max_digits=14, decimal_places=6, min_value=Decimal("0.000001"), help_text="Units per US dollar."
    )


class PaymentForm(forms.Form):
    reference = forms.CharField(max_length=100, help_text=gettext_lazy("The agency's transfer reference."))
    paid_on = forms.DateField(
        label=gettext_lazy("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The day the agency paid."),
    )


class CreditNoteForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="Why the invoice is credited.")


class InvoiceFilterForm(forms.Form):
    month = MonthField(required=False)
    agency = forms.CharField(required=False, max_length=15)
    status = forms.ChoiceField(choices=[("", "Any status"), *InvoiceStatus.choices], required=False)
