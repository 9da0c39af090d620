"""The ledger's part of the start page: a person's open requests across modules; the manager's risks."""

from __future__ import annotations

from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from shared_platform.start import Count, Item, Link, Panel, Viewer

from .models import OPEN_STATUSES, ClockState, LedgerEntry
from .selectors import LedgerFilters, at_risk, raised_by_or_names

SHOWN = 8


def start_panels(*, viewer: Viewer) -> list[Panel]:
    if viewer.on_facility:
        if viewer.user.is_staff or Role.FACILITY_MANAGER in viewer.roles:
            return [_at_risk_panel()]
        return []
    return [_own_requests_panel(viewer)]


def _own_requests_panel(viewer: Viewer) -> Panel:
    """The requests this person raised or is named on that are still open, the next one due first."""
    now = timezone.now()
    running = Q(clocks__state=ClockState.RUNNING)
    entries = (
        LedgerEntry.objects.filter(agency=viewer.address, status__in=OPEN_STATUSES)
        .filter(raised_by_or_names(viewer.user))
        .select_related("service")
        .annotate(next_due=Min("clocks__due_at", filter=running))
        .order_by("next_due", "-opened_at")
    )
    total = entries.count()
    items = [
        Item(
            label=f"{entry.reference} · {entry.title}",
            url=reverse("ledger-request", args=[entry.reference]),
            detail=f"{entry.service.name} · {entry.get_status_display()}",
            due_at=entry.next_due,  # type: ignore[attr-defined]
            overdue=bool(entry.next_due and entry.next_due < now),  # type: ignore[attr-defined]
        )
        for entry in entries[:SHOWN]
    ]
    return Panel(
        key="my-requests",
        title=_("Your open requests"),
        items=items,
        empty=_("You have no open request. Use a button above to ask the facility for something."),
        more=Link(_("All %(count)s of your requests") % {"count": total}, reverse("ledger-requests"))
        if total > SHOWN
        else None,
        order=10,
    )


def _at_risk_panel() -> Panel:
    """The facility manager's view of what may breach: open requests past their first warning."""
    risks = at_risk(filters=LedgerFilters())
    overdue = sum(1 for risk in risks if risk.left.total_seconds() < 0)
    dashboard = reverse("sla-dashboard")
    return Panel(
        key="at-risk",
        title=_("Requests at risk now"),
        counts=[
            Count(overdue, _("overdue"), f"{dashboard}#at-risk", alarming=overdue > 0),
            Count(len(risks) - overdue, _("past a warning"), f"{dashboard}#at-risk"),
        ],
        items=[
            Item(
                label=f"{risk.entry.reference} · {risk.entry.agency.code} · {risk.entry.service.code}",
                url=reverse("ledger-request", args=[risk.entry.reference]),
                detail=f"{risk.clock.get_metric_display()} · {risk.used_percent}%",
                due_at=risk.clock.due_at,
                overdue=risk.left.total_seconds() < 0,
            )
            for risk in risks[:SHOWN]
        ],
        empty=_("Nothing is at risk right now."),
        more=Link(_("SLA dashboard"), dashboard),
        order=10,
    )
