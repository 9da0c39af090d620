"""The platform opens one nonconformity per source, agency, service and month from SLA breaches held by the
facility and from ratings of 1 or 2 (ISO 9001:2015 clause 10.2), however many beat workers run at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from ledger.models import Holder, LedgerEntry, SlaBreach
from ledger.services import clocks_check, entry_rate, entry_resolve
from quality.models import Nonconformity, NonconformitySource, NonconformityStatus, Process
from quality.services.nonconformities import nonconformities_raise_automatic
from tenants.models import Agency
from tests.sla_fixtures import at

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def late_incident(raise_request: Callable[..., LedgerEntry]) -> Callable[..., LedgerEntry]:
    """late_incident(agency, at(...)): a P1 incident whose first response ran out while the facility held it."""

    def make(agency: Agency, opened_at: datetime, **fields: Any) -> LedgerEntry:
        entry = raise_request(agency, "ICT-INC", opened_at, priority="P1", **fields)
        clocks_check(now=opened_at + timedelta(hours=1))
        entry_resolve(entry=entry, at=opened_at + timedelta(hours=2))
        return entry

    return make


@pytest.fixture
def rated_incident(raise_request: Callable[..., LedgerEntry]) -> Callable[..., LedgerEntry]:
    """rated_incident(agency, at(...), score): an incident delivered within its targets, then rated."""

    def make(agency: Agency, opened_at: datetime, score: int) -> LedgerEntry:
        entry = raise_request(agency, "ICT-INC", opened_at, priority="P4")
        entry_resolve(entry=entry, at=opened_at + timedelta(minutes=20))
        return entry_rate(entry=entry, score=score, at=opened_at + timedelta(hours=1))

    return make


def automatic() -> list[Nonconformity]:
    return list(
        Nonconformity.objects.filter(source__in=[NonconformitySource.SLA_BREACH, NonconformitySource.LOW_RATING])
    )


def test_breaches_of_one_agency_service_and_month_open_one_nonconformity_with_them_attached(
    undp, unfpa, undp_agreement, unfpa_agreement, late_incident, ict_process, catalogue
):
    # given three late UNDP incidents in October, one in November, and one late UNFPA incident in October
    ict_process.services.add(catalogue["ICT-INC"])
    for day in (5, 6, 7):
        late_incident(undp, at(2026, 10, day, 10, 0))
    late_incident(undp, at(2026, 11, 3, 10, 0))
    late_incident(unfpa, at(2026, 10, 8, 10, 0))
    # when the beat looks for new breaches
    attached = nonconformities_raise_automatic(now=at(2026, 11, 20, 9, 0))
    # then three nonconformities: UNDP October (3 breaches), UNDP November (1), UNFPA October (1)
    assert attached == 5
    october = Nonconformity.objects.get(agency=undp, month=OCTOBER, source=NonconformitySource.SLA_BREACH)
    assert october.breaches.count() == 3
    assert october.title.startswith("UNDP · ") and "3 SLA breaches" in october.title and "2026" in october.title
    assert october.reference.startswith("NC-2026-")
    assert october.process == ict_process and october.owner == ict_process.owner
    assert october.raised_by is None and october.status == NonconformityStatus.OPEN
    assert Nonconformity.objects.filter(agency=undp, month=date(2026, 11, 1)).get().breaches.count() == 1
    assert Nonconformity.objects.filter(agency=unfpa).get().breaches.count() == 1
    assert [event.action for event in october.events.all()] == ["raised", "breaches_attached"]


def test_running_the_beat_again_attaches_only_new_breaches_and_keeps_the_title_up_to_date(
    undp, undp_agreement, late_incident
):
    # given a nonconformity opened from two October breaches
    late_incident(undp, at(2026, 10, 5, 10, 0))
    late_incident(undp, at(2026, 10, 6, 10, 0))
    nonconformities_raise_automatic(now=at(2026, 10, 7, 9, 0))
    # when the beat runs again with nothing new, then after a third breach of the month
    assert nonconformities_raise_automatic(now=at(2026, 10, 7, 10, 0)) == 0
    late_incident(undp, at(2026, 10, 8, 10, 0))
    assert nonconformities_raise_automatic(now=at(2026, 10, 9, 9, 0)) == 1
    # then still one nonconformity, now with three breaches in its title and history
    [nonconformity] = automatic()
    assert nonconformity.breaches.count() == 3 and "3 SLA breaches" in nonconformity.title
    assert [event.action for event in nonconformity.events.all()] == [
        "raised",
        "breaches_attached",
        "breaches_attached",
    ]


def test_breaches_held_by_the_requester_or_a_supplier_are_not_the_facility_s_nonconformity(
    undp, undp_agreement, late_incident
):
    # given two breaches, recorded while the requester and a supplier held the request
    for day, holder in ((5, Holder.REQUESTER), (6, Holder.SUPPLIER)):
        entry = late_incident(undp, at(2026, 10, day, 10, 0))
        SlaBreach.objects.filter(entry=entry).update(held_by=holder)
    # when the beat runs
    attached = nonconformities_raise_automatic(now=at(2026, 10, 9, 9, 0))
    # then no nonconformity
    assert attached == 0 and automatic() == []


def test_ratings_of_one_or_two_open_the_month_s_low_rating_nonconformity(undp, undp_agreement, rated_incident):
    # given ratings 1, 2, 3 and 5 in October
    low = [rated_incident(undp, at(2026, 10, 5, 10, 0), 1), rated_incident(undp, at(2026, 10, 6, 10, 0), 2)]
    rated_incident(undp, at(2026, 10, 7, 10, 0), 3)
    rated_incident(undp, at(2026, 10, 8, 10, 0), 5)
    # when the beat runs
    nonconformities_raise_automatic(now=at(2026, 10, 9, 9, 0))
    # then one low-rating nonconformity with the two low ratings attached
    [nonconformity] = automatic()
    assert nonconformity.source == NonconformitySource.LOW_RATING and nonconformity.month == OCTOBER
    assert set(nonconformity.rated_entries.all()) == set(low)
    assert "2 ratings of 1 or 2" in nonconformity.title


def test_a_closed_nonconformity_receiving_a_new_breach_of_its_month_stays_closed_with_the_attachment_recorded(
    undp, undp_agreement, late_incident
):
    # given October's nonconformity, closed
    late_incident(undp, at(2026, 10, 5, 10, 0))
    nonconformities_raise_automatic(now=at(2026, 10, 6, 9, 0))
    [nonconformity] = automatic()
    Nonconformity.objects.filter(pk=nonconformity.pk).update(status=NonconformityStatus.CLOSED)
    # when a late breach of October is found
    late_incident(undp, at(2026, 10, 20, 10, 0))
    nonconformities_raise_automatic(now=at(2026, 10, 21, 9, 0))
    # then it is attached and in the history, and the nonconformity stays closed
    nonconformity.refresh_from_db()
    assert nonconformity.status == NonconformityStatus.CLOSED and nonconformity.breaches.count() == 2
    last = nonconformity.events.last()
    assert last is not None and last.action == "breaches_attached" and "recurrence" in last.detail


def test_a_process_that_is_not_active_does_not_take_the_nonconformity(
    undp, undp_agreement, late_incident, ict_process, catalogue
):
    ict_process.services.add(catalogue["ICT-INC"])
    Process.objects.filter(pk=ict_process.pk).update(active=False)
    late_incident(undp, at(2026, 10, 5, 10, 0))
    nonconformities_raise_automatic(now=at(2026, 10, 6, 9, 0))
    [nonconformity] = automatic()
    assert nonconformity.process is None and nonconformity.owner is None


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads released together; each thread has its own database connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_open_one_nonconformity_per_agency_service_and_month(
    undp, unfpa, undp_agreement, unfpa_agreement, late_incident, rated_incident
):
    # given breaches and low ratings of two agencies in October
    for day in (5, 6):
        late_incident(undp, at(2026, 10, day, 10, 0))
        late_incident(unfpa, at(2026, 10, day, 14, 0))
    rated_incident(undp, at(2026, 10, 7, 10, 0), 1)
    # when four beat workers run at the same instant
    results = in_threads(4, lambda index: nonconformities_raise_automatic(now=at(2026, 10, 9, 9, 0)))
    # then no worker failed, each breach and rating is attached once, to one nonconformity per key
    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(results) == 5
    rows = automatic()
    assert len(rows) == 3
    assert sorted(row.breaches.count() + row.rated_entries.count() for row in rows) == [1, 2, 2]
    assert all(row.reference.startswith("NC-") for row in rows)
    assert all(row.events.filter(action="raised").count() == 1 for row in rows)
