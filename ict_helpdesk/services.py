"""Writes for ICT tickets: every step of a ticket, from raising it to the survey.

The rules (PRODUCT.md, "ICT helpdesk"; issue 4):

- A ticket is an incident (billed as ICT-INC) or a service request (ICT-REQ);
  its priority comes from the impact x urgency matrix and sets its SLA targets.
- Its status, assignee, priority and clocks are its ledger entry's, moved only
  by `ledger.services` and its one transition table: new -> open -> pending
  <-> open -> resolved -> closed, and reopen back to open.
- The first public reply by an agent stops the first-response clock; pending
  pauses the clocks; resolving stops them; reopening resumes resolution.
- Internal notes are written by agents only and never reach the requester.
- A resolved ticket records one billable unit on the ledger, once, however
  often it is reopened and resolved again.
- The requester may reopen within HELPDESK_REOPEN_DAYS of resolution and rate
  the service once (1-5 and a comment).
- Each step e-mails the requester and the assignee, after commit, from the worker.

Every function here runs with the connection in the ticket's agency schema
(`django_tenants.utils.schema_context`); the ledger rows it changes are in the
public schema, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from ledger import services as ledger
from ledger.models import EntryStatus, Holder, LedgerEntry
from quality.services import feedback as quality_feedback
from service_levels.models import Category, Impact, Metric, Module, Service, Urgency
from service_levels.selectors import priority_for
from shared_platform import limits
from shared_platform.attachments import CheckedUpload, upload_check, uploads_check
from shared_platform.attachments import attachment_name as attachment_name  # where the helpdesk's callers find it
from shared_platform.errors import ApplicationError
from shared_platform.plain_text import single_line
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from .models import SERVICE_OF_KIND, Attachment, Message, Survey, Ticket, TicketKind
from .selectors import is_helpdesk_agent, may_see_ticket


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _in_schema_of(agency: Agency) -> None:
    if connection.schema_name != agency.schema_name:  # type: ignore[attr-defined]
        raise RuntimeError(f"Ticket services run in the agency's schema ({agency.schema_name}).")


def _agent_check(actor: User) -> None:
    if not is_helpdesk_agent(user=actor):
        raise ApplicationError(
            gettext("Only the facility's ICT agents may do this."), code="helpdesk.agents_only", status_code=403
        )


def _notify(ticket: Ticket, step: str, *, actor: User | None, message: Message | None = None) -> None:
    from .tasks import ticket_notify

    if ledger.alerts_are_muted():
        return
    enqueue_after_commit(ticket_notify, ticket.pk, step, actor.pk if actor else None, message.pk if message else None)


def _entry(ticket: Ticket) -> LedgerEntry:
    return LedgerEntry.objects.select_related("agency", "service", "assignee").get(pk=ticket.entry_id)


def _text(value: str, *, field: str, required: str, limit: int | None = None) -> str:
    """The text, stripped; `required` is the whole sentence said when it is empty (already translated)."""
    value = (value or "").strip()
    if not value:
        raise ApplicationError(required, code="helpdesk.invalid", fields={field: [required]})
    if limit is not None and len(value) > limit:
        message = ngettext(
            "At most %(limit)d character (this text has %(length)d).",
            "At most %(limit)d characters (this text has %(length)d).",
            limit,
        ) % {"limit": limit, "length": len(value)}
        raise ApplicationError(message, code="helpdesk.invalid", fields={field: [message]})
    return value


# -- attachments ------------------------------------------------------------------


def attachment_check(upload: UploadedFile) -> CheckedUpload:
    """Refuse a file that is too big (HELPDESK_ATTACHMENT_MAX_BYTES), of a kind not allowed, or whose content
    does not match its name (`shared_platform.attachments`, with the helpdesk's codes: `helpdesk.attachment_*`).

    Returns the safe file name and its content type.
    """
    return upload_check(upload, code_prefix="helpdesk", max_bytes=settings.HELPDESK_ATTACHMENT_MAX_BYTES)


def _attachments_check(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, CheckedUpload]]:
    return uploads_check(
        files,
        code_prefix="helpdesk",
        max_count=settings.HELPDESK_ATTACHMENTS_PER_MESSAGE,
        max_bytes=settings.HELPDESK_ATTACHMENT_MAX_BYTES,
    )


def _attach(
    ticket: Ticket,
    checked: list[tuple[UploadedFile, CheckedUpload]],
    *,
    by: User,
    at: datetime,
    message: Message | None = None,
) -> None:
    for upload, (name, content_type) in checked:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            name=name,
            content_type=content_type,
            size=upload.size or 0,
            internal=bool(message and message.internal),
            uploaded_by=by,
            uploaded_at=at,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()


# -- raising a ticket -----------------------------------------------------------------


@transaction.atomic
def ticket_raise(
    *,
    agency: Agency,
    requester: User,
    kind: str,
    category: Category,
    impact: str,
    urgency: str,
    subject: str,
    description: str,
    files: Sequence[UploadedFile] = (),
    at: datetime | None = None,
) -> Ticket:
    """An agency's person asks the facility for help; the ticket goes on the ledger and its clocks start.

    The agreement in force must include the kind's service (ICT-INC or
    ICT-REQ), else `sla.service_not_in_agreement`.
    """
    _in_schema_of(agency)
    at = _now(at)
    if kind not in TicketKind.values:
        raise ApplicationError(
            gettext("Unknown kind of ticket “%(kind)s”.") % {"kind": kind},
            code="helpdesk.invalid",
            fields={"kind": [gettext("Unknown.")]},
        )
    if category.module != Module.ICT or not category.is_active:
        raise ApplicationError(
            gettext("%(category)s is not an ICT category offered now.") % {"category": category.name},
            code="helpdesk.invalid",
            fields={"category": [gettext("Choose one of the ICT categories offered.")]},
        )
    for field, value, choices, message in (
        ("impact", impact, Impact, gettext("Impact is high, medium or low.")),
        ("urgency", urgency, Urgency, gettext("Urgency is high, medium or low.")),
    ):
        if value not in choices.values:
            raise ApplicationError(message, code="helpdesk.invalid", fields={field: [gettext("Unknown.")]})
    # The subject goes into e-mail headers and the public ledger's title: one line, no control characters.
    subject = _text(
        single_line(subject), field="subject", required=gettext("A subject is required."), limit=limits.NAME
    )
    description = _text(
        description, field="description", required=gettext("A description is required."), limit=limits.LONG_TEXT
    )
    checked = _attachments_check(files)
    service = Service.objects.get(code=SERVICE_OF_KIND[TicketKind(kind)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Ticket._meta.db_table])
        (number,) = cursor.fetchone()
    reference = f"{agency.code}-ICT-{number:06d}"
    entry = ledger.entry_open(
        agency=agency,
        service=service,
        reference=reference,
        title=subject,
        priority=priority_for(impact=impact, urgency=urgency),
        category=category,
        requester=requester,
        opened_at=at,
        detail_id=number,
    )
    ticket = Ticket.objects.create(
        id=number,
        reference=reference,
        entry=entry,
        kind=kind,
        category=category,
        impact=impact,
        urgency=urgency,
        subject=subject,
        description=description,
        requester=requester,
        created_at=at,
    )
    _attach(ticket, checked, by=requester, at=at)
    _notify(ticket, "raised", actor=None)
    return ticket


# -- agents take and assign -------------------------------------------------------------


@transaction.atomic
def ticket_take(*, ticket: Ticket, agent: User, at: datetime | None = None) -> Ticket:
    """An agent takes a ticket. Of two agents taking it at the same moment, exactly one gets it.

    The ledger row is locked first; the second agent then finds it taken and
    is told by whom (`helpdesk.already_taken`). Taking one's own ticket again
    changes nothing.
    """
    _agent_check(agent)
    # Lock the ledger row alone: joined in the same query, the assignee could be read from before the wait.
    entry = LedgerEntry.objects.select_for_update().get(pk=ticket.entry_id)
    if entry.assignee_id == agent.pk:
        return ticket
    if entry.assignee_id is not None:
        holder = User.objects.get(pk=entry.assignee_id)
        raise ApplicationError(
            gettext("%(reference)s has just been taken by %(agent)s.")
            % {"reference": ticket.reference, "agent": holder.get_full_name() or holder.email},
            code="helpdesk.already_taken",
            status_code=409,
        )
    if entry.status not in (EntryStatus.NEW, EntryStatus.OPEN, EntryStatus.PENDING):
        raise ApplicationError(
            gettext("%(reference)s is %(status)s; there is nothing to take.")
            % {"reference": ticket.reference, "status": str(entry.get_status_display()).lower()},
            code="ledger.illegal_transition",
            status_code=409,
        )
    ledger.entry_assign(entry=entry, assignee=agent, at=_now(at), actor=agent)
    _notify(ticket, "assigned", actor=agent)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User, actor: User, at: datetime | None = None) -> Ticket:
    """Give the ticket to an agent (or move it to another one)."""
    _agent_check(actor)
    if not is_helpdesk_agent(user=assignee):
        raise ApplicationError(
            gettext("%(person)s is not one of the facility's ICT agents.") % {"person": assignee.email},
            code="helpdesk.invalid",
            fields={"assignee": [gettext("Choose an ICT agent.")]},
        )
    entry = LedgerEntry.objects.select_for_update().get(pk=ticket.entry_id)
    if entry.status not in (EntryStatus.NEW, EntryStatus.OPEN, EntryStatus.PENDING):
        raise ApplicationError(
            gettext("%(reference)s is %(status)s; it cannot be assigned.")
            % {"reference": ticket.reference, "status": str(entry.get_status_display()).lower()},
            code="ledger.illegal_transition",
            status_code=409,
        )
    if entry.assignee_id == assignee.pk:
        return ticket
    ledger.entry_assign(entry=entry, assignee=assignee, at=_now(at), actor=actor)
    _notify(ticket, "assigned", actor=actor)
    return ticket


# -- the conversation -----------------------------------------------------------------------


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile] = (),
    at: datetime | None = None,
) -> Message:
    """A public reply or an internal note.

    - An agent's first public reply stops the first-response clock; an agent
      replying to a ticket nobody has taken takes it.
    - Internal notes are for agents only.
    - The requester's reply to a ticket pending on them resumes its clocks.
    """
    at = _now(at)
    body = _text(body, field="body", required=gettext("A message is required."), limit=limits.LONG_TEXT)
    entry = LedgerEntry.objects.select_for_update().get(pk=ticket.entry_id)
    if entry.status in (EntryStatus.CLOSED, EntryStatus.CANCELLED):
        raise ApplicationError(
            gettext("%(reference)s is %(status)s; raise a new ticket instead.")
            % {"reference": ticket.reference, "status": str(entry.get_status_display()).lower()},
            code="helpdesk.ticket_closed",
            status_code=409,
        )
    agent = is_helpdesk_agent(user=author)
    if not agent:
        if not may_see_ticket(user=author, ticket=ticket):
            raise ApplicationError(
                gettext("You cannot reply to this ticket."), code="helpdesk.not_yours", status_code=403
            )
        if internal:
            raise ApplicationError(
                gettext("Only the facility's agents write internal notes."),
                code="helpdesk.agents_only",
                status_code=403,
            )
    checked = _attachments_check(files)
    message = Message.objects.create(
        ticket=ticket, author=author, by_agent=agent, internal=internal, body=body, created_at=at
    )
    _attach(ticket, checked, by=author, at=at, message=message)
    if agent and not internal:
        if entry.assignee_id is None and entry.status == EntryStatus.NEW:
            ledger.entry_assign(entry=entry, assignee=author, at=at, actor=author)
        if ticket.first_agent_reply_at is None:
            ticket.first_agent_reply_at = at
            ticket.save(update_fields=["first_agent_reply_at"])
            ledger.clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=at, actor=author)
    if not agent and entry.status == EntryStatus.PENDING and entry.held_by == Holder.REQUESTER:
        ledger.entry_resume(entry=entry, at=at, actor=author)
    _notify(ticket, "note" if internal else "reply", actor=author, message=message)
    return message


@transaction.atomic
def ticket_reprioritise(
    *, ticket: Ticket, actor: User, impact: str, urgency: str, reason: str, at: datetime | None = None
) -> Ticket:
    """An agent corrects impact or urgency, saying why; the new priority brings its targets to the running clocks."""
    _agent_check(actor)
    reason = _text(reason, field="reason", required=gettext("A reason is required."), limit=200)
    priority = priority_for(impact=impact, urgency=urgency)
    ledger.entry_reprioritise(
        entry=_entry(ticket),
        priority=priority,
        reason=f"impact {impact}, urgency {urgency}; {reason}",
        at=_now(at),
        actor=actor,
    )
    ticket.impact, ticket.urgency = impact, urgency
    ticket.save(update_fields=["impact", "urgency"])
    _notify(ticket, "reprioritised", actor=actor)
    return ticket


# -- pending, resolved, reopened, closed ---------------------------------------------------------


@transaction.atomic
def ticket_pending(*, ticket: Ticket, actor: User, waiting_on: str, reason: str, at: datetime | None = None) -> Ticket:
    """The agent waits on the requester (or a supplier): the clocks pause and the due times move by the wait."""
    _agent_check(actor)
    reason = _text(reason, field="reason", required=gettext("Say what you are waiting for."), limit=200)
    ledger.entry_pause(entry=_entry(ticket), waiting_on=waiting_on, at=_now(at), actor=actor, reason=reason)
    _notify(ticket, "pending", actor=actor)
    return ticket


@transaction.atomic
def ticket_resume(*, ticket: Ticket, actor: User, at: datetime | None = None) -> Ticket:
    _agent_check(actor)
    ledger.entry_resume(entry=_entry(ticket), at=_now(at), actor=actor)
    _notify(ticket, "resumed", actor=actor)
    return ticket


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor: User, resolution_note: str, at: datetime | None = None) -> Ticket:
    """The agent resolved it: every clock stops and one ticket is billable, recorded once.

    The e-mail to the requester carries the link to the survey.
    """
    _agent_check(actor)
    at = _now(at)
    resolution_note = _text(
        resolution_note,
        field="resolution_note",
        required=gettext("A resolution note is required."),
        limit=limits.LONG_TEXT,
    )
    entry = ledger.entry_resolve(entry=_entry(ticket), at=at, actor=actor, note="")
    ledger.entry_billable_record(entry=entry, units=Decimal("1"), at=at, actor=actor)
    ticket.resolution_note = resolution_note
    ticket.save(update_fields=["resolution_note"])
    _notify(ticket, "resolved", actor=actor)
    return ticket


def reopen_deadline(entry: LedgerEntry) -> datetime | None:
    if entry.completed_at is None:
        return None
    return entry.completed_at + timedelta(days=settings.HELPDESK_REOPEN_DAYS)


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor: User, reason: str, at: datetime | None = None) -> Ticket:
    """Not fixed after all: within HELPDESK_REOPEN_DAYS of resolution the ticket opens again.

    The resolution clock resumes where it stopped; first response is not reset;
    the ticket stays billed once.
    """
    at = _now(at)
    if not is_helpdesk_agent(user=actor) and not may_see_ticket(user=actor, ticket=ticket):
        raise ApplicationError(gettext("You cannot reopen this ticket."), code="helpdesk.not_yours", status_code=403)
    reason = _text(reason, field="reason", required=gettext("Say what is still wrong."), limit=200)
    entry = _entry(ticket)
    deadline = reopen_deadline(entry)
    if entry.status == EntryStatus.RESOLVED and deadline is not None and at > deadline:
        raise ApplicationError(
            ngettext(
                "%(reference)s was resolved more than %(days)d day ago; please raise a new ticket.",
                "%(reference)s was resolved more than %(days)d days ago; please raise a new ticket.",
                settings.HELPDESK_REOPEN_DAYS,
            )
            % {"reference": ticket.reference, "days": settings.HELPDESK_REOPEN_DAYS},
            code="helpdesk.reopen_period_over",
            status_code=409,
        )
    ledger.entry_reopen(entry=entry, at=at, actor=actor, reason=reason)
    _notify(ticket, "reopened", actor=actor)
    return ticket


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor: User | None, at: datetime | None = None) -> Ticket:
    """Closed for good: by an agent, by the requester confirming the fix, or by the platform after the reopen period."""
    if actor is not None and not is_helpdesk_agent(user=actor) and not may_see_ticket(user=actor, ticket=ticket):
        raise ApplicationError(gettext("You cannot close this ticket."), code="helpdesk.not_yours", status_code=403)
    ledger.entry_close(entry=_entry(ticket), at=_now(at), actor=actor)
    _notify(ticket, "closed", actor=actor)
    return ticket


def tickets_close_resolved(*, now: datetime | None = None) -> int:
    """Close every resolved ticket, in every agency, whose reopening period has passed; returns how many.

    One query over the public ledger finds them; each is closed in its agency's schema.
    """
    from django_tenants.utils import schema_context

    now = _now(now)
    due = (
        LedgerEntry.objects.filter(
            module=Module.ICT,
            status=EntryStatus.RESOLVED,
            completed_at__lt=now - timedelta(days=settings.HELPDESK_REOPEN_DAYS),
            detail_id__isnull=False,
        )
        .select_related("agency")
        .order_by("completed_at")[:500]
    )
    closed = 0
    for entry in due:
        with schema_context(entry.agency.schema_name):
            ticket = Ticket.objects.filter(entry_id=entry.pk).first()
            if ticket is None:
                continue
            try:
                ticket_close(ticket=ticket, actor=None, at=now)
            except ApplicationError:
                continue  # reopened in the meantime
            closed += 1
    return closed


# -- the survey --------------------------------------------------------------------------------


@transaction.atomic
def ticket_rate(
    *, ticket: Ticket, score: int, comment: str = "", by: User | None, at: datetime | None = None
) -> Survey:
    """The requester's satisfaction, once per ticket, once it is resolved (ISO 9001 clause 9.1.2).

    `by` is None when the survey is answered through the signed link of the
    resolution e-mail; the link's signature stands for the requester.
    """
    at = _now(at)
    if by is not None and not may_see_ticket(user=by, ticket=ticket):
        raise ApplicationError(gettext("You cannot rate this ticket."), code="helpdesk.not_yours", status_code=403)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ApplicationError(
            gettext("A rating is a whole number from 1 to 5."),
            code="helpdesk.invalid",
            fields={"score": [gettext("From 1 to 5.")]},
        )
    if Survey.objects.filter(ticket=ticket).exists():
        raise ApplicationError(
            gettext("%(reference)s has already been rated; thank you.") % {"reference": ticket.reference},
            code="helpdesk.already_rated",
            status_code=409,
        )
    comment = (comment or "").strip()
    if len(comment) > limits.SHORT_TEXT:
        message = gettext("A comment is at most %(limit)d characters (this one has %(length)d).") % {
            "limit": limits.SHORT_TEXT,
            "length": len(comment),
        }
        raise ApplicationError(message, code="helpdesk.invalid", fields={"comment": [message]})
    entry = ledger.entry_rate(entry=_entry(ticket), score=score, at=at, actor=by)
    quality_feedback.feedback_record(entry=entry, rating=score, comment=comment, at=at)
    try:
        with transaction.atomic():
            survey = Survey.objects.create(ticket=ticket, score=score, comment=comment, answered_at=at, answered_by=by)
    except IntegrityError:
        raise ApplicationError(
            gettext("%(reference)s has already been rated; thank you.") % {"reference": ticket.reference},
            code="helpdesk.already_rated",
            status_code=409,
        ) from None
    return survey
