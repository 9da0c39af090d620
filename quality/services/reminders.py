"""Reminders: overdue actions and implementations, judgement checks due, documents due for review."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from shared_platform.queue import enqueue_after_commit

from ..models import CorrectiveAction, Document, EffectivenessCheck, Suggestion
from ..selectors.agenda import reminders_due

# The same overdue item is e-mailed again only after this long: a weekly nudge, not a daily flood.
REMIND_EVERY = timedelta(days=7)


@transaction.atomic
def reminders_send(*, now: datetime | None = None) -> int:
    """E-mail each person one digest of what is due from them (clauses 7.5.2, 9.2, 10.2, 10.3); returns how many.

    An item is in the digest when it is due and its owner has not been
    reminded of it for a week; sending notes the time on the item, so beat
    running twice the same day sends nothing more. The e-mail is written by
    `quality.tasks.reminder_notify` after the commit, in the person's language.
    """
    now = now or timezone.now()
    due = reminders_due(today=timezone.localdate(now), now=now, every=REMIND_EVERY)
    for model in (CorrectiveAction, Suggestion, EffectivenessCheck, Document):
        ids = [item.record.pk for items in due.values() for item in items if isinstance(item.record, model)]
        if ids:
            model.objects.filter(pk__in=ids).update(last_reminded_at=now)
    from ..tasks import reminder_notify

    for user_id in due:
        enqueue_after_commit(reminder_notify, user_id, f"quality-reminder:{user_id}:{now.isoformat()}")
    return len(due)
