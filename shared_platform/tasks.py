"""Platform-wide Celery tasks."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "health:beat-heartbeat"


@shared_task
def beat_heartbeat() -> str:
    """Run by beat every 30 seconds in the public schema; /healthz reads the time it left."""
    now = timezone.now().isoformat()
    cache.set(BEAT_HEARTBEAT_KEY, now, timeout=600)
    return now
