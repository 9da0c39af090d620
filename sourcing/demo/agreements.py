"""The demo's long-term agreements, played through `sourcing.services.agreements` at chosen instants.

- UNDP's framework agreement made from its latest awarded solicitation: UNFPA
  asked to piggyback, UNDP's approver accepted with a ceiling for UNFPA, and
  UNFPA raised a call-off that its approver approved (it waits for a buyer).
- UNDP's office supplies agreement, recorded from an existing contract, that
  UNFPA has NOT joined (the walk-through: UNFPA asks to join, UNDP accepts,
  UNFPA calls off, the buyer issues the order), with UNESCO's request to join
  waiting for UNDP's approvers.
- UNFPA's interpretation and translation agreement that UN Women piggybacks
  on, called off past 80 % of its ceiling (warned).
- UNESCO's printing agreement that expired last month.

No e-mail goes out about the past (alerts are muted).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from ledger.services import alerts_muted
from procurement import services as procurement
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor, VendorStatus

from ..models import LongTermAgreement
from ..selectors.agreements import awarded_purchases
from ..services import agreements as services

BUYER_EMAIL = "procurement@facility.demo"


def _person(local: str, agency: str) -> User:
    return User.objects.get(email=f"{local}@{agency.lower()}.demo")


def _vendor(category: str) -> Vendor:
    vendor = Vendor.objects.filter(status=VendorStatus.ACTIVE, categories__code=category).order_by("legal_name").first()
    if vendor is None:
        vendor = Vendor.objects.filter(status=VendorStatus.ACTIVE).order_by("legal_name").first()
    assert vendor is not None, "the demo roster comes first (vendors.demo.roster_ensure)"
    return vendor


def _category(code: str) -> SupplyCategory:
    return SupplyCategory.objects.get(code=code)


def _working(moment: datetime, hour: int = 10) -> datetime:
    local = timezone.localtime(moment).replace(hour=hour, minute=0, second=0, microsecond=0)
    while local.weekday() >= 5:
        local -= timedelta(days=1)
    return local


def _call_off(
    agreement: LongTermAgreement, code: str, quantities: dict[int, str], at: datetime, *, approve: bool = True
) -> int:
    """A requester of the agency calls off at `at`; its approver approves the next working morning."""
    agency = Agency.objects.get(code=code)
    with schema_context(agency.schema_name):
        requisition = services.call_off_raise(
            agency=agency,
            agreement=agreement,
            requester=_person("requester", code),
            quantities={position: Decimal(quantity) for position, quantity in quantities.items()},
            delivery_place=f"{code} office, Brasília",
            delivery_date=(at + timedelta(days=21)).date(),
            charge_code=f"BRA20-{agency.pk:02d}410-71300",
            justification="Planned in the annual work plan; cheaper through the shared agreement than alone.",
            at=at,
        )
        if approve:
            procurement.requisition_approve(
                agency=agency, requisition=requisition, approver=_person("approver", code), at=at + timedelta(hours=20)
            )
    return 1


def _piggyback(agreement: LongTermAgreement, code: str, at: datetime, *, ceiling: str | None, reason: str) -> None:
    """`code`'s approver asks to join at `at`; the owner's approver accepts the next day (with a ceiling)."""
    request = services.piggyback_request(
        agreement=agreement,
        agency=Agency.objects.get(code=code),
        by=_person("approver", code),
        reason=reason,
        expected_spend_usd=ceiling,
        at=at,
    )
    services.piggyback_decide(
        piggyback=request,
        by=_person("approver", agreement.owner.code),
        accept=True,
        note="Welcome: the agreement's prices and conditions apply as they are.",
        agency_ceiling_usd=ceiling,
        at=at + timedelta(days=1),
    )


def _from_award(buyer: User, now: datetime) -> int:
    """UNDP's latest awarded solicitation as a framework agreement; UNFPA piggybacks and calls off."""
    awarded = [purchase for purchase in awarded_purchases() if purchase.agency_code == "UNDP"]
    if not awarded:
        return 0
    made = _working(now - timedelta(days=20))
    case = awarded[0]
    agreement = services.agreement_create_from_award(
        requisition_reference=case.reference,
        title=f"Framework agreement: {case.title}"[:200],
        valid_from=made.date(),
        valid_until=made.date() + timedelta(days=2 * 365),
        ceiling_usd="600000.00",
        terms="Prices fixed for two years. Call-offs by purchase order; delivery within 30 days of the order.",
        by=buyer,
        at=made,
    )
    _piggyback(
        agreement,
        "UNFPA",
        made + timedelta(days=3),
        ceiling="120000.00",
        reason="We hold the same events every year; buying through UNDP's agreement saves a solicitation.",
    )
    return _call_off(agreement, "UNFPA", {1: "1"}, _working(now - timedelta(days=8)))


