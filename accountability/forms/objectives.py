"""The quality objective's form (keepers only): it reads the input; `services.objectives` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from quality.forms.processes import FacilityPersonChoiceField, facility_people
from quality.models import Process
from service_levels.models import Module, Service
from shared_platform import limits

from ..models import Comparison, ObjectiveMetric, ObjectiveScope, PeriodKind
from ..services.objectives import TARGET_MAX

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ObjectiveForm(forms.Form):
    title = forms.CharField(
        label=_("Objective"),
        max_length=limits.NAME,
        help_text=_(
            "As people will read it, e.g. ICT resolution compliance at least 95 % per quarter for every agency."
        ),
    )
    metric = forms.ChoiceField(label=_("Figure"), choices=ObjectiveMetric.choices)
    comparison = forms.ChoiceField(label=_("Comparison"), choices=Comparison.choices)
    target = forms.DecimalField(
        label=pgettext_lazy("quality objective", "Target"),
        min_value=0,
        max_value=TARGET_MAX,
        max_digits=12,
        decimal_places=2,
        help_text=_("A percentage for compliance, 1 to 5 for satisfaction, a count or an amount in USD otherwise."),
    )
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    scope = forms.ChoiceField(label=_("Applies"), choices=ObjectiveScope.choices)
    module = forms.ChoiceField(label=_("Module"), choices=[("", _("Every module")), *Module.choices], required=False)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.order_by("code"),
        required=False,
        empty_label=_("Every service of the module"),
    )
    process = forms.ModelChoiceField(
        label=_("Process"),
        queryset=Process.objects.filter(active=True).order_by("code"),
        required=False,
        empty_label=_("No particular process"),
        help_text=_("Narrows the objective to the services that measure the process."),
    )
    owner = FacilityPersonChoiceField(label=_("Owner"), queryset=facility_people())
    valid_from = forms.DateField(label=_("From"), widget=DATE_INPUT)
    valid_to = forms.DateField(
        label=_("Until"), widget=DATE_INPUT, required=False, help_text=_("Blank: until changed.")
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = facility_people()  # type: ignore[attr-defined]
        if not editing:
            del self.fields["active"]
