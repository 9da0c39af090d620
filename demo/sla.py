"""The demo's service levels: agreements for every agency and three months of requests on the ledger.

The history is played through the ledger's own services at past times, so
every figure on the dashboard (due times, pauses, breaches and who held the
clock) comes from the same arithmetic as live requests. A fixed random seed
keeps it the same on every machine. No e-mail goes out about the past.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from ict_helpdesk.demo import ticket_play
from ledger.models import LedgerEntry
from ledger.services import (
    alerts_muted,
    clock_start,
    clock_stop,
    clocks_check,
    entry_assign,
    entry_billable_record,
    entry_close,
    entry_open,
    entry_pause,
    entry_reopen,
    entry_resolve,
    entry_resume,
)
from service_levels.business_time import BusinessCalendar
from service_levels.models import Agreement, Calendar, Metric, Module, Service
from service_levels.selectors import business_calendar, targets_for
from service_levels.services import DEFAULT_CALENDAR_NAME, agreement_create, catalogue_seed_defaults
from tenants.models import Agency

SEED = 20261121
TITLES = {
    "PRC-MICRO": ["Office supplies, quarter", "Catering for a workshop", "Translation of a report"],
    "PRC-RFQ": ["Laptops for a project office", "Printing of campaign material", "Event venue for a conference"],
    "PRC-ITB": ["Vehicles for field offices", "Solar kits for health clinics"],
    "PRC-LTA": ["Call-off: interpretation services", "Call-off: travel agency fees", "Call-off: cleaning services"],
}
# Each agency also has one call-off open with this share of its target used (past the first warning).
AT_RISK_SERVICE = "PRC-LTA"
AT_RISK_SHARE = 0.9
# Requests per agency per month, by service: ICT dominates, as it does in a common back office.
# Purchases other than call-offs are played in full by procurement/demo.py, requisition to order, and
# trips by travel/demo.py, request to settlement.
MONTHLY_MIX = {"ICT-INC": 14, "ICT-REQ": 6, "PRC-LTA": 2}


def agreements_ensure() -> dict[str, Agreement]:
    """An agreement for every agency from 1 January this year (or a year back, if earlier); UNDP's grants credits."""
    catalogue_seed_defaults()
    calendar = Calendar.objects.get(name=DEFAULT_CALENDAR_NAME)
    services = list(Service.objects.filter(is_active=True))
    agreements = {}
    today = timezone.localdate()
    # From 1 January, or a year back if earlier, so the year of scorecards (accountability/demo) has agreements.
    start = today.replace(day=1)
    for _ in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    start = min(start, date(today.year, 1, 1))
    for agency in Agency.objects.agencies().order_by("code"):
        existing = Agreement.objects.filter(agency=agency).order_by("-valid_from").first()
        if existing is None:
            chosen = services if agency.has_vote else [s for s in services if s.module == Module.ICT]
            existing = agreement_create(
                agency=agency,
                reference=f"SLA-{agency.code}-{today.year}",
                valid_from=start,
                calendar=calendar,
                services=chosen,
                grants_service_credits=agency.code in ("UNDP", "UNOPS"),
                # UNOPS agreed that waiting on suppliers does not stop the facility's clock.
                supplier_wait_pauses_clock=agency.code != "UNOPS",
                notes="Demo agreement.",
            )
        agreements[agency.code] = existing
    return agreements


def _working_instant(rng: random.Random, calendar: BusinessCalendar, day: date) -> datetime:
    """A moment of working time on or after `day` (requests arrive while people work)."""
    start = datetime(day.year, day.month, day.day, tzinfo=calendar.zone)
    return calendar.add(start, timedelta(minutes=rng.randint(1, 8 * 60)))


def _later(calendar: BusinessCalendar, start: datetime, minutes: float) -> datetime:
    return calendar.add(start, timedelta(minutes=max(1, int(minutes))))


