"""Writes for long-term agreements: making one, piggybacking, call-offs and the consumption of the ceiling.

(Being built: issue 14.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import User
from tenants.models import Agency


def consumption_release(*, agency: Agency, requisition: Any, by: User, at: datetime) -> None:
    """A call-off rejected or withdrawn gives its value back: a negative row, never a change to the first."""
    raise NotImplementedError
