"""Writes for billing. Pages, the API, the admin, tasks and the demo all call these; nothing else changes billing.

The rules (PRODUCT.md, "Cost-recovery billing"; issue 5):

- Prices are effective-dated and cite the board decision that approved them;
  a new version applies from its date and never reaches an issued month.
- Usage is one event per billable unit of a delivered request, recorded once
  (unique in the database), priced at the price in force on the day of delivery.
- The facility's fixed costs of a month are shared among the active member and
  partner agencies by the key in force (equal shares by default), to the cent.
- Service credits: per request breached while the facility held it, under an
  agreement that grants credits, credit_percent of its price; the month's
  credits are capped at credit_cap_percent of the invoice before credits.
- The monthly run drafts one invoice per agency and month; a re-run redrafts
  drafts and leaves issued invoices alone. Invoices go draft -> issued ->
  paid, or to cancelled by a credit note (TRANSITIONS). Numbers are gapless
  per series and year, taken from a locked counter row when issuing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, ngettext
from django_tenants.utils import tenant_context

from accounts.models import User
from governance.models import Outcome, RegisterEntry
from governance.selectors import register_entry_get
from ledger.models import LedgerEntry
from service_levels.models import Service
from shared_platform.errors import ApplicationError
from shared_platform.language import in_language_of
from shared_platform.queue import enqueue_after_commit
from shared_platform.templatetags.platform import money as money_text
from tenants.models import Agency

from . import selectors
from .models import (
    LOCAL_CURRENCIES,
    AgencyBillingProfile,
    BillingRun,
    BillingSettings,
    CostSharingKey,
    CreditNote,
    Currency,
    ExchangeRate,
    FixedCost,
    Invoice,
    InvoiceEvent,
    InvoiceEventKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    NumberCounter,
    PriceListItem,
    PriceListVersion,
    RunStatus,
    SharingMethod,
    UsageEvent,
)
from .selectors import PriceTable, UsageLine, current_month, money, month_start
from .sharing import amount_split

logger = logging.getLogger(__name__)

INVOICE_SERIES = "JOF"
CREDIT_NOTE_SERIES = "JOF-CN"
MAX_AMOUNT = Decimal("999999999999.99")

# Allowed moves of an invoice. The database trigger (migration 0002) refuses any other change of an issued one.
TRANSITIONS: dict[str, frozenset[str]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.ISSUED}),
    InvoiceStatus.ISSUED: frozenset({InvoiceStatus.PAID, InvoiceStatus.CANCELLED}),
    InvoiceStatus.PAID: frozenset({InvoiceStatus.CANCELLED}),
    InvoiceStatus.CANCELLED: frozenset(),
}


# -- input checks shared by pages and the API ---------------------------------------


def decimal_check(value: Any, *, field: str, places: int, positive: bool = False, allow_zero: bool = True) -> Decimal:
    """A money figure as Decimal with at most `places` decimals, not negative; anything else is a clear 400."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite():
        _number_refuse(field, gettext("Not a number."), code="billing.invalid_number")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        message = ngettext("At most %(places)d decimal place.", "At most %(places)d decimal places.", places) % {
            "places": places
        }
        _number_refuse(field, message, code="billing.too_many_decimals")
    if number < 0 or (positive and number == 0) or (not allow_zero and number == 0):
        message = gettext("Must be more than zero.") if positive else gettext("Cannot be negative.")
        _number_refuse(field, message, code="billing.negative_amount")
    if number > MAX_AMOUNT:
        _number_refuse(field, gettext("Too large."), code="billing.invalid_number")
    return number


def _number_refuse(field: str, message: str, *, code: str) -> NoReturn:
    """A figure refused: the message names the field (the API's and a page's top line) and sits on it."""
    raise ApplicationError(
        gettext("%(field)s: %(problem)s") % {"field": field, "problem": message}, code=code, fields={field: [message]}
    )


def month_check(month: date, *, field: str = "month") -> date:
    """A month to bill or enter costs for: the first of a month, never in the future."""
    month = month_start(month)
    if month > current_month():
        message = gettext("%(month)s has not begun; only past months and the current one can be billed.") % {
            "month": _month_name(month)
        }
        raise ApplicationError(message, code="billing.month_in_future", fields={field: [message]})
    return month


