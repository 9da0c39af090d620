"""Travel's part of the start page and the approvals inbox.

- An agency's approver: the travel requests waiting for their decision (never one they asked for or travel
  on) in the one inbox, and where the agency's travellers are this week (duty of care).
- A "New travel request" button on an agency's address whose agreement in force covers travel.
- Facility travel officers: the travel queue at a glance by step, from the ledger (one indexed query).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Count as CountOf
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.models import Role, User
from ledger.models import OPEN_STATUSES, LedgerEntry
from service_levels.models import Module
from service_levels.selectors import services_covered
from shared_platform.start import Approval, Count, Item, Link, Panel, Viewer
from tenants.models import Agency

from . import selectors
from .models import TRAVEL_SERVICE, TravelRequest, TripStatus
from .services import STEP_CLAIM, STEP_TICKETING, STEP_TRAVELLING

SHOWN = 5


def travel_covered(agency: Agency) -> bool:
    """Whether the agency's agreement in force today covers travel."""
    return TRAVEL_SERVICE in services_covered(agency=agency, on=timezone.localdate())


def _facility_url(name: str, *args: str) -> str:
    return reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def _agency_url(name: str, *args: str) -> str:
    return reverse(name, args=args, urlconf=settings.ROOT_URLCONF)


def approvals(*, viewer: Viewer) -> list[Approval]:
    if viewer.on_facility or Role.APPROVER not in viewer.roles:
        return []
    with schema_context(viewer.address.schema_name):
        me = viewer.user.pk
        waiting = list(
            TravelRequest.objects.filter(status=TripStatus.SUBMITTED)
            .exclude(requester_id=me)
            .exclude(traveller_id=me)
            .order_by("submitted_at", "pk")
        )
        names = {
            user.pk: user.get_full_name() or user.email
            for user in User.objects.filter(pk__in={trip.requester_id for trip in waiting})
        }
        return [
            Approval(
                module=_("Travel"),
                reference=trip.reference,
                title=_("%(traveller)s, %(start)s to %(end)s")
                % {
                    "traveller": trip.traveller_name,
                    "start": date_format(trip.departs_on, "SHORT_DATE_FORMAT"),
                    "end": date_format(trip.returns_on, "SHORT_DATE_FORMAT"),
                }
                + (" · " + _("less than 21 days ahead") if trip.late_request else ""),
                url=_agency_url("travel:trip", trip.reference),
                agency_code=viewer.address.code,
                requested_by=names.get(trip.requester_id, ""),
                waiting_since=trip.submitted_at,
            )
            for trip in waiting
        ]


def new_request_links(*, viewer: Viewer) -> list[Link]:
    if viewer.on_facility or not travel_covered(viewer.address):
        return []
    return [Link(_("New travel request"), _agency_url("travel:trip-new"))]


def start_panels(*, viewer: Viewer) -> list[Panel]:
    if viewer.on_facility:
        if viewer.user.is_staff or viewer.roles & selectors.TRAVEL_OFFICER_ROLES:
            return [_queue_panel()]
        return []
    if Role.APPROVER in viewer.roles:
        return [_away_panel(viewer)]
    return []


def _queue_panel() -> Panel:
    """The travel queue at a glance: how many trips wait at each step, across agencies."""
    figures = LedgerEntry.objects.filter(
        module=Module.TRAVEL, status__in=OPEN_STATUSES, detail_id__isnull=False
    ).aggregate(
        ticketing=CountOf("pk", filter=Q(step=STEP_TICKETING)),
        travelling=CountOf("pk", filter=Q(step=STEP_TRAVELLING)),
        claims=CountOf("pk", filter=Q(step=STEP_CLAIM)),
    )
    url = _facility_url("travel:queue")
    return Panel(
        key="travel-queue",
        title=_("Travel queue"),
        counts=[
            Count(
                figures["ticketing"],
                _("approved, waiting for clearance and ticket"),
                f"{url}?step={STEP_TICKETING}",
                alarming=figures["ticketing"] > 0,
            ),
            Count(figures["travelling"], _("travelling or due to travel"), f"{url}?step={STEP_TRAVELLING}"),
            Count(figures["claims"], _("claims to settle"), f"{url}?step={STEP_CLAIM}", alarming=figures["claims"] > 0),
        ],
        empty=_("No trip is in progress."),
        more=Link(_("Open the travel queue"), url),
        order=22,
    )


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _away_panel(viewer: Viewer) -> Panel:
    with schema_context(viewer.address.schema_name):
        away = selectors.whereabouts()
    url = _agency_url("travel:duty-of-care")
    return Panel(
        key="travel-away",
        title=_("Travellers away this week"),
        items=[
            Item(
                label=f"{where.traveller} · {where.place}",
                url=_agency_url("travel:trip", where.reference),
                detail=f"{_short(where.arrives)} – {_short(where.leaves)}",
            )
            for where in away[:SHOWN]
        ],
        empty=_("Nobody of your agency travels in the next 7 days."),
        more=Link(_("Duty of care: where your travellers are"), url),
        order=30,
    )
