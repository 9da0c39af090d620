"""Fixtures for the roster: the facility's people by role, categories, and a vendor."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import Role, User
from tenants.models import Agency
from vendors import services
from vendors.models import SupplyCategory, Vendor


@pytest.fixture
def officer(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.PROCUREMENT_AGENT, None), email="procurement@facility.test")


@pytest.fixture
def manager(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")


@pytest.fixture
def auditor(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.AUDITOR, None), email="auditor@facility.test")


@pytest.fixture
def categories(officer: User) -> dict[str, SupplyCategory]:
    made = {}
    for code, name in [("IT-EQUIP", "IT equipment"), ("OFFICE", "Office supplies"), ("PRINT", "Printing")]:
        made[code] = services.category_create(code=code, name=name, created_by=officer)
    return made


@pytest.fixture
def make_vendor(officer: User, categories: dict[str, SupplyCategory]) -> Callable[..., Vendor]:
    counter = iter(range(1, 1000))

    def make(**fields: object) -> Vendor:
        number = next(counter)
        values: dict[str, object] = {
            "legal_name": f"Fornecedor {number} Ltda.",
            "country": "BR",
            "registration_number": f"{number:02d}.345.678/0001-90",
            "email": f"vendas{number}@fornecedor.example",
            "language": "pt-br",
            "categories": [categories["IT-EQUIP"]],
            "created_by": officer,
        }
        values.update(fields)
        return services.vendor_create(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def vendor(make_vendor: Callable[..., Vendor]) -> Vendor:
    return make_vendor(legal_name="Tecnologia Planalto Ltda.", registration_number="12.345.678/0001-90")
