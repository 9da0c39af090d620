"""The demo board (PRODUCT.md, "Demo data"): the six member agencies vote, UNAIDS observes.

Two motions: the price list for next year, decided in a board meeting and in
the register; and a silence procedure on the common procurement manual, open
for a few days. Idempotent: each is created only if no motion of its title is
there yet. Called by demo.services.demo_load after the agencies and people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from tenants.models import Agency, AgencyKind

from . import services
from .models import DecisionRule, Meeting, Motion

SECRETARY_EMAIL = "manager@facility.demo"
MEETING_TITLE = "Ordinary board meeting"
PRICE_LIST_TITLE_START = "Price list for "
MANUAL_TITLE = "Common procurement manual, revision 3 (silence procedure)"
# How each member voted on the price list; UNFPA's alternate first abstained, then its representative voted.
PRICE_LIST_BALLOTS = [
    ("UNDP", "board", "for"),
    ("UNFPA", "alternate", "abstain"),
    ("UNFPA", "board", "for"),
    ("UNESCO", "board", "for"),
    ("UNWOMEN", "alternate", "for"),
    ("UNOPS", "board", "abstain"),
    ("UNEP", "board", "against"),
]


@dataclass
class GovernanceDemoSummary:
    motions_created: list[str] = field(default_factory=list)


def _voter(code: str, local: str) -> User:
    return User.objects.get(email=f"{local}@{code.lower()}.demo")


@transaction.atomic
def governance_demo_load(*, now: datetime | None = None) -> GovernanceDemoSummary:
    summary = GovernanceDemoSummary()
    now = now or timezone.now()
    secretary = User.objects.get(email=SECRETARY_EMAIL)
    services.board_ensure()
    members = {agency.code: agency for agency in Agency.objects.agencies().active().filter(kind=AgencyKind.MEMBER)}

    if not Motion.objects.filter(title__startswith=PRICE_LIST_TITLE_START).exists():
        meeting = Meeting.objects.filter(title=MEETING_TITLE).first() or services.meeting_create(
            created_by=secretary,
            title=MEETING_TITLE,
            starts_at=now.replace(minute=0, second=0, microsecond=0) - timedelta(days=14),
            location="Joint Operations Facility, Brasília, meeting room 2",
            agenda="\n".join(
                [
                    "Opening and adoption of the agenda",
                    "Service levels of the last quarter",
                    f"Price list for {now.year + 1}",
                    "Common procurement manual, revision 3 (for a silence procedure)",
                    "Any other business",
                ]
            ),
        )
        motion = services.motion_create(
            created_by=secretary,
            meeting=meeting,
            title=f"{PRICE_LIST_TITLE_START}{now.year + 1}",
            text=(
                f"The board approves the facility's price list for {now.year + 1}, per service and billing unit, "
                f"effective 1 January {now.year + 1}, as presented by the facility manager. ICT tickets, "
                "travel authorizations and purchase orders are priced at cost recovery; the fixed costs are "
                "shared in equal shares between the member agencies."
            ),
            rule=DecisionRule.SIMPLE_MAJORITY,
            closes_at=now + timedelta(days=1),
            now=now,
        )
        services.motion_open(motion=motion, opened_by=secretary, now=now)
        for code, local, choice in PRICE_LIST_BALLOTS:
            if code in members:
                services.ballot_cast(motion=motion, agency=members[code], cast_by=_voter(code, local), choice=choice)
        services.motion_close(motion=motion, closed_by=secretary)
        summary.motions_created.append(motion.title)

    if not Motion.objects.filter(title=MANUAL_TITLE).exists():
        motion = services.motion_create(
            created_by=secretary,
            title=MANUAL_TITLE,
            text=(
                "The board adopts revision 3 of the common procurement manual: the thresholds for "
                "micro-purchase (USD 15,000), request for quotation (USD 200,000) and the contracts committee "
                "review (USD 300,000), and the rule that requester, approver, buyer and receiver of one "
                "purchase are four different people. Under the silence procedure the revision is adopted at "
                "the deadline unless a member agency objects."
            ),
            rule=DecisionRule.SILENCE,
            closes_at=(now + timedelta(days=5)).replace(second=0, microsecond=0),
            now=now,
        )
        services.motion_open(motion=motion, opened_by=secretary, now=now)
        summary.motions_created.append(motion.title)
    return summary
