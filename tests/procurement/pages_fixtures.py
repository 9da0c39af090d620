"""Fixtures for the agency's procurement pages and the vendor's link: browsers on UNDP's address and
on the portal without an account, the form a requisition page posts, and a clean post counter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import User
from procurement.views.vendor import throttle_key
from tenants.models import Agency
from vendors.models import SupplyCategory


@pytest.fixture(autouse=True)
def _vendor_post_counter_reset() -> Iterator[None]:
    """The vendor links count posts per client address (127.0.0.1 in tests); each test starts afresh."""
    cache.delete(throttle_key("127.0.0.1"))
    yield
    cache.delete(throttle_key("127.0.0.1"))


@pytest.fixture
def at_undp(client_at: Callable[..., Client], undp: Agency) -> Callable[[User], Client]:
    """at_undp(user): a browser signed in as that person on UNDP's address."""

    def make(user: User) -> Client:
        return client_at(undp, user)

    return make


@pytest.fixture
def vendor_browser() -> Client:
    """A vendor's browser on the facility portal: no account, no session."""
    return Client(HTTP_HOST=settings.BASE_DOMAIN)


def requisition_post(
    category: SupplyCategory, rows: list[tuple[str, str, str]] | None = None, **fields: Any
) -> dict[str, Any]:
    """What the new-requisition page posts: the requisition's fields and one row per (description, qty, price)."""
    rows = rows if rows is not None else [("Laptop, 14 inch", "10", "1500.00"), ("Docking station", "10", "250.00")]
    data: dict[str, Any] = {
        "title": "Laptops for the project office",
        "delivery_place": "UN House, Brasília",
        "delivery_date": (timezone.localdate() + timedelta(days=45)).isoformat(),
        "charge_code": "BRA10-00123-71200",
        "justification": "The project team starts in January.",
        "lines-TOTAL_FORMS": str(max(len(rows), 3)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, (description, quantity, price) in enumerate(rows):
        data |= {
            f"lines-{index}-description": description,
            f"lines-{index}-category": str(category.pk),
            f"lines-{index}-quantity": quantity,
            f"lines-{index}-unit": "each",
            f"lines-{index}-estimated_unit_price": price,
        }
    data.update(fields)
    return data


def tender_url(agency: Agency, token: str, suffix: str = "") -> str:
    return f"/tenders/{agency.code.lower()}/{token}/{suffix}"
