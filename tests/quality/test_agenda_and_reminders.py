"""What the quality system expects of each person: their start page, the approvals inbox, the weekly reminder.

The records are written directly here: these tests are about who is told of
what and when, not about how an action or a version came to be (the services'
own tests cover that).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from quality.models import (
    CorrectiveAction,
    Document,
    DocumentVersion,
    Nonconformity,
    NonconformitySource,
    Suggestion,
    SuggestionStatus,
    VersionStatus,
)
from quality.services.reminders import reminders_send

pytestmark = pytest.mark.django_db


def _nonconformity(owner, **fields):  # type: ignore[no-untyped-def]
    return Nonconformity.objects.create(
        reference=fields.pop("reference", "NC-2026-0001"),
        title="Printer tickets resolved late",
        source=NonconformitySource.MANUAL,
        owner=owner,
        raised_at=timezone.now(),
        **fields,
    )


def _overdue_action(owner, days: int = 3):  # type: ignore[no-untyped-def]
    return CorrectiveAction.objects.create(
        nonconformity=_nonconformity(owner),
        description="Stock spare toner in each agency office",
        owner=owner,
        due_on=timezone.localdate() - timedelta(days=days),
    )


def _effective_document(owner, author, approver, *, review_due: date, roles=()):  # type: ignore[no-untyped-def]
    document = Document.objects.create(
        code="QM-PROC-01", title="Common procurement manual", owner=owner, concerns_roles=list(roles)
    )
    DocumentVersion.objects.create(
        document=document,
        number=1,
        status=VersionStatus.EFFECTIVE,
        text="1. Scope",
        author=author,
        approver=approver,
        effective_from=review_due - timedelta(days=365),
        review_due=review_due,
    )
    return document


def test_an_overdue_corrective_action_is_on_its_owners_start_page(facility, process_owner, client_at):
    # given an ICT officer's corrective action three days overdue
    action = _overdue_action(process_owner)
    # when they open their start page on the portal
    page = client_at(facility, process_owner).get("/").content.decode()
    # then the quality panel lists it, overdue, with a link to its nonconformity
    assert 'id="start-quality-agenda"' in page
    assert action.description in page
    assert "/quality/nonconformities/NC-2026-0001/" in page


def test_someone_with_nothing_due_gets_no_empty_quality_box(facility, procurement_officer, process_owner, client_at):
    _overdue_action(process_owner)
    page = client_at(facility, procurement_officer).get("/").content.decode()
    assert 'id="start-quality-agenda"' not in page


def test_the_reminder_is_sent_to_the_owner_once_a_week_not_every_day(
    facility, process_owner, django_capture_on_commit_callbacks
):
    # given an overdue action
    action = _overdue_action(process_owner)
    now = timezone.now()
    # when beat's daily task runs today
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now) == 1
    # then its owner gets one digest naming it and linking to the portal
    assert [message.to for message in mail.outbox] == [[process_owner.email]]
    assert action.description in mail.outbox[0].body
    assert "/quality/nonconformities/NC-2026-0001/" in mail.outbox[0].body
    assert "1 overdue" in mail.outbox[0].subject
    # when it runs again the next day, nothing more is sent
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    # and a week later, still overdue, it is sent again
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now + timedelta(days=8)) == 1
    assert len(mail.outbox) == 2


def test_a_done_action_is_never_reminded(facility, process_owner, django_capture_on_commit_callbacks):
    action = _overdue_action(process_owner)
    CorrectiveAction.objects.filter(pk=action.pk).update(done_at=timezone.now(), done_by=process_owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 0
    assert mail.outbox == []


def test_a_document_due_for_review_is_reminded_to_its_owner_before_the_date(
    facility, procurement_officer, quality_officer, facility_manager, django_capture_on_commit_callbacks
):
    # given the manual owned by a procurement officer, due for review in ten days
    _effective_document(
        procurement_officer, quality_officer, facility_manager, review_due=timezone.localdate() + timedelta(days=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send()
    # then its owner is told, though nothing is overdue yet
    assert [message.to for message in mail.outbox] == [[procurement_officer.email]]
    assert "Common procurement manual" in mail.outbox[0].body


def test_the_reminder_is_written_in_the_owners_language(facility, process_owner, django_capture_on_commit_callbacks):
    process_owner.language = "fr"
    process_owner.save(update_fields=["language"])
    _overdue_action(process_owner)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send()
    assert mail.outbox[0].subject.startswith("Système qualité")


def test_an_accepted_suggestion_past_its_date_is_on_its_owners_start_page(
    facility, ict_process, process_owner, undp_requester, undp, client_at
):
    Suggestion.objects.create(
        reference="SUG-2026-0001",
        process=ict_process,
        title="Send the ticket number by SMS",
        description="Requesters without e-mail on their phone miss it.",
        suggested_by=undp_requester,
        agency=undp,
        submitted_at=timezone.now() - timedelta(days=30),
        status=SuggestionStatus.ACCEPTED,
        owner=process_owner,
        due_on=timezone.localdate() - timedelta(days=1),
    )
    page = client_at(facility, process_owner).get("/").content.decode()
    assert "Send the ticket number by SMS" in page and "/quality/suggestions/SUG-2026-0001/" in page


def test_versions_in_review_wait_in_the_approvers_inbox_but_never_the_authors(
    facility, quality_officer, facility_manager, procurement_officer, client_at
):
    # given a version written by the quality focal point, in review
    document = Document.objects.create(code="QP-DOC-01", title="Control of documents", owner=quality_officer)
    DocumentVersion.objects.create(
        document=document,
        number=1,
        status=VersionStatus.IN_REVIEW,
        text="Text",
        author=quality_officer,
        submitted_at=timezone.now(),
    )
    # then the facility manager sees it in the approvals inbox, its author does not, nor does a non-approver
    assert "QP-DOC-01 v1" in client_at(facility, facility_manager).get("/approvals/").content.decode()
    assert "QP-DOC-01 v1" not in client_at(facility, quality_officer).get("/approvals/").content.decode()
    assert "QP-DOC-01 v1" not in client_at(facility, procurement_officer).get("/approvals/").content.decode()


def test_a_document_in_effect_asks_the_roles_it_concerns_to_acknowledge_it(
    facility, procurement_officer, quality_officer, facility_manager, process_owner, client_at
):
    _effective_document(
        quality_officer,
        quality_officer,
        facility_manager,
        review_due=timezone.localdate() + timedelta(days=200),
        roles=[Role.PROCUREMENT_AGENT],
    )
    assert "read it and acknowledge" in client_at(facility, procurement_officer).get("/").content.decode()
    assert "read it and acknowledge" not in client_at(facility, process_owner).get("/").content.decode()


def test_an_agency_person_sees_their_own_suggestions_on_their_start_page_and_nobody_elses(
    facility, ict_process, undp, undp_requester, make_person, client_at
):
    colleague = make_person((Role.REQUESTER, undp), email="colleague@undp.test")
    for reference, person in (("SUG-2026-0001", undp_requester), ("SUG-2026-0002", colleague)):
        Suggestion.objects.create(
            reference=reference,
            process=ict_process,
            title=f"Idea of {person.email}",
            description="…",
            suggested_by=person,
            agency=undp,
            submitted_at=timezone.now(),
        )
    page = client_at(undp, undp_requester).get("/").content.decode()
    assert "Idea of requester@undp.test" in page
    assert "Idea of colleague@undp.test" not in page
    assert "/quality/suggestions/new/" in page  # the "Suggest an improvement" button


def test_the_dashboard_is_for_the_facilitys_staff(facility, external_auditor, make_person, undp, client_at):
    # the read-only auditor reads it
    assert client_at(facility, external_auditor).get("/quality/").status_code == 200
    # a board representative uses the portal but is not facility staff
    representative = make_person((Role.BOARD_REPRESENTATIVE, undp), email="board@undp.test")
    assert client_at(facility, representative).get("/quality/").status_code == 403
