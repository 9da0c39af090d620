"""Forms of the service-report pages: the facility's filters and its "Write now" for an agency and a month.

The forms check the shape of the input; the rules (a month that is over, an
agency rather than the facility) are the service's, shown on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.forms import MonthField
from tenants.models import Agency


def _agencies() -> Any:
    return Agency.objects.agencies().order_by("code")


class ReportFilterForm(forms.Form):
    """GET filters of the facility's list: a filter that does not read is ignored on the page (400 in the API)."""

    agency = forms.ModelChoiceField(
        queryset=_agencies(), label=_("Agency"), required=False, empty_label=_("All agencies"), to_field_name="code"
    )
    month = MonthField(required=False)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"agency": data.get("agency"), "month": data.get("month")}


class ReportWriteForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=_agencies(), label=_("Agency"), to_field_name="code", empty_label=_("Choose an agency")
    )
    month = MonthField(label=_("Month to report"))
