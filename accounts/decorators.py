"""View decorators for role checks; the API uses the matching permissions in accounts.permissions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .selectors import is_facility_manager


def facility_manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_facility_manager(user=request.user, agency=request.tenant):  # type: ignore[attr-defined]
            raise PermissionDenied(_("Only the facility manager may change the catalogue, calendars and agreements."))
        return view(request, *args, **kwargs)

    return guarded
