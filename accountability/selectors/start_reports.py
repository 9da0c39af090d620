"""The service reports' part of the start page: an agency's focal points see its latest report while it is new.

On an agency's address, its approvers and finance officers (who receive the
report by e-mail) see one item, the latest report, for ten days after it was
written; nothing on the portal (the facility's list is one click away).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shared_platform.start import Item, Link, Panel

from ..access import may_read
from ..services.reports import FOCAL_POINT_ROLES
from .reports import report_latest_recent

if TYPE_CHECKING:
    from shared_platform.start import Approval, Viewer


def panels(*, viewer: Viewer) -> list[Panel]:
    if viewer.on_facility or not (viewer.roles & set(FOCAL_POINT_ROLES)):
        return []
    if not may_read(user=viewer.user, address=viewer.address):
        return []
    report = report_latest_recent(agency=viewer.address, now=timezone.now())
    if report is None:
        return []
    month = date_format(report.month, "YEAR_MONTH_FORMAT")
    return [
        Panel(
            key="accountability-service-report",
            title=_("Your monthly service report"),
            items=[
                Item(
                    label=_("Service report for %(month)s") % {"month": month},
                    url=reverse("accountability:report", args=[report.pk]),
                    detail=_("Volumes, service levels, satisfaction, billing, open issues and changes coming."),
                )
            ],
            more=Link(_("All service reports"), reverse("accountability:reports")),
            order=35,
        )
    ]


def approvals(*, viewer: Viewer) -> list[Approval]:
    return []
