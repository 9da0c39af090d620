"""Placeholder: replaced by the part that builds it."""

from django.urls import URLPattern

facility_api_urlpatterns: list[URLPattern] = []
