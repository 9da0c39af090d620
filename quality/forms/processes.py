"""Forms for processes and their risks. They only read input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import FACILITY_ROLES, Membership, User
from service_levels.models import Service
from shared_platform import limits

from ..models import Document, RiskKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ONE_TO_FIVE = [(n, str(n)) for n in range(1, 6)]


class FacilityPersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.email  # type: ignore[no-any-return]


def facility_people() -> Any:
    """Active people holding a facility role: those who can own a process, a risk or a document."""
    members = Membership.objects.filter(agency__isnull=True, role__in=sorted(FACILITY_ROLES)).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("first_name", "last_name", "email")


class ProcessForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("A short code, e.g. ICT-INC."))
    name = forms.CharField(label=_("Name"), max_length=limits.NAME)
    purpose = forms.CharField(
        label=_("Purpose and scope"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner = FacilityPersonChoiceField(label=_("Owner"), queryset=User.objects.none())
    services = forms.ModelMultipleChoiceField(
        label=_("Catalogue services that measure it"),
        queryset=Service.objects.filter(is_active=True).order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    procedure = forms.ModelChoiceField(
        label=_("Documented procedure"),
        queryset=Document.objects.filter(withdrawn_at__isnull=True).order_by("code"),
        required=False,
        empty_label=_("None yet"),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_people()  # type: ignore[attr-defined]
        if editing:
            del self.fields["code"]
        else:
            del self.fields["active"]


class RiskForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RiskKind.choices)
    description = forms.CharField(
        label=_("Description"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood (1-5)"), choices=ONE_TO_FIVE, coerce=int, help_text=_("1 rare, 5 almost certain.")
    )
    impact = forms.TypedChoiceField(
        label=_("Impact (1-5)"), choices=ONE_TO_FIVE, coerce=int, help_text=_("1 negligible, 5 severe.")
    )
    treatment = forms.CharField(
        label=_("Treatment"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is done to reduce the risk, or to take the opportunity."),
    )
    owner = FacilityPersonChoiceField(label=_("Owner"), queryset=User.objects.none())
    review_on = forms.DateField(label=_("Review on"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_people()  # type: ignore[attr-defined]
