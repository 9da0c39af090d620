"""Reads for billing: who may see what, prices in force, a month's usage, invoices in the caller's scope.

Who (PRODUCT.md, roles): on an agency's address, its agency finance officers
read its issued invoices and credit notes (never drafts, never another
agency's). On the facility portal, facility finance, the facility manager and
the auditor read every agency's; facility finance writes (the facility manager
also keeps the price list).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import Role
from accounts.selectors import has_role
from shared_platform.errors import ApplicationError
from tenants.models import Agency, AgencyKind

from .models import (
    AgencyBillingProfile,
    BillingRun,
    BillingSettings,
    CostSharingKey,
    CreditNote,
    ExchangeRate,
    FixedCost,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PriceListItem,
    PriceListVersion,
    SharingMethod,
    UsageEvent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

CENT = Decimal("0.01")
FACILITY_READER_ROLES = frozenset({Role.FACILITY_FINANCE, Role.FACILITY_MANAGER, Role.AUDITOR})
PRICE_KEEPER_ROLES = frozenset({Role.FACILITY_FINANCE, Role.FACILITY_MANAGER})


def money(value: Decimal) -> Decimal:
    """Rounded half-up to the cent, as on an invoice."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def current_month() -> date:
    return month_start(timezone.localdate())


# -- who may do what ------------------------------------------------------------


def billing_scope(*, user: User | AnonymousUser, agency: Agency) -> Agency | None:
    """Whose billing a person reads here: None for every agency (facility), an agency, or PermissionDenied."""
    from django.core.exceptions import PermissionDenied

    if not user.is_authenticated:
        raise PermissionDenied(gettext("Sign in to see invoices."))
    if agency.is_facility:
        if user.is_staff or has_role(user=user, agency=agency, roles=FACILITY_READER_ROLES):
            return None
        raise PermissionDenied(gettext("Billing is for facility finance, the facility manager and the auditor."))
    if has_role(user=user, agency=agency, roles={Role.AGENCY_FINANCE}):
        return agency
    raise PermissionDenied(gettext("Invoices are for your agency's finance officers."))


def is_facility_finance(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """Facility finance (or a platform administrator), on the facility portal: runs, issues, records, credits."""
    if not agency.is_facility or not user.is_authenticated:
        return False
    return user.is_staff or has_role(user=user, agency=agency, roles={Role.FACILITY_FINANCE})


def may_keep_price_list(*, user: User | AnonymousUser, agency: Agency) -> bool:
    if not agency.is_facility or not user.is_authenticated:
        return False
    return user.is_staff or has_role(user=user, agency=agency, roles=PRICE_KEEPER_ROLES)


# -- who bills whom: the facility's settings and each agency's billing profile ------------

# What the facility prints until facility finance has saved its own settings.
SETTINGS_DEFAULTS = {
    "legal_name": "Joint Operations Facility (UN Common Back Office)",
    "postal_address": "SEN Quadra 802, Conjunto C, Lote 17\n70800-400 Brasília - DF\nBrazil",
    "email": "",
    "bank_name": "",
    "bank_address": "",
    "account_name": "",
    "account_number": "",
    "swift_code": "",
    "routing_number": "",
    "payment_terms_days": 30,
}


def billing_settings() -> BillingSettings:
    """The facility's billing settings (one row); the defaults, unsaved, until facility finance saves them."""
    return BillingSettings.objects.filter(pk=1).first() or BillingSettings(pk=1, **SETTINGS_DEFAULTS)


def agency_billing_profile(*, agency: Agency) -> AgencyBillingProfile | None:
    return AgencyBillingProfile.objects.filter(agency=agency).first()


def agency_billing_profiles() -> list[tuple[Agency, AgencyBillingProfile | None]]:
    """Every billed agency with its profile (None: not given yet), by code."""
    profiles = {profile.agency_id: profile for profile in AgencyBillingProfile.objects.all()}
    return [(agency, profiles.get(agency.pk)) for agency in billed_agencies()]


# -- prices ---------------------------------------------------------------------


@dataclass
class PriceTable:
    """Every price ever set, by service, so a run prices thousands of usage days without a query each."""

    dates: dict[int, list[date]] = field(default_factory=dict)
    prices: dict[int, list[PriceListItem]] = field(default_factory=dict)

    def in_force(self, *, service_id: int, on: date) -> PriceListItem | None:
        dates = self.dates.get(service_id, [])
        index = bisect.bisect_right(dates, on) - 1
        return self.prices[service_id][index] if index >= 0 else None


def price_table() -> PriceTable:
    table = PriceTable()
    items = PriceListItem.objects.select_related("version").order_by("service_id", "version__effective_from")
    for item in items:
        table.dates.setdefault(item.service_id, []).append(item.version.effective_from)
        table.prices.setdefault(item.service_id, []).append(item)
    return table


def price_in_force(*, service_id: int, on: date) -> PriceListItem | None:
    """The price of a service on a day: from the latest version effective on or before it that prices it."""
    return (
        PriceListItem.objects.select_related("version")
        .filter(service_id=service_id, version__effective_from__lte=on)
        .order_by("-version__effective_from")
        .first()
    )


def price_list_versions() -> QuerySet[PriceListVersion]:
    return PriceListVersion.objects.select_related("decision", "created_by").prefetch_related("items__service")


def sharing_key_in_force(*, month: date) -> CostSharingKey | None:
    return CostSharingKey.objects.filter(effective_from__lte=month).order_by("-effective_from").first()


def sharing_keys() -> QuerySet[CostSharingKey]:
    return CostSharingKey.objects.select_related("decision", "created_by")


def fixed_costs(*, month: date | None = None) -> QuerySet[FixedCost]:
    costs = FixedCost.objects.select_related("entered_by")
    return costs.filter(month=month) if month else costs


def exchange_rates() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.select_related("entered_by")


def exchange_rate_for(*, month: date, currency: str) -> ExchangeRate | None:
    return ExchangeRate.objects.filter(month=month, currency=currency).first()


def month_issued(*, month: date) -> bool:
    """True once any agency's invoice for the month has been issued: its inputs are then history."""
    return Invoice.objects.filter(month=month).exclude(status=InvoiceStatus.DRAFT).exists()


def months_issued_from(*, day: date) -> bool:
    return Invoice.objects.filter(month__gte=month_start(day)).exclude(status=InvoiceStatus.DRAFT).exists()


# -- a month's figures --------------------------------------------------------------


def sharing_weights(
    *, method: str, agencies: Iterable[Agency], usage_amounts: Mapping[int, Decimal]
) -> dict[int, Decimal | int]:
    """Each agency's weight under a cost-sharing key, in the agencies' order (which breaks ties to the cent):
    equal (1 each), headcount (Agency.headcount) or usage (the month's usage amount). The monthly run
    and the board's fair-cost simulation (accountability) weigh alike."""
    if method == SharingMethod.HEADCOUNT:
        return {agency.pk: agency.headcount for agency in agencies}
    if method == SharingMethod.USAGE:
        return {agency.pk: usage_amounts.get(agency.pk, Decimal(0)) for agency in agencies}
    return {agency.pk: 1 for agency in agencies}


@dataclass
class UsageLine:
    service_id: int
    unit_price: Decimal
    quantity: Decimal
    usage_from: date
    usage_to: date

    @property
    def amount(self) -> Decimal:
        return money(self.quantity * self.unit_price)


@dataclass
class CreditDue:
    entry_id: int
    reference: str
    service_id: int
    price: Decimal
    percent: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.price * self.percent / 100)


