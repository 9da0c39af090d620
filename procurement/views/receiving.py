"""Receipts, supplier invoices and the three-way match (being built: issue 14)."""

from django.urls import URLPattern

agency_pages: list[URLPattern] = []
facility_pages: list[URLPattern] = []
