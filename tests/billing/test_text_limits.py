"""Billing inputs out of range: a price list's notes, its decision number."""

from __future__ import annotations

import pytest

from billing.models import PriceListVersion
from tests.test_text_limits import refused_on

pytestmark = pytest.mark.django_db


def test_price_list_notes_and_decision_are_refused_when_out_of_range(facility, finance, decision, api_at, client_at):
    api = api_at(facility, finance)
    items = [{"service": "ICT-INC", "unit_price": "25"}]
    base = {"effective_from": "2026-01-01", "decision": decision.number, "items": items}
    refused_on(api.post("/api/billing/price-lists/", {**base, "notes": "n" * 301}, format="json"), "notes")
    huge = api.post("/api/billing/price-lists/", {**base, "decision": 10**20}, format="json")
    assert huge.status_code == 400 and "decision" in huge.json()["error"]["fields"], huge.content
    page = client_at(facility, finance).post(
        "/billing/prices/", {"effective_from": "2026-01-01", "decision": decision.number, "notes": "n" * 301}
    )
    assert page.status_code == 400 and "notes" in page.context["form"].errors
    assert not PriceListVersion.objects.exists()
