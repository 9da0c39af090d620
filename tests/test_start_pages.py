"""The start page and the approvals inbox: every module contributes through shared_platform/start.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from shared_platform import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_module_with_approvals(monkeypatch):
    """A module contributing one approval to the inbox, for approvers of the agency being viewed."""

    def approvals(*, viewer):
        if viewer.on_facility or Role.APPROVER not in viewer.roles:
            return []
        return [
            start.Approval(
                module="Travel",
                reference=f"{viewer.address.code}-TA-000001",
                title="Mission to Manaus",
                url="/requests/",
                agency_code=viewer.address.code,
                requested_by="Ana Souza",
                waiting_since=timezone.now() - timedelta(days=2),
            )
        ]

    real = start._contributors
    monkeypatch.setattr(start, "_contributors", lambda hook: (approvals,) if hook == "approvals" else real(hook))


def test_the_approvals_inbox_shows_what_a_module_contributes_to_the_approver(
    undp, make_person, a_module_with_approvals, client_at
):
    # given an approver of UNDP and a module with an item waiting for them
    approver = make_person((Role.APPROVER, undp))
    client = client_at(undp, approver)
    # when they open the start page and the inbox
    home = client.get("/").content.decode()
    inbox = client.get("/approvals/").content.decode()
    # then both show the item, and the menu offers the inbox
    assert "1 item waits for your approval" in home and "UNDP-TA-000001" in home
    assert "Mission to Manaus" in inbox and "Travel" in inbox and 'href="/approvals/"' in inbox


def test_a_requester_has_nothing_in_the_inbox(undp, undp_requester, a_module_with_approvals, client_at):
    client = client_at(undp, undp_requester)
    assert "waits for your approval" not in client.get("/").content.decode()
    assert "Nothing is waiting for your approval." in client.get("/approvals/").content.decode()


def test_the_manager_lands_on_the_requests_at_risk(
    facility, undp, undp_agreement, raise_request, client_at, make_person
):
    # given a P1 opened two days ago, long past its targets
    raise_request(undp, "ICT-INC", timezone.now() - timedelta(days=2), priority="P1", reference="UNDP-P1")
    manager = make_person((Role.FACILITY_MANAGER, None))
    # when the manager opens the portal
    page = client_at(facility, manager).get("/").content.decode()
    # then the request is among those at risk, overdue
    assert 'id="start-at-risk"' in page and "UNDP-P1" in page
    assert "overdue since" in page


def test_every_module_contributes_through_its_start_module():
    # the start page names no module: it finds each installed app's start.py
    hooks = {function.__module__ for function in start._contributors("start_panels")}
    assert {"ledger.start", "ict_helpdesk.start", "governance.start", "billing.start"} <= hooks
