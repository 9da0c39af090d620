"""Which address serves what: the host alone picks the agency (or the facility)."""

import pytest
from django.db import connection
from django.test import Client

from tenants.services import agency_update

pytestmark = pytest.mark.django_db


def test_an_unknown_agency_address_is_not_found(facility):
    response = Client(HTTP_HOST="nosuch.localhost").get("/accounts/login/")
    assert response.status_code == 404


def test_a_host_outside_the_base_domain_is_not_found(facility):
    response = Client(HTTP_HOST="evil.example.com").get("/accounts/login/")
    assert response.status_code == 404


def test_allowed_hosts_is_never_a_wildcard(settings):
    assert "*" not in settings.ALLOWED_HOSTS
    assert settings.ALLOWED_HOSTS[:2] == ["localhost", ".localhost"]


def test_an_agency_address_serves_its_own_sign_in_page(undp, client_at):
    response = client_at(undp).get("/accounts/login/")
    assert response.status_code == 200
    assert "Sign in to UNDP" in response.content.decode()


def test_the_facility_portal_is_served_at_the_base_domain(facility, client_at):
    response = client_at(facility).get("/accounts/login/")
    assert response.status_code == 200
    assert "Sign in to the facility portal" in response.content.decode()


def test_a_request_runs_in_its_agency_schema(undp, undp_requester, client_at):
    client_at(undp, undp_requester).get("/")
    assert connection.schema_name == "undp"


def test_a_deactivated_agency_address_is_not_found(undp, undp_requester, client_at):
    agency_update(agency=undp, name=undp.name, kind=undp.kind, headcount=undp.headcount, is_active=False)
    response = client_at(undp, undp_requester).get("/")
    assert response.status_code == 404


def test_the_admin_is_not_served_on_an_agency_address(undp, make_person, client_at):
    admin = make_person(("requester", undp), is_staff=True, is_superuser=True)
    response = client_at(undp, admin).get("/admin/")
    assert response.status_code == 404
