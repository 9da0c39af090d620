"""How a request finds its agency, and helpers for the agency's addresses.

An agency is at `<code>.<BASE_DOMAIN>` and the facility portal at BASE_DOMAIN.
The host name alone picks the schema; anything else in the request (a cookie,
a token, a header) only says who is asking, and `accounts.middleware` then
decides whether that person may use this address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import Http404
from django.http.request import split_domain_port
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

if TYPE_CHECKING:
    from tenants.models import Agency


class AgencyAddressMiddleware(TenantMainMiddleware):
    """django-tenants' host routing; host names are case-insensitive; a deactivated agency's address is 404."""

    @staticmethod
    def hostname_from_request(request):  # type: ignore[no-untyped-def]
        """The host name, as DNS reads it: lower case, without the port or a trailing dot.

        `UNDP.localhost:8000` and `undp.localhost.` are UNDP's address. The host
        was already checked against ALLOWED_HOSTS by get_host() (DisallowedHost,
        answered 404 by django-tenants), and the agency is then found by an
        exact match on its stored, lower-case domain: no other spelling of a
        host reaches another agency.
        """
        domain, _port = split_domain_port(request.get_host())
        return remove_www(domain)

    def get_tenant(self, domain_model, hostname):  # type: ignore[no-untyped-def]
        tenant = super().get_tenant(domain_model, hostname)
        if not tenant.is_active:
            raise domain_model.DoesNotExist
        return tenant

    def no_tenant_found(self, request, hostname):  # type: ignore[no-untyped-def]
        raise Http404(f'Nothing is served at "{hostname}".')


def agency_host(code: str) -> str:
    return f"{code.lower()}.{settings.BASE_DOMAIN}"


def address_url(host: str, path: str = "/") -> str:
    """The browser address of a host, with the port the platform is served on."""
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}{path}"


def agency_url(agency: Agency, path: str = "/") -> str:
    if agency.is_facility:
        return address_url(settings.BASE_DOMAIN, path)
    return address_url(agency_host(agency.code), path)
