"""Sending each e-mail once, and keeping the ones the worker gave up on.

*Once:* a step's e-mails are sent by one task, whose id Celery keeps when it
retries the task or delivers it again (acks_late). Each address written to is
noted in the cache under that id for a week, so a second run of the same task
skips it: a retry after one of two recipients failed writes only to the
other, and a task delivered twice sends nothing twice. (A crash between the
SMTP server accepting a message and the note being written can still repeat
it; the cache is the cheap guard, not a transaction with the mail server.)

*Given up:* an e-mail that fails after its retries, or cannot be sent at all,
becomes a `FailedNotification` in the public schema, shown in the Django
admin, where an administrator sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from celery import current_app
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from .models import FailedNotification

logger = logging.getLogger(__name__)

SENT_NOTE_SECONDS = 7 * 24 * 60 * 60


def _sent_key(delivery_key: str, address: str) -> str:
    return f"mail-sent:{delivery_key}:{address.lower()}"


def delivery_done(*, delivery_key: str, address: str) -> bool:
    """True if this task (delivery_key: its id) already wrote to this address."""
    return bool(delivery_key) and cache.get(_sent_key(delivery_key, address)) is not None


def delivery_record(*, delivery_key: str, address: str) -> None:
    if delivery_key:
        cache.set(_sent_key(delivery_key, address), 1, SENT_NOTE_SECONDS)


def failure_record(
    *,
    task_name: str,
    task_args: Sequence[Any],
    task_id: str,
    error: BaseException,
    attempts: int,
    reference: str = "",
    step: str = "",
    recipients: Sequence[str] = (),
) -> FailedNotification:
    """Keep an e-mail the worker gave up on, for an administrator (public schema, no private text)."""
    schema_name = connection.schema_name  # type: ignore[attr-defined]
    with schema_context(get_public_schema_name()):
        agency = Agency.objects.filter(schema_name=schema_name).first()
        failure = FailedNotification.objects.create(
            agency=agency,
            schema_name=schema_name,
            task_name=task_name,
            task_args=list(task_args),
            task_id=task_id or "",
            reference=reference[:64],
            step=step[:32],
            recipients=", ".join(recipients),
            attempts=attempts,
            error=f"{type(error).__name__}: {error}"[:500],
        )
    logger.error("Gave up sending %s %s after %s attempt(s): %s", reference, step, attempts, failure.error)
    return failure


@transaction.atomic
def failure_resend(*, failure: FailedNotification, by: User) -> FailedNotification:
    """Queue the failed task again in its agency's schema (after commit) and mark the row resolved.

    The task renders the e-mail afresh from the agency's own data, under the
    first run's id, so addresses that run already wrote to are skipped (while
    the cache remembers them, a week).
    """
    failure = FailedNotification.objects.select_for_update().get(pk=failure.pk)
    if failure.resolved_at is not None:
        return failure
    task = current_app.tasks[failure.task_name]
    with schema_context(failure.schema_name):
        enqueue_after_commit(task, *failure.task_args, delivery_key=failure.task_id or None)
    failure.resolved_at = timezone.now()
    failure.resolved_by = by
    failure.save(update_fields=["resolved_at", "resolved_by"])
    return failure


@transaction.atomic
def failure_dismiss(*, failure: FailedNotification, by: User) -> FailedNotification:
    """Mark a failure handled without sending (the administrator dealt with it another way)."""
    updated = FailedNotification.objects.filter(pk=failure.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by
    )
    if updated:
        failure.refresh_from_db()
    return failure
