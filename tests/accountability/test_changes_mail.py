"""Change requests' e-mails: each step tells the people who act next, never the person who just acted."""

from __future__ import annotations

from django.core import mail

from accountability.notifications_changes import change_request_mails
from accountability.services import changes

pytest_plugins = ["tests.accountability.fixtures_changes"]


def _to(outbox) -> set[str]:
    return {address for message in outbox for address in message.to}


def test_each_step_mails_who_acts_next(change_people, propose_change, django_capture_on_commit_callbacks):
    # when UNDP's finance officer proposes, then the facility's assessors are told
    with django_capture_on_commit_callbacks(execute=True):
        request = propose_change()
    assert _to(mail.outbox) == {change_people.manager.email, change_people.finance.email}
    assert all(request.reference in message.subject for message in mail.outbox)
    assert f"/accountability/changes/{request.reference}/" in mail.outbox[0].body

    # when facility finance assesses, then UNDP's approvers and the facility manager are told (not the assessor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changes.change_request_assess(request=request, price_effect="a", target_effect="b", by=change_people.finance)
    assert _to(mail.outbox) == {
        change_people.undp_approver.email,
        change_people.undp_approver2.email,
        change_people.manager.email,
    }

    # when both approve, then the proposer and UNDP's approvers (but the one who approved last) read the outcome
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changes.change_request_approve_facility(request=request, by=change_people.manager)
        changes.change_request_approve_agency(request=request, by=change_people.undp_approver)
    assert _to(mail.outbox) == {change_people.undp_finance.email, change_people.undp_approver2.email}
    request.refresh_from_db()
    assert all(request.new_agreement.reference in message.body for message in mail.outbox)


def test_a_rejection_reaches_the_proposer_with_the_reason(change_people, propose_change):
    request = propose_change()  # the e-mails' tasks wait for a commit that never comes in this test
    changes.change_request_reject(request=request, reason="Not this year.", side="facility", by=change_people.manager)
    mails = change_request_mails(request_id=request.pk, step="rejected", actor_id=change_people.manager.pk)
    assert change_people.undp_finance.email in {m.to for m in mails}
    assert all("Not this year." in m.body for m in mails)
    assert change_request_mails(request_id=request.pk, step="unknown", actor_id=None) == []