def currency_check(currency: str, *, field: str = "currency") -> str:
    if currency not in LOCAL_CURRENCIES:
        known = ", ".join(sorted(LOCAL_CURRENCIES))
        message = gettext("Unknown currency %(currency)s: amounts are in USD and can be shown in %(known)s.") % {
            "currency": repr(currency),
            "known": known,
        }
        raise ApplicationError(message, code="billing.unknown_currency", fields={field: [message]})
    return currency


def decision_check(decision: RegisterEntry | int | None, *, field: str = "decision") -> RegisterEntry:
    """The adopted board decision a price list or sharing key cites (its number in the register)."""
    if decision is None:
        message = gettext("Cite the board decision that approved this: its number in the decision register.")
        raise ApplicationError(message, code="billing.decision_required", fields={field: [message]})
    entry = register_entry_get(number=decision) if isinstance(decision, int) else decision
    if entry is None:
        message = gettext(
            "There is no decision number %(number)s in the register; "
            "check the number of the decision that approved this."
        ) % {"number": decision}
        raise ApplicationError(message, code="billing.decision_not_found", fields={field: [message]})
    if entry.motion.outcome != Outcome.ADOPTED:
        message = gettext("Decision %(number)s was not adopted; cite an adopted decision.") % {"number": entry.number}
        raise ApplicationError(message, code="billing.decision_not_adopted", fields={field: [message]})
    return entry


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _month_name(month: date) -> str:
    """A month as the reader's language writes it: "October 2026", "octobre 2026", "outubro de 2026"."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def _day_name(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _locked_history_check(day: date, *, field: str, what: str) -> None:
    if selectors.months_issued_from(day=day):
        message = gettext("Invoices from %(month)s on are already issued; %(what)s can only start after them.") % {
            "month": _month_name(day),
            "what": what,
        }
        raise ApplicationError(message, code="billing.period_issued", status_code=409, fields={field: [message]})


# -- price list, fixed costs, sharing keys, rates -------------------------------------


@transaction.atomic
def price_list_version_create(
    *,
    effective_from: date,
    decision: RegisterEntry | int | None,
    prices: Mapping[Service, Any],
    created_by: User,
    notes: str = "",
    now: datetime | None = None,
) -> PriceListVersion:
    """A new price list from a date, approved by a board decision.

    It applies from its date on and never reaches a month already issued, so
    an issued invoice keeps the prices it was issued with.
    """
    entry = decision_check(decision)
    if not prices:
        raise ApplicationError(
            gettext("A price list needs at least one price."),
            code="billing.no_prices",
            fields={"prices": [gettext("Add a price.")]},
        )
    checked = {service: decimal_check(price, field=service.code, places=4) for service, price in prices.items()}
    if PriceListVersion.objects.filter(effective_from=effective_from).exists():
        message = gettext("A price list already starts on %(day)s; choose another date.") % {
            "day": _day_name(effective_from)
        }
        raise ApplicationError(message, code="billing.version_exists", fields={"effective_from": [message]})
    _locked_history_check(effective_from, field="effective_from", what=gettext("a new price list"))
    version = PriceListVersion.objects.create(
        effective_from=effective_from, decision=entry, notes=notes, created_by=created_by, created_at=_now(now)
    )
    PriceListItem.objects.bulk_create(
        PriceListItem(version=version, service=service, billing_unit=service.billing_unit, unit_price=price)
        for service, price in checked.items()
    )
    return version


@transaction.atomic
def fixed_cost_add(*, month: date, description: str, amount: Any, entered_by: User) -> FixedCost:
    """One of the month's fixed costs (facility manager, premises, platform), to share among agencies."""
    month = month_check(month)
    amount = decimal_check(amount, field="amount", places=2, positive=True)
    if not description.strip():
        raise ApplicationError(
            gettext("Say what the cost is."),
            code="billing.description_required",
            fields={"description": [gettext("Required.")]},
        )
    _issued_month_check(month)
    return FixedCost.objects.create(
        month=month, description=description.strip(), amount=amount, entered_by=entered_by, entered_at=timezone.now()
    )


def _issued_month_check(month: date) -> None:
    if selectors.month_issued(month=month):
        message = gettext("Invoices for %(month)s are issued: its costs are history. Correct with a credit note.") % {
            "month": _month_name(month)
        }
        raise ApplicationError(message, code="billing.month_issued", status_code=409, fields={"month": [message]})


@transaction.atomic
def fixed_cost_remove(*, cost: FixedCost, removed_by: User) -> None:
    """A cost entered by mistake, removed while its month has no issued invoice."""
    _issued_month_check(cost.month)
    cost.delete()


