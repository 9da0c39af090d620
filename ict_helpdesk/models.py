"""An agency's ICT tickets (agency schema): what was asked, the conversation, attachments and the survey.

The ticket's status, priority, assignee and SLA clocks are on its ledger entry
in the public schema (`ledger.LedgerEntry`), where the facility's queue reads
them across agencies; here is only what is private to the agency. The links to
public rows (ledger entry, category, people) are foreign keys without a
database constraint: an agency's schema is dropped on its own, and a schema
copied from the template must not carry constraints into another schema.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from service_levels.models import Impact, Urgency
from shared_platform import limits
from shared_platform.attachments import agency_file_path


class TicketKind(models.TextChoices):
    INCIDENT = "incident", _("Incident: something is broken")
    SERVICE_REQUEST = "request", _("Service request: something new is needed")


# Each kind is billed and measured as one catalogue service.
SERVICE_OF_KIND = {TicketKind.INCIDENT: "ICT-INC", TicketKind.SERVICE_REQUEST: "ICT-REQ"}


def _public(to: str, **options: Any) -> Any:
    """A link to a row in the public schema, without a database constraint (see above)."""
    return models.ForeignKey(to, db_constraint=False, related_name="+", **options)


class Ticket(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    entry = models.OneToOneField(
        "ledger.LedgerEntry",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("ledger entry"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TicketKind.choices)
    category = _public("service_levels.Category", on_delete=models.DO_NOTHING, verbose_name=_("category"))
    impact = models.CharField(_("impact"), max_length=6, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=6, choices=Urgency.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=limits.LONG_TEXT)
    requester = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("requester"))
    created_at = models.DateTimeField(_("raised at"))
    resolution_note = models.TextField(_("resolution note"), max_length=limits.LONG_TEXT, blank=True)
    first_agent_reply_at = models.DateTimeField(_("first agent reply at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The lists' order (newest first, then by number), so a page is read off the index.
            models.Index(fields=["requester", "-created_at", "-id"], name="ticket_requester_recent"),
            models.Index(fields=["-created_at", "-id"], name="ticket_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"


class Message(models.Model):
    """A public reply (the requester sees it) or an internal note (only the facility's agents do)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket"))
    author = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("author"))
    by_agent = models.BooleanField(
        _("by an agent"), help_text=_("Written by the facility (an agent), not by the agency.")
    )
    internal = models.BooleanField(_("internal note"), default=False)
    body = models.TextField(_("message"), max_length=limits.LONG_TEXT)
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # Only the facility writes internal notes.
            models.CheckConstraint(condition=~models.Q(internal=True, by_agent=False), name="internal_notes_by_agents")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {'note' if self.internal else 'reply'} at {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(attachment: Attachment, filename: str) -> str:
    """MEDIA_ROOT/<agency schema>/helpdesk/<ticket reference>/<random>/<name> (named in the migrations)."""
    return agency_file_path(module="helpdesk", folder=attachment.ticket.reference, name=filename)


class Attachment(models.Model):
    """A file on a ticket, kept in the agency's own storage and served only to those who may see the ticket.

    An attachment to an internal note is internal too.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket"))
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """The requester's satisfaction with a resolved ticket, given once (the score also goes on the ledger)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="survey", verbose_name=_("ticket"))
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), max_length=limits.SHORT_TEXT, blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    answered_by = _public(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True, verbose_name=_("answered by")
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="survey_one_to_five")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}/5"
