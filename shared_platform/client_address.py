"""Which address a request comes from, trusting only the proxies we run.

`X-Forwarded-For` is written by whoever sends the request, so a client can put
anything in it. Only the entries appended by our own proxies are true: behind
N proxies (settings.TRUSTED_PROXY_COUNT) the client is the N-th address from
the right. With no proxy (the default) the header is ignored and the socket's
address (REMOTE_ADDR) is the client.

This is the one answer used by the sign-in lockout (django-axes,
AXES_CLIENT_IP_CALLABLE) and the API's throttles (DRF's NUM_PROXIES is set from
the same setting and follows the same rule), so varying the header escapes
neither.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import ScopedRateThrottle


def client_address(request: HttpRequest) -> str:
    remote_address = request.META.get("REMOTE_ADDR") or ""
    trusted_proxies = settings.TRUSTED_PROXY_COUNT
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
    if trusted_proxies <= 0 or not forwarded_for:
        return remote_address
    addresses = [address.strip() for address in forwarded_for.split(",")]
    # Our nearest proxy appended the address it saw last; a client's own entries are further left.
    return addresses[-min(trusted_proxies, len(addresses))] or remote_address


class ClientAddressScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting per client as `client_address` sees it."""

    def get_ident(self, request):  # type: ignore[no-untyped-def]
        return client_address(request)