def history_load(*, months: int = 3, now: datetime | None = None) -> int:
    """Requests of the last `months` months for every agency; returns how many were added (0 if there already)."""
    if LedgerEntry.objects.filter(reference__startswith="DEMO-").exists():
        return 0
    now = now or timezone.now()
    agreements = agreements_ensure()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    agents: dict[str, list[User]] = {
        Module.ICT: list(User.objects.filter(memberships__role=Role.ICT_AGENT, memberships__agency__isnull=True)),
        Module.TRAVEL: list(User.objects.filter(memberships__role=Role.TRAVEL_AGENT, memberships__agency__isnull=True)),
        Module.PROCUREMENT: list(
            User.objects.filter(memberships__role=Role.PROCUREMENT_AGENT, memberships__agency__isnull=True)
        ),
    }
    services = {service.code: service for service in Service.objects.all()}
    first_month = timezone.localdate(now).replace(day=1)
    for _ in range(months - 1):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    added = 0
    with alerts_muted():
        for agency in Agency.objects.agencies().order_by("code"):
            agreement = agreements[agency.code]
            calendar = business_calendar(calendar=agreement.calendar)
            requesters = list(
                User.objects.filter(memberships__agency=agency, memberships__role=Role.REQUESTER).order_by("email")
            )
            scale = max(0.5, min(2.0, agency.headcount / 80))
            number = 0
            for code, per_month in MONTHLY_MIX.items():
                if not agreement.services.filter(service__code=code).exists():
                    continue
                service = services[code]
                total = int(per_month * scale * months)
                for _ in range(total):
                    offset = rng.random() * (now.date() - first_month).days
                    opened = _working_instant(rng, calendar, first_month + timedelta(days=int(offset)))
                    if opened >= now - timedelta(hours=1):
                        continue
                    number += 1
                    reference = f"DEMO-{agency.code}-{service.module.upper()}-{number:04d}"
                    _request_play(
                        rng=rng,
                        calendar=calendar,
                        agency=agency,
                        agreement=agreement,
                        service=service,
                        reference=reference,
                        opened=opened,
                        now=now,
                        requester=rng.choice(requesters) if requesters else None,
                        agent=rng.choice(agents[service.module]) if agents[service.module] else None,
                    )
                    added += 1
            if agreement.services.filter(service__code=AT_RISK_SERVICE).exists():
                number += 1
                _at_risk_play(
                    calendar=calendar,
                    agency=agency,
                    agreement=agreement,
                    service=services[AT_RISK_SERVICE],
                    reference=f"DEMO-{agency.code}-{services[AT_RISK_SERVICE].module.upper()}-{number:04d}",
                    title=rng.choice(TITLES[AT_RISK_SERVICE]),
                    now=now,
                    requester=requesters[0] if requesters else None,
                    agent=agents[services[AT_RISK_SERVICE].module][0]
                    if agents[services[AT_RISK_SERVICE].module]
                    else None,
                )
                added += 1
        clocks_check(now=now)
    return added


def _working_time_before(calendar: BusinessCalendar, end: datetime, wanted: timedelta) -> datetime:
    """The latest instant from which `wanted` of working time has passed by `end` (bisection on the wall clock)."""
    low, high = end - timedelta(days=366), end
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if calendar.working_time_between(middle, end) > wanted:
            low = middle
        else:
            high = middle
    return high


@transaction.atomic
def _at_risk_play(
    *,
    calendar: BusinessCalendar,
    agency: Agency,
    agreement: Agreement,
    service: Service,
    reference: str,
    title: str,
    now: datetime,
    requester: User | None,
    agent: User | None,
) -> None:
    """One request still open with AT_RISK_SHARE of its target used, whatever the day the demo loads.

    Random history leaves the clocks running now wherever chance put them; on
    a Monday morning none may have passed its first warning. The manager's
    "requests at risk" and the requester's next due time always have this one.
    """
    targets = targets_for(agreement=agreement, service=service, priority="")
    main_metric = next(m for m in (Metric.RESOLUTION, Metric.COMPLETION, Metric.AUTHORIZATION) if m in targets)
    opened = _working_time_before(calendar, now, timedelta(minutes=targets[main_metric] * AT_RISK_SHARE))
    entry = entry_open(
        agency=agency,
        service=service,
        reference=reference,
        title=title,
        priority="",
        requester=requester,
        opened_at=opened,
    )
    entry_assign(entry=entry, assignee=agent, at=_later(calendar, opened, 5), actor=agent)
    if Metric.FIRST_RESPONSE in targets:
        clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=_later(calendar, opened, 10), actor=agent)


