"""The quality system in a real browser: an agency's suggestion through the review committee to its outcome.

A UNDP requester suggests an improvement on UNDP's address; a member of the
review committee scores it and accepts it on the facility portal with an
owner and steps; the owner ticks the steps and records it implemented; the
requester reads the outcome on their "my suggestions" page (ISO 9001:2015
clause 10.3).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from quality.models import Process, Suggestion, SuggestionStatus

from .test_procurement_journey import _as

pytestmark = pytest.mark.browser
TITLE = "Let requesters attach the quotation they already have"


def test_an_agency_suggestion_is_scored_accepted_implemented_and_its_outcome_read_by_the_requester(
    page: Page, address, facility, undp, make_person
):
    # given a UNDP requester, a review committee member, and the RFQ process owned by a procurement officer
    make_person((Role.REQUESTER, undp), email="ana@undp.test", first_name="Ana", last_name="Souza")
    make_person((Role.REVIEW_COMMITTEE, None), email="sofia@facility.test", first_name="Sofia", last_name="Lima")
    owner = make_person(
        (Role.PROCUREMENT_AGENT, None), email="henrique@facility.test", first_name="Henrique", last_name="Barbosa"
    )
    Process.objects.create(code="PRC-RFQ", name="Procurement by request for quotation", owner=owner)

    # when the requester suggests an improvement on UNDP's address
    _as(page, address("undp", "/quality/suggestions/"), "ana@undp.test")
    page.get_by_role("link", name="Suggest an improvement").click()
    page.get_by_label("Process").select_option("PRC-RFQ")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("What would be better, and how").fill(
        "We often hold a quotation already; let us attach it to the requisition instead of e-mailing it."
    )
    page.get_by_role("button", name="Send the suggestion").click()
    suggestion = Suggestion.objects.get(title=TITLE)
    expect(page.locator("#suggestion-status")).to_contain_text("Waiting for the committee")

    # and a committee member scores it and accepts it on the portal, with an owner, a date and two steps
    _as(page, address(None, "/quality/suggestions/"), "sofia@facility.test")
    expect(page.locator("#suggestions")).to_contain_text("to score")
    page.get_by_role("link", name=suggestion.reference).click()
    page.get_by_label("Impact").select_option("4")
    page.get_by_label("Effort").select_option("2")
    page.get_by_role("button", name="Save the score").click()
    expect(page.locator("#suggestion-score")).to_contain_text("16")
    page.get_by_label("Accept").check()
    page.get_by_label("Reason").fill("Saves a round trip on most requisitions; quick to build.")
    page.get_by_label("Implementation owner").select_option(label="Henrique Barbosa")
    page.get_by_label("To be implemented by").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_label("Implementation steps").fill("Add an attachment field to the requisition\nShow it to the buyer")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#suggestion-status")).to_contain_text("Accepted")
    assert [message.to for message in mail.outbox] == [["ana@undp.test"]]

    # and the owner ticks both steps and records it implemented
    _as(page, address(None, f"/quality/suggestions/{suggestion.reference}/"), "henrique@facility.test")
    for _step in range(2):
        page.get_by_role("button", name="Mark done").first.click()
        page.wait_for_load_state()
    expect(page.get_by_role("button", name="Mark done")).to_have_count(0)
    page.get_by_label("What was done").fill("Requisitions now take the supplier's quotation as an attachment.")
    page.get_by_role("button", name="Record as implemented").click()
    expect(page.locator("#suggestion-status")).to_contain_text("Implemented")

    # then the requester reads the decision and the outcome on their "my suggestions" page
    _as(page, address("undp", "/quality/suggestions/"), "ana@undp.test")
    expect(page.locator("#my-suggestions")).to_contain_text("Implemented")
    page.get_by_role("link", name=suggestion.reference).click()
    expect(page.locator("#decision-reason")).to_contain_text("Saves a round trip")
    expect(page.locator("#outcome-text")).to_contain_text("attachment")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.IMPLEMENTED
    assert len(mail.outbox) == 2
