"""Fixtures for procurement's API: token clients on each address, and a purchase taken to the opening.

The people, the roster and the services' steps come from tests/procurement/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import Role, User
from procurement import services
from procurement.models import Bid, Solicitation
from tenants.models import Agency

# Prices no other figure of a test contains: searched for in every answer while the bids are sealed.
SEALED_PRICES = ("41234.57", "39876.13", "45678.91")


@pytest.fixture
def agency_api(api_at: Callable[..., APIClient], undp: Agency) -> Callable[[User], APIClient]:
    """agency_api(user): a token client on UNDP's address."""

    def make(user: User) -> APIClient:
        return api_at(undp, user)

    return make


@pytest.fixture
def portal_api(api_at: Callable[..., APIClient], facility: Agency) -> Callable[[User], APIClient]:
    """portal_api(user): a token client on the facility portal."""

    def make(user: User) -> APIClient:
        return api_at(facility, user)

    return make


@pytest.fixture
def colleague(make_person: Callable[..., User], undp: Agency) -> User:
    """Another UNDP requester: sees only what they raised."""
    return make_person((Role.REQUESTER, undp), email="caio@undp.test")


@pytest.fixture
def facility_finance(make_person: Callable[..., User], facility: Agency) -> User:
    """Facility staff who read cases and do not buy."""
    return make_person((Role.FACILITY_FINANCE, None), email="iris.finance@facility.test")


@pytest.fixture
def sealed_case(
    solicited: Callable[..., tuple[Solicitation, dict[int, str]]], undp: Agency
) -> Callable[..., tuple[Solicitation, list[Bid]]]:
    """sealed_case(total) -> an RFQ with three sealed bids in time at SEALED_PRICES, its deadline still ahead."""

    def make(total: str = "50000.00", **issue: Any) -> tuple[Solicitation, list[Bid]]:
        with schema_context(undp.schema_name):
            solicitation, _tokens = solicited(total, **issue)
            at = timezone.now() - timedelta(minutes=5)
            invitations = list(solicitation.invitations.order_by("vendor_name"))
            bids = [
                services.bid_submit(invitation=invitation, currency="USD", unit_prices=[price], at=at)
                for invitation, price in zip(invitations, SEALED_PRICES, strict=False)
            ]
            return solicitation, bids

    return make


@pytest.fixture
def sealed_prices() -> tuple[str, ...]:
    """The prices of `sealed_case`'s bids, to search every answer for."""
    return SEALED_PRICES
