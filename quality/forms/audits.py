"""Forms of the internal audits: plan, checklist question, evidence, finding, conclusion, cancellation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from shared_platform import limits

from ..models import AuditStatus, FindingKind, Process
from ..services.audits import CLAUSE_MAX


def internal_auditors() -> Any:
    """The people who may be chosen as auditor: active holders of the internal auditor role."""
    return (
        User.objects.filter(is_active=True, memberships__role=Role.INTERNAL_AUDITOR, memberships__agency__isnull=True)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


class AuditorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.email


class ProcessChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        owner = obj.owner.get_full_name() or obj.owner.email
        return f"{obj.code} {obj.name} ({owner})"


class AuditPlanForm(forms.Form):
    process = ProcessChoiceField(
        label=_("Process"),
        queryset=Process.objects.filter(active=True).select_related("owner").order_by("code"),
        help_text=_("The process owner is shown in brackets: they cannot be its auditor."),
    )
    auditor = AuditorChoiceField(label=_("Auditor"), queryset=User.objects.none())
    planned_for = forms.DateField(label=_("Planned for"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.CharField(
        label=_("Scope and criteria"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Activities, sites and period covered; the criteria (ISO 9001, the procedure, the SLA targets)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = internal_auditors()  # type: ignore[attr-defined]


class QuestionAddForm(forms.Form):
    clause = forms.CharField(label=_("ISO 9001 clause"), max_length=CLAUSE_MAX)
    question = forms.CharField(label=_("Question"), max_length=limits.NAME * 2)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence seen"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Finding"), choices=FindingKind.choices)
    clause = forms.CharField(label=_("ISO 9001 clause"), max_length=CLAUSE_MAX)
    description = forms.CharField(
        label=_("Description"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What was found, against which requirement, and the evidence. A minor or major "
            "nonconformity opens a nonconformity record at once."
        ),
    )
    question = forms.TypedChoiceField(label=_("Checklist question"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, questions: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("None in particular"))]
        choices += [(question.position, f"{question.position}. {question.clause}") for question in questions or []]
        self.fields["question"].choices = choices  # type: ignore[attr-defined]


class CompleteForm(forms.Form):
    summary = forms.CharField(
        label=_("Conclusion"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Is the process effectively implemented and maintained? What should management know?"),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2}))


AUDIT_STATUS_FILTER = [("", _("All statuses")), *AuditStatus.choices]
