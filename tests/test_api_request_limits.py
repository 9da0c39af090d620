"""Bodies the API refuses to read: too deeply nested, too large. A clear 4xx in the one error shape, never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import RequestDataTooBig

from shared_platform.views import error_400

pytestmark = pytest.mark.django_db

NESTED = "[" * 1000 + "]" * 1000


def _assert_error_shape(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert error["code"] == code and error["message"]


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/helpdesk/survey/"])
def test_deeply_nested_json_is_refused_without_signing_in(path: str, undp, api_at) -> None:
    # when someone who is not signed in sends a thousand nested arrays
    response = api_at(undp).post(path, NESTED, content_type="application/json")

    # then the body is refused as unreadable, in the error shape
    _assert_error_shape(response, 400, "parse_error")
    assert "levels deep" in response.json()["error"]["message"]


def test_deeply_nested_json_is_refused_when_raising_a_ticket(undp, undp_requester, api_at) -> None:
    response = api_at(undp, undp_requester).post("/api/helpdesk/tickets/", NESTED, content_type="application/json")

    _assert_error_shape(response, 400, "parse_error")


def test_json_nested_within_the_limit_is_read_as_usual(undp, api_at) -> None:
    # a body a few levels deep reaches the view, which says what is wrong with it
    response = api_at(undp).post("/api/auth/token/", {"email": [[["x"]]]}, format="json")

    _assert_error_shape(response, 400, "invalid")


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_over_the_upload_limit_is_a_json_413_on_the_api(content_type: str, settings, undp, api_at) -> None:
    # given an upload limit of 1 kB
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"email": "%s", "password": "x"}' % ("a" * 2000) if "json" in content_type else "email=" + "a" * 2000

    # when a larger body is posted to the API
    response = api_at(undp).post("/api/auth/token/", body, content_type=content_type)

    # then it is refused in the API's error shape, not with an HTML page
    _assert_error_shape(response, 413, "request_too_large")
    assert "1,024" in response.json()["error"]["message"]


def test_a_body_refused_before_any_view_runs_is_json_on_api_paths_and_a_page_elsewhere(
    settings, facility, client_at, rf
) -> None:
    # given an upload limit of 1 kB
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    # when Django itself reads a larger form (the sign-in page), it answers with a page
    page = client_at(facility).post("/accounts/login/", {"q": "a" * 2000})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")

    # and the same refusal on an API path (e.g. by a middleware reading the body) answers in the error shape
    _assert_error_shape(error_400(rf.post("/api/auth/token/"), RequestDataTooBig()), 413, "request_too_large")


def test_a_form_with_too_many_fields_is_a_json_400_on_the_api(settings, undp, api_at) -> None:
    # given a limit of 5 form fields
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    body = "&".join(f"field{number}=x" for number in range(10))

    # when a form with 10 is posted
    response = api_at(undp).post("/api/auth/token/", body, content_type="application/x-www-form-urlencoded")

    # then it is refused in plain words, in the error shape
    _assert_error_shape(response, 400, "bad_request")
    assert json.loads(response.content)["error"]["message"] == "The request sends more than 5 fields."
