"""The API: the same services and rules as the pages, the one error shape, 4xx for bad input."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from allowances.models import RateImport

from .conftest import HEADER


def test_rates_in_force_on_a_day_searched_and_paged(api_at, facility, travel_officer, sample_import):
    api = api_at(facility, travel_officer)
    body = api.get("/api/travel/rates/", {"on": "2026-08-01", "search": "brasília"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["location"]["name"] == "Brasília" and row["rate"] == "275.00" and row["effective_from"] == "2026-07-01"
    assert (
        api.get("/api/travel/rates/", {"on": "2026-03-01", "search": "Brasília"}).json()["results"][0]["rate"]
        == "262.00"
    )
    assert api.get("/api/travel/rates/", {"on": "2026-08-01"}).json()["count"] == 37
    locations = api.get("/api/travel/locations/", {"search": "panama"}).json()
    assert {row["name"] for row in locations["results"]} == {"Panama City", "Elsewhere"}


def test_bad_filters_are_400_in_the_error_shape(api_at, facility, travel_officer):
    api = api_at(facility, travel_officer)
    response = api.get("/api/travel/rates/", {"on": "31/12/2026"})
    assert response.status_code == 400 and "on" in response.json()["error"]["fields"]
    assert api.get("/api/travel/rates/", {"search": "a\x00b"}).status_code == 400


def test_import_through_the_api_answers_counts_and_refused_rows(api_at, facility, travel_officer):
    api = api_at(facility, travel_officer)
    upload = SimpleUploadedFile(
        "dsa.csv", (HEADER + "BR,Brazil,Manaus,2026-01-01,300,50,210\nBR,Brazil,Recife,2026-13-01,1,1,1\n").encode()
    )
    response = api.post("/api/travel/rates/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rows_read"], body["rows_imported"], body["rows_refused"]) == (2, 1, 1)
    assert body["refused"][0]["line"] == 3 and "2026-13-01" in body["refused"][0]["reason"]
    detail = api.get(f"/api/travel/rate-imports/{body['id']}/").json()
    assert detail["refused"] == body["refused"]
    # a file that cannot be read: 400, nothing imported
    latin1 = SimpleUploadedFile("dsa.csv", (HEADER + "BR,Brazil,Belém,2026-01-01,1,1,1\n").encode("latin-1"))
    response = api.post("/api/travel/rates/import/", {"file": latin1}, format="multipart")
    assert response.status_code == 400 and response.json()["error"]["code"] == "allowances.csv_encoding"
    assert api.post("/api/travel/rates/import/", {}, format="multipart").status_code == 400
    assert RateImport.objects.count() == 1


def test_settings_are_read_by_staff_and_set_by_travel_officers(api_at, facility, travel_officer, make_person):
    values = {
        "breakfast_percent": "6.00",
        "lunch_percent": "12.00",
        "dinner_percent": "12.00",
        "terminal_amount": "42.00",
        "long_stay_nights": 60,
    }
    api = api_at(facility, travel_officer)
    response = api.put("/api/travel/allowance-settings/", values, format="json")
    assert response.status_code == 200 and response.json()["terminal_amount"] == "42.00"
    assert response.json()["updated_by"] == travel_officer.email
    response = api.put("/api/travel/allowance-settings/", {**values, "dinner_percent": "-1"}, format="json")
    assert response.status_code == 400 and "dinner_percent" in response.json()["error"]["fields"]
    response = api.put(
        "/api/travel/allowance-settings/",
        {**values, "breakfast_percent": "50", "lunch_percent": "50", "dinner_percent": "50"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "allowances.meal_shares_above_rate"
    finance = api_at(facility, make_person((Role.FACILITY_FINANCE, None)))
    assert finance.get("/api/travel/allowance-settings/").json()["terminal_amount"] == "42.00"
    assert finance.put("/api/travel/allowance-settings/", values, format="json").status_code == 403
    upload = SimpleUploadedFile("dsa.csv", (HEADER + "BR,Brazil,Manaus,2026-01-01,300,50,210\n").encode())
    assert finance.post("/api/travel/rates/import/", {"file": upload}, format="multipart").status_code == 403
