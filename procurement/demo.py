"""The demo's purchases: three months of history and a case at every stage, played through the services.

Every purchase goes through `procurement.services` at past instants, as the
running system would have written it: raised, approved, taken, solicited,
bid on through the vendors' links, opened by two officers, evaluated,
awarded and ordered. A fixed seed keeps it the same on every machine; no
e-mail goes out about the past (the PDFs of the orders are rendered).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from billing.demo import BRL_RATES
from billing.demo import demo_months as billing_months
from billing.models import ExchangeRate
from billing.services import exchange_rate_set
from ledger.models import LedgerEntry
from ledger.services import alerts_muted
from service_levels.models import Module
from service_levels.selectors import services_covered
from tenants.models import Agency
from vendors.demo import roster_ensure
from vendors.models import SupplyCategory, Vendor, VendorStatus

from . import services
from .models import SERVICE_OF_METHOD, Method, Requisition, Solicitation

SEED = 20261128
BUYER_EMAIL = "procurement@facility.demo"
SECOND_OFFICER_EMAIL = "procurement2@facility.demo"
COMMITTEE_EMAIL = "committee@facility.demo"
MANAGER_EMAIL = "manager@facility.demo"
FINANCE_EMAIL = "finance@facility.demo"

# What agencies buy: (title, category code, lines of (description, quantity, unit, estimated unit price)).
MICRO_PURCHASES = [
    (
        "Office supplies for the quarter",
        "OFFICE",
        [("Printer paper A4, box of 5 reams", "40", "box", "38.50"), ("Toner cartridges", "12", "each", "89.00")],
    ),
    ("Catering for a workshop", "EVENTS", [("Lunch and two coffee breaks, 35 people", "35", "person", "42.00")]),
    (
        "Translation of an evaluation report",
        "CONSULT",
        [("Translation English to Portuguese", "48", "page", "31.00")],
    ),
    ("Chairs for the meeting room", "OFFICE", [("Ergonomic chair", "12", "each", "410.00")]),
]
RFQ_PURCHASES = [
    (
        "Laptops for a project office",
        "IT-EQUIP",
        [("Laptop, 14 inch, 16 GB, 512 GB SSD", "30", "each", "1450.00"), ("Docking station", "30", "each", "210.00")],
    ),
    (
        "Printing of campaign material",
        "PRINT",
        [("Posters A2, four colours", "4000", "each", "2.10"), ("Leaflets A5", "40000", "each", "0.35")],
    ),
    (
        "Event venue for a regional conference",
        "EVENTS",
        [
            ("Conference room, 150 seats, 3 days", "3", "day", "6500.00"),
            ("Interpretation booths", "3", "day", "2100.00"),
        ],
    ),
    ("Solar kits for community centres", "SOLAR", [("Solar kit 3 kWp with batteries", "12", "each", "4200.00")]),
]


def _people() -> dict[str, User]:
    return {
        "buyer": User.objects.get(email=BUYER_EMAIL),
        "officer": User.objects.get(email=SECOND_OFFICER_EMAIL),
        "committee": User.objects.get(email=COMMITTEE_EMAIL),
        "manager": User.objects.get(email=MANAGER_EMAIL),
    }


def _lines(
    category_code: str, lines: Sequence[tuple[str, str, str, str]], scale: Decimal = Decimal(1)
) -> list[services.LineInput]:
    category = SupplyCategory.objects.get(code=category_code)
    return [
        services.LineInput(
            description, category, quantity, unit, str((Decimal(price) * scale).quantize(Decimal("0.01")))
        )
        for description, quantity, unit, price in lines
    ]


def _working(day: datetime, hour: int) -> datetime:
    """The instant `hour` o'clock on the first weekday on or after `day`, on the facility's wall clock."""
    local = timezone.localtime(day)
    moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def _vendors_for(category_code: str, count: int, rng: random.Random) -> list[Vendor]:
    eligible = list(
        Vendor.objects.filter(status=VendorStatus.ACTIVE, categories__code=category_code).order_by("legal_name")
    )
    if len(eligible) < count:
        eligible += [
            v for v in Vendor.objects.filter(status=VendorStatus.ACTIVE).order_by("legal_name") if v not in eligible
        ]
    return rng.sample(eligible, count)


class Play:
    """One agency's purchases, played in its schema."""

    def __init__(self, agency: Agency, people: dict[str, User], rng: random.Random, months: int) -> None:
        self.agency, self.people, self.rng, self.months = agency, people, rng, months
        self.requesters = list(
            User.objects.filter(memberships__agency=agency, memberships__role=Role.REQUESTER)
            .exclude(memberships__role=Role.APPROVER)
            .order_by("email")
        )
        self.approver = (
            User.objects.filter(memberships__agency=agency, memberships__role=Role.APPROVER).order_by("email").first()
        )

    def raise_(
        self,
        title: str,
        category: str,
        lines: Sequence[tuple[str, str, str, str]],
        at: datetime,
        scale: Decimal = Decimal(1),
    ) -> Requisition:
        return services.requisition_raise(
            agency=self.agency,
            requester=self.rng.choice(self.requesters),
            title=title,
            justification="Needed for the work plan agreed with the donor; budget confirmed by the programme unit.",
            delivery_place=f"{self.agency.code} office, Brasília",
            delivery_date=(at + timedelta(days=45)).date(),
            charge_code=f"BRA{self.rng.randint(10, 99)}-{self.rng.randint(10000, 99999)}-71200",
            lines=_lines(category, lines, scale),
            at=at,
        )

    def approve_and_take(self, requisition: Requisition, at: datetime) -> Requisition:
        assert self.approver is not None
        services.requisition_approve(agency=self.agency, requisition=requisition, approver=self.approver, at=at)
        return services.requisition_take(
            requisition=requisition, buyer=self.people["buyer"], at=at + timedelta(hours=3)
        )

    def micro(self, requisition: Requisition, at: datetime, days: int) -> None:
        category = requisition.lines.first().category.code  # type: ignore[union-attr]
        quotes = []
        for vendor in _vendors_for(category, 2, self.rng):
            prices = [
                str((line.estimated_unit_price * Decimal(self.rng.uniform(0.85, 1.05))).quantize(Decimal("0.01")))
                for line in requisition.lines.all()
            ]
            quotes.append(
                services.quotation_record(
                    requisition=requisition,
                    vendor=vendor,
                    currency="USD",
                    unit_prices=prices,
                    by=self.people["buyer"],
                    at=at,
                )
            )
        best = min(quotes, key=lambda quote: quote.total_usd)
        services.order_issue(
            agency=self.agency,
            requisition=requisition,
            by=self.people["buyer"],
            terms=ORDER_TERMS,
            quotation=best,
            at=at + timedelta(days=days),
        )

    def solicit(
        self, requisition: Requisition, at: datetime, *, deadline_days: int, invited: int = 3, **issue: object
    ) -> Solicitation:
        category = requisition.lines.first().category.code  # type: ignore[union-attr]
        solicitation, _tokens = services.solicitation_issue(
            requisition=requisition,
            by=self.people["buyer"],
            instructions=INSTRUCTIONS,
            deadline=_working(at + timedelta(days=deadline_days), 17),
            vendors=_vendors_for(category, invited, self.rng),
            at=at,
            **issue,  # type: ignore[arg-type]
        )
        return solicitation

    def bid_all(
        self, solicitation: Solicitation, *, count: int | None = None, currencies: Sequence[str] = ("USD",)
    ) -> None:
        lines = list(solicitation.requisition.lines.order_by("position"))
        invitations = list(solicitation.invitations.order_by("pk"))[:count]
        for index, invitation in enumerate(invitations):
            factor = Decimal(self.rng.uniform(0.82, 1.1))
            currency = currencies[index % len(currencies)]
            rate = Decimal(1)
            if currency != "USD":
                month = timezone.localtime(solicitation.deadline).date().replace(day=1)
                rate = ExchangeRate.objects.get(month=month, currency=currency).rate
            prices = [str((line.estimated_unit_price * factor * rate).quantize(Decimal("0.01"))) for line in lines]
            at = solicitation.issued_at + timedelta(days=1 + index, hours=2)
            services.bid_submit(
                invitation=invitation,
                currency=currency,
                unit_prices=prices,
                technical_proposal=PROPOSAL if solicitation.two_envelopes else "",
                at=min(at, solicitation.deadline - timedelta(hours=1)),
            )

    def open_(self, solicitation: Solicitation, at: datetime) -> None:
        services.bids_open(solicitation=solicitation, officers=[self.people["buyer"], self.people["officer"]], at=at)

    def evaluate(self, solicitation: Solicitation, at: datetime) -> None:
        evaluator = self.people["officer"]
        services.evaluator_declare(solicitation=solicitation, user=evaluator, no_conflict=True, at=at)
        solicitation.refresh_from_db()
        for bid in solicitation.bids.filter(superseded=False, late=False):
            services.compliance_record(
                bid=bid, by=evaluator, passed=True, reason="Meets every requirement of the specification.", at=at
            )
        services.evaluation_complete(solicitation=solicitation, by=self.people["buyer"], at=at + timedelta(hours=2))

    def award_and_order(self, solicitation: Solicitation, at: datetime) -> None:
        solicitation.refresh_from_db()
        assert solicitation.recommended_bid is not None
        services.award_make(
            solicitation=solicitation,
            bid=solicitation.recommended_bid,
            justification="Lowest priced compliant bid.",
            by=self.people["buyer"],
            at=at,
        )
        services.order_issue(
            agency=self.agency,
            requisition=solicitation.requisition,
            by=self.people["buyer"],
            terms=ORDER_TERMS,
            at=at + timedelta(hours=4),
        )

    def rfq_through(
        self, title: str, category: str, lines: Sequence[tuple[str, str, str, str]], opened: datetime, *, slow: bool
    ) -> None:
        requisition = self.approve_and_take(self.raise_(title, category, lines, opened), opened + timedelta(hours=2))
        solicitation = self.solicit(requisition, opened + timedelta(days=1), deadline_days=8)
        self.bid_all(solicitation)
        self.open_(solicitation, solicitation.deadline + timedelta(hours=16))
        self.evaluate(solicitation, solicitation.deadline + timedelta(days=1, hours=18))
        self.award_and_order(solicitation, solicitation.deadline + timedelta(days=9 if slow else 3, hours=18))


