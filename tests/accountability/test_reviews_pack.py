# ruff: noqa: F811  (fixtures imported from fixtures_reviews.py and billing's conftest are taken by name)
"""The review pack holds every clause 9.3.2 input, each figure equal to its source's own for the period."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from accountability.models import (
    Comparison,
    ObjectiveMetric,
    ObjectiveScope,
    OutputKind,
    PeriodKind,
)
from accountability.selectors.objectives import objectives_status
from accountability.selectors.reviews import SECTION_KEYS, pack_sections
from accountability.selectors.scorecards import cells, months_between, process_scorecard, totals
from accountability.services.objectives import objective_create
from accountability.services.reviews import (
    review_hold,
    review_output_add,
    review_pack_compile,
    review_plan,
)
from accountability.services.scorecards import scorecards_refresh
from billing.models import Invoice
from ledger.models import Holder, LedgerEntry, SlaBreach
from ledger.selectors import LedgerFilters, compliance_from_ledger
from ledger.services import entry_rate
from quality.models import Nonconformity, Process
from quality.services.nonconformities import nonconformity_raise
from service_levels.models import Agreement
from tests.accountability.fixtures_reviews import (  # noqa: F401
    action_owner,
    breached_world,
    keeper,
    process_owner,
)
from tests.billing.conftest import decision, deliver, deliver_late, finance, issue, price_list, run_month  # noqa: F401
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db

YEAR_TO_OCTOBER = (date(2026, 1, 1), date(2026, 10, 31))


@pytest.fixture
def compiled(breached_world, keeper, action_owner):
    """A year-to-October review compiled after the scorecards were refreshed, with an earlier review's actions."""
    world = breached_world
    entry_rate(entry=world.entry, score=2, at=at(2026, 10, 21, 9, 0))
    scorecards_refresh(months=months_between(first=YEAR_TO_OCTOBER[0], last=YEAR_TO_OCTOBER[1]), now=timezone.now())
    objective_create(
        created_by=keeper,
        title="ICT compliance at least 99 % per month for every agency",
        metric=ObjectiveMetric.SLA_COMPLIANCE,
        comparison=Comparison.AT_LEAST,
        target=Decimal("99"),
        period_kind=PeriodKind.MONTH,
        scope=ObjectiveScope.EVERY_AGENCY,
        module="ict",
        valid_from=date(2026, 10, 1),
        owner=keeper,
    )
    # an earlier review, held in June, with one action done and one open and overdue
    earlier = review_plan(
        title="H1",
        period_from=date(2025, 12, 1),
        period_to=date(2026, 5, 31),
        meeting_on=date(2026, 6, 10),
        chair=keeper,
        by=keeper,
    )
    review_pack_compile(review=earlier, by=keeper)
    review_hold(review=earlier, minutes="m", attendees="a", by=keeper)
    review_output_add(
        review=earlier, kind=OutputKind.ACTION, text="Overdue", owner=action_owner, due_on=date(2026, 7, 1), by=keeper
    )
    review = review_plan(
        title="Year to October",
        period_from=YEAR_TO_OCTOBER[0],
        period_to=YEAR_TO_OCTOBER[1],
        meeting_on=date(2026, 11, 12),
        chair=keeper,
        by=keeper,
    )
    return review_pack_compile(review=review, by=keeper, at=timezone.make_aware(datetime(2026, 11, 5, 9, 0)))


def _section(review, key):
    return review.pack["sections"][key]


def test_the_pack_holds_every_clause_9_3_2_input_in_order(compiled):
    compiled.refresh_from_db()
    assert set(compiled.pack["sections"]) == set(SECTION_KEYS)
    assert [line["key"] for line in compiled.pack["inputs"]] == SECTION_KEYS
    clauses = [section.clause for section in pack_sections(pack=compiled.pack, links=False)]
    assert clauses == [
        "9.3.2 a)",
        "9.3.2 b)",
        "9.3.2 c) 1)",
        "9.3.2 c) 2)",
        "9.3.2 c) 3)",
        "9.3.2 c) 4)",
        "9.3.2 c) 5)",
        "9.3.2 c) 6)",
        "9.3.2 c) 7)",
        "9.3.2 d)",
        "9.3.2 e)",
        "9.3.2 f)",
    ]
    for key in SECTION_KEYS:
        assert "figures" in _section(compiled, key) and "tables" in _section(compiled, key)


def test_previous_actions_are_those_of_earlier_reviews_with_their_status(compiled):
    section = _section(compiled, "previous_actions")
    assert section["figures"]["actions"] == 1
    assert section["figures"]["open"] == 1 and section["figures"]["overdue"] == 1
    [row] = section["tables"]["previous_actions"]
    assert row["text"] == "Overdue" and row["overdue"] is True


