"""Reads for the monthly service reports: whose reports a person reads, the facility's first working day,
and the figures a report freezes.

The figures are read from what the platform already keeps, never recounted
differently: the month's scorecard cells (`ScorecardCell`, refreshed from the
ledger, billing and quality just before), the agency's issued invoice and
credit notes (billing), its open requests past due or at risk (the ledger's
running clocks, `ledger.selectors.at_risk`), its open nonconformities
(quality), and what changes from the next month on (approved agreement change
requests, agreement versions, price lists and cost-sharing keys). They are
stored as plain JSON (amounts as decimal strings, dates as ISO text), so the
report reads the same later whatever changes in the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from billing.models import CostSharingKey, CreditNote, Invoice, InvoiceStatus, PriceListVersion
from billing.selectors import month_end, month_start
from ledger.selectors import LedgerFilters, at_risk, compliance_percent, rating_average
from quality.models import Nonconformity, NonconformityStatus
from service_levels.models import Agreement, Calendar
from service_levels.selectors import business_calendar
from tenants.models import Agency

from ..models import AgreementChangeRequest, ChangeStatus, ScorecardAgencyMonth, ScorecardCell, ServiceReport

# How many open requests (past due, at risk) and changes a report names; the counts are always whole.
LISTED_AT_MOST = 20
# The start page shows the latest report to the agency's focal points for this long after it was written.
START_PAGE_DAYS = 10


def previous_month(month: date) -> date:
    return month_start(month_start(month) - timedelta(days=1))


def months_between(first: date, last: date) -> int:
    """How many months from `first` to `last`, both included (0 when last is before first)."""
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


def facility_today(now: datetime) -> date:
    return timezone.localtime(now).date()


# -- who reads which reports -------------------------------------------------------------------------


def report_list(*, scope: Agency | None, agency_code: str = "", month: date | None = None) -> QuerySet[ServiceReport]:
    """The reports in the caller's scope (an agency: its own only), newest month first."""
    reports = ServiceReport.objects.select_related("agency")
    if scope is not None:
        reports = reports.filter(agency=scope)
    elif agency_code:
        reports = reports.filter(agency__code=agency_code)
    if month is not None:
        reports = reports.filter(month=month_start(month))
    return reports.order_by("-month", "agency__code", "-pk")


def report_get(*, pk: int, scope: Agency | None) -> ServiceReport | None:
    return report_list(scope=scope).filter(pk=pk).first()


def report_latest_recent(*, agency: Agency, now: datetime) -> ServiceReport | None:
    """The agency's latest report when it was written in the last ten days (its start page shows it)."""
    return (
        ServiceReport.objects.filter(agency=agency, created_at__gte=now - timedelta(days=START_PAGE_DAYS))
        .order_by("-month", "-pk")
        .first()
    )


# -- when the monthly reports go out ----------------------------------------------------------------


def first_working_day(*, month: date) -> date:
    """The facility's first working day of a month: the default calendar's first open day (holidays and
    closures skipped; service_levels.business_time is the one place that knows). Without a default
    calendar, the first weekday."""
    calendar = Calendar.objects.prefetch_related("spans", "closures").filter(is_default=True).first()
    day = month_start(month)
    if calendar is None:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day
    business = business_calendar(calendar=calendar)
    last = month_end(day)
    while day <= last and not business.is_open(day):
        day += timedelta(days=1)
    return day if day <= last else month_start(month)


def agencies_under_agreement(*, month: date) -> QuerySet[Agency]:
    """Active agencies with an agreement in force on at least one day of the month."""
    first, last = month_start(month), month_end(month)
    in_force = Agreement.objects.filter(valid_from__lte=last).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
    return Agency.objects.agencies().active().filter(pk__in=in_force.values("agency_id")).order_by("code")


# -- the figures a report freezes --------------------------------------------------------------------


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def _percent(met: int, breached: int) -> str | None:
    return f"{compliance_percent(met, breached)}" if met + breached else None


def _average(points: int, ratings: int) -> str | None:
    return f"{rating_average(points, ratings)}" if ratings else None


@dataclass
class _Tally:
    opened: int = 0
    delivered: int = 0
    met: int = 0
    breached: int = 0
    rated: int = 0
    rating_total: int = 0
    usage_billed: Decimal = Decimal(0)
    credits: Decimal = Decimal(0)

    def add(self, cell: ScorecardCell) -> None:
        self.opened += cell.opened
        self.delivered += cell.delivered
        self.met += cell.met
        self.breached += cell.breached
        self.rated += cell.rated
        self.rating_total += cell.rating_total
        self.usage_billed += cell.usage_billed
        self.credits += cell.credits

    def as_figures(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "delivered": self.delivered,
            "met": self.met,
            "breached": self.breached,
            "compliance": _percent(self.met, self.breached),
            "rated": self.rated,
            "satisfaction": _average(self.rating_total, self.rated),
            "usage_billed": _money(self.usage_billed),
            "credits": _money(self.credits),
        }


def _volumes(agency: Agency, month: date) -> dict[str, Any]:
    cells = (
        ScorecardCell.objects.filter(agency=agency, month=month)
        .select_related("service")
        .order_by("module", "service__code")
    )
    services: list[dict[str, Any]] = []
    modules: dict[str, _Tally] = {}
    total = _Tally()
    for cell in cells:
        one = _Tally()
        one.add(cell)
        services.append(
            {"service": cell.service.code, "name": cell.service.name, "module": cell.module, **one.as_figures()}
        )
        modules.setdefault(cell.module, _Tally()).add(cell)
        total.add(cell)
    return {
        "services": services,
        "modules": [{"module": module, **tally.as_figures()} for module, tally in sorted(modules.items())],
        "totals": total.as_figures(),
    }


