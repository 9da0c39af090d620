"""Fair-cost simulations' pages and API: the board reads them on the portal, no agency address reaches them."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from accountability.models import CostSimulation
from accountability.services.simulations import simulation_save

pytest_plugins = ["tests.accountability.fixtures_simulations"]

SEPTEMBER = date(2026, 9, 1)
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def saved(invoiced_months, board_people) -> CostSimulation:
    return simulation_save(month_from=SEPTEMBER, month_to=OCTOBER, note="For the board", by=board_people["finance"])


def test_the_preview_shows_each_key_and_a_maker_saves_it(client_at, facility, invoiced_months, board_people):
    client = client_at(facility, board_people["finance"])
    page = client.get("/accountability/simulations/?month_from=2026-09&month_to=2026-10")
    assert page.status_code == 200
    assert b'id="preview-result"' in page.content and b'data-simulation-chart="simulation-chart"' in page.content
    assert b'id="save-form"' in page.content
    answer = client.post(
        "/accountability/simulations/", {"month_from": "2026-09", "month_to": "2026-10", "note": "For the board"}
    )
    simulation = CostSimulation.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(
        f"/accountability/simulations/{simulation.reference}/"
    )


@pytest.mark.parametrize(
    "query",
    [
        "month_from=2026-13&month_to=2026-10",
        "month_from=abc&month_to=2026-10",
        "month_from=2026-10&month_to=2026-09",
        "month_from=2026-08&month_to=2026-10",
        "month_from=2099-01&month_to=2099-02",
        "month_from=1000-01&month_to=2026-10",
        "month_from=" + "9" * 400 + "&month_to=2026-10",
    ],
)
def test_bad_months_are_form_errors(client_at, facility, invoiced_months, board_people, query):
    page = client_at(facility, board_people["finance"]).get(f"/accountability/simulations/?{query}")
    assert 400 <= page.status_code < 500 and b"errornote" in page.content


def test_a_board_representative_reads_but_does_not_save(client_at, facility, saved, board_people):
    client = client_at(facility, board_people["undp_board"])
    assert client.get("/accountability/simulations/").status_code == 200
    page = client.get(f"/accountability/simulations/{saved.reference}/")
    assert page.status_code == 200 and b'id="attach-form"' not in page.content
    assert (
        client.post("/accountability/simulations/", {"month_from": "2026-09", "month_to": "2026-10"}).status_code == 403
    )
    assert CostSimulation.objects.count() == 1


def test_other_facility_roles_and_agency_addresses_cannot_reach_them(
    client_at, api_at, facility, undp, unfpa, saved, board_people
):
    assert client_at(facility, board_people["quality"]).get("/accountability/simulations/").status_code == 403
    for agency, person in ((undp, "undp_finance"), (unfpa, "unfpa_approver"), (undp, "undp_board")):
        client = client_at(agency, board_people[person])
        assert client.get("/accountability/simulations/").status_code == 404
        assert client.get(f"/accountability/simulations/{saved.reference}/").status_code == 404
        assert client.get(f"/accountability/simulations/{saved.reference}/csv/").status_code == 404
        api = api_at(agency, board_people[person])
        assert api.get("/api/accountability/simulations/").status_code == 404
        assert api.get(f"/api/accountability/simulations/{saved.reference}/").status_code == 404


def test_the_csv_holds_the_frozen_lines_and_totals(client_at, facility, saved, board_people):
    answer = client_at(facility, board_people["auditor"]).get(f"/accountability/simulations/{saved.reference}/csv/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    by_agency = {row[0]: row for row in rows[1:-1]}
    for line in saved.lines:
        assert Decimal(by_agency[line["agency"]][5]) == Decimal(line["paid"])
    assert Decimal(rows[-1][5]) == Decimal(saved.totals["paid"])


def test_attaching_from_the_page_shows_it_on_the_motion(client_at, facility, saved, board_people, draft_motion):
    maker = client_at(facility, board_people["manager"])
    assert maker.post(f"/accountability/simulations/{saved.reference}/attach/", {"motion": "abc"}).status_code == 400
    assert (
        maker.post(f"/accountability/simulations/{saved.reference}/attach/", {"motion": draft_motion.pk}).status_code
        == 302
    )
    saved.refresh_from_db()
    assert saved.motion_id == draft_motion.pk
    motion_page = client_at(facility, board_people["undp_board"]).get(f"/governance/motions/{draft_motion.pk}/")
    assert motion_page.status_code == 200
    assert b'id="simulations"' in motion_page.content and saved.reference.encode() in motion_page.content


def test_the_api_saves_previews_and_attaches(api_at, facility, invoiced_months, board_people, draft_motion):
    api = api_at(facility, board_people["finance"])
    preview = api.get("/api/accountability/simulations/preview/?month_from=2026-09&month_to=2026-10")
    assert preview.status_code == 200
    assert Decimal(preview.json()["totals"]["paid"]) == sum(Decimal(line["paid"]) for line in preview.json()["lines"])
    assert api.get("/api/accountability/simulations/preview/?month_from=2026-13&month_to=x").status_code == 400
    made = api.post(
        "/api/accountability/simulations/", {"month_from": "2026-09-01", "month_to": "2026-10-01"}, format="json"
    )
    assert made.status_code == 201, made.content
    reference = made.json()["reference"]
    attached = api.post(
        f"/api/accountability/simulations/{reference}/attach/", {"motion": draft_motion.pk}, format="json"
    )
    assert attached.status_code == 200 and attached.json()["motion"] == draft_motion.pk
    board_api = api_at(facility, board_people["undp_board"])
    assert board_api.get(f"/api/accountability/simulations/{reference}/").status_code == 200
    refused = board_api.post(
        "/api/accountability/simulations/", {"month_from": "2026-09-01", "month_to": "2026-10-01"}, format="json"
    )
    assert refused.status_code == 403
    assert (
        api.post(
            "/api/accountability/simulations/", {"month_from": "2026-08-01", "month_to": "2026-10-01"}, format="json"
        ).status_code
        == 400
    )
