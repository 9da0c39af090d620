"""Fair-cost simulations for the board: frozen, numbered, and cited by a motion that changes the sharing key.

PRODUCT.md: "The board can see what each agency paid and would have paid under
each cost-sharing key before changing it"; billing's sharing key is "approved
by a board decision". A saved simulation freezes the figures
(`selectors.simulations.simulation_compute`) so the motion cites what the
board read, whatever is invoiced or corrected later.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.selectors import facility_roles
from billing.services import number_next
from governance.models import Motion, MotionStatus
from shared_platform import limits
from shared_platform.errors import ApplicationError
from shared_platform.inputs import text_checked

from ..access import SIMULATION_MAKER_ROLES
from ..models import CostSimulation
from ..selectors.simulations import lines_frozen, simulation_compute, totals_frozen


def may_make_simulations(*, user: User) -> bool:
    return bool(user.is_authenticated and facility_roles(user) & SIMULATION_MAKER_ROLES)


def _maker_check(by: User) -> None:
    if not may_make_simulations(user=by):
        raise ApplicationError(
            gettext("Only the facility manager and facility finance make and attach simulations."),
            code="accountability.simulation_makers_only",
            status_code=403,
        )


@transaction.atomic
def simulation_save(
    *, month_from: date, month_to: date, note: str = "", by: User, at: datetime | None = None
) -> CostSimulation:
    """Freeze what each agency paid and would have paid under each key over past, fully invoiced months.

    Made by the facility manager or facility finance; numbered SIM-<year>-<n>
    (gapless per year). Its columns add up to the invoices' figures to the cent
    (selectors.simulations).
    """
    at = at or timezone.now()
    _maker_check(by)
    note = text_checked(note, field="note", required=None, limit=limits.SHORT_TEXT, code="accountability.invalid")
    result = simulation_compute(month_from=month_from, month_to=month_to)
    return CostSimulation.objects.create(
        reference=number_next(series="SIM", year=timezone.localtime(at).year),
        month_from=result.month_from,
        month_to=result.month_to,
        lines=lines_frozen(result),
        totals=totals_frozen(result),
        note=note,
        created_by=by,
        created_at=at,
    )


@transaction.atomic
def simulation_attach(*, simulation: CostSimulation, motion: Motion, by: User) -> CostSimulation:
    """Attach a simulation to a board motion still in draft or open for votes (a decided motion is history).

    A simulation supports one motion; the motion's page then shows it.
    """
    _maker_check(by)
    simulation = CostSimulation.objects.select_for_update().get(pk=simulation.pk)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.status not in (MotionStatus.DRAFT, MotionStatus.OPEN):
        message = gettext("Only a motion in draft or open for votes can cite a simulation.")
        raise ApplicationError(
            message, code="accountability.simulation_motion_closed", status_code=409, fields={"motion": [message]}
        )
    if simulation.motion_id is not None and simulation.motion_id != motion.pk:
        message = gettext("%(reference)s already supports another motion.") % {"reference": simulation.reference}
        raise ApplicationError(
            message, code="accountability.simulation_attached", status_code=409, fields={"motion": [message]}
        )
    simulation.motion = motion
    simulation.save(update_fields=["motion"])
    return simulation
