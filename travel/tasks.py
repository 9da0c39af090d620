"""Celery tasks for travel: thin, safe to run twice; each calls one function.

Queued by the services with `enqueue_after_commit`, which records the agency's
schema; tenant-schemas-celery runs each task in that schema.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from notifications import mail
from notifications.mail import RETRYING, StepMail, sent_or_given_up

from . import notifications


@shared_task(**RETRYING)
def trip_notify(
    self: Task[Any, Any],
    trip_id: int,
    step: str,
    actor_id: int | None,
    detail: str,
    delivery_key: str | None = None,
) -> list[str]:
    """E-mail the people of a trip about one step (queued in the agency's schema)."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[StepMail]:
        return notifications.trip_mails(trip_id=trip_id, step=step, actor_id=actor_id, detail=detail)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
        mails=mails,
        # The detail is the agency's text (a reason): it stays out of the public failure record.
        task_args=[trip_id, step, actor_id, ""],
        reference=lambda: notifications.trip_reference(trip_id),
        step=step,
    )


@shared_task
def personal_data_remove_task() -> int:
    """Beat, daily, in each agency's schema: data minimisation for trips closed longer than the retention."""
    from django.conf import settings
    from django.db import connection
    from django_tenants.utils import get_public_schema_name

    from .services import personal_data_remove, retention_cutoff

    if connection.schema_name in (get_public_schema_name(), settings.TENANT_BASE_SCHEMA):  # type: ignore[attr-defined]
        return 0
    return personal_data_remove(closed_before=retention_cutoff(days=settings.TRAVEL_PERSONAL_DATA_RETENTION_DAYS))
