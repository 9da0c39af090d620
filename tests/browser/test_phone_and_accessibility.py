"""On a phone (390 px wide) every person's start page and main list fit the screen; axe-core finds no serious
or critical accessibility problem on the shared pages.

Each role walks its start page and its main list page at 390 x 844: the page must not scroll sideways
(`document.documentElement.scrollWidth <= 390`). Screenshots land in /tmp/phone-<role>-<page>.png.
The accessibility check (tests/browser/axe.py) runs on the pages of the platform, accounts, ledger, procurement and
the vendor roster, receiving, pooled sourcing and accountability;
to check another page, add it to `AXE_PAGES` (or call `axe_violations(page)` in a journey).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.services.scorecards import scorecards_refresh_recent
from accounts.models import Role
from ledger.services import entry_resolve

from .axe import axe_report, axe_violations
from .test_sign_in_journey import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# role -> (e-mail, agency code or None for the portal, [paths: the start page, then the main list page])
JOURNEYS = {
    "requester": (
        "ana@undp.test",
        "undp",
        [
            "/",
            "/requests/",
            "/helpdesk/",
            "/procurement/",
            "/procurement/new/",
            "/procurement/orders/",
            "/sourcing/agreements/",
            "/travel/",
            "/travel/new/",
            "/sla/",
        ],
    ),
    "approver": (
        "bruno@undp.test",
        "undp",
        [
            "/",
            "/approvals/",
            "/requests/",
            "/procurement/supplier-invoices/",
            "/travel/duty-of-care/",
            "/accountability/scorecards/",
            "/accountability/reports/",
            "/accountability/changes/",
            "/accountability/changes/new/",
            "/accountability/evidence/",
            "/accountability/evidence/verify/",
        ],
    ),
    "ict-agent": ("ict@facility.test", None, ["/", "/helpdesk/", "/requests/", "/sla/"]),
    "facility-finance": ("finance@facility.test", None, ["/", "/billing/", "/procurement/supplier-invoices/"]),
    "buyer": (
        "buyer@facility.test",
        None,
        [
            "/",
            "/procurement/",
            "/vendors/",
            "/vendors/thresholds/",
            "/sourcing/agreements/",
            "/sourcing/reports/split-purchases/",
            "/sourcing/reports/joint-procurement/",
        ],
    ),
    "travel-officer": (
        "travel@facility.test",
        None,
        [
            "/",
            "/travel/queue/",
            "/travel/rates/",
            "/travel/late-bookings/",
            "/travel/duty-of-care/",
            "/travel/settings/",
        ],
    ),
    "board-member": ("board@undp.test", None, ["/", "/governance/", "/accountability/simulations/"]),
    "facility-manager": (
        "manager@facility.test",
        None,
        [
            "/",
            "/accountability/scorecards/",
            "/accountability/scorecards/processes/",
            "/accountability/objectives/",
            "/accountability/objectives/new/",
            "/accountability/reviews/",
            "/accountability/reviews/new/",
            "/accountability/reports/",
            "/accountability/changes/",
            "/accountability/evidence/",
            "/accountability/simulations/",
        ],
    ),
}

# The pages of the apps this suite owns (platform, accounts, ledger): axe must find nothing serious on them.
AXE_PAGES = {
    "requester": ["/", "/requests/", "/sla/", "/people/", "/travel/", "/travel/new/", "/procurement/orders/"],
    "approver": [
        "/",
        "/approvals/",
        "/accountability/scorecards/",
        "/accountability/changes/new/",
        "/accountability/evidence/",
        "/accountability/evidence/verify/",
    ],
    "ict-agent": ["/", "/requests/", "/sla/"],
    "facility-finance": ["/"],
    "board-member": ["/", "/accountability/simulations/"],
    "facility-manager": [
        "/",
        "/accountability/scorecards/",
        "/accountability/objectives/new/",
        "/accountability/reviews/",
        "/accountability/reviews/new/",
        "/accountability/reports/",
        "/accountability/changes/",
        "/accountability/simulations/",
    ],
    "buyer": ["/", "/procurement/", "/vendors/", "/sourcing/agreements/", "/sourcing/reports/split-purchases/"],
    "travel-officer": ["/", "/travel/queue/", "/travel/rates/", "/travel/late-bookings/"],
}


@pytest.fixture
def people_and_requests(undp, unfpa, facility, sign_agreement, raise_request, make_person):  # type: ignore[no-untyped-def]
    """Ana (UNDP requester) with requests open, delivered and breached; Bruno approves; the facility's staff."""
    ana = make_person((Role.REQUESTER, undp), email="ana@undp.test", first_name="Ana", last_name="Lima")
    make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), email="bruno@undp.test", first_name="Bruno")
    make_person((Role.ICT_AGENT, None), email="ict@facility.test", first_name="Iara", last_name="Costa")
    make_person((Role.FACILITY_FINANCE, None), email="finance@facility.test", first_name="Fábio")
    make_person((Role.PROCUREMENT_AGENT, None), email="buyer@facility.test", first_name="Paula", last_name="Nogueira")
    make_person((Role.TRAVEL_AGENT, None), email="travel@facility.test", first_name="Isabela", last_name="Ribeiro")
    make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test", first_name="Marta", last_name="Souza")
    make_person(
        (Role.BOARD_REPRESENTATIVE, undp), (Role.REQUESTER, undp), email="board@undp.test", first_name="Beatriz"
    )
    now = timezone.now()
    sign_agreement(undp)
    sign_agreement(unfpa)
    for agency, reference, opened in (
        (undp, "UNDP-ICT-000101", now - timedelta(hours=2)),
        (undp, "UNDP-ICT-000102", now - timedelta(days=15)),
        (unfpa, "UNFPA-ICT-000103", now - timedelta(hours=2)),
    ):
        entry = raise_request(
            agency,
            "ICT-REQ",
            opened,
            priority="P4",
            reference=reference,
            title="A second monitor for the finance unit's new colleague",
            requester=ana if agency == undp else None,
        )
        entry_resolve(entry=entry, at=now - timedelta(minutes=1))
    raise_request(
        undp,
        "ICT-INC",
        now - timedelta(days=3),
        priority="P1",
        reference="UNDP-ICT-000104",
        requester=ana,
        title="The VPN drops every few minutes in the Brasília office",
    )
    raise_request(unfpa, "ICT-INC", now - timedelta(days=3), priority="P1", reference="UNFPA-ICT-000105")
    # The scorecards read what the refresh wrote, as beat does every quarter of an hour.
    scorecards_refresh_recent(now=now)
    return ana


