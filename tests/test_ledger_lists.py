"""The ledger's request list and the people directory: sortable from the address, filters kept, empty states."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role

pytestmark = pytest.mark.django_db


def _references(page: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Reference"><a href="[^"]+">([^<]+)</a>', page)


@pytest.fixture
def three_requests(undp, undp_agreement, raise_request):  # type: ignore[no-untyped-def]
    now = timezone.now()
    raise_request(undp, "ICT-INC", now - timedelta(hours=3), priority="P3", reference="UNDP-B")
    raise_request(undp, "ICT-REQ", now - timedelta(hours=2), priority="P4", reference="UNDP-C")
    raise_request(undp, "ICT-INC", now - timedelta(hours=1), priority="P2", reference="UNDP-A")


def test_the_request_list_sorts_by_the_column_the_address_names_and_keeps_its_filters(
    undp, facility, make_person, client_at, three_requests
):
    # given a facility officer
    agent = make_person((Role.ICT_AGENT, None), email="ict@facility.test")
    client = client_at(facility, agent)

    # when the list is sorted by reference, then the other way, within one service
    ascending = client.get("/requests/?sort=reference").content.decode()
    descending = client.get("/requests/?sort=-reference&service=ICT-INC").content.decode()

    # then the rows follow, and the headers link on with the filter kept
    assert _references(ascending) == ["UNDP-A", "UNDP-B", "UNDP-C"]
    assert _references(descending) == ["UNDP-B", "UNDP-A"]
    assert 'aria-sort="descending"' in descending
    assert 'href="?sort=reference&amp;service=ICT-INC"' in descending
    # every column sorts, either way
    for column in ("reference", "title", "agency", "service", "priority", "status", "opened", "delivered"):
        assert client.get(f"/requests/?sort=-{column}").status_code == 200
        assert client.get(f"/sla/?risk_sort={column}&breach_sort=-{column}&report_sort={column}").status_code == 200
    # the newest first by default; an unknown column falls back to it
    assert _references(client.get("/requests/?sort=nonsense").content.decode()) == ["UNDP-A", "UNDP-C", "UNDP-B"]


def test_a_filter_that_finds_nothing_says_so_and_offers_every_request(
    undp, facility, make_person, client_at, three_requests
):
    # given a facility officer
    agent = make_person((Role.ICT_AGENT, None), email="ict@facility.test")

    # when they filter on a status no request has
    page = client_at(facility, agent).get("/requests/?status=cancelled").content.decode()

    # then the list says no request matches, with a way back to all of them
    assert "No request matches these filters." in page
    assert "Show all requests" in page


def test_a_requester_without_requests_is_told_so_not_that_a_filter_failed(undp, make_person, client_at):
    ana = make_person((Role.REQUESTER, undp), email="ana@undp.test")
    page = client_at(undp, ana).get("/requests/").content.decode()
    assert "You have not raised any request yet." in page and "No request matches" not in page


def test_the_people_directory_sorts_by_name_or_e_mail(undp, make_person, client_at):
    # given three people at UNDP
    viewer = make_person((Role.REQUESTER, undp), email="zoe@undp.test", first_name="Zoé", last_name="Almeida")
    make_person((Role.APPROVER, undp), email="ana@undp.test", first_name="Ana", last_name="da Silva")
    make_person((Role.AGENCY_FINANCE, undp), email="bia@undp.test", first_name="Bia", last_name="Costa")
    client = client_at(undp, viewer)

    # when the directory is sorted by name, then by e-mail
    by_name = client.get("/people/").content.decode()
    by_email = client.get("/people/?sort=email").content.decode()

    # then the order follows (names whatever their case), in cards on a phone
    assert by_name.index("Zoé Almeida") < by_name.index("Bia Costa") < by_name.index("Ana da Silva")
    assert by_email.index("ana@undp.test") < by_email.index("bia@undp.test") < by_email.index("zoe@undp.test")
    assert 'table id="people" class="stack"' in by_name
