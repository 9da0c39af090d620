"""Forms of the evidence-pack pages: asking for a pack (months, and on the portal the agency) and verifying one.

The forms check the shape (months as YYYY-MM, a file); the rules (past or
current months, at most 24, a real pack) are the services', shown on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.forms import MonthField
from tenants.models import Agency


class PackRequestForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.agencies().order_by("code"),
        label=_("Agency"),
        to_field_name="code",
        empty_label=_("Choose an agency"),
    )
    month_from = MonthField(label=_("First month"))
    month_to = MonthField(label=_("Last month"))

    def __init__(self, *args: Any, for_facility: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not for_facility:
            del self.fields["agency"]  # an agency's address asks for its own pack


class PackVerifyForm(forms.Form):
    archive = forms.FileField(
        label=_("Evidence pack (ZIP)"),
        help_text=_("The archive as the platform gave it, or as your auditors received it."),
        max_length=255,
    )


class PackFilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.agencies().order_by("code"),
        label=_("Agency"),
        required=False,
        empty_label=_("All agencies"),
        to_field_name="code",
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"agency": data.get("agency")}
