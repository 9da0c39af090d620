"""The SLA dashboard in a real browser: the facility manager filters it, an agency sees its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from ledger.services import entry_resolve

from .test_sign_in_journey import sign_in

pytestmark = pytest.mark.browser
DASHBOARD_SCREENSHOT = "/tmp/browser-sla-dashboard.png"


@pytest.fixture
def delivered(undp, unfpa, sign_agreement, raise_request, make_person):  # type: ignore[no-untyped-def]
    """UNDP: one request met, one breached; UNFPA: one met; each an open P1 past its first response.

    UNDP's open P1 is Ana's (a UNDP requester), so she sees it at risk on UNDP's dashboard."""
    ana = make_person((Role.REQUESTER, undp), email="ana@undp.test")
    now = timezone.now()
    sign_agreement(undp)
    sign_agreement(unfpa)
    for agency, reference, opened in (
        (undp, "UNDP-MET", now - timedelta(hours=2)),
        (undp, "UNDP-LATE", now - timedelta(days=15)),
        (unfpa, "UNFPA-MET", now - timedelta(hours=2)),
    ):
        entry = raise_request(agency, "ICT-REQ", opened, priority="P4", reference=reference, title="Extra monitor")
        entry_resolve(entry=entry, at=now - timedelta(minutes=1))
    for agency in (undp, unfpa):
        requester = ana if agency == undp else None
        opened = now - timedelta(days=3)
        raise_request(agency, "ICT-INC", opened, priority="P1", reference=f"{agency.code}-OPEN", requester=requester)


def test_the_manager_reads_and_filters_the_dashboard_and_an_agency_sees_only_its_own(
    page: Page, address, facility, undp, make_person, delivered
):
    # given the facility manager and a UNDP requester (Ana, made with the requests)
    make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")

    # when the manager opens the dashboard from the navigation
    page.goto(address(None))
    sign_in(page, "manager@facility.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="SLA dashboard").click()

    # then every agency's figures are there and the charts are drawn
    expect(page.get_by_role("heading", level=1)).to_have_text("SLA compliance")
    expect(page.locator("#total-delivered")).to_have_text("3")
    expect(page.locator("#total-breached")).to_have_text("1")
    expect(page.locator("#at-risk")).to_contain_text("UNFPA-OPEN")
    page.wait_for_function("() => typeof Chart !== 'undefined' && Chart.getChart('chart-months') !== undefined")
    page.screenshot(path=DASHBOARD_SCREENSHOT, full_page=True)

    # when the manager narrows it to UNFPA
    page.get_by_role("combobox", name="Agency").select_option("UNFPA")
    page.get_by_role("button", name="Show").click()

    # then only UNFPA remains
    expect(page.locator("#total-delivered")).to_have_text("1")
    expect(page.locator("#at-risk")).not_to_contain_text("UNDP-OPEN")

    # and a UNDP requester, on UNDP's address, sees UNDP's figures only
    page.context.clear_cookies()
    page.goto(address("undp", "/sla/"))
    sign_in(page, "ana@undp.test")
    page.goto(address("undp", "/sla/"))
    expect(page.locator("#total-delivered")).to_have_text("2")
    expect(page.locator("#compliance")).not_to_contain_text("UNFPA")
    expect(page.locator("#at-risk")).to_contain_text("UNDP-OPEN")