def test_changes_count_the_agreements_and_price_lists_of_the_period(compiled):
    section = _section(compiled, "changes")
    first, last = YEAR_TO_OCTOBER
    assert section["figures"]["agreements"] == Agreement.objects.filter(valid_from__range=(first, last)).count() == 2
    assert section["figures"]["price_lists"] == 1


def test_satisfaction_equals_the_ledgers_ratings(compiled):
    section = _section(compiled, "satisfaction")
    rated = LedgerEntry.objects.filter(satisfaction__isnull=False)
    assert section["figures"]["ratings"] == rated.count() == 1
    assert Decimal(section["figures"]["average"]) == Decimal("2.00")


def test_nonconformity_counts_equal_the_quality_tables_for_the_period(compiled):
    section = _section(compiled, "nonconformities")
    start = timezone.make_aware(datetime(2026, 1, 1))
    end = timezone.make_aware(datetime(2026, 11, 1))
    raised = Nonconformity.objects.filter(raised_at__gte=start, raised_at__lt=end)
    assert section["figures"]["raised"] == raised.count() >= 1
    listed = {row["nonconformity"] for row in section["tables"]["nonconformities"]}
    assert listed == set(compiled.nonconformities.values_list("reference", flat=True))
    assert listed >= set(raised.values_list("reference", flat=True))


def test_process_performance_and_monitoring_equal_the_scorecards_and_the_ledger(compiled, breached_world):
    months = months_between(first=YEAR_TO_OCTOBER[0], last=YEAR_TO_OCTOBER[1])
    performance = _section(compiled, "process_performance")
    ledger = compliance_from_ledger(filters=LedgerFilters(months=10, today=YEAR_TO_OCTOBER[1]))
    assert performance["figures"]["breached"] == sum(row.breached for row in ledger) == 2
    assert performance["figures"]["within_target"] == sum(row.met for row in ledger)
    assert performance["figures"]["compliance"] == str(totals(cells(scope=None, months=months)).compliance)
    [process_row] = performance["tables"]["processes"]
    card = process_scorecard(process=Process.objects.get(code="ICT-INC"), months=months)
    assert (process_row["delivered"], process_row["breached"]) == (card.total.delivered, card.total.breached)
    monitoring = _section(compiled, "monitoring")
    issued_credits = Invoice.objects.exclude(status="draft").aggregate(total=Sum("credits_total"))["total"]
    assert Decimal(monitoring["figures"]["credits"]) == -issued_credits > 0
    assert monitoring["figures"]["breaches_facility"] == SlaBreach.objects.filter(held_by=Holder.FACILITY).count()
    by_agency = {row["agency"]: row for row in monitoring["tables"]["agencies"]}
    assert by_agency["UNDP"]["breached"] == 1 and by_agency["UNFPA"]["breached"] == 1


def test_objectives_are_the_scorecards_evaluation(compiled):
    section = _section(compiled, "objectives")
    [status] = objectives_status(until=YEAR_TO_OCTOBER[1] + timedelta(days=1))
    result = status.last or status.current
    assert result is not None and result.complete and result.met is False  # October: one breach in UNDP's four
    [row] = section["tables"]["objectives"]
    assert row["result"] == "missed" and section["figures"]["missed"] == 1
    assert (row["period_start"], row["period_end"]) == ("2026-10-01", "2026-10-31")


def test_resources_compare_volumes_with_the_period_before(compiled):
    section = _section(compiled, "resources")
    start = timezone.make_aware(datetime(2026, 1, 1))
    end = timezone.make_aware(datetime(2026, 11, 1))
    assert section["figures"]["opened"] == LedgerEntry.objects.filter(opened_at__gte=start, opened_at__lt=end).count()
    assert section["figures"]["opened_before"] == 0
    assert section["period_before"] == {"from": "2025-03-03", "to": "2025-12-31"}


def test_risks_and_improvement_sections_read_the_quality_register(compiled, keeper):
    assert (
        _section(compiled, "risks")["figures"]["linked_nonconformities"]
        == Nonconformity.objects.filter(process__code="ICT-INC").count()
    )
    assert _section(compiled, "improvement")["figures"] == {"submitted": 0, "accepted": 0, "implemented": 0}


def test_a_complaint_raised_in_the_period_is_counted_as_one(compiled, keeper):
    nonconformity_raise(
        title="Rude reply",
        source="complaint",
        raised_by=keeper,
        at=timezone.make_aware(datetime(2026, 10, 2, 10, 0)),
    )
    review = review_pack_compile(review=compiled, by=keeper, at=compiled.compiled_at + timedelta(minutes=1))
    assert _section(review, "satisfaction")["figures"]["complaints"] == 1
    [row] = _section(review, "satisfaction")["tables"]["complaints"]
    assert row["title"] == "Rude reply"
