"""The forms of fair-cost simulations: the months to compare (YYYY-MM), a note to save, a motion to attach to."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import Motion, MotionStatus
from shared_platform import limits


class MonthField(forms.DateField):
    """A month typed as 2026-09 (the browser's month picker), read as its first day."""

    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    default_error_messages = {"invalid": _("Give a month such as 2026-09.")}

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, str) and len(value) > 7:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class MonthsForm(forms.Form):
    month_from = MonthField(label=_("First month"))
    month_to = MonthField(label=_("Last month"))


class SaveForm(MonthsForm):
    note = forms.CharField(
        label=_("Note for the board"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachForm(forms.Form):
    motion = forms.ModelChoiceField(
        label=_("Motion"),
        queryset=Motion.objects.filter(status__in=[MotionStatus.DRAFT, MotionStatus.OPEN]).order_by("-pk"),
        empty_label=None,
        help_text=_("A motion of the board in draft or open for votes."),
    )
