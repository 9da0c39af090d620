"""Improvement suggestions on the pages: the committee's board on the portal, one's own on the agency's address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from quality.models import Process, Suggestion, SuggestionStatus
from quality.services.suggestions import suggestion_decide, suggestion_score, suggestion_submit
from tenants.models import Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggest(ict_process: Process) -> Callable[..., Suggestion]:
    def make(person: User, agency: Agency | None, title: str = "Send the ticket number by SMS") -> Suggestion:
        return suggestion_submit(
            process=ict_process,
            title=title,
            description="The field does not see the e-mail.",
            suggested_by=person,
            agency=agency,
        )

    return make


# -- the facility portal ---------------------------------------------------------------------------


def test_the_board_lists_the_backlog_to_score_first_then_by_score(
    suggest, undp, undp_requester, committee_member, facility, client_at
):
    low = suggest(undp_requester, undp, "Low one")
    high = suggest(undp_requester, undp, "High one")
    suggest(undp_requester, undp, "Fresh one")
    suggestion_score(suggestion=low, impact=1, effort=5, scored_by=committee_member)
    suggestion_score(suggestion=high, impact=5, effort=1, scored_by=committee_member)
    body = client_at(facility, committee_member).get("/quality/suggestions/").content.decode()
    assert body.index("Fresh one") < body.index("High one") < body.index("Low one")
    assert "to score" in body
    sorted_body = client_at(facility, committee_member).get("/quality/suggestions/?sort=title").content.decode()
    assert sorted_body.index("Fresh one") < sorted_body.index("High one") < sorted_body.index("Low one")


def test_the_board_filters_by_status_and_process(
    suggest, undp, undp_requester, committee_member, facility, client_at, procurement_process
):
    suggest(undp_requester, undp, "About incidents")
    suggestion_submit(
        process=procurement_process,
        title="About quotations",
        description="Attach it.",
        suggested_by=undp_requester,
        agency=undp,
    )
    client = client_at(facility, committee_member)
    body = client.get("/quality/suggestions/?process=PRC-RFQ").content.decode()
    assert "About quotations" in body and "About incidents" not in body
    body = client.get("/quality/suggestions/?status=accepted").content.decode()
    assert "About quotations" not in body and "About incidents" not in body
    assert client.get("/quality/suggestions/?status=nonsense&process=NOPE&page=x").status_code == 200


@pytest.mark.parametrize(
    "role",
    [Role.AUDITOR, Role.PROCUREMENT_AGENT, Role.REVIEW_COMMITTEE, Role.QUALITY_FOCAL_POINT, Role.FACILITY_FINANCE],
)
def test_every_facility_role_reads_the_pages(role, suggest, undp, undp_requester, make_person, facility, client_at):
    suggestion = suggest(undp_requester, undp)
    client = client_at(facility, make_person((role, None)))
    for url in ("/quality/suggestions/", f"/quality/suggestions/{suggestion.reference}/"):
        assert client.get(url).status_code == 200, url
    new = client.get("/quality/suggestions/new/")
    assert new.status_code == (403 if role == Role.AUDITOR else 200)


def test_the_auditor_sees_no_form_and_is_refused_when_posting(
    suggest, undp, undp_requester, external_auditor, facility, client_at
):
    suggestion = suggest(undp_requester, undp)
    client = client_at(facility, external_auditor)
    body = client.get(f"/quality/suggestions/{suggestion.reference}/").content.decode()
    assert '<form method="post"' not in body
    response = client.post(f"/quality/suggestions/{suggestion.reference}/score/", {"impact": 3, "effort": 3})
    assert response.status_code == 403
    assert client.post("/quality/suggestions/new/", {"title": "x"}).status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.score is None


def test_the_committee_scores_and_accepts_on_the_page(
    suggest, undp, undp_requester, committee_member, process_owner, facility, client_at
):
    suggestion = suggest(undp_requester, undp)
    client = client_at(facility, committee_member)
    url = f"/quality/suggestions/{suggestion.reference}/"
    assert "Score the suggestion before deciding on it." in client.get(url).content.decode()
    assert client.post(f"{url}score/", {"impact": 4, "effort": 2}).status_code == 302
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(
        f"{url}decide/",
        {"decision": "accept", "reason": "Worth it.", "owner": process_owner.pk, "due_on": due, "steps": "A\nB"},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.score, suggestion.status, suggestion.owner) == (16, SuggestionStatus.ACCEPTED, process_owner)
    assert suggestion.steps.count() == 2


def test_bad_input_on_the_page_is_refused_and_changes_nothing(
    suggest, undp, undp_requester, committee_member, facility, client_at
):
    suggestion = suggest(undp_requester, undp)
    client = client_at(facility, committee_member)
    url = f"/quality/suggestions/{suggestion.reference}/"
    assert client.post(f"{url}score/", {"impact": 9, "effort": 2}).status_code == 400
    response = client.post(f"{url}decide/", {"decision": "reject", "reason": "No."})
    assert response.status_code == 409  # not scored yet
    assert "before deciding" in response.content.decode()
    suggestion_score(suggestion=suggestion, impact=3, effort=3, scored_by=committee_member)
    response = client.post(f"{url}decide/", {"decision": "accept", "reason": "Yes."})
    assert response.status_code == 400
    assert client.post(f"{url}steps/99999999999999999999/done/").status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED


def test_the_owner_ticks_steps_and_records_it_implemented(
    suggest, undp, undp_requester, committee_member, process_owner, facility, client_at
):
    suggestion = suggest(undp_requester, undp)
    suggestion_score(suggestion=suggestion, impact=4, effort=2, scored_by=committee_member)
    suggestion_decide(
        suggestion=suggestion,
        decision="accept",
        reason="Worth it.",
        decided_by=committee_member,
        owner=process_owner,
        due_on=timezone.localdate(),
        steps=["Only step"],
    )
    client = client_at(facility, process_owner)
    url = f"/quality/suggestions/{suggestion.reference}/"
    assert client.post(f"{url}implement/", {"outcome": "Done."}).status_code == 409
    step = suggestion.steps.get()
    assert client.post(f"{url}steps/{step.pk}/done/").status_code == 302
    assert client.post(f"{url}implement/", {"outcome": "SMS on every ticket."}).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.IMPLEMENTED


def test_facility_staff_suggest_on_the_portal(ict_process, procurement_officer, facility, client_at):
    response = client_at(facility, procurement_officer).post(
        "/quality/suggestions/new/", {"process": "ICT-INC", "title": "Shorter forms", "description": "Fewer fields."}
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.agency is None and suggestion.suggested_by == procurement_officer


# -- an agency's address ---------------------------------------------------------------------------


def test_a_requester_suggests_on_their_agencys_address_and_reads_the_outcome(
    ict_process, undp, undp_requester, committee_member, client_at
):
    client = client_at(undp, undp_requester)
    form = client.get("/quality/suggestions/new/")
    assert form.status_code == 200 and "ICT-INC" in form.content.decode()
    response = client.post(
        "/quality/suggestions/new/",
        {"process": "ICT-INC", "title": "Send the ticket number by SMS", "description": "For the field."},
    )
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and suggestion.agency == undp
    suggestion_score(suggestion=suggestion, impact=1, effort=5, scored_by=committee_member)
    suggestion_decide(suggestion=suggestion, decision="reject", reason="Not possible.", decided_by=committee_member)
    listing = client.get("/quality/suggestions/").content.decode()
    assert suggestion.reference in listing and "Not possible." in listing
    detail = client.get(f"/quality/suggestions/{suggestion.reference}/").content.decode()
    assert "Not possible." in detail
    assert "impact" not in detail.lower()


def test_bad_input_on_the_agency_form_is_refused(ict_process, undp, undp_requester, client_at):
    response = client_at(undp, undp_requester).post(
        "/quality/suggestions/new/", {"process": "NOPE", "title": "", "description": ""}
    )
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


def test_an_agency_person_sees_only_their_own_suggestions_from_this_address(
    suggest, undp, unfpa, undp_requester, make_person, client_at
):
    colleague = make_person((Role.APPROVER, undp))
    both = make_person((Role.REQUESTER, undp), (Role.REQUESTER, unfpa))
    mine = suggest(undp_requester, undp, "Mine")
    theirs = suggest(colleague, undp, "A colleague's")
    from_unfpa = suggest(both, unfpa, "Made at UNFPA")
    client = client_at(undp, undp_requester)
    listing = client.get("/quality/suggestions/").content.decode()
    assert "Mine" in listing and "A colleague's" not in listing
    assert client.get(f"/quality/suggestions/{theirs.reference}/").status_code == 404
    assert client.get(f"/quality/suggestions/{mine.reference}/").status_code == 200
    # the same person on another agency's address does not see what they suggested at UNFPA
    at_undp = client_at(undp, both)
    assert "Made at UNFPA" not in at_undp.get("/quality/suggestions/").content.decode()
    assert at_undp.get(f"/quality/suggestions/{from_unfpa.reference}/").status_code == 404
    assert client_at(unfpa, both).get(f"/quality/suggestions/{from_unfpa.reference}/").status_code == 200


def test_agency_people_never_reach_the_facility_pages(suggest, undp, undp_requester, facility, client_at):
    suggestion = suggest(undp_requester, undp)
    client = client_at(facility, undp_requester)
    for url in ("/quality/suggestions/", f"/quality/suggestions/{suggestion.reference}/"):
        assert client.get(url).status_code in (302, 403, 404), url
    assert client.post(
        f"/quality/suggestions/{suggestion.reference}/score/", {"impact": 5, "effort": 1}
    ).status_code in (
        302,
        403,
        404,
    )
    suggestion.refresh_from_db()
    assert suggestion.score is None
