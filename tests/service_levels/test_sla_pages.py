"""The SLA pages: the facility manager's dashboard, an agency's own view, the CSV, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from ledger.services import entry_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(undp, unfpa, undp_agreement, unfpa_agreement, raise_request, undp_requester):
    """Delivered a minute ago: UNDP one met and one breached request, UNFPA one met; each has an open P1.

    UNDP's are raised by `undp_requester`, who sees them on the agency's address."""
    now = timezone.now()
    entries = {}
    for agency, label, opened in (
        (undp, "UNDP-MET", now - timedelta(hours=2)),  # P4: 8 h / 45 business hours, well within
        (undp, "UNDP-LATE", now - timedelta(days=15)),  # at least 7 working days: both clocks ran out
        (unfpa, "UNFPA-MET", now - timedelta(hours=2)),
    ):
        requester = undp_requester if agency == undp else None
        entry = raise_request(
            agency, "ICT-REQ", opened, priority="P4", reference=label, title=f"{label} title", requester=requester
        )
        entry_resolve(entry=entry, at=now - timedelta(minutes=1))
        entries[label] = entry
    for agency in (undp, unfpa):
        entries[f"{agency.code}-OPEN"] = raise_request(
            agency,
            "ICT-INC",
            now - timedelta(days=3),
            priority="P1",
            reference=f"{agency.code}-OPEN",
            title="Server down",
            requester=undp_requester if agency == undp else None,
        )
    return entries


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_facility_manager_sees_every_agency(facility, facility_manager, history, client_at):
    response = client_at(facility, facility_manager).get("/sla/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "UNDP-LATE" in page and "UNFPA-OPEN" in page  # breaches and at-risk of both agencies
    assert 'id="chart-months"' in page and "vendor/chartjs/chart.umd.min.js" in page
    compliance = rows(client_at(facility, facility_manager).get("/sla/?export=compliance"))
    by_agency = {(row["agency"], row["service"]): row for row in compliance}
    assert by_agency[("UNDP", "ICT-REQ")]["met"] == "1" and by_agency[("UNDP", "ICT-REQ")]["breached"] == "1"
    assert by_agency[("UNDP", "ICT-REQ")]["compliance_percent"] == "50.0"
    assert by_agency[("UNFPA", "ICT-REQ")]["met"] == "1"


def test_filters_narrow_the_page_and_its_csv(facility, facility_manager, history, client_at):
    client = client_at(facility, facility_manager)
    compliance = rows(client.get("/sla/?agency=UNFPA&export=compliance"))
    assert {row["agency"] for row in compliance} == {"UNFPA"}
    at_risk = rows(client.get("/sla/?agency=UNDP&export=at_risk"))
    assert [row["reference"] for row in at_risk] == ["UNDP-OPEN", "UNDP-OPEN"]  # first response and resolution
    assert rows(client.get("/sla/?module=travel&export=compliance")) == []


def test_bad_filters_are_shown_as_form_errors_not_500(facility, facility_manager, history, client_at):
    response = client_at(facility, facility_manager).get("/sla/?agency=NOPE&month=2020-13&module=x")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_agency_staff_see_only_their_agency_on_page_and_csv(undp, undp_requester, history, client_at):
    client = client_at(undp, undp_requester)
    page = client.get("/sla/?agency=UNFPA").content.decode()  # a crafted filter is ignored on an agency address
    assert "UNDP-LATE" in page and 'data-label="Agency">UNDP</td>' in page
    assert 'data-label="Agency">UNFPA</td>' not in page and "UNFPA-" not in page  # no UNFPA row in any table
    for section in ("compliance", "at_risk", "breaches"):
        exported = rows(client.get(f"/sla/?agency=UNFPA&export={section}"))
        assert exported and {row["agency"] for row in exported} == {"UNDP"}


def test_another_agencys_request_page_is_not_found(undp, undp_requester, history, client_at):
    client = client_at(undp, undp_requester)
    assert client.get("/requests/UNDP-LATE/").status_code == 200
    assert client.get("/requests/UNFPA-MET/").status_code == 404
    listing = client.get("/requests/").content.decode()
    assert "UNDP-MET" in listing and "UNFPA-MET" not in listing


def test_a_crafted_host_header_does_not_reach_another_agency(unfpa, undp_requester, history, client_at):
    assert client_at(unfpa, undp_requester).get("/sla/").status_code == 403
    assert client_at(unfpa, undp_requester).get("/sla/?export=compliance").status_code == 403


def test_board_members_on_the_portal_do_not_see_the_cross_agency_dashboard(
    facility, undp, make_person, history, client_at
):
    board = make_person((Role.BOARD_REPRESENTATIVE, undp))
    client = client_at(facility, board)
    for path in ("/sla/", "/sla/?export=compliance", "/requests/", "/requests/UNFPA-MET/", "/agreements/"):
        assert client.get(path).status_code == 403, path


def test_an_unknown_export_is_a_404(facility, facility_manager, history, client_at):
    assert client_at(facility, facility_manager).get("/sla/?export=everything").status_code == 404


def test_the_request_page_shows_clocks_and_history(facility, facility_manager, history, client_at):
    page = client_at(facility, facility_manager).get("/requests/UNDP-LATE/").content.decode()
    assert "Breached" in page and "Resolution" in page and "Status changed" in page


def test_the_admin_shows_the_ledger_and_catalogue_but_cannot_change_them(facility, make_person, history, client_at):
    admin_user = make_person(is_staff=True, is_superuser=True)
    client = client_at(facility, admin_user)
    assert "UNDP-LATE" in client.get("/admin/ledger/ledgerentry/").content.decode()
    assert client.get("/admin/service_levels/service/add/").status_code == 403
    entry = history["UNDP-LATE"]
    assert client.post(f"/admin/ledger/ledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
