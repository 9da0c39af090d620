"""E-mails to the person who suggested an improvement, in their language (ISO 9001:2015 clause 10.3).

- decided: the committee accepted, rejected or deferred it, with the reason (and, when accepted, the due date);
- implemented: what was done.

The suggester reads the link on the address they suggested from: their
agency's "my suggestion" page, or the committee's page on the facility
portal for the facility's own staff. The person who did the step is not told
of it. The task lives here (queued by quality.services.suggestions with
`enqueue_after_commit`); a worker registers it when quality.tasks imports
this module.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications import mail
from notifications.mail import RETRYING, StepMail, sent_or_given_up
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import address_url, agency_url

from .models import Suggestion, SuggestionStatus

SUBJECTS: dict[str, Any] = {
    SuggestionStatus.ACCEPTED: _("%(reference)s accepted: %(title)s"),
    SuggestionStatus.REJECTED: _("%(reference)s not accepted: %(title)s"),
    SuggestionStatus.DEFERRED: _("%(reference)s deferred: %(title)s"),
    SuggestionStatus.IMPLEMENTED: _("%(reference)s implemented: %(title)s"),
}
STEPS = ("decided", "implemented")


def suggestion_link(suggestion: Suggestion) -> str:
    """Where the suggester reads it: their agency's address, or the committee's page on the portal."""
    if suggestion.agency is not None and not suggestion.agency.is_facility:
        path = reverse("quality:my-suggestion", args=[suggestion.reference], urlconf=settings.ROOT_URLCONF)
        return agency_url(suggestion.agency, path)
    path = reverse("quality:suggestion", args=[suggestion.reference], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return address_url(settings.BASE_DOMAIN, path)


def suggestion_mails(*, suggestion_id: int, step: str, actor_id: int | None) -> list[StepMail]:
    """The e-mail of one step to the suggester, in their language (none if the step or the person is gone)."""
    suggestion = (
        Suggestion.objects.select_related("suggested_by", "agency", "process", "owner", "decided_by")
        .filter(pk=suggestion_id)
        .first()
    )
    if suggestion is None or step not in STEPS or suggestion.status not in SUBJECTS:
        return []
    person: User = suggestion.suggested_by
    if person.pk == actor_id or not person.is_active or not person.email:
        return []
    with in_language_of(person):
        subject = single_line(
            SUBJECTS[suggestion.status] % {"reference": suggestion.reference, "title": suggestion.title}
        )
        body = render_to_string(
            "quality/suggestions/email/suggestion.txt",
            {"suggestion": suggestion, "step": step, "link": suggestion_link(suggestion)},
        )
    return [StepMail(to=person.email, subject=subject, body=body)]


def suggestion_reference(suggestion_id: int) -> str:
    return Suggestion.objects.filter(pk=suggestion_id).values_list("reference", flat=True).first() or ""


@shared_task(**RETRYING)
def suggestion_notify(
    self: Task[Any, Any], suggestion_id: int, step: str, actor_id: int | None, delivery_key: str | None = None
) -> list[str]:
    """E-mail the suggester about the committee's decision or the implementation (public schema)."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[StepMail]:
        return suggestion_mails(suggestion_id=suggestion_id, step=step, actor_id=actor_id)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
        mails=mails,
        task_args=[suggestion_id, step, actor_id],
        reference=lambda: suggestion_reference(suggestion_id),
        step=step,
    )
