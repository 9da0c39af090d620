"""A request moved to another service of its module keeps the time it used and takes the new target
(a procurement method changed); a module's step is recorded without touching the clocks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.models import EntryStatus, LedgerEvent
from ledger.services import entry_resolve, entry_service_change, entry_step
from service_levels.models import WORKING_DAY_MINUTES, Metric
from service_levels.selectors import business_calendar
from shared_platform.errors import ApplicationError
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def test_a_change_of_service_keeps_the_business_time_used_and_takes_the_new_target(
    undp, undp_agreement, raise_request, catalogue
):
    # given an RFQ (15 working days) opened on Tuesday 10 Nov 2026 at 09:00
    entry = raise_request(undp, "PRC-RFQ", at(2026, 11, 10, 9, 0))
    # when one working day later the buyer changes the method to an RFP (45 working days)
    changed_at = at(2026, 11, 11, 9, 0)
    entry_service_change(entry=entry, service=catalogue["PRC-ITB"], reason="Best value needed", at=changed_at)

    # then the clock has the new target, and what is left of it runs from the change
    entry.refresh_from_db()
    clock = entry.clocks.get(metric=Metric.COMPLETION)
    assert entry.service.code == "PRC-ITB"
    assert clock.target_minutes == 45 * WORKING_DAY_MINUTES
    assert clock.used_before == timedelta(hours=9)
    calendar = business_calendar(calendar=undp_agreement.calendar)
    assert clock.due_at == calendar.add(changed_at, timedelta(minutes=45 * WORKING_DAY_MINUTES) - timedelta(hours=9))
    # and the history says why
    assert LedgerEvent.objects.filter(
        entry=entry, kind="service", detail="PRC-RFQ → PRC-ITB: Best value needed"
    ).exists()


def test_a_service_of_another_module_or_a_delivered_request_cannot_change(
    undp, undp_agreement, raise_request, catalogue
):
    entry = raise_request(undp, "PRC-RFQ", at(2026, 11, 10, 9, 0))
    with pytest.raises(ApplicationError) as refused:
        entry_service_change(entry=entry, service=catalogue["ICT-INC"], reason="x", at=at(2026, 11, 10, 10, 0))
    assert refused.value.code == "ledger.other_module"

    entry_resolve(entry=entry, at=at(2026, 11, 12, 9, 0))
    with pytest.raises(ApplicationError) as refused:
        entry_service_change(entry=entry, service=catalogue["PRC-ITB"], reason="x", at=at(2026, 11, 12, 10, 0))
    assert refused.value.code == "ledger.illegal_transition"


def test_a_step_opens_a_new_request_and_leaves_its_clocks_alone(undp, undp_agreement, raise_request):
    entry = raise_request(undp, "PRC-RFQ", at(2026, 11, 10, 9, 0))
    due = entry.clocks.get().due_at

    entry_step(entry=entry, step="bidding", at=at(2026, 11, 10, 11, 0))

    entry.refresh_from_db()
    assert (entry.status, entry.step) == (EntryStatus.OPEN, "bidding")
    assert entry.clocks.get().due_at == due
    assert LedgerEvent.objects.filter(entry=entry, kind="step", detail="bidding").count() == 1
