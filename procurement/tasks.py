"""Celery tasks for procurement: thin, safe to run twice; each calls one function.

They are queued by the services with `enqueue_after_commit`, which records the
agency's schema; tenant-schemas-celery runs each task in that schema.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from notifications import mail
from notifications.mail import RETRYING, StepMail, sent_or_given_up

from . import notifications, pdf, services
from .models import PurchaseOrder
from .notifications_receiving import invoice_held_notify  # noqa: F401 - registered with the worker from here


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

    def mails() -> list[StepMail]:
        return notifications.case_mails(requisition_id=requisition_id, step=step, actor_id=actor_id, detail=detail)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
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

    def mails() -> list[StepMail]:
        return notifications.vendor_mails(invitation_id=invitation_id, step=step, token=token, item_id=item_id)

    def send() -> list[str]:
        sent = mail.send(mails(), delivery_key=key)
        if step == "outcome" and sent:
            services.outcome_sent_record(invitation_id=invitation_id)
        return sent

    return sent_or_given_up(
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

    def mails() -> list[StepMail]:
        return notifications.order_mails(order=order, content=content)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
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
