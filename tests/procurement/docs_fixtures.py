"""Fixtures for procurement's documents and e-mails: purchases taken through the services, with the
e-mails and the PDF task run as the worker would run them (Celery is eager in the tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from billing.models import ExchangeRate
from procurement import services
from procurement.models import Award, Bid, Opening, PurchaseOrder, Solicitation
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor

from .conftest import People, line, past_deadline


@pytest.fixture(autouse=True)
def _fresh_outbox_and_delivery_notes() -> Iterator[None]:
    cache.clear()  # which addresses each task id wrote to
    mail.outbox.clear()
    yield


@pytest.fixture
def brl_rate(people: People) -> ExchangeRate:
    """The UN operational rate of this month: 1 USD = 5.00 BRL."""
    return ExchangeRate.objects.create(
        month=timezone.localdate().replace(day=1),
        currency="BRL",
        rate=Decimal("5.000000"),
        entered_by=people.manager,
        entered_at=timezone.now(),
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """committed(service, **arguments): call a service and run what it queued after commit (e-mails, PDFs)."""

    def call(service: Callable[..., Any], /, **arguments: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return service(**arguments)

    return call


@dataclass
class ItbCase:
    solicitation: Solicitation
    tokens: dict[int, str]
    bids: dict[str, Bid]
    opening: Opening
    award: Award
    order: PurchaseOrder


@pytest.fixture
def itb_case(
    people: People,
    vendors: list[Vendor],
    laptops: SupplyCategory,
    sourcing: Callable[..., Any],
    brl_rate: ExchangeRate,
    committed: Callable[..., Any],
    undp: Agency,
) -> ItbCase:
    """An ITB of two lines (250,000 USD estimated) to three vendors: Alfa bids in BRL, Beta in USD and fails
    compliance, Gama's bid arrives late; opened by two officers, evaluated, awarded to Alfa, ordered."""
    lines = [
        line(laptops, quantity="100", price="2000.00"),
        line(laptops, quantity="10", price="5000.00", description="Docking station with two screens"),
    ]
    requisition = sourcing("250000.00", lines=lines)
    alfa, beta, gama = vendors[:3]
    solicitation, tokens = committed(
        services.solicitation_issue,
        requisition=requisition,
        by=people.buyer,
        instructions="Quote delivered prices, taxes included.",
        deadline=timezone.now() + timedelta(days=7),
        vendors=[alfa, beta, gama],
    )
    invitations = {invitation.vendor_id: invitation for invitation in solicitation.invitations.all()}
    before = timezone.now() - timedelta(hours=2)
    bids = {
        # 100 x 4,500.00 + 10 x 12,345.6789 = 573,456.79 BRL = 114,691.36 USD at 5.00
        "alfa": committed(
            services.bid_submit,
            invitation=invitations[alfa.pk],
            currency="BRL",
            unit_prices=["4500.00", "12345.6789"],
            at=before,
        ),
        "beta": committed(
            services.bid_submit,
            invitation=invitations[beta.pk],
            currency="USD",
            unit_prices=["1000.00", "2000.00"],
            at=before,
        ),
    }
    past_deadline(solicitation, minutes=30)
    bids["gama"] = committed(
        services.bid_submit, invitation=invitations[gama.pk], currency="USD", unit_prices=["900", "1900"]
    )
    opening = services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    solicitation.refresh_from_db()
    services.evaluator_declare(solicitation=solicitation, user=people.evaluator, no_conflict=True)
    services.compliance_record(bid=bids["alfa"], by=people.evaluator, passed=True, reason="Meets every specification.")
    services.compliance_record(
        bid=bids["beta"], by=people.evaluator, passed=False, reason="No warranty offered on the docking stations."
    )
    services.evaluation_complete(solicitation=solicitation, by=people.buyer)
    solicitation.refresh_from_db()
    award = committed(
        services.award_make,
        solicitation=solicitation,
        bid=Bid.objects.get(pk=bids["alfa"].pk),
        justification="Lowest priced compliant bid.",
        by=people.buyer,
    )
    order = committed(
        services.order_issue,
        agency=undp,
        requisition=requisition,
        by=people.buyer,
        terms="Payment 30 days after delivery and acceptance.\nWarranty: 3 years on site.",
    )
    solicitation.refresh_from_db()
    return ItbCase(solicitation, tokens, bids, opening, award, order)
