"""The roster's forms: they check the shape of the input; the rules are the services', shown on the same form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared_platform import limits

from .models import SupplyCategory, Vendor, VendorStatus
from .roster_csv import MAX_BYTES


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *VendorStatus.choices]
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    country = forms.CharField(label=_("Country"), required=False, max_length=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = SupplyCategory.objects.order_by("name").values_list("code", "name")
        self.fields["category"].choices = [("", _("Any category")), *categories]  # type: ignore[attr-defined]


class VendorForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=limits.NAME)
    country = forms.CharField(
        label=_("Country"), max_length=2, help_text=_("The two-letter ISO 3166 code, e.g. BR, US, FR.")
    )
    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=60,
        help_text=_("As the country registers it, e.g. a CNPJ in Brazil. Punctuation does not matter."),
    )
    email = forms.EmailField(label=_("E-mail for solicitations"), help_text=_("Invitations to bid are sent here."))
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, help_text=_("The language of what the vendor receives.")
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=limits.NAME, required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    address = forms.CharField(
        label=_("Postal address"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories supplied"),
        queryset=SupplyCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, vendor: Vendor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        in_use = Q(is_active=True)
        if vendor is not None:  # a category out of use stays on the vendors that have it
            in_use |= Q(pk__in=vendor.categories.values("pk"))
        categories = SupplyCategory.objects.filter(in_use)
        self.fields["categories"].queryset = categories.order_by("name")  # type: ignore[attr-defined]

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=VendorStatus.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The decision or the facts behind it (e.g. the investigation, the UN Ineligibility List entry)."),
    )
    effective_on = forms.DateField(
        label=_("Effective on"), widget=_date_input(), help_text=_("Today or a past day, not the future.")
    )
    confirm = forms.BooleanField(
        label=_("I have checked the vendor and the reason."),
        error_messages={"required": _("Tick the box to confirm the change.")},
    )

    def __init__(self, *args: Any, vendor: Vendor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .services import TRANSITIONS

        allowed = TRANSITIONS[vendor.status]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in VendorStatus.choices if value in allowed
        ]
        self.fields["effective_on"].initial = timezone.localdate()


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=limits.NAME)
    role = forms.CharField(label=_("Role"), max_length=120, required=False, help_text=_("e.g. Sales, Accounts."))
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)


class CategoryForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=20, help_text=_("2 to 20 capitals, digits or hyphens, e.g. IT-EQUIP.")
    )
    name = forms.CharField(label=_("Name"), max_length=120)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, with a header row; up to %(megabytes)d MB.") % {"megabytes": MAX_BYTES // (1024 * 1024)},
    )
    dry_run = forms.BooleanField(
        label=_("Check only: show the report and change nothing"), required=False, initial=False
    )


class ThresholdsForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"))
    effective_from = forms.DateField(
        label=_("In force from"), widget=_date_input(), help_text=_("Today or later: past days never change.")
    )
    micro_purchase_max = forms.DecimalField(
        label=_("Micro-purchase up to (USD)"), max_digits=14, decimal_places=2, min_value=0
    )
    rfq_max = forms.DecimalField(
        label=_("Request for quotation up to (USD)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_("Above it: invitation to bid or request for proposal."),
    )
    committee_above = forms.DecimalField(
        label=_("Contracts committee above (USD)"), max_digits=14, decimal_places=2, min_value=0
    )

    def __init__(self, *args: Any, agencies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(agency.code, f"{agency.code} · {agency.name}") for agency in agencies]  # type: ignore[attr-defined]
        self.fields["effective_from"].initial = timezone.localdate()
