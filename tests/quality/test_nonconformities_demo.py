"""The demo's nonconformities: opened from the history's breaches, one worked through to an effective check over a
past month and closed, one reopened by a recurrence with a new action open, a complaint from a low rating; loading
twice adds nothing."""

from __future__ import annotations

import pytest

from accounts.models import Role
from ledger.services import entry_rate
from quality.demo.nonconformities import nonconformities_demo_load
from quality.models import CheckResult, Nonconformity, NonconformitySource, NonconformityStatus
from quality.services.feedback import feedback_record
from tests.quality.test_nonconformities_automatic import late_incident  # noqa: F401
from tests.sla_fixtures import at


@pytest.fixture
def demo_people(make_person, facility):
    make_person((Role.QUALITY_FOCAL_POINT, None), email="quality@facility.demo")


def test_the_demo_works_two_nonconformities_through_and_loads_once(
    undp,
    unfpa,
    undp_agreement,
    unfpa_agreement,
    late_incident,  # noqa: F811
    demo_people,
):
    # given a history: UNDP two late incidents in September and none in October; UNFPA late in every month
    for day in (2, 3):
        late_incident(undp, at(2026, 9, day, 10, 0))
    late_incident(unfpa, at(2026, 9, 4, 10, 0))
    for day in (5, 6, 7):
        late_incident(unfpa, at(2026, 10, day, 10, 0))
        late_incident(unfpa, at(2026, 11, day - 3, 10, 0))
    # and a rating of 1 with a comment
    rated = late_incident(undp, at(2026, 11, 10, 10, 0))
    entry_rate(entry=rated, score=1, at=at(2026, 11, 11, 9, 0))
    feedback_record(entry=rated, rating=1, comment="Nobody answered for a day.", at=at(2026, 11, 11, 9, 0))
    # when the demo loads, twice
    count = nonconformities_demo_load(now=at(2026, 12, 5, 9, 0))
    assert nonconformities_demo_load(now=at(2026, 12, 5, 9, 0)) == 0
    assert Nonconformity.objects.count() == count
    # then UNDP's September one was effective over October (0 breaches, at most 1) and is closed
    closed = Nonconformity.objects.get(status=NonconformityStatus.CLOSED)
    assert closed.agency == undp and closed.month.month == 9
    check = closed.checks.get()
    assert check.result == CheckResult.EFFECTIVE and check.measured == 0 and check.evaluated_by is None
    # and UNFPA's September one was reopened by October's 3 breaches, with a new action open
    reopened = Nonconformity.objects.get(times_reopened=1)
    assert reopened.agency == unfpa and reopened.status == NonconformityStatus.ACTION
    assert reopened.checks.get().measured == 3
    assert reopened.actions.filter(done_at__isnull=True).count() == 1
    # and others are left open for the quality focal point, and a complaint came from the rating's comment
    assert Nonconformity.objects.filter(status=NonconformityStatus.OPEN, source=NonconformitySource.SLA_BREACH).exists()
    complaint = Nonconformity.objects.get(source=NonconformitySource.COMPLAINT)
    assert list(complaint.rated_entries.all()) == [rated]
