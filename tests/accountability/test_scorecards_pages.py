"""Scorecard pages: the facility reads every agency's, an agency its own only; bad input never changes anything."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from accountability.models import ScorecardCell
from accountability.services.scorecards import scorecards_refresh
from accounts.models import Role
from quality.models import Process
from tests.sla_fixtures import at

OCTOBER = date(2026, 10, 1)
OCTOBER_FILTER = "?month_from=2026-10&month_to=2026-10"


@pytest.fixture
def october(undp, unfpa, sign_agreement, raise_request):
    """UNDP: two ICT requests delivered in October; UNFPA: one. Refreshed."""
    from ledger.services import entry_resolve

    sign_agreement(undp)
    sign_agreement(unfpa)
    entries = []
    for agency, day in ((undp, 5), (undp, 6), (unfpa, 7)):
        entry = raise_request(agency, "ICT-REQ", at(2026, 10, day, 10, 0), priority="P4", title=f"Printer {day}")
        entries.append(entry_resolve(entry=entry, at=at(2026, 10, day, 11, 0)))
    scorecards_refresh(months=[OCTOBER], now=timezone.now())
    return entries


@pytest.fixture
def manager(make_person, facility):
    return make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")


@pytest.fixture
def auditor(make_person, facility):
    return make_person((Role.AUDITOR, None), email="auditor@facility.test")


@pytest.fixture
def undp_approver(make_person, undp):
    return make_person((Role.APPROVER, undp), email="approver@undp.test")


@pytest.fixture
def unfpa_finance(make_person, unfpa):
    return make_person((Role.AGENCY_FINANCE, unfpa), email="finance@unfpa.test")


def test_the_facility_reads_every_agencys_cells_with_their_totals(client_at, facility, manager, october):
    page = client_at(facility, manager).get("/accountability/scorecards/" + OCTOBER_FILTER)
    assert page.status_code == 200
    body = page.content.decode()
    assert "UNDP" in body and "UNFPA" in body
    assert page.context["totals"].delivered == sum(
        ScorecardCell.objects.filter(month=OCTOBER).values_list("delivered", flat=True)
    )
    assert page.context["may_refresh"] is True and 'id="refresh-form"' in body


def test_an_agency_reads_its_own_scorecard_and_never_anothers(client_at, unfpa, unfpa_finance, october):
    client = client_at(unfpa, unfpa_finance)
    # the page: UNFPA's cells only, whatever the agency asked for
    page = client.get("/accountability/scorecards/" + OCTOBER_FILTER + "&agency=UNDP")
    assert page.status_code == 200
    assert {cell.agency.code for cell, _url in page.context["rows"]} == {"UNFPA"}
    body = page.content.decode()
    assert "UNDP-ICT-REQ" not in body and "/scorecards/UNDP/" not in body
    assert page.context["totals"].delivered == 1
    # the CSV: the same
    download = client.get("/accountability/scorecards/" + OCTOBER_FILTER + "&export=csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert rows and {row["agency"] for row in rows} == {"UNFPA"}
    # a cell page with UNDP's code on UNFPA's address
    assert client.get("/accountability/scorecards/UNDP/ICT-REQ/2026-10/").status_code == 404
    # no refresh on an agency's address
    assert client.post("/accountability/scorecards/refresh/").status_code == 404


def test_the_cell_page_lists_the_requests_it_counts_with_links(
    client_at, facility, undp, manager, undp_approver, october
):
    page = client_at(facility, manager).get("/accountability/scorecards/UNDP/ICT-REQ/2026-10/")
    assert page.status_code == 200
    listed = [entry.reference for entry, _url in page.context["entries"]]
    assert listed == [entry.reference for entry in october if entry.agency_id == undp.pk]
    assert f'href="/requests/{listed[0]}/"' in page.content.decode()
    # the agency's own cell on its address
    own = client_at(undp, undp_approver).get("/accountability/scorecards/UNDP/ICT-REQ/2026-10/")
    assert own.status_code == 200 and len(own.context["entries"]) == 2


def test_a_board_member_reads_the_cells_figures_but_only_the_requests_they_raised(
    client_at, undp, make_person, october
):
    # given UNDP's board member, who raised one of the cell's two requests (the ledger's rule: board members see
    # only what they raised or are named on, whereas approvers and finance officers see the whole agency)
    member = make_person((Role.BOARD_REPRESENTATIVE, undp), email="board@undp.test")
    mine = october[0]
    mine.requester = member
    mine.save(update_fields=["requester"])
    # when they open the cell on UNDP's address
    page = client_at(undp, member).get("/accountability/scorecards/UNDP/ICT-REQ/2026-10/")
    # then the figures count both deliveries, the list names only their own request
    assert page.status_code == 200
    assert page.context["figures"].delivered == 2
    assert [entry.reference for entry, _url in page.context["entries"]] == [mine.reference]
    assert october[1].reference not in page.content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "/accountability/scorecards/UNDP/ICT-REQ/2026-13/",
        "/accountability/scorecards/UNDP/ICT-REQ/garbage/",
        "/accountability/scorecards/NOPE/ICT-REQ/2026-10/",
        "/accountability/scorecards/UNDP/NOPE/2026-10/",
        "/accountability/scorecards/UNDP/ICT-REQ/99999-01/",
    ],
)
def test_a_cell_address_that_does_not_read_is_a_404(client_at, facility, manager, october, address):
    assert client_at(facility, manager).get(address).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "?month_from=2026-13",
        "?month_from=garbage&month_to=2026-99",
        "?month_from=2026-10&month_to=2020-01",
        "?month_from=1990-01&month_to=2026-10",
        "?agency=NOPE&service=%00&module=x" + "y" * 5000,
        "?sort=nonsense&page=-4&agency_page=abc",
        "?export=pdf",
    ],
)
def test_garbage_filters_are_ignored_or_refused_cleanly(client_at, facility, manager, october, query):
    page = client_at(facility, manager).get("/accountability/scorecards/" + query)
    assert page.status_code in (200, 400)
    if "month" in query and page.status_code == 200:
        assert len(page.context["filters"].months) <= 36


def test_the_auditor_reads_but_cannot_refresh(client_at, facility, auditor, october):
    client = client_at(facility, auditor)
    page = client.get("/accountability/scorecards/")
    assert page.status_code == 200 and not page.context["may_refresh"]
    before = list(ScorecardCell.objects.values_list("refreshed_at", flat=True))
    response = client.post("/accountability/scorecards/refresh/", {"month_from": "2026-10", "month_to": "2026-10"})
    assert response.status_code == 302
    assert list(ScorecardCell.objects.values_list("refreshed_at", flat=True)) == before


def test_refresh_now_recomputes_the_months_shown(client_at, facility, manager, october):
    ScorecardCell.objects.filter(month=OCTOBER).update(delivered=99)
    response = client_at(facility, manager).post(
        "/accountability/scorecards/refresh/", {"month_from": "2026-10", "month_to": "2026-10"}
    )
    assert response.status_code == 302 and "month_from=2026-10" in response["Location"]
    assert set(ScorecardCell.objects.filter(month=OCTOBER).values_list("delivered", flat=True)) != {99}


def test_people_without_an_accountability_role_are_refused(client_at, undp, undp_requester, october):
    assert client_at(undp, undp_requester).get("/accountability/scorecards/").status_code == 403


def test_the_process_page_sums_its_services(client_at, facility, manager, catalogue, october):
    process = Process.objects.create(code="ICT-REQ", name="ICT requests", owner=manager)
    process.services.set([catalogue["ICT-REQ"]])
    page = client_at(facility, manager).get("/accountability/scorecards/processes/" + OCTOBER_FILTER)
    assert page.status_code == 200
    [card] = [card for card in page.context["cards"] if card.process_code == "ICT-REQ"]
    assert card.total.delivered == 3


def test_the_process_page_is_the_facilitys_only(client_at, undp, undp_approver, october):
    assert client_at(undp, undp_approver).get("/accountability/scorecards/processes/").status_code == 404


def test_in_french_the_objectives_list_heads_the_target_apart_from_the_objective(client_at, facility, manager):
    # given a French-reading facility manager ("Objectif" is both the objective and, elsewhere, an SLA target)
    manager.language = "fr"
    manager.save(update_fields=["language"])
    # when they open the quality objectives
    page = client_at(facility, manager).get("/accountability/objectives/")
    # then the column of the objective's target reads "Cible", the objective's own "Objectif"
    body = page.content.decode()
    assert page.status_code == 200
    assert '<th scope="col">Objectif</th><th scope="col">Cible</th>' in body
