"""Loading the demo facility. Idempotent: running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from accountability.demo.changes import changes_demo_load
from accountability.demo.reports import reports_demo_load
from accountability.demo.reviews import reviews_demo_load
from accountability.demo.scorecards import objectives_demo_load, scorecards_history_load
from accountability.demo.simulations import simulations_demo_load
from accountability.services.scorecards import scorecards_refresh_year
from accounts.models import User
from accounts.services import membership_grant, user_create
from billing.demo import billing_demo_load
from governance.demo import governance_demo_load
from ledger.services import alerts_muted
from procurement.demo import procurement_demo_load
from procurement.demo_receiving import receiving_demo_load
from quality.demo import quality_demo_load_after_beat, quality_demo_load_before_beat
from shared_platform.tasks import beat_run_once
from sourcing.demo.agreements import agreements_demo_load
from sourcing.demo.splits import splits_demo_load
from tenants.models import Agency
from tenants.services import agency_create, facility_ensure
from travel.demo import travel_demo_load
from vendors.demo import roster_ensure

from . import data, sla


@dataclass
class DemoSummary:
    agencies_created: list[str] = field(default_factory=list)
    users_created: int = 0
    requests_added: int = 0
    motions_created: list[str] = field(default_factory=list)
    invoices_issued: list[str] = field(default_factory=list)
    quality_records_added: int = 0


def _person_ensure(
    *, email: str, first_name: str, last_name: str, is_staff: bool = False, summary: DemoSummary
) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(
            email=email, password=data.DEMO_PASSWORD, first_name=first_name, last_name=last_name, is_staff=is_staff
        )
        if is_staff:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        summary.users_created += 1
    return user


def demo_load(*, history_months: int = 3) -> DemoSummary:
    """The Brazil facility: six member agencies and UNAIDS as a partner, a few people per role."""
    summary = DemoSummary()
    facility_ensure()
    for code, name, kind, headcount in data.AGENCIES:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            agency = agency_create(
                code=code, name=name, kind=kind, headcount=headcount, language=data.AGENCY_LANGUAGES.get(code, "en")
            )
            summary.agencies_created.append(code)
        for local, first, last, roles in data.AGENCY_PEOPLE:
            user = _person_ensure(
                email=f"{local}@{code.lower()}.demo", first_name=first, last_name=last, summary=summary
            )
            for role in roles:
                if not agency.has_vote:
                    role = data.PARTNER_BOARD_ROLE.get(role, role)
                membership_grant(user=user, role=role, agency=agency)
    for email, first, last, roles, is_admin in data.FACILITY_PEOPLE:
        user = _person_ensure(email=email, first_name=first, last_name=last, is_staff=is_admin, summary=summary)
        for role in roles:
            membership_grant(user=user, role=role, agency=None)
    # The vendor roster shared by every agency: about thirty vendors, one ineligible, one suspended.
    roster_ensure()
    summary.requests_added = sla.history_load(months=history_months) if history_months else 0
    summary.requests_added += scorecards_history_load(recent_months=history_months) if history_months else 0
    # Purchases from requisition to order, with sealed bids opened and evaluated, before billing meters them.
    summary.requests_added += procurement_demo_load(months=history_months) if history_months else 0
    # Long-term agreements (UNFPA piggybacking on UNDP's, one near its ceiling, one expired), a split purchase,
    # then the orders received, invoiced (one held) and their vendors rated.
    summary.requests_added += agreements_demo_load() if history_months else 0
    summary.requests_added += splits_demo_load() if history_months else 0
    receiving_demo_load(months=history_months)
    # Trips from request to settlement, with the ICSC DSA table they are computed with.
    summary.requests_added += travel_demo_load(months=history_months) if history_months else 0
    # The board: one decided motion (in the register) and one open silence procedure.
    summary.motions_created = governance_demo_load().motions_created
    # Billing: the past months invoiced (one corrected by a credit note), the current month in draft.
    summary.invoices_issued = billing_demo_load(months=history_months).invoices_issued
    # Agreement change requests: UNDP's approved by both sides (a new version from next month), UNAIDS's to assess.
    changes_demo_load()
    # The board's fair-cost simulation of the past invoiced months, cited by a draft motion to share by usage.
    simulations_demo_load()
    # Quality: the facility's processes, controlled documents (the procurement manual in its second version)
    # and a backlog of suggestions, before beat opens nonconformities from the history's breaches.
    summary.quality_records_added = quality_demo_load_before_beat() if history_months else 0
    # What the running system writes by itself: beat's clock checks (breaches with no person behind
    # them), motions closed at their deadline, tickets closed after the reopen period. Quietly: the
    # history's alerts are long past.
    with alerts_muted():
        beat_run_once()
    # Then the quality focal point's work on those nonconformities (one action verified effective, one
    # reopened), a complaint, and the internal audits.
    summary.quality_records_added += quality_demo_load_after_beat() if history_months else 0
    summary.quality_records_added += objectives_demo_load() if history_months else 0
    # Accountability: last months' service reports, each written (and its month refreshed) on the first working
    # day after it, sent, and an evidence pack for UNDP's auditors.
    reports_demo_load() if history_months else None
    # Then the year's scorecards as of now (the reports refreshed their months as of their own day), which the
    # management review's pack reads.
    scorecards_refresh_year(now=timezone.now())
    summary.quality_records_added += reviews_demo_load() if history_months else 0  # after the scorecards' refresh
    return summary