def _phone(browser, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, **options)
    context.set_default_timeout(10_000)
    return context


def _scroll_width(page: Page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


@pytest.mark.parametrize("role", list(JOURNEYS))
def test_each_role_reads_its_start_page_and_main_list_on_a_phone_without_scrolling_sideways(
    browser, address, people_and_requests, role
):
    # given a phone-sized browser and a person of this role
    email, code, paths = JOURNEYS[role]
    context = _phone(browser)
    page = context.new_page()
    try:
        # when they sign in and walk their start page and main lists
        page.goto(address(code, "/accounts/login/"))
        assert _scroll_width(page) <= PHONE["width"], "the sign-in page scrolls sideways"
        sign_in(page, email)
        expect(page.locator("#user-tools")).to_be_visible()
        widths = {}
        for path in paths:
            page.goto(address(code, path))
            page.wait_for_load_state("load")
            widths[path] = _scroll_width(page)
            name = path.strip("/").replace("/", "-") or "start"
            page.screenshot(path=f"/tmp/phone-{role}-{name}.png", full_page=True)

        # then none of their pages is wider than the phone
        too_wide = {path: width for path, width in widths.items() if width > PHONE["width"]}
        assert not too_wide, f"{role}: pages wider than {PHONE['width']} px: {too_wide}"
    finally:
        context.close()


@pytest.mark.parametrize("role", list(AXE_PAGES))
def test_axe_finds_no_serious_accessibility_problem_on_each_roles_pages(browser, address, people_and_requests, role):
    # given a person of this role, signed in
    email, code, _paths = JOURNEYS[role]
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(address(code, "/accounts/login/"))
        problems = {"/accounts/login/": axe_violations(page)}
        sign_in(page, email)

        # when axe-core checks each of their pages
        for path in AXE_PAGES[role]:
            page.goto(address(code, path))
            page.wait_for_load_state("load")
            problems[path] = axe_violations(page)

        # then nothing serious or critical is found
        found = {path: axe_report(violations) for path, violations in problems.items() if violations}
        assert not found, "\n".join(f"{role} {path}:\n{report}" for path, report in found.items())
    finally:
        context.close()
