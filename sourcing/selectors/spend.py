"""Reads of spend: split-purchase findings for one purchase, and the facility's reports across agencies.

A possible split purchase (PRODUCT.md, "Split-purchase warning"; issue 14):
the same agency buys the same category from the same vendor again and again
within 12 months, each purchase staying under a method threshold while
together they pass it. Everything here reads `sourcing.PurchaseRecord` (the
issued order lines of every agency, in the public schema); the check at
approval and order time is one query on the index `purchase_split_lookup`
(agency, category, ordered_on), which carries every column the check reads,
so PostgreSQL answers it from the index alone.

Call-offs against a long-term agreement are left out of the split check: the
agreement was competed once for all of them. They are left out of the
joint-procurement report too, which is about what agencies still buy from the
market one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.db.models import Count, Min, QuerySet, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import Role, User
from accounts.selectors import facility_roles
from shared_platform.templatetags.platform import money
from tenants.models import Agency
from vendors.models import DEFAULT_MICRO_PURCHASE_MAX, DEFAULT_RFQ_MAX, MethodThresholds, SupplyCategory, Vendor
from vendors.selectors import thresholds_in_force

from ..models import AgreementItem, LongTermAgreement, Participation, PurchaseRecord, SplitFlag

ZERO = Decimal("0.00")
# The facility's people who read the spend reports: procurement officers and the manager work with them,
# the auditor reads them (issue 14).
REPORT_READER_ROLES = frozenset({Role.PROCUREMENT_AGENT, Role.FACILITY_MANAGER, Role.AUDITOR})


def may_read_spend_reports(*, user: Any, agency: Agency) -> bool:
    """On the facility portal only: procurement officers, the facility manager, the auditor, administrators."""
    if not agency.is_facility or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or facility_roles(user) & REPORT_READER_ROLES)


# -- the 12 months ---------------------------------------------------------------------------------------


def year_before(on: date) -> date:
    """The same date one year earlier; 29 February goes back to 28 February."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


def window_start(on: date) -> date:
    """The first day of the 12 months that end on `on` (a purchase counts from the day after a year ago)."""
    return year_before(on) + timedelta(days=1)


# -- what a finding says -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlierPurchase:
    """One earlier order's spend in the category: its number, requisition, date and amount (USD)."""

    order_number: str
    requisition_reference: str
    ordered_on: date
    amount_usd: Decimal

    def as_json(self) -> dict[str, str]:
        return {
            "order_number": self.order_number,
            "requisition": self.requisition_reference,
            "ordered_on": self.ordered_on.isoformat(),
            "amount_usd": str(self.amount_usd),
        }

    @classmethod
    def from_json(cls, value: Any) -> EarlierPurchase | None:
        """A purchase as a flag stored it; None for anything that is not one (never an error on a page)."""
        if not isinstance(value, dict):
            return None
        try:
            return cls(
                str(value.get("order_number", "")),
                str(value.get("requisition", "")),
                date.fromisoformat(str(value.get("ordered_on", ""))),
                Decimal(str(value.get("amount_usd", ""))),
            )
        except (ValueError, InvalidOperation):
            return None


@dataclass(frozen=True)
class SplitFinding:
    """This purchase with the earlier ones passes a threshold that each of them stays under."""

    category_id: int
    vendor_id: int
    threshold_method: str  # the method the threshold ends: "micro" or "rfq"
    threshold_usd: Decimal
    this_amount_usd: Decimal
    total_usd: Decimal
    purchases: list[EarlierPurchase] = field(default_factory=list)
    category_name: str = ""
    vendor_name: str = ""

    @property
    def order_numbers(self) -> str:
        return ", ".join(purchase.order_number for purchase in self.purchases)


def threshold_name(method: str) -> str:
    """The threshold by the method it ends, as people read it."""
    if method == "micro":
        return gettext("micro-purchase")
    return gettext("request for quotation")


def _purchase_text(purchase: EarlierPurchase) -> str:
    day = date_format(purchase.ordered_on, "SHORT_DATE_FORMAT")
    return f"{purchase.order_number} ({purchase.requisition_reference}, {day}, {money(purchase.amount_usd)} USD)"


