# ruff: noqa: F811  (fixtures imported from the billing and review tests are taken as arguments by name)
"""The issue's done-when in a real browser: a breached UNOPS request followed to the management review and back.

The facility manager opens the request on the ledger, follows its chain to
the service credit on UNOPS's issued invoice, the nonconformity it fed and
the scorecard cell it counts in, and reaches the management review that
discussed it; each of those pages links back to the request's chain.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.models import OutputKind
from accountability.selectors.scorecards import months_between
from accountability.services.reviews import review_hold, review_output_add, review_pack_compile, review_plan
from accountability.services.scorecards import scorecards_refresh
from accounts.models import Role
from tenants.models import Agency, AgencyKind
from tenants.services import agency_create
from tests.accountability.fixtures_reviews import breached_world_build, process_owner  # noqa: F401
from tests.billing.conftest import decision, deliver, deliver_late, finance, issue, price_list, run_month  # noqa: F401

from .test_procurement_journey import _as

pytestmark = pytest.mark.browser


@pytest.fixture
def unops(facility: Agency) -> Agency:
    """UNOPS, whose agreement grants service credits (its schema is kept, and re-attached, across runs)."""
    found = Agency.objects.filter(code="UNOPS").first()
    return found or agency_create(
        code="UNOPS", name="United Nations Office for Project Services", kind=AgencyKind.MEMBER, headcount=120
    )


def test_the_manager_follows_a_breached_unops_request_to_the_management_review_and_back(
    page: Page,
    address,
    facility,
    unops,
    unfpa,
    make_person,
    catalogue,
    sign_agreement,
    price_list,
    deliver,
    deliver_late,
    run_month,
    issue,
    process_owner,
):
    # given UNOPS's October incident breached while the facility held it, credited on its issued invoice,
    # the month's nonconformity opened by the beat, the scorecards refreshed and a held review that discussed it
    world = breached_world_build(
        agency=unops,
        other=unfpa,
        catalogue=catalogue,
        sign_agreement=sign_agreement,
        deliver=deliver,
        deliver_late=deliver_late,
        run_month=run_month,
        issue=issue,
        process_owner=process_owner,
    )
    scorecards_refresh(months=months_between(first=date(2026, 8, 1), last=date(2026, 10, 1)), now=timezone.now())
    manager = make_person(
        (Role.FACILITY_MANAGER, None), email="gabriela@facility.test", first_name="Gabriela", last_name="Ramos"
    )
    review = review_plan(
        title="Q3 management review",
        period_from=date(2026, 8, 1),
        period_to=date(2026, 10, 31),
        meeting_on=date(2026, 11, 10),
        chair=manager,
        by=manager,
    )
    review_pack_compile(review=review, by=manager)
    review_hold(review=review, minutes="UNOPS's October breaches discussed.", attendees="Gabriela", by=manager)
    review_output_add(review=review, kind=OutputKind.DECISION, text="Second officer on the morning queue", by=manager)
    entry, invoice, nc = world.entry, world.invoice, world.nonconformity

    # when the manager opens the breached request on the ledger and follows its chain
    _as(page, address(None, f"/requests/{entry.reference}/"), "gabriela@facility.test")
    page.locator("#chain-link").click()
    expect(page.locator("h1")).to_contain_text(entry.reference)
    # then the credit on UNOPS's issued invoice, whose credit line links back to the chain
    expect(page.locator("#chain-credits")).to_contain_text(invoice.number)
    page.locator("#chain-credits").get_by_role("link", name=invoice.number).click()
    expect(page.locator("#other-lines")).to_contain_text(entry.reference)
    page.locator("#other-lines").get_by_role("link", name="its chain").click()
    # and the nonconformity it fed, whose breach links back to the chain
    page.locator("#chain-nonconformities").get_by_role("link", name=nc.reference).click()
    expect(page.locator("#breaches")).to_contain_text(entry.reference)
    page.locator("#breaches").get_by_role("link", name="its chain").click()
    # and the scorecard cell it counts in (UNOPS, ICT-INC, October), whose request list links back
    page.locator("#chain-scorecard").get_by_role("link").click()
    expect(page.locator("#cell-requests")).to_contain_text(entry.reference)
    page.locator("#cell-requests").get_by_role("row", name=entry.reference).get_by_role(
        "link", name="its chain"
    ).click()
    # and the management review that discussed it, which lists the request behind the nonconformity
    page.locator("#chain-reviews").get_by_role("link", name=review.reference).click()
    expect(page.locator("#review-status")).to_contain_text("Held")
    expect(page.locator("#discussed")).to_contain_text(nc.reference)
    page.locator("#discussed").get_by_role("link", name=entry.reference).click()
    expect(page.locator("h1")).to_contain_text(entry.reference)
    expect(page.locator("#chain-reviews")).to_contain_text(review.reference)
