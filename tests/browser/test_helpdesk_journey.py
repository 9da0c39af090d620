"""The helpdesk in a real browser: a ticket from the requester to the agent and back, rated and counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts.models import Role
from ict_helpdesk.models import Ticket

from .test_sign_in_journey import sign_in

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/browser-helpdesk-ticket.png"


@pytest.fixture
def undp_tickets_removed_after(undp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """live_server's flush empties the public schema only; the agency's tickets go with the test too."""
    yield
    with schema_context(undp.schema_name):
        Ticket.objects.all().delete()


def test_a_ticket_goes_from_requester_to_agent_and_back_and_the_dashboard_counts_its_rating(
    page: Page, address, facility, undp, make_person, sign_agreement, undp_tickets_removed_after
):
    # given UNDP's agreement, a requester, an ICT agent and the facility manager
    sign_agreement(undp)
    make_person((Role.REQUESTER, undp), email="ana@undp.test", first_name="Ana", last_name="Souza")
    make_person((Role.ICT_AGENT, None), email="joao@facility.test", first_name="João", last_name="Carvalho")
    make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")

    # when the requester raises a ticket from UNDP's address
    page.goto(address("undp"))
    sign_in(page, "ana@undp.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="ICT helpdesk").click()
    page.get_by_role("link", name="Raise a ticket").first.click()
    page.get_by_label("Category").select_option(label="Laptop, desktop and peripherals")
    page.get_by_label("Impact").select_option("medium")
    page.get_by_label("Urgency").select_option("high")
    page.get_by_label("Subject").fill("Laptop does not start")
    page.get_by_label("Description").fill("Black screen after the logo.")
    page.get_by_role("button", name="Raise the ticket").click()

    # then it is new, P2, with its due times
    expect(page.locator("#ticket-status")).to_have_text("New")
    expect(page.locator("#ticket-priority")).to_contain_text("P2")
    reference = page.get_by_role("heading", level=1).inner_text().split(" · ")[0]

    # when the agent takes it from the queue, replies and asks the requester for something
    page.context.clear_cookies()
    page.goto(address(None))
    sign_in(page, "joao@facility.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="ICT queue").click()
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Take it").click()
    page.locator("#reply-form").get_by_label("Message").fill("Is the charger plugged in?")
    page.locator("#reply-form").get_by_role("button", name="Send").click()
    page.get_by_text("Set pending (pauses the clock)").click()
    page.locator("#pending-form").get_by_label("Waiting for").fill("Charger check")
    page.locator("#pending-form").get_by_role("button", name="Set pending").click()
    expect(page.locator("#ticket-status")).to_contain_text("Pending (waiting on the requester)")

    # when the requester answers, the ticket is open again
    page.context.clear_cookies()
    page.goto(address("undp", f"/helpdesk/{reference}/"))
    sign_in(page, "ana@undp.test")
    page.goto(address("undp", f"/helpdesk/{reference}/"))
    expect(page.locator("#conversation")).to_contain_text("Is the charger plugged in?")
    page.locator("#reply-form").get_by_label("Message").fill("Yes, it is plugged in.")
    page.locator("#reply-form").get_by_role("button", name="Send").click()
    expect(page.locator("#ticket-status")).to_have_text("Open")

    # when the agent resolves it
    page.context.clear_cookies()
    page.goto(address(None, f"/helpdesk/tickets/{reference}/"))
    sign_in(page, "joao@facility.test")
    page.goto(address(None, f"/helpdesk/tickets/{reference}/"))
    page.locator("summary", has_text="Resolve").click()
    page.locator("#resolve-form").get_by_label("Resolution note").fill("Replaced the battery.")
    page.locator("#resolve-form").get_by_role("button", name="Resolve").click()
    expect(page.locator("#ticket-status")).to_have_text("Resolved")

    # then the requester rates it
    page.context.clear_cookies()
    page.goto(address("undp", f"/helpdesk/{reference}/"))
    sign_in(page, "ana@undp.test")
    page.goto(address("undp", f"/helpdesk/{reference}/"))
    expect(page.locator("#resolution-note")).to_contain_text("Replaced the battery.")
    page.get_by_label("4 good").check()
    page.locator("#rate-form").get_by_label("Comment").fill("Quick, thanks")
    page.get_by_role("button", name="Send my rating").click()
    expect(page.locator("#ticket-rating")).to_contain_text("4 of 5")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # and the manager's dashboard counts it: delivered, and its rating
    page.context.clear_cookies()
    page.goto(address(None, "/sla/"))
    sign_in(page, "manager@facility.test")
    page.goto(address(None, "/sla/"))
    expect(page.locator("#total-delivered")).to_have_text("1")
    expect(page.locator("#satisfaction-average")).to_have_text("4.0 / 5")
    expect(page.locator("#satisfaction")).to_contain_text("UNDP")
