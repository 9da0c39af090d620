"""E-mails about a ticket's steps: to the requester and the assignee, never about internal notes to the requester."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.services import delivery_done, delivery_record
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import address_url, agency_url

from .models import Message, Ticket
from .selectors import survey_token

# Each step's subject, translated into each recipient's language when the e-mail is written.
SUBJECTS = {
    "raised": _("%(reference)s received: %(subject)s"),
    "assigned": _("%(reference)s is being handled by %(assignee)s"),
    "reply": _("%(reference)s: new reply"),
    "note": _("%(reference)s: internal note"),
    "reprioritised": _("%(reference)s: priority now %(priority)s"),
    "pending": _("%(reference)s is waiting on you"),
    "resumed": _("%(reference)s is in progress again"),
    "resolved": _("%(reference)s resolved: how did we do?"),
    "reopened": _("%(reference)s reopened"),
    "closed": _("%(reference)s closed"),
}
# Steps the requester never hears about: internal notes are the facility's own.
AGENT_ONLY_STEPS = frozenset({"note"})


@dataclass(frozen=True)
class StepMail:
    to: str
    subject: str
    body: str


def ticket_mails(*, ticket_id: int, step: str, actor_id: int | None, message_id: int | None) -> list[StepMail]:
    """The e-mails of one step, one per recipient (none if the ticket is gone). Runs in the ticket's agency schema.

    Each is written in its recipient's language (User.language; blank: the
    platform's English), subject and body alike, so a French-speaking
    requester and an English-speaking agent each read the step in their own.
    """
    ticket = (
        Ticket.objects.select_related("entry__agency", "entry__assignee", "requester", "category")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or step not in SUBJECTS:
        return []
    entry = ticket.entry
    message = Message.objects.filter(pk=message_id, ticket=ticket).first() if message_id else None
    requester_copy = step not in AGENT_ONLY_STEPS and not (message is not None and message.internal)
    recipients: list[tuple[User, bool]] = []  # (person, writes as requester)
    if requester_copy and ticket.requester.is_active and (ticket.requester_id != actor_id or step == "raised"):
        recipients.append((ticket.requester, True))
    assignee = entry.assignee
    if assignee is not None and assignee.is_active and assignee.pk != actor_id and assignee.pk != ticket.requester_id:
        recipients.append((assignee, False))
    mails = []
    for person, as_requester in recipients:
        with in_language_of(person):
            mails.append(_step_mail(ticket, step, message, person=person, as_requester=as_requester))
    return mails


def _step_mail(ticket: Ticket, step: str, message: Message | None, *, person: User, as_requester: bool) -> StepMail:
    """One recipient's e-mail, in the language active when called (ticket_mails sets the recipient's)."""
    entry = ticket.entry
    assignee = entry.assignee
    # One line whatever a person typed: a line break in a header makes Django refuse the message (BadHeaderError).
    subject = single_line(
        SUBJECTS[step]
        % {
            "reference": ticket.reference,
            "subject": ticket.subject,
            "assignee": (assignee.get_full_name() or assignee.email) if assignee else _("nobody yet"),
            "priority": entry.get_priority_display(),
        }
    )
    if as_requester:
        link = agency_url(
            entry.agency, reverse("helpdesk:ticket", args=[ticket.reference], urlconf=settings.ROOT_URLCONF)
        )
    else:
        link = address_url(
            settings.BASE_DOMAIN,
            reverse("helpdesk:agent-ticket", args=[ticket.reference], urlconf=settings.PUBLIC_SCHEMA_URLCONF),
        )
    survey_link = ""
    if as_requester and step == "resolved":
        survey_link = agency_url(
            entry.agency,
            reverse(
                "helpdesk:survey",
                args=[survey_token(ticket=ticket, schema_name=connection.schema_name)],  # type: ignore[attr-defined]
                urlconf=settings.ROOT_URLCONF,
            ),
        )
    body = render_to_string(
        "ict_helpdesk/notification.txt",
        {
            "ticket": ticket,
            "entry": entry,
            "step": step,
            "message": message,
            "link": link,
            "survey_link": survey_link,
            "for_requester": as_requester,
            "reopen_days": settings.HELPDESK_REOPEN_DAYS,
        },
    )
    return StepMail(to=person.email, subject=subject, body=body)


def ticket_notify(
    *, ticket_id: int, step: str, actor_id: int | None, message_id: int | None, delivery_key: str = ""
) -> list[str]:
    """Send the e-mails of one step; returns the addresses written to. Runs in the ticket's agency schema.

    `delivery_key` (the task's id) makes a second run of the same task skip
    the addresses already written to (notifications.services).
    """
    sent = []
    for mail in ticket_mails(ticket_id=ticket_id, step=step, actor_id=actor_id, message_id=message_id):
        if delivery_done(delivery_key=delivery_key, address=mail.to):
            continue
        send_mail(mail.subject, mail.body, None, [mail.to])
        delivery_record(delivery_key=delivery_key, address=mail.to)
        sent.append(mail.to)
    return sent


def ticket_reference(ticket_id: int) -> str:
    """The ticket's reference for a failure record ("" if it is gone)."""
    return Ticket.objects.filter(pk=ticket_id).values_list("reference", flat=True).first() or ""
