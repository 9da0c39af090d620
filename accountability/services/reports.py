"""Placeholder: the service-report builder replaces this module."""

from __future__ import annotations

from datetime import datetime


def service_reports_monthly_run(*, now: datetime) -> int:
    return 0
