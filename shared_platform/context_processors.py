from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.selectors import role_labels, roles_at

from .navigation import nav_items


def platform(request: HttpRequest) -> dict[str, Any]:
    """What the base layout shows: where you are, who you are, your roles and menu."""
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"facility_name": settings.FACILITY_NAME, "current_agency": tenant}
    if tenant is None:
        return context
    context["on_facility"] = tenant.is_facility
    if user is not None and user.is_authenticated:
        roles = roles_at(user=user, agency=tenant)
        context["my_roles"] = role_labels(roles)
        context["navigation"] = nav_items(is_facility=tenant.is_facility, roles=roles, is_staff=user.is_staff)
        context["current_url_name"] = getattr(getattr(request, "resolver_match", None), "url_name", "")
    return context
