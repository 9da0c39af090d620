"""Reads for the helpdesk: who may see what, an agency's tickets, the facility's queue, survey links.

An agency's tickets are read in its schema (joined to their public ledger
rows); the facility's queue is one query over the public ledger, whatever
the number of agencies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import connection
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext, ngettext
from django_tenants.utils import schema_context

from accounts.models import FACILITY_ROLES, Role, User
from accounts.selectors import facility_roles, sees_whole_agency
from ledger.models import OPEN_STATUSES, ClockState, LedgerEntry
from ledger.selectors import raised_by_or_names
from service_levels.models import Module
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from .models import Attachment, Message, Ticket

__all__ = ["sees_whole_agency"]  # the one visibility rule, re-exported for the helpdesk's pages and API

# Who works tickets (reply, take, resolve): the ICT agents, and the facility manager who stands in for them.
HELPDESK_AGENT_ROLES = frozenset({Role.ICT_AGENT, Role.FACILITY_MANAGER})


def is_helpdesk_agent(*, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or facility_roles(user) & HELPDESK_AGENT_ROLES)


def is_helpdesk_reader(*, user: User | AnonymousUser) -> bool:
    """Any of the facility's staff (the auditor too) reads the queue and every ticket; only agents act."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or facility_roles(user) & FACILITY_ROLES)


def may_see_ticket(*, user: User | AnonymousUser, ticket: Ticket) -> bool:
    """On the agency's side, the one visibility rule (accounts.selectors.sees_whole_agency): the requester,
    someone the ticket's ledger row names, or an approver or finance officer of the ticket's agency."""
    if not user.is_authenticated:
        return False
    if ticket.requester_id == user.pk:
        return True
    entry = LedgerEntry.objects.select_related("agency").filter(pk=ticket.entry_id).first()
    if entry is None:
        return False
    return sees_whole_agency(user=user, agency=entry.agency) or entry.named_people.filter(user=user).exists()


# -- an agency's tickets (in its schema) ---------------------------------------------------------


@dataclass(frozen=True)
class TicketFilters:
    status: str = ""  # "" every status; "open": new, open or pending; else one status
    mine_only: bool = True
    search: str = ""


def ticket_list(*, user: User, agency: Agency, filters: TicketFilters | None = None) -> QuerySet[Ticket]:
    """The tickets a person sees on their agency's address, newest first.

    Each carries `next_due`, the earliest due time of its running clocks (past
    when a clock ran out; None while pending or once resolved), and `due_zone`,
    the time zone of its agreement's calendar. A search finds the reference,
    words of the subject or description, and words of the public replies;
    internal notes are never searched here (the requester never sees them).
    """
    filters = filters or TicketFilters()
    # Everything a list row shows, in one query: a lookup per row would cost two round trips each
    # in an agency's schema (django-tenants sets the search path before every query).
    tickets = Ticket.objects.select_related(
        "entry", "entry__agency", "entry__service", "entry__assignee", "category", "requester"
    )
    if filters.mine_only or not sees_whole_agency(user=user, agency=agency):
        tickets = tickets.filter(raised_by_or_names(user, prefix="entry__"))
    if filters.status == "open":
        tickets = tickets.filter(entry__status__in=OPEN_STATUSES)
    elif filters.status:
        tickets = tickets.filter(entry__status=filters.status)
    if filters.search:
        public_reply = Message.objects.filter(ticket=OuterRef("pk"), internal=False, body__icontains=filters.search)
        tickets = tickets.filter(
            Q(subject__icontains=filters.search)
            | Q(description__icontains=filters.search)
            | Q(reference__iexact=filters.search)
            | Exists(public_reply)
        )
    tickets = tickets.annotate(
        next_due=Min("entry__clocks__due_at", filter=Q(entry__clocks__state=ClockState.RUNNING)),
        due_zone=F("entry__agreement__calendar__time_zone"),
    )
    return tickets.order_by("-created_at", "-pk")


def ticket_get(*, reference: str) -> Ticket | None:
    """The ticket with this reference in the current schema (None if this agency has none such)."""
    return (
        Ticket.objects.select_related(
            "entry",
            "entry__assignee",
            "entry__agency",
            "entry__service",
            "entry__agreement__calendar",
            "category",
            "requester",
        )
        .filter(reference=reference)
        .first()
    )


def conversation(*, ticket: Ticket, include_internal: bool) -> list[Message]:
    """The replies (and, for agents only, the internal notes), oldest first, with their attachments."""
    messages = Message.objects.filter(ticket=ticket).select_related("author").prefetch_related("attachments")
    if not include_internal:
        messages = messages.filter(internal=False)
    return list(messages.order_by("created_at", "pk"))


def attachments(*, ticket: Ticket, include_internal: bool) -> QuerySet[Attachment]:
    files = Attachment.objects.filter(ticket=ticket)
    if not include_internal:
        files = files.filter(internal=False)
    return files.order_by("uploaded_at", "pk")


# -- the facility's queue (public ledger) --------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    agency: Agency | None = None
    category_id: int | None = None
    priority: str = ""
    status: str = "active"  # "active": new, open or pending; "" every status; else one status
    assignee: str = ""  # "" anyone; "none" nobody yet; else a user id
    search: str = ""