@transaction.atomic
def sharing_key_create(
    *,
    effective_from: date,
    method: str,
    decision: RegisterEntry | int | None,
    created_by: User,
    now: datetime | None = None,
) -> CostSharingKey:
    """How fixed costs are shared from a month on (equal, headcount, usage share), approved by the board."""
    if method not in SharingMethod.values:
        message = gettext("Unknown sharing key %(method)s: one of %(known)s.") % {
            "method": repr(method),
            "known": ", ".join(SharingMethod.values),
        }
        raise ApplicationError(message, code="billing.unknown_method", fields={"method": [message]})
    entry = decision_check(decision)
    effective_from = month_start(effective_from)
    if CostSharingKey.objects.filter(effective_from=effective_from).exists():
        message = gettext("A sharing key already starts in %(month)s.") % {"month": _month_name(effective_from)}
        raise ApplicationError(message, code="billing.key_exists", fields={"effective_from": [message]})
    _locked_history_check(effective_from, field="effective_from", what=gettext("a new sharing key"))
    return CostSharingKey.objects.create(
        effective_from=effective_from, method=method, decision=entry, created_by=created_by, created_at=_now(now)
    )


@transaction.atomic
def exchange_rate_set(*, month: date, currency: str, rate: Any, entered_by: User) -> ExchangeRate:
    """The UN operational rate of exchange for a month (units per US dollar), until the month is issued."""
    month = month_check(month)
    currency = currency_check(currency)
    rate = decimal_check(rate, field="rate", places=6, positive=True)
    _issued_month_check(month)
    exchange_rate, _ = ExchangeRate.objects.update_or_create(
        month=month,
        currency=currency,
        defaults={"rate": rate, "entered_by": entered_by, "entered_at": timezone.now()},
    )
    return exchange_rate


# -- usage from the ledger ------------------------------------------------------------


def _usage_insert(condition: str, params: list[Any]) -> int:
    """Usage events for the ledger entries matching `condition`: one per unit, the last may be a fraction.

    One INSERT ... SELECT: the day and month of delivery are taken in the
    facility's time zone, and ON CONFLICT DO NOTHING on the unique (entry, unit
    number) leaves units already recorded alone. Returns how many were new.
    """
    zone = str(timezone.get_current_timezone())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {UsageEvent._meta.db_table}
                (entry_id, unit_number, agency_id, service_id, quantity, completed_on, month, recorded_at)
            SELECT e.id, n, e.agency_id, e.service_id, LEAST(1, e.billable_units - (n - 1)),
                   (COALESCE(e.completed_at, e.billable_recorded_at) AT TIME ZONE %s)::date,
                   date_trunc('month', COALESCE(e.completed_at, e.billable_recorded_at) AT TIME ZONE %s)::date,
                   now()
            FROM {LedgerEntry._meta.db_table} e
            CROSS JOIN LATERAL generate_series(1, ceil(e.billable_units)::int) AS n
            WHERE e.billable_recorded_at IS NOT NULL AND e.billable_units > 0 AND {condition}
            ON CONFLICT (entry_id, unit_number) DO NOTHING
            """,
            [zone, zone, *params],
        )
        return cursor.rowcount


def usage_record(*, entry: LedgerEntry) -> int:
    """The billable units of a delivered request as usage events, priced later at the price of its day.

    Called by ledger.services.entry_billable_record, whatever module the
    request came from. Idempotent: the same units recorded twice (or by two
    callers at once) are billed once. Returns how many events were new.
    """
    return _usage_insert("e.id = %s", [entry.pk])


def usage_sweep(*, month: date) -> int:
    """Catch up before a run: usage for the month's delivered requests whose units are recorded but not yet usage."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(month, time.min, tzinfo=zone)
    end = datetime.combine(selectors.month_end(month) + timedelta(days=1), time.min, tzinfo=zone)
    return _usage_insert(
        "COALESCE(e.completed_at, e.billable_recorded_at) >= %s"
        " AND COALESCE(e.completed_at, e.billable_recorded_at) < %s"
        f" AND NOT EXISTS (SELECT 1 FROM {UsageEvent._meta.db_table} u WHERE u.entry_id = e.id)",
        [start, end],
    )


# -- the monthly run ---------------------------------------------------------------------


