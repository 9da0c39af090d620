"""Quality objectives (clause 6.2) evaluated from the scorecard cells: boundaries, "no requests", periods, status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accountability.models import ScorecardCell
from accountability.selectors.objectives import (
    objective_evaluate,
    objective_periods,
    objectives_status,
    period_start_of,
)
from accountability.services.objectives import objective_create, objective_update
from accounts.models import Role
from shared_platform.errors import ApplicationError

Q3 = date(2026, 7, 1)


@pytest.fixture
def keeper(make_person, facility):
    return make_person((Role.QUALITY_FOCAL_POINT, None), email="quality@facility.test")


@pytest.fixture
def cell(catalogue, undp, unfpa):
    """cell(agency, "ICT-INC", month, met=, breached=, rated=, rating_total=): a stored scorecard cell."""

    def make(agency, service, month, **figures):
        figures["delivered"] = figures.get("met", 0) + figures.get("breached", 0)
        return ScorecardCell.objects.create(
            month=month,
            agency=agency,
            service=catalogue[service],
            module=catalogue[service].module,
            refreshed_at=timezone.now(),
            **figures,
        )

    return make


def _objective(keeper, **fields):
    fields.setdefault("title", "ICT resolution compliance at least 95 % per quarter for every agency")
    fields.setdefault("metric", "sla_compliance")
    fields.setdefault("comparison", "at_least")
    fields.setdefault("target", Decimal("95"))
    fields.setdefault("period_kind", "quarter")
    fields.setdefault("scope", "every_agency")
    fields.setdefault("module", "ict")
    fields.setdefault("owner", keeper)
    fields.setdefault("valid_from", date(2026, 1, 1))
    return objective_create(created_by=keeper, **fields)


def test_exactly_at_the_target_is_met_and_one_under_is_missed(keeper, cell, undp, unfpa):
    # given UNDP at exactly 95 % over the quarter (19 of 20 met), UNFPA at 94.7 % (18 of 19)
    cell(undp, "ICT-INC", Q3, met=10, breached=1)
    cell(undp, "ICT-REQ", date(2026, 8, 1), met=9, breached=0)
    cell(unfpa, "ICT-INC", date(2026, 9, 1), met=18, breached=1)
    objective = _objective(keeper)
    result = objective_evaluate(objective=objective, period_start=date(2026, 8, 15))
    lines = {line.label: line for line in result.lines}
    # then UNDP meets it (boundary included), UNFPA misses it, so the objective is missed
    assert lines["UNDP"].figure == Decimal("95.0") and lines["UNDP"].met is True
    assert lines["UNFPA"].figure == Decimal("94.7") and lines["UNFPA"].met is False
    assert result.met is False and [line.label for line in result.missed_lines] == ["UNFPA"]
    assert result.period_start == Q3 and result.period_end == date(2026, 9, 30)


def test_at_most_is_met_at_the_target_and_missed_one_over(keeper, cell, undp):
    cell(undp, "ICT-INC", Q3, met=5, breached=3)
    at_three = _objective(keeper, title="Breaches", metric="breaches", comparison="at_most", target=Decimal("3"))
    at_two = _objective(keeper, title="Fewer breaches", metric="breaches", comparison="at_most", target=Decimal("2"))
    assert objective_evaluate(objective=at_three, period_start=Q3).met is True
    assert objective_evaluate(objective=at_two, period_start=Q3).met is False


def test_an_agency_with_nothing_delivered_is_listed_as_no_requests(keeper, cell, undp, unfpa):
    cell(undp, "ICT-INC", Q3, met=20, breached=0)
    result = objective_evaluate(objective=_objective(keeper), period_start=Q3)
    lines = {line.label: line for line in result.lines}
    assert lines["UNFPA"].figure is None and lines["UNFPA"].met is None
    assert lines["UNFPA"].no_figure_reason == "no requests"
    assert result.met is True  # the agencies with figures all meet it


def test_nothing_delivered_anywhere_is_neither_met_nor_missed(keeper, undp):
    assert objective_evaluate(objective=_objective(keeper), period_start=Q3).met is None


def test_the_facility_scope_reads_every_agency_together(keeper, cell, undp, unfpa):
    # given satisfaction 5 and 2 from two agencies: 3.5 on average for the facility
    cell(undp, "ICT-INC", Q3, met=1, rated=1, rating_total=5)
    cell(unfpa, "ICT-INC", Q3, met=1, rated=1, rating_total=2)
    objective = _objective(
        keeper, title="Satisfaction", metric="satisfaction", target=Decimal("3.5"), scope="facility", module=""
    )
    result = objective_evaluate(objective=objective, period_start=Q3)
    assert [(line.label, line.figure, line.met) for line in result.lines] == [("Facility", Decimal("3.5"), True)]


def test_the_module_narrows_the_cells_read(keeper, cell, undp):
    cell(undp, "ICT-INC", Q3, met=20)
    cell(undp, "TRV-TA", Q3, met=0, breached=20)
    assert objective_evaluate(objective=_objective(keeper), period_start=Q3).met is True


def test_periods_run_from_the_objectives_start_to_the_day_given(keeper):
    objective = _objective(keeper, valid_from=date(2026, 2, 10))
    assert objective_periods(objective=objective, until=date(2026, 11, 29)) == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]
    assert period_start_of(kind="year", day=date(2026, 5, 5)) == date(2026, 1, 1)


def test_status_gives_the_last_completed_period_and_the_current_one(keeper, cell, unfpa):
    cell(unfpa, "ICT-INC", Q3, met=1, breached=1)
    objective = _objective(keeper)
    [(found, last, current)] = objectives_status(until=date(2026, 11, 29))
    assert found == objective
    assert last is not None and last.period_start == Q3 and last.complete and last.met is False
    assert current is not None and current.period_start == date(2026, 10, 1) and not current.complete


def test_only_keepers_set_objectives(make_person, facility, keeper):
    auditor = make_person((Role.AUDITOR, None), email="auditor@facility.test")
    with pytest.raises(ApplicationError) as refused:
        _objective(auditor, owner=keeper)
    assert refused.value.code == "accountability.objective_not_keeper"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target": Decimal("101")}, "target"),
        ({"target": Decimal("-1")}, "target"),
        ({"target": "many"}, "target"),
        ({"metric": "satisfaction", "target": Decimal("6")}, "target"),
        ({"metric": "nonsense"}, "metric"),
        ({"title": " "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"valid_to": date(2025, 1, 1)}, "valid_to"),
        ({"valid_from": date(1, 1, 1)}, "valid_from"),
    ],
)
def test_an_objective_that_cannot_be_measured_is_refused(keeper, fields, field):
    with pytest.raises(ApplicationError) as refused:
        _objective(keeper, **fields)
    assert refused.value.code == "accountability.objective_invalid" and field in refused.value.fields


def test_a_service_of_another_module_is_refused(keeper, catalogue):
    with pytest.raises(ApplicationError) as refused:
        _objective(keeper, service=catalogue["TRV-TA"])
    assert "service" in refused.value.fields


def test_an_objective_is_updated_in_place(keeper):
    objective = _objective(keeper)
    objective_update(objective=objective, updated_by=keeper, target=Decimal("90"), active=False)
    objective.refresh_from_db()
    assert objective.target == Decimal("90.00") and not objective.active
