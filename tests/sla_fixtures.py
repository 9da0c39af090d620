"""Fixtures for SLA tests: the seeded catalogue, an agreement per agency, requests at chosen times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role, User
from ledger.models import LedgerEntry
from ledger.services import entry_open
from service_levels.models import Agreement, Calendar, Service
from service_levels.services import DEFAULT_CALENDAR_NAME, agreement_create, catalogue_seed_defaults
from tenants.models import Agency

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def at(*parts: int) -> datetime:
    """An aware instant on the facility's wall clock (America/Sao_Paulo)."""
    return datetime(*parts, tzinfo=SAO_PAULO)  # type: ignore[misc]


@pytest.fixture
def catalogue(db: None) -> dict[str, Service]:
    catalogue_seed_defaults()
    return {service.code: service for service in Service.objects.all()}


@pytest.fixture
def office_calendar(catalogue: dict[str, Service]) -> Calendar:
    return Calendar.objects.get(name=DEFAULT_CALENDAR_NAME)


@pytest.fixture
def sign_agreement(catalogue: dict[str, Service], office_calendar: Calendar) -> Callable[..., Agreement]:
    """sign_agreement(agency, services=all, valid_from=1 Jan 2026, **terms) -> the agreement."""

    def sign(agency: Agency, *, services: list[str] | None = None, **terms: Any) -> Agreement:
        chosen = [catalogue[code] for code in services] if services else list(catalogue.values())
        terms.setdefault("valid_from", date(2026, 1, 1))
        terms.setdefault("reference", f"SLA-{agency.code}-{terms['valid_from']:%Y%m%d}")
        return agreement_create(
            agency=agency, calendar=terms.pop("calendar", office_calendar), services=chosen, **terms
        )

    return sign


@pytest.fixture
def undp_agreement(sign_agreement: Callable[..., Agreement], undp: Agency) -> Agreement:
    return sign_agreement(undp)


@pytest.fixture
def unfpa_agreement(sign_agreement: Callable[..., Agreement], unfpa: Agency) -> Agreement:
    return sign_agreement(unfpa)


@pytest.fixture
def facility_manager(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")


@pytest.fixture
def raise_request(catalogue: dict[str, Service]) -> Callable[..., LedgerEntry]:
    """raise_request(agency, "ICT-INC", at(...), priority="P2", ...) -> a ledger entry with running clocks."""
    counter = iter(range(1, 10_000))

    def raise_(agency: Agency, service: str, opened_at: datetime, **fields: Any) -> LedgerEntry:
        fields.setdefault("reference", f"{agency.code}-{service}-{next(counter):05d}")
        fields.setdefault("title", "Laptop does not start")
        return entry_open(agency=agency, service=catalogue[service], opened_at=opened_at, **fields)

    return raise_
