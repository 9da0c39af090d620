"""Scorecards (ISO 9001 clause 9.1, "monitoring, measurement, analysis and evaluation"): refreshing the cells.

A scorecard cell is one agency's month for one service: what it opened, what
was delivered and whether within target, how the requesters rated it, what the
agency was billed and credited for it, and the quality system's open records
about it. Each figure is read from the record that owns it, with the owner's
own rule, so the scorecard never disagrees with the compliance report, the
satisfaction report or the invoice:

- delivered / met / breached: `ledger.ComplianceMonth` (the rows the compliance
  report reads: the month of delivery in the facility's time zone);
- opened: ledger entries opened in the month (same time zone);
- rated / rating_total: ratings of the requests delivered in the month (the
  compliance month rule, so a cell's ratings belong to its deliveries);
- usage_billed / credits: the lines of the agency's live invoice for the month
  once issued or paid (a draft can still change); credits are stored positive;
- nonconformities_open / actions_open / actions_overdue: quality's records
  naming the agency and service, about that month (or raised in it when they
  name no month); an action is overdue when its due date is before today.

Each refresh is one INSERT ... SELECT ... GROUP BY ... ON CONFLICT statement
per table over every month asked for, never a loop per request; cells of
those months whose sources are gone are zeroed in the same statement and then
removed, so a page never shows a figure its source no longer has.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing.models import Invoice, InvoiceLine, InvoiceStatus, LineKind
from ledger.models import ComplianceMonth, LedgerEntry
from quality.models import CorrectiveAction, Nonconformity, NonconformityStatus
from service_levels.models import Module, Service
from sourcing.models import PurchaseRecord, SplitFlag
from tenants.models import Agency

from ..models import ScorecardAgencyMonth, ScorecardCell


def _month_of(moment: datetime) -> date:
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).date().replace(day=1)


def _month_before(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def _month_after(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _bounds(months: list[date]) -> tuple[datetime, datetime]:
    """[start, end) covering the months, as aware datetimes in the facility's time zone (index-friendly ranges)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first, last = min(months), _month_after(max(months))
    return datetime(first.year, first.month, 1, tzinfo=zone), datetime(last.year, last.month, 1, tzinfo=zone)


