"""Fixtures for agreement change requests: UNDP's and UNFPA's change_people and agreements, and requests at each step.

Imported by the test_changes*.py modules (tests/accountability/conftest.py is the lead's). UNDP's
agreement covers ICT and travel from 1 January 2026; UNFPA's covers every service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accountability.models import AgreementChangeRequest
from accountability.services import changes
from accounts.models import Role, User
from ledger.services import alerts_muted
from service_levels.models import Agreement
from tenants.models import Agency


@pytest.fixture
def quiet_changes() -> Iterator[None]:
    """No e-mail: most tests here are about the rules (test_changes_mail covers the e-mails)."""
    with alerts_muted():
        yield


@dataclass
class People:
    undp_approver: User
    undp_approver2: User
    undp_finance: User
    undp_requester: User
    undp_board: User
    unfpa_approver: User
    unfpa_finance: User
    manager: User
    finance: User
    auditor: User


@pytest.fixture
def change_people(make_person: Callable[..., User], facility: Agency, undp: Agency, unfpa: Agency) -> People:
    return People(
        undp_approver=make_person((Role.APPROVER, undp), email="approver@undp.test"),
        undp_approver2=make_person((Role.APPROVER, undp), email="approver2@undp.test"),
        undp_finance=make_person((Role.AGENCY_FINANCE, undp), email="finance@undp.test"),
        undp_requester=make_person((Role.REQUESTER, undp), email="requester@undp.test"),
        undp_board=make_person((Role.BOARD_REPRESENTATIVE, undp), email="board@undp.test"),
        unfpa_approver=make_person((Role.APPROVER, unfpa), email="approver@unfpa.test"),
        unfpa_finance=make_person((Role.AGENCY_FINANCE, unfpa), email="finance@unfpa.test"),
        manager=make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test"),
        finance=make_person((Role.FACILITY_FINANCE, None), email="finance@facility.test"),
        auditor=make_person((Role.AUDITOR, None), email="auditor@facility.test"),
    )


@pytest.fixture
def undp_ict_travel(sign_agreement: Callable[..., Agreement], undp: Agency) -> Agreement:
    return sign_agreement(undp, services=["ICT-INC", "ICT-REQ", "TRV-TA"])


@pytest.fixture
def first_of_next_month() -> date:
    today = timezone.localdate()
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


@pytest.fixture
def propose_change(
    change_people: People, undp: Agency, undp_ict_travel: Agreement, first_of_next_month: date
) -> Callable[..., AgreementChangeRequest]:
    """propose_change(**fields): UNDP's finance officer proposes adding PRC-MICRO (or what is given)."""

    def make(**fields: Any) -> AgreementChangeRequest:
        fields.setdefault("agency", undp)
        fields.setdefault("agreement", undp_ict_travel)
        fields.setdefault("summary", "Add micro-purchases")
        fields.setdefault("reason", "Our office starts buying through the facility.")
        fields.setdefault("effective_from", first_of_next_month)
        fields.setdefault("services_added", ["PRC-MICRO"])
        fields.setdefault("by", change_people.undp_finance)
        return changes.change_request_submit(**fields)

    return make


@pytest.fixture
def assessed_change(
    change_people: People, propose_change: Callable[..., AgreementChangeRequest]
) -> AgreementChangeRequest:
    request = propose_change()
    return changes.change_request_assess(
        request=request,
        price_effect="About 4 purchase orders a month at 150 USD.",
        target_effect="Micro-purchase completion in 3 days.",
        by=change_people.finance,
    )
