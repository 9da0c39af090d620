"""Filters of the facility's spend reports: GET forms, so a report's address says what it shows.

A filter that does not read (an unknown agency code) is ignored on the pages
and refused with 400 by the API, which reads its query with the same form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import Agency

# The fewest agencies that make a joint-procurement opportunity; a report may ask for more.
AGENCY_COUNT_CHOICES = [("2", _("Two or more agencies")), ("3", _("Three or more")), ("4", _("Four or more"))]


class SplitReportFilterForm(forms.Form):
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


class JointReportFilterForm(forms.Form):
    agencies = forms.ChoiceField(label=_("Bought by"), choices=AGENCY_COUNT_CHOICES, required=False)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"min_agencies": int(data.get("agencies") or 2)}
