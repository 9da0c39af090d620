"""Minutes and results as PDF (WeasyPrint), from what the register recorded.

A closed motion's result sheet prints the register entry: motion, rule,
quorum, each agency's ballot (unless the ballot was secret), outcome and the
entry's hash, so a printed copy can be checked against the register later.
A meeting's minutes print its agenda and each of its motions the same way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from shared_platform.errors import ApplicationError

from .models import Meeting, Motion, MotionStatus, RegisterEntry
from .selectors import board_current, motion_seat_rows


def _motion_context(motion: Motion) -> dict[str, Any]:
    entry = RegisterEntry.objects.filter(motion=motion).first()
    return {
        "motion": motion,
        "entry": entry,
        "content": entry.content if entry is not None else None,
        "rows": motion_seat_rows(motion=motion) if entry is not None else [],
    }


def _render(template: str, context: dict[str, Any]) -> bytes:
    context = {
        **context,
        "facility_name": settings.FACILITY_NAME,
        "board": board_current(),
        "printed_at": timezone.localtime(),
    }
    return HTML(string=render_to_string(template, context)).write_pdf()


def motion_result_pdf(*, motion: Motion) -> bytes:
    """The result sheet of a closed motion. Refused while it is not decided."""
    if motion.status != MotionStatus.CLOSED:
        raise ApplicationError(
            "The result sheet is available once the motion is closed.",
            code="governance.motion_not_closed",
            status_code=409,
        )
    return _render("governance/pdf/motion_result.html", {"motions": [_motion_context(motion)], "meeting": None})


def meeting_minutes_pdf(*, meeting: Meeting) -> bytes:
    """The minutes of a meeting: its agenda, and each of its motions with its result if decided."""
    motions = [_motion_context(motion) for motion in meeting.motions.select_related("concerns_agency").order_by("id")]
    return _render("governance/pdf/meeting_minutes.html", {"motions": motions, "meeting": meeting})
