"""Settings for helpdesk_ticket_list.py's baseline: the same platform with tenancy bypassed.

    DJANGO_SETTINGS_MODULE=helpdesk_single_schema   (with benchmarks/ on the Python path)

The production settings, less only what makes a request multi-tenant:

- the plain `django.db.backends.postgresql` engine instead of django-tenants'
  subclass, so no `SET search_path` is issued before the queries: every table,
  the agency's ict_helpdesk tables included, is in the public schema of a
  database of its own (BASELINE_DATABASE_URL; helpdesk_ticket_list.py builds it
  as a copy of the tenancy database with the agency's tables moved to public);
- no host -> tenant lookup: `OneAgencyMiddleware` takes the place of
  `shared_platform.tenancy.AgencyAddressMiddleware` and hands every request the
  agency row read once per process, with the agency's URL conf, as a
  single-agency installation would;
- no schema-aware cache keys or file storage (both ask the connection for its
  schema, which the plain engine does not have; neither is used by the ticket
  list, so nothing measured changes).

django-tenants stays installed (its app refuses to start without its database
router, which only decides where migrations go; the Agency model is a
TenantMixin), but nothing of it runs on a request.

Everything else (the middleware stack after the first entry, DRF, token
authentication, the access checks, the view, selector, serializer and
pagination) is the application's own code, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from shared_platform.settings.production import *  # noqa: F403
from shared_platform.settings.production import CACHES, MIDDLEWARE, STORAGES, env

TENANCY_MIDDLEWARE = "shared_platform.tenancy.AgencyAddressMiddleware"
AGENCY_SCHEMA = env("BENCH_AGENCY_SCHEMA", default="undp")

DATABASES = {"default": {**env.db("BASELINE_DATABASE_URL"), "ENGINE": "django.db.backends.postgresql"}}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if MIDDLEWARE[0] != TENANCY_MIDDLEWARE:
    raise RuntimeError(f"The benchmark expects {TENANCY_MIDDLEWARE} first in MIDDLEWARE; update the baseline.")
MIDDLEWARE = ["helpdesk_single_schema.OneAgencyMiddleware", *MIDDLEWARE[1:]]
CACHES = {"default": {key: value for key, value in CACHES["default"].items() if "KEY_FUNCTION" not in key}}
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


class OneAgencyMiddleware:
    """Every request is for the one agency: its row (read once per process) and its URL conf."""

    agency: Any = None

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if OneAgencyMiddleware.agency is None:
            from tenants.models import Agency

            OneAgencyMiddleware.agency = Agency.objects.get(schema_name=AGENCY_SCHEMA)
        request.tenant = OneAgencyMiddleware.agency  # type: ignore[attr-defined]
        request.urlconf = "shared_platform.urls_agency"  # type: ignore[attr-defined]
        return self.get_response(request)
