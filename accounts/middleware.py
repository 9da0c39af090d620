"""Refuse a signed-in person on an address they have no membership for.

The session cookie belongs to one host, but a crafted Host header or a copied
cookie can still reach another agency's address. The schema was chosen by the
host (shared_platform.tenancy); this decides whether the person behind the
session may use it. Token-authenticated API calls are checked by
accounts.permissions.MayUseThisAddress, which asks the same question.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shared_platform.errors import json_error_response

from .selectors import address_links, user_may_use_address
from .services import no_access_message

# Paths anyone may reach: signing in and out, health checks, static files.
OPEN_PATH_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/language/",
    "/healthz",
    "/static/",
    "/api/auth/token/",
)


class AddressAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PATH_PREFIXES)
            and not user_may_use_address(user=user, agency=tenant)
        ):
            return address_refused(request)
        return self.get_response(request)


def address_refused(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    message = no_access_message(agency=tenant)
    if request.path.startswith("/api/"):
        return json_error_response("auth.no_access_here", message, 403)
    return render(
        request,
        "accounts/no_access.html",
        {
            "message": message,
            "addresses": address_links(
                user=request.user,  # type: ignore[arg-type]
                scheme=request.scheme or "http",
                port=request.get_port(),
            ),
        },
        status=403,
    )