# One statement: every source grouped by (month, agency, service), joined on the union of their keys and of the
# cells already there (so a cell whose source went is rewritten with zeros), upserted on the cell's unique key.
_CELLS_SQL = """
WITH
delivered AS (
    SELECT month, agency_id, service_id, SUM(met) AS met, SUM(breached) AS breached
    FROM {compliance} WHERE month = ANY(%(months)s) GROUP BY month, agency_id, service_id
),
opened AS (
    SELECT (date_trunc('month', opened_at AT TIME ZONE %(zone)s))::date AS month, agency_id, service_id,
           COUNT(*) AS opened
    FROM {entry} WHERE opened_at >= %(start)s AND opened_at < %(end)s
    GROUP BY 1, agency_id, service_id
),
rated AS (
    SELECT (date_trunc('month', completed_at AT TIME ZONE %(zone)s))::date AS month, agency_id, service_id,
           COUNT(*) AS rated, SUM(satisfaction) AS rating_total
    FROM {entry}
    WHERE completed_at >= %(start)s AND completed_at < %(end)s AND satisfaction IS NOT NULL
    GROUP BY 1, agency_id, service_id
),
billed AS (
    SELECT i.month, i.agency_id, l.service_id,
           COALESCE(SUM(l.amount) FILTER (WHERE l.kind = %(usage)s), 0) AS usage_billed,
           COALESCE(-SUM(l.amount) FILTER (WHERE l.kind = %(credit)s), 0) AS credits
    FROM {line} l JOIN {invoice} i ON i.id = l.invoice_id
    WHERE i.month = ANY(%(months)s) AND i.status = ANY(%(billed_statuses)s) AND l.service_id IS NOT NULL
    GROUP BY i.month, i.agency_id, l.service_id
),
nonconformities AS (
    SELECT n.id, n.agency_id, n.service_id, n.status,
           COALESCE(n.month, (date_trunc('month', n.raised_at AT TIME ZONE %(zone)s))::date) AS month
    FROM {nonconformity} n
    WHERE n.agency_id IS NOT NULL AND n.service_id IS NOT NULL
      AND (n.month = ANY(%(months)s)
           OR (n.month IS NULL AND n.raised_at >= %(start)s AND n.raised_at < %(end)s))
),
quality AS (
    SELECT n.month, n.agency_id, n.service_id,
           COUNT(DISTINCT n.id) FILTER (WHERE n.status <> %(closed)s) AS nonconformities_open,
           COUNT(a.id) FILTER (WHERE a.done_at IS NULL) AS actions_open,
           COUNT(a.id) FILTER (WHERE a.done_at IS NULL AND a.due_on < %(today)s) AS actions_overdue
    FROM nonconformities n LEFT JOIN {action} a ON a.nonconformity_id = n.id
    WHERE n.month = ANY(%(months)s)
    GROUP BY n.month, n.agency_id, n.service_id
),
keys AS (
    SELECT month, agency_id, service_id FROM delivered
    UNION SELECT month, agency_id, service_id FROM opened WHERE month = ANY(%(months)s)
    UNION SELECT month, agency_id, service_id FROM rated WHERE month = ANY(%(months)s)
    UNION SELECT month, agency_id, service_id FROM billed
    UNION SELECT month, agency_id, service_id FROM quality
    UNION SELECT month, agency_id, service_id FROM {cell} WHERE month = ANY(%(months)s)
)
INSERT INTO {cell} (
    month, agency_id, service_id, module, opened, delivered, met, breached, rated, rating_total,
    usage_billed, credits, nonconformities_open, actions_open, actions_overdue, refreshed_at
)
SELECT k.month, k.agency_id, k.service_id, s.module,
       COALESCE(o.opened, 0),
       COALESCE(d.met, 0) + COALESCE(d.breached, 0), COALESCE(d.met, 0), COALESCE(d.breached, 0),
       COALESCE(r.rated, 0), COALESCE(r.rating_total, 0),
       COALESCE(b.usage_billed, 0), COALESCE(b.credits, 0),
       COALESCE(q.nonconformities_open, 0), COALESCE(q.actions_open, 0), COALESCE(q.actions_overdue, 0),
       %(now)s
FROM keys k
JOIN {service} s ON s.id = k.service_id
LEFT JOIN delivered d ON (d.month, d.agency_id, d.service_id) = (k.month, k.agency_id, k.service_id)
LEFT JOIN opened o ON (o.month, o.agency_id, o.service_id) = (k.month, k.agency_id, k.service_id)
LEFT JOIN rated r ON (r.month, r.agency_id, r.service_id) = (k.month, k.agency_id, k.service_id)
LEFT JOIN billed b ON (b.month, b.agency_id, b.service_id) = (k.month, k.agency_id, k.service_id)
LEFT JOIN quality q ON (q.month, q.agency_id, q.service_id) = (k.month, k.agency_id, k.service_id)
ON CONFLICT (month, agency_id, service_id) DO UPDATE SET
    module = EXCLUDED.module, opened = EXCLUDED.opened, delivered = EXCLUDED.delivered, met = EXCLUDED.met,
    breached = EXCLUDED.breached, rated = EXCLUDED.rated, rating_total = EXCLUDED.rating_total,
    usage_billed = EXCLUDED.usage_billed, credits = EXCLUDED.credits,
    nonconformities_open = EXCLUDED.nonconformities_open, actions_open = EXCLUDED.actions_open,
    actions_overdue = EXCLUDED.actions_overdue, refreshed_at = EXCLUDED.refreshed_at
"""

_EMPTY_CELLS_SQL = """
DELETE FROM {cell} WHERE month = ANY(%(months)s)
  AND opened = 0 AND delivered = 0 AND rated = 0 AND usage_billed = 0 AND credits = 0
  AND nonconformities_open = 0 AND actions_open = 0
"""

