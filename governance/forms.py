"""Forms for the board's pages. They only read input; services decide and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from shared_platform import limits
from tenants.models import Agency

from .models import DecisionRule, Meeting
from .rules import CHOICES_BY_RULE

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _time_zone_help(text: str) -> str:
    return f"{text} Time in {timezone.get_current_timezone_name()}."


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(
        label="Starts at", widget=DATETIME_INPUT, help_text=_time_zone_help("Date and time of the meeting.")
    )
    location = forms.CharField(max_length=200, required=False)
    agenda = forms.CharField(
        max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 6}), help_text="One item per line."
    )


class MotionForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        label="Text of the motion", max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 8})
    )
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.order_by("-starts_at"),
        required=False,
        empty_label="None: decided in writing",
    )
    rule = forms.ChoiceField(label="Decision rule", choices=DecisionRule.choices)
    closes_at = forms.DateTimeField(
        label="Voting closes at",
        widget=DATETIME_INPUT,
        help_text=_time_zone_help("Ballots are accepted until then; the motion closes by itself."),
    )
    concerns_agency = forms.ModelChoiceField(
        label="Concerns the agency",
        queryset=Agency.objects.agencies().active().order_by("code"),
        required=False,
        empty_label="No particular agency",
        to_field_name="code",
    )
    concerned_agency_recused = forms.BooleanField(
        label="Recuse that agency", required=False, help_text="It does not vote and does not count towards quorum."
    )
    results_hidden = forms.BooleanField(
        label="Hide results until the motion closes",
        required=False,
        help_text="Nobody sees the tally or other agencies' ballots before it closes.",
    )
    is_secret = forms.BooleanField(
        label="Secret ballot", required=False, help_text="How each agency voted is never published; only the totals."
    )


class MotionDocumentForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(help_text="PDF, office document, CSV or text; at most 10 MB.")


class BallotForm(forms.Form):
    """The ballot of one of the agencies the person votes for, with the choices the motion's rule allows."""

    agency = forms.ChoiceField(
        label="Vote for",
        error_messages={"invalid_choice": "You do not vote for %(value)s: only its representative or alternates do."},
    )
    choice = forms.ChoiceField(label="Ballot", widget=forms.RadioSelect)

    def __init__(self, *args: Any, rule: str, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field = cast(forms.ChoiceField, self.fields["choice"])
        choice_field.choices = [(value, label) for value, label in CHOICES_BY_RULE.get(rule, [])]
        agency_field = cast(forms.ChoiceField, self.fields["agency"])
        agency_field.choices = [(agency.code, f"{agency.code} · {agency.name}") for agency in agencies]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].code
            self.fields["agency"].widget = forms.HiddenInput()
