"""Spend reports in the API (being built: issue 14)."""

from django.urls import URLPattern

facility_api_urlpatterns: list[URLPattern] = []
