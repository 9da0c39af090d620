"""The scorecard refresh: every figure equals its owner's own (the ledger's reports, billing's invoice lines, quality's
records), a cell whose source went is zeroed, and a second refresh gives the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum
from django.utils import timezone

from accountability.models import ScorecardAgencyMonth, ScorecardCell
from accountability.selectors import scorecards as selectors
from accountability.services.scorecards import (
    recent_months,
    scorecards_refresh,
    scorecards_refresh_recent,
    scorecards_refresh_year,
)
from billing.models import Invoice, InvoiceLine, LineKind
from ledger.models import LedgerEntry
from ledger.selectors import LedgerFilters, compliance_from_ledger, compliance_report
from ledger.services import entry_rate, entry_reopen
from quality.models import CorrectiveAction, Nonconformity, NonconformitySource
from tests.billing.conftest import (  # noqa: F401  (fixtures)
    OCTOBER,
    decision,
    deliver,
    deliver_late,
    finance,
    issue,
    media_root,
    price_list,
    run_month,
)
from tests.sla_fixtures import at

NOVEMBER = date(2026, 11, 1)
FIELDS = (
    "month",
    "agency_id",
    "service_id",
    "module",
    "opened",
    "delivered",
    "met",
    "breached",
    "rated",
    "rating_total",
    "usage_billed",
    "credits",
    "nonconformities_open",
    "actions_open",
    "actions_overdue",
)


@pytest.fixture
def october(undp, unfpa, sign_agreement, price_list, deliver, deliver_late):  # noqa: F811
    """UNDP: three ICT requests delivered in October (one breached), two rated; UNFPA: one. UNDP gets credits."""
    sign_agreement(undp, grants_service_credits=True)
    sign_agreement(unfpa)
    entries = [
        deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0)),
        deliver(undp, "ICT-REQ", at(2026, 10, 6, 10, 0)),
        deliver_late(undp, at(2026, 10, 7, 10, 0)),
        deliver(unfpa, "ICT-REQ", at(2026, 10, 8, 10, 0)),
    ]
    entry_rate(entry=entries[0], score=5, at=at(2026, 10, 9, 10, 0))
    entry_rate(entry=entries[2], score=2, at=at(2026, 11, 2, 10, 0))  # rated in November, delivered in October
    return entries


def _rows() -> list[tuple]:
    return list(ScorecardCell.objects.order_by("month", "agency_id", "service_id").values_list(*FIELDS))


def test_delivered_met_and_breached_equal_the_ledgers_compliance_figures(october, undp, unfpa):
    # when the month is refreshed
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    # then each cell says what the compliance report and the ledger's own aggregate say, for the same filters
    for agency in (undp, unfpa):
        filters = LedgerFilters(agency=agency, month=OCTOBER)
        for source in (compliance_report(filters=filters), compliance_from_ledger(filters=filters)):
            assert source
            for row in source:
                cell = ScorecardCell.objects.get(month=OCTOBER, agency_id=row.agency_id, service_id=row.service_id)
                assert (cell.met, cell.breached, cell.delivered) == (row.met, row.breached, row.total)
    assert ScorecardCell.objects.filter(month=OCTOBER).count() == len(
        compliance_report(filters=LedgerFilters(month=OCTOBER))
    )


def test_ratings_count_in_the_month_the_request_was_delivered(october, undp):
    scorecards_refresh(months=[OCTOBER, NOVEMBER], now=timezone.now())
    expected = LedgerEntry.objects.filter(
        agency=undp, completed_at__gte=at(2026, 10, 1), completed_at__lt=at(2026, 11, 1), satisfaction__isnull=False
    ).aggregate(rated=Count("pk"), total=Sum("satisfaction"))
    cell = ScorecardCell.objects.get(month=OCTOBER, agency=undp, service__code="ICT-INC")
    req = ScorecardCell.objects.get(month=OCTOBER, agency=undp, service__code="ICT-REQ")
    assert cell.rated + req.rated == expected["rated"] == 2
    assert cell.rating_total + req.rating_total == expected["total"]
    assert not ScorecardCell.objects.filter(month=NOVEMBER, agency=undp).exclude(rated=0).exists()


def test_opened_counts_the_requests_opened_in_the_month(october, undp):
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    opened = LedgerEntry.objects.filter(agency=undp, opened_at__gte=at(2026, 10, 1), opened_at__lt=at(2026, 11, 1))
    assert sum(ScorecardCell.objects.filter(month=OCTOBER, agency=undp).values_list("opened", flat=True)) == (
        opened.count()
    )


def test_billed_figures_come_from_the_issued_invoice_only(october, undp, unfpa, run_month, issue):  # noqa: F811
    # given October is run: UNDP's invoice issued, UNFPA's still a draft
    run_month()
    issued = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    # then UNDP's cells carry its invoice's usage and credit lines per service (credits positive)
    lines = (
        InvoiceLine.objects.filter(invoice=issued, service__isnull=False)
        .values("service_id")
        .annotate(
            usage=Sum("amount", filter=Q(kind=LineKind.USAGE)),
            credit=Sum("amount", filter=Q(kind=LineKind.SERVICE_CREDIT)),
        )
    )
    assert lines
    for line in lines:
        cell = ScorecardCell.objects.get(month=OCTOBER, agency=undp, service_id=line["service_id"])
        assert cell.usage_billed == (line["usage"] or Decimal("0"))
        assert cell.credits == -(line["credit"] or Decimal("0"))
    assert sum(ScorecardCell.objects.filter(month=OCTOBER, agency=undp).values_list("credits", flat=True)) > 0
    # and the agency's month carries the invoice's number and total; UNFPA's draft counts for nothing yet
    month = ScorecardAgencyMonth.objects.get(month=OCTOBER, agency=undp)
    assert (month.invoice_number, month.invoiced_total) == (issued.number, issued.total)
    assert month.fixed_share == issued.cost_share_total
    assert not ScorecardCell.objects.filter(month=OCTOBER, agency=unfpa).exclude(usage_billed=0).exists()
    assert not ScorecardAgencyMonth.objects.filter(month=OCTOBER, agency=unfpa).exists()


def test_open_nonconformities_and_overdue_actions_are_counted_on_their_cell(october, undp, catalogue, make_person):
    # given a nonconformity about UNDP's ICT-INC in October with one overdue and one done action
    owner = make_person(email="owner@facility.test")
    nonconformity = Nonconformity.objects.create(
        reference="NC-T-1",
        title="Breaches",
        source=NonconformitySource.MANUAL,
        agency=undp,
        service=catalogue["ICT-INC"],
        month=OCTOBER,
        raised_at=at(2026, 11, 3, 9, 0),
    )
    today = timezone.localdate()
    CorrectiveAction.objects.create(
        nonconformity=nonconformity, description="a", owner=owner, due_on=today - timedelta(days=1)
    )
    CorrectiveAction.objects.create(
        nonconformity=nonconformity, description="b", owner=owner, due_on=today + timedelta(days=9)
    )
    CorrectiveAction.objects.create(
        nonconformity=nonconformity, description="c", owner=owner, due_on=today, done_at=timezone.now()
    )
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    cell = ScorecardCell.objects.get(month=OCTOBER, agency=undp, service=catalogue["ICT-INC"])
    assert (cell.nonconformities_open, cell.actions_open, cell.actions_overdue) == (1, 2, 1)


def test_a_cell_whose_source_went_is_zeroed_by_the_next_refresh(october, undp):
    # given October refreshed with UNDP's breached request delivered
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    late = october[2]
    assert ScorecardCell.objects.get(month=OCTOBER, agency=undp, service=late.service).delivered == 1
    # when it is reopened (taken out of October's counts) and October refreshed again
    entry_reopen(entry=late, at=at(2026, 11, 2, 11, 0))
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    # then the cell no longer counts it as delivered (its opening in October is all that is left)
    cell = ScorecardCell.objects.get(month=OCTOBER, agency=undp, service=late.service)
    assert (cell.delivered, cell.breached, cell.rated) == (0, 0, 0)
    assert cell.opened == 1


def test_a_cell_with_nothing_left_disappears(october, undp, catalogue):
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    # given a cell left over from figures that no longer exist anywhere
    ScorecardCell.objects.create(
        month=OCTOBER,
        agency=undp,
        service=catalogue["PRC-RFQ"],
        module="procurement",
        delivered=4,
        met=4,
        refreshed_at=timezone.now(),
    )
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    assert not ScorecardCell.objects.filter(month=OCTOBER, agency=undp, service=catalogue["PRC-RFQ"]).exists()


def test_refreshing_twice_gives_the_same_rows(october):
    first_count = scorecards_refresh(months=[OCTOBER, NOVEMBER], now=timezone.now())
    first = _rows()
    second_count = scorecards_refresh(months=[OCTOBER, NOVEMBER], now=timezone.now())
    assert first and _rows() == first and first_count == second_count == len(first)


def test_recent_and_year_refresh_cover_their_months(october):
    now = at(2026, 11, 15, 12, 0)
    assert recent_months(now=now, count=2) == [OCTOBER, NOVEMBER]
    assert len(recent_months(now=now, count=12)) == 12 and recent_months(now=now, count=12)[0] == date(2025, 12, 1)
    assert scorecards_refresh_recent(now=now) == ScorecardCell.objects.count()
    assert scorecards_refresh_year(now=now) == ScorecardCell.objects.count()


def test_totals_sum_the_cells_and_compute_compliance_and_satisfaction(october, undp):
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    found = selectors.cells(scope=undp, months=[OCTOBER])
    result = selectors.totals(found)
    assert result.delivered == 3 and result.met == 2 and result.breached == 1
    assert result.compliance == Decimal("66.7")
    assert result.satisfaction == Decimal("3.5")
    assert selectors.totals(list(found)) == result
    assert selectors.totals(selectors.cells(scope=undp, months=[date(2020, 1, 1)])).compliance is None


def test_a_cells_requests_are_those_it_counts_as_delivered(october, undp, catalogue):
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    cell = ScorecardCell.objects.get(month=OCTOBER, agency=undp, service=catalogue["ICT-REQ"])
    entries = selectors.cell_entries(agency=undp, service=catalogue["ICT-REQ"], month=OCTOBER)
    assert entries.count() == cell.delivered == 2
    assert set(entries.values_list("agency_id", flat=True)) == {undp.pk}


def test_months_back_ends_with_the_month_given():
    assert selectors.months_back(until=date(2026, 3, 17), count=3) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
