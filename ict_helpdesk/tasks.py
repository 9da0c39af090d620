"""Celery tasks for the helpdesk: thin, safe to run twice; each calls one function."""

from __future__ import annotations

from celery import shared_task

from . import notifications, services


@shared_task
def ticket_notify(ticket_id: int, step: str, actor_id: int | None, message_id: int | None) -> list[str]:
    """E-mail the requester and the assignee about one step (queued in the ticket's agency schema)."""
    return notifications.ticket_notify(ticket_id=ticket_id, step=step, actor_id=actor_id, message_id=message_id)


@shared_task
def tickets_close_resolved() -> int:
    """Every 15 minutes (beat, public schema): close resolved tickets whose reopening period has passed."""
    return services.tickets_close_resolved()
