"""The board in the Django admin: the quorum is edited there, the rest is read-only."""

import pytest

from accounts.models import Role
from governance import services
from governance.models import Board

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(make_person, facility):
    return make_person((Role.FACILITY_MANAGER, None), is_staff=True, is_superuser=True)


def test_an_administrator_changes_the_quorum_in_the_admin(administrator, client_at, facility):
    board = services.board_ensure()
    response = client_at(facility, administrator).post(
        f"/admin/governance/board/{board.pk}/change/", {"name": board.name, "quorum_percent": 66}
    )
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.quorum_percent == 66


def test_a_quorum_of_100_percent_is_refused_in_the_admin(administrator, client_at, facility):
    board = services.board_ensure()
    response = client_at(facility, administrator).post(
        f"/admin/governance/board/{board.pk}/change/", {"name": board.name, "quorum_percent": 100}
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert Board.objects.get().quorum_percent == 50


def test_motions_ballots_and_the_register_are_read_only_in_the_admin(
    administrator, client_at, facility, six_members, make_motion, vote, secretary
):
    motion = make_motion()
    for agency in six_members[:4]:
        vote(motion, agency, "for")
    entry = services.motion_close(motion=motion, closed_by=secretary)
    client = client_at(facility, administrator)
    for model in ("motion", "registerentry", "ballotrecord", "meeting", "board"):
        assert client.get(f"/admin/governance/{model}/").status_code == 200, model
    assert client.get(f"/admin/governance/registerentry/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/governance/registerentry/add/").status_code == 403
    assert client.post(f"/admin/governance/registerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/governance/motion/{motion.pk}/delete/", {"post": "yes"}).status_code == 403
