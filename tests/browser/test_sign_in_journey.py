"""Signing in and out in a real browser, at an agency's address and at the facility portal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

AGENCY_HOME_SCREENSHOT = "/tmp/browser-agency-home.png"
FACILITY_HOME_SCREENSHOT = "/tmp/browser-facility-home.png"
SIGN_IN_PATH = re.compile(r"/accounts/login/")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_requester_signs_in_and_out_at_their_agency_address(page, address, undp, make_person):
    # given
    ana = make_person(("requester", undp), email="ana@undp.test", first_name="Ana", last_name="Lima")

    # when
    page.goto(address("undp"))

    # then
    expect(page).to_have_url(SIGN_IN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to UNDP")

    # when
    sign_in(page, "ana@undp.test")

    # then
    expect(page).to_have_url(address("undp"))
    expect(page.get_by_role("heading", level=1)).to_have_text(undp.name)
    # the start page: what awaits her (nothing yet)
    expect(page.locator("#start-my-requests")).to_contain_text("You have no open request.")
    expect(page.locator("#user-tools")).to_contain_text(f"Signed in as {ana.get_full_name()}")
    page.screenshot(path=AGENCY_HOME_SCREENSHOT, full_page=True)

    # when
    page.get_by_role("button", name="Sign out").click()

    # then
    expect(page).to_have_url(SIGN_IN_PATH)
    expect(page.get_by_label("E-mail address")).to_be_visible()
    expect(page.locator("#user-tools")).to_have_count(0)


def test_a_correct_password_at_another_agency_address_does_not_sign_in(page, address, undp, unfpa, make_person):
    # given
    make_person(("requester", undp), email="ana@undp.test")
    page.goto(address("unfpa"))

    # when
    sign_in(page, "ana@undp.test")

    # then
    expect(page.locator(".errornote")).to_contain_text("no access to United Nations Population Fund")
    expect(page).to_have_url(SIGN_IN_PATH)
    expect(page.get_by_text("Who's who")).to_have_count(0)
    expect(page.locator("#user-tools")).to_have_count(0)


def test_a_facility_manager_sees_the_agencies_served(page, address, facility, undp, unfpa, make_person):
    # given
    make_person(("facility_manager", None), email="manager@facility.test")
    page.goto(address(None))
    expect(page).to_have_url(SIGN_IN_PATH)

    # when
    sign_in(page, "manager@facility.test")

    # then
    expect(page).to_have_url(address(None))
    expect(page.get_by_role("heading", name="Agencies served")).to_be_visible()
    codes = page.locator("table#agencies tbody th[scope=row]")
    expect(codes.filter(has_text=re.compile(r"^UNDP$"))).to_have_count(1)
    expect(codes.filter(has_text=re.compile(r"^UNFPA$"))).to_have_count(1)
    page.screenshot(path=FACILITY_HOME_SCREENSHOT, full_page=True)


def test_a_wrong_password_is_a_form_error(page, address, undp, make_person):
    # given
    make_person(("requester", undp), email="ana@undp.test")
    page.goto(address("undp"))

    # when
    sign_in(page, "ana@undp.test", "not-the-password")

    # then
    expect(page.locator(".errornote")).to_contain_text("do not match an active account")
    expect(page).to_have_url(SIGN_IN_PATH)
    expect(page.get_by_label("E-mail address")).to_have_value("ana@undp.test")
    expect(page.locator("#user-tools")).to_have_count(0)
