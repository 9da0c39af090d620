"""Agreement change requests and the fair-cost simulation in a real browser.

UNDP's approver proposes better credit terms on UNDP's address; the facility
manager assesses and approves on the portal; another approver of UNDP
approves (the proposer never approves their own change), and the new version
of the agreement appears from the first day of next month. Then a board
representative opens the draft motion "Share fixed costs by usage" and sees
the fair-cost simulation attached to it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.models import AgreementChangeRequest, ChangeStatus
from accountability.services.simulations import simulation_attach, simulation_save
from accounts.models import Role

from .test_procurement_journey import _as

pytest_plugins = ["tests.accountability.fixtures_simulations"]
pytestmark = pytest.mark.browser


def test_a_change_is_approved_by_both_sides_and_the_board_reads_the_simulation(
    page: Page, address, facility, undp, make_person, invoiced_months, board_people, draft_motion
):
    # given UNDP's two approvers and the facility manager (UNDP's agreement from invoiced_months, 10 % credits)
    make_person((Role.APPROVER, undp), email="carla@undp.test", first_name="Carla", last_name="Ferreira")
    make_person((Role.APPROVER, undp), email="bruno@undp.test", first_name="Bruno", last_name="Lima")
    make_person((Role.FACILITY_MANAGER, None), email="gabriela@facility.test", first_name="Gabriela")
    today = timezone.localdate()
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)

    # when UNDP's approver proposes higher credits from next month
    _as(page, address("undp", "/accountability/changes/"), "carla@undp.test")
    page.get_by_role("link", name="Propose a change").click()
    page.get_by_label("What changes, in one line").fill("Higher service credits")
    page.locator("#id_reason").fill("Critical incidents stop our field offices.")
    page.locator("#id_effective_from").fill(next_month.isoformat())
    page.get_by_label("Credit per breach (%)").fill("15")
    page.get_by_label("Monthly credit cap (%)").fill("8")
    page.get_by_role("button", name="Send to the facility").click()
    change = AgreementChangeRequest.objects.get()
    expect(page.locator("#status")).to_contain_text("awaiting the facility")

    # and the facility manager assesses it and approves it for the facility
    _as(page, address(None, f"/accountability/changes/{change.reference}/"), "gabriela@facility.test")
    expect(page.locator("#hint")).to_be_visible()
    page.get_by_label("Effect on the price").fill("No change to prices; credits rise by about USD 40 a month.")
    page.get_by_label("Effect on the targets").fill("None.")
    page.get_by_role("button", name="Record the assessment").click()
    page.get_by_role("button", name="Approve for the facility").click()
    expect(page.locator("#facility-approval")).to_contain_text("Gabriela")
    expect(page.locator("#new-version")).to_have_count(0)

    # and the proposer is told another approver approves, who then does
    _as(page, address("undp", f"/accountability/changes/{change.reference}/"), "carla@undp.test")
    expect(page.locator("#approval-refusal")).to_contain_text("another approver")
    _as(page, address("undp", f"/accountability/changes/{change.reference}/"), "bruno@undp.test")
    page.get_by_role("button", name="Approve for our agency").click()

    # then the new version applies from next month, and both sides read every step
    expect(page.locator("#new-version")).to_be_visible()
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.new_agreement.valid_from == next_month
    assert str(change.new_agreement.credit_percent) == "15.00"
    expect(page.locator("#history")).to_contain_text("New agreement version made")

    # when facility finance saves a simulation of the invoiced months and attaches it to the draft motion
    simulation = simulation_save(
        month_from=invoiced_months[0], month_to=invoiced_months[-1], by=board_people["finance"]
    )
    simulation_attach(simulation=simulation, motion=draft_motion, by=board_people["finance"])

    # then a board representative opens the motion on the portal and follows it to the simulation
    _as(page, address(None, f"/governance/motions/{draft_motion.pk}/"), "sim-board@undp.test")
    expect(page.locator("#simulations")).to_contain_text(simulation.reference)
    expect(page.locator("#simulations")).to_contain_text("UNDP")
    page.get_by_role("link", name=simulation.reference).click()
    expect(page.locator("#simulation-table")).to_contain_text("UNFPA")
    expect(page.locator("#attach-form")).to_have_count(0)
