"""Demo: the monthly service reports of the past months, sent, and one evidence pack for UNDP's auditors.

Written through the services at the instants the running system would have
written them: each past month's report on the facility's first working day
of the following month (08:00, facility time; never later than now), marked
sent to the agency's focal points with the e-mails muted (the demo's history
is long past, as every module's step e-mails are then), and one evidence pack
for UNDP covering the last three complete months, assembled here rather than
by the worker (the demo loads before the worker starts; the task queued for
it later finds it ready and leaves it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from accounts.models import User
from billing.selectors import current_month
from ledger.models import LedgerEntry
from ledger.services import alerts_muted
from tenants.models import Agency

from ..models import EvidencePack
from ..selectors.reports import agencies_under_agreement, first_working_day, previous_month
from ..selectors.scorecards import month_after
from ..services.evidence import evidence_pack_build, evidence_pack_request
from ..services.reports import service_report_send, service_report_write
from ..services.scorecards import scorecards_refresh

UNDP_FINANCE_EMAIL = "finance@undp.demo"


@dataclass
class ReportsDemoSummary:
    reports_written: int = 0
    packs_ready: int = 0


def _written_at(month: date) -> datetime:
    """08:00 on the facility's first working day after the month, or now if that is still ahead."""
    day = first_working_day(month=month_after(month))
    moment = timezone.make_aware(datetime.combine(day, time(8, 0)))
    return min(moment, timezone.now())


def reports_demo_load() -> ReportsDemoSummary:
    summary = ReportsDemoSummary()
    first_entry = LedgerEntry.objects.order_by("opened_at").values_list("opened_at", flat=True).first()
    if first_entry is None:
        return summary
    month = timezone.localtime(first_entry).date().replace(day=1)
    this_month = current_month()
    with alerts_muted():
        while month < this_month:
            now = _written_at(month)
            agencies = list(agencies_under_agreement(month=month))
            if agencies:
                scorecards_refresh(months=[month], now=now)
            for agency in agencies:  # a report the beat already sent is kept as sent
                report = service_report_write(agency=agency, month=month, now=now, scorecards_fresh=True)
                if report.sent_at is None:
                    service_report_send(report=report, now=now)
                    summary.reports_written += 1
            month = month_after(month)
    summary.packs_ready += _undp_pack()
    return summary


def _undp_pack() -> int:
    finance = User.objects.filter(email=UNDP_FINANCE_EMAIL).first()
    undp = Agency.objects.filter(code="UNDP").first()
    if finance is None or undp is None or EvidencePack.objects.filter(agency=undp).exists():
        return 0
    last = previous_month(current_month())
    first = previous_month(previous_month(last))
    pack = evidence_pack_request(
        agency=undp,
        month_from=first,
        month_to=last,
        requested_by=finance,
        now=timezone.now(),
    )
    evidence_pack_build(pack_id=pack.pk)
    return 1