@transaction.atomic
def run_start(*, month: date, started_by: User, now: datetime | None = None) -> BillingRun:
    """Facility finance starts the run of a month; the worker drafts the invoices (billing.tasks.run_execute_task)."""
    from .tasks import run_execute_task

    month = month_check(month)
    run = BillingRun.objects.create(month=month, started_by=started_by, created_at=_now(now))
    enqueue_after_commit(run_execute_task, run.pk)
    return run


@dataclass
class MonthFigures:
    """What the run needs for every agency of a month, computed once before the agencies are drafted."""

    month: date
    usage: dict[int, list[UsageLine]]
    shares: dict[int, Decimal]
    method: str
    key: CostSharingKey | None
    prices: PriceTable
    fixed_total: Decimal


def month_figures(*, month: date) -> MonthFigures:
    prices = selectors.price_table()
    usage = selectors.month_usage(month=month, prices=prices)
    agencies = list(selectors.billed_agencies())
    key = selectors.sharing_key_in_force(month=month)
    method = key.method if key else SharingMethod.EQUAL
    fixed_total = sum((cost.amount for cost in selectors.fixed_costs(month=month)), Decimal("0"))
    usage_amounts = {agency_id: sum((line.amount for line in lines), Decimal(0)) for agency_id, lines in usage.items()}
    weights = selectors.sharing_weights(method=method, agencies=agencies, usage_amounts=usage_amounts)
    shares = amount_split(amount=fixed_total, weights=weights) if fixed_total else {}
    return MonthFigures(month, usage, shares, method, key, prices, fixed_total)


def run_execute(*, run_id: int) -> BillingRun:
    """Draft every agency's invoice of the month, one agency per transaction, counting progress on the run row.

    Safe to run twice, and two runs of a month at once: each agency's invoice is
    drafted under a lock on (agency, month), and the database allows one live
    invoice per agency and month.
    """
    run = BillingRun.objects.get(pk=run_id)
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        return run
    agencies = list(selectors.billed_agencies())
    BillingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), agencies_total=len(agencies), agencies_done=0
    )
    try:
        usage_sweep(month=run.month)
        figures = month_figures(month=run.month)
        for agency in agencies:
            outcome = invoice_draft_build(agency=agency, figures=figures, run=run)
            BillingRun.objects.filter(pk=run.pk).update(
                agencies_done=F("agencies_done") + 1,
                drafts_made=F("drafts_made") + (1 if outcome == "drafted" else 0),
                skipped_issued=F("skipped_issued") + (1 if outcome == "issued" else 0),
            )
    except ApplicationError as error:
        BillingRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, message=error.message, finished_at=timezone.now()
        )
    else:
        BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def _percent(value: Decimal) -> str:
    """10.00 -> "10", 2.50 -> "2.5" ("2,5" in French): as a finance officer writes a percentage."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return number_format(Decimal(text), use_l10n=True)


def _lock_agency_month(agency: Agency, month: date) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"billing:{agency.pk}:{month}"])


def _event(invoice: Invoice, kind: str, actor: User | None, detail: str = "", at: datetime | None = None) -> None:
    InvoiceEvent.objects.create(invoice=invoice, kind=kind, at=_now(at), actor=actor, detail=detail)


def _local_amount(month: date, total: Decimal) -> dict[str, Any]:
    rate = selectors.exchange_rate_for(month=month, currency=Currency.BRL)
    if rate is None:
        return {"local_currency": "", "exchange_rate": None, "local_total": None}
    return {"local_currency": rate.currency, "exchange_rate": rate.rate, "local_total": money(total * rate.rate)}


@transaction.atomic
def invoice_draft_build(*, agency: Agency, figures: MonthFigures, run: BillingRun | None = None) -> str:
    """Draft (or redraft) one agency's invoice for the month. Returns "drafted", "issued" (left alone) or "empty"."""
    month = figures.month
    _lock_agency_month(agency, month)
    existing = (
        Invoice.objects.select_for_update()
        .filter(agency=agency, month=month)
        .exclude(status=InvoiceStatus.CANCELLED)
        .first()
    )
    if existing is not None and existing.status != InvoiceStatus.DRAFT:
        return "issued"
    with in_language_of(agency):  # the lines are the agency's invoice: written in its language
        lines = _draft_lines(agency=agency, figures=figures)
    usage_total = sum((line.amount for line in lines if line.kind == LineKind.USAGE), Decimal("0"))
    share = figures.shares.get(agency.pk, Decimal("0"))
    before_credits = usage_total + share
    credits_total = sum(
        (line.amount for line in lines if line.kind in (LineKind.SERVICE_CREDIT, LineKind.CREDIT_CAP)), Decimal("0")
    )
    if not lines:
        if existing is not None:
            existing.delete()
        return "empty"
    total = before_credits + credits_total
    fields = {
        "usage_total": usage_total,
        "cost_share_total": share,
        "credits_total": credits_total,
        "total": total,
        "sharing_method": figures.method if share else "",
        "sharing_key": figures.key if share else None,
        "run": run,
        **_local_amount(month, total),
    }
    if existing is None:
        invoice = Invoice.objects.create(agency=agency, month=month, created_at=timezone.now(), **fields)
        detail = "Drafted"
    else:
        invoice = existing
        invoice.lines.all().delete()
        for name, value in fields.items():
            setattr(invoice, name, value)
        invoice.save(update_fields=list(fields))
        detail = "Redrafted"
    for position, line in enumerate(lines, start=1):
        line.invoice, line.position = invoice, position
    InvoiceLine.objects.bulk_create(lines)
    started_by = run.started_by if run else None
    _event(invoice, InvoiceEventKind.DRAFTED, started_by, f"{detail} by run {run.pk}" if run else detail)
    return "drafted"


