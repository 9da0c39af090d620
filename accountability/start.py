"""What accountability adds to the start pages and the approvals inbox (shared_platform/start.py calls these).

Each part keeps its contribution beside its selectors (`selectors/start_<part>.py`), with the same visibility
rules as its pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .selectors import start_changes, start_reports, start_reviews, start_scorecards

if TYPE_CHECKING:
    from shared_platform.start import Approval, Panel, Viewer


def start_panels(*, viewer: Viewer) -> list[Panel]:
    return [
        *start_scorecards.panels(viewer=viewer),
        *start_reviews.panels(viewer=viewer),
        *start_reports.panels(viewer=viewer),
        *start_changes.panels(viewer=viewer),
    ]


def approvals(*, viewer: Viewer) -> list[Approval]:
    return [*start_changes.approvals(viewer=viewer)]
