"""Writes for spend: purchase records from issued orders, and split-purchase flags with their explanation.

(Being built: issue 14.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import User
from tenants.models import Agency

from ..models import SplitFlag


def purchase_records_write(*, agency: Agency, order: Any, requisition: Any) -> None:
    raise NotImplementedError


def purchase_records_cancel(*, agency: Agency, order_number: str) -> None:
    raise NotImplementedError


def split_flags_check(
    *,
    agency: Agency,
    requisition: Any,
    stage: str,
    vendor_id: int | None,
    by: User,
    explanation: str,
    at: datetime,
) -> list[SplitFlag]:
    raise NotImplementedError
