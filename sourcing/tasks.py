"""Celery tasks for pooled sourcing: thin, safe to run twice; each sends one step's e-mails.

Queued by sourcing.services.agreements with `enqueue_after_commit`. The rows
they read are in the public schema, so they read the same whichever schema
the task runs in.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from notifications import mail
from notifications.mail import RETRYING, StepMail, sent_or_given_up

from . import notifications


@shared_task(**RETRYING)
def ceiling_warning_send(
    self: Task[Any, Any], agreement_id: int, agency_id: int | None, delivery_key: str | None = None
) -> list[str]:
    """E-mail that 80 % of an agreement's ceiling (agency_id None) or of one agency's ceiling is consumed."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[StepMail]:
        return notifications.ceiling_mails(agreement_id=agreement_id, agency_id=agency_id)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
        mails=mails,
        task_args=[agreement_id, agency_id],
        reference=lambda: notifications.agreement_reference(agreement_id),
        step="ceiling",
    )


@shared_task(**RETRYING)
def piggyback_notify(self: Task[Any, Any], piggyback_id: int, delivery_key: str | None = None) -> list[str]:
    """E-mail a piggyback request to the owner's approvers, or its decision to the asking agency's approvers."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[StepMail]:
        return notifications.piggyback_mails(piggyback_id=piggyback_id)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
        mails=mails,
        task_args=[piggyback_id],
        reference=lambda: notifications.piggyback_reference(piggyback_id),
        step="piggyback",
    )
