"""Celery tasks of the quality system: thin, safe to run twice; each calls one service.

Beat runs them in the public schema, where quality lives
(CELERY_BEAT_SCHEDULE in shared_platform/settings/base.py).
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from notifications import mail
from notifications.mail import RETRYING, StepMail, sent_or_given_up

# A worker discovers tasks.py modules only: the suggester's e-mails live beside their notifications.
from . import (
    notifications,
    notifications_suggestions,  # noqa: F401
)


@shared_task
def quality_watch_task() -> dict[str, int]:
    """Every 15 minutes: breaches and low ratings into the month's nonconformities, then the measured checks.

    In that order, so a breach recorded a minute ago counts as a recurrence
    in the same run (clause 10.2).
    """
    from .services.nonconformities import checks_evaluate, nonconformities_raise_automatic

    now = timezone.now()
    return {"attached": nonconformities_raise_automatic(now=now), "evaluated": checks_evaluate(now=now)}


@shared_task
def quality_daily_task() -> dict[str, int]:
    """Daily: approved document versions whose date came into effect, then the owners' reminders."""
    from .services.documents import documents_bring_into_effect
    from .services.reminders import reminders_send

    now = timezone.now()
    return {
        "into_effect": documents_bring_into_effect(today=timezone.localdate(now)),
        "reminded": reminders_send(now=now),
    }


@shared_task(**RETRYING)
def reminder_notify(self: Task[Any, Any], user_id: int, delivery_key: str) -> list[str]:
    """The digest of one person's due quality items (queued by reminders_send after its commit)."""

    def mails() -> list[StepMail]:
        return notifications.reminder_mails(user_id=user_id)

    return sent_or_given_up(
        self,
        key=delivery_key,
        send=lambda: mail.send(mails(), delivery_key=delivery_key),
        mails=mails,
        task_args=[user_id, delivery_key],
        reference=lambda: "quality-reminder",
        step="reminder",
    )