def finding_sentence(finding: SplitFinding) -> str:
    """One finding in one sentence: the amounts, the earlier orders by number and the threshold."""
    values = {
        "category": finding.category_name,
        "vendor": finding.vendor_name,
        "orders": ", ".join(_purchase_text(purchase) for purchase in finding.purchases),
        "amount": money(finding.this_amount_usd),
        "total": money(finding.total_usd),
        "threshold": money(finding.threshold_usd),
    }
    if finding.threshold_method == "micro":
        return (
            gettext(
                "%(amount)s USD of %(category)s from %(vendor)s with the earlier orders %(orders)s comes to "
                "%(total)s USD in 12 months, above the micro-purchase threshold of %(threshold)s USD."
            )
            % values
        )
    return (
        gettext(
            "%(amount)s USD of %(category)s from %(vendor)s with the earlier orders %(orders)s comes to "
            "%(total)s USD in 12 months, above the request-for-quotation threshold of %(threshold)s USD."
        )
        % values
    )


def split_findings_message(findings: list[SplitFinding]) -> str:
    """What the refusal says: a possible split, each finding in a sentence, and what to do."""
    return " ".join(
        [
            gettext("This may split a purchase under a threshold."),
            *(finding_sentence(finding) for finding in findings),
            gettext("Explain why it is not a split purchase to go ahead."),
        ]
    )


# -- the check -------------------------------------------------------------------------------------------------


def method_thresholds(*, agency: Agency, on: date) -> list[tuple[str, Decimal]]:
    """The method thresholds in force for the agency on that day, lowest first: (method it ends, value USD)."""
    thresholds = thresholds_in_force(agency=agency, on=on)
    return [("micro", thresholds.micro_purchase_max), ("rfq", thresholds.rfq_max)]


def group_findings(
    *,
    this_amount: Decimal,
    purchases: list[EarlierPurchase],
    thresholds: list[tuple[str, Decimal]],
    category_id: int,
    vendor_id: int,
) -> list[SplitFinding]:
    """The rule for one (category, vendor): for each threshold, lowest first, that this purchase stays
    under (at most the threshold), the earlier purchases that each stay under it too; at least one, and
    this purchase and theirs together above it, is a finding."""
    findings = []
    for method, threshold in thresholds:
        if this_amount > threshold:
            continue
        under = [purchase for purchase in purchases if purchase.amount_usd <= threshold]
        total = this_amount + sum((purchase.amount_usd for purchase in under), ZERO)
        if under and total > threshold:
            findings.append(
                SplitFinding(
                    category_id=category_id,
                    vendor_id=vendor_id,
                    threshold_method=method,
                    threshold_usd=threshold,
                    this_amount_usd=this_amount,
                    total_usd=total,
                    purchases=sorted(under, key=lambda purchase: (purchase.ordered_on, purchase.order_number)),
                )
            )
    return findings


def split_lookup(
    *,
    agency: Agency,
    categories: Iterable[int],
    vendor_id: int | None,
    on: date,
    exclude_requisition: str = "",
) -> QuerySet[PurchaseRecord, dict[str, Any]]:
    """The one query of the check: the agency's earlier purchases (one row per order) in those categories.

    Every column it reads is in `purchase_split_lookup`, so PostgreSQL answers from the index alone."""
    records = PurchaseRecord.objects.filter(
        agency=agency,
        category_id__in=sorted(categories),
        ordered_on__gte=window_start(on),
        ordered_on__lte=on,
        cancelled=False,
        agreement__isnull=True,
    )
    if vendor_id is not None:
        records = records.filter(vendor_id=vendor_id)
    if exclude_requisition:
        records = records.exclude(requisition_reference=exclude_requisition)
    return (
        records.order_by()
        .values("category_id", "vendor_id", "order_number", "requisition_reference")
        .annotate(first_on=Min("ordered_on"), amount=Sum("amount_usd"))
    )