INSTRUCTIONS = (
    "Quote a unit price for every line, delivered to the address given, all taxes included. "
    "Offers are valid 90 days. Delivery within 30 days of the purchase order. "
    "Questions through your personal link until five working days before the deadline."
)
PROPOSAL = (
    "Our approach, work plan and team are described below: a project manager with ten years of experience, "
    "two specialists, and a quality plan with monthly progress reports."
)
ORDER_TERMS = (
    "Payment 30 days after receipt of goods and a correct invoice. Delivery duty paid to the address given. "
    "The United Nations General Conditions of Contract apply."
)


def _history(play: Play, months: int, now: datetime) -> int:
    """Delivered purchases in the months before this one: a micro-purchase and an RFQ per month."""
    played = 0
    first_of_this_month = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for back in range(months - 1, 0, -1):
        month_start = (first_of_this_month - timedelta(days=28 * back)).replace(day=1)
        title, category, lines = play.rng.choice(MICRO_PURCHASES)
        opened = _working(month_start + timedelta(days=play.rng.randint(1, 8)), 10)
        requisition = play.approve_and_take(play.raise_(title, category, lines, opened), opened + timedelta(hours=3))
        play.micro(requisition, opened + timedelta(days=1), days=play.rng.choice((1, 2, 2, 5)))
        title, category, lines = play.rng.choice(RFQ_PURCHASES)
        opened = _working(month_start + timedelta(days=play.rng.randint(1, 5)), 9)
        play.rfq_through(title, category, lines, opened, slow=play.rng.random() < 0.25)
        played += 2
    return played


