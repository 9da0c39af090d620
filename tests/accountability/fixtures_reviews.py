"""Fixtures of the management review and chain tests: the facility's people and one breached, credited request.

The billing fixtures (a board decision, the price list, delivered and late
requests, the monthly run and issuing) are the billing tests' own, imported
by the test modules that need them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Role, User
from billing.models import Invoice, InvoiceLine, LineKind
from ledger.models import LedgerEntry
from quality.models import Nonconformity, NonconformitySource, Process
from quality.services.nonconformities import nonconformities_raise_automatic
from service_levels.models import Service
from tenants.models import Agency
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at


@pytest.fixture
def keeper(make_person: Callable[..., User], facility: Agency) -> User:
    """The quality focal point: prepares, holds and closes the management review."""
    return make_person((Role.QUALITY_FOCAL_POINT, None), email="quality@facility.test", first_name="Mariana")


@pytest.fixture
def auditor(make_person: Callable[..., User], facility: Agency) -> User:
    """The read-only auditor: reads the reviews, changes nothing."""
    return make_person((Role.AUDITOR, None), email="auditor@facility.test", first_name="Nelson")


@pytest.fixture
def action_owner(make_person: Callable[..., User], facility: Agency) -> User:
    """An ICT officer who owns a review action."""
    return make_person((Role.ICT_AGENT, None), email="ict-owner@facility.test", first_name="Rafael")


@pytest.fixture
def undp_approver(make_person: Callable[..., User], undp: Agency) -> User:
    return make_person((Role.APPROVER, undp), email="approver@undp.test")


@pytest.fixture
def unfpa_approver(make_person: Callable[..., User], unfpa: Agency) -> User:
    return make_person((Role.APPROVER, unfpa), email="approver@unfpa.test")


@dataclass
class BreachedWorld:
    entry: LedgerEntry  # UNDP's breached incident of October 2026
    invoice: Invoice  # UNDP's issued October invoice
    credit: InvoiceLine  # its service credit for the entry
    nonconformity: Nonconformity  # the October SLA-breach nonconformity that holds the breach
    unfpa_entry: LedgerEntry  # a UNFPA request of the same month (isolation)


def breached_world_build(
    *,
    agency: Agency,
    other: Agency,
    catalogue: dict[str, Service],
    sign_agreement: Callable[..., object],
    deliver: Callable[..., LedgerEntry],
    deliver_late: Callable[..., LedgerEntry],
    run_month: Callable[..., object],
    issue: Callable[[Invoice], Invoice],
    process_owner: User,
) -> BreachedWorld:
    """`agency`'s agreement grants credits; one of its October incidents is breached while the facility held it.

    The month is billed and issued, and the beat's quality watch has opened the
    month's nonconformity from the breach (as the running system does).
    """
    process = Process.objects.create(code="ICT-INC", name="ICT incident handling", owner=process_owner)
    process.services.add(catalogue["ICT-INC"], catalogue["ICT-REQ"])
    sign_agreement(agency, grants_service_credits=True, credit_cap_percent=Decimal("50"))
    sign_agreement(other)
    for day in (5, 6, 7):
        deliver(agency, "ICT-REQ", at(2026, 10, day, 10, 0))
    entry = deliver_late(agency, at(2026, 10, 19, 10, 0))
    other_entry = deliver_late(other, at(2026, 10, 20, 10, 0))
    run_month(OCTOBER)
    invoice = issue(Invoice.objects.get(agency=agency, month=OCTOBER))
    nonconformities_raise_automatic(now=at(2026, 10, 30, 9, 0))
    entry.refresh_from_db()
    return BreachedWorld(
        entry=entry,
        invoice=invoice,
        credit=invoice.lines.get(kind=LineKind.SERVICE_CREDIT, entry=entry),
        nonconformity=Nonconformity.objects.get(agency=agency, month=OCTOBER, source=NonconformitySource.SLA_BREACH),
        unfpa_entry=other_entry,
    )


@pytest.fixture
def breached_world(
    undp: Agency,
    unfpa: Agency,
    catalogue: dict[str, Service],
    sign_agreement: Callable[..., object],
    price_list: object,
    deliver: Callable[..., LedgerEntry],
    deliver_late: Callable[..., LedgerEntry],
    run_month: Callable[..., object],
    issue: Callable[[Invoice], Invoice],
    process_owner: User,
) -> BreachedWorld:
    """UNDP's breached, credited October incident, its nonconformity; UNFPA's breached request beside it."""
    return breached_world_build(
        agency=undp,
        other=unfpa,
        catalogue=catalogue,
        sign_agreement=sign_agreement,
        deliver=deliver,
        deliver_late=deliver_late,
        run_month=run_month,
        issue=issue,
        process_owner=process_owner,
    )


@pytest.fixture
def process_owner(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.ICT_AGENT, None), email="ict-process@facility.test")


QUARTER = (date(2026, 8, 1), date(2026, 10, 31))
