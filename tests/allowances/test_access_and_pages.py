"""Who may do what on the pages; the pages work; an agency's address has none of them."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from allowances.models import DsaRate, Location, RateImport

from .conftest import HEADER


def _pages(sample_import) -> list[str]:
    manaus = Location.objects.get(name="Manaus")
    return [
        "/travel/rates/",
        "/travel/rates/?on=2026-08-01&q=brazil&sort=-rate",
        "/travel/rates/?on=not-a-day&sort=nonsense&page=99",
        f"/travel/rates/location/{manaus.pk}/",
        "/travel/rates/imports/",
        f"/travel/rates/imports/{sample_import.pk}/",
        "/travel/settings/",
        "/travel/rates/sample.csv",
    ]


def test_a_travel_officer_sees_every_page_and_the_rates_in_force(client_at, facility, travel_officer, sample_import):
    client = client_at(facility, travel_officer)
    for path in [*_pages(sample_import), "/travel/rates/import/"]:
        assert client.get(path).status_code == 200, path
    page = client.get("/travel/rates/?on=2026-08-01&q=Bras").content.decode()
    assert "Brasília" in page and "275.00" in page and "262.00" not in page
    history = client.get(f"/travel/rates/location/{Location.objects.get(name='Brasília').pk}/").content.decode()
    assert "262.00" in history and "275.00" in history


def test_the_import_page_imports_and_shows_the_report(client_at, facility, travel_officer):
    client = client_at(facility, travel_officer)
    upload = SimpleUploadedFile(
        "icsc-july.csv",
        (HEADER + "BR,Brazil,Manaus,2026-07-01,300,50,210\nZZ,Nowhere,Somewhere,2026-07-01,1,1,1\n").encode(),
        content_type="text/csv",
    )
    response = client.post("/travel/rates/import/", {"file": upload})
    done = RateImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/travel/rates/imports/{done.pk}/"
    report = client.get(response["Location"]).content.decode()
    assert "icsc-july.csv" in report and "ZZ" in report
    # a file that cannot be read is shown on the form, nothing imported
    bad = SimpleUploadedFile("bad.csv", b"country,location\nBR,Manaus\n", content_type="text/csv")
    response = client.post("/travel/rates/import/", {"file": bad})
    assert response.status_code == 400 and "dsa_after_60_days" in response.content.decode()
    assert RateImport.objects.count() == 1


def test_the_settings_page_saves_and_shows_form_errors(client_at, facility, travel_officer):
    client = client_at(facility, travel_officer)
    values = {
        "breakfast_percent": "6",
        "lunch_percent": "12",
        "dinner_percent": "12",
        "terminal_amount": "45",
        "long_stay_nights": "60",
    }
    assert client.post("/travel/settings/", values).status_code == 302
    response = client.post("/travel/settings/", {**values, "lunch_percent": "150"})
    assert response.status_code == 400 and 'class="errorlist' in response.content.decode()


def test_other_facility_staff_read_but_cannot_write(client_at, facility, make_person, sample_import):
    for role in (Role.ICT_AGENT, Role.AUDITOR, Role.FACILITY_FINANCE):
        client = client_at(facility, make_person((role, None)))
        for path in _pages(sample_import):
            assert client.get(path).status_code == 200, (role, path)
        assert client.get("/travel/rates/import/").status_code == 403
        upload = SimpleUploadedFile("x.csv", (HEADER + "BR,Brazil,X,2026-01-01,1,1,1\n").encode())
        assert client.post("/travel/rates/import/", {"file": upload}).status_code == 403
        assert client.post("/travel/settings/", {"terminal_amount": "1"}).status_code == 403
    assert not Location.objects.filter(name="X").exists()


def test_board_members_on_the_portal_are_refused(client_at, facility, undp, make_person, sample_import):
    client = client_at(facility, make_person((Role.BOARD_REPRESENTATIVE, undp)))
    for path in _pages(sample_import):
        assert client.get(path).status_code == 403, path


def test_nothing_of_the_table_on_an_agency_address(client_at, api_at, undp, undp_requester, sample_import, make_person):
    # even a facility travel officer who also works for the agency
    both = make_person((Role.TRAVEL_AGENT, None), (Role.REQUESTER, undp))
    for person in (undp_requester, both):
        client = client_at(undp, person)
        for path in [*_pages(sample_import), "/travel/rates/import/"]:
            assert client.get(path).status_code == 404, path
        api = api_at(undp, person)
        for path in ("/api/travel/rates/", "/api/travel/locations/", "/api/travel/allowance-settings/"):
            assert api.get(path).status_code == 404, path
        assert api.put("/api/travel/allowance-settings/", {}, format="json").status_code == 404
    schema = api_at(undp, undp_requester).get("/api/schema/?format=json").json()
    table_paths = ("/api/travel/rates", "/api/travel/locations", "/api/travel/rate-imports", "/api/travel/allowance")
    assert not [path for path in schema["paths"] if path.startswith(table_paths)]


def test_signed_out_people_are_sent_to_sign_in(client_at, api_at, facility):
    assert client_at(facility).get("/travel/rates/").status_code == 302
    assert api_at(facility).get("/api/travel/rates/").status_code in (401, 403)
    assert not DsaRate.objects.exists()
