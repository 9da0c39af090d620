"""Form pieces every module's pages use: several files in one input, several forms on one page, and rows.

Rows (a requisition's lines, a trip's legs and charge codes, a claim's
expenses) work without JavaScript: a formset that starts with a few empty
rows, and an "add rows" button that sends the form back with more (what was
typed is kept). Empty rows are ignored; `BaseRowFormSet.filled()` gives the
ones typed into. A module subclasses it for its own sentences and calls
`row_formset`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the module's services check each one's size and kind
    (`shared_platform.attachments.uploads_check`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class OnePageForm(forms.Form):
    """A form shown with others on one page: its own element ids, so every label finds its own field."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class BaseRowFormSet(BaseFormSet):
    """Rows of one kind; blank rows are left out. `row_name` labels each row's inputs ("Leg 2: From");
    `at_least_one` (a sentence, or "" when rows are optional) is said when none is typed into."""

    row_name: Any = _("Row")
    at_least_one: Any = ""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        """Each row's inputs say which row and field they are (the table's header is not their label)."""
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        for field in form.fields.values():
            field.widget.attrs["aria-label"] = f"{self.row_name} {i + 1}: {field.label}"
        return form

    def filled(self) -> list[dict[str, Any]]:
        """The rows someone typed into, in order (blank rows are left out)."""
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]

    def clean(self) -> None:
        super().clean()
        if self.at_least_one and not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(self.at_least_one, code="no_rows")


def row_formset(
    formset: type[BaseRowFormSet],
    form: type[forms.Form],
    *,
    prefix: str,
    data: Any = None,
    more: bool = False,
    first: int = 3,
    more_rows: int = 3,
    maximum: int = 50,
    initial: list[dict[str, Any]] | None = None,
) -> BaseRowFormSet:
    """The rows. Unsent: `first` empty rows (after `initial` ones). Sent with "add rows": the rows typed so
    far, unchecked, and `more_rows` empty ones (never more than `maximum`). Sent to be saved: every row is
    optional (only the ones typed into count), so the sent count of initial rows is ignored."""
    kind = formset_factory(form, formset=formset, extra=first, max_num=maximum, validate_max=True, absolute_max=maximum)
    if data is None:
        built = kind(prefix=prefix, initial=initial)
        if initial:
            built.extra = max(0, min(len(initial) + 1, maximum) - len(initial))
        return built  # type: ignore[return-value]
    if more:
        typed = typed_rows(data, prefix=prefix, names=list(form.base_fields), maximum=maximum)
        built = kind(prefix=prefix, initial=typed)
        built.extra = max(0, min(len(typed) + more_rows, maximum) - len(typed))
        return built  # type: ignore[return-value]
    data = data.copy()
    data[f"{prefix}-INITIAL_FORMS"] = "0"
    return kind(data, prefix=prefix)  # type: ignore[return-value]


def typed_rows(data: Any, *, prefix: str, names: list[str], maximum: int) -> list[dict[str, str]]:
    """The rows sent, as typed (blank ones left out), to show again."""
    try:
        sent = int(data.get(f"{prefix}-TOTAL_FORMS", "0"))
    except ValueError:
        sent = 0
    rows = []
    for index in range(min(max(sent, 0), maximum)):
        row = {name: str(data.get(f"{prefix}-{index}-{name}", ""))[:200] for name in names}
        if any(value.strip() for value in row.values()):
            rows.append(row)
    return rows
