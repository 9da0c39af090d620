"""Fixtures for spend and split purchases: UNDP's purchases played through the services at chosen instants.

The people, vendors and category are procurement's (tests/procurement/conftest.py). UNDP's service
agreement starts on 1 January 2025 here, so a purchase can be ordered more than 12 months before another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from procurement import services
from procurement.models import PurchaseOrder, Requisition
from service_levels.models import Agreement
from tenants.models import Agency
from tests.procurement import conftest as procurement
from tests.procurement.conftest import People, line
from vendors.models import SupplyCategory, Vendor

# Procurement's fixtures, used here as they are.
_in_undp_schema = procurement._in_undp_schema
quiet = procurement.quiet
laptops = procurement.laptops
roster_keeper = procurement.roster_keeper
vendors = procurement.vendors
people = procurement.people


@pytest.fixture
def undp_agreement(sign_agreement: Callable[..., Agreement], undp: Agency) -> Agreement:
    return sign_agreement(undp, valid_from=date(2025, 1, 1))


@pytest.fixture
def unfpa_agreement(sign_agreement: Callable[..., Agreement], unfpa: Agency) -> Agreement:
    return sign_agreement(unfpa, valid_from=date(2025, 1, 1))


@dataclass
class Purchase:
    requisition: Requisition
    order: PurchaseOrder | None


def _raise(agency: Agency, requester: User, category: SupplyCategory, amount: str, when: datetime) -> Requisition:
    return services.requisition_raise(
        agency=agency,
        requester=requester,
        title="Laptops for the project office",
        justification="The project team starts next month.",
        delivery_place="UN House, Brasília",
        delivery_date=(when + timedelta(days=60)).date(),
        charge_code="BRA10-00123-71200",
        lines=[line(category, quantity="1", price=amount)],
        at=when,
    )


@pytest.fixture
def micro_purchase(people: People, undp: Agency, laptops: SupplyCategory, quiet: None) -> Callable[..., Purchase]:
    """micro_purchase(amount, vendor, when, explanation="", approve=True, order=True, agency=undp, ...):
    a requisition raised, approved an hour later, taken, quoted by `vendor` at `amount` and ordered a day
    later (approve=False: only raised; order=False: raised and approved).
    `explanation` is given at approval and order (a possible split needs it at both)."""

    def buy(
        amount: str,
        vendor: Vendor,
        when: datetime,
        *,
        explanation: str = "",
        approve: bool = True,
        order: bool = True,
        agency: Agency | None = None,
        requester: User | None = None,
        approver: User | None = None,
        category: SupplyCategory | None = None,
    ) -> Purchase:
        agency = agency or undp
        with schema_context(agency.schema_name):
            requisition = _raise(agency, requester or people.requester, category or laptops, amount, when)
            if not approve:
                return Purchase(requisition, None)
            services.requisition_approve(
                agency=agency,
                requisition=requisition,
                approver=approver or people.approver,
                split_explanation=explanation,
                at=when + timedelta(hours=1),
            )
            if not order:
                requisition.refresh_from_db()
                return Purchase(requisition, None)
            services.requisition_take(requisition=requisition, buyer=people.buyer, at=when + timedelta(hours=2))
            quotation = services.quotation_record(
                requisition=requisition,
                vendor=vendor,
                currency="USD",
                unit_prices=[Decimal(amount)],
                by=people.buyer,
                at=when + timedelta(hours=3),
            )
            placed = services.order_issue(
                agency=agency,
                requisition=requisition,
                by=people.buyer,
                terms="Payment 30 days after delivery.",
                quotation=quotation,
                split_explanation=explanation,
                at=when + timedelta(days=1),
            )
            requisition.refresh_from_db()
            return Purchase(requisition, placed)

    return buy


@pytest.fixture
def unfpa_people(make_person: Callable[..., User], unfpa: Agency, unfpa_agreement: Agreement) -> dict[str, User]:
    return {
        "requester": make_person((Role.REQUESTER, unfpa), email="rita@unfpa.test"),
        "approver": make_person((Role.APPROVER, unfpa), email="saulo@unfpa.test"),
    }


def days_ago(days: int, hour: int = 10) -> datetime:
    """An instant `days` before now, at `hour` on the facility's wall clock (for the pages, which use today)."""
    return timezone.localtime(timezone.now() - timedelta(days=days)).replace(hour=hour, minute=0, second=0)
