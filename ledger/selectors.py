"""Reads across the ledger: queues, the compliance report, what is at risk, recent breaches.

Each is one query over the public schema's ledger tables, whatever the
number of agencies; nothing here visits an agency's schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import agency_scope, sees_whole_agency
from service_levels.business_time import BusinessCalendar
from service_levels.models import Service
from service_levels.selectors import business_calendar, describe_minutes
from tenants.models import Agency

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

from .models import ClockState, ComplianceMonth, Holder, LedgerEntry, NamedPerson, SlaBreach, SlaClock


@dataclass(frozen=True)
class LedgerFilters:
    """What a dashboard or list is narrowed to; `agency` set means that agency only (always so on its address)."""

    agency: Agency | None = None
    # Set for someone who sees only the requests they raised or are named on (accounts.selectors.sees_whole_agency).
    person: User | None = None
    service: Service | None = None
    module: str = ""
    month: date | None = None  # first day of a month; None: the last `months` months
    months: int = 3
    today: date = field(default_factory=lambda: timezone.localdate())

    def period(self) -> tuple[datetime, datetime]:
        """[start, end) of the months shown, as aware datetimes in the facility's time zone."""
        zone = ZoneInfo(settings.TIME_ZONE)
        if self.month is not None:
            first = self.month.replace(day=1)
            last = first
        else:
            last = self.today.replace(day=1)
            first = last
            for _ in range(self.months - 1):
                first = (first - timedelta(days=1)).replace(day=1)
        end = (last + timedelta(days=32)).replace(day=1)
        return datetime(first.year, first.month, 1, tzinfo=zone), datetime(end.year, end.month, 1, tzinfo=zone)

    def narrow(self, rows: QuerySet, *, prefix: str = "", counts: bool = False) -> QuerySet:
        """Rows within the filters. `counts`: monthly tallies, which name no request and so are read agency-wide."""
        if self.agency is not None:
            rows = rows.filter(**{f"{prefix}agency": self.agency})
        if self.person is not None and not counts:
            rows = rows.filter(raised_by_or_names(self.person, prefix=prefix))
        if self.service is not None:
            rows = rows.filter(**{f"{prefix}service": self.service})
        if self.module:
            rows = rows.filter(**{f"{prefix}module": self.module})
        return rows


@dataclass(frozen=True)
class RequestScope:
    """Whose requests a person reads at an address: every agency's (facility staff), an agency's, or their own."""

    agency: Agency | None = None
    person: User | None = None


def request_scope(*, user: User | AnonymousUser, agency: Agency) -> RequestScope:
    """The visibility rule for requests, one for the ledger and every module (PRODUCT.md, "Who uses it").

    Facility staff see every agency's; on an agency's address its approvers and
    finance officers see all of its requests, everyone else those they raised
    or are named on. Board members on the portal are refused (PermissionDenied).
    """
    scope = agency_scope(user=user, agency=agency)
    if scope is None or sees_whole_agency(user=user, agency=scope):
        return RequestScope(agency=scope)
    return RequestScope(agency=scope, person=user)  # type: ignore[arg-type]


def raised_by_or_names(person: User, *, prefix: str = "") -> Q:
    """The requests a person raised or is named on (traveller, receiver): what they see inside their agency."""
    named = NamedPerson.objects.filter(entry_id=OuterRef(f"{prefix}pk" if prefix else "pk"), user=person)
    return Q(**{f"{prefix}requester": person}) | Q(Exists(named))


def entry_list(*, filters: LedgerFilters, status: str = "") -> QuerySet[LedgerEntry]:
    entries = filters.narrow(LedgerEntry.objects.select_related("agency", "service", "assignee"))
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("-opened_at", "-pk")


def clocks_with_breaches() -> Prefetch:
    """Prefetch an entry's clocks with their breach rows, so showing who held a breach costs no query."""
    return Prefetch("clocks", queryset=SlaClock.objects.select_related("breach"))


def entry_get(*, reference: str, agency: Agency | None, person: User | None = None) -> LedgerEntry | None:
    """One request, within a scope: the agency's (`agency`), and only if `person` raised or is named on it."""
    entries = LedgerEntry.objects.select_related("agency", "service", "agreement__calendar", "assignee", "requester")
    if agency is not None:
        entries = entries.filter(agency=agency)
    if person is not None:
        entries = entries.filter(raised_by_or_names(person))
    return entries.prefetch_related(clocks_with_breaches(), "events").filter(reference=reference).first()


