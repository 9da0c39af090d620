"""The demo's nonconformities, written through the services as the running system would write them.

The platform opens them from the history's breaches and low ratings; the
quality focal point has worked two through (one found effective over a past
month and closed, one reopened by a recurrence, with a new action open); a
complaint is raised by hand from a low rating's comment; the others wait for
the quality focal point to work them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from ledger.models import Holder, SlaBreach

from ..models import CriterionKind, EffectivenessCheck, Feedback, Nonconformity, NonconformitySource
from ..services import nonconformities as services
from ..services.feedback import feedback_complaint_raise


@dataclass(frozen=True)
class _Period:
    start: date
    end: date
    breaches: int


def _month_after(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _next_month_period(nonconformity: Nonconformity) -> _Period:
    """The month after the nonconformity's, with the facility-held breaches of its agency and service in it."""
    assert nonconformity.month is not None
    start = _month_after(nonconformity.month)
    end = _month_after(start) - timedelta(days=1)
    lower, upper = services.period_bounds(start, end)
    count = SlaBreach.objects.filter(
        held_by=Holder.FACILITY,
        agency=nonconformity.agency_id,
        service=nonconformity.service_id,
        due_at__gte=lower,
        due_at__lt=upper,
    ).count()
    return _Period(start=start, end=end, breaches=count)


def _work(
    nonconformity: Nonconformity, *, by: User, owner: User, at: datetime, root_cause: str, actions: list[str]
) -> None:
    services.nonconformity_correct(
        nonconformity=nonconformity,
        correction="The breached requests were escalated and resolved; the requesters were told why.",
        by=by,
        at=at,
    )
    services.nonconformity_analyse(nonconformity=nonconformity, root_cause=root_cause, by=by, at=at)
    for description in actions:
        action = services.action_add(
            nonconformity=nonconformity,
            description=description,
            owner=owner,
            due_on=timezone.localdate(at) + timedelta(days=14),
            by=by,
            at=at,
        )
        services.action_done(action=action, note="Done and communicated to the team.", by=owner, at=at)


@transaction.atomic
def nonconformities_demo_load(*, now: datetime) -> int:
    """Open the history's nonconformities and work two through; returns how many nonconformities there are."""
    # Beat (the demo's last run, or a running worker) may have opened the automatic ones already: what marks
    # this demo as loaded is the quality focal point's work, the effectiveness checks.
    if EffectivenessCheck.objects.exists():
        return 0
    services.nonconformities_raise_automatic(now=now)
    quality = User.objects.get(email="quality@facility.demo")
    today = timezone.localdate(now)
    candidates = [
        (nonconformity, _next_month_period(nonconformity))
        # The root cause and actions below are the ICT desk's: work nonconformities of ICT services.
        for nonconformity in Nonconformity.objects.filter(
            source=NonconformitySource.SLA_BREACH, service__code__startswith="ICT-"
        )
        .select_related("agency", "service", "owner")
        .order_by("month", "agency__code", "service__code")
    ]
    # Only months over: the figure the check reads is the ledger's, whole.
    candidates = [(nc, period) for nc, period in candidates if period.end < today]
    # Effective: a month followed by at most one breach; failing that, by fewer breaches than the month had.
    effective = next(((nc, period, 1) for nc, period in candidates if period.breaches <= 1), None)
    if effective is None:
        effective = next(
            (
                (nc, period, nc.breaches.count() - 1)
                for nc, period in candidates
                if period.breaches < nc.breaches.count()
            ),
            None,
        )
    # Reopened: a month followed by more breaches than its check allows.
    recurring = next(
        (
            (nc, period, 0 if period.breaches < 2 else 1)
            for nc, period in sorted(candidates, key=lambda pair: -pair[1].breaches)
            if period.breaches >= 1 and (effective is None or nc != effective[0])
        ),
        None,
    )
    for chosen in (effective, recurring):
        if chosen is None:
            continue
        nonconformity, period, threshold = chosen
        owner = nonconformity.owner or quality
        _work(
            nonconformity,
            by=quality,
            owner=owner,
            at=now,
            root_cause=(
                "Priority 1 incidents raised after 16:00 waited for the next morning: "
                "no one was on call in the last hour of the business day."
            ),
            actions=[
                "Publish an on-call rota covering the last hour of each business day",
                "Alert the on-call agent by SMS on a P1",
            ],
        )
        services.check_plan(
            nonconformity=nonconformity,
            criterion=services.Criterion(
                kind=CriterionKind.SLA_BREACHES,
                period_start=period.start,
                period_end=period.end,
                threshold=threshold,
                agency=nonconformity.agency,
                service=nonconformity.service,
            ),
            by=quality,
            at=now,
        )
    services.checks_evaluate(now=now)
    if recurring is not None:
        nonconformity = recurring[0]
        nonconformity.refresh_from_db()
        services.action_add(
            nonconformity=nonconformity,
            description="Review the rota with the ICT team lead: the breaches continued after it was published",
            owner=nonconformity.owner or quality,
            due_on=today + timedelta(days=10),
            by=quality,
            at=now,
        )
    complaint = Feedback.objects.filter(rating__lte=2).exclude(comment="").select_related("agency", "service", "entry")
    first = complaint.order_by("at", "pk").first()
    if first is not None:
        feedback_complaint_raise(
            feedback=first,
            title=f"Complaint from {first.agency.code} about {first.entry.reference}",
            raised_by=quality,
            at=now,
        )
    return Nonconformity.objects.count()
