"""Placeholder: the scorecards builder replaces this module (refresh from the ledger, billing, quality)."""

from __future__ import annotations

from datetime import date, datetime


def scorecards_refresh(*, months: list[date], now: datetime) -> int:
    return 0


def scorecards_refresh_recent(*, now: datetime) -> int:
    return 0


def scorecards_refresh_year(*, now: datetime) -> int:
    return 0
