"""Platform-wide Celery tasks."""

from __future__ import annotations

from importlib import import_module
from typing import Any

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


def beat_run_once() -> dict[str, object]:
    """Run every entry of CELERY_BEAT_SCHEDULE once, now, in the schemas beat would run it in.

    The demo ends with it (so its data holds what the running system writes by
    itself: breaches recorded by the clock check with no person behind them,
    motions closed at their deadline, tickets closed after the reopen period),
    and the crawler's test starts from it. A new module's beat task is covered
    by adding it to the schedule; nothing here names a task.
    """
    from django.conf import settings
    from django_tenants.utils import schema_context

    from tenants.models import Agency

    from .celery import app

    results: dict[str, object] = {}
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    for name, entry in schedule.items():
        task_name: str = entry["task"]
        import_module(task_name.rsplit(".", 1)[0])  # a worker imports every app's tasks at start
        task = app.tasks[task_name]
        schemas = entry.get("tenant_schemas") or [agency.schema_name for agency in Agency.objects.agencies()]
        for schema in schemas:
            with schema_context(schema):
                results[f"{name}@{schema}"] = task.apply(
                    args=entry.get("args", ()), kwargs=entry.get("kwargs", {})
                ).get()
    return results
