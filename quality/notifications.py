"""The quality system's e-mails to the facility's staff, each in the reader's language."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.mail import StepMail
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import address_url

from .selectors.agenda import agenda_of


def reminder_mails(*, user_id: int) -> list[StepMail]:
    """One digest for this person of what is due or overdue from them now (none if nothing is, any more)."""
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None or not person.email:
        return []
    today = timezone.localdate()
    items = [
        item
        for item in agenda_of(user=person, today=today)
        if item.kind != "audit" and (item.overdue or item.kind in ("review", "check"))
    ]
    if not items:
        return []
    with in_language_of(person):
        overdue = sum(item.overdue for item in items)
        subject = single_line(
            _("Quality system: %(count)d item(s) due from you, %(overdue)d overdue")
            % {"count": len(items), "overdue": overdue}
        )
        body = render_to_string(
            "quality/mail/reminder.txt",
            {
                "person": person,
                "items": [(item, address_url(settings.BASE_DOMAIN, item.url)) for item in items],
                "today": today,
                "start": address_url(settings.BASE_DOMAIN, "/"),
            },
        )
    return [StepMail(to=person.email, subject=subject, body=body)]
