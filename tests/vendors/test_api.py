"""The roster's API: the same services and rules as the pages, the one error shape, 4xx for bad input."""

from __future__ import annotations

import io

from django.utils import timezone

from vendors.models import Vendor, VendorStatus


def test_create_update_and_read_a_vendor(api_at, facility, officer, categories):
    api = api_at(facility, officer)
    response = api.post(
        "/api/vendors/",
        {
            "legal_name": "Cerrado Informática S.A.",
            "country": "BR",
            "registration_number": "23.456.789/0001-01",
            "email": "vendas@cerrado.example",
            "language": "pt-br",
            "categories": ["IT-EQUIP"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    vendor_id = response.json()["id"]
    assert response.json()["is_eligible"] is True and response.json()["history"][0]["status"] == "active"
    response = api.patch(f"/api/vendors/{vendor_id}/", {"phone": "+55 61 3035-2200"}, format="json")
    assert response.status_code == 200 and response.json()["phone"] == "+55 61 3035-2200"
    listing = api.get("/api/vendors/?category=IT-EQUIP&q=cerrado").json()
    assert [row["id"] for row in listing["results"]] == [vendor_id]


def test_refusals_use_the_one_error_shape(api_at, facility, officer, vendor):
    api = api_at(facility, officer)
    response = api.post(
        "/api/vendors/",
        {"legal_name": "Copy", "country": "BR", "registration_number": "12345678000190", "email": "c@c.example"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "vendors.duplicate_registration"
    response = api.post(
        "/api/vendors/",
        {"legal_name": "X", "country": "QQ", "registration_number": "1", "email": "x@x.example"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "vendors.invalid_vendor"
    assert api.get("/api/vendors/?status=gone").status_code == 400
    assert api.get("/api/vendors/999999/").status_code == 404


def test_status_change_and_eligibility_in_the_api(api_at, facility, officer, vendor):
    api = api_at(facility, officer)
    response = api.post(
        f"/api/vendors/{vendor.pk}/status/", {"status": "ineligible", "reason": "UN list"}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_eligible"] is False
    response = api.post(f"/api/vendors/{vendor.pk}/status/", {"status": "suspended", "reason": "x"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "vendors.illegal_transition"
    assert Vendor.objects.get().status == VendorStatus.INELIGIBLE


def test_contacts_in_the_api(api_at, facility, officer, vendor):
    api = api_at(facility, officer)
    response = api.post(f"/api/vendors/{vendor.pk}/contacts/", {"name": "Ana", "phone": "+55 61 1"}, format="json")
    assert response.status_code == 201
    assert api.delete(f"/api/vendors/{vendor.pk}/contacts/{response.json()['id']}/").status_code == 204
    assert api.delete(f"/api/vendors/{vendor.pk}/contacts/999999/").status_code == 404


def test_import_returns_the_report(api_at, facility, officer, categories):
    upload = io.BytesIO(b"legal_name,country,registration_number,email\nA Ltda.,BR,1,a@a.example\nB,XX,2,b@b.example\n")
    upload.name = "roster.csv"
    response = api_at(facility, officer).post("/api/vendors/import/", {"file": upload}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["refused"]) == (1, 1)
    assert body["rows"][1]["outcome"] == "refused" and body["rows"][1]["reasons"]


def test_a_bad_import_file_is_a_400(api_at, facility, officer):
    upload = io.BytesIO(b"\x00\x01\x02")
    upload.name = "roster.csv"
    response = api_at(facility, officer).post("/api/vendors/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and response.json()["error"]["code"] == "vendors.import_encoding"
    response = api_at(facility, officer).post("/api/vendors/import/", {}, format="multipart")
    assert response.status_code == 400


def test_thresholds_in_the_api(api_at, facility, manager, undp):
    api = api_at(facility, manager)
    today = timezone.localdate().isoformat()
    assert api.get("/api/vendors/thresholds/in-force/?agency=UNDP").json()["is_default"] is True
    response = api.post(
        "/api/vendors/thresholds/",
        {
            "agency": "UNDP",
            "effective_from": today,
            "micro_purchase_max": "10000.00",
            "rfq_max": "150000.00",
            "committee_above": "250000.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    in_force = api.get(f"/api/vendors/thresholds/in-force/?agency=undp&on={today}").json()
    assert in_force["micro_purchase_max"] == "10000.00" and in_force["is_default"] is False
    assert api.get("/api/vendors/thresholds/?agency=UNDP").json()["count"] == 1
    assert api.get("/api/vendors/thresholds/in-force/?agency=NOPE").status_code == 404
    assert api.get("/api/vendors/thresholds/in-force/?agency=UNDP&on=yesterday").status_code == 400
    response = api.post(
        "/api/vendors/thresholds/",
        {
            "agency": "UNDP",
            "effective_from": "2001-01-01",
            "micro_purchase_max": "1",
            "rfq_max": "2",
            "committee_above": "3",
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "vendors.thresholds_in_past"


def test_categories_in_the_api(api_at, facility, officer, auditor, categories):
    response = api_at(facility, officer).post(
        "/api/vendors/categories/", {"code": "SOLAR", "name": "Solar energy"}, format="json"
    )
    assert response.status_code == 201 and response.json()["vendor_count"] == 0
    codes = [row["code"] for row in api_at(facility, auditor).get("/api/vendors/categories/").json()["results"]]
    assert "SOLAR" in codes


def test_query_strings_with_a_nul_character_are_read_without_it_rather_than_fail(api_at, facility, officer, vendor):
    api = api_at(facility, officer)
    for query in ["q=a%00b", "country=B%00", "category=%00", "status="]:
        assert api.get(f"/api/vendors/?{query}").status_code == 200, query
    assert api.get("/api/vendors/thresholds/?agency=UN%00DP").status_code == 200
    assert api.get("/api/vendors/thresholds/in-force/?agency=UN%00DP").status_code == 200  # read as UNDP