def _usd(amount: Decimal) -> str:
    """USD and the amount, grouped as the language being written writes it."""
    return f"USD {money_text(amount)}"


def _draft_lines(*, agency: Agency, figures: MonthFigures) -> list[InvoiceLine]:
    """An agency's lines for the month: usage by service and price, its share of fixed costs, service credits.

    Descriptions are written in the active language (the agency's: invoice_draft_build sets it)."""
    month = figures.month
    services = {service.pk: service for service in Service.objects.all()}
    lines: list[InvoiceLine] = []
    for usage in sorted(figures.usage.get(agency.pk, []), key=lambda u: (services[u.service_id].code, u.usage_from)):
        service = services[usage.service_id]
        lines.append(
            InvoiceLine(
                kind=LineKind.USAGE,
                service=service,
                description=f"{service.code} {service.name} ({service.get_billing_unit_display().lower()})",
                quantity=usage.quantity,
                unit_price=usage.unit_price,
                amount=usage.amount,
                usage_from=usage.usage_from,
                usage_to=usage.usage_to,
            )
        )
    usage_total = sum((line.amount for line in lines), Decimal("0"))
    share = figures.shares.get(agency.pk, Decimal("0"))
    if share:
        method_label = str(SharingMethod(figures.method).label)
        lines.append(
            InvoiceLine(
                kind=LineKind.COST_SHARE,
                description=gettext("Share of the facility's fixed costs of %(month)s (%(total)s), %(method)s")
                % {"month": _month_name(month), "total": _usd(figures.fixed_total), "method": method_label.lower()},
                unit_price=share,
                amount=share,
            )
        )
    before_credits = usage_total + share
    credits_total = Decimal("0")
    dues = selectors.month_credits_due(agency_id=agency.pk, month=month, prices=figures.prices)
    for due in dues:
        service = services[due.service_id]
        lines.append(
            InvoiceLine(
                kind=LineKind.SERVICE_CREDIT,
                service=service,
                entry_id=due.entry_id,
                description=gettext(
                    "SLA service credit: %(request)s (%(service)s) breached, %(percent)s%% of %(price)s"
                )
                % {
                    "request": due.reference,
                    "service": service.code,
                    "percent": _percent(due.percent),
                    "price": _usd(due.price),
                },
                unit_price=-due.amount,
                amount=-due.amount,
            )
        )
        credits_total -= due.amount
    cap_percent = selectors.credit_cap_percent(agency=agency, month=month)
    if dues:
        cap = money(before_credits * (cap_percent or Decimal("0")) / 100)
        if -credits_total > cap:
            excess = -credits_total - cap
            lines.append(
                InvoiceLine(
                    kind=LineKind.CREDIT_CAP,
                    description=gettext("Service credits above the monthly cap of %(percent)s%% of %(amount)s")
                    % {"percent": _percent(cap_percent or Decimal(0)), "amount": _usd(before_credits)},
                    unit_price=excess,
                    amount=excess,
                )
            )
    return lines


# -- numbering, issuing, payments, credit notes ----------------------------------------


