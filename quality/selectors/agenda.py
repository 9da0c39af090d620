"""What the quality system expects of each person, and when: read by the start page and by the reminders.

One list per person, whatever the kind of record (clause 10.2 actions, 7.5
reviews, 10.3 implementations, 9.2 audits), so the start page and the weekly
reminder e-mail never disagree about what is due. Each item knows its record,
so the reminder can note that it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Model, Q
from django.urls import reverse as reverse_on_any_address
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    AuditStatus,
    CheckResult,
    CorrectiveAction,
    CriterionKind,
    Document,
    DocumentVersion,
    EffectivenessCheck,
    NonconformityStatus,
    Suggestion,
    SuggestionStatus,
    VersionStatus,
)

if TYPE_CHECKING:
    from accounts.models import User

# A document's review shows on its owner's start page (and in their reminder) this long before it is due.
REVIEW_NOTICE_DAYS = 30


def reverse(name: str, args: list[object]) -> str:
    """A page of the portal, whichever address (or none: a beat task) asks: quality's pages are the portal's."""
    return reverse_on_any_address(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


@dataclass(frozen=True)
class AgendaItem:
    kind: str  # action, check, review, implementation, audit
    label: str
    detail: str
    url: str  # the page on the facility portal (a path)
    due_on: date
    overdue: bool
    record: Model  # what the reminder marks as reminded (it has `last_reminded_at`), or the audit

    @property
    def due_at(self) -> datetime:
        """The end of the due day in the facility's time zone (the start page shows times)."""
        return timezone.make_aware(datetime.combine(self.due_on, time(23, 59)))


def _actions(owner: User | None, today: date, only: Q | None = None) -> list[AgendaItem]:
    actions = CorrectiveAction.objects.filter(only or Q(), done_at=None).exclude(
        nonconformity__status=NonconformityStatus.CLOSED
    )
    if owner is not None:
        actions = actions.filter(owner=owner)
    return [
        AgendaItem(
            kind="action",
            label=action.description[:120],
            detail=_("Corrective action of %(reference)s") % {"reference": action.nonconformity.reference},
            url=reverse("quality:nonconformity", args=[action.nonconformity.reference]),
            due_on=action.due_on,
            overdue=action.due_on < today,
            record=action,
        )
        for action in actions.select_related("nonconformity").order_by("due_on", "pk")
    ]


def _checks(owner: User | None, today: date, only: Q | None = None) -> list[AgendaItem]:
    """Judgement checks whose period is over: a person must say whether the action worked.

    Measured checks (SLA breaches, low ratings) evaluate themselves from the
    ledger and wait for nobody.
    """
    checks = EffectivenessCheck.objects.filter(
        only or Q(), result=CheckResult.PENDING, kind=CriterionKind.JUDGEMENT, period_end__lte=today
    )
    if owner is not None:
        checks = checks.filter(nonconformity__owner=owner)
    return [
        AgendaItem(
            kind="check",
            label=check.description or check.nonconformity.title,
            detail=_("Effectiveness check of %(reference)s") % {"reference": check.nonconformity.reference},
            url=reverse("quality:nonconformity", args=[check.nonconformity.reference]),
            due_on=check.period_end,
            overdue=check.period_end < today,
            record=check,
        )
        for check in checks.select_related("nonconformity").order_by("period_end", "pk")
    ]


def _reviews(owner: User | None, today: date, only: Q | None = None) -> list[AgendaItem]:
    versions = DocumentVersion.objects.filter(
        only or Q(),
        status=VersionStatus.EFFECTIVE,
        review_due__lte=today + timedelta(days=REVIEW_NOTICE_DAYS),
        document__withdrawn_at=None,
    )
    if owner is not None:
        versions = versions.filter(document__owner=owner)
    return [
        AgendaItem(
            kind="review",
            label=str(version.document),
            detail=_("Review of version %(number)s") % {"number": version.number},
            url=reverse("quality:document", args=[version.document.code]),
            due_on=version.review_due,
            overdue=version.review_due < today,
            record=version.document,
        )
        for version in versions.select_related("document").order_by("review_due", "pk")
        if version.review_due is not None
    ]


