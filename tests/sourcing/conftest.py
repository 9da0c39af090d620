"""Fixtures for long-term agreements: the people of two agencies and the facility, a vendor, and
agreements made through `sourcing.services.agreements` at chosen instants.

UNDP owns the agreements; UNFPA is the agency that piggybacks on them. Both
agencies' service agreements cover every service (PRC-LTA among them). Tests
that raise call-offs do it in the calling agency's schema (`in_schema`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from ledger.services import alerts_muted
from procurement.models import Requisition
from sourcing.models import LongTermAgreement
from sourcing.services import agreements as services
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor
from vendors.services import vendor_create


@contextmanager
def in_schema(agency: Agency) -> Iterator[None]:
    with schema_context(agency.schema_name):
        yield


@pytest.fixture
def quiet() -> Iterator[None]:
    """No e-mail: the rules are what most of these tests are about (test_notifications covers the e-mails)."""
    with alerts_muted():
        yield


@pytest.fixture
def interpretation(db: None) -> SupplyCategory:
    return SupplyCategory.objects.create(code="INTERPRET", name="Interpretation services")


@pytest.fixture
def cleaning(db: None) -> SupplyCategory:
    return SupplyCategory.objects.create(code="CLEANING", name="Cleaning services")


@dataclass
class People:
    undp_requester: User
    undp_approver: User
    undp_approver2: User
    unfpa_requester: User
    unfpa_approver: User
    unfpa_finance: User
    buyer: User
    manager: User
    auditor: User


@pytest.fixture
def people(
    make_person: Callable[..., User],
    undp: Agency,
    unfpa: Agency,
    facility: Agency,
    undp_agreement: Any,
    unfpa_agreement: Any,
) -> People:
    return People(
        undp_requester=make_person((Role.REQUESTER, undp), email="ana@undp.test"),
        undp_approver=make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), email="bruno@undp.test"),
        undp_approver2=make_person((Role.APPROVER, undp), email="bia@undp.test"),
        unfpa_requester=make_person((Role.REQUESTER, unfpa), email="clara@unfpa.test"),
        unfpa_approver=make_person((Role.APPROVER, unfpa), (Role.REQUESTER, unfpa), email="diego@unfpa.test"),
        unfpa_finance=make_person((Role.AGENCY_FINANCE, unfpa), email="eva@unfpa.test"),
        buyer=make_person((Role.PROCUREMENT_AGENT, None), email="carla@facility.test"),
        manager=make_person((Role.FACILITY_MANAGER, None), email="fabio@facility.test"),
        auditor=make_person((Role.AUDITOR, None), email="nelson@facility.test"),
    )


@pytest.fixture
def vendor(people: People, interpretation: SupplyCategory, cleaning: SupplyCategory) -> Vendor:
    found = vendor_create(
        legal_name="Intérpretes Associados Ltda",
        country="BR",
        registration_number="REG-INTERP-01",
        email="contratos@interpretes.test",
        language="pt-br",
        created_by=people.buyer,
    )
    found.categories.add(interpretation, cleaning)
    return found


def items(interpretation: SupplyCategory, cleaning: SupplyCategory) -> list[services.ItemInput]:
    return [
        services.ItemInput("Simultaneous interpretation, English-Portuguese", interpretation, "day", "1000.00"),
        services.ItemInput("Office cleaning, per month", cleaning, "month", "2500.00"),
    ]


@pytest.fixture
def make_lta(
    people: People, undp: Agency, vendor: Vendor, interpretation: SupplyCategory, cleaning: SupplyCategory
) -> Callable[..., LongTermAgreement]:
    """make_lta(ceiling="100000.00", participants=(), agency_ceilings=None, **fields) -> UNDP's agreement."""

    def make(ceiling: str = "100000.00", **fields: Any) -> LongTermAgreement:
        today = timezone.localdate()
        fields.setdefault("owner", undp)
        fields.setdefault("vendor", vendor)
        fields.setdefault("title", "Interpretation and cleaning services, Brasília")
        fields.setdefault("contract_reference", "UNDP/BRA/2026/017")
        fields.setdefault("valid_from", today - timedelta(days=30))
        fields.setdefault("valid_until", today + timedelta(days=335))
        fields.setdefault("items", items(interpretation, cleaning))
        fields.setdefault("by", people.buyer)
        return services.agreement_record_from_contract(ceiling_usd=ceiling, **fields)

    return make


