"""A board member's start page shows the motions still waiting for their agency's ballot."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_representative_sees_the_motions_their_agency_has_not_voted_on(
    facility, six_members, make_motion, representative_of, vote, client_at
):
    # given two open motions and UNDP's representative
    undp = six_members[0]
    price_list = make_motion(title="Adopt the price list")
    manual = make_motion(title="Adopt the procurement manual")
    representative = representative_of(undp)
    # when UNDP has voted on one of them
    vote(price_list, undp, "for")
    page = client_at(facility, representative).get("/").content.decode()
    # then the start page lists the other one, with its closing time
    assert 'id="start-board-ballots"' in page
    assert "Adopt the procurement manual" in page and f"/governance/motions/{manual.pk}/" in page
    assert "Adopt the price list" not in page
    assert "UNDP has not voted" in page


def test_once_every_motion_has_the_agencys_ballot_the_panel_says_so(
    facility, six_members, make_motion, representative_of, vote, client_at
):
    undp = six_members[0]
    motion = make_motion()
    vote(motion, undp, "against")
    page = client_at(facility, representative_of(undp)).get("/").content.decode()
    assert "Your agency has voted on every open motion." in page
