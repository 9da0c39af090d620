"""Forms for improvement suggestions. They only read input; quality.services.suggestions decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from shared_platform import limits

from ..models import Process, SuggestionStatus
from ..services.suggestions import STAFF_ROLES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ONE_TO_FIVE = [(value, str(value)) for value in range(1, 6)]


def facility_staff() -> QuerySet[User]:
    """Who may own an implementation: the facility's active staff (every facility role but the auditor)."""
    members = Membership.objects.filter(agency__isnull=True, role__in=sorted(STAFF_ROLES)).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("first_name", "last_name", "email")


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.email


class SuggestionForm(forms.Form):
    process = forms.ModelChoiceField(
        label=_("Process"),
        queryset=Process.objects.filter(active=True).order_by("code"),
        to_field_name="code",
        help_text=_("The facility process your suggestion would improve."),
    )
    title = forms.CharField(label=_("Title"), max_length=limits.NAME)
    description = forms.CharField(
        label=_("What would be better, and how"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Describe what happens today, what would be better and how it could be done."),
    )


class ScoreForm(forms.Form):
    impact = forms.TypedChoiceField(
        label=_("Impact"),
        choices=ONE_TO_FIVE,
        coerce=int,
        help_text=_("1: a small improvement for a few people; 5: a large one for every agency."),
    )
    effort = forms.TypedChoiceField(
        label=_("Effort"),
        choices=ONE_TO_FIVE,
        coerce=int,
        help_text=_("1: a few hours' work; 5: a project of several months."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject")), ("defer", _("Defer"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The suggester reads it."),
    )
    owner = PersonChoiceField(
        label=_("Implementation owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("When accepted: the member of the facility's staff who implements it."),
    )
    due_on = forms.DateField(label=_("To be implemented by"), widget=DATE, required=False)
    steps = forms.CharField(
        label=_("Implementation steps"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=limits.SHORT_TEXT,
        help_text=_("One step per line (optional)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_staff()  # type: ignore[attr-defined]


class StepForm(forms.Form):
    description = forms.CharField(label=_("New step"), max_length=limits.NAME)


class ImplementForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The suggester reads it."),
    )


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *SuggestionStatus.choices], required=False
    )
    process = forms.ModelChoiceField(
        label=_("Process"),
        queryset=Process.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Any process"),
    )
