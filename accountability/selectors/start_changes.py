"""Placeholder: replaced by the part that builds it (its start-page panels, and approvals if any)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared_platform.start import Approval, Panel, Viewer


def panels(*, viewer: Viewer) -> list[Panel]:
    return []


def approvals(*, viewer: Viewer) -> list[Approval]:
    return []
