"""The demo's agreement change requests: one approved by both sides, one waiting for the facility's assessment.

- UNDP asks for better service credits (15 % per breach, capped at 8 % a month)
  and a shorter P1 resolution target (3 hours) from the first day of next
  month: its finance officer proposes, facility finance assesses, UNDP's
  approver and the facility manager approve, so a new version of UNDP's
  agreement exists from that day.
- UNAIDS, which takes only ICT, asks to add travel requests: submitted, waiting
  for the facility's assessment.

Through the services, at instants of the past two weeks, as the running system
would have written them; quietly (no e-mails). Idempotent: nothing happens if a
change request exists. Called by demo.services.demo_load after billing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from ledger.services import alerts_muted
from service_levels.selectors import agreement_in_force
from tenants.models import Agency

from ..models import AgreementChangeRequest
from ..services import changes


def _at(days_ago: int, hour: int) -> datetime:
    moment = timezone.localtime() - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=15, second=0, microsecond=0)


def changes_demo_load() -> int:
    """Returns how many change requests were added."""
    if AgreementChangeRequest.objects.exists():
        return 0
    undp = Agency.objects.filter(code="UNDP").first()
    unaids = Agency.objects.filter(code="UNAIDS").first()
    if undp is None or unaids is None:
        return 0
    today = timezone.localdate()
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    people = {user.email: user for user in User.objects.filter(email__endswith=".demo")}
    added = 0
    with alerts_muted():
        agreement = agreement_in_force(agency=undp, on=today)
        if agreement is not None:
            request = changes.change_request_submit(
                agency=undp,
                agreement=agreement,
                summary="Higher service credits and a 3-hour P1 resolution",
                reason=(
                    "Critical incidents stop our field offices; we ask for a faster P1 resolution and credits "
                    "that weigh more when it is missed."
                ),
                effective_from=next_month,
                target_changes=[
                    {"service": "ICT-INC", "metric": "resolution", "priority": "P1", "target_minutes": 180}
                ],
                grants_service_credits=True,
                credit_percent="15.00",
                credit_cap_percent="8.00",
                by=people["finance@undp.demo"],
                at=_at(12, 10),
            )
            changes.change_request_assess(
                request=request,
                price_effect=(
                    "No change to unit prices. At last quarter's breach rate, credits would rise by about "
                    "USD 40 a month, within the new 8 % cap."
                ),
                target_effect="ICT-INC P1 resolution from 4 hours to 3 hours of business time; others unchanged.",
                by=people["finance@facility.demo"],
                at=_at(9, 15),
            )
            changes.change_request_approve_agency(request=request, by=people["approver@undp.demo"], at=_at(7, 11))
            changes.change_request_approve_facility(request=request, by=people["manager@facility.demo"], at=_at(6, 9))
            added += 1
        agreement = agreement_in_force(agency=unaids, on=today)
        if agreement is not None and not agreement.services.filter(service__code="TRV-TA").exists():
            changes.change_request_submit(
                agency=unaids,
                agreement=agreement,
                summary="Add travel requests",
                reason="Our missions grow next year; we want the facility to process our travel as for members.",
                effective_from=next_month,
                services_added=["TRV-TA"],
                by=people["finance@unaids.demo"],
                at=_at(2, 14),
            )
            added += 1
    return added
