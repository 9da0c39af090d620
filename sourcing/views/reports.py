"""The facility's sourcing reports (being built: issue 14)."""

from django.urls import URLPattern

pages: list[URLPattern] = []
