"""Placeholder: replaced by the part that builds it."""

from django.urls import URLPattern

facility_pages: list[URLPattern] = []
agency_pages: list[URLPattern] = []
