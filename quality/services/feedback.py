"""Customer feedback: a requester's rating with their comment, as the quality focal point reads it (clause 9.1.2).

The helpdesk's survey calls `feedback_record` right after the ledger records
the rating (STYLE.md rule 5: an explicit call, not a signal). A complaint in
a comment can start a nonconformity (`feedback_complaint_raise`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from shared_platform import limits
from shared_platform.errors import ApplicationError

from ..models import Feedback, Nonconformity, NonconformitySource, Process, Severity
from .nonconformities import nonconformity_raise

if TYPE_CHECKING:
    from accounts.models import User
    from ledger.models import LedgerEntry


@transaction.atomic
def feedback_record(*, entry: LedgerEntry, rating: int, comment: str, at: datetime) -> Feedback:
    """Keep the requester's rating and comment of a delivered request for the quality focal point (clause 9.1.2).

    Once per request: a second call (a survey answered twice, a retried task)
    returns the feedback already kept and changes nothing.
    """
    existing = Feedback.objects.filter(entry=entry).first()
    if existing is not None:
        return existing
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ApplicationError(
            gettext("A rating is a whole number from 1 to 5."),
            code="quality.invalid",
            fields={"rating": [gettext("From 1 to 5.")]},
        )
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                entry=entry,
                agency_id=entry.agency_id,
                service_id=entry.service_id,
                rating=rating,
                comment=(comment or "").strip()[: limits.SHORT_TEXT],
                at=at,
            )
    except IntegrityError:  # answered at the same instant by another worker: theirs stands
        return Feedback.objects.get(entry=entry)


@transaction.atomic
def feedback_complaint_raise(
    *,
    feedback: Feedback,
    title: str,
    raised_by: User,
    description: str = "",
    severity: str = Severity.MINOR,
    at: datetime | None = None,
) -> Nonconformity:
    """Raise a nonconformity of source "complaint" from a requester's feedback (clauses 9.1.2 and 10.2).

    It names the feedback's agency and service, the process that service
    measures, and has the rated request attached, so the record shows what
    the requester said about which request.
    """
    process = (
        Process.objects.filter(active=True, services=feedback.service_id)
        .select_related("owner")
        .order_by("code")
        .first()
    )
    nonconformity = nonconformity_raise(
        title=title,
        source=NonconformitySource.COMPLAINT,
        raised_by=raised_by,
        description=description or feedback.comment,
        severity=severity,
        process=process,
        agency=feedback.agency,
        service=feedback.service,
        at=at,
    )
    nonconformity.rated_entries.add(feedback.entry_id)
    return nonconformity
