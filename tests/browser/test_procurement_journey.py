"""Procurement in a real browser: a UNDP requisition of 50,000 USD to its order, vendors bidding through their links."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import Role, User
from procurement.models import Solicitation
from tests.factories import PASSWORD
from vendors.models import SupplyCategory
from vendors.services import vendor_create

from .test_sign_in_journey import sign_in

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/browser-procurement-case.png"
VENDORS = ("Alfa Informática Ltda", "Beta Sistemas SA", "Gama Tecnologia Ltda")
# What each vendor bids for the 20 laptops and the 10 monitors (unit prices, USD).
FETCH = """async (url) => {
  const answer = await fetch(url);
  const bytes = new Uint8Array(await answer.arrayBuffer());
  return {status: answer.status, type: answer.headers.get("content-type"), bytes: Array.from(bytes)};
}"""
BIDS = {"Alfa Informática Ltda": ("1900.00", "950.00"), "Beta Sistemas SA": ("1850.00", "900.00")}


@pytest.fixture
def undp_purchases_removed_after(undp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """live_server's flush empties the public schema only; UNDP's procurement tables are emptied too."""
    yield
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table) for model in apps.get_app_config("procurement").get_models()
    )
    with schema_context(undp.schema_name), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


@pytest.fixture
def roster(make_person) -> list[str]:  # type: ignore[no-untyped-def]
    keeper: User = make_person((Role.PROCUREMENT_AGENT, None), email="roster@facility.test")
    laptops = SupplyCategory.objects.create(code="IT-EQUIP", name="IT equipment")
    for name in VENDORS:
        vendor = vendor_create(
            legal_name=name,
            country="BR",
            registration_number=f"REG-{name[:4]}",
            email=f"bids@{name.split()[0].lower()}.test",
            created_by=keeper,
        )
        vendor.categories.add(laptops)
    return list(VENDORS)


def _as(page: Page, url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(url)
    sign_in(page, email)


def test_a_requisition_goes_through_sealed_bids_to_a_purchase_order_the_requester_downloads(
    page: Page, address, facility, undp, make_person, sign_agreement, roster, undp_purchases_removed_after
):
    # given UNDP's agreement, its requester and approver, two facility procurement officers and three vendors
    sign_agreement(undp)
    make_person((Role.REQUESTER, undp), email="ana@undp.test", first_name="Ana", last_name="Souza")
    make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), email="bruno@undp.test", first_name="Bruno")
    make_person((Role.PROCUREMENT_AGENT, None), email="carla@facility.test", first_name="Carla", last_name="Dias")
    make_person((Role.PROCUREMENT_AGENT, None), email="davi@facility.test", first_name="Davi", last_name="Rocha")

    # when the requester raises a requisition of 50,000 USD from UNDP's address
    _as(page, address("undp"), "ana@undp.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requisitions").click()
    page.get_by_role("link", name="New requisition").first.click()
    page.get_by_label("Title").fill("Laptops for the project office")
    page.get_by_label("Delivery place").fill("UN House, Brasília")
    page.get_by_label("Delivery wanted by").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    page.get_by_label("Charge code").fill("BRA10-00123-71200")
    page.get_by_label("Justification").fill("The project team starts in January.")
    for row, (description, quantity, unit, price) in enumerate(
        (("Laptop, 14 inch, 16 GB", "20", "each", "2000"), ("Monitor, 24 inch", "10", "each", "1000"))
    ):
        page.locator(f"[name='lines-{row}-description']").fill(description)
        page.locator(f"[name='lines-{row}-category']").select_option(label="IT equipment")
        page.locator(f"[name='lines-{row}-quantity']").fill(quantity)
        page.locator(f"[name='lines-{row}-unit']").fill(unit)
        page.locator(f"[name='lines-{row}-estimated_unit_price']").fill(price)
    page.get_by_role("button", name="Raise the requisition").click()

    # then it waits for approval, estimated at 50,000.00 USD
    expect(page.locator("body")).to_contain_text("Waiting for approval")
    expect(page.locator("body")).to_contain_text("50,000.00")
    reference = re.search(r"UNDP-PR-\d{6}", page.get_by_role("heading", level=1).inner_text())
    assert reference is not None
    reference_text = reference.group(0)

    # when the approver decides it from the approvals inbox
    _as(page, address("undp"), "bruno@undp.test")
    page.goto(address("undp", "/approvals/"))
    page.get_by_role("link", name=reference_text).click()
    page.get_by_role("button", name="Approve the requisition").click()
    expect(page.locator("body")).to_contain_text("Approved, with procurement")

    # when a procurement officer takes it from the queue and invites the three vendors to an RFQ
    _as(page, address(None), "carla@facility.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Procurement").click()
    page.get_by_role("link", name=reference_text).click()
    expect(page.locator("body")).to_contain_text("Request for quotation (RFQ)")
    page.get_by_role("button", name="Take it as buyer").click()
    page.get_by_label("Instructions to bidders").fill("Quote unit prices in USD, delivery within 30 days.")
    deadline = timezone.localtime() + timedelta(days=7)
    page.get_by_label("Submission deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    for name in roster:
        page.get_by_label(name).check()
    page.get_by_role("button", name="Issue the solicitation").click()
    expect(page.locator("#sealed-count")).to_have_text("0 bids received, sealed (0 late).")

    # when two vendors bid through the personal links they were e-mailed
    links = {
        message.to[0]: match.group(0)
        for message in mail.outbox
        if (match := re.search(r"/tenders/undp/[\w-]+/", message.body))
    }
    assert len(links) == 3, [message.subject for message in mail.outbox]
    for name, (laptop, monitor) in BIDS.items():
        page.context.clear_cookies()
        page.goto(address(None, links[f"bids@{name.split()[0].lower()}.test"]))
        expect(page.locator("body")).to_contain_text("Laptops for the project office")
        page.get_by_label("Currency of the bid").select_option("USD")
        page.get_by_label("Unit price, line 1").fill(laptop)
        page.get_by_label("Unit price, line 2").fill(monitor)
        page.get_by_role("button", name="Submit my bid").click()
        expect(page.locator("body")).to_contain_text("sealed")

    # then the buyer sees two sealed bids and no price before the deadline
    _as(page, address(None, f"/procurement/{reference_text}/"), "carla@facility.test")
    expect(page.locator("#sealed-count")).to_have_text("2 bids received, sealed (0 late).")
    body = page.locator("body").inner_text()
    assert "47,500.00" not in body and "46,000.00" not in body

    # when the deadline passes, the buyer opens the bids with a second officer's co-signature
    with schema_context(undp.schema_name):
        Solicitation.objects.update(deadline=timezone.now() - timedelta(minutes=1))
    page.reload()
    page.get_by_label("Second officer's e-mail").fill("davi@facility.test")
    page.get_by_label("Second officer's password").fill(PASSWORD)
    page.get_by_role("button", name="Open and record").click()

    # then the prices are read out: Alfa 20 x 1,900 + 10 x 950 = 47,500.00, Beta 20 x 1,850 + 10 x 900 = 46,000.00
    expect(page.locator("body")).to_contain_text("47,500.00")
    expect(page.locator("body")).to_contain_text("46,000.00")
    expect(page.locator("#history")).to_contain_text("Bids opened: Carla Dias, Davi Rocha")

    # when she declares no conflict, finds both bids compliant and completes the evaluation
    page.get_by_label("I have no conflict of interest with any bidder").check()
    page.get_by_role("button", name="Record my declaration").click()
    for name in BIDS:
        page.locator("summary", has_text="Record a compliance finding").click()
        page.locator("#compliance-form").get_by_label("Bid").select_option(label=name)
        page.locator("#compliance-form").get_by_label("Compliant", exact=True).check()
        page.locator("#compliance-form").get_by_label("Reason").fill("Meets every requirement.")
        page.get_by_role("button", name="Record the finding").click()
    page.get_by_role("button", name="Complete the evaluation").click()

    # then the lowest compliant bid (Beta) is recommended; she awards it and issues the order
    expect(page.locator("body")).to_contain_text("Beta Sistemas SA")
    page.locator("#award-form").get_by_label("Bid").select_option(label="Beta Sistemas SA")
    page.locator("#award-form").get_by_label("Justification").fill("Lowest priced compliant bid.")
    page.get_by_role("button", name="Award the contract").click()
    page.locator("#order-form").get_by_label("Terms").fill("Payment 30 days after delivery; one-year warranty.")
    page.get_by_role("button", name="Issue the purchase order").click()
    order = re.search(r"UNDP-PO-\d{4}-\d{6}", page.locator("body").inner_text())
    assert order is not None
    page.screenshot(path=SCREENSHOT, full_page=True)

    # then the requester finds the order on her requisition and downloads its PDF
    _as(page, address("undp", f"/procurement/{reference_text}/"), "ana@undp.test")
    expect(page.locator("#orders")).to_contain_text(order.group(0))
    href = page.locator("a.order-pdf").first.get_attribute("href")
    assert href is not None
    # (fetched from the page itself: the browser resolves *.localhost, Playwright's own request client does not)
    response = page.evaluate(FETCH, href)
    assert response["status"] == 200
    assert response["type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(response["bytes"]))).pages)
    assert order.group(0) in text
    assert "Beta Sistemas SA" in text
