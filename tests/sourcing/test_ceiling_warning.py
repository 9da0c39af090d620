"""At 80 % of a ceiling (the agreement's, or an agency's own) the owner's approvers and the facility's
procurement officers are e-mailed, once; the page turns amber."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache

from sourcing.models import LongTermAgreement, Participation


@pytest.fixture
def committed_call_off(call_off: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """A call-off with what it queued after commit run (the e-mails, Celery being eager in the tests)."""
    cache.clear()
    mail.outbox.clear()

    def raise_(*args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call_off(*args, **kwargs)

    return raise_


def warned(to: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [to] and "80 %" in message.subject]


def test_crossing_80_percent_of_the_ceiling_emails_the_owners_approvers_and_the_buyers_once(
    make_lta, unfpa, undp, committed_call_off, people
):
    # given an agreement of 10,000 of which 7,000 is called off: no warning yet
    agreement = make_lta("10000.00", participants=[unfpa])
    committed_call_off(unfpa, agreement, {1: "7"})
    assert not [message for message in mail.outbox if "80 %" in message.subject]
    assert LongTermAgreement.objects.get(pk=agreement.pk).warned_at is None
    # when a call-off brings it to exactly 8,000 (80 %)
    committed_call_off(undp, agreement, {1: "1"})
    # then UNDP's approvers and the facility's procurement officers are warned, UNFPA's approver is not
    recipients = sorted(message.to[0] for message in mail.outbox if "80 %" in message.subject)
    assert recipients == ["bia@undp.test", "bruno@undp.test", "carla@facility.test"]
    [message] = warned("bruno@undp.test")
    assert agreement.reference in message.subject
    assert "8,000.00 USD of the 10,000.00 USD ceiling" in message.body and "2,000.00 USD remains" in message.body
    assert LongTermAgreement.objects.get(pk=agreement.pk).warned_at is not None
    # and a further call-off does not warn again
    mail.outbox.clear()
    committed_call_off(unfpa, agreement, {1: "1"})
    assert not [message for message in mail.outbox if "80 %" in message.subject]


def test_crossing_80_percent_of_an_agencys_own_ceiling_warns_the_owner_and_that_agency(
    make_lta, unfpa, committed_call_off
):
    agreement = make_lta("100000.00", participants=[unfpa], agency_ceilings={unfpa: "5000.00"})
    committed_call_off(unfpa, agreement, {1: "4"})
    recipients = sorted(message.to[0] for message in mail.outbox if "80 %" in message.subject)
    assert recipients == ["bia@undp.test", "bruno@undp.test", "carla@facility.test", "diego@unfpa.test"]
    [message] = warned("diego@unfpa.test")
    assert "UNFPA" in message.subject and "1,000.00 USD remains for UNFPA" in message.body
    assert Participation.objects.get(agreement=agreement, agency=unfpa).warned_at is not None
    assert LongTermAgreement.objects.get(pk=agreement.pk).warned_at is None  # 4 % of the overall ceiling


def test_the_warning_is_written_in_each_readers_language(make_lta, unfpa, undp, committed_call_off, people):
    people.undp_approver.language = "fr"
    people.undp_approver.save(update_fields=["language"])
    agreement = make_lta("10000.00", participants=[unfpa])
    committed_call_off(undp, agreement, {1: "9"})
    [message] = warned("bruno@undp.test")
    # French writes the amounts its own way (a space groups the thousands, a comma before the cents)
    assert "9\u202f000,00" in message.body or "9 000,00" in message.body or "9\xa0000,00" in message.body
