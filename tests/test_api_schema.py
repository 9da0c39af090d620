"""Each address's OpenAPI schema: generated without warnings, its own operations only, its errors documented."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from accounts.models import Role

pytestmark = pytest.mark.django_db

# Operations only the facility portal may call (PRODUCT.md): issuing, paying and crediting
# invoices, creating agencies, writing the catalogue, calendars and agreements.
FACILITY_ONLY = {
    ("post", "/api/billing/invoices/{id}/issue/"),
    ("post", "/api/billing/invoices/{id}/pay/"),
    ("post", "/api/billing/invoices/{id}/credit-note/"),
    ("post", "/api/agencies/"),
    ("post", "/api/catalogue/services/"),
    ("put", "/api/catalogue/services/{code}/"),
    ("patch", "/api/catalogue/services/{code}/"),
    ("post", "/api/catalogue/calendars/"),
    ("put", "/api/catalogue/calendars/{id}/"),
    ("patch", "/api/catalogue/calendars/{id}/"),
    ("post", "/api/agreements/"),
    ("put", "/api/agreements/{id}/"),
    ("patch", "/api/agreements/{id}/"),
    ("post", "/api/agreements/{id}/new-version/"),
}


def _operations(schema: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, item in schema["paths"].items() for method in item if method != "parameters"}


@pytest.mark.parametrize("urlconf", ["shared_platform.urls_facility", "shared_platform.urls_agency"])
def test_each_address_schema_generates_with_warnings_as_errors(urlconf: str) -> None:
    # when the schema is generated as `manage.py spectacular --fail-on-warn` does
    output = StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", "--urlconf", urlconf, stdout=output, stderr=output)

    # then it is written, with no warning to fail on
    assert yaml.safe_load(output.getvalue())["openapi"].startswith("3.")


def test_the_agency_schema_leaves_out_what_only_the_facility_may_do(facility, undp, client_at) -> None:
    # given the schemas both addresses serve
    portal = client_at(facility).get("/api/schema/", {"format": "json"}).json()
    agency = client_at(undp).get("/api/schema/", {"format": "json"}).json()

    # then the portal documents the facility-only operations and the agency's address does not
    assert _operations(portal) >= FACILITY_ONLY
    assert not FACILITY_ONLY & _operations(agency)
    # while what an agency does stays documented there
    assert {("get", "/api/billing/invoices/{id}/"), ("post", "/api/helpdesk/tickets/")} <= _operations(agency)


@pytest.mark.parametrize(("method", "path"), sorted(FACILITY_ONLY))
def test_the_agency_address_refuses_what_its_schema_leaves_out(
    method: str, path: str, undp, make_person, api_at
) -> None:
    # given the most powerful person an agency's address knows: a platform administrator who is also its finance
    person = make_person((Role.AGENCY_FINANCE, undp), (Role.REQUESTER, undp), is_staff=True)

    # when they call a facility-only operation there
    url = path.replace("{id}", "1").replace("{code}", "ICT-INC")
    response = getattr(api_at(undp, person), method)(url, {}, format="json")

    # then it is refused in the one error shape
    assert response.status_code in (403, 404, 405), response.content
    assert set(response.json()["error"]) >= {"code", "message"}


def test_every_operation_documents_its_error_answers_in_the_one_shape(facility, client_at) -> None:
    # given the portal's schema
    schema = client_at(facility).get("/api/schema/", {"format": "json"}).json()

    # then every operation may answer 404, and those that take input 400, each in the error shape
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "404" in responses, (method, path)
            if "requestBody" in operation or operation.get("parameters"):
                assert "400" in responses, (method, path)
            error = responses["404"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}, (method, path)
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"error"}
    assert schema["paths"]["/api/auth/token/"]["post"]["responses"].keys() >= {"400", "429"}
    assert "413" in schema["paths"]["/api/helpdesk/priority-matrix/"]["put"]["responses"]
