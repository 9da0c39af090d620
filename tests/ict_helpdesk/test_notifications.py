"""Ticket e-mails: one-line subjects whatever was typed, retries on mail-server failures,
failures an administrator can see and send again, and no e-mail sent twice by one task."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail import BadHeaderError
from django_tenants.utils import schema_context

from ict_helpdesk import notifications, services
from ict_helpdesk.models import Ticket
from ict_helpdesk.tasks import NOTIFY_MAX_RETRIES, ticket_notify
from ledger.models import LedgerEntry
from notifications.models import FailedNotification

from .conftest import in_agency

pytestmark = pytest.mark.django_db


class FlakyMailServer:
    """send_mail that fails `failures` times (with `error`), then delivers through Django's test outbox."""

    def __init__(self, monkeypatch, *, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self.calls = 0
        real = notifications.send_mail

        def send(*args, **kwargs):
            self.calls += 1
            if self.failures:
                self.failures -= 1
                raise self.error
            return real(*args, **kwargs)

        monkeypatch.setattr(notifications, "send_mail", send)


@pytest.fixture(autouse=True)
def _eager_retries_run_in_place():
    # The suite propagates eager tasks' errors; a retry is one (celery.exceptions.Retry). Here the
    # retries must run, as a worker would run them, so eager apply() handles them itself.
    conf = ticket_notify.app.conf
    previous = conf.task_eager_propagates
    conf.task_eager_propagates = False
    cache.clear()  # which addresses each task id wrote to
    yield
    conf.task_eager_propagates = previous


def notify(agency, ticket, step="raised", actor=None, task_id=None):
    with schema_context(agency.schema_name):
        return ticket_notify.apply(args=[ticket.pk, step, actor.pk if actor else None, None], task_id=task_id)


def test_a_subject_with_line_breaks_becomes_one_line_and_the_e_mail_goes(
    undp, undp_requester, raise_ticket, django_capture_on_commit_callbacks
):
    # when a ticket is raised with line breaks and control characters in its subject
    with django_capture_on_commit_callbacks(execute=True):
        ticket = raise_ticket(undp, undp_requester, subject="Printer\r\nBcc: someone@example.org\x00\tbroken ")
    # then the subject is stored on one line, on the ticket and on the public ledger
    assert ticket.subject == "Printer Bcc: someone@example.org broken"
    assert LedgerEntry.objects.get(pk=ticket.entry_id).title == "Printer Bcc: someone@example.org broken"
    # and the requester's e-mail went out with that subject, to the requester only
    assert [m.to for m in mail.outbox] == [[undp_requester.email]]
    assert mail.outbox[0].subject == f"{ticket.reference} received: Printer Bcc: someone@example.org broken"
    assert mail.outbox[0].bcc == []


def test_a_subject_of_only_line_breaks_is_refused_as_empty(undp, undp_requester, raise_ticket):
    from shared_platform.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        raise_ticket(undp, undp_requester, subject="\r\n\t")
    assert refused.value.fields == {"subject": ["A subject is required."]}


def test_the_api_accepts_a_subject_with_a_line_break(
    undp, undp_requester, category, api_at, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_at(undp, undp_requester).post(
            "/api/helpdesk/tickets/",
            {
                "kind": "incident",
                "category": category.code,
                "impact": "low",
                "urgency": "low",
                "subject": "VPN\ndown",
                "description": "Since this morning.",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == "VPN down"
    assert [m.subject for m in mail.outbox] == [f"{response.json()['reference']} received: VPN down"]


def test_a_subject_that_reached_the_database_another_way_is_still_sent_on_one_line(undp, undp_requester, raise_ticket):
    ticket = raise_ticket(undp, undp_requester)
    with schema_context(undp.schema_name):
        Ticket.objects.filter(pk=ticket.pk).update(subject="Edited\nin a shell")
    mail.outbox.clear()
    assert notify(undp, ticket).result == [undp_requester.email]
    assert mail.outbox[0].subject == f"{ticket.reference} received: Edited in a shell"


def test_a_mail_server_failure_is_retried_and_the_e_mail_goes(undp, undp_requester, raise_ticket, monkeypatch):
    # given a mail server that drops the connection twice
    ticket = raise_ticket(undp, undp_requester)
    mail.outbox.clear()
    server = FlakyMailServer(monkeypatch, failures=2)
    # when the step's task runs
    notify(undp, ticket)
    # then it tried again until the e-mail went, once, and nothing is recorded as failed
    assert server.calls == 3
    assert [m.to for m in mail.outbox] == [[undp_requester.email]]
    assert not FailedNotification.objects.exists()


def test_the_task_retries_with_backoff_on_mail_and_network_errors_only():
    assert ticket_notify.autoretry_for == (smtplib.SMTPException, OSError)
    assert ticket_notify.max_retries == NOTIFY_MAX_RETRIES
    assert ticket_notify.retry_backoff and ticket_notify.retry_jitter
    assert not issubclass(BadHeaderError, OSError)


def test_when_it_gives_up_an_administrator_sees_the_failure_without_private_text(
    undp, undp_requester, raise_ticket, monkeypatch
):
    # given a mail server that never answers
    ticket = raise_ticket(undp, undp_requester, description="My password is hunter2, please reset it.")
    mail.outbox.clear()
    server = FlakyMailServer(monkeypatch, failures=100, error=ConnectionRefusedError(111, "Connection refused"))
    # when the task has used its retries
    result = notify(undp, ticket)
    # then nothing was sent, it tried 1 + max_retries times, and one failure is kept in the public schema
    assert result.result == []
    assert server.calls == NOTIFY_MAX_RETRIES + 1
    failure = FailedNotification.objects.get()
    assert (failure.agency, failure.schema_name) == (undp, undp.schema_name)
    assert (failure.reference, failure.step, failure.attempts) == (ticket.reference, "raised", NOTIFY_MAX_RETRIES + 1)
    assert failure.recipients == undp_requester.email
    assert failure.error.startswith("ConnectionRefusedError")
    assert failure.task_args == [ticket.pk, "raised", None, None]
    assert failure.resolved_at is None
    # and it holds ids and addresses, not the ticket's private text
    stored = " ".join(str(value) for value in FailedNotification.objects.values().get().values())
    assert "hunter2" not in stored and "black screen" not in stored


def test_a_failure_a_retry_would_not_fix_is_recorded_at_once(undp, undp_requester, raise_ticket, monkeypatch):
    ticket = raise_ticket(undp, undp_requester)
    server = FlakyMailServer(monkeypatch, failures=100, error=BadHeaderError("Header values can't contain newlines"))
    notify(undp, ticket)
    assert server.calls == 1
    assert FailedNotification.objects.get().attempts == 1


def test_a_task_run_twice_sends_each_e_mail_once(undp, undp_requester, raise_ticket):
    ticket = raise_ticket(undp, undp_requester)
    mail.outbox.clear()
    # when the same task (same id: a redelivery) runs twice
    first = notify(undp, ticket, task_id="redelivered-task")
    second = notify(undp, ticket, task_id="redelivered-task")
    # then the requester got one e-mail
    assert (first.result, second.result) == ([undp_requester.email], [])
    assert len(mail.outbox) == 1
    # while a new step (another task) is sent as usual
    assert notify(undp, ticket, task_id="another-task").result == [undp_requester.email]


def test_a_retry_writes_only_to_those_the_failed_try_did_not_reach(
    undp, undp_requester, ict_agent, raise_ticket, monkeypatch
):
    # given a ticket with a requester and an assignee, and a step both hear about
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_take, ticket=ticket, agent=ict_agent)
    mail.outbox.clear()
    real = notifications.send_mail
    calls: list[str] = []

    def second_address_fails_once(subject, body, sender, to):
        calls.append(to[0])
        if to[0] == ict_agent.email and calls.count(ict_agent.email) == 1:
            raise smtplib.SMTPRecipientsRefused({ict_agent.email: (451, b"try later")})
        return real(subject, body, sender, to)

    monkeypatch.setattr(notifications, "send_mail", second_address_fails_once)
    # when the step's task runs and the agent's copy fails once
    notify(undp, ticket, step="resolved", actor=None)
    # then each got exactly one copy
    assert sorted(m.to[0] for m in mail.outbox) == sorted([undp_requester.email, ict_agent.email])
    assert calls.count(undp_requester.email) == 1


def test_an_administrator_sends_a_failed_notification_again_from_the_admin(
    undp,
    undp_requester,
    make_person,
    raise_ticket,
    monkeypatch,
    client_at,
    facility,
    django_capture_on_commit_callbacks,
):
    # given a failure kept after the retries
    ticket = raise_ticket(undp, undp_requester)
    mail.outbox.clear()
    FlakyMailServer(monkeypatch, failures=NOTIFY_MAX_RETRIES + 1)
    notify(undp, ticket, task_id="first-run")
    failure = FailedNotification.objects.get()
    admin = make_person(is_staff=True, is_superuser=True)
    browser = client_at(facility, admin)
    # when the administrator opens the list and sends it again
    listing = browser.get("/admin/notifications/failednotification/")
    assert listing.status_code == 200
    assert ticket.reference in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/admin/notifications/failednotification/",
            {"action": "send_again", "_selected_action": [failure.pk]},
        )
    # then the e-mail goes, from the agency's schema, and the failure is marked handled by them
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[undp_requester.email]]
    failure.refresh_from_db()
    assert failure.resolved_at is not None and failure.resolved_by == admin
