"""The fair-cost simulation: what each agency paid over past months and would have paid under each sharing key.

PRODUCT.md ("The board can see what each agency paid and would have paid under
each cost-sharing key before changing it"); issue 17 ("Fair-cost simulation").

For each month of the period (past, every invoice issued): each agency's
issued invoice gives its usage, its credits (net of what the monthly cap gave
back, as on the invoice) and its total. The month's fixed costs are then
shared again under each key with billing's own weights and split
(`billing.selectors.sharing_weights`, `billing.sharing.amount_split`), among
the same agencies in the same order as the monthly run, so:

- under each key, the agencies' amounts add up to the month's fixed costs plus
  usage less credits, to the cent;
- the key in force that month gives back what each agency was invoiced.

The cap is taken as on the invoice: a different share would move the cap a
little, but the board compares the keys on what was delivered and credited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext

from billing.models import Invoice, InvoiceStatus, SharingMethod
from billing.selectors import billed_agencies, current_month, fixed_costs, sharing_key_in_force, sharing_weights
from billing.sharing import amount_split
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from ..models import CostSimulation

KEYS = (SharingMethod.EQUAL, SharingMethod.HEADCOUNT, SharingMethod.USAGE)
# A simulation reads at most three years of invoices.
MAX_MONTHS = 36
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
LIVE = (InvoiceStatus.ISSUED, InvoiceStatus.PAID)


@dataclass
class SimulationLine:
    agency_id: int
    agency_code: str
    agency_name: str
    headcount: int
    usage: Decimal = ZERO
    credits: Decimal = ZERO  # a positive amount taken off (net of credits above the cap)
    paid: Decimal = ZERO
    usage_share: Decimal = ZERO  # percent of every agency's usage, two decimals
    would: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(KEYS, ZERO))

    def difference(self, key: str) -> Decimal:
        return self.would[key] - self.paid


@dataclass
class SimulationResult:
    month_from: date
    month_to: date
    months: list[date]
    keys_in_force: dict[date, str]
    fixed_total: Decimal
    lines: list[SimulationLine]
    totals: dict[str, Any]

    @property
    def keys(self) -> tuple[str, ...]:
        return KEYS


def _refuse(message: str, *, code: str, field: str = "month_from") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def _month_name(month: date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def _months(month_from: date, month_to: date) -> list[date]:
    months: list[date] = []
    month = month_from
    while month <= month_to and len(months) <= MAX_MONTHS:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def months_check(*, month_from: date, month_to: date) -> list[date]:
    """The months of a simulation: past ones, in order, at most three years, each with its invoices all issued."""
    for name, value in (("month_from", month_from), ("month_to", month_to)):
        if not isinstance(value, date):
            raise _refuse(gettext("Give a month such as 2026-09."), code="accountability.simulation_month", field=name)
    month_from, month_to = month_from.replace(day=1), month_to.replace(day=1)
    if month_to < month_from:
        raise _refuse(
            gettext("The last month cannot come before the first."),
            code="accountability.simulation_month",
            field="month_to",
        )
    if month_to >= current_month():
        raise _refuse(
            gettext("%(month)s is not over; a simulation reads past months that were invoiced.")
            % {"month": _month_name(month_to)},
            code="accountability.simulation_month_not_past",
            field="month_to",
        )
    months = _months(month_from, month_to)
    if len(months) > MAX_MONTHS:
        raise _refuse(
            gettext("A simulation covers at most %(count)d months.") % {"count": MAX_MONTHS},
            code="accountability.simulation_too_long",
            field="month_to",
        )
    issued = set(Invoice.objects.filter(month__in=months, status__in=LIVE).values_list("month", flat=True))
    drafts = set(Invoice.objects.filter(month__in=months, status=InvoiceStatus.DRAFT).values_list("month", flat=True))
    for month in months:
        if month not in issued:
            raise _refuse(
                gettext("No invoice was issued for %(month)s; choose months that were invoiced.")
                % {"month": _month_name(month)},
                code="accountability.simulation_month_not_invoiced",
            )
        if month in drafts:
            raise _refuse(
                gettext("%(month)s still has draft invoices; simulate it once every invoice is issued.")
                % {"month": _month_name(month)},
                code="accountability.simulation_month_not_invoiced",
            )
    return months


def simulation_compute(*, month_from: date, month_to: date) -> SimulationResult:
    """Per agency: usage billed, share of usage, credits, paid, and what it would have paid under each key."""
    months = months_check(month_from=month_from, month_to=month_to)
    invoices = list(
        Invoice.objects.filter(month__in=months, status__in=LIVE).select_related("agency").order_by("month", "pk")
    )
    by_month: dict[date, dict[int, Invoice]] = defaultdict(dict)
    agencies: dict[int, Agency] = {agency.pk: agency for agency in billed_agencies()}
    for invoice in invoices:
        by_month[invoice.month][invoice.agency_id] = invoice
        agencies.setdefault(invoice.agency_id, invoice.agency)
    ordered = sorted(agencies.values(), key=lambda agency: agency.code)  # the run's order, which breaks ties
    lines = {agency.pk: SimulationLine(agency.pk, agency.code, agency.name, agency.headcount) for agency in ordered}
    keys_in_force: dict[date, str] = {}
    fixed_total = ZERO
    for month in months:
        key = sharing_key_in_force(month=month)
        keys_in_force[month] = key.method if key else SharingMethod.EQUAL
        fixed = sum((cost.amount for cost in fixed_costs(month=month)), ZERO)
        fixed_total += fixed
        month_invoices = by_month.get(month, {})
        usage = {agency_id: invoice.usage_total for agency_id, invoice in month_invoices.items()}
        for agency_id, invoice in month_invoices.items():
            line = lines[agency_id]
            line.usage += invoice.usage_total
            line.credits -= invoice.credits_total  # stored negative on the invoice
            line.paid += invoice.total
        for method in KEYS:
            weights = sharing_weights(method=method, agencies=ordered, usage_amounts=usage)
            shares = amount_split(amount=fixed, weights=weights) if fixed else {}
            for agency in ordered:
                billed = month_invoices.get(agency.pk)
                net = (billed.usage_total + billed.credits_total) if billed else ZERO
                lines[agency.pk].would[method] += net + shares.get(agency.pk, ZERO)
    usage_total = sum((line.usage for line in lines.values()), ZERO)
    for line in lines.values():
        line.usage_share = (line.usage * 100 / usage_total).quantize(CENT) if usage_total else ZERO
    kept = [line for line in lines.values() if line.paid or any(line.would.values()) or line.usage]
    totals: dict[str, Any] = {
        "usage": usage_total,
        "credits": sum((line.credits for line in kept), ZERO),
        "paid": sum((line.paid for line in kept), ZERO),
        "fixed": fixed_total,
        "would": {method: sum((line.would[method] for line in kept), ZERO) for method in KEYS},
    }
    return SimulationResult(
        month_from=months[0],
        month_to=months[-1],
        months=months,
        keys_in_force=keys_in_force,
        fixed_total=fixed_total,
        lines=kept,
        totals=totals,
    )


# -- frozen simulations --------------------------------------------------------------------------------


def lines_frozen(result: SimulationResult) -> list[dict[str, Any]]:
    """The lines as stored on a CostSimulation: figures as decimal strings, never floats."""
    return [
        {
            "agency": line.agency_code,
            "agency_name": line.agency_name,
            "headcount": line.headcount,
            "usage": str(line.usage),
            "usage_share": str(line.usage_share),
            "credits": str(line.credits),
            "paid": str(line.paid),
            "would": {method: str(line.would[method]) for method in KEYS},
        }
        for line in result.lines
    ]


def totals_frozen(result: SimulationResult) -> dict[str, Any]:
    totals = result.totals
    return {
        "usage": str(totals["usage"]),
        "credits": str(totals["credits"]),
        "paid": str(totals["paid"]),
        "fixed": str(totals["fixed"]),
        "would": {method: str(value) for method, value in totals["would"].items()},
        "keys_in_force": {month.isoformat(): method for month, method in result.keys_in_force.items()},
    }


@dataclass
class FrozenLine:
    """A stored line read back as Decimals, for the pages, the CSV and the API."""

    agency: str
    agency_name: str
    headcount: int
    usage: Decimal
    usage_share: Decimal
    credits: Decimal
    paid: Decimal
    would: dict[str, Decimal]

    def would_list(self) -> list[tuple[str, Decimal, Decimal]]:
        return [(method, self.would[method], self.would[method] - self.paid) for method in KEYS]


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return ZERO


def frozen_lines(simulation: CostSimulation) -> list[FrozenLine]:
    rows = []
    for row in simulation.lines or []:
        would = row.get("would", {})
        rows.append(
            FrozenLine(
                agency=str(row.get("agency", "")),
                agency_name=str(row.get("agency_name", "")),
                headcount=int(row.get("headcount") or 0),
                usage=_decimal(row.get("usage", 0)),
                usage_share=_decimal(row.get("usage_share", 0)),
                credits=_decimal(row.get("credits", 0)),
                paid=_decimal(row.get("paid", 0)),
                would={method: _decimal(would.get(method, 0)) for method in KEYS},
            )
        )
    return rows


def frozen_totals(simulation: CostSimulation) -> dict[str, Any]:
    totals = simulation.totals or {}
    would = totals.get("would", {})
    return {
        "usage": _decimal(totals.get("usage", 0)),
        "credits": _decimal(totals.get("credits", 0)),
        "paid": _decimal(totals.get("paid", 0)),
        "fixed": _decimal(totals.get("fixed", 0)),
        "would": {method: _decimal(would.get(method, 0)) for method in KEYS},
        "would_list": [(method, _decimal(would.get(method, 0))) for method in KEYS],
        "keys_in_force": totals.get("keys_in_force", {}),
    }


def simulation_list() -> QuerySet[CostSimulation]:
    return CostSimulation.objects.select_related("created_by", "motion")


def simulation_get(*, reference: str) -> CostSimulation | None:
    reference = (reference or "").strip().upper()
    if len(reference) > 20:
        return None
    return simulation_list().filter(reference=reference).first()


def simulations_of_motion(*, motion_id: int) -> QuerySet[CostSimulation]:
    return CostSimulation.objects.filter(motion_id=motion_id).order_by("-created_at", "-pk")


def key_label(method: str) -> str:
    return str(SharingMethod(method).label) if method in SharingMethod.values else method


def chart_data(*, lines: list[FrozenLine] | list[SimulationLine]) -> dict[str, Any]:
    """Paid beside each key, per agency, for the bar chart (JSON for accountability/simulations.js; figures as
    decimal strings, which the chart reads as numbers only to draw them)."""
    colours = {
        "paid": "#264b5d",
        SharingMethod.EQUAL: "#79aec8",
        SharingMethod.HEADCOUNT: "#e0b040",
        "usage": "#70bf2b",
    }
    series = [{"label": gettext("Paid"), "data": [str(line.paid) for line in lines], "colour": colours["paid"]}]
    for method in KEYS:
        series.append(
            {
                "label": key_label(method),
                "data": [str(line.would[method]) for line in lines],
                "colour": colours[method],
            }
        )
    labels = [getattr(line, "agency_code", None) or getattr(line, "agency", "") for line in lines]
    return {"labels": labels, "series": series}