def billed_agencies() -> QuerySet[Agency]:
    """Who shares the fixed costs and gets invoices: active member and partner agencies."""
    return Agency.objects.active().filter(kind__in=[AgencyKind.MEMBER, AgencyKind.PARTNER]).order_by("code")


def _unpriced(service_id: int, day: date) -> ApplicationError:
    from service_levels.models import Service

    service = Service.objects.filter(pk=service_id).first()
    return ApplicationError(
        gettext("No price is in force for %(service)s on %(day)s: add a price-list version first.")
        % {"service": service.code if service else service_id, "day": date_format(day, "DATE_FORMAT")},
        code="billing.no_price",
        status_code=409,
    )


def month_usage(*, month: date, prices: PriceTable) -> dict[int, list[UsageLine]]:
    """Per agency: usage of the month priced at the price in force on each day of delivery, one line per price."""
    table = UsageEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT agency_id, service_id, completed_on, SUM(quantity) FROM {table} WHERE month = %s "
            f"GROUP BY agency_id, service_id, completed_on ORDER BY agency_id, service_id, completed_on",
            [month],
        )
        rows = cursor.fetchall()
    lines: dict[int, dict[tuple[int, int], UsageLine]] = defaultdict(dict)
    for agency_id, service_id, day, quantity in rows:
        item = prices.in_force(service_id=service_id, on=day)
        if item is None:
            raise _unpriced(service_id, day)
        line = lines[agency_id].get((service_id, item.pk))
        if line is None:
            lines[agency_id][(service_id, item.pk)] = UsageLine(service_id, item.unit_price, quantity, day, day)
        else:
            line.quantity += quantity
            line.usage_to = day
    return {agency_id: list(by_price.values()) for agency_id, by_price in lines.items()}


def month_credits_due(*, agency_id: int, month: date, prices: PriceTable) -> list[CreditDue]:
    """Requests of the month breached while the facility held them, under an agreement granting credits.

    A breach held by the requester or a supplier is not the facility's failing
    and earns no credit (the ledger records who held each clock).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT u.entry_id, e.reference, u.service_id, u.completed_on, SUM(u.quantity), a.credit_percent
            FROM {UsageEvent._meta.db_table} u
            JOIN ledger_ledgerentry e ON e.id = u.entry_id
            JOIN service_levels_agreement a ON a.id = e.agreement_id
            WHERE u.month = %s AND u.agency_id = %s AND a.grants_service_credits
              AND EXISTS (SELECT 1 FROM ledger_slabreach b WHERE b.entry_id = u.entry_id AND b.held_by = 'facility')
            GROUP BY u.entry_id, e.reference, u.service_id, u.completed_on, a.credit_percent
            ORDER BY e.reference
            """,
            [month, agency_id],
        )
        rows = cursor.fetchall()
    dues = []
    for entry_id, reference, service_id, day, quantity, percent in rows:
        item = prices.in_force(service_id=service_id, on=day)
        if item is None:
            raise _unpriced(service_id, day)
        dues.append(CreditDue(entry_id, reference, service_id, money(quantity * item.unit_price), percent))
    return dues


