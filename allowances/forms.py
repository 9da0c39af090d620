"""The DSA pages' forms: they check the shape of the input; the rules are the services', shown on the same form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AllowanceSettings
from .rates_csv import MAX_BYTES


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RateFilterForm(forms.Form):
    on = forms.DateField(label=_("In force on"), required=False, widget=_date_input())
    q = forms.CharField(label=_("Country or location"), required=False, max_length=100)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, with a header row; up to %(megabytes)d MB.") % {"megabytes": MAX_BYTES // (1024 * 1024)},
    )


class AllowanceSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AllowanceSettings
        fields = ["breakfast_percent", "lunch_percent", "dinner_percent", "terminal_amount", "long_stay_nights"]
        help_texts = {
            "breakfast_percent": _("Taken off a night's rate when breakfast is provided."),
            "lunch_percent": _("Taken off a night's rate when lunch is provided."),
            "dinner_percent": _("Taken off a night's rate when dinner is provided."),
            "terminal_amount": _("Paid once per journey leg, for the trips to and from the terminals."),
            "long_stay_nights": _(
                "After this many consecutive nights at one location, the table's reduced rate applies."
            ),
        }
