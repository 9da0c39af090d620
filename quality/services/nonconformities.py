"""Nonconformities and corrective action (ISO 9001:2015 clause 10.2)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shared_platform import limits
from shared_platform.errors import ApplicationError

from ..models import AUTOMATIC_SOURCES, Nonconformity, Process, Severity
from ..records import event_append, pending_reference, reference_assign

if TYPE_CHECKING:
    from accounts.models import User
    from service_levels.models import Service
    from tenants.models import Agency


@transaction.atomic
def nonconformity_raise(
    *,
    title: str,
    source: str,
    raised_by: User | None,
    description: str = "",
    severity: str = Severity.MINOR,
    process: Process | None = None,
    agency: Agency | None = None,
    service: Service | None = None,
    owner: User | None = None,
    at: datetime | None = None,
) -> Nonconformity:
    """Record a nonconformity (by hand, from a complaint or from an audit finding) with its reference NC-<year>-<n>.

    The automatic sources (SLA breaches, low ratings) are opened by the beat
    task, once per agency, service and month, never through here.
    """
    at = at or timezone.now()
    title = (title or "").strip()
    if not title:
        raise ApplicationError(
            gettext("Say in a few words what did not meet the requirement."),
            code="quality.invalid",
            fields={"title": [gettext("This field is required.")]},
        )
    if len(title) > limits.NAME:
        raise ApplicationError(
            gettext("A title is at most %(limit)d characters.") % {"limit": limits.NAME},
            code="quality.invalid",
            fields={"title": [gettext("At most %(limit)d characters.") % {"limit": limits.NAME}]},
        )
    if source in AUTOMATIC_SOURCES:
        raise ApplicationError(
            gettext("Nonconformities from SLA breaches and low ratings are opened by the platform itself."),
            code="quality.automatic_source",
        )
    nonconformity = Nonconformity.objects.create(
        reference=pending_reference(),
        title=title,
        description=(description or "").strip(),
        source=source,
        severity=severity,
        process=process,
        agency=agency,
        service=service,
        owner=owner or (process.owner if process is not None else None),
        raised_by=raised_by,
        raised_at=at,
    )
    reference_assign(nonconformity, prefix="NC", at=at)
    event_append(nonconformity, action="raised", actor=raised_by, at=at, detail=title)
    return nonconformity