def split_findings(
    *,
    agency: Agency,
    amounts_by_category: Mapping[int, Decimal],
    vendor_id: int | None,
    on: date,
    exclude_requisition: str = "",
) -> list[SplitFinding]:
    """Would this purchase (its USD amount per category) be split from the agency's earlier ones?

    Earlier purchases: the agency's order lines not cancelled and not called off an agreement, ordered in
    the 12 months up to `on` (strictly after the same date a year before), in those categories, from
    `vendor_id` (None, at approval before a vendor is chosen: every vendor is its own group), one purchase
    per order (its lines in the category added up). One query on `purchase_split_lookup`.
    """
    amounts = {category: Decimal(amount) for category, amount in amounts_by_category.items() if amount > 0}
    if not amounts:
        return []
    rows = split_lookup(
        agency=agency, categories=amounts, vendor_id=vendor_id, on=on, exclude_requisition=exclude_requisition
    )
    groups: dict[tuple[int, int], list[EarlierPurchase]] = defaultdict(list)
    for row in rows:
        groups[(row["category_id"], row["vendor_id"])].append(
            EarlierPurchase(row["order_number"], row["requisition_reference"], row["first_on"], row["amount"])
        )
    if not groups:
        return []
    thresholds = method_thresholds(agency=agency, on=on)
    findings = [
        finding
        for (category_id, group_vendor), purchases in sorted(groups.items())
        for finding in group_findings(
            this_amount=amounts[category_id],
            purchases=purchases,
            thresholds=thresholds,
            category_id=category_id,
            vendor_id=group_vendor,
        )
    ]
    return _named(findings)


def _named(findings: list[SplitFinding]) -> list[SplitFinding]:
    if not findings:
        return findings
    categories = dict(SupplyCategory.objects.filter(pk__in={f.category_id for f in findings}).values_list("pk", "name"))
    vendors = dict(Vendor.objects.filter(pk__in={f.vendor_id for f in findings}).values_list("pk", "legal_name"))
    return [
        replace(
            finding,
            category_name=categories.get(finding.category_id, ""),
            vendor_name=vendors.get(finding.vendor_id, ""),
        )
        for finding in findings
    ]


def requisition_amounts_by_category(requisition: Any) -> dict[int, Decimal]:
    """A requisition's estimated amount (USD) per category: what the split check weighs at approval and order."""
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    lines: Iterable[Any] = requisition.lines.all()
    for line in lines:
        amounts[line.category_id] += line.estimated_amount
    return dict(amounts)


def requisition_split_findings(
    *, agency: Agency, requisition: Any, vendor_id: int | None, on: date
) -> list[SplitFinding]:
    """What the split check will find for this requisition (the pages show it before anyone acts)."""
    if requisition.agreement_id is not None:
        return []
    return split_findings(
        agency=agency,
        amounts_by_category=requisition_amounts_by_category(requisition),
        vendor_id=vendor_id,
        on=on,
        exclude_requisition=requisition.reference,
    )


# -- recorded flags ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagRow:
    """A recorded flag as the pages show it, its earlier purchases read back from what was stored."""

    flag: SplitFlag
    purchases: list[EarlierPurchase]

    @property
    def threshold_name(self) -> str:
        return threshold_name(self.flag.method_threshold)


def flag_rows(flags: Iterable[SplitFlag]) -> list[FlagRow]:
    rows = []
    for flag in flags:
        stored = flag.purchases if isinstance(flag.purchases, list) else []
        purchases = [purchase for purchase in map(EarlierPurchase.from_json, stored) if purchase is not None]
        rows.append(FlagRow(flag, purchases))
    return rows


def requisition_split_flags(*, agency: Agency, reference: str) -> list[FlagRow]:
    """The flags recorded on one requisition of the agency, newest first."""
    flags = (
        SplitFlag.objects.filter(agency=agency, requisition_reference=reference)
        .select_related("vendor", "category", "explained_by")
        .order_by("-raised_at", "-pk")
    )
    return flag_rows(flags)


def split_flag_list(*, agency: Agency | None = None) -> QuerySet[SplitFlag]:
    """Every recorded flag across agencies (or one agency's), for the facility's report."""
    flags = SplitFlag.objects.select_related("agency", "vendor", "category", "explained_by")
    if agency is not None:
        flags = flags.filter(agency=agency)
    return flags.order_by("-raised_at", "-pk")


# -- the facility's live scan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitGroup:
    """An agency's purchases of one category from one vendor in 12 months, each under a threshold that
    together they pass: what the facility's report lists, whether or not anyone was warned."""

    agency_id: int
    agency_code: str
    category_id: int
    category_name: str
    vendor_id: int
    vendor_name: str
    threshold_method: str
    threshold_usd: Decimal
    count: int
    total_usd: Decimal
    first_on: date
    last_on: date
    purchases: list[EarlierPurchase]

    @property
    def threshold_name(self) -> str:
        return threshold_name(self.threshold_method)


