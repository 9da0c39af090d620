"""Billing's forms: the run, the price list, fixed costs, sharing keys, rates, payments, credit notes, settings.

The forms check the shape of the input (a month, a number with its decimals);
the rules themselves (a month in the future, an issued month, an adopted
decision) are the services', whose refusals are shown on the same form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from service_levels.models import Service

from .models import LOCAL_CURRENCIES, InvoiceStatus, SharingMethod


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month picker); cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        kwargs.setdefault("help_text", _("A month, e.g. 2026-10."))
        kwargs.setdefault("label", _("Month"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


def _money(label: Any, places: int = 2, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=places, min_value=Decimal("0"), **kwargs)


class ConfirmForm(forms.Form):
    """The "I understand" box of an irreversible step: without it, nothing is done."""

    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm: this cannot be undone.")},
    )


class RunForm(forms.Form):
    month = MonthField(label=_("Month to bill"))


class PriceListForm(forms.Form):
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("In force from"))
    decision = forms.IntegerField(
        min_value=1, label=_("Board decision"), help_text=_("Its number in the decision register, e.g. 1.")
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args: Any, current: dict[int, Decimal] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = list(Service.objects.filter(is_active=True).order_by("module", "code"))
        for service in self.services:
            self.fields[f"price_{service.code}"] = _money(
                gettext("%(code)s %(name)s (USD per %(unit)s)")
                % {"code": service.code, "name": service.name, "unit": service.get_billing_unit_display().lower()},
                places=4,
                required=False,
                initial=(current or {}).get(service.pk),
                help_text=_("Up to 4 decimal places; blank: the previous price stays in force."),
            )

    def prices(self) -> dict[Service, Decimal]:
        return {
            service: self.cleaned_data[f"price_{service.code}"]
            for service in self.services
            if self.cleaned_data.get(f"price_{service.code}") is not None
        }


class FixedCostForm(forms.Form):
    month = MonthField()
    description = forms.CharField(
        label=_("Description"), max_length=200, help_text=_("e.g. Facility manager, premises, platform.")
    )
    amount = _money(_("Amount (USD)"))


class SharingKeyForm(forms.Form):
    effective_from = MonthField(label=_("In force from (month)"))
    method = forms.ChoiceField(label=_("Sharing key"), choices=SharingMethod.choices)
    decision = forms.IntegerField(
        min_value=1, label=_("Board decision"), help_text=_("Its number in the decision register, e.g. 1.")
    )


class ExchangeRateForm(forms.Form):
    month = MonthField()
    currency = forms.ChoiceField(label=_("Currency"), choices=[(code, code) for code in sorted(LOCAL_CURRENCIES)])
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=14,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        help_text=_("Units per US dollar."),
    )


class PaymentForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment reference"), max_length=100, help_text=_("The agency's transfer reference.")
    )
    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the agency paid."),
    )


class CreditNoteForm(ConfirmForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("Why the invoice is credited."))
    confirm = forms.BooleanField(
        label=_("I understand that the credit note cancels this invoice for good and cannot be withdrawn."),
        error_messages={"required": _("Tick the box to confirm: a credit note cannot be undone.")},
    )

    field_order = ["reason", "confirm"]


class InvoiceFilterForm(forms.Form):
    month = MonthField(required=False)
    agency = forms.CharField(label=_("Agency"), required=False, max_length=15)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *InvoiceStatus.choices], required=False
    )


class CreditNoteFilterForm(forms.Form):
    agency = forms.CharField(label=_("Agency"), required=False, max_length=15)


class BillingSettingsForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    postal_address = forms.CharField(
        label=_("Postal address"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line per line."),
    )
    email = forms.EmailField(label=_("Billing e-mail"), required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=200)
    bank_address = forms.CharField(label=_("Bank address"), max_length=300, required=False)
    account_name = forms.CharField(label=_("Account name"), max_length=200)
    account_number = forms.CharField(label=_("Account number"), max_length=50)
    swift_code = forms.CharField(label=_("SWIFT/BIC"), max_length=11, required=False)
    routing_number = forms.CharField(label=_("ABA routing number"), max_length=20, required=False)
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"),
        min_value=1,
        max_value=180,
        help_text=_("An invoice is due this many days after it is issued."),
    )


class AgencyBillingProfileForm(forms.Form):
    billing_address = forms.CharField(
        label=_("Billing address"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line per line."),
    )
    reference = forms.CharField(
        label=pgettext_lazy("billing", "Reference"),
        max_length=100,
        required=False,
        help_text=_("The agency's purchase order or budget reference, printed on its invoices."),
    )
    contact = forms.CharField(
        label=_("Finance contact"), max_length=200, required=False, help_text=_("A person or an e-mail address.")
    )
