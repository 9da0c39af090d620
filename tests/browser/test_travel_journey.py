"""Travel in a real browser: a UNDP three-leg trip from the request to the settlement statement."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import Role
from allowances.models import DsaRate, Location
from travel.models import Leg, TravelRequest

from .test_procurement_journey import FETCH, _as

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/browser-travel-case.png"


@pytest.fixture
def undp_trips_removed_after(undp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """live_server's flush empties the public schema only; UNDP's travel tables are emptied too."""
    yield
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table) for model in apps.get_app_config("travel").get_models()
    )
    with schema_context(undp.schema_name), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


@pytest.fixture
def dsa_table(db) -> dict[str, Location]:  # type: ignore[no-untyped-def]
    places = {}
    for name, rate, room in (("Brasília", "250", "50"), ("Manaus", "300", "50"), ("Recife", "220", "45")):
        place = Location.objects.create(country="BR", country_name="Brazil", name=name)
        DsaRate.objects.create(
            location=place,
            effective_from=date(2020, 1, 1),
            rate=Decimal(rate),
            room_percent=Decimal(room),
            reduced_rate=(Decimal(rate) * Decimal("0.7")).quantize(Decimal("1")),
        )
        places[name] = place
    return places


def _leg(page: Page, row: int, origin: str, destination: str, day: date, departs: str, arrives: str) -> None:
    page.locator(f"[name='legs-{row}-origin']").select_option(label=f"{origin} (Brazil)")
    page.locator(f"[name='legs-{row}-destination']").select_option(label=f"{destination} (Brazil)")
    page.locator(f"[name='legs-{row}-departs_on']").fill(day.isoformat())
    page.locator(f"[name='legs-{row}-departs_time']").fill(departs)
    page.locator(f"[name='legs-{row}-arrives_on']").fill(day.isoformat())
    page.locator(f"[name='legs-{row}-arrives_time']").fill(arrives)


def test_a_three_leg_trip_goes_from_request_to_the_settlement_statement(
    page: Page, address, facility, undp, make_person, sign_agreement, dsa_table, undp_trips_removed_after
):
    # given UNDP's agreement, a requester who travels, an approver and a facility travel officer
    sign_agreement(undp)
    make_person((Role.REQUESTER, undp), email="ana@undp.test", first_name="Ana", last_name="Souza")
    make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), email="bruno@undp.test", first_name="Bruno")
    make_person((Role.TRAVEL_AGENT, None), email="isabela@facility.test", first_name="Isabela", last_name="Ribeiro")
    start = timezone.localdate() + timedelta(days=30)

    # when the requester asks for Brasília → Manaus (3 nights) → Recife (2 nights) → Brasília
    _as(page, address("undp"), "ana@undp.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Travel").click()
    page.get_by_role("link", name="New travel request").first.click()
    page.get_by_label("Purpose").fill("Monitoring visits to two project sites.")
    page.get_by_role("button", name="Add rows").click()  # a third leg row, what was typed is kept
    expect(page.get_by_label("Purpose")).to_have_value("Monitoring visits to two project sites.")
    _leg(page, 0, "Brasília", "Manaus", start, "08:10", "11:20")
    _leg(page, 1, "Manaus", "Recife", start + timedelta(days=3), "09:00", "13:30")
    _leg(page, 2, "Recife", "Brasília", start + timedelta(days=5), "17:00", "19:40")
    page.locator("[name='charges-0-code']").fill("BRA10-00123")
    page.locator("[name='charges-0-percent']").fill("100")
    page.get_by_label("Passport number").fill("FZ123456")
    page.get_by_role("button", name="Submit for approval").click()

    # then the page shows the DSA estimate line by line and the advance: 3 × 300 + 2 × 220 = 1,340; 80 % = 1,072
    expect(page.locator("#trip-status")).to_have_text("Waiting for approval")
    expect(page.locator("#estimate")).to_contain_text("3 nights × 300.00")
    expect(page.locator("#estimate")).to_contain_text("2 nights × 220.00")
    expect(page.locator("#advance")).to_contain_text("1,072.00")
    reference = re.search(r"UNDP-TA-\d{6}", page.get_by_role("heading", level=1).inner_text())
    assert reference is not None
    reference_text = reference.group(0)

    # when the approver approves it from the approvals inbox
    _as(page, address("undp"), "bruno@undp.test")
    page.goto(address("undp", "/approvals/"))
    page.get_by_role("link", name=reference_text).click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#trip-status")).to_have_text("Approved, with ticketing")

    # when the travel officer records both clearances and three fares, and issues the cheapest
    _as(page, address(None), "isabela@facility.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Travel").click()
    page.get_by_role("link", name=reference_text).click()
    for place in ("Manaus", "Recife"):
        page.locator("#clearance-form").get_by_label("Destination").select_option(label=f"{place}, Brazil")
        page.locator("#clearance-form").get_by_label("Clearance reference").fill(f"TRIP-{place.upper()}-1")
        page.locator("#clearance-form").get_by_label("Granted on").fill(timezone.localdate().isoformat())
        page.get_by_role("button", name="Record the clearance").click()
        expect(page.locator("#clearances")).to_contain_text(f"TRIP-{place.upper()}-1")
    for row, (carrier, fare) in enumerate((("LATAM", "980.00"), ("Azul", "905.40"), ("GOL", "1010.00"))):
        page.locator(f"[name='fares-{row}-airline']").fill(carrier)
        page.locator(f"[name='fares-{row}-fare']").fill(fare)
    page.get_by_role("button", name="Record the fares").click()
    page.locator("#ticket-form").get_by_label("Fare chosen").select_option(index=1)
    page.locator("#ticket-form").get_by_label("Booking reference").fill("QX7Y2Z")
    page.get_by_role("button", name="Issue the ticket").click()
    expect(page.locator("#ticket")).to_contain_text("Azul")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # given the journey took place (six weeks pass)
    with schema_context(undp.schema_name):
        shift = timedelta(days=45)
        for leg in Leg.objects.all():
            leg.departs_at -= shift
            leg.arrives_at -= shift
            leg.save(update_fields=["departs_at", "arrives_at"])
        trip = TravelRequest.objects.get(reference=reference_text)
        trip.departs_on -= shift
        trip.returns_on -= shift
        trip.save(update_fields=["departs_on", "returns_on"])

    # when the traveller claims: one more night in Recife, and a taxi
    _as(page, address("undp", f"/travel/{reference_text}/"), "ana@undp.test")
    page.get_by_role("link", name="Claim expenses after the journey").click()
    back = start - timedelta(days=45) + timedelta(days=6)
    page.locator("[name='legs-2-departs_on']").fill(back.isoformat())
    page.locator("[name='legs-2-arrives_on']").fill(back.isoformat())
    page.locator("[name='expenses-0-description']").fill("Taxi to the airport")
    page.locator("[name='expenses-0-amount']").fill("45.50")
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.locator("#trip-status")).to_have_text("Claim submitted")

    # when the travel officer settles it
    _as(page, address(None, f"/travel/cases/{reference_text}/"), "isabela@facility.test")
    page.get_by_role("button", name="Settle").click()
    expect(page.locator("#trip-status")).to_have_text("Settled")

    # then the settlement statement shows the amount owed: 3 × 300 + 3 × 220 + 3 × 38 + 45.50 − 1,072 = 647.50
    _as(page, address("undp", f"/travel/{reference_text}/"), "ana@undp.test")
    expect(page.locator("#settlement")).to_contain_text("USD 647.50 owed to the traveller")
    href = page.locator("#settlement-pdf").get_attribute("href")
    assert href is not None
    response = page.evaluate(FETCH, href)
    assert response["status"] == 200 and response["type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(response["bytes"]))).pages)
    assert reference_text in text
    assert "Amount owed to the traveller: USD 647.50" in text
    assert "FZ123456" not in text
