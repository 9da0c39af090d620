"""What agreement change requests add to the start pages and the approvals inbox.

- Approvals: on an agency's address, its approvers see the assessed requests
  their agency has not approved yet (never one they proposed themselves); on
  the facility portal, the facility manager sees the assessed requests the
  facility has not approved yet.
- Panels: the facility's assessors (manager and finance) see the submitted
  requests waiting for their assessment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from ..access import AGENCY_CHANGE_APPROVER_ROLES, CHANGE_ASSESSOR_ROLES, CHANGE_FACILITY_APPROVER_ROLES
from ..models import AgreementChangeRequest
from .changes import awaiting_agency_approval, awaiting_assessment, awaiting_facility_approval

if TYPE_CHECKING:
    from shared_platform.start import Approval, Panel, Viewer

MAX_ITEMS = 10


def _approval(change: AgreementChangeRequest) -> Approval:
    from shared_platform.start import Approval

    return Approval(
        module=_("Agreement change"),
        reference=change.reference,
        title=change.summary,
        url=reverse("accountability:change", args=[change.reference]),
        agency_code=change.agency.code,
        requested_by=str(change.requested_by),
        waiting_since=change.assessed_at or change.requested_at,
    )


def approvals(*, viewer: Viewer) -> list[Approval]:
    if viewer.on_facility:
        if not viewer.roles & CHANGE_FACILITY_APPROVER_ROLES:
            return []
        return [_approval(change) for change in awaiting_facility_approval().order_by("assessed_at", "pk")]
    if not viewer.roles & AGENCY_CHANGE_APPROVER_ROLES:
        return []
    waiting = awaiting_agency_approval(agency=viewer.address).exclude(requested_by=viewer.user)
    return [_approval(change) for change in waiting.order_by("assessed_at", "pk")]


def panels(*, viewer: Viewer) -> list[Panel]:
    from shared_platform.start import Item, Link, Panel

    if not viewer.on_facility or not viewer.roles & CHANGE_ASSESSOR_ROLES:
        return []
    waiting = list(awaiting_assessment().order_by("requested_at", "pk")[: MAX_ITEMS + 1])
    if not waiting:
        return []
    items = [
        Item(
            label=f"{change.reference} · {change.agency.code}",
            url=reverse("accountability:change", args=[change.reference]),
            detail=change.summary,
        )
        for change in waiting[:MAX_ITEMS]
    ]
    return [
        Panel(
            key="accountability-changes-to-assess",
            title=_("Agreement changes to assess"),
            items=items,
            more=Link(_("Every change request"), reverse("accountability:changes") + "?status=submitted")
            if len(waiting) > MAX_ITEMS
            else None,
            order=45,
        )
    ]
