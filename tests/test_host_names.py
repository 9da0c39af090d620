"""Host names are case-insensitive, and no spelling of a host reaches another agency."""

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["UNDP.localhost", "undp.LOCALHOST:8000", "UNDP.LOCALHOST", "undp.localhost."])
def test_an_agency_address_in_capitals_reaches_that_agency(undp, host):
    # when UNDP's address is written in capitals (or with DNS's trailing dot)
    response = Client(HTTP_HOST=host).get("/accounts/login/")
    # then UNDP answers
    assert response.status_code == 200
    assert "Sign in to UNDP" in response.content.decode()
    assert connection.schema_name == "undp"


def test_the_facility_portal_in_capitals_is_the_portal(facility):
    response = Client(HTTP_HOST="LocalHost:8000").get("/accounts/login/")
    assert response.status_code == 200
    assert "Sign in to the facility portal" in response.content.decode()


def test_a_signed_in_person_keeps_their_session_across_spellings(undp, undp_requester, client_at):
    browser = client_at(undp, undp_requester)
    assert browser.get("/", HTTP_HOST="UNDP.localhost").status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "undp.localhost.unfpa.localhost",  # no such agency, though it ends in another's
        "unfpa.localhost@undp.localhost",
        "undp.localhost:8000@unfpa.localhost",
        "undp.localhost, unfpa.localhost",
        "undp.localhost/unfpa.localhost",
        "undp.localhost%2eunfpa",
        "undp..localhost",
        "undp.localhost.evil.example",
        "UNDP.localhost\x00.unfpa.localhost",
        "undp.localhost:notaport",
    ],
)
def test_a_crafted_host_reaches_no_agency(undp, unfpa, undp_requester, client_at, host):
    # given a person signed in at UNDP
    browser = client_at(undp, undp_requester)
    # when a crafted Host header is sent
    response = browser.get("/api/me/", HTTP_HOST=host)
    # then nothing is served there, and no agency's schema was entered
    assert response.status_code in (400, 404)
    assert connection.schema_name == "public"
