"""The helpdesk's forms: raising a ticket, the agents' actions, the survey, the queue's filters, the matrix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from ledger.models import EntryStatus, Holder
from service_levels.models import IMPACT_NAMES, URGENCY_NAMES, Category, Impact, Module, Priority, Urgency
from shared_platform import limits
from shared_platform.forms import MultipleFileField, OnePageForm
from tenants.models import Agency

from .models import TicketKind
from .selectors import QueueFilters, TicketFilters, agents


def _offered_categories() -> Any:
    return Category.objects.filter(module=Module.ICT, is_active=True).order_by("name")


class TicketForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=TicketKind.choices, widget=forms.RadioSelect, initial=TicketKind.INCIDENT
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose a category")
    )
    impact = forms.ChoiceField(
        label=_("Impact"), choices=Impact.choices, initial=Impact.LOW, help_text=_("Who is affected.")
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.MEDIUM, help_text=_("How soon it matters.")
    )
    subject = forms.CharField(label=_("Subject"), max_length=limits.NAME)
    description = forms.CharField(
        label=_("Description"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("Screenshots, logs or documents; up to 5 files, 10 MB each.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _offered_categories()  # type: ignore[attr-defined]


class ReplyForm(OnePageForm):
    id_prefix = "reply"

    body = forms.CharField(label=_("Message"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(
        label=_("Internal note (only the facility's agents see it)"), required=False, initial=False
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, agent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not agent:
            del self.fields["internal"]


class ReprioritiseForm(OnePageForm):
    id_prefix = "priority"

    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, help_text=_("Why the priority changes; kept in the ticket's history.")
    )


class PendingForm(OnePageForm):
    id_prefix = "pending"

    waiting_on = forms.ChoiceField(
        label=_("Waiting on"),
        choices=[(Holder.REQUESTER, _("The requester")), (Holder.SUPPLIER, _("A supplier"))],
        initial=Holder.REQUESTER,
    )
    reason = forms.CharField(max_length=200, label=_("Waiting for"))


class ResolveForm(OnePageForm):
    id_prefix = "resolve"

    resolution_note = forms.CharField(
        label=_("Resolution note"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done; the requester reads it."),
    )


class ReopenForm(OnePageForm):
    id_prefix = "reopen"

    reason = forms.CharField(max_length=200, label=_("What is still wrong"))


class AssignForm(OnePageForm):
    id_prefix = "assign"

    assignee = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), empty_label=_("Choose an agent"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents()  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email  # type: ignore[attr-defined]


class RateForm(OnePageForm):
    id_prefix = "rate"

    score = forms.TypedChoiceField(
        choices=[
            (5, _("5 excellent")),
            (4, _("4 good")),
            (3, _("3 fair")),
            (2, _("2 poor")),
            (1, _("1 very poor")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        label=_("How satisfied are you with how this ticket was handled?"),
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=limits.SHORT_TEXT
    )


class AgencyTicketFilterForm(forms.Form):
    whose = forms.ChoiceField(
        label=_("Whose"), choices=[("mine", _("My tickets")), ("agency", _("All of my agency's"))], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), ("open", _("In progress")), *EntryStatus.choices],
        required=False,
    )
    q = forms.CharField(required=False, label=_("Search"), max_length=100)

    def __init__(self, *args: Any, whole_agency: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not whole_agency:
            del self.fields["whose"]

    def filters(self) -> TicketFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return TicketFilters(
            status=data.get("status") or "",
            mine_only=data.get("whose", "mine") != "agency",
            search=(data.get("q") or "").strip(),
        )


class QueueFilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.agencies().order_by("code"),
        label=_("Agency"),
        required=False,
        empty_label=_("All agencies"),
        to_field_name="code",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(module=Module.ICT).order_by("name"),
        label=_("Category"),
        required=False,
        empty_label=_("All categories"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any priority")), *Priority.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("active", _("In progress")), ("", _("Any status")), *EntryStatus.choices],
        required=False,
        initial="active",
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    q = forms.CharField(required=False, label=_("Search"), max_length=100)

    def __init__(self, *args: Any, me: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("Anyone")), ("none", _("Nobody yet"))]
        if me is not None:
            choices.append((str(me.pk), _("Me")))
        choices += [(str(agent.pk), agent.get_full_name() or agent.email) for agent in agents() if agent != me]
        self.fields["assignee"].choices = choices  # type: ignore[attr-defined]

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        category = data.get("category")
        return QueueFilters(
            agency=data.get("agency"),
            category_id=category.pk if category else None,
            priority=data.get("priority") or "",
            # Not asked for: the tickets in progress; "Any status" is asked for as an empty value.
            status=(data.get("status") or "") if "status" in self.data else "active",
            assignee=data.get("assignee") or "",
            search=(data.get("q") or "").strip(),
        )


class PriorityMatrixForm(forms.Form):
    """The 3 x 3 matrix, one choice per impact x urgency cell."""

    def __init__(self, *args: Any, matrix: dict[tuple[str, str], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for impact in Impact:
            for urgency in Urgency:
                self.fields[f"{impact.value}__{urgency.value}"] = forms.ChoiceField(
                    choices=Priority.choices,
                    initial=matrix.get((impact.value, urgency.value), Priority.P4),
                    label=_("Impact %(impact)s, urgency %(urgency)s")
                    % {"impact": IMPACT_NAMES[impact.value], "urgency": URGENCY_NAMES[urgency.value]},
                )

    def cells(self) -> dict[tuple[str, str], str]:
        cells = {}
        for name, value in self.cleaned_data.items():
            impact, urgency = name.split("__")
            cells[(impact, urgency)] = value
        return cells

    def rows(self) -> list[tuple[Any, list[Any]]]:
        """For the template: one row per impact, one bound field per urgency."""
        return [(impact.label, [self[f"{impact.value}__{urgency.value}"] for urgency in Urgency]) for impact in Impact]


class CategoryForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30, help_text=_("Short and stable: the API uses it."))
    name = forms.CharField(label=_("Name"), max_length=80)
    is_active = forms.BooleanField(label=_("Offered to requesters"), required=False, initial=True)
