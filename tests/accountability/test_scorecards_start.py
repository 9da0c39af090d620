"""Scorecards and objectives on the start page: missed objectives for the keepers, last month's compliance for an
agency's approvers and finance officers, nothing for the others, and never another agency's figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accountability.models import ScorecardCell
from accountability.selectors import start_scorecards
from accountability.selectors.scorecards import months_back
from accountability.services.objectives import objective_create
from accounts.models import Role
from shared_platform.start import viewer_for


@pytest.fixture
def keeper(make_person, facility):
    return make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")


def _cell(agency, service, month, **figures):
    figures["delivered"] = figures.get("met", 0) + figures.get("breached", 0)
    return ScorecardCell.objects.create(
        month=month, agency=agency, service=service, module=service.module, refreshed_at=timezone.now(), **figures
    )


def test_the_keepers_see_the_objectives_missed_last_period(keeper, facility, undp, catalogue):
    # given an objective missed by UNDP in the last completed month
    last_month = months_back(until=timezone.localdate(), count=2)[0]
    _cell(undp, catalogue["ICT-INC"], last_month, met=1, breached=1)
    objective = objective_create(
        created_by=keeper,
        title="ICT compliance",
        metric="sla_compliance",
        comparison="at_least",
        target=Decimal("95"),
        period_kind="month",
        scope="every_agency",
        module="ict",
        owner=keeper,
        valid_from=date(2026, 1, 1),
    )
    [panel] = start_scorecards.panels(viewer=viewer_for(user=keeper, address=facility))
    assert panel.key == "accountability-objectives"
    assert [item.url for item in panel.items] == [f"/accountability/objectives/{objective.reference}/"]
    assert "UNDP" in panel.items[0].detail and panel.counts[0].number == 1


def test_other_facility_staff_see_no_objectives_panel(make_person, facility):
    agent = make_person((Role.ICT_AGENT, None), email="ict@facility.test")
    assert start_scorecards.panels(viewer=viewer_for(user=agent, address=facility)) == []


def test_an_agencys_finance_officer_sees_its_own_compliance_last_month(make_person, undp, unfpa, catalogue):
    last_month = months_back(until=timezone.localdate(), count=2)[0]
    _cell(undp, catalogue["ICT-INC"], last_month, met=3, breached=1)
    _cell(unfpa, catalogue["ICT-INC"], last_month, met=0, breached=7)
    finance = make_person((Role.AGENCY_FINANCE, undp), email="finance@undp.test")
    [panel] = start_scorecards.panels(viewer=viewer_for(user=finance, address=undp))
    [count] = panel.counts
    assert count.number == 1 and "4" in count.label and "75.0" in count.label


def test_a_requester_sees_no_scorecard_panel(undp, undp_requester):
    assert start_scorecards.panels(viewer=viewer_for(user=undp_requester, address=undp)) == []
