"""In a real browser: a second agency piggybacks on a long-term agreement and raises a call-off that becomes
a purchase order (issue 14's journey). UNDP owns the agreement; UNFPA asks to join, UNDP's approver accepts,
UNFPA's requester calls off, UNFPA's approver approves, and the facility's buyer issues the order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.sourcing.conftest import cleaning, interpretation, make_lta, people, vendor  # noqa: F401 (fixtures)

from .test_sign_in_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def unfpa_purchases_removed_after(unfpa) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """live_server's flush empties the public schema only; UNFPA's procurement tables are emptied too."""
    yield
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table) for model in apps.get_app_config("procurement").get_models()
    )
    with schema_context(unfpa.schema_name), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def _as(page: Page, url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(url)
    sign_in(page, email)


def test_a_second_agency_piggybacks_on_an_agreement_and_its_call_off_becomes_a_purchase_order(
    page: Page,
    address,
    make_lta,  # noqa: F811 (the fixture imported above)
    people,  # noqa: F811
    unfpa,
    unfpa_purchases_removed_after,
):
    # given UNDP's agreement for interpretation and cleaning that UNFPA has not joined
    agreement = make_lta()
    page_url = f"/sourcing/agreements/{agreement.reference}/"

    # when UNFPA's approver opens it among those open to join and asks to join
    _as(page, address("unfpa", "/sourcing/agreements/?tab=open"), "diego@unfpa.test")
    page.get_by_role("link", name=agreement.reference).click()
    expect(page.locator("#consumption")).to_have_count(0)
    page.get_by_role("link", name="Ask to join").click()
    page.get_by_label("Why your agency wants to join").fill("Interpretation for our three regional workshops.")
    page.get_by_label("Expected spend (USD)").fill("20000")
    page.get_by_role("button", name="Ask to join").click()
    expect(page.locator("#piggybacks")).to_contain_text("Waiting for the owner")

    # when UNDP's approver decides it from the approvals inbox, with a ceiling of 20,000 USD for UNFPA
    _as(page, address("undp", "/approvals/"), "bruno@undp.test")
    page.get_by_role("link", name=re.compile(agreement.reference)).first.click()
    page.get_by_label("Accept: the agency may call off").check()
    page.get_by_label("The agency's own ceiling (USD)").fill("20000")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#consumption")).to_contain_text("UNFPA")

    # when UNFPA's requester calls off 3 days of interpretation
    _as(page, address("unfpa", page_url), "clara@unfpa.test")
    page.get_by_role("link", name="Raise a call-off").click()
    page.get_by_label("Quantity of item 1").fill("3")
    page.get_by_label("Delivery place").fill("UN House, Brasília")
    page.get_by_label("Delivery wanted by").fill((timezone.localdate() + timedelta(days=20)).isoformat())
    page.get_by_label("Charge code").fill("BRA30-00456-71300")
    page.get_by_label("Justification").fill("The March workshop.")
    page.get_by_role("button", name="Raise the call-off").click()

    # then she lands on its requisition: 3,000.00 USD at the agreed price, waiting for approval
    expect(page.locator("body")).to_contain_text("Waiting for approval")
    expect(page.locator("body")).to_contain_text("3,000.00")
    found = re.search(r"UNFPA-PR-\d{6}", page.get_by_role("heading", level=1).inner_text())
    assert found is not None
    reference = found.group(0)

    # when UNFPA's approver approves it from the inbox
    _as(page, address("unfpa", "/approvals/"), "diego@unfpa.test")
    page.get_by_role("link", name=re.compile(reference)).click()
    page.get_by_role("button", name="Approve the requisition").click()
    expect(page.locator("body")).to_contain_text("Call-off against a long-term agreement")

    # when the facility's buyer takes it and issues the order at the agreed prices
    _as(page, address(None, f"/procurement/{reference}/"), "carla@facility.test")
    expect(page.locator("#case-agreement")).to_contain_text(agreement.reference)
    page.get_by_role("button", name="Take it as buyer").click()
    page.locator("#order-form").get_by_label("Terms").fill("As the long-term agreement says.")
    page.get_by_role("button", name="Issue the purchase order").click()
    order = re.search(r"UNFPA-PO-\d{4}-\d{6}", page.locator("body").inner_text())
    assert order is not None

    # then UNFPA reads its own consumption on the agreement: 3,000.00 of its 20,000.00
    _as(page, address("unfpa", page_url), "clara@unfpa.test")
    expect(page.locator("#consumption")).to_contain_text("3,000.00")
    expect(page.locator("#consumption")).to_contain_text("17,000.00")
