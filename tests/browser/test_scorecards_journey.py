"""Scorecards and quality objectives in a real browser.

The facility manager opens the scorecards, filters them to one agency and
opens a cell to see the requests it counts; the quality focal point sets an
objective and reads it met or missed per agency. (The test agencies are UNDP,
UNFPA and UNAIDS: the journey filters to UNDP where the demo's would to UNOPS.)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.models import QualityObjective
from accountability.selectors.scorecards import months_back
from accountability.services.scorecards import scorecards_refresh
from accounts.models import Role
from ledger.services import entry_resolve

from .test_procurement_journey import _as

pytestmark = pytest.mark.browser


def test_the_manager_reads_an_agencys_cell_and_the_quality_focal_point_sets_an_objective(
    page: Page, address, facility, undp, unfpa, make_person, sign_agreement, raise_request
):
    # given UNDP and UNFPA with ICT requests delivered last month, and the scorecards refreshed
    sign_agreement(undp)
    sign_agreement(unfpa)
    last_month = months_back(until=timezone.localdate(), count=2)[0]
    zone = ZoneInfo(settings.TIME_ZONE)
    references = {}
    for agency, day in ((undp, 6), (undp, 7), (unfpa, 8)):
        opened = datetime(last_month.year, last_month.month, day, 10, 0, tzinfo=zone)
        entry = raise_request(agency, "ICT-REQ", opened, priority="P4", title="Printer jammed")
        entry_resolve(entry=entry, at=opened + timedelta(minutes=30))
        references.setdefault(agency.code, []).append(entry.reference)
    scorecards_refresh(months=[last_month], now=timezone.now())
    make_person((Role.FACILITY_MANAGER, None), email="gabriela@facility.test", first_name="Gabriela")
    make_person((Role.QUALITY_FOCAL_POINT, None), email="mariana@facility.test", first_name="Mariana", last_name="Dias")

    # when the facility manager opens the scorecards and filters them to UNDP
    _as(page, address(None, "/accountability/scorecards/"), "gabriela@facility.test")
    expect(page.locator("#cell-table")).to_contain_text("UNFPA")
    page.get_by_label("Agency").select_option("UNDP")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#cell-table tbody")).to_contain_text("UNDP")
    expect(page.locator("#cell-table tbody")).not_to_contain_text("UNFPA")
    expect(page.locator("#refresh-form")).to_be_visible()

    # and opens UNDP's ICT-REQ cell of last month
    page.locator("#cell-table tbody").get_by_role("link", name="ICT-REQ").first.click()
    expect(page.locator("#cell-figures")).to_contain_text("2")
    for reference in references["UNDP"]:
        expect(page.locator("#cell-request-table")).to_contain_text(reference)
    expect(page.locator("#cell-request-table")).not_to_contain_text(references["UNFPA"][0])

    # then the quality focal point sets an objective and reads it per agency
    _as(page, address(None, "/accountability/objectives/"), "mariana@facility.test")
    page.get_by_role("link", name="Set an objective").click()
    page.get_by_label("Objective").fill("ICT requests within target at least 95 % per month for every agency")
    page.get_by_label("Figure").select_option("sla_compliance")
    page.get_by_label("Comparison").select_option("at_least")
    page.get_by_label("Target").fill("95")
    page.get_by_label("Period").select_option("month")
    page.get_by_label("Applies").select_option("every_agency")
    page.get_by_label("Module").select_option("ict")
    page.get_by_label("Owner").select_option(label="Mariana Dias")
    page.get_by_label("From").fill(last_month.isoformat())
    page.get_by_role("button", name="Save").click()
    objective = QualityObjective.objects.get()
    expect(page.locator(f"#period-{last_month:%Y-%m}")).to_contain_text("met")
    expect(page.locator(f"#period-{last_month:%Y-%m}")).to_contain_text("UNDP")
    page.get_by_role("link", name="Quality objectives").first.click()
    expect(page.locator("#objective-table")).to_contain_text(objective.reference)
    expect(page.locator("#objective-table")).to_contain_text("Met")
