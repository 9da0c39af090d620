from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .models import FACILITY_ROLES
from .selectors import has_role, is_facility_manager, user_may_use_address


class FacilityPortalOnly:
    """A permission that never grants `facility_portal_only_methods` (every method if None) on an agency's address.

    An agency's OpenAPI schema leaves those operations out (shared_platform/schema.py),
    so each address documents only what can be done there.
    """

    facility_portal_only_methods: frozenset[str] | None = None

    def only_on_facility_portal(self, method: str) -> bool:
        return self.facility_portal_only_methods is None or method.upper() in self.facility_portal_only_methods


class MayUseThisAddress(BasePermission):
    """The default for every API view: signed in, and a member where the request is addressed."""

    message = _("Your account has no access to this address.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return user_may_use_address(user=request.user, agency=request.tenant)


class IsFacilityStaff(FacilityPortalOnly, BasePermission):
    """A facility role (or a platform administrator) on the facility portal."""

    message = _("Only the facility's staff may do this.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        tenant = request.tenant
        if not tenant.is_facility or not request.user.is_authenticated:
            return False
        return request.user.is_staff or has_role(user=request.user, agency=tenant, roles=FACILITY_ROLES)


class IsPlatformAdministrator(FacilityPortalOnly, BasePermission):
    message = _("Only a platform administrator may do this.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.tenant.is_facility and request.user.is_authenticated and request.user.is_staff)


class IsFacilityManagerOrReadOnly(FacilityPortalOnly, BasePermission):
    """Reading for everyone who may use the address; writing for the facility manager on the portal."""

    facility_portal_only_methods = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    message = _("Only the facility manager may change this.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return user_may_use_address(user=request.user, agency=request.tenant)
        return is_facility_manager(user=request.user, agency=request.tenant)
