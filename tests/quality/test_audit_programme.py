"""The audit programme (ISO 9001 clause 9.2.2 a): each process audited at a frequency set by its risk."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from quality.models import Process, Risk, RiskKind
from quality.selectors.audits import audit_frequency_months, audits_due, months_add, programme
from quality.services.audits import audit_complete, audit_plan, audit_start, finding_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("highest", "months"), [(25, 6), (15, 6), (14, 12), (8, 12), (7, 24), (1, 24), (None, 12)])
def test_the_frequency_follows_the_highest_risk(highest, months):
    assert audit_frequency_months(highest_risk=highest, major_in_last_audit=False) == months


def test_a_major_nonconformity_in_the_last_audit_halves_the_interval():
    assert audit_frequency_months(highest_risk=10, major_in_last_audit=True) == 6
    assert audit_frequency_months(highest_risk=20, major_in_last_audit=True) == 3


def test_months_are_added_to_the_last_day_of_a_shorter_month():
    assert months_add(date(2025, 8, 31), 6) == date(2026, 2, 28)


def risk(process: Process, likelihood: int, impact: int, kind: str = RiskKind.RISK) -> Risk:
    return Risk.objects.create(
        process=process, kind=kind, description="x", likelihood=likelihood, impact=impact, owner=process.owner
    )


def test_the_programme_reads_risks_not_opportunities(ict_process: Process):
    risk(ict_process, 2, 3)  # 6
    risk(ict_process, 3, 3)  # 9: the highest risk
    risk(ict_process, 5, 5, kind=RiskKind.OPPORTUNITY)  # an opportunity does not count
    row = next(row for row in programme(today=timezone.localdate()) if row.process == ict_process)
    assert row.highest_risk == 9
    assert row.level == "medium"
    assert row.frequency_months == 12
    assert row.last_audit is None


def test_a_completed_audit_with_a_major_finding_halves_the_next_interval(
    ict_process: Process, internal_auditor: User, quality_officer: User
):
    risk(ict_process, 4, 4)  # 16: every 6 months
    audit = audit_plan(
        process=ict_process,
        auditor=internal_auditor,
        planned_for=timezone.localdate(),
        scope="Everything.",
        planned_by=quality_officer,
    )
    audit_start(audit=audit, started_by=internal_auditor)
    finding_record(
        audit=audit,
        kind="major",
        clause="8.5",
        description="No record of resolution for most incidents.",
        recorded_by=internal_auditor,
    )
    audit_complete(audit=audit, summary="Not effective.", completed_by=internal_auditor)
    today = timezone.localdate()
    row = next(row for row in programme(today=today) if row.process == ict_process)
    assert row.halved is True
    assert row.frequency_months == 3
    assert row.last_audit == audit
    assert row.next_due == months_add(today, 3)
    assert row.overdue is False


def test_an_overdue_process_without_a_planned_audit_is_due_for_reminders(ict_process: Process):
    Process.objects.filter(pk=ict_process.pk).update(created_at=timezone.now() - timedelta(days=800))
    rows = audits_due(today=timezone.localdate())
    assert [row.process for row in rows] == [ict_process]
    assert rows[0].overdue is True
