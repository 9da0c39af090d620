"""Scorecards and quality objectives on the start page.

- The facility manager and the quality focal point (portal): "Quality
  objectives", the ones missed in their last completed period, each linked.
- An agency's approvers and finance officers (its address): their agency's
  SLA compliance last month, one count linked to the month's scorecard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role

from ..access import REVIEW_KEEPER_ROLES
from .objectives import objectives_status
from .scorecards import cells, months_back, totals

if TYPE_CHECKING:
    from shared_platform.start import Approval, Panel, Viewer

SHOWN = 5
AGENCY_ROLES = frozenset({Role.APPROVER, Role.AGENCY_FINANCE})


def _url(name: str, *args: str, facility: bool) -> str:
    return reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF if facility else settings.ROOT_URLCONF)


def _objectives_panel() -> list[Panel]:
    from shared_platform.start import Count, Item, Link, Panel

    status = objectives_status(until=timezone.localdate())
    if not status:
        return []
    missed = [(objective, last) for objective, last, _current in status if last is not None and last.met is False]
    return [
        Panel(
            key="accountability-objectives",
            title=_("Quality objectives"),
            counts=[
                Count(
                    len(missed),
                    _("missed in their last period"),
                    _url("accountability:objectives", facility=True),
                    alarming=bool(missed),
                )
            ]
            if missed
            else [],
            items=[
                Item(
                    label=f"{objective.reference} · {objective.title}",
                    url=_url("accountability:objective", objective.reference, facility=True),
                    detail=_("Missed in %(period)s by %(who)s")
                    % {"period": last.label, "who": ", ".join(line.label for line in last.missed_lines) or "–"},
                    overdue=True,
                )
                for objective, last in missed[:SHOWN]
            ],
            empty=_("Every quality objective was met in its last period."),
            more=Link(_("All quality objectives"), _url("accountability:objectives", facility=True)),
            order=40,
        )
    ]


def _compliance_panel(viewer: Viewer) -> list[Panel]:
    from shared_platform.start import Count, Link, Panel

    last_month = months_back(until=timezone.localdate(), count=2)[0]
    figures = totals(cells(scope=viewer.address, months=[last_month]))
    month = date_format(last_month, "YEAR_MONTH_FORMAT")
    url = (
        _url("accountability:scorecards", facility=False)
        + f"?month_from={last_month:%Y-%m}&month_to={last_month:%Y-%m}"
    )
    counts = (
        [
            Count(
                figures.breached,
                _("breached of %(delivered)s requests delivered in %(month)s: %(percent)s %% within target")
                % {"delivered": figures.delivered, "month": month, "percent": figures.compliance},
                url,
                alarming=bool(figures.breached),
            )
        ]
        if figures.delivered
        else []
    )
    return [
        Panel(
            key="accountability-compliance",
            title=_("SLA compliance last month"),
            counts=counts,
            empty=_("No request was delivered to the agency in %(month)s.") % {"month": month},
            more=Link(_("The agency's scorecards"), _url("accountability:scorecards", facility=False)),
            order=45,
        )
    ]


def panels(*, viewer: Viewer) -> list[Panel]:
    if viewer.on_facility:
        if viewer.roles & REVIEW_KEEPER_ROLES:
            return _objectives_panel()
        return []
    if viewer.roles & AGENCY_ROLES:
        return _compliance_panel(viewer)
    return []


def approvals(*, viewer: Viewer) -> list[Approval]:
    return []
