"""The e-mail about a held supplier invoice: to the agency's finance officers, each in their language.

A mismatch in the three-way match holds the vendor's invoice; the agency's finance officers (but not the
one who recorded it, who saw the reasons on the page) hear of it with the reasons, worded in their own
language from the facts the invoice keeps. The task is thin and safe to run twice: each address is written
to once per task (notifications.mail), and a task the worker gives up on becomes a FailedNotification.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, User
from notifications import mail
from notifications.mail import RETRYING, StepMail, sent_or_given_up
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import agency_url
from tenants.models import Agency

from .models import SupplierInvoice
from .receiving_selectors import hold_reasons_text

HELD_SUBJECT = _("Invoice %(number)s held: purchase order %(order)s")


def _finance_officers(agency: Agency) -> list[User]:
    members = Membership.objects.filter(role=Role.AGENCY_FINANCE, agency=agency).values("user_id")
    return list(User.objects.filter(pk__in=members, is_active=True).exclude(email="").order_by("pk"))


def invoice_held_mails(*, invoice_id: int) -> list[StepMail]:
    """One e-mail per finance officer of the agency, in their language, with the reasons of the hold."""
    invoice = SupplierInvoice.objects.select_related("vendor", "recorded_by").filter(pk=invoice_id).first()
    if invoice is None:
        return []
    agency = Agency.objects.get(schema_name=connection.schema_name)  # type: ignore[attr-defined]
    link = agency_url(agency, reverse("procurement:invoice", args=[invoice.pk], urlconf=settings.ROOT_URLCONF))
    mails = []
    for person in _finance_officers(agency):
        if person.pk == invoice.recorded_by_id:
            continue
        with in_language_of(person):
            subject = single_line(
                HELD_SUBJECT % {"number": invoice.vendor_invoice_number, "order": invoice.order_number}
            )
            body = render_to_string(
                "procurement/mail/receiving_invoice_held.txt",
                {"invoice": invoice, "reasons": hold_reasons_text(invoice), "link": link},
            )
        mails.append(StepMail(to=person.email, subject=subject, body=body))
    return mails


@shared_task(**RETRYING)
def invoice_held_notify(self: Task[Any, Any], invoice_id: int, delivery_key: str | None = None) -> list[str]:
    """E-mail the agency's finance officers that a supplier invoice is held (queued in the agency's schema)."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[StepMail]:
        return invoice_held_mails(invoice_id=invoice_id)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
        mails=mails,
        task_args=[invoice_id],
        reference=lambda: (
            SupplierInvoice.objects.filter(pk=invoice_id).values_list("order_number", flat=True).first() or ""
        ),
        step="invoice_held",
    )
