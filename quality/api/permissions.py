"""Who may call the quality API: the facility's staff, on the portal (what they may change, the services decide)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from accounts.permissions import FacilityPortalOnly

from ..access import may_read


class IsQualityReader(FacilityPortalOnly, BasePermission):
    """The quality records are the facility's own: its staff read them on the portal, nobody else anywhere."""

    message = gettext_lazy("The quality records are the facility's; only its staff read them.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.tenant.is_facility and may_read(request.user))
