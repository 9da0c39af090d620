"""The management review's part of the start page (the facility portal only).

- The owner of an open review action sees it with its due date (overdue flagged).
- The keepers (quality focal point, facility manager) see each planned review
  meeting within 30 days whose pack is not compiled yet.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_platform.start import Item, Link, Panel

from ..access import READ_ONLY_ROLES, REVIEW_KEEPER_ROLES
from ..models import ManagementReview, OutputKind, OutputStatus, ReviewOutput, ReviewStatus

if TYPE_CHECKING:
    from shared_platform.start import Approval, Viewer

# A planned meeting this close with no pack compiled is shown to the keepers.
MEETING_WITHIN_DAYS = 30


def _due(day: object) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time(17, 0))) if day else None  # type: ignore[arg-type]


def panels(*, viewer: Viewer) -> list[Panel]:
    if not viewer.on_facility:
        return []
    today = timezone.localdate()
    items: list[Item] = []
    if not viewer.roles & READ_ONLY_ROLES or viewer.roles & REVIEW_KEEPER_ROLES:
        actions = (
            ReviewOutput.objects.filter(
                owner=viewer.user,
                kind=OutputKind.ACTION,
                status=OutputStatus.OPEN,
                review__status=ReviewStatus.HELD,
            )
            .select_related("review")
            .order_by("due_on", "pk")
        )
        items += [
            Item(
                label=f"{action.review.reference} · {action.text[:80]}",
                url=reverse("accountability:review", args=[action.review.reference]) + "#actions",
                detail=_("Management review action"),
                due_at=_due(action.due_on),
                overdue=action.due_on is not None and action.due_on < today,
            )
            for action in actions[:10]
        ]
    if viewer.roles & REVIEW_KEEPER_ROLES:
        reviews = ManagementReview.objects.filter(
            status=ReviewStatus.PLANNED,
            compiled_at=None,
            meeting_on__lte=today + timedelta(days=MEETING_WITHIN_DAYS),
        ).order_by("meeting_on", "pk")
        items += [
            Item(
                label=f"{review.reference} · {review.title}",
                url=reverse("accountability:review", args=[review.reference]),
                detail=_("Meeting planned: compile its pack"),
                due_at=_due(review.meeting_on),
                overdue=review.meeting_on < today,
            )
            for review in reviews[:10]
        ]
    if not items:
        return []
    return [
        Panel(
            key="accountability-reviews",
            title=_("Management review: waiting for you"),
            items=items,
            more=Link(_("Management reviews"), reverse("accountability:reviews")),
            order=38,
        )
    ]


def approvals(*, viewer: Viewer) -> list[Approval]:
    return []
