"""Improvement suggestions through the review committee (clause 10.3): the rules the services enforce."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role, User
from quality.models import Process, QualityEvent, Suggestion, SuggestionStatus
from quality.selectors.suggestions import (
    backlog_to_score,
    suggestion_board,
    suggestions_overdue,
    suggestions_owned_open,
)
from quality.services.suggestions import (
    suggestion_decide,
    suggestion_implement,
    suggestion_score,
    suggestion_step_add,
    suggestion_step_done,
    suggestion_submit,
)
from shared_platform.errors import ApplicationError
from tenants.models import Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggest(ict_process: Process, undp_requester: User, undp: Agency) -> Callable[..., Suggestion]:
    def make(title: str = "Send the ticket number by SMS", **fields: object) -> Suggestion:
        values: dict[str, object] = {
            "process": ict_process,
            "title": title,
            "description": "Colleagues in the field do not see the e-mail until they are back at a desk.",
            "suggested_by": undp_requester,
            "agency": undp,
        }
        values.update(fields)
        return suggestion_submit(**values)  # type: ignore[arg-type]

    return make


def _accepted(suggestion: Suggestion, committee: User, owner: User, steps: list[str]) -> Suggestion:
    suggestion_score(suggestion=suggestion, impact=4, effort=2, scored_by=committee)
    return suggestion_decide(
        suggestion=suggestion,
        decision="accept",
        reason="Worth it.",
        decided_by=committee,
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=30),
        steps=steps,
    )


# -- submitting ------------------------------------------------------------------------------------


def test_a_suggestion_gets_its_reference_and_history(suggest, undp_requester):
    suggestion = suggest()
    assert suggestion.reference == f"SUG-{timezone.localdate().year}-{suggestion.pk:04d}"
    assert suggestion.status == SuggestionStatus.SUBMITTED
    assert list(suggestion.events.values_list("action", flat=True)) == ["submitted"]


def test_the_facility_staff_suggest_from_the_portal(suggest, procurement_officer):
    suggestion = suggest(suggested_by=procurement_officer, agency=None)
    assert suggestion.agency is None


def test_the_read_only_auditor_cannot_suggest(suggest, external_auditor):
    with pytest.raises(ApplicationError) as refused:
        suggest(suggested_by=external_auditor, agency=None)
    assert refused.value.status_code == 403
    assert not Suggestion.objects.exists()


def test_an_agency_person_suggests_only_on_their_own_agencys_address(suggest, unfpa):
    with pytest.raises(ApplicationError) as refused:
        suggest(agency=unfpa)
    assert refused.value.status_code == 403


def test_an_inactive_process_takes_no_suggestion(suggest, ict_process):
    ict_process.active = False
    ict_process.save()
    with pytest.raises(ApplicationError) as refused:
        suggest()
    assert refused.value.status_code == 400 and "process" in refused.value.fields


def test_a_suggestion_needs_a_title_and_a_description(suggest):
    with pytest.raises(ApplicationError) as refused:
        suggest(title="   ")
    assert "title" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        suggest(description="")
    assert "description" in refused.value.fields
    assert not Suggestion.objects.exists()


# -- scoring and ordering --------------------------------------------------------------------------


def test_the_score_is_impact_times_six_minus_effort(suggest, committee_member):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=4, effort=2, scored_by=committee_member)
    suggestion.refresh_from_db()
    assert (suggestion.impact, suggestion.effort, suggestion.score) == (4, 2, 16)
    assert suggestion.scored_by == committee_member


def test_an_undecided_suggestion_may_be_scored_again(suggest, committee_member):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=4, effort=2, scored_by=committee_member)
    suggestion_score(suggestion=suggestion, impact=2, effort=5, scored_by=committee_member)
    suggestion.refresh_from_db()
    assert suggestion.score == 2
    assert list(suggestion.events.values_list("action", flat=True)) == ["submitted", "scored", "rescored"]


@pytest.mark.parametrize(("impact", "effort"), [(0, 3), (6, 3), (3, 0), (3, 9)])
def test_scores_outside_one_to_five_are_refused(suggest, committee_member, impact, effort):
    suggestion = suggest()
    with pytest.raises(ApplicationError) as refused:
        suggestion_score(suggestion=suggestion, impact=impact, effort=effort, scored_by=committee_member)
    assert refused.value.status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.score is None


def test_only_the_committee_scores(suggest, procurement_officer, external_auditor):
    suggestion = suggest()
    for person in (procurement_officer, external_auditor):
        with pytest.raises(ApplicationError) as refused:
            suggestion_score(suggestion=suggestion, impact=3, effort=3, scored_by=person)
        assert refused.value.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.score is None


def test_the_quality_focal_point_sits_on_the_committee(suggest, quality_officer):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=3, effort=3, scored_by=quality_officer)
    assert suggestion.score == 9


def test_the_board_puts_the_unscored_first_then_the_highest_score(suggest, committee_member):
    low, high, _unscored, middle = (suggest(title=title) for title in ("low", "high", "unscored", "middle"))
    for suggestion, impact, effort in ((low, 1, 5), (high, 5, 1), (middle, 3, 3)):
        suggestion_score(suggestion=suggestion, impact=impact, effort=effort, scored_by=committee_member)
    assert [row.title for row in suggestion_board()] == ["unscored", "high", "middle", "low"]
    assert [row.title for row in backlog_to_score()] == ["unscored", "high", "middle", "low"]


# -- deciding --------------------------------------------------------------------------------------


def test_deciding_before_scoring_is_refused(suggest, committee_member):
    suggestion = suggest()
    with pytest.raises(ApplicationError) as refused:
        suggestion_decide(suggestion=suggestion, decision="reject", reason="No.", decided_by=committee_member)
    assert refused.value.code == "quality.suggestion_not_scored"
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED


def test_a_decision_always_carries_a_reason(suggest, committee_member):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=3, effort=3, scored_by=committee_member)
    with pytest.raises(ApplicationError) as refused:
        suggestion_decide(suggestion=suggestion, decision="reject", reason="  ", decided_by=committee_member)
    assert "reason" in refused.value.fields
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED


def test_accepting_needs_an_owner_from_the_facility_and_a_due_date_not_in_the_past(
    suggest, committee_member, process_owner, undp_requester, external_auditor
):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=3, effort=3, scored_by=committee_member)
    future = timezone.localdate() + timedelta(days=10)
    for owner, due_on, field in (
        (None, future, "owner"),
        (undp_requester, future, "owner"),
        (external_auditor, future, "owner"),
        (process_owner, None, "due_on"),
        (process_owner, timezone.localdate() - timedelta(days=1), "due_on"),
    ):
        with pytest.raises(ApplicationError) as refused:
            suggestion_decide(
                suggestion=suggestion,
                decision="accept",
                reason="Good.",
                decided_by=committee_member,
                owner=owner,
                due_on=due_on,
            )
        assert field in refused.value.fields
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED and suggestion.owner is None


def test_accepting_plans_the_steps_one_per_line(suggest, committee_member, process_owner):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=3, effort=3, scored_by=committee_member)
    suggestion_decide(
        suggestion=suggestion,
        decision="accept",
        reason="Good.",
        decided_by=committee_member,
        owner=process_owner,
        due_on=timezone.localdate(),
        steps="Choose an SMS provider\n\n  Send the number on creation  \n",
    )
    assert list(suggestion.steps.values_list("position", "description")) == [
        (1, "Choose an SMS provider"),
        (2, "Send the number on creation"),
    ]
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.owner == process_owner


def test_only_the_committee_decides(suggest, committee_member, process_owner, external_auditor):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=3, effort=3, scored_by=committee_member)
    for person in (process_owner, external_auditor):
        with pytest.raises(ApplicationError) as refused:
            suggestion_decide(suggestion=suggestion, decision="reject", reason="No.", decided_by=person)
        assert refused.value.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED


def test_a_deferred_suggestion_can_be_scored_and_decided_again(suggest, committee_member, process_owner):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=3, effort=4, scored_by=committee_member)
    suggestion_decide(suggestion=suggestion, decision="defer", reason="Next quarter.", decided_by=committee_member)
    assert suggestion.status == SuggestionStatus.DEFERRED
    suggestion_score(suggestion=suggestion, impact=4, effort=2, scored_by=committee_member)
    _ = suggestion_decide(
        suggestion=suggestion,
        decision="accept",
        reason="The knowledge base is ready.",
        decided_by=committee_member,
        owner=process_owner,
        due_on=timezone.localdate() + timedelta(days=5),
    )
    assert suggestion.status == SuggestionStatus.ACCEPTED


def test_a_rejected_suggestion_is_final(suggest, committee_member):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=1, effort=5, scored_by=committee_member)
    suggestion_decide(suggestion=suggestion, decision="reject", reason="Not allowed.", decided_by=committee_member)
    with pytest.raises(ApplicationError) as refused:
        suggestion_decide(suggestion=suggestion, decision="defer", reason="Later.", decided_by=committee_member)
    assert refused.value.status_code == 409
    with pytest.raises(ApplicationError):
        suggestion_score(suggestion=suggestion, impact=5, effort=1, scored_by=committee_member)


def test_a_stale_copy_meets_the_decision_already_taken(suggest, committee_member):
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=3, effort=3, scored_by=committee_member)
    stale = Suggestion.objects.get(pk=suggestion.pk)
    suggestion_decide(suggestion=suggestion, decision="reject", reason="No.", decided_by=committee_member)
    with pytest.raises(ApplicationError) as refused:
        suggestion_decide(suggestion=stale, decision="defer", reason="Later.", decided_by=committee_member)
    assert refused.value.status_code == 409


def test_the_suggester_is_emailed_the_decision_in_their_language(
    suggest, committee_member, undp_requester, django_capture_on_commit_callbacks
):
    undp_requester.language = "fr"
    undp_requester.save()
    suggestion = suggest()
    suggestion_score(suggestion=suggestion, impact=1, effort=5, scored_by=committee_member)
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_decide(
            suggestion=suggestion, decision="reject", reason="UN rules forbid it.", decided_by=committee_member
        )
    assert [message.to for message in mail.outbox] == [[undp_requester.email]]
    assert suggestion.reference in mail.outbox[0].subject
    assert "UN rules forbid it." in mail.outbox[0].body
    assert f"/quality/suggestions/{suggestion.reference}/" in mail.outbox[0].body
    assert "undp." in mail.outbox[0].body


# -- implementing ----------------------------------------------------------------------------------


def test_every_step_is_ticked_before_it_is_implemented(
    suggest, committee_member, process_owner, undp_requester, django_capture_on_commit_callbacks
):
    suggestion = _accepted(suggest(), committee_member, process_owner, ["Choose a provider", "Send the SMS"])
    with pytest.raises(ApplicationError) as refused:
        suggestion_implement(suggestion=suggestion, outcome="Done.", implemented_by=process_owner)
    assert refused.value.code == "quality.steps_open"
    first, second = suggestion.steps.order_by("position")
    suggestion_step_done(step=first, done_by=process_owner)
    suggestion_step_done(step=second, done_by=committee_member)
    third = suggestion_step_add(suggestion=suggestion, description="Tell the agencies", added_by=process_owner)
    assert third.position == 3
    suggestion_step_done(step=third, done_by=process_owner)
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_implement(
            suggestion=suggestion, outcome="SMS sent on every new ticket.", implemented_by=process_owner
        )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.IMPLEMENTED and suggestion.implemented_at is not None
    assert "SMS sent on every new ticket." in mail.outbox[-1].body
    assert mail.outbox[-1].to == [undp_requester.email]
    assert QualityEvent.objects.filter(suggestion=suggestion, action="implemented").exists()


def test_a_step_is_ticked_once(suggest, committee_member, process_owner):
    suggestion = _accepted(suggest(), committee_member, process_owner, ["Only step"])
    step = suggestion.steps.get()
    suggestion_step_done(step=step, done_by=process_owner)
    with pytest.raises(ApplicationError) as refused:
        suggestion_step_done(step=step, done_by=process_owner)
    assert refused.value.status_code == 409


def test_only_the_owner_or_the_committee_works_the_implementation(
    suggest, committee_member, process_owner, procurement_officer, external_auditor
):
    suggestion = _accepted(suggest(), committee_member, process_owner, ["Only step"])
    step = suggestion.steps.get()
    for person in (procurement_officer, external_auditor):
        with pytest.raises(ApplicationError) as refused:
            suggestion_step_done(step=step, done_by=person)
        assert refused.value.status_code == 403
        with pytest.raises(ApplicationError):
            suggestion_step_add(suggestion=suggestion, description="More", added_by=person)
        with pytest.raises(ApplicationError):
            suggestion_implement(suggestion=suggestion, outcome="Done.", implemented_by=person)
    step.refresh_from_db()
    assert step.done_at is None


def test_an_outcome_is_required(suggest, committee_member, process_owner):
    suggestion = _accepted(suggest(), committee_member, process_owner, [])
    with pytest.raises(ApplicationError) as refused:
        suggestion_implement(suggestion=suggestion, outcome="", implemented_by=process_owner)
    assert "outcome" in refused.value.fields


def test_steps_are_only_worked_on_an_accepted_suggestion(suggest, committee_member):
    suggestion = suggest()
    with pytest.raises(ApplicationError) as refused:
        suggestion_step_add(suggestion=suggestion, description="Early", added_by=committee_member)
    assert refused.value.status_code == 409


# -- the start pages' selectors --------------------------------------------------------------------


def test_owners_see_their_open_implementations_and_overdue_ones_are_found(
    suggest, committee_member, process_owner, make_person
):
    suggestion = _accepted(suggest(), committee_member, process_owner, ["Only step"])
    other_owner = make_person((Role.TRAVEL_AGENT, None))
    assert list(suggestions_owned_open(user=process_owner)) == [suggestion]
    assert list(suggestions_owned_open(user=other_owner)) == []
    assert list(suggestions_overdue(today=suggestion.due_on)) == []
    assert list(suggestions_overdue(today=suggestion.due_on + timedelta(days=1))) == [suggestion]
