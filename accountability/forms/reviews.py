"""Forms of the management review pages. They only read input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.forms.nonconformities import DATE_INPUT, PersonChoiceField, facility_staff
from shared_platform import limits

from ..models import OutputKind, ReviewStatus


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ReviewStatus.choices], required=False
    )


class ReviewPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=limits.NAME)
    period_from = forms.DateField(label=_("Period from"), widget=DATE_INPUT)
    period_to = forms.DateField(label=_("Period to"), widget=DATE_INPUT)
    meeting_on = forms.DateField(label=_("Meeting on"), widget=DATE_INPUT)
    chair = PersonChoiceField(label=_("Chair"), queryset=facility_staff())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = facility_staff()  # type: ignore[attr-defined]


class ReviewHoldForm(forms.Form):
    attendees = forms.CharField(
        label=_("Attendees"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(label=_("Minutes"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 8}))


class OutputForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutputKind.choices)
    text = forms.CharField(label=_("Text"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    owner = PersonChoiceField(
        label=_("Owner"), queryset=facility_staff(), required=False, help_text=_("Required for an action.")
    )
    due_on = forms.DateField(
        label=_("Due on"), widget=DATE_INPUT, required=False, help_text=_("Required for an action.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_staff()  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
