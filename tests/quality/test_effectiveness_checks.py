"""The effectiveness check evaluates itself from the ledger: within the threshold at the end of its period the
nonconformity closes; more than allowed, even before the period ends, reopens it at once (clause 10.2.1 d)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from quality.models import CheckResult, CriterionKind, Nonconformity, NonconformityStatus
from quality.services import nonconformities as services
from quality.services.nonconformities import Criterion
from shared_platform.errors import ApplicationError
from tests.quality.test_nonconformities_automatic import in_threads, late_incident, rated_incident  # noqa: F401
from tests.sla_fixtures import at

NOW = at(2026, 10, 9, 9, 0)


@pytest.fixture
def worked(undp, undp_agreement, late_incident, quality_officer, process_owner, catalogue):  # noqa: F811
    """October's UNDP ICT-INC nonconformity, with its root cause and one action done: ready for a check."""
    late_incident(undp, at(2026, 10, 5, 10, 0))
    services.nonconformities_raise_automatic(now=NOW)
    nonconformity = Nonconformity.objects.get()
    services.nonconformity_analyse(
        nonconformity=nonconformity, root_cause="No one on call.", by=quality_officer, at=NOW
    )
    action = services.action_add(
        nonconformity=nonconformity,
        description="Set up an on-call rota",
        owner=process_owner,
        due_on=date(2026, 10, 20),
        by=quality_officer,
        at=NOW,
    )
    services.action_done(action=action, note="Rota published.", by=process_owner, at=NOW)
    return nonconformity


def plan(nonconformity, by, start, end, threshold=1, **fields):
    criterion = Criterion(
        kind=fields.pop("kind", CriterionKind.SLA_BREACHES),
        period_start=start,
        period_end=end,
        threshold=threshold,
        **fields,
    )
    return services.check_plan(nonconformity=nonconformity, criterion=criterion, by=by, at=NOW)


def test_a_check_within_its_threshold_at_the_end_of_its_period_closes_the_nonconformity(
    worked,
    quality_officer,
    undp,
    late_incident,  # noqa: F811
):
    # given a check "UNDP ICT-INC breaches in November <= 1" (the agency and service default to the nonconformity's)
    check = plan(worked, quality_officer, date(2026, 11, 1), date(2026, 11, 30))
    assert check.agency == undp and check.service == worked.service
    worked.refresh_from_db()
    assert worked.status == NonconformityStatus.VERIFYING
    # and one breach in November
    late_incident(undp, at(2026, 11, 10, 10, 0))
    # when the beat evaluates during the period, then after it
    assert services.checks_evaluate(now=at(2026, 11, 20, 9, 0)) == 0
    check.refresh_from_db()
    assert check.result == CheckResult.PENDING and check.measured == 1
    assert services.checks_evaluate(now=at(2026, 12, 1, 9, 0)) == 1
    # then effective, evaluated by the platform, and the nonconformity is closed
    check.refresh_from_db()
    worked.refresh_from_db()
    assert check.result == CheckResult.EFFECTIVE and check.measured == 1 and check.evaluated_by is None
    assert worked.status == NonconformityStatus.CLOSED and worked.closed_at is not None
    assert [event.action for event in worked.events.all()][-2:] == ["check_planned", "closed"]
    # and a second beat changes nothing
    assert services.checks_evaluate(now=at(2026, 12, 2, 9, 0)) == 0


def test_a_recurrence_inside_the_period_reopens_the_nonconformity_at_once(
    worked,
    quality_officer,
    undp,
    late_incident,  # noqa: F811
):
    # given a check "at most 1 breach in November", and two breaches by 12 November
    check = plan(worked, quality_officer, date(2026, 11, 1), date(2026, 11, 30))
    late_incident(undp, at(2026, 11, 10, 10, 0))
    late_incident(undp, at(2026, 11, 11, 10, 0))
    # when the beat evaluates on 12 November, before the period ends
    assert services.checks_evaluate(now=at(2026, 11, 12, 9, 0)) == 1
    # then not effective, and the nonconformity is back to corrective action, reopened once, with the figure
    check.refresh_from_db()
    worked.refresh_from_db()
    assert check.result == CheckResult.NOT_EFFECTIVE and check.measured == 2
    assert worked.status == NonconformityStatus.ACTION and worked.times_reopened == 1
    reopened = worked.events.last()
    assert reopened is not None and reopened.action == "reopened" and "measured 2" in reopened.detail


def test_breaches_of_other_agencies_services_or_holders_do_not_count(
    worked,
    quality_officer,
    unfpa,
    unfpa_agreement,
    late_incident,  # noqa: F811
    raise_request,
    undp,
):
    check = plan(worked, quality_officer, date(2026, 11, 1), date(2026, 11, 30), threshold=0)
    late_incident(unfpa, at(2026, 11, 10, 10, 0))
    services.checks_evaluate(now=at(2026, 12, 1, 9, 0))
    check.refresh_from_db()
    assert check.result == CheckResult.EFFECTIVE and check.measured == 0


