"""The files a trip serves, one way for pages and API: the travel authorization and the settlement statement
as PDF (`travel.pdf`, imported when asked: WeasyPrint is heavy to load).

The caller has checked that the person may see the trip, and the connection is in the agency's schema
(the agency's own pages, or the facility's through `selectors.agency_trip`).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.http import HttpResponse

from shared_platform.attachments import content_download_response
from tenants.models import Agency

from .models import TravelRequest

PDF = "application/pdf"


def _pdf() -> Any:
    return importlib.import_module("travel.pdf")


def authorization_pdf_response(*, trip: TravelRequest, agency: Agency) -> HttpResponse:
    """The travel authorization, as it stands now (approval, clearances and ticket once they exist)."""
    content = _pdf().authorization_pdf(trip=trip, agency=agency)
    return content_download_response(content, filename=f"{trip.reference}-authorization.pdf", content_type=PDF)


def settlement_pdf_response(*, trip: TravelRequest, agency: Agency) -> HttpResponse:
    """The settlement statement; refused (404, `travel.no_claim`) until the traveller has claimed."""
    content = _pdf().settlement_pdf(trip=trip, agency=agency)
    return content_download_response(content, filename=f"{trip.reference}-settlement.pdf", content_type=PDF)
