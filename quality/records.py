"""What every kind of quality record shares: its reference and its history (clause 7.5.3)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from .models import Audit, Document, Nonconformity, Process, QualityEvent, Suggestion

if TYPE_CHECKING:
    from accounts.models import User

_RECORD_FIELD = {
    Process: "process",
    Document: "document",
    Suggestion: "suggestion",
    Nonconformity: "nonconformity",
    Audit: "audit",
}


def event_append(
    record: Process | Document | Suggestion | Nonconformity | Audit,
    *,
    action: str,
    actor: User | None,
    at: datetime | None = None,
    detail: str = "",
) -> QualityEvent:
    """One line of a record's history. `action` is a stable word (`approved`, `reopened`); pages translate it."""
    return QualityEvent.objects.create(
        at=at or timezone.now(),
        actor=actor,
        action=action,
        detail=detail[:2000],
        **{_RECORD_FIELD[type(record)]: record},
    )


def reference_assign(record: models.Model, *, prefix: str, at: datetime) -> str:
    """Give a just-created record its reference, e.g. NC-2026-0042: unique because the number is the row's id."""
    reference = f"{prefix}-{timezone.localtime(at).year}-{record.pk:04d}"
    type(record)._default_manager.filter(pk=record.pk).update(reference=reference)
    record.reference = reference  # type: ignore[attr-defined]
    return reference


def pending_reference() -> str:
    """A placeholder unique until `reference_assign` runs in the same transaction."""
    return f"new-{uuid.uuid4().hex[:16]}"
