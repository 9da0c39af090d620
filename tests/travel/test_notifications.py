"""E-mails at each step of a trip: who gets them, in their language, never the person who acted, never the
traveller's personal data."""

from __future__ import annotations

from collections.abc import Callable

from django.core import mail

from tenants.models import Agency
from travel import services
from travel.models import TravelRequest

from .conftest import People


def test_the_approvers_hear_of_a_request_and_the_requester_and_traveller_of_its_approval(
    submit: Callable[..., TravelRequest], people: People, undp: Agency, django_capture_on_commit_callbacks
) -> None:
    people.approver.language = "fr"
    people.approver.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        trip = submit(personal=services.PersonalData(passport_number="FZ445566", phone="+55 61 98888 7777"))
    assert [message.to for message in mail.outbox] == [[people.approver.email]]
    assert trip.reference in mail.outbox[0].subject
    # in the approver's language
    assert mail.outbox[0].subject == f"{trip.reference} attend votre approbation : voyage de Tiago Reis"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.trip_approve(agency=undp, trip=trip, approver=people.approver)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([people.requester.email, people.traveller.email, people.officer.email])
    assert people.approver.email not in recipients
    for message in mail.outbox:
        assert "FZ445566" not in message.body and "98888" not in message.body
        assert "1,200.00" in message.body or "1.200,00" in message.body


def test_the_traveller_hears_what_the_settlement_owes_them(
    trip_at: Callable[..., TravelRequest], people: People, django_capture_on_commit_callbacks
) -> None:
    from ledger.services import alerts_muted

    with alerts_muted():
        trip = trip_at("claimed")
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_settle(trip=trip, by=people.officer)
    to_traveller = [message for message in mail.outbox if message.to == [people.traveller.email]]
    assert len(to_traveller) == 1
    assert "is owed to the traveller" in to_traveller[0].body
    assert "USD" in to_traveller[0].body
