# ruff: noqa: F811  (fixtures imported from fixtures_reviews.py are taken as arguments by name)
"""The management review's workflow (ISO 9001 clause 9.3): plan, compile, hold (freezes), outputs, close."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accountability.models import ManagementReview, OutputKind, OutputStatus, ReviewStatus
from accountability.selectors.reviews import SECTION_KEYS
from accountability.services.reviews import (
    review_close,
    review_hold,
    review_output_add,
    review_output_complete,
    review_output_drop,
    review_pack_compile,
    review_plan,
)
from quality.models import Nonconformity, NonconformitySource
from quality.services.nonconformities import nonconformity_raise
from shared_platform.errors import ApplicationError
from tests.accountability.fixtures_reviews import QUARTER, action_owner, auditor, keeper  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(keeper):
    return review_plan(
        title="Q3 2026 management review",
        period_from=QUARTER[0],
        period_to=QUARTER[1],
        meeting_on=date(2026, 11, 10),
        chair=keeper,
        by=keeper,
    )


@pytest.fixture
def held(planned, keeper):
    review_pack_compile(review=planned, by=keeper)
    return review_hold(review=planned, minutes="We reviewed every input.", attendees="Mariana, Gabriela", by=keeper)


def test_a_planned_review_is_numbered_mr_year_n_and_keeps_its_history(planned, keeper):
    assert planned.reference.startswith(f"MR-{timezone.localdate().year}-")
    assert planned.status == ReviewStatus.PLANNED and planned.compiled_at is None
    assert [line["action"] for line in planned.pack["history"]] == ["planned"]
    assert planned.pack["history"][0]["actor"] == keeper.pk


def test_only_the_keepers_plan_a_review(auditor, action_owner, keeper):
    for person in (auditor, action_owner):
        with pytest.raises(ApplicationError) as refused:
            review_plan(
                title="x", period_from=QUARTER[0], period_to=QUARTER[1], meeting_on=QUARTER[1], chair=keeper, by=person
            )
        assert refused.value.code == "accountability.review_not_allowed" and refused.value.status_code == 403
    assert not ManagementReview.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"period_to": date(2026, 7, 31)}, "period_to"),  # before the period starts
        ({"meeting_on": date(2026, 7, 1)}, "meeting_on"),  # before the period
        ({"period_from": date(1, 1, 1)}, "period_from"),  # a typo of a year
        ({"meeting_on": date(9999, 12, 31)}, "meeting_on"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_a_review_with_a_bad_period_title_or_meeting_is_refused_on_its_field(keeper, fields, field):
    values = {
        "title": "Review",
        "period_from": QUARTER[0],
        "period_to": QUARTER[1],
        "meeting_on": date(2026, 11, 10),
        **fields,
    }
    with pytest.raises(ApplicationError) as refused:
        review_plan(chair=keeper, by=keeper, **values)
    assert field in refused.value.fields
    assert not ManagementReview.objects.exists()


def test_the_chair_is_facility_staff_who_can_act(keeper, auditor):
    with pytest.raises(ApplicationError) as refused:
        review_plan(
            title="x", period_from=QUARTER[0], period_to=QUARTER[1], meeting_on=QUARTER[1], chair=auditor, by=keeper
        )
    assert "chair" in refused.value.fields


def test_compiling_fills_every_clause_9_3_2_input_and_can_be_repeated_while_planned(planned, keeper):
    review = review_pack_compile(review=planned, by=keeper)
    review.refresh_from_db()
    assert set(review.pack["sections"]) == set(SECTION_KEYS)
    first = review.compiled_at
    review = review_pack_compile(review=review, by=keeper, at=first + timedelta(minutes=5))
    assert review.compiled_at > first
    assert [line["action"] for line in review.pack["history"]] == ["planned", "compiled", "compiled"]


def test_holding_needs_a_compiled_pack(planned, keeper):
    with pytest.raises(ApplicationError) as refused:
        review_hold(review=planned, minutes="m", attendees="a", by=keeper)
    assert refused.value.code == "accountability.review_pack_missing"
    planned.refresh_from_db()
    assert planned.status == ReviewStatus.PLANNED


def test_holding_freezes_the_pack_what_the_meeting_saw_stays(held, keeper):
    # given a held review whose pack counted no nonconformity raised in the period
    frozen = held.pack["sections"]
    assert frozen["nonconformities"]["figures"]["raised"] == 0
    # when a nonconformity of the period is raised afterwards and someone compiles again
    nonconformity_raise(
        title="Late complaint",
        source=NonconformitySource.COMPLAINT,
        raised_by=keeper,
        at=timezone.make_aware(timezone.datetime(2026, 9, 15, 10, 0)),
    )
    with pytest.raises(ApplicationError) as refused:
        review_pack_compile(review=held, by=keeper)
    # then it is refused and the pack is unchanged
    assert refused.value.code == "accountability.review_pack_frozen" and refused.value.status_code == 409
    held.refresh_from_db()
    assert held.pack["sections"] == frozen
    assert held.status == ReviewStatus.HELD and held.minutes == "We reviewed every input."


def test_an_action_needs_an_owner_and_a_due_date_a_decision_needs_neither(held, keeper, action_owner):
    with pytest.raises(ApplicationError) as no_owner:
        review_output_add(review=held, kind=OutputKind.ACTION, text="Fix it", due_on=date(2026, 12, 1), by=keeper)
    assert "owner" in no_owner.value.fields
    with pytest.raises(ApplicationError) as no_date:
        review_output_add(review=held, kind=OutputKind.ACTION, text="Fix it", owner=action_owner, by=keeper)
    assert "due_on" in no_date.value.fields
    assert not held.outputs.exists()
    decision = review_output_add(review=held, kind=OutputKind.DECISION, text="Keep the key", by=keeper)
    assert decision.owner is None and decision.due_on is None


def test_outputs_are_recorded_only_once_the_review_is_held(planned, keeper):
    with pytest.raises(ApplicationError) as refused:
        review_output_add(review=planned, kind=OutputKind.DECISION, text="Too early", by=keeper)
    assert refused.value.code == "accountability.review_wrong_status"


def test_close_is_refused_while_an_action_is_open_and_allowed_once_done_or_dropped(held, keeper, action_owner):
    # given a held review with two open actions
    first = review_output_add(
        review=held,
        kind=OutputKind.ACTION,
        text="Train agents",
        owner=action_owner,
        due_on=date(2026, 12, 1),
        by=keeper,
    )
    second = review_output_add(
        review=held, kind=OutputKind.ACTION, text="New queue", owner=action_owner, due_on=date(2026, 12, 1), by=keeper
    )
    # when the keeper closes it, then it is refused
    with pytest.raises(ApplicationError) as refused:
        review_close(review=held, by=keeper)
    assert refused.value.code == "accountability.review_actions_open"
    # when the owner completes one and the keeper drops the other, then it closes
    review_output_complete(output=first, outcome="Trained twelve agents", by=action_owner)
    with pytest.raises(ApplicationError):
        review_close(review=held, by=keeper)
    review_output_drop(output=second, reason="Superseded by the new tool", by=keeper)
    review = review_close(review=held, by=keeper)
    assert review.status == ReviewStatus.CLOSED and review.closed_at is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.outcome) == (OutputStatus.DONE, "Trained twelve agents")
    assert second.status == OutputStatus.DROPPED
    assert [line["action"] for line in review.pack["history"]][-5:] == [
        "action_added",
        "action_added",
        "action_done",
        "action_dropped",
        "closed",
    ]


def test_only_the_owner_or_a_keeper_completes_an_action_and_never_twice(held, keeper, action_owner, auditor):
    action = review_output_add(
        review=held, kind=OutputKind.ACTION, text="Train", owner=keeper, due_on=date(2026, 12, 1), by=keeper
    )
    for person in (action_owner, auditor):
        with pytest.raises(ApplicationError) as refused:
            review_output_complete(output=action, outcome="done", by=person)
        assert refused.value.status_code == 403
    review_output_complete(output=action, outcome="done", by=keeper)
    action.refresh_from_db()
    with pytest.raises(ApplicationError):
        review_output_complete(output=action, outcome="again", by=keeper)


def test_a_planned_review_cannot_be_closed(planned, keeper):
    with pytest.raises(ApplicationError) as refused:
        review_close(review=planned, by=keeper)
    assert refused.value.code == "accountability.review_wrong_status"


def test_compiling_records_the_nonconformities_of_the_period_raised_in_it_or_open_during_it(planned, keeper):
    # given one nonconformity raised in the period, one before it still open, one closed before it
    def raised(title, when):
        return nonconformity_raise(
            title=title, source=NonconformitySource.COMPLAINT, raised_by=keeper, at=timezone.make_aware(when)
        )

    inside = raised("In the period", timezone.datetime(2026, 9, 1, 10, 0))
    still_open = raised("Before, still open", timezone.datetime(2026, 6, 1, 10, 0))
    closed_before = raised("Before, closed before", timezone.datetime(2026, 5, 1, 10, 0))
    Nonconformity.objects.filter(pk=closed_before.pk).update(
        status="closed", closed_at=timezone.make_aware(timezone.datetime(2026, 7, 1))
    )
    after = raised("After the period", timezone.datetime(2026, 11, 2, 10, 0))
    # when the pack is compiled
    review = review_pack_compile(review=planned, by=keeper)
    # then the review discusses the first two
    assert set(review.nonconformities.all()) == {inside, still_open}
    assert after not in review.nonconformities.all()
