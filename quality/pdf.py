"""The internal audit report as PDF (WeasyPrint), from what the audit recorded (ISO 9001:2015 clause 9.2.2 d).

It prints the audit's reference, the process and its owner, the auditor, the
dates, the scope, the checklist with the evidence seen, the findings with
their clause and kind (and the nonconformity each opened) and the
conclusion, in the reader's language, with page numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from .models import Audit
from .selectors.audits import audit_findings, audit_questions

if TYPE_CHECKING:
    from accounts.models import User

# The CSS counters that page numbers are written with, slotted into the translated "Page %(page)s of %(pages)s".
PAGE_COUNTERS = {"page_counter": '" counter(page) "', "pages_counter": '" counter(pages) "'}


def audit_report_pdf(*, audit: Audit, reader: User | None = None) -> bytes:
    """The audit report, in the reader's own language (else the page's)."""
    language = getattr(reader, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            "quality/audits/pdf/report.html",
            {
                **PAGE_COUNTERS,
                "audit": audit,
                "questions": audit_questions(audit=audit),
                "findings": audit_findings(audit=audit),
                "facility_name": settings.FACILITY_NAME,
                "printed_at": timezone.localtime(),
            },
        )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