_AGENCY_MONTHS_SQL = """
WITH
tickets AS (
    SELECT * FROM unnest(%(ticket_months)s::date[], %(ticket_agencies)s::bigint[], %(tickets)s::int[],
                         %(late)s::int[]) AS t(month, agency_id, tickets_issued, late_bookings)
),
invoices AS (
    SELECT i.month, i.agency_id, i.number, i.total,
           COALESCE(SUM(l.amount) FILTER (WHERE l.kind = %(cost_share)s), 0) AS fixed_share,
           COALESCE(SUM(l.amount) FILTER (WHERE l.kind = %(credit_cap)s), 0) AS credits_over_cap
    FROM {invoice} i LEFT JOIN {line} l ON l.invoice_id = i.id
    WHERE i.month = ANY(%(months)s) AND i.status = ANY(%(billed_statuses)s)
    GROUP BY i.id
),
flags AS (
    SELECT (date_trunc('month', raised_at AT TIME ZONE %(zone)s))::date AS month, agency_id, COUNT(*) AS split_flags
    FROM {flag} WHERE raised_at >= %(start)s AND raised_at < %(end)s GROUP BY 1, agency_id
),
spend AS (
    SELECT date_trunc('month', ordered_on)::date AS month, agency_id, SUM(amount_usd) AS agreement_spend
    FROM {purchase}
    WHERE agreement_id IS NOT NULL AND NOT cancelled AND ordered_on >= %(first)s AND ordered_on < %(after)s
    GROUP BY 1, agency_id
),
keys AS (
    SELECT month, agency_id FROM tickets
    UNION SELECT month, agency_id FROM invoices
    UNION SELECT month, agency_id FROM flags WHERE month = ANY(%(months)s)
    UNION SELECT month, agency_id FROM spend WHERE month = ANY(%(months)s)
    UNION SELECT month, agency_id FROM {agency_month} WHERE month = ANY(%(months)s)
)
INSERT INTO {agency_month} (
    month, agency_id, invoice_number, fixed_share, credits_over_cap, invoiced_total, late_bookings,
    tickets_issued, split_flags, agreement_spend, refreshed_at
)
SELECT k.month, k.agency_id, COALESCE(i.number, ''), COALESCE(i.fixed_share, 0), COALESCE(i.credits_over_cap, 0),
       COALESCE(i.total, 0), COALESCE(t.late_bookings, 0), COALESCE(t.tickets_issued, 0),
       COALESCE(f.split_flags, 0), COALESCE(p.agreement_spend, 0), %(now)s
FROM keys k
LEFT JOIN invoices i ON (i.month, i.agency_id) = (k.month, k.agency_id)
LEFT JOIN tickets t ON (t.month, t.agency_id) = (k.month, k.agency_id)
LEFT JOIN flags f ON (f.month, f.agency_id) = (k.month, k.agency_id)
LEFT JOIN spend p ON (p.month, p.agency_id) = (k.month, k.agency_id)
ON CONFLICT (month, agency_id) DO UPDATE SET
    invoice_number = EXCLUDED.invoice_number, fixed_share = EXCLUDED.fixed_share,
    credits_over_cap = EXCLUDED.credits_over_cap, invoiced_total = EXCLUDED.invoiced_total,
    late_bookings = EXCLUDED.late_bookings, tickets_issued = EXCLUDED.tickets_issued,
    split_flags = EXCLUDED.split_flags, agreement_spend = EXCLUDED.agreement_spend,
    refreshed_at = EXCLUDED.refreshed_at
"""

_EMPTY_AGENCY_MONTHS_SQL = """
DELETE FROM {agency_month} WHERE month = ANY(%(months)s)
  AND invoice_number = '' AND tickets_issued = 0 AND split_flags = 0 AND agreement_spend = 0
"""


def _tables() -> dict[str, str]:
    return {
        "cell": ScorecardCell._meta.db_table,
        "agency_month": ScorecardAgencyMonth._meta.db_table,
        "compliance": ComplianceMonth._meta.db_table,
        "entry": LedgerEntry._meta.db_table,
        "invoice": Invoice._meta.db_table,
        "line": InvoiceLine._meta.db_table,
        "nonconformity": Nonconformity._meta.db_table,
        "action": CorrectiveAction._meta.db_table,
        "service": Service._meta.db_table,
        "flag": SplitFlag._meta.db_table,
        "purchase": PurchaseRecord._meta.db_table,
    }


