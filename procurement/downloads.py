"""The files a purchase serves, one way for pages and API: stored files, and the PDFs of its orders,
openings and evaluation (`procurement.pdf`, imported when asked: WeasyPrint is heavy to load)."""

from __future__ import annotations

import importlib
from typing import Any

from django.http import Http404, HttpResponse

from shared_platform.attachments import content_download_response

from .models import Opening, PurchaseOrder, Solicitation


def stored(field: Any) -> bytes | None:
    """A stored file's bytes, or None when it is missing from the media folder."""
    if not field:
        return None
    try:
        with field.open("rb") as file:
            return bytes(file.read())
    except (FileNotFoundError, OSError, ValueError):
        return None


download = content_download_response


def _pdf() -> Any:
    return importlib.import_module("procurement.pdf")


def order_pdf_response(order: PurchaseOrder) -> HttpResponse:
    """The order's stored PDF; rendered now when the worker has not stored it yet or it went missing."""
    content = stored(order.pdf)
    if content is None:
        content = _pdf().order_pdf(order=order)
    return download(content, filename=f"{order.display_number.replace(' ', '-')}.pdf", content_type="application/pdf")


def opening_pdf_response(opening: Opening) -> HttpResponse:
    """The opening record: who, when, each bidder, when its bid arrived, what was read out."""
    content = _pdf().opening_pdf(opening=opening)
    filename = f"{opening.solicitation.reference}-opening-{opening.envelope}.pdf"
    return download(content, filename=filename, content_type="application/pdf")


def evaluation_pdf_response(solicitation: Solicitation) -> HttpResponse:
    """The evaluation report, once the evaluation is complete."""
    if solicitation.evaluated_at is None:
        raise Http404("The evaluation is not complete.")
    content = _pdf().evaluation_pdf(solicitation=solicitation)
    return download(content, filename=f"{solicitation.reference}-evaluation.pdf", content_type="application/pdf")
