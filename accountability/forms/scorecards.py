"""The scorecards' filters: a GET form, so the page's address (and its CSV) says what it shows.

A filter that does not read (a month like 2026-13, an unknown agency or
service code) is ignored on the page, with the reason shown beside the
field, and refused with 400 by the API, which reads its query with this form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from service_levels.models import Module, Service
from tenants.models import Agency

from ..selectors.scorecards import months_back, months_between

MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
# The most months one page or answer reads: three years.
MONTHS_MAX = 36
DEFAULT_MONTHS = 12


class MonthField(forms.DateField):
    """A month written YYYY-MM (the browser's month picker), read as its first day."""

    widget = MONTH_INPUT
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, e.g. 2026-03.")}


@dataclass(frozen=True)
class ScorecardFilters:
    months: list[date]
    agency: Agency | None
    module: str
    service: Service | None

    @property
    def service_ids(self) -> list[int] | None:
        return [self.service.pk] if self.service is not None else None


class ScorecardFilterForm(forms.Form):
    month_from = MonthField(label=_("From"), required=False)
    month_to = MonthField(label=_("To"), required=False)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.agencies().order_by("code"),
        label=_("Agency"),
        required=False,
        empty_label=_("All agencies"),
        to_field_name="code",
    )
    module = forms.ChoiceField(label=_("Module"), choices=[("", _("All modules")), *Module.choices], required=False)
    service = forms.ModelChoiceField(
        queryset=Service.objects.order_by("code"),
        label=_("Service"),
        required=False,
        empty_label=_("All services"),
        to_field_name="code",
    )

    def __init__(self, *args: Any, scope: Agency | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        if scope is not None:
            # An agency's address shows its own scorecard only: there is nothing to choose.
            del self.fields["agency"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("month_from"), data.get("month_to")
        if first and last and first > last:
            self.add_error("month_to", _("The last month comes before the first."))
        elif first and last and len(months_between(first=first, last=last)) > MONTHS_MAX:
            self.add_error("month_from", _("At most %(count)s months at a time.") % {"count": MONTHS_MAX})
        return data

    def filters(self) -> ScorecardFilters:
        """What the page shows: the valid filters, the others left out (their errors are on the form).

        No months chosen: the last 12 up to this one; only the first: 12 from it; only the last: 12 up to it.
        """
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        first, last = data.get("month_from"), data.get("month_to")
        if "month_from" in self.errors or "month_to" in self.errors:
            first = last = None
        if first and last:
            months = months_between(first=first, last=last)
        elif first:
            months = months_between(first=first, last=first.replace(year=first.year + 1))[:DEFAULT_MONTHS]
        else:
            months = months_back(until=last or timezone.localdate(), count=DEFAULT_MONTHS)
        return ScorecardFilters(
            months=months[-MONTHS_MAX:],
            agency=self.scope if self.scope is not None else data.get("agency"),
            module=data.get("module") or "",
            service=data.get("service"),
        )
