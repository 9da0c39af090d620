"""Piggybacking: an approver of another agency asks to join; only an approver of the owner decides, never
the person who asked; one waiting request per agency; the decision is recorded and e-mailed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache

from shared_platform.errors import ApplicationError
from sourcing.models import JoinedVia, Participation, PiggybackRequest, PiggybackStatus
from sourcing.services import agreements as services
from tests.sourcing.conftest import expire


@pytest.fixture
def undp_lta(make_lta):  # type: ignore[no-untyped-def]
    """UNDP's agreement that UNFPA has not joined."""
    return make_lta()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    cache.clear()
    mail.outbox.clear()

    def call(service: Any, /, **arguments: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return service(**arguments)

    return call


def ask(agreement, agency, by, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("reason", "We run three workshops a year that need interpretation.")
    return services.piggyback_request(agreement=agreement, agency=agency, by=by, **fields)


def test_an_approver_asks_to_join_and_the_owners_approvers_are_emailed(undp_lta, unfpa, people, committed):
    # when UNFPA's approver asks to join, expecting to spend 12,000
    piggyback = committed(
        services.piggyback_request,
        agreement=undp_lta,
        agency=unfpa,
        by=people.unfpa_approver,
        reason="Three workshops a year.",
        expected_spend_usd="12000.00",
    )
    # then the request waits, and UNDP's approvers (not UNFPA's) hear of it
    assert piggyback.status == PiggybackStatus.REQUESTED
    assert piggyback.requested_ceiling_usd == Decimal("12000.00")
    assert sorted(message.to[0] for message in mail.outbox) == ["bia@undp.test", "bruno@undp.test"]
    assert "UNFPA" in mail.outbox[0].subject and undp_lta.reference in mail.outbox[0].subject
    assert not Participation.objects.filter(agreement=undp_lta, agency=unfpa).exists()


def test_only_an_approver_of_the_asking_agency_asks(undp_lta, unfpa, people):
    for person in (people.unfpa_requester, people.unfpa_finance, people.undp_approver):
        with pytest.raises(ApplicationError) as refused:
            ask(undp_lta, unfpa, person)
        assert refused.value.code == "sourcing.approvers_only"
    assert not PiggybackRequest.objects.exists()


def test_the_owner_does_not_piggyback_on_its_own_agreement(undp_lta, undp, people):
    with pytest.raises(ApplicationError) as refused:
        ask(undp_lta, undp, people.undp_approver)
    assert refused.value.code == "sourcing.own_agreement"


def test_an_agency_already_taking_part_does_not_ask(lta, unfpa, people):
    with pytest.raises(ApplicationError) as refused:
        ask(lta, unfpa, people.unfpa_approver)
    assert refused.value.code == "sourcing.already_participating"


def test_one_waiting_request_per_agency(undp_lta, unfpa, people, quiet):
    ask(undp_lta, unfpa, people.unfpa_approver)
    with pytest.raises(ApplicationError) as refused:
        ask(undp_lta, unfpa, people.unfpa_approver)
    assert refused.value.code == "sourcing.piggyback_waiting" and refused.value.status_code == 409
    assert PiggybackRequest.objects.count() == 1


def test_nobody_joins_an_expired_agreement(undp_lta, unfpa, people):
    expire(undp_lta)
    with pytest.raises(ApplicationError) as refused:
        ask(undp_lta, unfpa, people.unfpa_approver)
    assert refused.value.code == "sourcing.agreement_expired"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 2001}, "reason"),
        ({"expected_spend_usd": "-5"}, "expected_spend_usd"),
        ({"expected_spend_usd": "abc"}, "expected_spend_usd"),
        ({"expected_spend_usd": "0"}, "expected_spend_usd"),
        ({"expected_spend_usd": "1e20"}, "expected_spend_usd"),
    ],
)
def test_a_request_with_bad_input_is_refused_on_its_field(undp_lta, unfpa, people, fields, field):
    with pytest.raises(ApplicationError) as refused:
        ask(undp_lta, unfpa, people.unfpa_approver, **fields)
    assert field in refused.value.fields
    assert not PiggybackRequest.objects.exists()


def test_the_owners_approver_accepts_with_a_ceiling_and_the_asking_agency_is_told(undp_lta, unfpa, people, committed):
    piggyback = ask(undp_lta, unfpa, people.unfpa_approver)
    # when UNDP's approver accepts, giving UNFPA a ceiling of 15,000
    decided = committed(
        services.piggyback_decide,
        piggyback=piggyback,
        by=people.undp_approver,
        accept=True,
        agency_ceiling_usd="15000.00",
    )
    # then UNFPA takes part with its ceiling, the decision is recorded, and UNFPA's approver is told
    assert decided.status == PiggybackStatus.ACCEPTED and decided.decided_by == people.undp_approver
    participation = Participation.objects.get(agreement=undp_lta, agency=unfpa)
    assert participation.joined_via == JoinedVia.PIGGYBACK and participation.ceiling_usd == Decimal("15000.00")
    assert [message.to[0] for message in mail.outbox] == ["diego@unfpa.test"]
    assert "may now call off" in mail.outbox[0].subject


