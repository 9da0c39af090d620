"""The demo's management review, written through the review services as the running system would write them.

One review of the last three full months, held a few days ago: its pack
compiled the day before the meeting (so it discusses the period's
nonconformities, UNOPS's October SLA-breach nonconformity among them: the
chain from a breached, credited UNOPS request ends here), its minutes, two
decisions and three actions: one done, two open with their owners and dates,
one of them overdue.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User

from ..models import ManagementReview, OutputKind
from ..services.reviews import (
    review_hold,
    review_output_add,
    review_output_complete,
    review_pack_compile,
    review_plan,
)

TITLE = "Management review of the last three months"
MINUTES = (
    "The facility manager opened the review with the pack compiled from the platform. "
    "SLA compliance held above target for travel and procurement; ICT incidents breached more often, "
    "mostly first responses at UNOPS and UNDP, which the agreements credited on the invoices. "
    "The nonconformities of the period were discussed one by one, UNOPS's October breaches first. "
    "Satisfaction stayed close to four out of five; the audit of the RFQ process found one minor nonconformity. "
    "The board's equal cost-sharing key was considered adequate for now."
)
ATTENDEES = "Facility manager (chair); quality focal point; ICT officer; facility finance; internal auditor"


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def reviews_demo_load(*, now: datetime | None = None) -> int:
    """Load the demo's management review (once: nothing is added if it exists). Returns how many were written."""
    now = now or timezone.now()
    if ManagementReview.objects.filter(title=TITLE).exists():
        return 0
    people = {user.email: user for user in User.objects.filter(email__endswith="@facility.demo")}
    chair = people.get("manager@facility.demo")
    keeper = people.get("quality@facility.demo")
    ict = people.get("ict@facility.demo")
    finance = people.get("finance@facility.demo")
    if chair is None or keeper is None or ict is None or finance is None:
        return 0
    today = timezone.localdate(now)
    period_to = today.replace(day=1) - timedelta(days=1)
    period_from = (period_to.replace(day=1) - timedelta(days=62)).replace(day=1)
    meeting_on = max(period_to + timedelta(days=1), today - timedelta(days=3))
    held_at = min(_at(meeting_on, 11), now)
    review = review_plan(
        title=TITLE,
        period_from=period_from,
        period_to=period_to,
        meeting_on=meeting_on,
        chair=chair,
        by=keeper,
        at=min(_at(period_to, 9), now),
    )
    review_pack_compile(review=review, by=keeper, at=held_at - timedelta(hours=2))
    review_hold(review=review, minutes=MINUTES, attendees=ATTENDEES, by=chair, at=held_at)
    review_output_add(
        review=review,
        kind=OutputKind.DECISION,
        text="Keep the equal cost-sharing key until a year of scorecards is available to the board.",
        by=chair,
        at=held_at,
    )
    review_output_add(
        review=review,
        kind=OutputKind.DECISION,
        text="Treat first-response breaches of ICT incidents as the facility's top quality objective next quarter.",
        by=chair,
        at=held_at,
    )
    done = review_output_add(
        review=review,
        kind=OutputKind.ACTION,
        text="Send UNOPS and UNDP the list of their credited breaches with the root causes found.",
        owner=finance,
        due_on=meeting_on + timedelta(days=1),
        by=chair,
        at=held_at,
    )
    review_output_complete(
        output=done,
        outcome="Sent with the monthly invoices; both agencies acknowledged.",
        by=finance,
        at=min(held_at + timedelta(days=1), now),
    )
    review_output_add(
        review=review,
        kind=OutputKind.ACTION,
        text="Put a second ICT officer on the morning queue to answer P1 and P2 incidents within target.",
        owner=ict,
        due_on=today - timedelta(days=1),
        by=chair,
        at=held_at,
    )
    review_output_add(
        review=review,
        kind=OutputKind.ACTION,
        text="Propose an objective on first-response compliance per agency, measured from the scorecards.",
        owner=keeper,
        due_on=today + timedelta(days=30),
        by=chair,
        at=held_at,
    )
    return 1
