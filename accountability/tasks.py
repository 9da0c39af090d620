"""Celery tasks of accountability: thin, safe to run twice; each calls one service.

Beat runs the two scheduled ones in the public schema, where accountability
lives (CELERY_BEAT_SCHEDULE in shared_platform/settings/base.py).
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

# A worker discovers tasks.py modules only: the e-mails of service reports and change requests live beside
# their notifications, as quality's do.
from . import (
    notifications_changes,  # noqa: F401
    notifications_reports,  # noqa: F401
)


@shared_task
def scorecards_refresh_task() -> int:
    """Every 15 minutes: the current and previous month's scorecards from the ledger, billing and quality."""
    from .services.scorecards import scorecards_refresh_recent

    return scorecards_refresh_recent(now=timezone.now())


@shared_task
def accountability_daily_task() -> dict[str, int]:
    """Daily: the whole year's scorecards, then the monthly service reports on the first working day."""
    from .services.reports import service_reports_monthly_run
    from .services.scorecards import scorecards_refresh_year

    now = timezone.now()
    return {"cells": scorecards_refresh_year(now=now), "reports": service_reports_monthly_run(now=now)}


@shared_task
def evidence_pack_build_task(pack_id: int) -> None:
    """Assemble an evidence pack the agency asked for (the page polls its progress)."""
    from .services.evidence import evidence_pack_build

    evidence_pack_build(pack_id=pack_id)