def credit_cap_percent(*, agency: Agency, month: date) -> Decimal | None:
    """The cap of the agreement in force at the end of the month (None: no agreement grants credits then)."""
    from service_levels.selectors import agreement_in_force

    agreement = agreement_in_force(agency=agency, on=month_end(month))
    if agreement is None or not agreement.grants_service_credits:
        return None
    return agreement.credit_cap_percent


# -- invoices and credit notes in the caller's scope ----------------------------------


def invoice_list(
    *, scope: Agency | None, month: date | None = None, status: str = "", agency_code: str = ""
) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("agency", "credit_note")
    if scope is not None:
        invoices = invoices.filter(agency=scope).exclude(status=InvoiceStatus.DRAFT)
    elif agency_code:
        invoices = invoices.filter(agency__code=agency_code)
    if month is not None:
        invoices = invoices.filter(month=month)
    if status:
        invoices = invoices.filter(status=status)
    return invoices.order_by("-month", "agency__code", "-id")


def invoice_get(*, pk: int, scope: Agency | None) -> Invoice | None:
    """An invoice the caller may see, or None (another agency's, or a draft seen from an agency: not found)."""
    return invoice_list(scope=scope).filter(pk=pk).first()


def invoice_lines(*, invoice: Invoice) -> QuerySet[InvoiceLine]:
    return invoice.lines.select_related("service", "entry").order_by("position")


def usage_behind(*, line: InvoiceLine) -> QuerySet[UsageEvent]:
    """The usage a usage line prices: its agency, service and month, on the days its price was in force."""
    invoice = line.invoice
    if line.service_id is None or line.usage_from is None or line.usage_to is None:
        return UsageEvent.objects.none()
    return (
        UsageEvent.objects.filter(
            agency_id=invoice.agency_id,
            month=invoice.month,
            service_id=line.service_id,
            completed_on__gte=line.usage_from,
            completed_on__lte=line.usage_to,
        )
        .select_related("entry")
        .order_by("completed_on", "entry__reference", "unit_number")
    )


def credit_note_list(*, scope: Agency | None) -> QuerySet[CreditNote]:
    notes = CreditNote.objects.select_related("agency", "invoice")
    if scope is not None:
        notes = notes.filter(agency=scope)
    return notes.order_by("-issued_at", "-id")


def credit_note_get(*, pk: int, scope: Agency | None) -> CreditNote | None:
    return credit_note_list(scope=scope).filter(pk=pk).first()


def run_list() -> QuerySet[BillingRun]:
    return BillingRun.objects.select_related("started_by")


def run_get(*, pk: int) -> BillingRun | None:
    return run_list().filter(pk=pk).first()


def drafts_of(*, month: date) -> QuerySet[Invoice]:
    return invoice_list(scope=None, month=month, status=InvoiceStatus.DRAFT)


def run_progress(*, run: BillingRun) -> dict[str, object]:
    """What the run page polls: how far the worker is, and whether it is finished."""
    return {
        "id": run.pk,
        "month": f"{run.month:%Y-%m}",
        "status": run.status,
        "status_label": run.get_status_display(),
        "percent": run.percent,
        "agencies_done": run.agencies_done,
        "agencies_total": run.agencies_total,
        "drafts_made": run.drafts_made,
        "skipped_issued": run.skipped_issued,
        "message": run.message,
        "finished": run.status in ("done", "failed"),
    }


CSV_HEADER = [
    "invoice",
    "agency",
    "month",
    "line",
    "kind",
    "service",
    "request",
    "delivered_on",
    "quantity",
    "unit_price_usd",
    "amount_usd",
]


def invoice_csv_rows(*, invoice: Invoice) -> list[list[object]]:
    """The invoice for a spreadsheet: each usage event behind each line, then shares and credits, then the total."""
    label = invoice.number or "draft"
    head = [label, invoice.agency.code, f"{invoice.month:%Y-%m}"]
    rows: list[list[object]] = [list(CSV_HEADER)]
    for line in invoice_lines(invoice=invoice):
        service = line.service.code if line.service else ""
        if line.kind == "usage":
            for event in usage_behind(line=line):
                amount = money(event.quantity * line.unit_price)
                rows.append(
                    [*head, line.position, line.kind, service, event.entry.reference, event.completed_on,
                     event.quantity, line.unit_price, amount]
                )  # fmt: skip
        else:
            reference = line.entry.reference if line.entry else ""
            rows.append([*head, line.position, line.kind, service, reference, "", line.quantity, "", line.amount])
    rows.append([*head, "", "total", "", "", "", "", "", invoice.total])
    return rows
