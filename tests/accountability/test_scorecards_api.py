"""The scorecards and objectives API: the pages' figures and rules; an agency reads its own only; bad input is a 4xx."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accountability.models import QualityObjective, ScorecardCell
from accountability.services.scorecards import scorecards_refresh
from accounts.models import Role
from ledger.selectors import LedgerFilters, compliance_report
from tests.sla_fixtures import at

OCTOBER = date(2026, 10, 1)
OCTOBER_FILTER = {"month_from": "2026-10", "month_to": "2026-10"}


@pytest.fixture
def october(undp, unfpa, sign_agreement, raise_request):
    from ledger.services import entry_resolve

    sign_agreement(undp)
    sign_agreement(unfpa)
    for agency, day in ((undp, 5), (undp, 6), (unfpa, 7)):
        entry = raise_request(agency, "ICT-REQ", at(2026, 10, day, 10, 0), priority="P4")
        entry_resolve(entry=entry, at=at(2026, 10, day, 11, 0))
    scorecards_refresh(months=[OCTOBER], now=timezone.now())


@pytest.fixture
def keeper(make_person, facility):
    return make_person((Role.QUALITY_FOCAL_POINT, None), email="quality@facility.test")


@pytest.fixture
def agent(make_person, facility):
    return make_person((Role.ICT_AGENT, None), email="ict@facility.test")


@pytest.fixture
def unfpa_finance(make_person, unfpa):
    return make_person((Role.AGENCY_FINANCE, unfpa), email="finance@unfpa.test")


def _objective_body(keeper, **fields):
    body = {
        "title": "ICT resolution compliance at least 95 % per quarter for every agency",
        "metric": "sla_compliance",
        "comparison": "at_least",
        "target": "95.00",
        "period_kind": "quarter",
        "scope": "every_agency",
        "module": "ict",
        "owner": keeper.email,
        "valid_from": "2026-01-01",
    }
    body.update(fields)
    return body


def test_the_facility_reads_every_agencys_cells_as_the_compliance_report(api_at, facility, agent, october):
    answer = api_at(facility, agent).get("/api/accountability/scorecards/", OCTOBER_FILTER)
    assert answer.status_code == 200
    rows = answer.json()["results"]
    report = compliance_report(filters=LedgerFilters(month=OCTOBER))
    assert sorted((row["agency"], row["service"], row["met"], row["breached"]) for row in rows) == sorted(
        (line.agency_code, line.service_code, line.met, line.breached) for line in report
    )


def test_an_agency_reads_its_own_cells_only(api_at, unfpa, unfpa_finance, october):
    client = api_at(unfpa, unfpa_finance)
    answer = client.get("/api/accountability/scorecards/", {**OCTOBER_FILTER, "agency": "UNDP"})
    assert answer.status_code == 200
    assert {row["agency"] for row in answer.json()["results"]} == {"UNFPA"}
    assert "UNDP" not in answer.content.decode()
    months = client.get("/api/accountability/scorecards/agencies/", OCTOBER_FILTER)
    assert months.status_code == 200 and "UNDP" not in months.content.decode()
    # the objectives are the facility's: not on an agency's address
    assert client.get("/api/accountability/objectives/").status_code == 404


def test_a_requester_is_refused(api_at, undp, undp_requester, october):
    assert api_at(undp, undp_requester).get("/api/accountability/scorecards/").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"month_from": "2026-13"},
        {"month_to": "garbage"},
        {"month_from": "2026-10", "month_to": "2020-01"},
        {"agency": "NOPE"},
        {"service": "NOPE"},
        {"module": "nonsense"},
    ],
)
def test_a_filter_that_does_not_read_is_a_400(api_at, facility, agent, october, query):
    answer = api_at(facility, agent).get("/api/accountability/scorecards/", query)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "accountability.invalid_filter"


def test_a_keeper_sets_an_objective_and_reads_its_evaluation(api_at, facility, keeper, october):
    client = api_at(facility, keeper)
    created = client.post("/api/accountability/objectives/", _objective_body(keeper), format="json")
    assert created.status_code == 201, created.content
    reference = created.json()["objective"]["reference"]
    detail = client.get(f"/api/accountability/objectives/{reference}/").json()
    october_period = next(period for period in detail["periods"] if period["period_start"] == "2026-10-01")
    lines = {line["agency"]: line for line in october_period["lines"]}
    assert lines["UNDP"]["figure"] == "100.00" and lines["UNDP"]["met"] is True
    listed = client.get("/api/accountability/objectives/").json()["results"]
    assert [row["objective"]["reference"] for row in listed] == [reference]
    changed = client.patch(f"/api/accountability/objectives/{reference}/", {"target": "99.50"}, format="json")
    assert changed.status_code == 200 and changed.json()["objective"]["target"] == "99.50"


def test_others_cannot_set_objectives(api_at, facility, agent, keeper):
    answer = api_at(facility, agent).post("/api/accountability/objectives/", _objective_body(keeper), format="json")
    assert answer.status_code == 403
    assert not QualityObjective.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"target": "101"},
        {"target": "-1"},
        {"target": "1e400"},
        {"target": "abc"},
        {"metric": "nonsense"},
        {"title": "x" * 201},
        {"valid_from": "2026-13-01"},
        {"valid_to": "2025-01-01"},
        {"owner": "nobody@nowhere.test"},
        {"service": "NOPE"},
    ],
)
def test_bad_objective_input_is_refused_and_changes_nothing(api_at, facility, keeper, fields):
    answer = api_at(facility, keeper).post(
        "/api/accountability/objectives/", _objective_body(keeper, **fields), format="json"
    )
    assert answer.status_code == 400
    assert not QualityObjective.objects.exists()


def test_an_unknown_objective_is_a_404(api_at, facility, keeper):
    client = api_at(facility, keeper)
    assert client.get("/api/accountability/objectives/QO-999/").status_code == 404
    assert client.patch("/api/accountability/objectives/QO-999/", {"target": "1"}, format="json").status_code == 404


def test_the_cells_carry_compliance_and_satisfaction(api_at, facility, agent, october):
    ScorecardCell.objects.filter(month=OCTOBER, agency__code="UNDP").update(rated=2, rating_total=7)
    rows = api_at(facility, agent).get("/api/accountability/scorecards/", {**OCTOBER_FILTER, "agency": "UNDP"})
    [row] = rows.json()["results"]
    assert Decimal(row["compliance_percent"]) == Decimal("100.0")
    assert Decimal(row["average_satisfaction"]) == Decimal("3.5")