SCAN_SQL = """
WITH purchases AS (
    SELECT agency_id, category_id, vendor_id, order_number,
           min(requisition_reference) AS requisition_reference,
           min(ordered_on) AS ordered_on, sum(amount_usd) AS amount
    FROM {records}
    WHERE NOT cancelled AND agreement_id IS NULL AND ordered_on >= %(start)s AND ordered_on <= %(on)s
      AND (%(agency)s::bigint IS NULL OR agency_id = %(agency)s::bigint)
    GROUP BY agency_id, category_id, vendor_id, order_number
),
in_force AS (
    SELECT agencies.agency_id,
           coalesce(latest.micro_purchase_max, %(micro)s) AS micro,
           coalesce(latest.rfq_max, %(rfq)s) AS rfq
    FROM (SELECT DISTINCT agency_id FROM purchases) AS agencies
    LEFT JOIN LATERAL (
        SELECT micro_purchase_max, rfq_max FROM {thresholds}
        WHERE agency_id = agencies.agency_id AND effective_from <= %(on)s
        ORDER BY effective_from DESC LIMIT 1
    ) AS latest ON true
),
limits AS (
    SELECT agency_id, 'micro' AS method, micro AS threshold FROM in_force
    UNION ALL
    SELECT agency_id, 'rfq', rfq FROM in_force
)
SELECT p.agency_id, p.category_id, p.vendor_id, l.method, l.threshold, count(*), sum(p.amount),
       min(p.ordered_on), max(p.ordered_on),
       array_agg(p.order_number ORDER BY p.ordered_on, p.order_number),
       array_agg(p.requisition_reference ORDER BY p.ordered_on, p.order_number),
       array_agg(p.ordered_on ORDER BY p.ordered_on, p.order_number),
       array_agg(p.amount ORDER BY p.ordered_on, p.order_number)
FROM purchases AS p
JOIN limits AS l ON l.agency_id = p.agency_id AND p.amount <= l.threshold
GROUP BY p.agency_id, p.category_id, p.vendor_id, l.method, l.threshold
HAVING count(*) >= 2 AND sum(p.amount) > l.threshold
"""


