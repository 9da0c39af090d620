"""Forms for the board's pages. They only read input; services decide and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shared_platform import limits
from tenants.models import Agency

from .models import DecisionRule, Meeting
from .rules import CHOICES_BY_RULE

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _with_time_zone(text: str) -> str:
    return gettext("%(help)s Time in %(zone)s.") % {"help": text, "zone": timezone.get_current_timezone_name()}


def _time_zone_help(text: Any) -> Any:
    """A help text followed by the time zone the time is read in, translated when shown."""
    return lazy(lambda: _with_time_zone(str(text)), str)()


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME_INPUT, help_text=_time_zone_help(_("Date and time of the meeting."))
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line."),
    )


class MotionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text of the motion"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 8})
    )
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.order_by("-starts_at"),
        required=False,
        empty_label=_("None: decided in writing"),
    )
    rule = forms.ChoiceField(label=_("Decision rule"), choices=DecisionRule.choices)
    closes_at = forms.DateTimeField(
        label=_("Voting closes at"),
        widget=DATETIME_INPUT,
        help_text=_time_zone_help(_("Ballots are accepted until then; the motion closes by itself.")),
    )
    concerns_agency = forms.ModelChoiceField(
        label=_("Concerns the agency"),
        queryset=Agency.objects.agencies().active().order_by("code"),
        required=False,
        empty_label=_("No particular agency"),
        to_field_name="code",
    )
    concerned_agency_recused = forms.BooleanField(
        label=_("Recuse that agency"),
        required=False,
        help_text=_("It does not vote and does not count towards quorum."),
    )
    results_hidden = forms.BooleanField(
        label=_("Hide results until the motion closes"),
        required=False,
        help_text=_("Nobody sees the tally or other agencies' ballots before it closes."),
    )
    is_secret = forms.BooleanField(
        label=_("Secret ballot"),
        required=False,
        help_text=_("How each agency voted is never published; only the totals."),
    )


class MotionDocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, office document, CSV or text; at most 10 MB."))


class ConfirmForm(forms.Form):
    """The "I understand" box of an irreversible step: without it, nothing is done."""

    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm: this cannot be undone.")},
    )


class WithdrawForm(ConfirmForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the motion's history."),
    )

    field_order = ["reason", "confirm"]


class BallotForm(forms.Form):
    """The ballot of one of the agencies the person votes for, with the choices the motion's rule allows."""

    agency = forms.ChoiceField(
        label=_("Vote for"),
        error_messages={
            "invalid_choice": _("You do not vote for %(value)s: only its representative or alternates do.")
        },
    )
    choice = forms.ChoiceField(label=_("Ballot"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, rule: str, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field = cast(forms.ChoiceField, self.fields["choice"])
        choice_field.choices = [(value, label) for value, label in CHOICES_BY_RULE.get(rule, [])]
        agency_field = cast(forms.ChoiceField, self.fields["agency"])
        agency_field.choices = [(agency.code, f"{agency.code} · {agency.name}") for agency in agencies]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].code
            self.fields["agency"].widget = forms.HiddenInput()
