"""Long-term agreements' pages (being built: issue 14)."""

from django.urls import URLPattern

agency_pages: list[URLPattern] = []
facility_pages: list[URLPattern] = []