def split_scan(*, on: date, agency: Agency | None = None) -> list[SplitGroup]:
    """Across agencies (or one), the 12 months up to `on`: every (agency, category, vendor) whose purchases,
    each at most a threshold of the agency in force that day, add up to more than it (two or more of them).
    One query (PostgreSQL groups the orders and compares them with each agency's thresholds)."""
    sql = SCAN_SQL.format(
        records=connection.ops.quote_name(PurchaseRecord._meta.db_table),
        thresholds=connection.ops.quote_name(MethodThresholds._meta.db_table),
    )
    parameters = {
        "start": window_start(on),
        "on": on,
        "agency": agency.pk if agency is not None else None,
        "micro": DEFAULT_MICRO_PURCHASE_MAX,
        "rfq": DEFAULT_RFQ_MAX,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        rows = cursor.fetchall()
    if not rows:
        return []
    agencies = dict(Agency.objects.filter(pk__in={row[0] for row in rows}).values_list("pk", "code"))
    categories = dict(SupplyCategory.objects.filter(pk__in={row[1] for row in rows}).values_list("pk", "name"))
    vendors = dict(Vendor.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", "legal_name"))
    groups = [
        SplitGroup(
            agency_id=agency_id,
            agency_code=agencies.get(agency_id, ""),
            category_id=category_id,
            category_name=categories.get(category_id, ""),
            vendor_id=vendor_id,
            vendor_name=vendors.get(vendor_id, ""),
            threshold_method=method,
            threshold_usd=threshold,
            count=count,
            total_usd=total,
            first_on=first_on,
            last_on=last_on,
            purchases=[
                EarlierPurchase(number, reference, day, amount)
                for number, reference, day, amount in zip(numbers, references, days, amounts, strict=True)
            ],
        )
        for (
            agency_id,
            category_id,
            vendor_id,
            method,
            threshold,
            count,
            total,
            first_on,
            last_on,
            numbers,
            references,
            days,
            amounts,
        ) in rows
    ]
    return sorted(groups, key=lambda group: (-group.last_on.toordinal(), group.agency_code, group.category_name))


# -- joint-procurement opportunities --------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySpend:
    agency_id: int
    agency_code: str
    total_usd: Decimal
    orders: int


@dataclass(frozen=True)
class PiggybackOption:
    """An agreement in force covering the category, and the buying agencies not yet taking part in it."""

    agreement: LongTermAgreement
    could_join: list[str]


@dataclass(frozen=True)
class JointOpportunity:
    """A category that two or more agencies bought from the market in 12 months, each on its own."""

    category_id: int
    category_code: str
    category_name: str
    total_usd: Decimal
    orders: int
    agencies: list[AgencySpend]
    agreements: list[PiggybackOption]

    @property
    def agency_count(self) -> int:
        return len(self.agencies)

    @property
    def served_by_agreement(self) -> bool:
        return bool(self.agreements)


def joint_opportunities(*, on: date, min_agencies: int = 2) -> list[JointOpportunity]:
    """Categories bought from the market (not called off an agreement, not cancelled) by at least
    `min_agencies` agencies in the 12 months up to `on`, with each agency's total and the overall one; for
    each, the agreements in force on `on` with an item in that category, naming the buying agencies that
    do not take part yet (they could piggyback instead of buying alone)."""
    rows = (
        PurchaseRecord.objects.filter(
            agreement__isnull=True, cancelled=False, ordered_on__gte=window_start(on), ordered_on__lte=on
        )
        .order_by()
        .values("category_id", "agency_id")
        .annotate(total=Sum("amount_usd"), orders=Count("order_number", distinct=True))
    )
    by_category: dict[int, list[tuple[int, Decimal, int]]] = defaultdict(list)
    for row in rows:
        by_category[row["category_id"]].append((row["agency_id"], row["total"], row["orders"]))
    chosen = {category: spends for category, spends in by_category.items() if len(spends) >= max(min_agencies, 1)}
    if not chosen:
        return []
    agencies = dict(
        Agency.objects.filter(pk__in={agency for spends in chosen.values() for agency, _t, _o in spends}).values_list(
            "pk", "code"
        )
    )
    categories = {category.pk: category for category in SupplyCategory.objects.filter(pk__in=chosen)}
    options = _agreements_covering(categories=set(chosen), on=on)
    opportunities = []
    for category_id, spends in chosen.items():
        category = categories.get(category_id)
        buyers = sorted(
            (AgencySpend(agency, agencies.get(agency, ""), total, orders) for agency, total, orders in spends),
            key=lambda spend: (-spend.total_usd, spend.agency_code),
        )
        buying = {spend.agency_id for spend in buyers}
        opportunities.append(
            JointOpportunity(
                category_id=category_id,
                category_code=category.code if category else "",
                category_name=category.name if category else "",
                total_usd=sum((spend.total_usd for spend in buyers), ZERO),
                orders=sum(spend.orders for spend in buyers),
                agencies=buyers,
                agreements=[
                    PiggybackOption(
                        agreement,
                        sorted(agencies.get(agency, "") for agency in buying - participants),
                    )
                    for agreement, participants in options.get(category_id, [])
                ],
            )
        )
    return sorted(opportunities, key=lambda opportunity: (-opportunity.total_usd, opportunity.category_name))


def _agreements_covering(*, categories: set[int], on: date) -> dict[int, list[tuple[LongTermAgreement, set[int]]]]:
    """Per category, the agreements in force on `on` with an item in it, with the agencies taking part."""
    items = (
        AgreementItem.objects.filter(
            category_id__in=categories, agreement__valid_from__lte=on, agreement__valid_until__gte=on
        )
        .values_list("category_id", "agreement_id")
        .distinct()
    )
    pairs = list(items)
    agreements = {
        agreement.pk: agreement
        for agreement in LongTermAgreement.objects.filter(pk__in={pk for _c, pk in pairs}).select_related(
            "owner", "vendor"
        )
    }
    participants: dict[int, set[int]] = defaultdict(set)
    for agreement_id, agency_id in Participation.objects.filter(agreement_id__in=agreements).values_list(
        "agreement_id", "agency_id"
    ):
        participants[agreement_id].add(agency_id)
    for agreement in agreements.values():
        participants[agreement.pk].add(agreement.owner_id)
    covering: dict[int, list[tuple[LongTermAgreement, set[int]]]] = defaultdict(list)
    for category_id, agreement_id in sorted(pairs, key=lambda pair: (pair[0], agreements[pair[1]].reference)):
        covering[category_id].append((agreements[agreement_id], participants[agreement_id]))
    return covering


def user_label(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email
