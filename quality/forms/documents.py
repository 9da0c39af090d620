"""Forms for controlled documents and their versions. They only read input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import FACILITY_ROLES, Role, User
from shared_platform import limits

from ..models import Process
from .processes import DATE_INPUT, FacilityPersonChoiceField, facility_people

TEXT_LIMIT = 200_000


def facility_role_choices() -> list[tuple[str, str]]:
    return [(role.value, str(role.label)) for role in Role if role.value in FACILITY_ROLES]


class DocumentForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30, help_text=_("e.g. QM-PROC-01."))
    title = forms.CharField(label=_("Title"), max_length=limits.NAME)
    process = forms.ModelChoiceField(
        label=_("Process"), queryset=Process.objects.order_by("code"), required=False, empty_label=_("None")
    )
    owner = FacilityPersonChoiceField(label=_("Owner"), queryset=User.objects.none())
    concerns_roles = forms.MultipleChoiceField(
        label=_("Roles it concerns"),
        choices=facility_role_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The people holding these roles read and acknowledge each effective version."),
    )
    review_months = forms.IntegerField(label=_("Review every (months)"), min_value=1, max_value=60, initial=12)
    text = forms.CharField(
        label=_("Text of the first version"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Plain text; a blank line starts a new paragraph."),
    )
    file = forms.FileField(
        label=_("Or its file"), required=False, help_text=_("PDF, DOCX, ODT or XLSX, at most 10 MB.")
    )
    change_summary = forms.CharField(
        label=_("Note on this version"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_people()  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Plain text; a blank line starts a new paragraph."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, DOCX, ODT or XLSX, at most 10 MB. Replaces the one attached."),
    )
    remove_file = forms.BooleanField(label=_("Remove the attached file"), required=False)
    change_summary = forms.CharField(
        label=_("What changed"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApproveForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Effective from"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Today if left empty; a later date waits until that day."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RegisterFilterForm(forms.Form):
    process = forms.ModelChoiceField(
        label=_("Process"), queryset=Process.objects.order_by("code"), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("effective", _("Effective")),
            ("in_review", _("In review")),
            ("draft", _("Draft")),
            ("review_overdue", _("Review overdue")),
            ("withdrawn", _("Withdrawn")),
        ],
    )
