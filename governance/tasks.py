"""Background work for the board: closing motions whose closing time has passed."""

from __future__ import annotations

from celery import shared_task

from .services import motions_close_due


@shared_task
def motions_close_due_task() -> list[int]:
    """Run by beat in the public schema (settings CELERY_BEAT_SCHEDULE). Safe to run twice at once."""
    return motions_close_due()
