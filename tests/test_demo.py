"""The demo facility of PRODUCT.md loads, and loading it twice changes nothing."""

import pytest
from django.core.management import call_command

from accounts.models import Membership, User
from demo import data
from tenants.models import Agency

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_brazil_facility_once(facility):
    call_command("load_demo")
    counts = (Agency.objects.agencies().count(), User.objects.count(), Membership.objects.count())
    call_command("load_demo")
    assert (Agency.objects.agencies().count(), User.objects.count(), Membership.objects.count()) == counts
    codes = set(Agency.objects.agencies().values_list("code", flat=True))
    assert {"UNDP", "UNFPA", "UNESCO", "UNWOMEN", "UNOPS", "UNEP", "UNAIDS"} <= codes
    assert Agency.objects.get(code="UNAIDS").has_vote is False
    assert Agency.objects.agencies().filter(kind="member").count() >= 6


def test_the_demo_requester_signs_in_at_undp_and_is_refused_at_unfpa(facility, client_at):
    call_command("load_demo")
    undp, unfpa = Agency.objects.get(code="UNDP"), Agency.objects.get(code="UNFPA")
    credentials = {"email": "requester@undp.demo", "password": data.DEMO_PASSWORD}
    assert client_at(undp).post("/accounts/login/", credentials).status_code == 302
    assert client_at(unfpa).post("/accounts/login/", credentials).status_code == 403


def test_the_partner_board_person_observes(facility):
    call_command("load_demo")
    roles = set(Membership.objects.filter(user__email="board@unaids.demo").values_list("role", flat=True))
    assert "board_observer" in roles
    assert "board_representative" not in roles