def _tickets_per_agency_month(*, months: list[date]) -> list[tuple[date, int, int, int]]:
    """Travel tickets issued per agency and month, and how many less than 21 days before departure.

    Tickets live in each agency's own schema (they carry the traveller's
    itinerary), and no public table counts them, so this reads them with one
    grouped query per agency that has travel requests in the ledger. It runs
    only in the background refresh (beat, or the "refresh now" button), never
    when a page is read: the pages read the stored `ScorecardAgencyMonth` rows.
    """
    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth
    from django_tenants.utils import schema_context

    from travel.models import Ticket

    start, end = _bounds(months)
    zone = ZoneInfo(settings.TIME_ZONE)
    wanted = set(months)
    agency_ids = (
        LedgerEntry.objects.filter(module=Module.TRAVEL, detail_id__isnull=False, opened_at__lt=end)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    found: list[tuple[date, int, int, int]] = []
    for agency in Agency.objects.agencies().filter(pk__in=agency_ids).order_by("code"):
        with schema_context(agency.schema_name):
            rows = (
                Ticket.objects.filter(issued_at__gte=start, issued_at__lt=end)
                .annotate(month=TruncMonth("issued_at", tzinfo=zone))
                .values("month")
                .annotate(tickets=Count("pk"), late=Count("pk", filter=Q(late=True)))
                .order_by()
            )
            for row in rows:
                month = row["month"]
                month = timezone.localtime(month, zone).date() if isinstance(month, datetime) else month
                if month in wanted:
                    found.append((month, agency.pk, row["tickets"], row["late"]))
    return found


@transaction.atomic
def scorecards_refresh(*, months: list[date], now: datetime) -> int:
    """Rewrite the scorecard cells and agency months of the given months from their sources; the cells written.

    ISO 9001 clause 9.1.1 asks that what is monitored is evaluated from the
    results themselves: every figure comes from the record that owns it (see
    the module's docstring), in one set-based statement per table, and a cell
    whose sources have gone is zeroed and removed. Safe to run twice: the same
    sources give the same rows.
    """
    wanted = sorted({month.replace(day=1) for month in months})
    if not wanted:
        return 0
    start, end = _bounds(wanted)
    tables = _tables()
    common = {
        "months": wanted,
        "zone": settings.TIME_ZONE,
        "start": start,
        "end": end,
        "now": now,
        "billed_statuses": [InvoiceStatus.ISSUED.value, InvoiceStatus.PAID.value],
    }
    tickets = _tickets_per_agency_month(months=wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            _CELLS_SQL.format(**tables),
            {
                **common,
                "usage": LineKind.USAGE.value,
                "credit": LineKind.SERVICE_CREDIT.value,
                "closed": NonconformityStatus.CLOSED.value,
                "today": timezone.localtime(now, ZoneInfo(settings.TIME_ZONE)).date(),
            },
        )
        written = cursor.rowcount
        cursor.execute(_EMPTY_CELLS_SQL.format(**tables), {"months": wanted})
        written -= cursor.rowcount
        cursor.execute(
            _AGENCY_MONTHS_SQL.format(**tables),
            {
                **common,
                "first": wanted[0],
                "after": _month_after(wanted[-1]),
                "cost_share": LineKind.COST_SHARE.value,
                "credit_cap": LineKind.CREDIT_CAP.value,
                "ticket_months": [row[0] for row in tickets],
                "ticket_agencies": [row[1] for row in tickets],
                "tickets": [row[2] for row in tickets],
                "late": [row[3] for row in tickets],
            },
        )
        cursor.execute(_EMPTY_AGENCY_MONTHS_SQL.format(**tables), {"months": wanted})
    return written


def recent_months(*, now: datetime, count: int) -> list[date]:
    """The `count` months up to and including the month of `now` (facility time zone), oldest first."""
    months = [_month_of(now)]
    for _ in range(count - 1):
        months.append(_month_before(months[-1]))
    return sorted(months)


def scorecards_refresh_recent(*, now: datetime) -> int:
    """Every 15 minutes (beat): this month's and last month's cells, the ones still changing."""
    return scorecards_refresh(months=recent_months(now=now, count=2), now=now)


def scorecards_refresh_year(*, now: datetime) -> int:
    """Daily (beat) and at the end of the demo: the last 12 months including this one."""
    return scorecards_refresh(months=recent_months(now=now, count=12), now=now)