def _fraction(rng: random.Random) -> float:
    """How much of a target the facility used: mostly well within, about one in eight over."""
    return rng.uniform(1.05, 1.8) if rng.random() < 0.12 else rng.uniform(0.15, 0.95)


@transaction.atomic
def _request_play(
    *,
    rng: random.Random,
    calendar: BusinessCalendar,
    agency: Agency,
    agreement: Agreement,
    service: Service,
    reference: str,
    opened: datetime,
    now: datetime,
    requester: User | None,
    agent: User | None,
) -> None:
    """One request from opening to closing (or as far as it got by now), through the ledger's services.

    ICT tickets go through the helpdesk's own services, so they have their conversation and survey too.
    """
    if service.module == Module.ICT:
        ticket_play(
            rng=rng,
            later=lambda start, minutes: _later(calendar, start, minutes),
            agency=agency,
            agreement=agreement,
            service=service,
            opened=opened,
            now=now,
            requester=requester,
            agent=agent,
            fraction=lambda: _fraction(rng),
        )
        return
    priority = ""
    entry = entry_open(
        agency=agency,
        service=service,
        reference=reference,
        title=rng.choice(TITLES[service.code]),
        priority=priority,
        requester=requester,
        opened_at=opened,
    )
    targets = targets_for(agreement=agreement, service=service, priority=priority)
    moment = _later(calendar, opened, rng.uniform(2, 20))
    if moment >= now:
        return
    entry_assign(entry=entry, assignee=agent, at=moment, actor=agent)
    if Metric.FIRST_RESPONSE in targets:
        moment = _later(calendar, opened, targets[Metric.FIRST_RESPONSE] * _fraction(rng))
        if moment >= now:
            return
        clock_stop(entry=entry, metric=Metric.FIRST_RESPONSE, at=moment, actor=agent)
    main_metric = next(m for m in (Metric.RESOLUTION, Metric.COMPLETION, Metric.AUTHORIZATION) if m in targets)
    used = targets[main_metric] * _fraction(rng)
    # The facility had to wait on the requester or a supplier; call-offs wait on their supplier more often.
    if rng.random() < (0.6 if service.module == Module.PROCUREMENT else 0.3):
        pause_at = _later(calendar, opened, used * rng.uniform(0.2, 0.6))
        if pause_at >= now:
            return
        waiting_on = "supplier" if service.module == Module.PROCUREMENT or rng.random() < 0.25 else "requester"
        entry_pause(entry=entry, waiting_on=waiting_on, at=pause_at, actor=agent)
        wait = rng.uniform(60, 9 * 60 * 2)
        if waiting_on == "supplier" and not agreement.supplier_wait_pauses_clock:
            wait = targets[main_metric] * rng.uniform(0.5, 1.2)  # suppliers are slow, and the clock runs on
        resume_at = _later(calendar, pause_at, wait)
        if resume_at >= now:
            return
        entry_resume(entry=entry, at=resume_at, actor=agent)
        done = _later(calendar, resume_at, used * rng.uniform(0.3, 0.7))
    else:
        done = _later(calendar, opened, used)
    if done >= now:
        return
    if main_metric == Metric.AUTHORIZATION:  # travel: authorization, then the ticket, then the claim
        clock_stop(entry=entry, metric=Metric.AUTHORIZATION, at=done, actor=agent)
        clock_start(entry=entry, metric=Metric.TICKETING, at=done, actor=agent)
        done = _later(calendar, done, targets[Metric.TICKETING] * _fraction(rng))
        if done >= now:
            return
    entry_resolve(entry=entry, at=done, actor=agent)
    entry_billable_record(entry=entry, units=Decimal("1"), at=done, actor=agent)
    if rng.random() < 0.05:
        reopened = _later(calendar, done, rng.uniform(30, 9 * 60))
        if reopened < now:
            entry_reopen(entry=entry, at=reopened, actor=requester, reason="The problem came back.")
            done = _later(calendar, reopened, rng.uniform(30, 240))
            if done >= now:
                return
            entry_resolve(entry=entry, at=done, actor=agent)
    closed = _later(calendar, done, 9 * 60 * 2)
    if closed < now:
        entry_close(entry=entry, at=closed)