def _agency_month(agency: Agency, month: date) -> dict[str, Any]:
    row = ScorecardAgencyMonth.objects.filter(agency=agency, month=month).first()
    if row is None:
        return {}
    return {
        "late_bookings": row.late_bookings,
        "tickets_issued": row.tickets_issued,
        "split_flags": row.split_flags,
        "agreement_spend": _money(row.agreement_spend),
    }


def _billing(agency: Agency, month: date) -> dict[str, Any]:
    """The month's issued (or paid) invoice as issued, and the credit notes on the month or issued in it."""
    invoice = (
        Invoice.objects.filter(agency=agency, month=month, status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PAID])
        .order_by("-issued_at")
        .first()
    )
    zone = timezone.get_current_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    end_day = month_end(month) + timedelta(days=1)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
    notes = (
        CreditNote.objects.filter(agency=agency)
        .filter(Q(invoice__month=month) | Q(issued_at__gte=start, issued_at__lt=end))
        .select_related("invoice")
        .order_by("issued_at", "pk")
    )
    return {
        "invoice": None
        if invoice is None
        else {
            "number": invoice.number,
            "status": invoice.status,
            "issued_on": timezone.localtime(invoice.issued_at).date().isoformat() if invoice.issued_at else None,
            "usage_total": _money(invoice.usage_total),
            "cost_share_total": _money(invoice.cost_share_total),
            "credits_total": _money(invoice.credits_total),
            "total": _money(invoice.total),
        },
        "credit_notes": [
            {
                "number": note.number,
                "invoice": note.invoice.number,
                "amount": _money(note.amount),
                "issued_on": timezone.localtime(note.issued_at).date().isoformat(),
                "reason": note.reason,
            }
            for note in notes
        ],
    }


def _open_issues(agency: Agency, now: datetime) -> dict[str, Any]:
    """The agency's open requests past due or at risk when the report is written, and its open nonconformities."""
    risks = at_risk(filters=LedgerFilters(agency=agency), now=now)
    overdue = [risk for risk in risks if risk.left < timedelta(0)]
    warned = [risk for risk in risks if risk.left >= timedelta(0)]

    def listed(rows: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "reference": risk.entry.reference,
                "service": risk.entry.service.code,
                "title": risk.entry.title,
                "metric": risk.clock.metric,
                "due_at": risk.clock.due_at.isoformat() if risk.clock.due_at else None,
                "business_minutes_left": int(risk.left.total_seconds() // 60),
            }
            for risk in rows[:LISTED_AT_MOST]
        ]

    nonconformities = (
        Nonconformity.objects.filter(agency=agency)
        .exclude(status=NonconformityStatus.CLOSED)
        .select_related("service")
        .order_by("reference")
    )
    return {
        "overdue_count": len(overdue),
        "overdue": listed(overdue),
        "at_risk_count": len(warned),
        "at_risk": listed(warned),
        "nonconformities_count": nonconformities.count(),
        "nonconformities": [
            {
                "reference": item.reference,
                "title": item.title,
                "status": item.status,
                "service": item.service.code if item.service else "",
                "month": item.month.isoformat() if item.month else None,
            }
            for item in nonconformities[:LISTED_AT_MOST]
        ],
    }


def _changes_coming(agency: Agency, month: date) -> list[dict[str, Any]]:
    """What takes effect after the report's month: the agency's approved change requests and agreement versions,
    and the facility's price lists and cost-sharing keys (each cites its board decision)."""
    after = month_end(month)
    found: list[dict[str, Any]] = []
    for change in AgreementChangeRequest.objects.filter(
        agency=agency, status=ChangeStatus.APPROVED, effective_from__gt=after
    ).order_by("effective_from", "pk")[:LISTED_AT_MOST]:
        found.append(
            {
                "kind": "change_request",
                "reference": change.reference,
                "summary": change.summary,
                "effective_from": change.effective_from.isoformat(),
            }
        )
    for agreement in Agreement.objects.filter(agency=agency, valid_from__gt=after).order_by("valid_from")[
        :LISTED_AT_MOST
    ]:
        found.append(
            {
                "kind": "agreement",
                "reference": agreement.reference,
                "summary": "",
                "effective_from": agreement.valid_from.isoformat(),
            }
        )
    for version in PriceListVersion.objects.filter(effective_from__gt=after).select_related("decision")[
        :LISTED_AT_MOST
    ]:
        found.append(
            {
                "kind": "price_list",
                "reference": str(version.decision.number),
                "summary": version.notes,
                "effective_from": version.effective_from.isoformat(),
            }
        )
    for key in CostSharingKey.objects.filter(effective_from__gt=after).select_related("decision")[:LISTED_AT_MOST]:
        found.append(
            {
                "kind": "sharing_key",
                "reference": str(key.decision.number),
                "summary": key.method,
                "effective_from": key.effective_from.isoformat(),
            }
        )
    found.sort(key=lambda change: (change["effective_from"], change["kind"], change["reference"]))
    return found


def report_figures(*, agency: Agency, month: date, now: datetime) -> dict[str, Any]:
    """Everything a report says about the agency's month, as plain JSON (read after the month's refresh)."""
    month = month_start(month)
    return {
        "agency": agency.code,
        "agency_name": agency.name,
        "month": f"{month:%Y-%m}",
        "written_at": now.isoformat(),
        **_volumes(agency, month),
        "agency_month": _agency_month(agency, month),
        "billing": _billing(agency, month),
        "open_issues": _open_issues(agency, now),
        "changes": _changes_coming(agency, month),
    }
