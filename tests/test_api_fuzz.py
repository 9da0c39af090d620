"""API fuzzing: every operation each address documents, called by schemathesis as three people.

Schemathesis reads the OpenAPI schema an address serves (`/api/schema/`) and
generates requests for every operation in it, valid ones and invalid ones, so
an endpoint added later is fuzzed without touching this file. The requests go
in-process to the WSGI application, signed in with a token, and each answer is
checked: never a 5xx, and its status code, content type and body are the ones
the schema documents.

Data to act upon comes from the demo with one month of requests (tickets, draft
invoices, motions), loaded inside the test's transaction and rolled back after
it, so whatever the fuzzer changes is gone afterwards. A path parameter is, half of
the time, an id that exists, taken from the list endpoint the path starts with
(`/api/billing/invoices/{id}/pay/` -> the ids listed by `/api/billing/invoices/`),
so detail and action endpoints are reached with real rows, not only 404s.

Run it alone with `.venv/bin/python -m pytest tests/test_api_fuzz.py`. The
setting FUZZ_EXAMPLES (environment variable, default 4; settings/test.py) is
the number of examples per operation and generation mode (valid and invalid
data): 4 keeps the test near a minute and a half on two cores; raise it to look
harder, e.g. `FUZZ_EXAMPLES=50`. Examples are derandomised so that a run is
repeatable; FUZZ_SEED (default 0) picks another sequence.
"""

from __future__ import annotations

import io
import re
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.services import api_token_issue
from shared_platform.tenancy import agency_host

FUZZ_EXAMPLES: int = settings.FUZZ_EXAMPLES
FUZZ_SEED: int = settings.FUZZ_SEED

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# (who, their demo sign-in, the address they call)
ROLES = {
    "facility_manager": ("manager@facility.demo", None),
    "facility_finance": ("finance@facility.demo", None),
    "agency_requester": ("requester@undp.demo", "UNDP"),
}


@dataclass
class FuzzFigures:
    operations: int = 0
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    succeeded: set[str] = field(default_factory=set)  # operations that answered 2xx at least once
    server_errors: list[str] = field(default_factory=list)  # tracebacks of 500s, to explain a failure


@contextmanager
def _in_the_test_transaction() -> Iterator[list[str]]:
    """Requests through the WSGI handler share the test's connection and transaction.

    Django's handler closes "old" connections at the start and end of each
    request; inside the test's transaction that would close it (Django's own
    test client disconnects the same receivers). Server errors are collected
    with their traceback, so a 500 reads as its cause.
    """
    errors: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        errors.append(traceback.format_exc())

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(record)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(record)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        connection.set_schema_to_public()


def _known_values(schema: Any, host: str, headers: dict[str, str]) -> dict[str, list[Any]]:
    """For each path prefix that is a list endpoint, the rows it lists (to fill the path parameters after it)."""
    client = Client(HTTP_HOST=host)
    known: dict[str, list[Any]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or "{" in operation.path:
            continue
        response = client.get(operation.path, {"page_size": 50}, headers=headers)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("application/json"):
            body = response.json()
            rows = body.get("results") if isinstance(body, dict) else body
            if isinstance(rows, list):
                known[operation.path] = [row for row in rows if isinstance(row, dict)]
    return known


_PARAMETER = re.compile(r"\{([^}]+)\}")


def _real_path_parameters(path: str, known: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Values that exist for the path's first parameter: `/a/b/{id}/c/` -> the `id`s listed by `/a/b/`."""
    match = _PARAMETER.search(path)
    if match is None:
        return {}
    rows = known.get(path[: match.start()], [])
    name = match.group(1)
    values = [row[name] for row in rows if name in row]
    return {name: values} if values else {}


def _fuzz_operation(operation: Any, real: dict[str, list[Any]], call_api: Any, figures: FuzzFigures) -> None:
    """FUZZ_EXAMPLES valid and as many invalid requests for one operation; raises on the first failed check."""
    strategy = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )

    @seed(FUZZ_SEED)
    @hypothesis_settings(
        max_examples=FUZZ_EXAMPLES * 2,
        deadline=None,
        database=None,
        derandomize=FUZZ_SEED == 0,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(data=st.data())
    def call(data: st.DataObject) -> None:
        case = data.draw(strategy)
        for name, values in real.items():
            if name in (case.path_parameters or {}) and data.draw(st.booleans(), label=f"a real {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(values), label=name)
        with _in_the_test_transaction() as server_errors:
            response = call_api(case)
        figures.server_errors += server_errors
        figures.requests += 1
        figures.statuses[response.status_code] = figures.statuses.get(response.status_code, 0) + 1
        if response.status_code < 300:
            figures.succeeded.add(f"{operation.method.upper()} {operation.path}")
        case.validate_response(response, checks=CHECKS)

    call()


def _fuzz_address(schema: Any, host: str, user: User, figures: FuzzFigures) -> list[str]:
    app = WSGIHandler()

    def auth() -> dict[str, str]:
        # A fuzzed DELETE /api/auth/token/ revokes the token: the next call gets a new one.
        return {"Authorization": f"Token {api_token_issue(user=user).key}"}

    def call_api(case: Any) -> Any:
        return case.call(app=app, base_url=f"http://{host}", headers=auth())

    known = _known_values(schema, host, auth())
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        figures.operations += 1
        figures.server_errors.clear()
        try:
            _fuzz_operation(operation, _real_path_parameters(operation.path, known), call_api, figures)
        except (Exception, BaseExceptionGroup) as error:  # one operation's failure must not hide the others'
            cause = f"\nServer traceback:\n{figures.server_errors[-1]}" if figures.server_errors else ""
            failures.append(f"{operation.method.upper()} {operation.path}\n{error}{cause}")
    return failures


@pytest.fixture
def demo(facility: Any) -> None:
    """The demo with a month of requests: tickets to read and answer, draft invoices to issue, pay and credit."""
    call_command("load_demo", history_months=1, stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _forget_throttles() -> Iterator[None]:
    """Fuzzing the token endpoint fills the sign-in throttle (in Redis); later tests start afresh."""
    yield
    cache.clear()


def test_every_documented_operation_survives_fuzzing_and_answers_as_documented(demo: None, capsys: Any) -> None:
    failures: list[str] = []
    for role, (email, agency_code) in ROLES.items():
        # given a person signed in with a token at their address, and the schema that address serves
        user = User.objects.get(email=email)
        host = settings.BASE_DOMAIN if agency_code is None else agency_host(agency_code)
        served = Client(HTTP_HOST=host).get("/api/schema/", {"format": "json"})
        assert served.status_code == 200
        schema = schemathesis.openapi.from_dict(served.json())
        figures = FuzzFigures()
        started = time.monotonic()

        # when schemathesis calls every operation of that schema
        failures += [f"[{role}] {failure}" for failure in _fuzz_address(schema, host, user, figures)]

        with capsys.disabled():
            print(
                f"\n[fuzz] {role} at {host}: {figures.operations} operations "
                f"({len(figures.succeeded)} answered 2xx), {figures.requests} requests "
                f"({FUZZ_EXAMPLES} examples per operation and mode), "
                f"statuses {dict(sorted(figures.statuses.items()))}, {time.monotonic() - started:.0f} s"
            )
        assert figures.operations > 0

    # then none answered a 5xx or anything its schema does not document
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
