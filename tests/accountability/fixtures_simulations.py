"""Fixtures for fair-cost simulations: two invoiced months of UNDP, UNFPA and UNAIDS with awkward figures.

Billing's own fixtures (tests/billing/conftest.py) make the price list, the deliveries and the runs;
they are imported here (tests/accountability/conftest.py is the lead's). September 2026 is shared by
the default key (equal), October by headcount (a board decision), so both months are real runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role, User
from billing import services as billing
from governance import services as board
from governance.models import DecisionRule, Motion
from ledger.services import alerts_muted
from tenants.models import Agency
from tests.billing.conftest import (  # noqa: F401 (fixtures)
    decision,
    deliver,
    deliver_late,
    finance,
    issue,
    price_list,
    run_month,
)
from tests.sla_fixtures import at

SEPTEMBER = date(2026, 9, 1)
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def invoiced_months(
    request: pytest.FixtureRequest,
    undp: Agency,
    unfpa: Agency,
    unaids: Agency,
    sign_agreement: Callable[..., object],
) -> list[date]:
    """September (equal key) and October (headcount key) invoiced, with usage, a breach credited and odd costs."""
    request.getfixturevalue("price_list")
    board_decision = request.getfixturevalue("decision")
    billing_finance: User = request.getfixturevalue("finance")
    delivered = request.getfixturevalue("deliver")
    late_incident = request.getfixturevalue("deliver_late")
    billing_run = request.getfixturevalue("run_month")
    with alerts_muted():
        sign_agreement(undp, grants_service_credits=True, credit_percent=Decimal("10.00"))
        sign_agreement(unfpa)
        sign_agreement(unaids)
        for month, days in ((SEPTEMBER, (2, 9, 16)), (OCTOBER, (5, 13))):
            for day in days:
                delivered(undp, "ICT-REQ", at(month.year, month.month, day, 10, 0))
                delivered(undp, "PRC-MICRO", at(month.year, month.month, day, 11, 0))
            delivered(unfpa, "TRV-TA", at(month.year, month.month, days[0], 14, 0))
            delivered(unfpa, "ICT-INC", at(month.year, month.month, days[-1], 15, 0))
        late_incident(undp, at(2026, 10, 7, 9, 0))
        delivered(unaids, "ICT-INC", at(2026, 10, 20, 9, 0))
        billing.fixed_cost_add(month=SEPTEMBER, description="Manager", amount="1000.01", entered_by=billing_finance)
        billing.fixed_cost_add(month=SEPTEMBER, description="Premises", amount="333.33", entered_by=billing_finance)
        billing.fixed_cost_add(month=OCTOBER, description="Manager", amount="777.77", entered_by=billing_finance)
        billing.sharing_key_create(
            effective_from=OCTOBER, method="headcount", decision=board_decision, created_by=billing_finance
        )
        for month in (SEPTEMBER, OCTOBER):
            billing_run(month)
            billing.invoices_issue(month=month, issued_by=billing_finance)
    return [SEPTEMBER, OCTOBER]


@pytest.fixture
def board_people(make_person: Callable[..., User], facility: Agency, undp: Agency, unfpa: Agency) -> dict[str, User]:
    return {
        "manager": make_person((Role.FACILITY_MANAGER, None), email="sim-manager@facility.test"),
        "finance": make_person((Role.FACILITY_FINANCE, None), email="sim-finance@facility.test"),
        "auditor": make_person((Role.AUDITOR, None), email="sim-auditor@facility.test"),
        "quality": make_person((Role.QUALITY_FOCAL_POINT, None), email="sim-quality@facility.test"),
        "undp_board": make_person((Role.BOARD_REPRESENTATIVE, undp), email="sim-board@undp.test"),
        "undp_finance": make_person((Role.AGENCY_FINANCE, undp), email="sim-finance@undp.test"),
        "unfpa_approver": make_person((Role.APPROVER, unfpa), email="sim-approver@unfpa.test"),
    }


@pytest.fixture
def draft_motion(board_people: dict[str, User]) -> Motion:
    return board.motion_create(
        created_by=board_people["manager"],
        title="Share fixed costs by usage",
        text="The board shares the facility's fixed costs by each agency's share of usage.",
        rule=DecisionRule.SIMPLE_MAJORITY,
        closes_at=timezone.now() + timedelta(days=10),
    )