class ClockResult(models.TextChoices):
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


@dataclass(frozen=True)
class ClockFigures:
    """One SLA clock as people and programs see it: target, business time used, due time, result.

    `used` is the business time the clock has used: up to now while it runs,
    up to the pause while paused, in total once stopped. The due time exists
    only while the clock runs (a pause moves it), shown in the time zone of the
    agreement's calendar.
    """

    clock: SlaClock
    used: timedelta
    time_zone: str

    @property
    def target_text(self) -> str:
        return describe_minutes(self.clock.target_minutes)

    @property
    def used_minutes(self) -> int:
        return int(self.used.total_seconds() // 60)

    @property
    def used_text(self) -> str:
        return describe_minutes(self.used_minutes)

    @property
    def due_at(self) -> datetime | None:
        if self.clock.state != ClockState.RUNNING or self.clock.due_at is None:
            return None
        return self.clock.due_at.astimezone(ZoneInfo(self.time_zone))

    @property
    def result(self) -> str | None:
        """Breached as soon as the target ran out; met once stopped within it; None while still counting."""
        if self.clock.breached_at is not None:
            return ClockResult.BREACHED
        if self.clock.state == ClockState.STOPPED:
            return ClockResult.MET
        return None

    @property
    def breach_held_by(self) -> str | None:
        """Who held the clock when it ran out (facility, requester or supplier), as the breach recorded it."""
        if self.clock.breached_at is None:
            return None
        breach = getattr(self.clock, "breach", None)
        return breach.held_by if breach is not None else self.clock.held_by

    @property
    def breach_held_by_label(self) -> str:
        return str(Holder(self.breach_held_by).label) if self.breach_held_by else ""

    @property
    def state_text(self) -> str:
        """The clock's state for people: running, paused and on whom it waits, met, or breached and by whom.

        One sentence per holder rather than a holder slotted into one sentence: French, Spanish and Portuguese
        put a different article before "facility", "requester" and "supplier".
        """
        if self.result == ClockResult.BREACHED:
            holder = self.breach_held_by or Holder.FACILITY
            if self.clock.state == ClockState.STOPPED:
                return str(_BREACHED_HELD_BY[holder])
            return str(_OVERDUE_HELD_BY[holder])
        if self.result == ClockResult.MET:
            return gettext("Met")
        if self.clock.state == ClockState.PAUSED:
            return str(_PAUSED_WAITING_ON.get(self.clock.held_by, _PAUSED_WAITING_ON[Holder.REQUESTER]))
        return gettext("Running")


_BREACHED_HELD_BY: dict[str, Promise] = {
    Holder.FACILITY: _("Breached (held by the facility)"),
    Holder.REQUESTER: _("Breached (held by the requester)"),
    Holder.SUPPLIER: _("Breached (held by the supplier)"),
}
_OVERDUE_HELD_BY: dict[str, Promise] = {
    Holder.FACILITY: _("Overdue (breached while held by the facility)"),
    Holder.REQUESTER: _("Overdue (breached while held by the requester)"),
    Holder.SUPPLIER: _("Overdue (breached while held by the supplier)"),
}
_PAUSED_WAITING_ON: dict[str, Promise] = {
    Holder.FACILITY: _("Paused"),
    Holder.REQUESTER: _("Paused (waiting on the requester)"),
    Holder.SUPPLIER: _("Paused (waiting on the supplier)"),
}


def clock_used(*, clock: SlaClock, calendar: BusinessCalendar, at: datetime) -> timedelta:
    """The business time a clock has used by `at`: what it banked, plus its current run if it runs.

    The business time of the run comes from the calendar (service_levels.business_time).
    """
    if clock.running_since is None:
        return clock.used_before
    return clock.used_before + calendar.working_time_between(clock.running_since, at)


def clock_figures(*, clock: SlaClock, now: datetime | None = None) -> ClockFigures:
    """The figures of one clock; its entry's agreement calendar measures the time used."""
    calendar = clock.entry.agreement.calendar
    used = clock_used(clock=clock, calendar=business_calendar(calendar=calendar), at=now or timezone.now())
    return ClockFigures(clock=clock, used=used, time_zone=calendar.time_zone)


def entry_clocks(*, entry: LedgerEntry, now: datetime | None = None) -> list[ClockFigures]:
    """Every clock of a request with its figures, measured at one instant."""
    now = now or timezone.now()
    return [clock_figures(clock=clock, now=now) for clock in entry.clocks.all()]


def clocks_crossing(*, now: datetime) -> QuerySet[SlaClock]:
    """Running clocks past a warning or their due time not yet recorded: one query on three partial indexes."""
    return (
        SlaClock.objects.filter(state=ClockState.RUNNING)
        .filter(
            Q(breached_at__isnull=True, due_at__lt=now)
            | Q(second_warning_sent_at__isnull=True, warn_second_at__lte=now)
            | Q(first_warning_sent_at__isnull=True, warn_first_at__lte=now)
        )
        .select_related("entry")
        .order_by("due_at")
    )


@dataclass(frozen=True)
class ComplianceRow:
    agency_id: int
    agency_code: str
    service_id: int
    service_code: str
    module: str
    month: date
    met: int
    breached: int

    @property
    def total(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> Decimal:
        return compliance_percent(self.met, self.breached)


def compliance_percent(met: int, breached: int) -> Decimal:
    """Met as a share of delivered, to one decimal (0.0 when nothing was delivered)."""
    if not met + breached:
        return Decimal("0.0")
    return (Decimal(met * 100) / (met + breached)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _codes() -> tuple[dict[int, str], dict[int, str]]:
    return dict(Agency.objects.values_list("pk", "code")), dict(Service.objects.values_list("pk", "code"))


def compliance_report(*, filters: LedgerFilters) -> list[ComplianceRow]:
    """Requests delivered per agency x service x month: met (no clock ran out) and breached.

    Reads the monthly counts the ledger's services keep (ComplianceMonth):
    one indexed query over at most months x agencies x services rows,
    whatever the size of the ledger.
    """
    start, end = filters.period()
    months = filters.narrow(ComplianceMonth.objects.filter(month__gte=start.date(), month__lt=end.date()), counts=True)
    agencies, services = _codes()
    fields = ("agency_id", "service_id", "module", "month", "met", "breached")
    rows = [
        ComplianceRow(
            agency_id=agency_id,
            agency_code=agencies.get(agency_id, "?"),
            service_id=service_id,
            service_code=services.get(service_id, "?"),
            module=module,
            month=month,
            met=met,
            breached=breached,
        )
        for agency_id, service_id, module, month, met, breached in months.exclude(met=0, breached=0)
        .order_by()
        .values_list(*fields)
    ]
    rows.sort(key=lambda row: (row.month, row.agency_code, row.service_code))
    return rows


def compliance_from_ledger(*, filters: LedgerFilters | None = None) -> list[ComplianceRow]:
    """The same figures aggregated from the ledger rows themselves (for rebuilding and checking the counts)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    entries = LedgerEntry.objects.filter(completed_at__isnull=False)
    if filters is not None:
        start, end = filters.period()
        entries = filters.narrow(entries.filter(completed_at__gte=start, completed_at__lt=end), counts=True)
    rows = (
        entries.annotate(month=TruncMonth("completed_at", tzinfo=zone))
        .values("month", "agency_id", "service_id", "module")
        .annotate(met=Count("pk", filter=Q(breached=False)), breached_count=Count("pk", filter=Q(breached=True)))
        .order_by()
    )
    agencies, services = _codes()
    report = [
        ComplianceRow(
            agency_id=row["agency_id"],
            agency_code=agencies.get(row["agency_id"], "?"),
            service_id=row["service_id"],
            service_code=services.get(row["service_id"], "?"),
            module=row["module"],
            month=timezone.localtime(row["month"], zone).date() if isinstance(row["month"], datetime) else row["month"],
            met=row["met"],
            breached=row["breached_count"],
        )
        for row in rows
    ]
    report.sort(key=lambda row: (row.month, row.agency_code, row.service_code))
    return report


def compliance_by(rows: list[ComplianceRow], key: str) -> list[tuple[str, int, int, Decimal]]:
    """Totals of the report by 'month', 'agency' or 'service': (label, met, breached, percent)."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        label = {"month": row.month.strftime("%Y-%m"), "agency": row.agency_code, "service": row.service_code}[key]
        met_breached = totals.setdefault(label, [0, 0])
        met_breached[0] += row.met
        met_breached[1] += row.breached
    result = []
    for label in sorted(totals):
        met, breached = totals[label]
        result.append((label, met, breached, compliance_percent(met, breached)))
    return result


@dataclass(frozen=True)
class SatisfactionRow:
    month: date
    agency_code: str
    ratings: int
    points: int  # the sum of the ratings

    @property
    def average(self) -> Decimal:
        return rating_average(self.points, self.ratings)


def rating_average(points: int, ratings: int) -> Decimal:
    return (Decimal(points) / ratings).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def satisfaction_report(*, filters: LedgerFilters) -> list[SatisfactionRow]:
    """The requesters' ratings (1-5) per agency and month rated: how many, and their average to one decimal.

    Customer satisfaction per request, ISO 9001 clause 9.1.2; one query on the
    ledger's partial index of rated requests.
    """
    start, end = filters.period()
    rated = filters.narrow(
        LedgerEntry.objects.filter(rated_at__gte=start, rated_at__lt=end, satisfaction__isnull=False), counts=True
    )
    grouped = (
        rated.annotate(month=TruncMonth("rated_at"))
        .values("month", "agency__code")
        .annotate(ratings=Count("pk"), total=Sum("satisfaction"))
        .order_by("month", "agency__code")
    )
    return [
        SatisfactionRow(
            month=row["month"].date() if isinstance(row["month"], datetime) else row["month"],
            agency_code=row["agency__code"],
            ratings=row["ratings"],
            points=row["total"],
        )
        for row in grouped
    ]


def satisfaction_average(rows: list[SatisfactionRow]) -> Decimal | None:
    ratings = sum(row.ratings for row in rows)
    if not ratings:
        return None
    return rating_average(sum(row.points for row in rows), ratings)


@dataclass(frozen=True)
class AtRisk:
    clock: SlaClock
    left: timedelta  # business time left; negative when overdue

    @property
    def entry(self) -> LedgerEntry:
        return self.clock.entry

    @property
    def used_percent(self) -> int:
        target = timedelta(minutes=self.clock.target_minutes)
        return int((target - self.left) / target * 100)


def at_risk(*, filters: LedgerFilters, now: datetime | None = None) -> list[AtRisk]:
    """Open requests whose running clock passed its first warning, by business time left (least first)."""
    now = now or timezone.now()
    clocks = filters.narrow(
        SlaClock.objects.filter(state=ClockState.RUNNING, warn_first_at__lte=now).select_related(
            "entry__agency", "entry__service", "entry__assignee", "entry__agreement__calendar"
        ),
        prefix="entry__",
    )
    found = []
    for clock in clocks.order_by("due_at")[:500]:
        calendar = business_calendar(calendar=clock.entry.agreement.calendar)
        assert clock.due_at is not None
        if clock.due_at >= now:
            left = calendar.working_time_between(now, clock.due_at)
        else:
            left = -calendar.working_time_between(clock.due_at, now)
        found.append(AtRisk(clock=clock, left=left))
    found.sort(key=lambda risk: (risk.left, risk.clock.pk))
    return found


def breach_list(*, filters: LedgerFilters) -> QuerySet[SlaBreach]:
    start, end = filters.period()
    breaches = SlaBreach.objects.filter(due_at__gte=start, due_at__lt=end).select_related("entry", "agency", "service")
    if filters.agency is not None:
        breaches = breaches.filter(agency=filters.agency)
    if filters.person is not None:
        breaches = breaches.filter(raised_by_or_names(filters.person, prefix="entry__"))
    if filters.service is not None:
        breaches = breaches.filter(service=filters.service)
    if filters.module:
        breaches = breaches.filter(service__module=filters.module)
    return breaches.order_by("-due_at", "-pk")


def with_due_times(entries: QuerySet[LedgerEntry], *, now: datetime | None = None) -> QuerySet[LedgerEntry]:
    """Each entry's next due time (`next_due`) and, once a running clock ran out, since when it is overdue
    (`overdue_since`), for queues sorted by urgency in one query."""
    now = now or timezone.now()
    running = Q(clocks__state=ClockState.RUNNING)
    return entries.annotate(
        next_due=Min("clocks__due_at", filter=running & Q(clocks__breached_at__isnull=True, clocks__due_at__gte=now)),
        overdue_since=Min(
            "clocks__due_at", filter=running & (Q(clocks__breached_at__isnull=False) | Q(clocks__due_at__lt=now))
        ),
    )
