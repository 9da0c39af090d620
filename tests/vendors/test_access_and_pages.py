"""Who may do what, on pages and the API; the pages work; bad input is a 4xx, never a 500."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from vendors.models import MethodThresholds, Vendor, VendorStatus

PAGES = [
    "/vendors/",
    "/vendors/categories/",
    "/vendors/thresholds/",
    "/vendors/thresholds/UNDP/",
    "/vendors/export.csv",
]


@pytest.fixture
def ict_agent_and_board(make_person, facility, undp):
    return [
        make_person((Role.ICT_AGENT, None), email="ict@facility.test"),
        make_person((Role.BOARD_REPRESENTATIVE, undp), email="board@undp.test"),
        make_person((Role.FACILITY_FINANCE, None), email="finance@facility.test"),
    ]


def test_officer_manager_and_auditor_read_every_page(client_at, facility, undp, officer, manager, auditor, vendor):
    for person in (officer, manager, auditor):
        client = client_at(facility, person)
        for path in [*PAGES, f"/vendors/{vendor.pk}/"]:
            assert client.get(path).status_code == 200, (person.email, path)


def test_other_facility_people_and_board_members_are_refused(client_at, api_at, facility, vendor, ict_agent_and_board):
    for person in ict_agent_and_board:
        client = client_at(facility, person)
        for path in [*PAGES, f"/vendors/{vendor.pk}/", "/vendors/new/", "/vendors/import/"]:
            assert client.get(path).status_code == 403, (person.email, path)
        api = api_at(facility, person)
        assert api.get("/api/vendors/").status_code == 403
        assert api.get("/api/vendors/thresholds/").status_code == 403


def test_nothing_of_the_roster_on_an_agency_address(client_at, api_at, undp, undp_requester, vendor):
    client = client_at(undp, undp_requester)
    for path in [*PAGES, f"/vendors/{vendor.pk}/"]:
        assert client.get(path).status_code == 404
    assert api_at(undp, undp_requester).get("/api/vendors/").status_code == 404
    schema = api_at(undp, undp_requester).get("/api/schema/?format=json").json()
    assert not [path for path in schema["paths"] if path.startswith("/api/vendors")]


def test_signed_out_people_are_sent_to_sign_in(client_at, api_at, facility):
    assert client_at(facility).get("/vendors/").status_code == 302
    assert api_at(facility).get("/api/vendors/").status_code in (401, 403)


def test_the_auditor_reads_only(client_at, api_at, facility, auditor, vendor, undp):
    client = client_at(facility, auditor)
    for path in ["/vendors/new/", f"/vendors/{vendor.pk}/edit/", f"/vendors/{vendor.pk}/status/", "/vendors/import/"]:
        assert client.get(path).status_code == 403, path
    assert client.post("/vendors/categories/", {"code": "NEW", "name": "New"}).status_code == 403
    assert client.post("/vendors/thresholds/", {"agency": "UNDP"}).status_code == 403
    api = api_at(facility, auditor)
    assert api.post("/api/vendors/", {"legal_name": "X"}, format="json").status_code == 403
    assert api.post(f"/api/vendors/{vendor.pk}/status/", {"status": "suspended"}, format="json").status_code == 403
    assert api.post("/api/vendors/thresholds/", {}, format="json").status_code == 403
    assert api.get(f"/api/vendors/{vendor.pk}/").status_code == 200


def test_the_officer_keeps_the_roster_but_only_the_manager_sets_thresholds(client_at, api_at, facility, officer, undp):
    today = timezone.localdate().isoformat()
    body = {
        "agency": "UNDP",
        "effective_from": today,
        "micro_purchase_max": "10000.00",
        "rfq_max": "150000.00",
        "committee_above": "250000.00",
    }
    assert client_at(facility, officer).post("/vendors/thresholds/", body).status_code == 403
    assert api_at(facility, officer).post("/api/vendors/thresholds/", body, format="json").status_code == 403
    assert not MethodThresholds.objects.exists()


def test_the_manager_sets_thresholds_from_the_page(client_at, facility, manager, undp):
    client = client_at(facility, manager)
    body = {
        "agency": "UNDP",
        "effective_from": timezone.localdate().isoformat(),
        "micro_purchase_max": "10000.00",
        "rfq_max": "150000.00",
        "committee_above": "250000.00",
    }
    response = client.post("/vendors/thresholds/", body)
    assert response.status_code == 302 and response["Location"] == "/vendors/thresholds/UNDP/"
    page = client.get("/vendors/thresholds/UNDP/").content.decode()
    assert "10,000.00" in page
    # a past day: the form shows why, with a 400
    past = {**body, "effective_from": (timezone.localdate() - timedelta(days=3)).isoformat()}
    response = client.post("/vendors/thresholds/", past)
    assert response.status_code == 400 and "never changes" in response.content.decode()


def test_the_officer_adds_a_vendor_and_suspends_it_from_the_pages(client_at, facility, officer, categories):
    client = client_at(facility, officer)
    response = client.post(
        "/vendors/new/",
        {
            "legal_name": "Gráfica Alvorada Ltda.",
            "country": "br",
            "registration_number": "67.890.123/0001-45",
            "email": "orcamentos@alvorada.example",
            "language": "pt-br",
            "categories": [categories["PRINT"].pk],
        },
    )
    vendor = Vendor.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/vendors/{vendor.pk}/"
    # suspending without ticking the box changes nothing
    body = {
        "status": "suspended",
        "reason": "Late deliveries under investigation",
        "effective_on": timezone.localdate().isoformat(),
    }
    assert client.post(f"/vendors/{vendor.pk}/status/", body).status_code == 400
    assert client.post(f"/vendors/{vendor.pk}/status/", {**body, "confirm": "on"}).status_code == 302
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUSPENDED
    page = client.get(f"/vendors/{vendor.pk}/").content.decode()
    assert "Late deliveries under investigation" in page and 'id="not-eligible"' in page
    listing = client.get("/vendors/?status=suspended&sort=-since").content.decode()
    assert "Gráfica Alvorada Ltda." in listing


def test_a_duplicate_on_the_page_is_shown_on_the_form(client_at, facility, officer, vendor):
    response = client_at(facility, officer).post(
        "/vendors/new/",
        {
            "legal_name": "Copy",
            "country": "BR",
            "registration_number": "12345678000190",
            "email": "c@c.example",
            "language": "en",
        },
    )
    assert response.status_code == 409 and "already on the roster" in response.content.decode()


def test_contacts_are_added_and_removed_from_the_vendor_page(client_at, facility, officer, vendor):
    client = client_at(facility, officer)
    assert client.post(f"/vendors/{vendor.pk}/contacts/", {"name": "Ana"}).status_code == 400
    assert client.post(f"/vendors/{vendor.pk}/contacts/", {"name": "Ana", "email": "ana@x.example"}).status_code == 302
    contact = vendor.contacts.get()
    assert client.post(f"/vendors/{vendor.pk}/contacts/{contact.pk}/remove/").status_code == 302
    assert not vendor.contacts.exists()


def test_the_import_page_shows_the_report_per_row(client_at, facility, officer, categories):
    data = (
        b"legal_name,country,registration_number,email,categories\n"
        b"Good Ltda.,BR,11.111.111/0001-11,a@good.example,OFFICE\n"
        b"Bad Ltda.,ZZ,22.222.222/0001-22,b@bad.example,FOOD\n"
    )
    upload = io.BytesIO(data)
    upload.name = "roster.csv"
    response = client_at(facility, officer).post("/vendors/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 added, 0 updated, 0 unchanged, 1 refused." in page
    assert "FOOD" in page and "ZZ" in page


def test_a_bad_file_on_the_import_page_is_a_400_with_the_reason(client_at, facility, officer):
    upload = io.BytesIO("legal_name\nCafé\n".encode("latin-1"))
    upload.name = "roster.csv"
    response = client_at(facility, officer).post("/vendors/import/", {"file": upload})
    assert response.status_code == 400 and "UTF-8" in response.content.decode()


def test_unknown_filters_sorts_and_pages_do_not_break_the_list(client_at, facility, officer, vendor):
    client = client_at(facility, officer)
    for query in ["?status=nope", "?sort=drop_table", "?page=999", "?country=%00", "?category=NOPE&q=%27%22"]:
        assert client.get(f"/vendors/{query}").status_code == 200, query
    assert client.get("/vendors/999999/").status_code == 404
    assert client.get("/vendors/thresholds/NOPE/").status_code == 404
    assert client.get("/vendors/thresholds/%00/").status_code == 404


def test_the_template_and_export_download_as_csv(client_at, facility, auditor, vendor):
    client = client_at(facility, auditor)
    export = client.get("/vendors/export.csv?status=active")
    assert export["Content-Type"].startswith("text/csv") and "Tecnologia Planalto" in export.content.decode()
    assert client.get("/vendors/template.csv").content.decode().startswith("legal_name,country")


def test_the_menu_shows_vendors_to_roster_readers_only(client_at, facility, officer, ict_agent):
    assert 'href="/vendors/"' in client_at(facility, officer).get("/").content.decode()
    assert 'href="/vendors/"' not in client_at(facility, ict_agent).get("/").content.decode()


def test_the_edit_page_keeps_a_category_out_of_use_and_saves_changes(client_at, facility, officer, vendor, categories):
    from vendors import services

    services.category_update(category=categories["IT-EQUIP"], name="IT equipment", is_active=False, updated_by=officer)
    client = client_at(facility, officer)
    page = client.get(f"/vendors/{vendor.pk}/edit/")
    assert page.status_code == 200 and "IT equipment" in page.content.decode()
    response = client.post(
        f"/vendors/{vendor.pk}/edit/",
        {
            "legal_name": vendor.legal_name,
            "country": "BR",
            "registration_number": vendor.registration_number,
            "email": "novo@planalto.example",
            "language": "pt-br",
            "categories": [categories["IT-EQUIP"].pk],
        },
    )
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.email == "novo@planalto.example"


def test_pages_read_in_the_persons_language(client_at, facility, officer, vendor):
    officer.language = "pt-br"
    officer.save(update_fields=["language"])
    page = client_at(facility, officer).get("/vendors/").content.decode()
    assert "Cadastro de fornecedores" in page