def _current(play: Play, now: datetime, *, showcase: bool) -> int:
    """Purchases in progress today: every stage at UNDP (the showcase), a few stages elsewhere."""
    rng, approver = play.rng, play.approver
    assert approver is not None
    days_ago = lambda days, hour=10: _working(now - timedelta(days=days), hour)  # noqa: E731
    title, category, lines = rng.choice(RFQ_PURCHASES)
    play.raise_(title, category, lines, days_ago(1))  # waiting for the approver
    title, category, lines = rng.choice(MICRO_PURCHASES)
    requisition = play.raise_(title, category, lines, days_ago(3))
    services.requisition_approve(agency=play.agency, requisition=requisition, approver=approver, at=days_ago(2))
    # Bidding: the deadline is next week, two of three bids are in (sealed).
    title, category, lines = rng.choice(RFQ_PURCHASES)
    requisition = play.approve_and_take(play.raise_(title, category, lines, days_ago(6)), days_ago(5))
    solicitation = play.solicit(requisition, days_ago(4), deadline_days=11)
    play.bid_all(solicitation, count=2)
    played = 3
    if not showcase:
        return played
    # Rejected, with the approver's reason.
    title, category, lines = rng.choice(MICRO_PURCHASES)
    rejected = play.raise_(title, category, lines, days_ago(9))
    services.requisition_reject(
        agency=play.agency,
        requisition=rejected,
        approver=approver,
        reason="Already covered by the long-term agreement for office supplies.",
        at=days_ago(8),
    )  # type: ignore[arg-type]
    # A micro-purchase waiting on the requester (its clock paused).
    title, category, lines = MICRO_PURCHASES[0]
    waiting = play.approve_and_take(play.raise_(title, category, lines, days_ago(4)), days_ago(3))
    services.case_ask_requester(
        requisition=waiting,
        question="Which toner model do your printers take?",
        by=play.people["buyer"],
        at=days_ago(2, 11),
    )
    # An RFQ past its deadline, its three bids sealed, waiting for the opening.
    title, category, lines = RFQ_PURCHASES[0]
    requisition = play.approve_and_take(play.raise_(title, category, lines, days_ago(16)), days_ago(15))
    solicitation = play.solicit(requisition, days_ago(14), deadline_days=12)
    play.bid_all(solicitation)
    # An RFQ with three bids, opened, evaluated, awarded and ordered (the PO and its PDF).
    play.rfq_through(*RFQ_PURCHASES[2], days_ago(27), slow=False)
    # An RFP with two envelopes, technical and financial, evaluated: waiting for the award.
    title, category, lines = (
        "Evaluation of the country programme",
        "CONSULT",
        [("Independent evaluation, 4 months", "1", "lump sum", "260000.00")],
    )
    requisition = play.approve_and_take(play.raise_(title, category, lines, days_ago(30)), days_ago(29))
    services.method_change(
        requisition=requisition,
        method=Method.RFP,
        reason="Intellectual services: best value, not lowest price.",
        by=play.people["buyer"],
        at=days_ago(29, 14),
    )
    solicitation = play.solicit(
        requisition,
        days_ago(28),
        deadline_days=14,
        criteria=[
            services.CriterionInput("Methodology and work plan", 50),
            services.CriterionInput("Team qualifications", 30),
            services.CriterionInput("Experience in Brazil", 20),
        ],
    )
    _rate_ensure(solicitation, play.months)
    play.bid_all(solicitation, currencies=("USD", "BRL"))
    play.open_(solicitation, solicitation.deadline + timedelta(hours=16))
    evaluator = play.people["officer"]
    services.evaluator_declare(
        solicitation=solicitation, user=evaluator, no_conflict=True, at=solicitation.deadline + timedelta(days=1)
    )
    for index, bid in enumerate(solicitation.bids.filter(superseded=False, late=False).order_by("pk")):
        for criterion in solicitation.criteria.all():
            score = [88, 76, 64][index % 3] + rng.randint(-4, 4)
            services.technical_score_record(
                bid=bid,
                criterion=criterion,
                by=evaluator,
                score=score,
                at=solicitation.deadline + timedelta(days=1, hours=2),
            )
    services.technical_lock(
        solicitation=solicitation, by=play.people["buyer"], at=solicitation.deadline + timedelta(days=2)
    )
    play.open_(solicitation, solicitation.deadline + timedelta(days=2, hours=2))
    services.evaluation_complete(
        solicitation=solicitation, by=play.people["buyer"], at=solicitation.deadline + timedelta(days=3)
    )
    # An ITB above the committee threshold, evaluated, before the contracts committee.
    title, category, lines = (
        "Vehicles for field offices",
        "VEHICLES",
        [("4x4 pick-up, diesel, double cabin", "8", "each", "41000.00")],
    )
    requisition = play.approve_and_take(play.raise_(title, category, lines, days_ago(40)), days_ago(39))
    solicitation = play.solicit(requisition, days_ago(38), deadline_days=21)
    play.bid_all(solicitation)
    play.open_(solicitation, solicitation.deadline + timedelta(hours=16))
    play.evaluate(solicitation, solicitation.deadline + timedelta(days=2))
    return played + 6


