"""Placeholder: replaced by the part that builds it."""

from django.urls import URLPattern

pages: list[URLPattern] = []
