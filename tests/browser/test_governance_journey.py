"""The board in a real browser: representatives vote, the secretary closes, the decision is in the register."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from tests.factories import PASSWORD
from tests.governance.conftest import seat_row

pytestmark = pytest.mark.browser

MOTION_SCREENSHOT = "/tmp/browser-governance-motion.png"
RESULT_SCREENSHOT = "/tmp/browser-governance-result.png"
REGISTER_SCREENSHOT = "/tmp/browser-governance-register.png"


def signed_in(browser: Browser, url: str, email: str) -> Page:
    """A new browser (own cookies) signed in as this person at this address."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(url)
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_load_state()
    return tab


def test_representatives_vote_the_secretary_closes_and_the_decision_is_registered(
    browser, address, facility, undp, unfpa, unaids, make_person
):
    # given three member agencies with their representatives, a partner's observer and the secretary
    unesco = seat_row("UNESCO")
    make_person((Role.FACILITY_MANAGER, None), email="secretary@facility.test", first_name="Gabriela")
    for agency in (undp, unfpa, unesco):
        make_person((Role.BOARD_REPRESENTATIVE, agency), email=f"board@{agency.code.lower()}.test")
    make_person((Role.BOARD_OBSERVER, unaids), email="observer@unaids.test")

    # when the secretary drafts a motion and opens it
    secretary = signed_in(browser, address(None, "/governance/"), "secretary@facility.test")
    secretary.get_by_role("link", name="Draft a motion").click()
    secretary.get_by_label("Title").fill("Price list for next year")
    secretary.get_by_label("Text of the motion").fill("The board approves the annexed price list.")
    secretary.get_by_label("Decision rule").select_option("simple_majority")
    closes = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    secretary.get_by_label("Voting closes at").fill(closes)
    secretary.get_by_role("button", name="Save the draft").click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Price list for next year")
    secretary.get_by_role("button", name="Open for votes").click()
    expect(secretary.locator("#motion-status")).to_have_text("Open for votes")
    motion_url = secretary.url

    # and representatives of three agencies vote from the motion page
    for code, choice in [("undp", "In favour"), ("unfpa", "In favour"), ("unesco", "Against")]:
        representative = signed_in(browser, motion_url, f"board@{code}.test")
        expect(representative.get_by_role("heading", level=1)).to_have_text("Price list for next year")
        representative.get_by_label(choice, exact=True).check()
        representative.get_by_role("button", name="Cast ballot").click()
        expect(representative.locator(".messagelist")).to_contain_text(
            f"{code.upper()}'s ballot is recorded: {choice}."
        )
        expect(representative.locator(".current-ballot")).to_contain_text(choice)
        if code == "unesco":
            representative.screenshot(path=MOTION_SCREENSHOT, full_page=True)
        representative.context.close()

    # and the partner's observer sees the motion without a ballot
    observer = signed_in(browser, motion_url, "observer@unaids.test")
    expect(observer.get_by_role("heading", level=1)).to_have_text("Price list for next year")
    expect(observer.get_by_role("button", name="Cast ballot")).to_have_count(0)
    observer.context.close()

    # when the secretary closes the vote
    secretary.reload()
    expect(secretary.locator("#seats")).to_contain_text("UNESCO")
    secretary.get_by_role("link", name="Close the vote now…").click()
    expect(secretary.locator("#confirmation")).to_contain_text("This cannot be undone.")
    secretary.get_by_label("I understand that this cannot be undone.").check()
    secretary.get_by_role("button", name="Close the vote now").click()

    # then the result and its register entry appear
    expect(secretary.locator("#motion-status")).to_have_text("Adopted")
    expect(secretary.locator(".result-line")).to_contain_text("2 in favour, 1 against")
    entry_link = secretary.locator("#register-entry-link")
    expect(entry_link).to_have_text("No. 1")
    secretary.screenshot(path=RESULT_SCREENSHOT, full_page=True)

    # and the register shows the decision, and verifies
    entry_link.click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Decision 1: Price list for next year")
    expect(secretary.locator("#entry-ballots")).to_contain_text("UNESCO")
    expect(secretary.get_by_text("matches")).to_be_visible()
    secretary.get_by_role("link", name="Decision register").first.click()
    expect(secretary.locator("table#register tbody tr")).to_have_count(1)
    expect(secretary.locator("table#register")).to_contain_text("Adopted")
    secretary.get_by_role("link", name="Verify the whole register").click()
    expect(secretary.locator(".verification")).to_have_text(re.compile(r"The register holds: 1 entry verified"))
    secretary.screenshot(path=REGISTER_SCREENSHOT, full_page=True)

    # and an agency's staff read it at their own address
    requester = make_person((Role.REQUESTER, undp), email="requester@undp.test")
    staff = signed_in(browser, address("undp", "/governance/register/"), requester.email)
    expect(staff.locator("table#register")).to_contain_text("Price list for next year")
    staff.context.close()
    secretary.context.close()
