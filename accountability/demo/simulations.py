"""The demo's fair-cost simulation: the past three invoiced months, cited by an open motion of the board.

Facility finance saves the simulation; the board secretary (the facility
manager) drafts the motion "Share fixed costs by usage" through governance's
services, attaches the simulation to it and opens it for votes, so a board
representative finds it among the motions to vote on and sees what each agency
paid and would have paid under each key before casting the agency's ballot.
Idempotent: nothing happens if a simulation exists. Called by
demo.services.demo_load after the change requests.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from billing.models import Invoice, InvoiceStatus
from billing.selectors import current_month
from governance import services as board
from governance.models import DecisionRule

from ..models import CostSimulation
from ..services.simulations import simulation_attach, simulation_save

MOTION_TITLE = "Share fixed costs by usage"


def _invoiced_months(count: int) -> list[date]:
    """The last `count` past months whose invoices were all issued (fewer if the history is shorter)."""
    issued = set(
        Invoice.objects.filter(
            month__lt=current_month(), status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PAID]
        ).values_list("month", flat=True)
    )
    drafts = set(Invoice.objects.filter(status=InvoiceStatus.DRAFT).values_list("month", flat=True))
    months: list[date] = []
    month = (current_month() - timedelta(days=1)).replace(day=1)
    while month in issued and month not in drafts and len(months) < count:
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return sorted(months)


def simulations_demo_load() -> int:
    """Returns how many simulations were added."""
    if CostSimulation.objects.exists():
        return 0
    months = _invoiced_months(3)
    finance = User.objects.filter(email="finance@facility.demo").first()
    secretary = User.objects.filter(email="manager@facility.demo").first()
    if not months or finance is None or secretary is None:
        return 0
    simulation = simulation_save(
        month_from=months[0],
        month_to=months[-1],
        note="What each agency paid, and would have paid if fixed costs had been shared by usage or headcount.",
        by=finance,
    )
    motion = board.motion_create(
        created_by=secretary,
        title=MOTION_TITLE,
        text=(
            "The board shares the facility's fixed costs among the agencies in proportion to each agency's usage "
            "of the month, from the first month after this decision, instead of equal shares. The attached "
            f"simulation {simulation.reference} shows what each agency paid and would have paid."
        ),
        rule=DecisionRule.TWO_THIRDS,
        closes_at=timezone.now() + timedelta(days=21),
    )
    simulation_attach(simulation=simulation, motion=motion, by=finance)
    board.motion_open(motion=motion, opened_by=secretary)
    return 1
