"""Forms of the nonconformity pages. They only read input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role, User
from service_levels.models import Service
from shared_platform import limits
from tenants.models import Agency

from ..models import CriterionKind, NonconformitySource, NonconformityStatus, Process, Severity

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def facility_staff() -> QuerySet[User]:
    """The people who can own a nonconformity or an action: active facility staff, not the read-only auditor."""
    acting = [role for role, _label in Role.choices if role != Role.AUDITOR]
    return (
        User.objects.filter(is_active=True, memberships__agency__isnull=True, memberships__role__in=acting)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.get_full_name() or obj.email


def _agencies() -> QuerySet[Agency]:
    return Agency.objects.agencies().order_by("code")


class ListFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("Any status")),
        ("not_closed", _("Not closed")),
        *NonconformityStatus.choices,
    ]
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("Any source")), *NonconformitySource.choices], required=False
    )
    agency = forms.ChoiceField(label=_("Agency"), choices=[], required=False)
    process = forms.ChoiceField(label=_("Process"), choices=[], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Any agency")), *((a.code, a.code) for a in _agencies())]  # type: ignore[attr-defined]
        self.fields["process"].choices = [  # type: ignore[attr-defined]
            ("", _("Any process")),
            *((p.code, f"{p.code} {p.name}") for p in Process.objects.order_by("code")),
        ]


class NonconformityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=limits.NAME)
    description = forms.CharField(
        label=_("What happened"), max_length=limits.LONG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            (NonconformitySource.MANUAL, NonconformitySource.MANUAL.label),
            (NonconformitySource.COMPLAINT, NonconformitySource.COMPLAINT.label),
        ],
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MINOR)
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.none(), required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none(), required=False)
    owner = PersonChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Empty: the owner of the process."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = Process.objects.filter(active=True).order_by("code")  # type: ignore[attr-defined]
        self.fields["agency"].queryset = _agencies()  # type: ignore[attr-defined]
        self.fields["service"].queryset = Service.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = facility_staff()  # type: ignore[attr-defined]


class ComplaintForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=limits.NAME)
    description = forms.CharField(
        label=_("What happened"),
        max_length=limits.LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Empty: the requester's comment."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MINOR)


class AssignForm(forms.Form):
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_staff()  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    correction = forms.CharField(
        label=_("Correction (what was done at once)"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RootCauseForm(forms.Form):
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why it happened, not what happened: for example the five whys."),
    )


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Corrective action"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_staff()  # type: ignore[attr-defined]


class ActionDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("Criterion"), choices=CriterionKind.choices)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("For a measured criterion; empty: the nonconformity's agency."),
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        help_text=_("Empty: every service of the agency (or the nonconformity's service if no agency is chosen)."),
    )
    period_start = forms.DateField(label=_("Measured from"), widget=DATE_INPUT)
    period_end = forms.DateField(label=_("Measured until (inclusive)"), widget=DATE_INPUT)
    threshold = forms.IntegerField(label=_("At most"), min_value=0, max_value=100_000, required=False)
    description = forms.CharField(
        label=_("Criterion in words"),
        max_length=limits.NAME,
        required=False,
        help_text=_("For a judged criterion: what will show the action worked."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies()  # type: ignore[attr-defined]
        self.fields["service"].queryset = Service.objects.order_by("code")  # type: ignore[attr-defined]


class JudgeForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Result"),
        choices=[
            ("yes", pgettext_lazy("effectiveness check", "Effective")),
            ("no", pgettext_lazy("effectiveness check", "Not effective")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What the judgement rests on"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