def _office_supplies(buyer: User, now: datetime) -> int:
    """UNDP's contract that UNFPA has not joined; UNESCO's request to join waits."""
    made = _working(now - timedelta(days=45))
    office = _category("OFFICE")
    agreement = services.agreement_record_from_contract(
        owner=Agency.objects.get(code="UNDP"),
        vendor=_vendor("OFFICE"),
        title="Office supplies and consumables, Brasília",
        contract_reference="UNDP/BRA/LTA/2026/008",
        valid_from=made.date(),
        valid_until=made.date() + timedelta(days=3 * 365),
        ceiling_usd="250000.00",
        items=[
            services.ItemInput("Printer paper A4, box of 5 reams", office, "box", "34.90"),
            services.ItemInput("Toner cartridge, black, high yield", office, "each", "82.00"),
            services.ItemInput("Notebooks and stationery kit", office, "kit", "18.50"),
            services.ItemInput("Ergonomic office chair", _category("FURNITURE"), "each", "395.00"),
        ],
        terms="Delivery within 10 working days to any UN office in Brasília. Prices include taxes.",
        by=buyer,
        at=made,
    )
    raised = _call_off(agreement, "UNDP", {1: "60", 2: "10"}, _working(now - timedelta(days=30)))
    services.piggyback_request(
        agreement=agreement,
        agency=Agency.objects.get(code="UNESCO"),
        by=_person("approver", "UNESCO"),
        reason="Our own supplies contract ends in December; we would call off about 20,000 USD a year.",
        expected_spend_usd="20000.00",
        at=_working(now - timedelta(days=2), 15),
    )
    return raised


def _near_ceiling(buyer: User, now: datetime) -> int:
    """UNFPA's interpretation agreement, UN Women on board, called off past 80 % of its ceiling."""
    made = _working(now - timedelta(days=60))
    agreement = services.agreement_record_from_contract(
        owner=Agency.objects.get(code="UNFPA"),
        vendor=_vendor("EVENTS"),
        title="Interpretation and translation services",
        contract_reference="UNFPA/BRA/2026/LTA-03",
        valid_from=made.date(),
        valid_until=made.date() + timedelta(days=365),
        ceiling_usd="60000.00",
        items=[
            services.ItemInput("Simultaneous interpretation, two interpreters", _category("EVENTS"), "day", "1450.00"),
            services.ItemInput("Interpretation booth and equipment", _category("EVENTS"), "day", "650.00"),
            services.ItemInput("Translation English-Portuguese", _category("CONSULT"), "page", "28.00"),
        ],
        terms="Interpreters confirmed 10 working days before the event.",
        by=buyer,
        at=made,
    )
    _piggyback(
        agreement,
        "UNWOMEN",
        made + timedelta(days=5),
        ceiling="25000.00",
        reason="Interpretation for the regional consultations on gender-based violence.",
    )
    return (
        _call_off(agreement, "UNFPA", {1: "10", 2: "10"}, _working(now - timedelta(days=40)))  # 21,000
        + _call_off(agreement, "UNWOMEN", {1: "8", 2: "8", 3: "100"}, _working(now - timedelta(days=25)))  # 19,600
        + _call_off(agreement, "UNFPA", {3: "300"}, _working(now - timedelta(days=6)))  # 8,400: 49,000 of 60,000
    )


def _expired(buyer: User, now: datetime) -> int:
    """UNESCO's printing agreement, in force for a year until last month (UNDP took part)."""
    made = _working(now - timedelta(days=400))
    services.agreement_record_from_contract(
        owner=Agency.objects.get(code="UNESCO"),
        vendor=_vendor("PRINT"),
        title="Printing of publications and campaign material",
        contract_reference="UNESCO/BRA/2025/PRINT-01",
        valid_from=made.date(),
        valid_until=(now - timedelta(days=25)).date(),
        ceiling_usd="80000.00",
        items=[
            services.ItemInput("Leaflet A5, four colours", _category("PRINT"), "thousand", "95.00"),
            services.ItemInput("Report, 60 pages, perfect bound", _category("PRINT"), "copy", "6.40"),
        ],
        participants=[Agency.objects.get(code="UNDP")],
        by=buyer,
        at=made,
    )
    return 0


def agreements_demo_load(*, now: datetime | None = None) -> int:
    """The demo's long-term agreements (after the purchases: one is made from UNDP's award); returns the
    call-offs raised (requisitions), 0 if the agreements are already there."""
    if LongTermAgreement.objects.exists():
        return 0
    codes = set(Agency.objects.filter(code__in=["UNDP", "UNFPA", "UNESCO", "UNWOMEN"]).values_list("code", flat=True))
    buyer = User.objects.filter(email=BUYER_EMAIL).first()
    if buyer is None or codes != {"UNDP", "UNFPA", "UNESCO", "UNWOMEN"}:
        return 0
    now = now or timezone.now()
    with alerts_muted(), transaction.atomic():
        return sum(play(buyer, now) for play in (_from_award, _office_supplies, _near_ceiling, _expired))
