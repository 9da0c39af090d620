"""Agreements on the start page and in the approvals inbox: the owner's approvers decide requests to join
(never their own); the owner's approvers and the facility's buyers see agreements near their ceiling."""

from __future__ import annotations

import pytest

from shared_platform.start import viewer_for
from sourcing import start
from sourcing.services import agreements as services

pytestmark = pytest.mark.usefixtures("quiet")


def test_the_owners_approvers_find_a_request_to_join_in_their_inbox(make_lta, undp, unfpa, people, client_at):
    agreement = make_lta()
    services.piggyback_request(agreement=agreement, agency=unfpa, by=people.unfpa_approver, reason="Workshops.")
    [item] = start.approvals(viewer=viewer_for(user=people.undp_approver, address=undp))
    assert item.reference == agreement.reference and item.agency_code == "UNFPA"
    assert start.approvals(viewer=viewer_for(user=people.unfpa_approver, address=unfpa)) == []
    assert start.approvals(viewer=viewer_for(user=people.undp_requester, address=undp)) == []
    # and the inbox page links to the decision
    inbox = client_at(undp, people.undp_approver).get("/approvals/").content.decode()
    assert item.url in inbox


def test_agreements_near_their_ceiling_show_to_the_owners_approvers_and_the_buyers(
    make_lta, undp, unfpa, facility, call_off, people
):
    agreement = make_lta("10000.00", participants=[unfpa])
    assert start.start_panels(viewer=viewer_for(user=people.buyer, address=facility)) == []
    call_off(unfpa, agreement, {1: "8"})
    for user, address in ((people.undp_approver, undp), (people.buyer, facility)):
        [panel] = start.start_panels(viewer=viewer_for(user=user, address=address))
        assert agreement.reference in panel.items[0].label and "80 %" in panel.items[0].detail
    for user, address in ((people.unfpa_approver, unfpa), (people.undp_requester, undp), (people.auditor, facility)):
        assert start.start_panels(viewer=viewer_for(user=user, address=address)) == []