def queue(*, filters: QueueFilters | None = None) -> QuerySet[LedgerEntry]:
    """ICT tickets across every agency, the most urgent first: by the earliest due time of a running clock.

    Tickets whose clocks are paused (pending) come after those still running.
    """
    filters = filters or QueueFilters()
    entries = LedgerEntry.objects.filter(module=Module.ICT).select_related("agency", "category", "assignee", "service")
    if filters.agency is not None:
        entries = entries.filter(agency=filters.agency)
    if filters.category_id:
        entries = entries.filter(category_id=filters.category_id)
    if filters.priority:
        entries = entries.filter(priority=filters.priority)
    if filters.status == "active":
        entries = entries.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        entries = entries.filter(status=filters.status)
    if filters.assignee == "none":
        entries = entries.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        entries = entries.filter(assignee_id=int(filters.assignee))
    if filters.search:
        entries = entries.filter(
            Q(reference__iexact=filters.search)
            | Q(title__icontains=filters.search)
            | Q(pk__in=conversation_matches(search=filters.search, agency=filters.agency))
        )
    entries = entries.annotate(
        next_due=Min("clocks__due_at", filter=Q(clocks__state=ClockState.RUNNING, clocks__breached_at__isnull=True)),
        overdue_since=Min(
            "clocks__due_at", filter=Q(clocks__state=ClockState.RUNNING, clocks__breached_at__isnull=False)
        ),
    )
    return entries.order_by("overdue_since", "next_due", "-opened_at")  # PostgreSQL sorts NULLs last in ascending order


def conversation_matches(*, search: str, agency: Agency | None = None) -> list[int]:
    """The ledger entries of the tickets whose description, replies or internal notes contain the words.

    For the facility's agents only (internal notes included). The conversations
    are in the agencies' schemas, so this is one statement over all of them
    (a UNION ALL, one arm per agency), run only when an agent searches, never a
    query per agency; the queue itself stays one query on the public ledger.
    """
    agencies = Agency.objects.agencies() if agency is None else Agency.objects.filter(pk=agency.pk)
    names = [name for name in agencies.values_list("schema_name", flat=True) if name]
    if not names or not search:
        return []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Only schemas that hold tickets (an agency whose schema is still being copied has none yet).
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'ict_helpdesk_message' AND table_schema = ANY(%s) ORDER BY table_schema",
            [names],
        )
        schemas = [row[0] for row in cursor.fetchall()]
    if not schemas:
        return []
    arms = [
        f"SELECT t.entry_id FROM {quote(schema)}.ict_helpdesk_ticket t WHERE t.description ILIKE %s "
        f"UNION ALL SELECT t.entry_id FROM {quote(schema)}.ict_helpdesk_ticket t "
        f"JOIN {quote(schema)}.ict_helpdesk_message m ON m.ticket_id = t.id WHERE m.body ILIKE %s"
        for schema in schemas
    ]
    pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(f"({arm})" for arm in arms), [pattern] * (2 * len(schemas)))
        return [row[0] for row in cursor.fetchall()]


def queue_entry(*, reference: str) -> LedgerEntry | None:
    """An ICT ticket's ledger row, found by its reference across agencies (references carry the agency code)."""
    return (
        LedgerEntry.objects.filter(module=Module.ICT, reference=reference, detail_id__isnull=False)
        .select_related("agency")
        .first()
    )


@contextmanager
def agency_ticket(*, reference: str) -> Iterator[Ticket]:
    """A ticket found from the facility portal: its ledger row says whose it is, and the connection
    stays in that agency's schema for as long as the caller needs the ticket. 404 if there is none.
    """
    entry = queue_entry(reference=reference)
    if entry is None:
        raise Http404("No such ticket.")
    with schema_context(entry.agency.schema_name):
        ticket = ticket_get(reference=reference)
        if ticket is None:
            raise Http404("No such ticket.")
        yield ticket


def agents() -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True, memberships__agency__isnull=True, memberships__role__in=HELPDESK_AGENT_ROLES
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


# -- survey links ------------------------------------------------------------------------------


SURVEY_SALT = "ict_helpdesk.survey"


def survey_token(*, ticket: Ticket, schema_name: str) -> str:
    """The signed part of the survey link in the resolution e-mail: names the agency and the ticket."""
    return signing.dumps({"schema": schema_name, "ticket": ticket.pk}, salt=SURVEY_SALT, compress=True)


def survey_ticket(*, token: str, schema_name: str) -> Ticket:
    """The ticket a survey link is for, if the link is genuine, recent and for this agency's address."""
    try:
        payload = signing.loads(token, salt=SURVEY_SALT, max_age=settings.HELPDESK_SURVEY_DAYS * 86400)
    except signing.SignatureExpired:
        raise ApplicationError(
            ngettext(
                "This survey link has expired (links last %(days)d day); you can still rate the ticket from its page.",
                "This survey link has expired (links last %(days)d days); you can still rate the ticket from its page.",
                settings.HELPDESK_SURVEY_DAYS,
            )
            % {"days": settings.HELPDESK_SURVEY_DAYS},
            code="helpdesk.survey_link_expired",
        ) from None
    except signing.BadSignature:
        raise ApplicationError(
            gettext("This survey link is not valid. Please use the link from the e-mail, whole."),
            code="helpdesk.survey_link_invalid",
        ) from None
    ticket = None
    if isinstance(payload, dict) and payload.get("schema") == schema_name and isinstance(payload.get("ticket"), int):
        ticket = Ticket.objects.select_related("entry").filter(pk=payload["ticket"]).first()
    if ticket is None:
        raise ApplicationError(
            gettext("There is no such survey here."), code="helpdesk.survey_link_invalid", status_code=404
        )
    return ticket
