"""Fixtures for the DSA table: the facility's people by role, and the sample table imported."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from accounts.models import Role, User
from allowances import services
from allowances.demo import dsa_table_load
from allowances.models import RateImport
from tenants.models import Agency

HEADER = "country,country_name,location,effective_from,dsa,room_percent,dsa_after_60_days\n"


@pytest.fixture
def travel_officer(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.TRAVEL_AGENT, None), email="travel@facility.test")


@pytest.fixture
def manager(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")


@pytest.fixture
def sample_import(travel_officer: User) -> RateImport:
    found = dsa_table_load(travel_officer)
    assert found is not None
    return found


@pytest.fixture
def import_text(travel_officer: User) -> Callable[..., RateImport]:
    """import_text("BR,Brazil,...\\n") -> the import of HEADER + those rows, by the travel officer."""

    def run(rows: str | bytes, *, header: str = HEADER, by: User | None = None, name: str = "dsa.csv") -> RateImport:
        data = rows if isinstance(rows, bytes) else (header + rows).encode()
        return services.dsa_table_import(file=io.BytesIO(data), file_name=name, by=by or travel_officer)

    return run
