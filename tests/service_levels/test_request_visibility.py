"""Who inside an agency sees which requests: one rule for the ledger's pages, its API and the helpdesk.

PRODUCT.md, "Who uses it": a requester sees the requests they raised or are
named on; the agency's approvers and finance officers see all of its requests.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from ict_helpdesk.services import ticket_raise
from ledger.models import NamedRole
from ledger.services import entry_name_person
from service_levels.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleagues(make_person, undp):
    return {
        "author": make_person((Role.REQUESTER, undp), email="author@undp.test"),
        "colleague": make_person((Role.REQUESTER, undp), email="colleague@undp.test"),
        "approver": make_person((Role.APPROVER, undp), email="approver@undp.test"),
        "finance": make_person((Role.AGENCY_FINANCE, undp), email="finance@undp.test"),
    }


@pytest.fixture
def authors_request(undp, undp_agreement, raise_request, colleagues):
    return raise_request(
        undp,
        "ICT-INC",
        timezone.now() - timedelta(hours=2),
        priority="P3",
        reference="UNDP-SECRET-1",
        title="Payroll export fails",
        requester=colleagues["author"],
    )


@pytest.mark.parametrize("who", ["colleague"])
def test_a_colleague_does_not_see_a_request_they_did_not_raise(
    undp, authors_request, colleagues, who, client_at, api_at
):
    # given a requester who neither raised nor is named on the request
    person = colleagues[who]
    # when they look for it on every page and in the API
    page = client_at(undp, person)
    api = api_at(undp, person)
    # then it is nowhere
    assert "UNDP-SECRET-1" not in page.get("/requests/").content.decode()
    assert page.get("/requests/UNDP-SECRET-1/").status_code == 404
    assert "UNDP-SECRET-1" not in page.get("/sla/?export=at_risk").content.decode()
    assert api.get("/api/ledger/").json()["count"] == 0
    assert api.get("/api/ledger/UNDP-SECRET-1/").status_code == 404
    assert "author@undp.test" not in api.get("/api/ledger/").content.decode()


@pytest.mark.parametrize("who", ["author", "approver", "finance"])
def test_the_requester_approvers_and_finance_see_it(undp, authors_request, colleagues, who, client_at, api_at):
    person = colleagues[who]
    assert "UNDP-SECRET-1" in client_at(undp, person).get("/requests/").content.decode()
    assert client_at(undp, person).get("/requests/UNDP-SECRET-1/").status_code == 200
    assert [row["reference"] for row in api_at(undp, person).get("/api/ledger/").json()["results"]] == ["UNDP-SECRET-1"]


def test_someone_named_on_a_request_sees_it_as_its_requester_does(undp, authors_request, colleagues, api_at):
    # given a colleague named as the traveller
    entry_name_person(entry=authors_request, user=colleagues["colleague"], role=NamedRole.TRAVELLER)
    entry_name_person(entry=authors_request, user=colleagues["colleague"], role=NamedRole.TRAVELLER)  # once is once
    # then they see it, once
    listing = api_at(undp, colleagues["colleague"]).get("/api/ledger/").json()
    assert [row["reference"] for row in listing["results"]] == ["UNDP-SECRET-1"]


def test_the_agency_wide_compliance_figures_stay_visible_to_every_member(undp, authors_request, colleagues, api_at):
    # monthly counts name no request: a requester reads the agency's compliance like the approver
    mine = api_at(undp, colleagues["colleague"]).get("/api/sla/compliance/").json()
    theirs = api_at(undp, colleagues["approver"]).get("/api/sla/compliance/").json()
    assert mine == theirs


def test_the_helpdesk_applies_the_same_rule_as_the_ledger(undp, undp_agreement, colleagues, client_at):
    # given a ticket raised by the author
    with schema_context(undp.schema_name):
        ticket = ticket_raise(
            agency=undp,
            requester=colleagues["author"],
            kind="incident",
            category=Category.objects.order_by("pk").first(),
            impact="medium",
            urgency="medium",
            subject="Payroll export fails",
            description="Since Monday.",
        )
    # then finance (who sees the agency's requests on the ledger) opens it; a colleague does not
    assert client_at(undp, colleagues["finance"]).get(f"/helpdesk/{ticket.reference}/").status_code == 200
    assert client_at(undp, colleagues["colleague"]).get(f"/helpdesk/{ticket.reference}/").status_code == 404
    assert ticket.reference not in client_at(undp, colleagues["colleague"]).get("/helpdesk/").content.decode()
