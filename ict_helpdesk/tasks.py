"""Celery tasks for the helpdesk: thin, safe to run twice; each calls one function."""

from __future__ import annotations

import smtplib
from typing import Any

from celery import Task, shared_task

from notifications.services import delivery_done, failure_record

from . import notifications, services

# Worth another try: the mail server or the network failed (SMTPException and
# ConnectionError are OSErrors). Anything else (a header Django refuses, a bug)
# would fail the same way again, so it is recorded at once.
MAIL_ERRORS_WORTH_RETRYING: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
NOTIFY_MAX_RETRIES = 5


@shared_task(
    bind=True,
    autoretry_for=MAIL_ERRORS_WORTH_RETRYING,
    max_retries=NOTIFY_MAX_RETRIES,
    retry_backoff=30,  # 30 s, 60 s, 120 s... (with jitter), at most 15 minutes apart
    retry_backoff_max=15 * 60,
    retry_jitter=True,
)
def ticket_notify(
    self: Task[Any, Any],
    ticket_id: int,
    step: str,
    actor_id: int | None,
    message_id: int | None,
    delivery_key: str | None = None,
) -> list[str]:
    """E-mail the requester and the assignee about one step (queued in the ticket's agency schema).

    Retried with backoff when the mail server or the network fails; when it
    gives up (or the failure is not one a retry would fix) the step becomes a
    FailedNotification for the administrator (Django admin), and each address
    gets the e-mail at most once however often the task runs.
    """
    key = delivery_key or self.request.id or ""
    try:
        return notifications.ticket_notify(
            ticket_id=ticket_id, step=step, actor_id=actor_id, message_id=message_id, delivery_key=key
        )
    except Exception as error:
        retrying = isinstance(error, MAIL_ERRORS_WORTH_RETRYING) and self.request.retries < NOTIFY_MAX_RETRIES
        if retrying:
            raise  # autoretry_for queues the next try
        try:
            not_sent = [
                mail.to
                for mail in notifications.ticket_mails(
                    ticket_id=ticket_id, step=step, actor_id=actor_id, message_id=message_id
                )
                if not delivery_done(delivery_key=key, address=mail.to)
            ]
        except Exception:  # the e-mails cannot even be composed: the error below says why
            not_sent = []
        failure_record(
            task_name=self.name,
            task_args=[ticket_id, step, actor_id, message_id],
            task_id=key,
            error=error,
            attempts=self.request.retries + 1,
            reference=notifications.ticket_reference(ticket_id),
            step=step,
            recipients=not_sent,
        )
        return []


@shared_task
def tickets_close_resolved() -> int:
    """Every 15 minutes (beat, public schema): close resolved tickets whose reopening period has passed."""
    return services.tickets_close_resolved()
