"""The monthly compliance counts the report reads always agree with the ledger rows themselves."""

from __future__ import annotations

import pytest

from ledger.selectors import LedgerFilters, compliance_from_ledger, compliance_report
from ledger.services import clock_start, clocks_check, compliance_rebuild, entry_reopen, entry_resolve
from service_levels.models import Metric
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db

YEAR = LedgerFilters(months=12)


def test_resolving_reopening_and_late_breaches_keep_the_counts_equal_to_the_ledger(
    undp, unfpa, undp_agreement, unfpa_agreement, raise_request
):
    # given requests delivered in time, late, reopened across a month end, and breached after delivery
    on_time = raise_request(undp, "ICT-INC", at(2026, 9, 1, 9, 0), priority="P3")
    entry_resolve(entry=on_time, at=at(2026, 9, 1, 11, 0))
    late = raise_request(unfpa, "ICT-INC", at(2026, 9, 2, 9, 0), priority="P1")
    entry_resolve(entry=late, at=at(2026, 9, 3, 9, 0))
    reopened = raise_request(undp, "ICT-REQ", at(2026, 9, 29, 9, 0), priority="P4")
    entry_resolve(entry=reopened, at=at(2026, 9, 30, 9, 0))
    entry_reopen(entry=reopened, at=at(2026, 10, 1, 9, 0))
    entry_resolve(entry=reopened, at=at(2026, 10, 1, 10, 0))
    travel = raise_request(undp, "TRV-TA", at(2026, 10, 5, 9, 0))
    entry_resolve(entry=travel, at=at(2026, 10, 5, 10, 0))
    clock_start(entry=travel, metric=Metric.CLAIM, at=at(2026, 10, 5, 10, 0))
    clocks_check(now=at(2026, 11, 30, 9, 0))  # the claim clock ran out after the request was delivered
    # then the counts the report reads equal the ledger's own aggregate
    counted = compliance_report(filters=YEAR)
    assert counted == compliance_from_ledger(filters=YEAR)
    figures = {(row.agency_code, row.service_code, f"{row.month:%Y-%m}"): (row.met, row.breached) for row in counted}
    assert figures == {
        ("UNDP", "ICT-INC", "2026-09"): (1, 0),
        ("UNFPA", "ICT-INC", "2026-09"): (0, 1),
        ("UNDP", "ICT-REQ", "2026-10"): (0, 1),  # in the month finally delivered; first response (8 h) ran out
        ("UNDP", "TRV-TA", "2026-10"): (0, 1),
    }
    # and a rebuild from the ledger gives the same counts
    assert compliance_rebuild() == 4
    assert compliance_report(filters=YEAR) == counted
