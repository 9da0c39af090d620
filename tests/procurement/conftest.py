"""Fixtures for procurement: the roster, the people of one purchase, and purchases taken to a chosen step.

Every purchase is built through `procurement.services`, in UNDP's schema, at
chosen instants; the test leaves the schema as it found it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from ledger.services import alerts_muted
from procurement import services
from procurement.models import Requisition, Solicitation
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor, VendorStatus
from vendors.services import vendor_create, vendor_status_set


@pytest.fixture(autouse=True)
def _in_undp_schema(undp: Agency) -> Iterator[None]:
    with schema_context(undp.schema_name):
        yield


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No e-mail and no PDF: the rules are what these tests are about (test_documents covers both)."""
    monkeypatch.setattr(services, "_order_pdf", lambda order: None)
    with alerts_muted():
        yield


@pytest.fixture
def laptops(db: None) -> SupplyCategory:
    return SupplyCategory.objects.create(code="IT-EQUIP", name="IT equipment")


@pytest.fixture
def roster_keeper(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.PROCUREMENT_AGENT, None), email="roster@facility.test")


def _vendor(
    name: str, keeper: User, *, country: str = "BR", status: str = VendorStatus.ACTIVE, language: str = "pt-br"
) -> Vendor:
    vendor = vendor_create(
        legal_name=name,
        country=country,
        registration_number=f"REG-{name[:12]}",
        email=f"bids@{name.split()[0].lower()}.test",
        language=language,
        created_by=keeper,
    )
    if status != VendorStatus.ACTIVE:
        vendor = vendor_status_set(vendor=vendor, status=status, reason="Sanctions list, 2026", changed_by=keeper)
    return vendor


@pytest.fixture
def vendors(laptops: SupplyCategory, roster_keeper: User) -> list[Vendor]:
    """Four active vendors of IT equipment."""
    found = [
        _vendor("Alfa Informática Ltda", roster_keeper),
        _vendor("Beta Sistemas SA", roster_keeper),
        _vendor("Gama Tecnologia Ltda", roster_keeper, language="en"),
        _vendor("Delta Global Inc", roster_keeper, country="US", language="en"),
    ]
    for vendor in found:
        vendor.categories.add(laptops)
    return found


@pytest.fixture
def ineligible_vendor(laptops: SupplyCategory, roster_keeper: User) -> Vendor:
    return _vendor("Omega Fraudes Ltda", roster_keeper, status=VendorStatus.INELIGIBLE)


@dataclass
class People:
    requester: User
    approver: User
    buyer: User
    officer: User
    evaluator: User
    manager: User
    committee: User


@pytest.fixture
def people(make_person: Callable[..., User], undp: Agency, facility: Agency, undp_agreement: Any) -> People:
    return People(
        requester=make_person((Role.REQUESTER, undp), email="ana@undp.test"),
        approver=make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), email="bruno@undp.test"),
        buyer=make_person((Role.PROCUREMENT_AGENT, None), email="carla@facility.test"),
        officer=make_person((Role.PROCUREMENT_AGENT, None), email="davi@facility.test"),
        evaluator=make_person((Role.PROCUREMENT_AGENT, None), email="elisa@facility.test"),
        manager=make_person((Role.FACILITY_MANAGER, None), email="fabio@facility.test"),
        committee=make_person((Role.CONTRACTS_COMMITTEE, None), email="gilda@facility.test"),
    )


def line(laptops: SupplyCategory, quantity: str = "10", price: str = "1500.00", **fields: Any) -> services.LineInput:
    return services.LineInput(
        description=fields.get("description", "Laptop, 14 inch, 16 GB"),
        category=laptops,
        quantity=quantity,
        unit=fields.get("unit", "each"),
        estimated_unit_price=price,
    )


@pytest.fixture
def raise_requisition(people: People, undp: Agency, laptops: SupplyCategory) -> Callable[..., Requisition]:
    """raise_requisition(total="50000.00", lines=None, **fields) -> a submitted requisition of UNDP."""

    def raise_(
        total: str | None = "15000.00", lines: list[services.LineInput] | None = None, **fields: Any
    ) -> Requisition:
        if lines is None:
            lines = [line(laptops, quantity="1", price=total or "0")]
        fields.setdefault("requester", people.requester)
        fields.setdefault("title", "Laptops for the project office")
        fields.setdefault("justification", "The project team starts in January.")
        fields.setdefault("delivery_place", "UN House, Brasília")
        fields.setdefault("delivery_date", timezone.localdate() + timedelta(days=60))
        fields.setdefault("charge_code", "BRA10-00123-71200")
        return services.requisition_raise(agency=undp, lines=lines, **fields)

    return raise_


@pytest.fixture
def sourcing(people: People, undp: Agency, raise_requisition: Callable[..., Requisition]) -> Callable[..., Requisition]:
    """sourcing(total) -> a requisition approved and taken by the buyer."""

    def source(total: str = "50000.00", **fields: Any) -> Requisition:
        requisition = raise_requisition(total, **fields)
        services.requisition_approve(agency=undp, requisition=requisition, approver=people.approver)
        return services.requisition_take(requisition=requisition, buyer=people.buyer)

    return source


@pytest.fixture
def solicited(
    people: People, vendors: list[Vendor], sourcing: Callable[..., Requisition]
) -> Callable[..., tuple[Solicitation, dict[int, str]]]:
    """solicited(total, method=None, deadline_in=timedelta(days=7), **issue) -> (solicitation, tokens)."""

    def solicit(
        total: str = "50000.00", *, method: str | None = None, invited: list[Vendor] | None = None, **issue: Any
    ) -> tuple[Solicitation, dict[int, str]]:
        requisition = sourcing(total, **issue.pop("requisition_fields", {}))
        if method is not None and method != requisition.method:
            services.method_change(requisition=requisition, method=method, reason="Best value needed", by=people.buyer)
            requisition.refresh_from_db()
        issue.setdefault("instructions", "Quote delivered prices including taxes.")
        issue.setdefault("deadline", timezone.now() + timedelta(days=7))
        return services.solicitation_issue(
            requisition=requisition, by=people.buyer, vendors=invited or vendors[:3], **issue
        )

    return solicit


def past_deadline(solicitation: Solicitation, *, minutes: int = 1) -> datetime:
    """Move the deadline just into the past, as time would: bids already in stay on time."""
    deadline = timezone.now() - timedelta(minutes=minutes)
    Solicitation.objects.filter(pk=solicitation.pk).update(deadline=deadline)
    solicitation.refresh_from_db()
    return deadline


def prices(*values: str) -> list[Decimal]:
    return [Decimal(value) for value in values]
