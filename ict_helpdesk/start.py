"""The helpdesk's part of the start page: a button to report a problem; the agents' queue at a glance."""

from __future__ import annotations

from django.db.models import Count as CountOf
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from service_levels.selectors import services_covered
from shared_platform.start import Count, Item, Link, Panel, Viewer

from .models import SERVICE_OF_KIND
from .selectors import HELPDESK_AGENT_ROLES, QueueFilters, queue

SHOWN = 5


def new_request_links(*, viewer: Viewer) -> list[Link]:
    """On an agency's address, when its agreement in force covers the helpdesk's services."""
    if viewer.on_facility:
        return []
    if not services_covered(agency=viewer.address, on=timezone.localdate()) & set(SERVICE_OF_KIND.values()):
        return []
    return [Link(_("Report an ICT problem or ask for ICT help"), reverse("helpdesk:ticket-new"))]


def start_panels(*, viewer: Viewer) -> list[Panel]:
    """The ICT agents (and the manager who stands in for them): the queue's counts by urgency, the top tickets."""
    if not viewer.on_facility or not (viewer.user.is_staff or viewer.roles & HELPDESK_AGENT_ROLES):
        return []
    now = timezone.now()
    tickets = queue(filters=QueueFilters())
    figures = tickets.aggregate(
        overdue=CountOf("pk", filter=Q(overdue_since__isnull=False)),
        critical=CountOf("pk", filter=Q(priority="P1")),
        unassigned=CountOf("pk", filter=Q(assignee__isnull=True)),
        mine=CountOf("pk", filter=Q(assignee=viewer.user)),
    )
    url = reverse("helpdesk:queue")
    return [
        Panel(
            key="ict-queue",
            title=_("ICT queue"),
            counts=[
                Count(figures["overdue"], _("overdue"), url, alarming=figures["overdue"] > 0),
                Count(figures["critical"], _("critical (P1)"), f"{url}?priority=P1", alarming=figures["critical"] > 0),
                Count(figures["unassigned"], _("not taken yet"), f"{url}?assignee=none"),
                Count(figures["mine"], _("yours"), f"{url}?assignee={viewer.user.pk}"),
            ],
            items=[
                Item(
                    label=f"{entry.reference} · {entry.agency.code} · {entry.title}",
                    url=reverse("helpdesk:agent-ticket", args=[entry.reference]),
                    detail=f"{entry.priority} · {entry.get_status_display()}",
                    due_at=entry.overdue_since or entry.next_due,  # type: ignore[attr-defined]
                    overdue=entry.overdue_since is not None  # type: ignore[attr-defined]
                    or bool(entry.next_due and entry.next_due < now),  # type: ignore[attr-defined]
                )
                for entry in tickets[:SHOWN]
            ],
            empty=_("The queue is empty."),
            more=Link(_("Open the queue"), url),
            order=20,
        )
    ]
