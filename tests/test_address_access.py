"""No one uses an agency's address unless they are its member (PRODUCT.md, "Tenancy").

Each test tries to get in where it must not: another agency's pages and API,
the facility portal, and a session cookie replayed with a crafted Host header.
"""

import pytest
from django.test import Client

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_a_member_sees_their_agency_home(undp, undp_requester, client_at):
    response = client_at(undp, undp_requester).get("/")
    assert response.status_code == 200
    assert "United Nations Development Programme" in response.content.decode()


def test_a_member_of_undp_is_refused_on_unfpa_pages(undp_requester, unfpa, client_at):
    response = client_at(unfpa, undp_requester).get("/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "no access to United Nations Population Fund" in body
    assert "Who&#x27;s who" not in body and "Who's who" not in body


def test_a_member_of_undp_is_refused_on_unfpa_api(undp_requester, unfpa, api_at):
    response = api_at(unfpa, undp_requester).get("/api/agencies/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "auth.permission_denied"


def test_a_session_cookie_replayed_with_a_crafted_host_header_is_refused(undp, unfpa, undp_requester):
    # given a session signed in at UNDP's address
    browser = Client(HTTP_HOST="undp.localhost")
    browser.force_login(undp_requester)
    assert browser.get("/").status_code == 200
    # when the same cookie is sent with UNFPA's host name
    response = browser.get("/", HTTP_HOST="unfpa.localhost")
    api_response = browser.get("/api/me/", HTTP_HOST="unfpa.localhost")
    # then neither the page nor the API answers with UNFPA's data
    assert response.status_code == 403
    assert api_response.status_code == 403
    assert api_response.json()["error"]["code"] == "auth.no_access_here"


def test_an_agency_requester_is_refused_on_the_facility_portal(undp_requester, facility, client_at, api_at):
    assert client_at(facility, undp_requester).get("/").status_code == 403
    assert api_at(facility, undp_requester).get("/api/agencies/").status_code == 403


def test_a_facility_agent_is_refused_on_an_agency_address(ict_agent, undp, client_at, api_at):
    assert client_at(undp, ict_agent).get("/").status_code == 403
    assert api_at(undp, ict_agent).get("/api/me/").status_code == 403


def test_a_facility_agent_uses_the_facility_portal(ict_agent, facility, client_at):
    response = client_at(facility, ict_agent).get("/")
    assert response.status_code == 200
    assert "Agencies served" in response.content.decode()


def test_a_board_representative_uses_the_facility_portal_and_their_agency(make_person, undp, facility, client_at):
    representative = make_person((Role.BOARD_REPRESENTATIVE, undp))
    assert client_at(facility, representative).get("/").status_code == 200
    assert client_at(undp, representative).get("/").status_code == 200


def test_a_person_with_two_agencies_uses_both_addresses(make_person, undp, unfpa, client_at):
    person = make_person((Role.REQUESTER, undp), (Role.APPROVER, unfpa))
    assert client_at(undp, person).get("/").status_code == 200
    assert client_at(unfpa, person).get("/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(undp, client_at):
    response = client_at(undp).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_an_anonymous_api_call_is_refused_with_the_error_shape(undp, api_at):
    response = api_at(undp).get("/api/agencies/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.not_authenticated"


def test_an_inactive_person_is_refused_even_with_a_membership(undp, undp_requester, client_at):
    undp_requester.is_active = False
    undp_requester.save(update_fields=["is_active"])
    response = client_at(undp, undp_requester).get("/")
    assert response.status_code in (302, 403)
