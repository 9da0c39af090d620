"""The home pages each role lands on: layout, navigation, tables that page."""

import pytest

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_the_agency_people_page_lists_who_holds_which_role(make_person, undp, client_at):
    approver = make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), first_name="Carla", last_name="Ferreira")
    body = client_at(undp, approver).get("/people/").content.decode()
    assert "Your roles here" in body
    assert "Approver / certifying officer" in body
    assert "Carla Ferreira" in body
    assert "Signed in as <strong>Carla Ferreira</strong>" in body


def test_the_agency_people_page_never_lists_another_agencys_people(make_person, undp, unfpa, client_at):
    make_person((Role.REQUESTER, unfpa), email="someone@unfpa.test")
    requester = make_person((Role.REQUESTER, undp))
    body = client_at(undp, requester).get("/people/").content.decode()
    assert "someone@unfpa.test" not in body


def test_the_people_table_pages_by_25(make_person, undp, client_at):
    people = [make_person((Role.REQUESTER, undp)) for _ in range(30)]
    first = client_at(undp, people[0]).get("/people/").content.decode()
    second = client_at(undp, people[0]).get("/people/?page=2").content.decode()
    assert "Page 1 of 2 (30 in all)" in first
    assert "Page 2 of 2 (30 in all)" in second
    assert first.count("@example.org") == 25
    assert second.count("@example.org") == 5


def test_a_page_number_out_of_range_shows_the_last_page(make_person, undp, client_at):
    person = make_person((Role.REQUESTER, undp))
    response = client_at(undp, person).get("/people/?page=999")
    assert response.status_code == 200


def test_the_facility_home_lists_agencies_with_their_addresses(facility, undp, unaids, ict_agent, client_at):
    body = client_at(facility, ict_agent).get("/").content.decode()
    assert "<code>undp.localhost</code>" in body
    assert "Partner, observes" in body  # UNAIDS


def test_administrators_see_the_administration_link_on_the_portal_only(facility, make_person, client_at):
    admin = make_person((Role.FACILITY_MANAGER, None), is_staff=True, is_superuser=True)
    assert 'href="/admin/"' in client_at(facility, admin).get("/").content.decode()


def test_pages_use_local_static_files_only(undp, undp_requester, client_at):
    body = client_at(undp, undp_requester).get("/").content.decode()
    assert "/static/admin/css/base.css" in body
    assert 'href="http' not in body and 'src="http' not in body


def test_the_layout_is_readable_on_a_phone(undp, client_at):
    body = client_at(undp).get("/accounts/login/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert "admin/css/responsive.css" in body
