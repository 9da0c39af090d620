"""The API: one error shape, pagination on every list, a schema and its docs served locally."""

import pytest

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_served(facility, client_at):
    response = client_at(facility).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/auth/token/", "/api/me/", "/api/agencies/"} <= set(schema["paths"])


def test_the_api_docs_load_their_scripts_from_local_static_files(facility, client_at):
    response = client_at(facility).get("/api/docs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    # no script or stylesheet from another host: the machine has no internet
    assert 'src="http' not in body
    assert 'href="http' not in body


def test_the_swagger_bundle_itself_is_served(facility, client_at):
    response = client_at(facility).get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert response.status_code == 200


def test_facility_staff_list_every_agency_a_page_at_a_time(facility, undp, unfpa, unaids, ict_agent, api_at):
    response = api_at(facility, ict_agent).get("/api/agencies/", {"page_size": 2})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 3
    assert [agency["code"] for agency in body["results"]] == ["UNAIDS", "UNDP"]
    assert body["next"].endswith("page=2&page_size=2")


def test_an_agency_address_lists_only_that_agency(undp, unfpa, undp_requester, api_at):
    body = api_at(undp, undp_requester).get("/api/agencies/").json()
    assert [agency["code"] for agency in body["results"]] == ["UNDP"]


def test_another_agency_is_not_found_from_an_agency_address(undp, unfpa, undp_requester, api_at):
    response = api_at(undp, undp_requester).get("/api/agencies/UNFPA/")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_me_reports_roles_at_this_address(make_person, undp, unfpa, api_at):
    person = make_person((Role.REQUESTER, undp), (Role.APPROVER, unfpa))
    me = api_at(unfpa, person).get("/api/me/").json()
    assert me["agency"] == "UNFPA"
    assert me["roles_here"] == ["approver"]
    assert {(m["agency"], m["role"]) for m in me["memberships"]} == {("UNDP", "requester"), ("UNFPA", "approver")}


def test_an_unknown_api_address_is_a_json_404(undp, undp_requester, api_at):
    response = api_at(undp, undp_requester).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_wrong_method_is_refused_in_the_error_shape(undp, undp_requester, api_at):
    response = api_at(undp, undp_requester).delete("/api/me/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_a_parse_error(undp, api_at):
    response = api_at(undp).post("/api/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_validation_error_names_each_field(undp, api_at):
    response = api_at(undp).post("/api/auth/token/", {"email": "not-an-email"}, format="json")
    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"email", "password"}
    assert "email: Enter a valid email address." in error["message"]


def test_a_bad_token_is_refused_clearly(undp, api_at):
    client = api_at(undp)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.failed"
