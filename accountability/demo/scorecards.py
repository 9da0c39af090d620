"""The demo's year of scorecards and its two quality objectives.

The SLA history (demo/sla.py) plays the last three months in full. For a
year of scorecards this plays the nine months before them, lighter (ICT
incidents only, about eight per agency and month), through the same
helpdesk and ledger services at past instants, so every older cell comes
from real ledger rows, breaches and ratings. It runs before beat, which then
records what the running system would have (nonconformities from breaches).

After the quality focal point's work, two objectives are set as she would
set them: ICT resolution compliance of at least 95 % per quarter for every
agency (some agencies miss it in the demo's data), and the requesters'
average satisfaction of at least 3 per quarter for the facility as a whole
(met). `demo_load` ends with a refresh of the year's cells.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.models import Role, User
from demo import sla
from ledger.models import LedgerEntry
from ledger.services import alerts_muted, clocks_check
from service_levels.models import Module, Service
from service_levels.selectors import business_calendar
from tenants.models import Agency

from ..models import QualityObjective
from ..services.objectives import objective_create

SEED = 20251201
OLDER_SERVICE = "ICT-INC"
OLDER_PER_MONTH = 4
QUALITY_EMAIL = "quality@facility.demo"


def _month_before(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def scorecards_history_load(*, recent_months: int = 3, months: int = 12) -> int:
    """Requests of the months before the SLA history, back to a year before now; how many were added (0 if there)."""
    now = timezone.now()
    until = timezone.localdate(now).replace(day=1)
    for _ in range(recent_months - 1):
        until = _month_before(until)
    first = until
    for _ in range(months - recent_months):
        first = _month_before(first)
    zone_start = datetime(until.year, until.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
    if first >= until or LedgerEntry.objects.filter(opened_at__lt=zone_start).exists():
        return 0
    agreements = sla.agreements_ensure()
    service = Service.objects.get(code=OLDER_SERVICE)
    agents = list(User.objects.filter(memberships__role=Role.ICT_AGENT, memberships__agency__isnull=True))
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    end = zone_start - timedelta(hours=1)
    added = 0
    with alerts_muted():
        for agency in Agency.objects.agencies().order_by("code"):
            agreement = agreements[agency.code]
            if agreement.valid_from > first or not agreement.services.filter(service=service).exists():
                continue
            calendar = business_calendar(calendar=agreement.calendar)
            requesters = list(
                User.objects.filter(memberships__agency=agency, memberships__role=Role.REQUESTER).order_by("email")
            )
            for _ in range(OLDER_PER_MONTH * (months - recent_months)):
                offset = rng.random() * (until - first).days
                opened = sla._working_instant(rng, calendar, first + timedelta(days=int(offset)))
                if opened >= end:
                    continue
                sla._request_play(
                    rng=rng,
                    calendar=calendar,
                    agency=agency,
                    agreement=agreement,
                    service=service,
                    reference="",  # ICT tickets are numbered by the helpdesk
                    opened=opened,
                    # The older months are over: every request of them was played to its end.
                    now=end,
                    requester=rng.choice(requesters) if requesters else None,
                    agent=rng.choice(agents) if agents else None,
                )
                added += 1
        clocks_check(now=end)
    return added


def objectives_demo_load() -> int:
    """The two objectives the quality focal point keeps (clause 6.2); how many were set (0 if already there)."""
    if QualityObjective.objects.exists():
        return 0
    keeper = User.objects.get(email=QUALITY_EMAIL)
    year_ago = timezone.localdate().replace(day=1) - timedelta(days=365)
    start = date(year_ago.year, 3 * ((year_ago.month - 1) // 3) + 1, 1)
    objective_create(
        created_by=keeper,
        title="ICT resolution compliance at least 95 % per quarter for every agency",
        metric="sla_compliance",
        comparison="at_least",
        target=Decimal("95"),
        period_kind="quarter",
        scope="every_agency",
        module=Module.ICT,
        owner=keeper,
        valid_from=start,
    )
    objective_create(
        created_by=keeper,
        title="Requesters' satisfaction at least 3 out of 5 per quarter across the facility",
        metric="satisfaction",
        comparison="at_least",
        target=Decimal("3"),
        period_kind="quarter",
        scope="facility",
        module="",
        owner=keeper,
        valid_from=start,
    )
    return 2
