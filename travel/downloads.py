"""Placeholder replaced by the PDF work (travel-pdf branch)."""

from __future__ import annotations

from django.http import HttpResponse

from tenants.models import Agency

from .models import TravelRequest


def authorization_pdf_response(*, trip: TravelRequest, agency: Agency) -> HttpResponse:
    from . import pdf

    response = HttpResponse(pdf.authorization_pdf(trip=trip, agency=agency), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{trip.reference}-authorization.pdf"'
    return response


def settlement_pdf_response(*, trip: TravelRequest, agency: Agency) -> HttpResponse:
    from . import pdf

    response = HttpResponse(pdf.settlement_pdf(trip=trip, agency=agency), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{trip.reference}-settlement.pdf"'
    return response
