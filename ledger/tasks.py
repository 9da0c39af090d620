"""Celery tasks for SLA clocks: thin, safe to run twice; each calls one service."""

from __future__ import annotations

from celery import shared_task

from . import notifications, services


@shared_task
def clocks_check() -> dict[str, int]:
    """Every minute (beat, public schema): record warnings and breaches of clocks that crossed a threshold."""
    return services.clocks_check()


@shared_task
def clocks_recompute(calendar_id: int) -> int:
    """A calendar changed: recompute the due times of the running clocks under it."""
    return services.clocks_recompute(calendar_id=calendar_id)


@shared_task
def sla_alert_send(clock_id: int, kind: str) -> int:
    """E-mail the assignee and the facility managers about a warning or a breach."""
    return notifications.sla_alert_send(clock_id=clock_id, kind=kind)
