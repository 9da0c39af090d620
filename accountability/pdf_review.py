"""The management review as PDF (WeasyPrint): the frozen pack, the minutes, decisions and actions (clause 9.3.3).

The review is the facility's own record, so it prints in the reader's language
(their account's, else the page's), as the quality system's audit reports do:
headings, figure names and column names are translated when it is printed; the
figures are the pack's, as compiled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from quality.pdf import PAGE_COUNTERS

from .models import ManagementReview, OutputKind
from .selectors.reviews import pack_sections, review_nonconformities, review_outputs

if TYPE_CHECKING:
    from accounts.models import User


def review_pdf(*, review: ManagementReview, reader: User | Any = None) -> bytes:
    """The review and its pack, in the reader's own language (else the page's)."""
    language = getattr(reader, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
    outputs = list(review_outputs(review=review))
    with translation.override(language):
        html = render_to_string(
            "accountability/reviews/pdf/review.html",
            {
                **PAGE_COUNTERS,
                "review": review,
                "sections": pack_sections(pack=review.pack, links=False),
                "decisions": [output for output in outputs if output.kind == OutputKind.DECISION],
                "actions": [output for output in outputs if output.kind == OutputKind.ACTION],
                "nonconformities": list(review_nonconformities(review=review)),
                "facility_name": settings.FACILITY_NAME,
                "printed_at": timezone.localtime(),
            },
        )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def review_pdf_response(*, review: ManagementReview, reader: User | Any) -> HttpResponse:
    response = HttpResponse(review_pdf(review=review, reader=reader), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{review.reference}.pdf"'
    return response