def test_a_refusal_is_emailed_to_the_asking_agency_with_the_reason(undp_lta, unfpa, people, committed):
    piggyback = ask(undp_lta, unfpa, people.unfpa_approver)
    committed(
        services.piggyback_decide,
        piggyback=piggyback,
        by=people.undp_approver,
        accept=False,
        note="The ceiling is committed to UNDP's own work plan.",
    )
    [message] = mail.outbox
    assert message.to == ["diego@unfpa.test"] and "refused" in message.subject
    assert "committed to UNDP's own work plan" in message.body


def test_the_owners_approver_refuses_saying_why(undp_lta, unfpa, people):
    piggyback = ask(undp_lta, unfpa, people.unfpa_approver)
    with pytest.raises(ApplicationError) as refused:
        services.piggyback_decide(piggyback=piggyback, by=people.undp_approver, accept=False, note="")
    assert "note" in refused.value.fields
    decided = services.piggyback_decide(
        piggyback=piggyback, by=people.undp_approver, accept=False, note="The ceiling is committed to UNDP's work."
    )
    assert decided.status == PiggybackStatus.REFUSED
    assert decided.decision_note == "The ceiling is committed to UNDP's work."
    assert not Participation.objects.filter(agreement=undp_lta, agency=unfpa).exists()
    # and UNFPA may ask again later
    assert ask(undp_lta, unfpa, people.unfpa_approver).status == PiggybackStatus.REQUESTED


def test_only_an_approver_of_the_owner_decides(undp_lta, unfpa, people):
    piggyback = ask(undp_lta, unfpa, people.unfpa_approver)
    for person in (people.unfpa_approver, people.unfpa_requester, people.undp_requester, people.buyer, people.manager):
        with pytest.raises(ApplicationError) as refused:
            services.piggyback_decide(piggyback=piggyback, by=person, accept=True)
        assert refused.value.status_code == 403
    piggyback.refresh_from_db()
    assert piggyback.status == PiggybackStatus.REQUESTED
    assert not Participation.objects.filter(agreement=undp_lta, agency=unfpa).exists()


def test_the_person_who_asked_does_not_decide_even_as_an_approver_of_the_owner(undp_lta, unfpa, undp, people):
    # given a person who is an approver of both agencies asks for UNFPA
    from accounts.models import Role
    from accounts.services import membership_grant

    membership_grant(user=people.unfpa_approver, role=Role.APPROVER, agency=undp)
    piggyback = ask(undp_lta, unfpa, people.unfpa_approver)
    with pytest.raises(ApplicationError) as refused:
        services.piggyback_decide(piggyback=piggyback, by=people.unfpa_approver, accept=True)
    assert refused.value.code == "sourcing.segregation"


def test_a_request_is_decided_once(undp_lta, unfpa, people):
    piggyback = ask(undp_lta, unfpa, people.unfpa_approver)
    services.piggyback_decide(piggyback=piggyback, by=people.undp_approver, accept=True)
    with pytest.raises(ApplicationError) as refused:
        services.piggyback_decide(piggyback=piggyback, by=people.undp_approver2, accept=False, note="Changed mind.")
    assert refused.value.code == "sourcing.already_decided"


@pytest.mark.parametrize("ceiling", ["-1", "0", "abc", "100000.01", "1e40"])
def test_an_agency_ceiling_above_the_agreements_or_not_a_figure_is_refused(undp_lta, unfpa, people, ceiling):
    piggyback = ask(undp_lta, unfpa, people.unfpa_approver)
    with pytest.raises(ApplicationError) as refused:
        services.piggyback_decide(piggyback=piggyback, by=people.undp_approver, accept=True, agency_ceiling_usd=ceiling)
    assert "agency_ceiling_usd" in refused.value.fields
    assert not Participation.objects.filter(agreement=undp_lta, agency=unfpa).exists()


def test_an_accepted_agency_calls_off_within_its_ceiling(undp_lta, unfpa, people, call_off):
    piggyback = ask(undp_lta, unfpa, people.unfpa_approver)
    services.piggyback_decide(piggyback=piggyback, by=people.undp_approver, accept=True, agency_ceiling_usd="2000")
    call_off(unfpa, undp_lta, {1: "2"})
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, undp_lta, {1: "1"})
    assert "UNFPA's own ceiling" in refused.value.message
