"""The forms of long-term agreements: making one (from an award, or recorded from a contract with its price
schedule as rows), asking to join, deciding a request, and calling off.

The price schedule's rows work without JavaScript (shared_platform.forms.row_formset):
"add items" sends the form back with more empty rows. The services check
everything again; the forms say it first, beside each field.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared_platform import limits
from shared_platform.forms import BaseRowFormSet, MultipleFileField, row_formset
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor, VendorStatus

from ..models import AgreementItem
from ..services.agreements import MAX_DOCUMENTS, MAX_ITEMS

# Money and quantities as the services take them: two decimals, below a trillion.
MONEY_DIGITS = 14


def _money(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
    )


def _agencies() -> Any:
    return Agency.objects.agencies().active().order_by("code")


class FacilityFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("in_force", _("In force")),
            ("expired", _("Expired")),
            ("near_ceiling", _("Near the ceiling (80 % or more)")),
        ],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {"status": "", "q": ""}
        return {"status": self.cleaned_data["status"], "q": self.cleaned_data["q"].strip()}


class AgreementTermsForm(forms.Form):
    """What every agreement states: title, validity, ceiling, founding agencies and their own ceilings."""

    title = forms.CharField(label=_("Title"), max_length=limits.NAME)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    ceiling_usd = _money(_("Ceiling (USD)"), help_text=_("The most that may be called off in all, every agency."))
    participants = forms.ModelMultipleChoiceField(
        label=_("Founding agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They may call off from the start; the owner always may. Others ask to piggyback."),
    )
    terms = forms.CharField(
        label=_("Terms"), required=False, max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    documents = MultipleFileField(
        label=_("Documents"), help_text=_("The signed contract, its annexes; up to 10 files.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = _agencies()  # type: ignore[attr-defined]
        for agency in _agencies():
            self.fields[f"ceiling_{agency.code}"] = _money(
                _("%(agency)s's own ceiling (USD)") % {"agency": agency.code},
                required=False,
                help_text=_("Optional; within the overall ceiling."),
            )

    def ceiling_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("ceiling_") and name != "ceiling_usd"]

    def agency_ceilings(self) -> dict[Agency, Decimal]:
        found = {}
        for agency in _agencies():
            value = self.cleaned_data.get(f"ceiling_{agency.code}")
            if value is not None:
                found[agency] = value
        return found

    def clean_documents(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["documents"]
        if len(files) > MAX_DOCUMENTS:
            raise forms.ValidationError(
                _("At most %(count)d files at once.") % {"count": MAX_DOCUMENTS}, code="too_many_files"
            )
        return files

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("valid_until", _("The agreement cannot end before it starts."))
        return data


class FromAwardForm(AgreementTermsForm):
    requisition_reference = forms.CharField(
        label=_("Awarded purchase"),
        max_length=40,
        help_text=_("The requisition's reference, e.g. UNDP-PR-000123. Its awarded vendor and prices are used."),
        widget=forms.TextInput(attrs={"list": "awarded-cases", "autocomplete": "off"}),
    )
    field_order = ["requisition_reference"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_until"].initial = today + timedelta(days=3 * 365)


class ContractForm(AgreementTermsForm):
    owner = forms.ModelChoiceField(
        label=_("Owner agency"), queryset=Agency.objects.none(), empty_label=_("Choose the agency")
    )
    vendor = forms.ModelChoiceField(
        label=_("Vendor"),
        queryset=Vendor.objects.none(),
        empty_label=_("Choose a vendor"),
        help_text=_("Active vendors of the roster only."),
    )
    contract_reference = forms.CharField(label=_("Contract reference"), max_length=limits.REFERENCE)
    field_order = ["owner", "vendor", "contract_reference"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _agencies()  # type: ignore[attr-defined]
        self.fields["vendor"].queryset = Vendor.objects.filter(status=VendorStatus.ACTIVE).order_by("legal_name")  # type: ignore[attr-defined]


class ItemForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=limits.NAME)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=SupplyCategory.objects.none(), empty_label=_("Choose a category")
    )
    unit = forms.CharField(label=_("Unit"), max_length=30, help_text=_("each, day, month…"))
    unit_price_usd = _money(_("Unit price (USD)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = SupplyCategory.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]


class ItemFormSet(BaseRowFormSet):
    row_name = _("Item")
    at_least_one = _("A price schedule needs at least one item.")


def item_formset(data: Any = None, *, more: bool = False) -> BaseRowFormSet:
    return row_formset(ItemFormSet, ItemForm, prefix="items", data=data, more=more, maximum=MAX_ITEMS)


class PiggybackRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why your agency wants to join"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The owner agency's approvers read it before deciding."),
    )
    expected_spend_usd = _money(
        _("Expected spend (USD)"), required=False, help_text=_("Optional: what your agency expects to call off.")
    )


class PiggybackDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept: the agency may call off")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    agency_ceiling_usd = _money(
        _("The agency's own ceiling (USD)"),
        required=False,
        help_text=_("Optional, when accepting: the most this agency may call off."),
    )
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to refuse; the asking agency reads it."),
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the request is refused."))
        return data


class CallOffForm(forms.Form):
    """A quantity per item of the schedule (zero or empty: not wanted), and the requisition's delivery."""

    delivery_place = forms.CharField(label=_("Delivery place"), max_length=limits.NAME)
    delivery_date = forms.DateField(label=_("Delivery wanted by"), widget=forms.DateInput(attrs={"type": "date"}))
    charge_code = forms.CharField(
        label=_("Charge code"), max_length=60, help_text=_("The budget line the call-off is charged to.")
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why it is needed, and for which programme or project."),
    )

    def __init__(self, *args: Any, items: list[AgreementItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"quantity_{item.position}"] = forms.DecimalField(
                label=_("Quantity of item %(item)d") % {"item": item.position},
                required=False,
                max_digits=12,
                decimal_places=2,
                min_value=Decimal("0"),
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            )

    def quantity_fields(self) -> list[tuple[AgreementItem, forms.BoundField]]:
        return [(item, self[f"quantity_{item.position}"]) for item in self.items]

    def quantities(self) -> dict[int, Decimal]:
        return {
            item.position: self.cleaned_data[f"quantity_{item.position}"]
            for item in self.items
            if self.cleaned_data.get(f"quantity_{item.position}")
        }

    def clean_delivery_date(self) -> date:
        wanted: date = self.cleaned_data["delivery_date"]
        if wanted < timezone.localdate():
            raise forms.ValidationError(_("The delivery date cannot be in the past."), code="past")
        return wanted

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        fields = [f"quantity_{item.position}" for item in self.items]
        if not any(name in data and data[name] for name in fields) and not any(self.has_error(name) for name in fields):
            raise forms.ValidationError(_("Give a quantity for at least one item."), code="no_quantity")
        return data
