"""Fixtures for billing: an adopted board decision, a price list, people, delivered requests and runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from accounts.models import Role, User
from billing import services
from billing.models import BillingRun, Invoice, PriceListVersion
from governance import services as board
from governance.models import DecisionRule, RegisterEntry
from ledger.models import LedgerEntry
from ledger.services import clocks_check, entry_billable_record, entry_resolve
from service_levels.models import Service
from tenants.models import Agency
from tests.sla_fixtures import at

# The month the tests bill: October 2026, in the past of the machine's clock (the suite runs in November 2026
# or later); each test that needs "now" says so.
OCTOBER = date(2026, 10, 1)
PRICES = {
    "ICT-INC": Decimal("25.00"),
    "ICT-REQ": Decimal("40.00"),
    "TRV-TA": Decimal("60.00"),
    "PRC-MICRO": Decimal("150.00"),
    "PRC-RFQ": Decimal("900.00"),
    "PRC-ITB": Decimal("2500.00"),
    "PRC-LTA": Decimal("120.00"),
}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """PDFs go to a temporary folder (TenantFileSystemStorage caches MEDIA_ROOT: cleared in and out)."""

    def forget() -> None:
        storages["default"].__dict__.pop("relative_media_root", None)

    forget()
    settings.MEDIA_ROOT = str(tmp_path)
    yield tmp_path
    forget()


@pytest.fixture
def finance(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.FACILITY_FINANCE, None), email="finance@facility.test")


@pytest.fixture
def undp_finance(make_person: Callable[..., User], undp: Agency) -> User:
    return make_person((Role.AGENCY_FINANCE, undp), email="finance@undp.test")


@pytest.fixture
def unfpa_finance(make_person: Callable[..., User], unfpa: Agency) -> User:
    return make_person((Role.AGENCY_FINANCE, unfpa), email="finance@unfpa.test")


@pytest.fixture
def decision(make_person: Callable[..., User], facility: Agency, undp: Agency, unfpa: Agency) -> RegisterEntry:
    """An adopted board decision (the price list), in the register: UNDP and UNFPA vote for it."""
    secretary = make_person((Role.FACILITY_MANAGER, None), email="secretary@facility.test")
    board.board_ensure()
    motion = board.motion_create(
        created_by=secretary,
        title="Price list 2026",
        text="The board approves the price list.",
        rule=DecisionRule.SIMPLE_MAJORITY,
        closes_at=timezone.now() + timedelta(days=2),
    )
    board.motion_open(motion=motion, opened_by=secretary)
    for agency in Agency.objects.agencies().active().filter(kind="member"):
        voter = make_person((Role.BOARD_REPRESENTATIVE, agency), email=f"board@{agency.code.lower()}.test")
        board.ballot_cast(motion=motion, agency=agency, cast_by=voter, choice="for")
    return board.motion_close(motion=motion, closed_by=secretary)


@pytest.fixture
def price_list(catalogue: dict[str, Service], decision: RegisterEntry, finance: User) -> PriceListVersion:
    return services.price_list_version_create(
        effective_from=date(2026, 1, 1),
        decision=decision,
        prices={catalogue[code]: price for code, price in PRICES.items() if code in catalogue},
        created_by=finance,
    )


@pytest.fixture
def deliver(raise_request: Callable[..., LedgerEntry]) -> Callable[..., LedgerEntry]:
    """deliver(agency, "ICT-REQ", at(...), units=1): a request raised, resolved an hour later and billable."""

    def make(agency: Agency, service: str, opened_at: datetime, *, units: str = "1", **fields: Any) -> LedgerEntry:
        fields.setdefault("priority", "P4" if service.startswith("ICT") else "")
        entry = raise_request(agency, service, opened_at, **fields)
        done = opened_at + timedelta(hours=1)
        entry_resolve(entry=entry, at=done)
        entry_billable_record(entry=entry, units=Decimal(units), at=done)
        return entry

    return make


@pytest.fixture
def deliver_late(raise_request: Callable[..., LedgerEntry]) -> Callable[..., LedgerEntry]:
    """deliver_late(agency, at(...)): a P1 incident whose first response ran out while the facility held it."""

    def make(agency: Agency, opened_at: datetime, **fields: Any) -> LedgerEntry:
        entry = raise_request(agency, "ICT-INC", opened_at, priority="P1", **fields)
        clocks_check(now=opened_at + timedelta(hours=1))  # P1: first response 30 min -> breached
        done = opened_at + timedelta(hours=2)
        entry_resolve(entry=entry, at=done)
        entry_billable_record(entry=entry, units=Decimal("1"), at=done)
        return entry

    return make


@pytest.fixture
def run_month(finance: User, django_capture_on_commit_callbacks: Any) -> Callable[..., BillingRun]:
    """run_month(month): the monthly run, started as facility finance and executed by the (eager) worker."""

    def run(month: date = OCTOBER) -> BillingRun:
        with django_capture_on_commit_callbacks(execute=True):
            started = services.run_start(month=month, started_by=finance)
        started.refresh_from_db()
        return started

    return run


@pytest.fixture
def issue(finance: User, django_capture_on_commit_callbacks: Any) -> Callable[[Invoice], Invoice]:
    """issue(invoice): issued by facility finance, the PDF rendered by the worker."""

    def do(invoice: Invoice) -> Invoice:
        with django_capture_on_commit_callbacks(execute=True):
            services.invoice_issue(invoice=invoice, issued_by=finance)
        invoice.refresh_from_db()
        return invoice

    return do


__all__ = ["OCTOBER", "PRICES", "at"]
