"""Fixtures for the facility's procurement pages: clients on the portal, the readers, and steps done
through the services so a test reaches the page it is about."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from procurement import services
from procurement.models import Bid, Solicitation
from tenants.models import Agency


@pytest.fixture
def portal(client_at: Callable[..., Client], facility: Agency) -> Callable[[User], Client]:
    """portal(user): a browser signed in as that person on the facility portal."""

    def make(user: User) -> Client:
        return client_at(facility, user)

    return make


@pytest.fixture
def procurement_auditor(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.AUDITOR, None), email="hugo.auditor@facility.test")


@pytest.fixture
def bids_in() -> Callable[..., list[Bid]]:
    """bids_in(solicitation, "41000", "39000", ...): one bid per invited vendor, in USD, an hour before now."""

    def submit(solicitation: Solicitation, *totals: str) -> list[Bid]:
        at = timezone.now() - timedelta(minutes=30)
        invitations = list(solicitation.invitations.order_by("vendor_name"))
        return [
            services.bid_submit(invitation=invitation, currency="USD", unit_prices=[total], at=at)
            for invitation, total in zip(invitations, totals, strict=False)
        ]

    return submit
