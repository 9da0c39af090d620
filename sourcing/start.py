"""Long-term agreements on the start page and in the approvals inbox.

- An owner agency's approver: the requests to join its agreements, in the one
  approvals inbox (never one they asked for themselves).
- The owner agency's approvers (its address) and the facility's procurement
  officers and manager (the portal): the agreements in force at 80 % or more
  of their ceiling, before call-offs start to be refused.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from shared_platform.start import Approval, Count, Item, Link, Panel, Viewer

from .selectors.agreements import agreements_near_ceiling, piggybacks_waiting
from .services.agreements import usd_text

SHOWN = 5
BUYER_ROLES = frozenset({Role.PROCUREMENT_AGENT, Role.FACILITY_MANAGER})


def _url(name: str, *args: str, facility: bool) -> str:
    return reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF if facility else settings.ROOT_URLCONF)


def approvals(*, viewer: Viewer) -> list[Approval]:
    if viewer.on_facility or Role.APPROVER not in viewer.roles:
        return []
    return [
        Approval(
            module=_("Long-term agreements"),
            reference=piggyback.agreement.reference,
            title=_("%(agency)s asks to join: %(title)s")
            % {"agency": piggyback.agency.code, "title": piggyback.agreement.title},
            url=_url("sourcing:piggyback-decide", piggyback.agreement.reference, str(piggyback.pk), facility=False),
            agency_code=piggyback.agency.code,
            requested_by=piggyback.requested_by.get_full_name() or piggyback.requested_by.email,
            waiting_since=piggyback.requested_at,
        )
        for piggyback in piggybacks_waiting(owner=viewer.address).exclude(requested_by=viewer.user)
    ]


def start_panels(*, viewer: Viewer) -> list[Panel]:
    if viewer.on_facility:
        if not (viewer.user.is_staff or viewer.roles & BUYER_ROLES):
            return []
        near = agreements_near_ceiling(on=timezone.localdate())
    else:
        if Role.APPROVER not in viewer.roles:
            return []
        near = agreements_near_ceiling(owner=viewer.address, on=timezone.localdate())
    if not near:
        return []
    facility = viewer.on_facility
    return [
        Panel(
            key="sourcing-near-ceiling",
            title=_("Long-term agreements near their ceiling"),
            counts=[
                Count(
                    len(near),
                    _("at 80 % or more of the ceiling"),
                    _url("sourcing:agreements", facility=facility) + ("?status=near_ceiling" if facility else ""),
                    alarming=True,
                )
            ],
            items=[
                Item(
                    label=f"{agreement.reference} · {agreement.owner.code} · {agreement.title}",
                    url=_url("sourcing:agreement", agreement.reference, facility=facility),
                    detail=_("%(percent)d %% consumed; %(remaining)s USD remains")
                    % {"percent": figures.percent, "remaining": usd_text(figures.remaining_usd)},
                )
                for agreement, figures in near[:SHOWN]
            ],
            more=Link(_("All long-term agreements"), _url("sourcing:agreements", facility=facility))
            if len(near) > SHOWN
            else None,
            order=30,
        )
    ]
