"""Travel's API (filled in by the API work): agency_api_urlpatterns under /api/ on an agency's address,
facility_api_urlpatterns under /api/ on the facility portal."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

agency_api_urlpatterns: list[URLPattern | URLResolver] = []
facility_api_urlpatterns: list[URLPattern | URLResolver] = []
