"""The filters of the SLA dashboard and the request list."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from service_levels.models import Module, Service
from tenants.models import Agency

from .models import EntryStatus
from .selectors import LedgerFilters, RequestScope


def recent_months(count: int = 12, *, today: date | None = None) -> list[date]:
    month = (today or timezone.localdate()).replace(day=1)
    months = []
    for _month in range(count):
        months.append(month)
        month = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    return months


class LedgerFilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.agencies().order_by("code"),
        required=False,
        label=_("Agency"),
        empty_label=_("All agencies"),
        to_field_name="code",
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.order_by("module", "code"),
        required=False,
        label=_("Service"),
        empty_label=_("All services"),
        to_field_name="code",
    )
    module = forms.ChoiceField(label=_("Module"), choices=[("", _("All modules")), *Module.choices], required=False)
    month = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, *args: object, scope: RequestScope | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.scope = scope or RequestScope()
        if self.scope.agency is not None:
            del self.fields["agency"]
        # Month names in the reader's language ("janvier 2026"), not the server's strftime locale.
        months = [("", _("Last 3 months"))] + [
            (m.strftime("%Y-%m"), date_format(m, "YEAR_MONTH_FORMAT")) for m in recent_months()
        ]
        self.fields["month"].choices = months  # type: ignore[attr-defined]

    def filters(self) -> LedgerFilters:
        """The filters chosen; the defaults (everything, last 3 months) where the input was not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        month = data.get("month")
        return LedgerFilters(
            agency=self.scope.agency or data.get("agency"),
            person=self.scope.person,
            service=data.get("service"),
            module=data.get("module") or "",
            month=date.fromisoformat(month + "-01") if month else None,
        )


class RequestFilterForm(LedgerFilterForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *EntryStatus.choices], required=False)
