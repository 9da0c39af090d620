"""Sending a step's e-mails from a Celery task, alike in every module: once per address, retried, never lost.

A module's task builds its `StepMail`s (one per recipient, each written in the
recipient's language) and hands them to `sent_or_given_up`:

- `send` writes each e-mail once per task: the address is noted under the
  task's id (`delivery_key`), so a retry or a second delivery of the task never
  writes to anyone twice;
- a failure of the mail server or the network is retried by Celery
  (`RETRYING`: backoff from 30 s to 15 minutes, five tries);
- anything else, or the last try, becomes a FailedNotification naming who did
  not get the e-mail, for an administrator to send again.

Procurement and travel use it; their tasks stay thin.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from celery import Task
from django.core.mail import EmailMessage

from .services import delivery_done, delivery_record, failure_record

# Worth another try: the mail server or the network failed (SMTPException and ConnectionError are
# OSErrors). Anything else would fail the same way again, so it is recorded at once.
MAIL_ERRORS_WORTH_RETRYING: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
NOTIFY_MAX_RETRIES = 5
RETRYING = {
    "bind": True,
    "autoretry_for": MAIL_ERRORS_WORTH_RETRYING,
    "max_retries": NOTIFY_MAX_RETRIES,
    "retry_backoff": 30,  # 30 s, 60 s, 120 s... (with jitter), at most 15 minutes apart
    "retry_backoff_max": 15 * 60,
    "retry_jitter": True,
}


@dataclass(frozen=True)
class StepMail:
    to: str
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes, str], ...] = field(default=())


def send(mails: Iterable[StepMail], *, delivery_key: str) -> list[str]:
    """Send each e-mail once per task (delivery_key: its id); returns the addresses written to."""
    sent = []
    for mail in mails:
        if delivery_done(delivery_key=delivery_key, address=mail.to):
            continue
        message = EmailMessage(mail.subject, mail.body, None, [mail.to])
        for name, content, kind in mail.attachments:
            message.attach(name, content, kind)
        message.send()
        delivery_record(delivery_key=delivery_key, address=mail.to)
        sent.append(mail.to)
    return sent


def sent_or_given_up(
    task: Task[Any, Any],
    *,
    key: str,
    send: Callable[[], list[str]],
    mails: Callable[[], list[StepMail]],
    task_args: Sequence[Any],
    reference: Callable[[], str],
    step: str,
) -> list[str]:
    """Send; on a failure worth retrying, let Celery retry; otherwise (or at the last try) keep a
    FailedNotification naming who did not get the e-mail, for an administrator to send again."""
    try:
        return send()
    except Exception as error:
        if isinstance(error, MAIL_ERRORS_WORTH_RETRYING) and task.request.retries < NOTIFY_MAX_RETRIES:
            raise  # autoretry_for queues the next try
        try:
            not_sent = [mail.to for mail in mails() if not delivery_done(delivery_key=key, address=mail.to)]
        except Exception:  # the e-mails cannot even be composed: the error recorded says why
            not_sent = []
        failure_record(
            task_name=task.name,
            task_args=list(task_args),
            task_id=key,
            error=error,
            attempts=task.request.retries + 1,
            reference=reference(),
            step=step,
            recipients=not_sent,
        )
        return []