def _implementations(owner: User | None, today: date, only: Q | None = None) -> list[AgendaItem]:
    suggestions = Suggestion.objects.filter(only or Q(), status=SuggestionStatus.ACCEPTED).exclude(due_on=None)
    if owner is not None:
        suggestions = suggestions.filter(owner=owner)
    return [
        AgendaItem(
            kind="implementation",
            label=suggestion.title,
            detail=_("Accepted improvement %(reference)s to implement") % {"reference": suggestion.reference},
            url=reverse("quality:suggestion", args=[suggestion.reference]),
            due_on=suggestion.due_on,
            overdue=suggestion.due_on < today,
            record=suggestion,
        )
        for suggestion in suggestions.order_by("due_on", "pk")
        if suggestion.due_on is not None
    ]


def _audits(auditor: User, today: date) -> list[AgendaItem]:
    from ..models import Audit

    audits = Audit.objects.filter(auditor=auditor, status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS])
    return [
        AgendaItem(
            kind="audit",
            label=str(audit.process),
            detail=_("Internal audit %(reference)s") % {"reference": audit.reference},
            url=reverse("quality:audit", args=[audit.reference]),
            due_on=audit.planned_for,
            overdue=audit.planned_for < today,
            record=audit,
        )
        for audit in audits.select_related("process").order_by("planned_for", "pk")
    ]


def agenda_of(*, user: User, today: date | None = None) -> list[AgendaItem]:
    """Everything the quality system expects of this person, soonest first."""
    today = today or timezone.localdate()
    items = [
        *_actions(user, today),
        *_checks(user, today),
        *_reviews(user, today),
        *_implementations(user, today),
        *_audits(user, today),
    ]
    return sorted(items, key=lambda item: (item.due_on, item.kind, item.label))


def acknowledgements_awaited(*, user: User, roles: set[str] | frozenset[str]) -> list[Document]:
    """Documents in effect that concern one of these roles and that this person has not yet acknowledged."""
    if not roles:
        return []
    versions = (
        DocumentVersion.objects.filter(status=VersionStatus.EFFECTIVE, document__concerns_roles__overlap=list(roles))
        .exclude(acknowledgements__user=user)
        .select_related("document")
        .order_by("document__code")
    )
    return [version.document for version in versions]


def reminders_due(*, today: date, now: datetime, every: timedelta) -> dict[int, list[AgendaItem]]:
    """Per person (user id): the overdue or due items they have not been reminded of for `every`.

    Reminded items are overdue actions, overdue implementations, judgement
    checks due, and documents whose review is due within the notice period.
    Audits are not e-mailed: the auditor plans them.
    """
    cutoff = now - every
    due: dict[int, list[AgendaItem]] = {}

    def not_lately(prefix: str = "") -> Q:
        return Q(**{f"{prefix}last_reminded_at": None}) | Q(**{f"{prefix}last_reminded_at__lt": cutoff})

    def add(owner_id: int | None, item: AgendaItem) -> None:
        if owner_id is not None:
            due.setdefault(owner_id, []).append(item)

    for item in _actions(None, today, only=not_lately() & Q(due_on__lt=today)):
        add(item.record.owner_id, item)  # type: ignore[attr-defined]
    for item in _implementations(None, today, only=not_lately() & Q(due_on__lt=today)):
        add(item.record.owner_id, item)  # type: ignore[attr-defined]
    for item in _checks(None, today, only=not_lately()):
        add(item.record.nonconformity.owner_id, item)  # type: ignore[attr-defined]
    for item in _reviews(None, today, only=not_lately("document__")):
        add(item.record.owner_id, item)  # type: ignore[attr-defined]
    return due