def _rate_ensure(solicitation: Solicitation, months: int) -> None:
    """The UN rate of the deadline's month, as billing's demo enters it (billing runs after the purchases)."""
    month = timezone.localtime(solicitation.deadline).date().replace(day=1)
    if not ExchangeRate.objects.filter(month=month, currency="BRL").exists():
        periods = billing_months(max(months, 1))
        rate = BRL_RATES[periods.index(month) % len(BRL_RATES)] if month in periods else BRL_RATES[0]
        exchange_rate_set(month=month, currency="BRL", rate=rate, entered_by=User.objects.get(email=FINANCE_EMAIL))


def procurement_demo_load(*, months: int = 3, now: datetime | None = None) -> int:
    """The demo's purchases for every voting agency whose agreement covers procurement; 0 if already there."""
    if LedgerEntry.objects.filter(module=Module.PROCUREMENT, detail_id__isnull=False).exists():
        return 0
    roster_ensure()
    now = now or timezone.now()
    people = _people()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    played = 0
    with alerts_muted():
        for agency in Agency.objects.agencies().order_by("code"):
            if not agency.has_vote or not services_covered(agency=agency, on=timezone.localdate(now)) & set(
                SERVICE_OF_METHOD.values()
            ):
                continue
            with schema_context(agency.schema_name), transaction.atomic():
                play = Play(agency, people, rng, months)
                if play.approver is None or not play.requesters:
                    continue
                played += _history(play, months, now)
                played += _current(play, now, showcase=agency.code == "UNDP")
    return played