def number_next(*, series: str, year: int) -> str:
    """The next number of a series and year, e.g. JOF-2026-000123. Gapless: call inside the issuing transaction.

    The counter row is locked (SELECT ... FOR UPDATE) until the transaction
    ends, so concurrent issuers queue; a rolled-back issue gives its number
    back. Never max()+1, which two transactions would read alike.
    """
    NumberCounter.objects.bulk_create([NumberCounter(series=series, year=year)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{series}-{year}-{counter.last_number:06d}"


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update(of=("self",)).select_related("agency").get(pk=invoice.pk)


# Why each move the transition table refuses is refused, in words a finance officer uses.
_REFUSED_MOVES: dict[tuple[str, str], Promise] = {
    (InvoiceStatus.DRAFT, InvoiceStatus.PAID): gettext_lazy(
        "This draft has not been issued yet; issue it before recording a payment."
    ),
    (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED): gettext_lazy(
        "This draft has not been issued, so there is nothing to credit; a new run of the month redrafts it."
    ),
    (InvoiceStatus.ISSUED, InvoiceStatus.ISSUED): gettext_lazy("%(invoice)s has already been issued."),
    (InvoiceStatus.PAID, InvoiceStatus.ISSUED): gettext_lazy("%(invoice)s has already been issued and paid."),
    (InvoiceStatus.PAID, InvoiceStatus.PAID): gettext_lazy("A payment of %(invoice)s has already been recorded."),
    (InvoiceStatus.CANCELLED, InvoiceStatus.ISSUED): gettext_lazy(
        "%(invoice)s was cancelled by a credit note and cannot be issued again; "
        "a new run of the month drafts the corrected invoice."
    ),
    (InvoiceStatus.CANCELLED, InvoiceStatus.PAID): gettext_lazy(
        "%(invoice)s was cancelled by a credit note, so no payment can be recorded against it."
    ),
    (InvoiceStatus.CANCELLED, InvoiceStatus.CANCELLED): gettext_lazy(
        "%(invoice)s has already been cancelled by a credit note."
    ),
}


def _guard(invoice: Invoice, to: str) -> None:
    """Refuse a move TRANSITIONS does not allow, saying why in a sentence about this invoice."""
    if to not in TRANSITIONS[invoice.status]:
        template = _REFUSED_MOVES.get((invoice.status, to), gettext_lazy("%(invoice)s cannot change that way."))
        raise ApplicationError(
            str(template) % {"invoice": invoice.number or gettext("This draft")},
            code="billing.illegal_transition",
            status_code=409,
        )


@transaction.atomic
def invoice_issue(*, invoice: Invoice, issued_by: User, now: datetime | None = None) -> Invoice:
    """Issue a reviewed draft: it gets the next number of its year and never changes again (database trigger).

    The month's rate of exchange is stamped on it as it stands now. The PDF is
    rendered by the worker after the commit and stored in the agency's storage.
    """
    from .tasks import invoice_pdf_task

    now = _now(now)
    invoice = _locked(invoice)
    _guard(invoice, InvoiceStatus.ISSUED)
    invoice.number = number_next(series=INVOICE_SERIES, year=timezone.localtime(now).year)
    invoice.status, invoice.issued_at, invoice.issued_by = InvoiceStatus.ISSUED, now, issued_by
    stamped = {**_local_amount(invoice.month, invoice.total), **_terms_and_addressee(invoice.agency, now)}
    for name, value in stamped.items():
        setattr(invoice, name, value)
    invoice.save(update_fields=["number", "status", "issued_at", "issued_by", *stamped])
    _event(invoice, InvoiceEventKind.ISSUED, issued_by, invoice.number, now)
    enqueue_after_commit(invoice_pdf_task, invoice.pk)
    return invoice


def _terms_and_addressee(agency: Agency, now: datetime) -> dict[str, Any]:
    """What an issued invoice keeps of today's settings: payment terms, due date, the agency's address and reference."""
    terms = selectors.billing_settings().payment_terms_days
    profile = selectors.agency_billing_profile(agency=agency)
    return {
        "payment_terms_days": terms,
        "due_on": timezone.localdate(now) + timedelta(days=terms),
        "billed_to": profile.billing_address if profile else "",
        "agency_reference": profile.reference if profile else "",
    }


@transaction.atomic
def invoices_issue(*, month: date, issued_by: User) -> list[Invoice]:
    """Issue every draft of a month, by agency code (numbers follow that order)."""
    drafts = list(selectors.drafts_of(month=month).order_by("agency__code"))
    return [invoice_issue(invoice=draft, issued_by=issued_by) for draft in drafts]


@transaction.atomic
def invoice_pay(
    *, invoice: Invoice, paid_by: User, reference: str, paid_on: date, now: datetime | None = None
) -> Invoice:
    """Record the agency's payment of an issued invoice: its transfer reference and the day it was paid.

    A payment without a reference cannot be matched with the bank statement, so
    both are required; the day is neither in the future nor before the invoice
    was issued. `paid_at` holds the start of that day in the facility's time zone.
    """
    now = _now(now)
    invoice = _locked(invoice)
    _guard(invoice, InvoiceStatus.PAID)
    reference = reference.strip()
    if not reference:
        message = gettext("Give the payment's reference (the agency's transfer reference).")
        raise ApplicationError(
            message, code="billing.payment_reference_required", fields={"reference": [gettext("Required.")]}
        )
    if paid_on > timezone.localdate(now):
        message = gettext("A payment cannot be recorded in the future.")
        raise ApplicationError(message, code="billing.paid_in_future", fields={"paid_on": [message]})
    if invoice.issued_at is not None and paid_on < timezone.localdate(invoice.issued_at):
        message = gettext("%(number)s was issued on %(issued)s; it cannot have been paid before that.") % {
            "number": invoice.number,
            "issued": _day_name(timezone.localdate(invoice.issued_at)),
        }
        raise ApplicationError(message, code="billing.paid_before_issue", fields={"paid_on": [message]})
    paid_at = timezone.make_aware(datetime.combine(paid_on, time.min))
    invoice.status, invoice.paid_at, invoice.paid_by = InvoiceStatus.PAID, paid_at, paid_by
    invoice.payment_reference = reference[:100]
    invoice.save(update_fields=["status", "paid_at", "paid_by", "payment_reference"])
    _event(invoice, InvoiceEventKind.PAID, paid_by, invoice.payment_reference)
    return invoice


@transaction.atomic
def credit_note_issue(*, invoice: Invoice, reason: str, issued_by: User, now: datetime | None = None) -> CreditNote:
    """Cancel an issued (or paid) invoice by a credit note for its whole amount, numbered in its own series.

    The invoice itself never changes except its status; a corrected bill for
    the month comes from a new run (the cancelled invoice no longer counts).
    """
    from .tasks import credit_note_pdf_task

    now = _now(now)
    if not reason.strip():
        raise ApplicationError(
            gettext("Say why the invoice is credited."),
            code="billing.reason_required",
            fields={"reason": [gettext("Required.")]},
        )
    invoice = _locked(invoice)
    _guard(invoice, InvoiceStatus.CANCELLED)
    note = CreditNote.objects.create(
        number=number_next(series=CREDIT_NOTE_SERIES, year=timezone.localtime(now).year),
        invoice=invoice,
        agency=invoice.agency,
        amount=invoice.total,
        currency=invoice.currency,
        local_currency=invoice.local_currency,
        exchange_rate=invoice.exchange_rate,
        local_amount=invoice.local_total,
        reason=reason.strip()[:300],
        issued_at=now,
        issued_by=issued_by,
    )
    invoice.status, invoice.cancelled_at = InvoiceStatus.CANCELLED, now
    invoice.save(update_fields=["status", "cancelled_at"])
    _event(invoice, InvoiceEventKind.CANCELLED, issued_by, f"{note.number}: {note.reason}", now)
    enqueue_after_commit(credit_note_pdf_task, note.pk)
    return note


# -- PDFs in the agency's storage ------------------------------------------------------------


def _store(agency: Agency, name: str, content: bytes) -> str:
    """Save in the agency's own storage (MEDIA_ROOT/<schema>/...), replacing a half-written earlier try."""
    with tenant_context(agency):
        if default_storage.exists(name):
            default_storage.delete(name)
        return default_storage.save(name, ContentFile(content))


def document_read(*, agency: Agency, name: str, render: Callable[[], bytes] | None = None) -> bytes:
    """A stored document's bytes. One missing from storage (a restore that left out media, a moved
    MEDIA_ROOT) is rendered again from its unchangeable record and stored under its name, with a warning
    for the administrator, instead of failing the finance officer who asked for it."""
    with tenant_context(agency):
        try:
            with default_storage.open(name, "rb") as handle:
                return handle.read()  # type: ignore[no-any-return]
        except FileNotFoundError:
            if render is None:
                raise
            logger.warning("billing: %s of %s was missing from storage; rendered and stored again", name, agency.code)
            content = render()
            default_storage.save(name, ContentFile(content))
            return content


@transaction.atomic
def invoice_pdf_store(*, invoice_id: int) -> Invoice:
    """Render an issued invoice's PDF and keep it in the agency's storage. Safe to run twice: once stored, kept."""
    from .pdf import invoice_pdf

    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("agency").get(pk=invoice_id)
    if invoice.status == InvoiceStatus.DRAFT or invoice.pdf_file:
        return invoice
    name = _store(invoice.agency, f"billing/invoices/{invoice.number}.pdf", invoice_pdf(invoice=invoice))
    Invoice.objects.filter(pk=invoice.pk).update(pdf_file=name)
    _event(invoice, InvoiceEventKind.PDF_STORED, None)  # never the storage path: the agency reads this history
    invoice.pdf_file = name
    return invoice


@transaction.atomic
def credit_note_pdf_store(*, credit_note_id: int) -> CreditNote:
    from .pdf import credit_note_pdf

    note = CreditNote.objects.select_for_update(of=("self",)).select_related("agency", "invoice").get(pk=credit_note_id)
    if note.pdf_file:
        return note
    name = _store(note.agency, f"billing/credit-notes/{note.number}.pdf", credit_note_pdf(credit_note=note))
    CreditNote.objects.filter(pk=note.pk).update(pdf_file=name)
    note.pdf_file = name
    return note


# -- the facility's billing settings and each agency's billing profile --------------------------------

SETTINGS_REQUIRED = ("legal_name", "postal_address", "bank_name", "account_name", "account_number")
SETTINGS_LIMITS = {
    "legal_name": 200,
    "postal_address": 500,
    "email": 254,
    "bank_name": 200,
    "bank_address": 300,
    "account_name": 200,
    "account_number": 50,
    "swift_code": 11,
    "routing_number": 20,
}


def _text_fields_check(values: Mapping[str, Any], *, limits: Mapping[str, int], required: tuple[str, ...]) -> dict:
    checked: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for name, limit in limits.items():
        text = str(values.get(name) or "").strip()
        if name in required and not text:
            problems[name] = [gettext("Required.")]
        elif len(text) > limit:
            problems[name] = [gettext("At most %(limit)d characters.") % {"limit": limit}]
        checked[name] = text
    if problems:
        raise ApplicationError(
            gettext("Some of the billing details need correcting."), code="billing.invalid_settings", fields=problems
        )
    return checked


@transaction.atomic
def billing_settings_update(*, updated_by: User, payment_terms_days: int, **values: Any) -> BillingSettings:
    """What every invoice from now on prints: the facility's legal name and address, bank details, payment terms.

    Invoices already issued keep the payment terms and due date they were issued with.
    """
    unknown = set(values) - set(SETTINGS_LIMITS)
    if unknown:
        raise ValueError(f"Unknown billing settings: {sorted(unknown)}")
    checked = _text_fields_check(values, limits=SETTINGS_LIMITS, required=SETTINGS_REQUIRED)
    if not isinstance(payment_terms_days, int) or not 1 <= payment_terms_days <= 180:
        message = gettext("Payment terms are from 1 to 180 days.")
        raise ApplicationError(message, code="billing.invalid_settings", fields={"payment_terms_days": [message]})
    row, _ = BillingSettings.objects.update_or_create(
        pk=1,
        defaults={**checked, "payment_terms_days": payment_terms_days, "updated_by": updated_by,
                  "updated_at": timezone.now()},
    )  # fmt: skip
    return row


@transaction.atomic
def agency_billing_profile_set(
    *, agency: Agency, billing_address: str, reference: str, contact: str = "", updated_by: User
) -> AgencyBillingProfile:
    """Where an agency's invoices are addressed and the reference (purchase order, budget) its finance files them under.

    Printed on the agency's invoices issued from now on; issued ones keep what they were issued with.
    """
    checked = _text_fields_check(
        {"billing_address": billing_address, "reference": reference, "contact": contact},
        limits={"billing_address": 500, "reference": 100, "contact": 200},
        required=("billing_address",),
    )
    profile, _ = AgencyBillingProfile.objects.update_or_create(
        agency=agency, defaults={**checked, "updated_by": updated_by, "updated_at": timezone.now()}
    )
    return profile
