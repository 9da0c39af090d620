"""Minutes and results as PDF (WeasyPrint), from what the register recorded.

A closed motion's result sheet prints the register entry: motion, rule,
quorum, each agency's ballot (unless the ballot was secret), outcome and the
entry's hash, so a printed copy can be checked against the register later.
A meeting's minutes print its agenda and each of its motions the same way.

Both are written in the language of the agency the reader sits for on the
board (the agency of their voting seat, whose minutes they file), else in the
reader's own language (selectors.minutes_language_of).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from weasyprint import HTML

from shared_platform.errors import ApplicationError

from .models import Meeting, Motion, MotionStatus, RegisterEntry
from .selectors import board_current, decision_text, minutes_language_of, motion_seat_rows

# The CSS counters that page numbers are written with, slotted into the translated "Page %(page)s of %(pages)s".
PAGE_COUNTERS = {"page_counter": '" counter(page) "', "pages_counter": '" counter(pages) "'}


def _motion_context(motion: Motion) -> dict[str, Any]:
    entry = RegisterEntry.objects.filter(motion=motion).first()
    return {
        "motion": motion,
        "entry": entry,
        "content": entry.content if entry is not None else None,
        "decision": decision_text(content=entry.content) if entry is not None else None,
        "rows": motion_seat_rows(motion=motion) if entry is not None else [],
    }


def _render(template: str, context: dict[str, Any], *, reader: Any) -> bytes:
    with translation.override(minutes_language_of(reader)):
        context = {
            **context,
            **PAGE_COUNTERS,
            "facility_name": settings.FACILITY_NAME,
            "board": board_current(),
            "printed_at": timezone.localtime(),
        }
        if "motions" in context:  # labels and explanations in the document's language
            context["motions"] = [_motion_context(item) for item in context["motions"]]
        html = render_to_string(template, context)
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def motion_result_pdf(*, motion: Motion, reader: Any = None) -> bytes:
    """The result sheet of a closed motion, in the reader's board language. Refused while it is not decided."""
    if motion.status != MotionStatus.CLOSED:
        raise ApplicationError(
            gettext("The result sheet is available once the motion is closed."),
            code="governance.motion_not_closed",
            status_code=409,
        )
    return _render("governance/pdf/motion_result.html", {"motions": [motion], "meeting": None}, reader=reader)


def meeting_minutes_pdf(*, meeting: Meeting, reader: Any = None) -> bytes:
    """The minutes of a meeting, in the reader's board language: its agenda, and each motion with its result."""
    motions = list(meeting.motions.select_related("concerns_agency").order_by("id"))
    return _render("governance/pdf/meeting_minutes.html", {"motions": motions, "meeting": meeting}, reader=reader)
