"""Celery tasks for procurement: thin, safe to run twice; each calls one function.

They are queued by the services with `enqueue_after_commit`, which records the
agency's schema; tenant-schemas-celery runs each task in that schema.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Sequence
from typing import Any

from celery import Task, shared_task

from notifications.services import delivery_done, failure_record

from . import notifications, pdf, services
from .models import PurchaseOrder

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


def _sent_or_given_up(
    task: Task[Any, Any],
    *,
    key: str,
    send: Callable[[], list[str]],
    mails: Callable[[], list[notifications.StepMail]],
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


@shared_task(**RETRYING)
def case_notify(
    self: Task[Any, Any],
    requisition_id: int,
    step: str,
    actor_id: int | None,
    detail: str,
    delivery_key: str | None = None,
) -> list[str]:
    """E-mail the people of a purchase about one step (queued in the agency's schema)."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[notifications.StepMail]:
        return notifications.case_mails(requisition_id=requisition_id, step=step, actor_id=actor_id, detail=detail)

    return _sent_or_given_up(
        self,
        key=key,
        send=lambda: notifications.send(mails(), delivery_key=key),
        mails=mails,
        # The detail is the agency's text (a reason, a question): it stays out of the public failure record.
        task_args=[requisition_id, step, actor_id, ""],
        reference=lambda: notifications.case_reference(requisition_id),
        step=step,
    )


@shared_task(**RETRYING)
def vendor_notify(
    self: Task[Any, Any],
    invitation_id: int,
    step: str,
    token: str,
    item_id: int | None,
    delivery_key: str | None = None,
) -> list[str]:
    """E-mail an invited vendor (the invitation with its link, a clarification, an amendment, its bid's
    receipt, the outcome), in the vendor's language."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[notifications.StepMail]:
        return notifications.vendor_mails(invitation_id=invitation_id, step=step, token=token, item_id=item_id)

    def send() -> list[str]:
        sent = notifications.send(mails(), delivery_key=key)
        if step == "outcome" and sent:
            services.outcome_sent_record(invitation_id=invitation_id)
        return sent

    return _sent_or_given_up(
        self,
        key=key,
        send=send,
        mails=mails,
        # The link's token opens the vendor's bid page: it is never written down (only its hash is stored).
        task_args=[invitation_id, step, "", item_id],
        reference=lambda: notifications.invitation_reference(invitation_id),
        step=step,
    )


@shared_task(**RETRYING)
def order_pdf_store(self: Task[Any, Any], order_id: int, delivery_key: str | None = None) -> list[str]:
    """Render an issued order's PDF (or revision's), store it, and e-mail it to the vendor in its language.

    Safe to run twice: a PDF already stored is sent as stored, and the vendor
    gets the e-mail once per task.
    """
    key = delivery_key or self.request.id or ""
    order = PurchaseOrder.objects.select_related("requisition").filter(pk=order_id).first()
    if order is None:
        return []
    content = _stored(order)
    if content is None:
        content = pdf.order_pdf(order)
        services.order_pdf_save(order=order, content=content)

    def mails() -> list[notifications.StepMail]:
        return notifications.order_mails(order=order, content=content)

    return _sent_or_given_up(
        self,
        key=key,
        send=lambda: notifications.send(mails(), delivery_key=key),
        mails=mails,
        task_args=[order_id],
        reference=lambda: order.display_number,
        step="order",
    )


def _stored(order: PurchaseOrder) -> bytes | None:
    if not order.pdf:
        return None
    try:
        with order.pdf.open("rb") as handle:
            return handle.read()  # type: ignore[no-any-return]
    except (FileNotFoundError, OSError):
        return None
