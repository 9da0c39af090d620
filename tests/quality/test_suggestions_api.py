"""Improvement suggestions through the API: the same rules as the pages, in the one error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role, User
from quality.models import Process, Suggestion, SuggestionStatus
from quality.services.suggestions import suggestion_submit
from tenants.models import Agency

pytestmark = pytest.mark.django_db
BASE = "/api/quality/suggestions/"


@pytest.fixture
def suggestion(ict_process: Process, undp_requester: User, undp: Agency) -> Suggestion:
    return suggestion_submit(
        process=ict_process,
        title="Send the ticket number by SMS",
        description="The field does not see the e-mail.",
        suggested_by=undp_requester,
        agency=undp,
    )


def test_the_committee_scores_decides_and_the_owner_implements_through_the_api(
    suggestion, committee_member, process_owner, facility, api_at, django_capture_on_commit_callbacks
):
    committee = api_at(facility, committee_member)
    one = f"{BASE}{suggestion.reference}/"
    assert committee.post(f"{one}score/", {"impact": 5, "effort": 2}, format="json").json()["score"] == 20
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        answer = committee.post(
            f"{one}decide/",
            {"decision": "accept", "reason": "Worth it.", "owner": process_owner.email, "due_on": due, "steps": ["A"]},
            format="json",
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "accepted" and len(answer.json()["steps"]) == 1
    assert mail.outbox[-1].to == [suggestion.suggested_by.email]
    owner = api_at(facility, process_owner)
    added = owner.post(f"{one}steps/", {"description": "B"}, format="json")
    assert added.status_code == 201
    refused = owner.post(f"{one}implement/", {"outcome": "Done."}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "quality.steps_open"
    for step in added.json()["steps"]:
        assert owner.post(f"{one}steps/{step['id']}/done/", format="json").status_code == 200
    done = owner.post(f"{one}implement/", {"outcome": "SMS on every ticket."}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "implemented"


def test_the_board_lists_and_filters(suggestion, external_auditor, facility, api_at):
    reader = api_at(facility, external_auditor)
    assert [row["reference"] for row in reader.get(BASE).json()["results"]] == [suggestion.reference]
    assert reader.get(BASE, {"status": "accepted"}).json()["results"] == []
    assert reader.get(BASE, {"status": "nonsense"}).json()["results"] == []
    assert reader.get(BASE, {"process": "PRC-RFQ"}).json()["results"] == []
    assert reader.get(f"{BASE}{suggestion.reference}/").json()["title"] == suggestion.title


def test_facility_staff_suggest_and_the_auditor_cannot(
    ict_process, procurement_officer, external_auditor, facility, api_at
):
    body = {"process": "ICT-INC", "title": "Shorter forms", "description": "Fewer fields."}
    created = api_at(facility, procurement_officer).post(BASE, body, format="json")
    assert created.status_code == 201 and created.json()["agency"] is None
    refused = api_at(facility, external_auditor).post(BASE, body, format="json")
    assert refused.status_code == 403
    assert Suggestion.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("score/", {"impact": 3, "effort": 3}),
        ("decide/", {"decision": "reject", "reason": "No."}),
        ("steps/", {"description": "More"}),
        ("implement/", {"outcome": "Done."}),
    ],
)
def test_an_unauthorised_facility_role_is_refused_every_action(
    path, body, suggestion, external_auditor, procurement_officer, facility, api_at
):
    for person in (external_auditor, procurement_officer):
        answer = api_at(facility, person).post(f"{BASE}{suggestion.reference}/{path}", body, format="json")
        assert answer.status_code in (403, 409), answer.content
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED and suggestion.score is None


def test_bad_input_is_refused_and_changes_nothing(suggestion, committee_member, facility, api_at):
    committee = api_at(facility, committee_member)
    one = f"{BASE}{suggestion.reference}/"
    assert committee.post(f"{one}score/", {"impact": 0, "effort": "x"}, format="json").status_code == 400
    assert committee.post(f"{one}decide/", {"decision": "reject", "reason": "No."}, format="json").status_code == 409
    committee.post(f"{one}score/", {"impact": 3, "effort": 3}, format="json")
    answer = committee.post(f"{one}decide/", {"decision": "accept", "reason": "Yes."}, format="json")
    assert answer.status_code == 400 and "owner" in answer.json()["error"]["fields"]
    answer = committee.post(
        f"{one}decide/", {"decision": "accept", "reason": "Yes.", "owner": "nobody@nowhere.test"}, format="json"
    )
    assert answer.status_code == 400
    assert committee.post(f"{one}decide/", {"decision": "maybe", "reason": "?"}, format="json").status_code == 400
    assert committee.post(f"{one}steps/9999999999999999999999/done/", format="json").status_code == 404
    assert committee.get(f"{BASE}SUG-0000-0000/").status_code == 404
    assert committee.post(BASE, {"process": "NOPE", "title": "", "description": ""}, format="json").status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED
    assert Suggestion.objects.count() == 1


def test_agency_people_are_refused_the_facility_api(suggestion, undp_requester, undp, facility, api_at):
    # on the facility portal: refused
    portal = api_at(facility, undp_requester)
    assert portal.get(BASE).status_code == 403
    assert portal.get(f"{BASE}{suggestion.reference}/").status_code == 403
    assert (
        portal.post(f"{BASE}{suggestion.reference}/score/", {"impact": 5, "effort": 1}, format="json").status_code
        == 403
    )
    # on their agency's address the committee's actions do not exist
    own = api_at(undp, undp_requester)
    assert (
        own.post(f"{BASE}{suggestion.reference}/score/", {"impact": 5, "effort": 1}, format="json").status_code == 404
    )
    suggestion.refresh_from_db()
    assert suggestion.score is None


def test_an_agency_person_reads_and_makes_only_their_own(
    suggestion, ict_process, undp, unfpa, undp_requester, make_person, api_at
):
    colleague = make_person((Role.APPROVER, undp))
    theirs = suggestion_submit(
        process=ict_process, title="Theirs", description="x", suggested_by=colleague, agency=undp
    )
    mine = api_at(undp, undp_requester)
    rows = mine.get(BASE).json()["results"]
    assert [row["reference"] for row in rows] == [suggestion.reference]
    assert "score" not in rows[0] and "impact" not in rows[0]
    assert mine.get(f"{BASE}{theirs.reference}/").status_code == 404
    assert mine.get(f"{BASE}{suggestion.reference}/").status_code == 200
    created = mine.post(BASE, {"process": "ICT-INC", "title": "More", "description": "Yes."}, format="json")
    assert created.status_code == 201
    assert Suggestion.objects.get(reference=created.json()["reference"]).agency == undp
    # a person of both agencies sees at UNFPA nothing they suggested at UNDP
    both = make_person((Role.REQUESTER, undp), (Role.REQUESTER, unfpa))
    at_undp = api_at(undp, both).post(
        BASE, {"process": "ICT-INC", "title": "At UNDP", "description": "x"}, format="json"
    )
    at_unfpa = api_at(unfpa, both)
    assert at_unfpa.get(BASE).json()["results"] == []
    assert at_unfpa.get(f"{BASE}{at_undp.json()['reference']}/").status_code == 404
