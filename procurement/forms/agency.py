"""The agency's procurement forms: a requisition with its lines, the approver's decision, withdrawing,
answering the buyer, and the list's filters.

A requisition has as many lines as it needs without JavaScript: the lines are a
formset that starts with a few empty rows, and an "add lines" button sends the
form back with more (what was typed is kept). Empty rows are ignored. The
services check everything again; the forms say it first, beside each field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from shared_platform import limits
from shared_platform.forms import MultipleFileField
from vendors.models import SupplyCategory

from ..models import RequisitionStatus
from ..services import MAX_LINES

# Rows offered on a new requisition, and how many more "add lines" gives.
FIRST_ROWS = 3
MORE_ROWS = 3
# The most files sent with a requisition at once.
MAX_FILES = 10


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=limits.NAME)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=SupplyCategory.objects.none(), empty_label=_("Choose a category")
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "any", "min": "0.01"}),
    )
    unit = forms.CharField(label=_("Unit"), max_length=30, help_text=_("each, box, day…"))
    estimated_unit_price = forms.DecimalField(
        label=_("Estimated unit price (USD)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = SupplyCategory.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]


class BaseLineFormSet(BaseFormSet):
    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "A requisition has at most %(num)d line.", "A requisition has at most %(num)d lines.", "num"
        ),
        "too_few_forms": ngettext_lazy(
            "A requisition needs at least %(num)d line.", "A requisition needs at least %(num)d lines.", "num"
        ),
        "missing_management_form": _("The lines could not be read. Please start the requisition again."),
    }

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        """Each row's inputs say which line and field they are (the table's header is not their label)."""
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        for field in form.fields.values():
            field.widget.attrs["aria-label"] = _("Line %(line)d: %(field)s") % {"line": i + 1, "field": field.label}
        return form

    def filled(self) -> list[dict[str, Any]]:
        """The rows someone typed into, in order (blank rows are left out)."""
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]

    def clean(self) -> None:
        super().clean()
        if not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(_("A requisition needs at least one line."), code="no_lines")


LineFormSet = formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=FIRST_ROWS,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def line_formset(data: Any = None, *, more: bool = False) -> BaseLineFormSet:
    """The lines. Unsent: FIRST_ROWS empty rows. Sent with "add lines": the rows typed so far, unchecked, and
    MORE_ROWS empty ones (never more rows than a requisition may have lines). Sent to raise it: every row is
    optional (only the ones typed into count), so the sent count of initial rows is ignored."""
    if data is None:
        return LineFormSet(prefix="lines")  # type: ignore[return-value]
    if more:
        typed = _typed_rows(data)
        formset = LineFormSet(prefix="lines", initial=typed)
        formset.extra = max(0, min(len(typed) + MORE_ROWS, MAX_LINES) - len(typed))
        return formset  # type: ignore[return-value]
    data = data.copy()
    data["lines-INITIAL_FORMS"] = "0"
    return LineFormSet(data, prefix="lines")  # type: ignore[return-value]


def _typed_rows(data: Any) -> list[dict[str, str]]:
    """The rows sent, as typed (blank ones left out), to show again."""
    try:
        sent = int(data.get("lines-TOTAL_FORMS", "0"))
    except ValueError:
        sent = 0
    rows = []
    for index in range(min(max(sent, 0), MAX_LINES)):
        row = {name: str(data.get(f"lines-{index}-{name}", ""))[:200] for name in LineForm.base_fields}
        if any(value.strip() for value in row.values()):
            rows.append(row)
    return rows


class RequisitionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=limits.NAME, help_text=_("What is bought, in a few words."))
    delivery_place = forms.CharField(label=_("Delivery place"), max_length=limits.NAME)
    delivery_date = forms.DateField(label=_("Delivery wanted by"), widget=forms.DateInput(attrs={"type": "date"}))
    charge_code = forms.CharField(
        label=_("Charge code"), max_length=60, help_text=_("The budget line the purchase is charged to.")
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why it is needed, and for which programme or project."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("Specifications, terms of reference, quotes received; up to 10 files.")
    )

    def clean_delivery_date(self) -> date:
        wanted: date = self.cleaned_data["delivery_date"]
        if wanted < timezone.localdate():
            raise forms.ValidationError(_("The delivery date cannot be in the past."), code="past")
        return wanted

    def clean_attachments(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["attachments"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(count)d files at once.") % {"count": MAX_FILES}, code="too_many_files"
            )
        return files


class ApproveForm(forms.Form):
    """Approving takes no input, except the explanation when the purchase may be split (said before)."""

    split_explanation = forms.CharField(
        label=_("Explanation"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why this is not one purchase split under a threshold. It is recorded with your approval and "
            "shown to the facility's buyer and manager."
        ),
    )

    def __init__(self, *args: Any, split: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if split:
            self.fields["split_explanation"].required = True
        else:
            del self.fields["split_explanation"]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The requester reads it."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class RequesterAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class RequisitionFilterForm(forms.Form):
    whose = forms.ChoiceField(
        label=_("Whose"),
        choices=[("agency", _("All of my agency's")), ("mine", _("Mine"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), ("open", _("In progress")), *RequisitionStatus.choices],
        required=False,
    )
    q = forms.CharField(required=False, label=_("Search"), max_length=100)

    def __init__(self, *args: Any, whole_agency: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not whole_agency:
            del self.fields["whose"]

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "whose": data.get("whose") or "agency",
            "status": data.get("status") or "",
            "search": (data.get("q") or "").strip(),
        }
