"""Fixtures for what happens after the order: the people who receive, pay and release, and orders issued.

The roster, the people of one purchase and the steps up to the order come from tests/procurement/conftest.py
(imported here, so each test runs in UNDP's schema as procurement's do). Orders are issued through
`procurement.services` as a micro-purchase from a recorded quotation, at the prices a test chooses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import Role, User
from ledger.services import alerts_muted
from procurement import services
from procurement.models import PurchaseOrder
from shared_platform.errors import ApplicationError
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor

from ..procurement import conftest as procurement

# procurement's fixtures, shared here (a conftest below the root may not name pytest_plugins): each test runs
# in UNDP's schema with the roster, the people of one purchase and purchases taken to the order.
_in_undp_schema = procurement._in_undp_schema
laptops = procurement.laptops
roster_keeper = procurement.roster_keeper
vendors = procurement.vendors
people = procurement.people
raise_requisition = procurement.raise_requisition
sourcing = procurement.sourcing


@pytest.fixture
def at_undp(client_at: Callable[..., Client], undp: Agency) -> Callable[[User], Client]:
    """at_undp(user): a browser signed in as that person on UNDP's address."""
    return lambda user: client_at(undp, user)


@pytest.fixture
def agency_api(api_at: Callable[..., APIClient], undp: Agency) -> Callable[[User], APIClient]:
    """agency_api(user): a token client on UNDP's address."""
    return lambda user: api_at(undp, user)


@pytest.fixture
def portal_api(api_at: Callable[..., APIClient], facility: Agency) -> Callable[[User], APIClient]:
    """portal_api(user): a token client on the facility portal."""
    return lambda user: api_at(facility, user)


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def receiver(make_person: Callable[..., User], undp: Agency) -> User:
    """Another approver of UNDP: sees the whole agency, and is none of the purchase's three people."""
    return make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), email="rita.receiver@undp.test")


@pytest.fixture
def finance(make_person: Callable[..., User], undp: Agency) -> User:
    return make_person((Role.AGENCY_FINANCE, undp), email="fiona.finance@undp.test")


@pytest.fixture
def finance2(make_person: Callable[..., User], undp: Agency) -> User:
    return make_person((Role.AGENCY_FINANCE, undp), email="fred.finance@undp.test", language="fr")


@pytest.fixture
def facility_finance(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.FACILITY_FINANCE, None), email="lucia.finance@facility.test")


@pytest.fixture
def unfpa_people(make_person: Callable[..., User], unfpa: Agency) -> dict[str, User]:
    """UNFPA's approver and finance officer: they see all of UNFPA's purchases, none of UNDP's."""
    return {
        "approver": make_person((Role.APPROVER, unfpa), email="uma.approver@unfpa.test"),
        "finance": make_person((Role.AGENCY_FINANCE, unfpa), email="ugo.finance@unfpa.test"),
    }


def _line(category: SupplyCategory, description: str, quantity: str, price: str) -> services.LineInput:
    return services.LineInput(
        description=description, category=category, quantity=quantity, unit="each", estimated_unit_price=price
    )


@pytest.fixture
def ordered(
    people: procurement.People,
    vendors: list[Vendor],
    laptops: SupplyCategory,
    sourcing: Callable[..., Any],
    undp: Agency,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., PurchaseOrder]:
    """ordered(lines=[("10", "100.00"), ("8", "25.00")], vendor=0, at=None) -> an issued UNDP order.

    A micro-purchase: its quotation's unit prices are the lines' prices, so the order's unit prices are
    exactly those (and the matching tests choose them). The purchase's own e-mails and the order's PDF
    are left out (tests/procurement covers them); what receiving sends is not.
    """
    monkeypatch.setattr(services, "_order_pdf", lambda order: None)

    def order(lines: list[tuple[str, str]] | None = None, vendor: int = 0, at: datetime | None = None) -> PurchaseOrder:
        lines = lines or [("10", "100.00"), ("8", "25.00")]
        with schema_context(undp.schema_name), alerts_muted():
            requisition = sourcing(
                "0",
                lines=[
                    _line(laptops, f"Item {index}", quantity, price) for index, (quantity, price) in enumerate(lines, 1)
                ],
            )
            quote = services.quotation_record(
                requisition=requisition,
                vendor=vendors[vendor],
                currency="USD",
                unit_prices=[price for _quantity, price in lines],
                by=people.buyer,
            )
            return services.order_issue(
                agency=undp,
                requisition=requisition,
                by=people.buyer,
                terms="Payment 30 days after receipt.",
                quotation=quote,
                at=at,
            )

    return order


@pytest.fixture
def delivery_note() -> Callable[..., SimpleUploadedFile]:
    def make(name: str = "delivery-note.pdf") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, PDF, content_type="application/pdf")

    return make


def yesterday() -> Any:
    return timezone.localdate() - timedelta(days=1)


def amount(value: str) -> Decimal:
    return Decimal(value)


def refused(code: str, call: Callable[..., Any], **kwargs: Any) -> ApplicationError:
    """The call is refused with this code; the error, to read its message, fields and status."""
    with pytest.raises(ApplicationError) as raised:
        call(**kwargs)
    assert raised.value.code == code, raised.value.message
    return raised.value
