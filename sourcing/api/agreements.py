"""Long-term agreements in the API (being built: issue 14)."""

from django.urls import URLPattern

agency_api_urlpatterns: list[URLPattern] = []
facility_api_urlpatterns: list[URLPattern] = []