@pytest.fixture
def lta(make_lta: Callable[..., LongTermAgreement], unfpa: Agency) -> LongTermAgreement:
    """UNDP's agreement with a ceiling of 100,000 USD; UNFPA takes part (named when it was made)."""
    return make_lta(participants=[unfpa])


def expire(agreement: LongTermAgreement, *, days_ago: int = 1) -> None:
    """Time passes: the agreement's last day is behind us."""
    ended = timezone.localdate() - timedelta(days=days_ago)
    LongTermAgreement.objects.filter(pk=agreement.pk).update(
        valid_from=min(agreement.valid_from, ended), valid_until=ended
    )
    agreement.refresh_from_db()


@pytest.fixture
def call_off(people: People) -> Callable[..., Requisition]:
    """call_off(agency, agreement, {1: "3"}, requester=None, **fields) -> the call-off's requisition."""

    def raise_(agency: Agency, agreement: LongTermAgreement, quantities: dict[Any, Any], **fields: Any) -> Requisition:
        requester = fields.pop("requester", None) or (
            people.unfpa_requester if agency.code == "UNFPA" else people.undp_requester
        )
        fields.setdefault("delivery_place", "UN House, Brasília")
        fields.setdefault("delivery_date", timezone.localdate() + timedelta(days=20))
        fields.setdefault("charge_code", "BRA10-00123-71200")
        fields.setdefault("justification", "Interpretation for the regional workshop in March.")
        with in_schema(agency):
            requisition: Requisition = services.call_off_raise(
                agency=agency, agreement=agreement, requester=requester, quantities=quantities, **fields
            )
        return requisition

    return raise_


def usd(value: str) -> Decimal:
    return Decimal(value)


def day(value: str) -> date:
    return date.fromisoformat(value)


@pytest.fixture
def awarded_case(
    people: People, undp: Agency, vendor: Vendor, interpretation: SupplyCategory, cleaning: SupplyCategory
):  # type: ignore[no-untyped-def]
    """A purchase of UNDP awarded to the vendor in BRL (1 USD = 5 BRL), as the opening and evaluation leave it:
    interpretation at 5,000 BRL a day (1,000 USD) and cleaning at 12,500 BRL a month (2,500 USD)."""
    from procurement import services as procurement
    from procurement.models import Award, Bid, Invitation, Method, Solicitation, SolicitationStatus

    now = timezone.now()
    with in_schema(undp), alerts_muted():
        requisition = procurement.requisition_raise(
            agency=undp,
            requester=people.undp_requester,
            title="Interpretation and cleaning for the project office",
            justification="Two years of workshops.",
            delivery_place="UN House, Brasília",
            delivery_date=timezone.localdate() + timedelta(days=30),
            charge_code="BRA10-00123-71200",
            lines=[
                procurement.LineInput("Simultaneous interpretation", interpretation, "10", "day", "1100.00"),
                procurement.LineInput("Office cleaning", cleaning, "12", "month", "2400.00"),
            ],
        )
        procurement.requisition_approve(agency=undp, requisition=requisition, approver=people.undp_approver)
        procurement.requisition_take(requisition=requisition, buyer=people.buyer)
        solicitation = Solicitation.objects.create(
            requisition=requisition,
            reference="UNDP-RFQ-2026-000001",
            method=Method.RFQ,
            instructions="Quote per day and per month.",
            deadline=now - timedelta(days=2),
            status=SolicitationStatus.AWARDED,
            issued_by=people.buyer,
            issued_at=now - timedelta(days=12),
        )
        invitation = Invitation.objects.create(
            solicitation=solicitation,
            vendor=vendor,
            vendor_name=vendor.legal_name,
            email=vendor.email,
            language="pt-br",
            token_hash="0" * 64,
            invited_at=now - timedelta(days=12),
        )
        bid = Bid.objects.create(
            solicitation=solicitation,
            invitation=invitation,
            received_at=now - timedelta(days=3),
            sealed_financial=b"",
            financial_opened_at=now - timedelta(days=2),
            currency="BRL",
            total=Decimal("200000.00"),
            total_usd=Decimal("40000.00"),
            lines=["5000.00", "12500.00"],
            compliant=True,
        )
        Award.objects.create(
            solicitation=solicitation,
            bid=bid,
            justification="Lowest compliant bid.",
            awarded_by=people.buyer,
            awarded_at=now,
        )
    return requisition
