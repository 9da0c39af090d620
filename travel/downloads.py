"""The files a trip serves, one way for pages and API: the travel authorization and the settlement statement
as PDF (`travel.pdf`, imported when asked: WeasyPrint is heavy to load).

The caller has checked that the person may see the trip, and the connection is in the agency's schema
(the agency's own pages, or the facility's through `selectors.agency_trip`).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.http import HttpResponse

from tenants.models import Agency

from .models import TravelRequest


def _pdf_download(content: bytes, *, filename: str) -> HttpResponse:
    """A PDF as a download, never shown inline nor sniffed into another type (as procurement's downloads)."""
    response = HttpResponse(content, content_type="application/pdf")
    safe = filename.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf() -> Any:
    return importlib.import_module("travel.pdf")


def authorization_pdf_response(*, trip: TravelRequest, agency: Agency) -> HttpResponse:
    """The travel authorization, as it stands now (approval, clearances and ticket once they exist)."""
    content = _pdf().authorization_pdf(trip=trip, agency=agency)
    return _pdf_download(content, filename=f"{trip.reference}-authorization.pdf")


def settlement_pdf_response(*, trip: TravelRequest, agency: Agency) -> HttpResponse:
    """The settlement statement; refused (404, `travel.no_claim`) until the traveller has claimed."""
    content = _pdf().settlement_pdf(trip=trip, agency=agency)
    return _pdf_download(content, filename=f"{trip.reference}-settlement.pdf")
