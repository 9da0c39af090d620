"""Forms after the order: a receipt, the vendor's rating, the vendor's invoice, a release, the tolerance,
and the lists' filters.

A receipt and an invoice have one row per order line, built from the order (no JavaScript): a line left
empty receives or bills nothing. The forms check the shape of each figure beside its field; the services
(`procurement.receiving`, `sourcing.services.ratings`) check the rules and their refusals are shown on
the same fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Currency
from shared_platform import limits
from shared_platform.forms import MultipleFileField, OnePageForm
from tenants.models import Agency

from ..models import InvoiceStatus
from ..receiving import MAX_RECEIPT_FILES, VENDOR_INVOICE_NUMBER_LENGTH
from ..receiving_selectors import ORDER_NUMBER_LENGTH, LineFigures


def _day_field(label: Any, **options: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **options)


def _quantity_field(label: str, **options: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
        **options,
    )


class ReceiptForm(OnePageForm):
    """What arrived: a quantity per order line (empty: nothing this time), the day, a note, the delivery note."""

    id_prefix = "receipt"

    received_on = _day_field(_("Received on"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was missing or damaged, who signed for it…"),
    )
    attachments = MultipleFileField(label=_("Delivery note and other files"))

    def __init__(self, *args: Any, lines: Sequence[LineFigures], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["attachments"].help_text = _("At most %(count)d files: PDF, pictures, office documents.") % {
            "count": MAX_RECEIPT_FILES
        }
        self.line_names: list[tuple[LineFigures, str]] = []
        for line in lines:
            name = f"line_{line.position}"
            self.fields[name] = _quantity_field(
                str(_("Line %(line)d: quantity received now") % {"line": line.position})
            )
            self.line_names.append((line, name))

    def visible_fields(self) -> list[Any]:
        """The lines are shown in the table of the order's lines; the rest below it."""
        return [field for field in super().visible_fields() if not field.name.startswith("line_")]

    def line_rows(self) -> list[tuple[LineFigures, Any]]:
        return [(line, self[name]) for line, name in self.line_names]

    def quantities(self) -> dict[int, Decimal]:
        return {
            line.position: self.cleaned_data[name]
            for line, name in self.line_names
            if self.cleaned_data.get(name) is not None
        }


SCORES = [(score, str(score)) for score in range(1, 6)]


class RatingForm(OnePageForm):
    id_prefix = "rating"

    on_time = forms.TypedChoiceField(
        label=_("Delivered on time?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    quality = forms.TypedChoiceField(
        label=_("Quality"), choices=SCORES, coerce=int, help_text=_("1 poor … 5 excellent.")
    )
    compliance = forms.TypedChoiceField(
        label=_("Compliance with the order"),
        choices=SCORES,
        coerce=int,
        help_text=_("What was ordered, in the quantities and with the documents asked for."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class InvoiceForm(OnePageForm):
    """The vendor's invoice: its number, date and currency, then the quantity and unit price per line billed."""

    id_prefix = "invoice"

    vendor_invoice_number = forms.CharField(label=_("Vendor's invoice number"), max_length=VENDOR_INVOICE_NUMBER_LENGTH)
    invoice_date = _day_field(_("Invoice date"))
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)

    def __init__(self, *args: Any, lines: Sequence[LineFigures], currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = currency
        self.line_names: list[tuple[LineFigures, str, str]] = []
        for line in lines:
            quantity, price = f"quantity_{line.position}", f"unit_price_{line.position}"
            self.fields[quantity] = _quantity_field(
                str(_("Line %(line)d: quantity invoiced") % {"line": line.position})
            )
            self.fields[price] = forms.DecimalField(
                label=str(_("Line %(line)d: unit price invoiced") % {"line": line.position}),
                required=False,
                max_digits=16,
                decimal_places=4,
                min_value=Decimal("0"),
                widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
            )
            self.line_names.append((line, quantity, price))

    def visible_fields(self) -> list[Any]:
        return [field for field in super().visible_fields() if not field.name.startswith(("quantity_", "unit_price_"))]

    def line_rows(self) -> list[tuple[LineFigures, Any, Any]]:
        return [(line, self[quantity], self[price]) for line, quantity, price in self.line_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for line, quantity, price in self.line_names:
            if data.get(quantity) and data.get(price) is None and price not in self.errors:
                self.add_error(price, _("Line %(line)d: give the unit price invoiced.") % {"line": line.position})
            if data.get(price) is not None and not data.get(quantity) and quantity not in self.errors:
                self.add_error(quantity, _("Line %(line)d: give the quantity invoiced.") % {"line": line.position})
        return data

    def lines(self) -> dict[int, tuple[Decimal, Decimal]]:
        return {
            line.position: (self.cleaned_data[quantity], self.cleaned_data[price])
            for line, quantity, price in self.line_names
            if self.cleaned_data.get(quantity) and self.cleaned_data.get(price) is not None
        }


class OverrideForm(OnePageForm):
    id_prefix = "override"

    justification = forms.CharField(
        label=_("Justification"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the invoice is paid despite the mismatch: kept with your name and shown with the invoice."),
    )


class MatchSettingsForm(forms.Form):
    tolerance_percent = forms.DecimalField(
        label=_("Unit price tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}),
        help_text=_(
            "How far an invoiced unit price may be from the order's and still match, in percent of the "
            "order's price. 0 asks for the exact price."
        ),
    )


# -- filters ----------------------------------------------------------------------------------------


class OrderFilterForm(forms.Form):
    WAITING, RECEIVED = "waiting", "received"
    state = forms.ChoiceField(
        label=_("Receipt"),
        required=False,
        choices=[("", _("Any")), (WAITING, _("Waiting for receipt")), (RECEIVED, _("Fully received"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"state": data.get("state") or "", "search": (data.get("q") or "").strip()}


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *InvoiceStatus.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    released_from = _day_field(_("Payable from"), required=False)
    released_to = _day_field(_("Payable until"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("released_from"), data.get("released_to")
        if start and end and start > end:
            self.add_error("released_to", _("The end of the period is before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "",
            "search": (data.get("q") or "").strip(),
            "released_from": data.get("released_from"),
            "released_to": data.get("released_to"),
        }


class PayablesForm(forms.Form):
    """The period of the payables export (release dates, both included); empty: every payable invoice."""

    released_from = _day_field(_("Payable from"), required=False)
    released_to = _day_field(_("Payable until"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("released_from"), data.get("released_to")
        if start and end and start > end:
            self.add_error("released_to", _("The end of the period is before its start."))
        return data

    def period(self) -> tuple[date | None, date | None]:
        return self.cleaned_data.get("released_from"), self.cleaned_data.get("released_to")


def _agency_choices() -> list[tuple[str, str]]:
    return [(agency.code, agency.code) for agency in Agency.objects.agencies().active().order_by("code")]


class FacilityInvoiceFilterForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *InvoiceStatus.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Every agency")), *_agency_choices()]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"agency_code": data.get("agency") or "", "status": data.get("status") or ""}


class FacilityOrderForm(forms.Form):
    """Which agency's order the vendor's invoice is for: the agency and the order number on the invoice."""

    agency = forms.ChoiceField(label=_("Agency"))
    order = forms.CharField(
        label=_("Purchase order number"),
        max_length=ORDER_NUMBER_LENGTH,
        help_text=_("As printed on the order and quoted on the invoice, e.g. UNDP-PO-2026-000123."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Choose the agency")), *_agency_choices()]  # type: ignore[attr-defined]