def test_a_low_rating_check_counts_ratings_of_one_or_two(worked, quality_officer, undp, rated_incident):  # noqa: F811
    check = plan(
        worked, quality_officer, date(2026, 11, 1), date(2026, 11, 30), threshold=0, kind=CriterionKind.LOW_RATINGS
    )
    rated_incident(undp, at(2026, 11, 4, 10, 0), 4)
    rated_incident(undp, at(2026, 11, 5, 10, 0), 2)
    services.checks_evaluate(now=at(2026, 11, 6, 9, 0))
    check.refresh_from_db()
    assert check.result == CheckResult.NOT_EFFECTIVE and check.measured == 1


def test_evaluate_now_is_the_beat_s_evaluation_for_one_check_and_only_keepers_ask_for_it(
    worked, quality_officer, external_auditor, process_owner
):
    check = plan(worked, quality_officer, date(2026, 9, 1), date(2026, 9, 30))
    for person in (external_auditor, process_owner):
        with pytest.raises(ApplicationError) as refused:
            services.check_evaluate(check=check, by=person, now=NOW)
        assert refused.value.status_code == 403
    services.check_evaluate(check=check, by=quality_officer, now=NOW)
    check.refresh_from_db()
    assert check.result == CheckResult.EFFECTIVE and check.evaluated_by is None


def test_a_judged_check_is_recorded_by_a_keeper_with_what_it_rests_on(worked, quality_officer, process_owner):
    check = plan(
        worked,
        quality_officer,
        date(2026, 10, 1),
        date(2026, 10, 31),
        threshold=None,
        kind=CriterionKind.JUDGEMENT,
        description="The rota is followed for four weeks",
    )
    with pytest.raises(ApplicationError) as refused:
        services.check_judge(check=check, effective=True, note="Seen.", by=process_owner, at=NOW)
    assert refused.value.status_code == 403
    with pytest.raises(ApplicationError) as empty:
        services.check_judge(check=check, effective=True, note="  ", by=quality_officer, at=NOW)
    assert empty.value.code == "quality.invalid"
    services.check_judge(check=check, effective=False, note="Two gaps in the rota.", by=quality_officer, at=NOW)
    worked.refresh_from_db()
    check.refresh_from_db()
    assert check.result == CheckResult.NOT_EFFECTIVE and check.evaluated_by == quality_officer
    assert worked.status == NonconformityStatus.ACTION and worked.times_reopened == 1
    # the beat leaves judged checks alone
    assert services.checks_evaluate(now=NOW + timedelta(days=60)) == 0


@pytest.mark.parametrize(
    ("start", "end", "threshold", "kind", "field"),
    [
        (date(2026, 11, 30), date(2026, 11, 1), 1, CriterionKind.SLA_BREACHES, "period_end"),
        (date(2026, 11, 1), date(2026, 11, 30), None, CriterionKind.SLA_BREACHES, "threshold"),
        (date(2026, 11, 1), date(2026, 11, 30), -1, CriterionKind.LOW_RATINGS, "threshold"),
        (date(2026, 11, 1), date(2026, 11, 30), None, CriterionKind.JUDGEMENT, "description"),
        (date(2026, 11, 1), date(2026, 11, 30), 1, "guesswork", "kind"),
    ],
)
def test_an_incomplete_check_is_refused_and_nothing_changes(
    worked, quality_officer, start, end, threshold, kind, field
):
    with pytest.raises(ApplicationError) as refused:
        plan(worked, quality_officer, start, end, threshold=threshold, kind=kind)
    assert refused.value.status_code == 400 and field in refused.value.fields
    worked.refresh_from_db()
    assert worked.status == NonconformityStatus.ACTION and not worked.checks.exists()


@pytest.mark.django_db(transaction=True)
def test_two_beats_evaluating_at_once_reopen_the_nonconformity_once(
    worked,
    quality_officer,
    undp,
    late_incident,  # noqa: F811
):
    # given a check "at most 0 breaches in November" and a November breach
    check = plan(worked, quality_officer, date(2026, 11, 1), date(2026, 11, 30), threshold=0)
    late_incident(undp, at(2026, 11, 10, 10, 0))
    # when two beat workers evaluate at the same instant
    results = in_threads(2, lambda index: services.checks_evaluate(now=at(2026, 11, 12, 9, 0)))
    # then one concluded it, and the nonconformity was reopened once
    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(results) == 1
    worked.refresh_from_db()
    check.refresh_from_db()
    assert check.result == CheckResult.NOT_EFFECTIVE and worked.times_reopened == 1
    assert worked.events.filter(action="reopened").count() == 1
