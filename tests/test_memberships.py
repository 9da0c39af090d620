"""Roles: agency roles in an agency, facility roles in the facility; partners do not vote."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Membership, Role
from accounts.services import membership_grant
from shared_platform.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_a_person_may_hold_several_roles_in_several_places(make_person, undp, unfpa):
    person = make_person((Role.REQUESTER, undp), (Role.APPROVER, unfpa), (Role.AUDITOR, None))
    assert set(Membership.objects.filter(user=person).values_list("role", flat=True)) == {
        "requester",
        "approver",
        "auditor",
    }


def test_granting_a_role_twice_keeps_one_membership(make_person, undp):
    person = make_person((Role.REQUESTER, undp))
    membership_grant(user=person, role=Role.REQUESTER, agency=undp)
    assert Membership.objects.filter(user=person).count() == 1


@pytest.mark.parametrize(
    ("role", "where", "code"),
    [
        (Role.REQUESTER, None, "accounts.agency_required"),
        (Role.ICT_AGENT, "undp", "accounts.facility_role"),
        (Role.BOARD_REPRESENTATIVE, "unaids", "accounts.partner_cannot_vote"),
        (Role.BOARD_ALTERNATE, "unaids", "accounts.partner_cannot_vote"),
        ("chief_everything", "undp", "accounts.unknown_role"),
    ],
)
def test_a_role_in_the_wrong_place_is_refused(make_person, undp, unaids, role, where, code):
    person = make_person()
    agency = {"undp": undp, "unaids": unaids, None: None}[where]
    with pytest.raises(ApplicationError) as refused:
        membership_grant(user=person, role=role, agency=agency)
    assert refused.value.code == code
    assert not Membership.objects.filter(user=person).exists()


def test_a_partner_observes_the_board(make_person, unaids):
    person = make_person((Role.BOARD_OBSERVER, unaids))
    assert Membership.objects.get(user=person).role == "board_observer"


def test_the_database_refuses_an_agency_role_without_an_agency(make_person):
    person = make_person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=person, agency=None, role=Role.REQUESTER)


def test_the_database_refuses_a_facility_role_twice(make_person):
    person = make_person((Role.AUDITOR, None))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=person, agency=None, role=Role.AUDITOR)


def test_the_admin_refuses_a_voting_seat_for_a_partner(facility, unaids, make_person, client_at):
    admin = make_person(is_staff=True, is_superuser=True)
    person = make_person()
    response = client_at(facility, admin).post(
        "/admin/accounts/membership/add/", {"user": person.pk, "agency": unaids.pk, "role": "board_representative"}
    )
    assert response.status_code == 200
    assert "partner without a vote" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()
