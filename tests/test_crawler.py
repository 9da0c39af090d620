"""Every page every demo role is shown answers without a server error and without another's data.

The demo is loaded exactly as `make run` loads it, then beat's schedule runs
once more (as it does a minute after start), so the pages meet the rows the
running system writes by itself: breaches with no person behind them, motions
closed at their deadline, resolved tickets closed. Then each demo role signs in
at every address it may use and follows every same-host link it is shown
(tests/crawler.py). Nothing here names a page: a module that adds pages is
walked as soon as something links to them.

Run it alone: `.venv/bin/python -m pytest tests/test_crawler.py` (bounds:
CRAWL_PER_PATTERN, CRAWL_MAX_PAGES; see tests/crawler.py).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django_tenants.utils import schema_context

from accounts.models import FACILITY_ROLES, Membership, Role, User
from accounts.selectors import addresses_for
from billing.models import CreditNote, Invoice
from demo import data
from ledger.models import LedgerEntry, NamedPerson
from procurement.models import PurchaseOrder, Requisition
from shared_platform.tasks import beat_run_once
from shared_platform.tenancy import agency_host
from tenants.models import Agency
from travel.models import TravelRequest

from .crawler import CrawlResult, crawl

# Inside an agency, these roles see all of its requests; everyone else only those they raised
# (PRODUCT.md, "Who uses it": the visibility rule).
SEES_WHOLE_AGENCY = {Role.APPROVER, Role.AGENCY_FINANCE}


def _people() -> list[str]:
    """One demo person per set of roles and kind of agency, spread over the agencies, and every facility role."""
    members = [code for code, _name, kind, _headcount in data.AGENCIES if kind == "member"]
    partners = [code for code, _name, kind, _headcount in data.AGENCIES if kind == "partner"]
    people: list[str] = []
    for index, (local, *_names, _roles) in enumerate(data.AGENCY_PEOPLE):
        people.append(f"{local}@{members[index % len(members)].lower()}.demo")
        if local != "requester2":  # the partner's second requester holds the first one's roles
            people.append(f"{local}@{partners[0].lower()}.demo")
    seen_roles: set[tuple[str, ...]] = set()
    for email, _first, _last, roles, is_admin in data.FACILITY_PEOPLE:
        key = (*sorted(roles), str(is_admin))
        if key not in seen_roles:
            seen_roles.add(key)
            people.append(email)
    return people


@dataclass
class DemoWorld:
    references: dict[int, dict[str, set[int | None]]]  # agency id -> request reference -> who may see it there
    documents: dict[int, set[str]]  # agency id -> its invoice and credit-note numbers
    media_root: str  # where the demo's files (invoice PDFs, attachments) were stored


@pytest.fixture(scope="module")
def demo_world(django_db_setup: None, django_db_blocker, tmp_path_factory) -> Iterator[DemoWorld]:  # type: ignore[no-untyped-def]
    """The demo as `make run` leaves it, in a transaction rolled back after the module."""
    media_root = str(tmp_path_factory.mktemp("crawl-media"))
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = time.monotonic()
            # on_commit work (PDFs rendered on issue, e-mails) runs as the worker would run it.
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("load_demo", stdout=io.StringIO())
            with TestCase.captureOnCommitCallbacks(execute=True):
                beat_run_once()
            # A running system's tables are analysed by autovacuum; rows of this open transaction are not, and
            # the planner would think them empty. ANALYZE samples the transaction's own rows too.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"\ncrawler: demo loaded and beat run in {time.monotonic() - started:.1f} s")
            # Who may see each request inside its agency: its requester and the people it names (the traveller).
            references: dict[int, dict[str, set[int | None]]] = {}
            for agency_id, reference, requester_id in LedgerEntry.objects.values_list(
                "agency_id", "reference", "requester_id"
            ):
                references.setdefault(agency_id, {})[reference] = {requester_id}
            for agency_id, reference, user_id in NamedPerson.objects.values_list(
                "entry__agency_id", "entry__reference", "user_id"
            ):
                references[agency_id][reference].add(user_id)
            documents: dict[int, set[str]] = {}
            for model in (Invoice, CreditNote):
                for agency_id, number in model.objects.exclude(number=None).values_list("agency_id", "number"):
                    documents.setdefault(agency_id, set()).add(number)
            # Requisitions not yet approved are not on the ledger; purchase orders are the agency's documents.
            for agency in Agency.objects.agencies():
                with schema_context(agency.schema_name):
                    for reference, requester_id in Requisition.objects.values_list("reference", "requester_id"):
                        references.setdefault(agency.pk, {})[reference] = {requester_id}
                    # Trips not yet submitted do not exist; a trip names its traveller (on the ledger too).
                    for reference, requester_id, traveller_id in TravelRequest.objects.values_list(
                        "reference", "requester_id", "traveller_id"
                    ):
                        references.setdefault(agency.pk, {}).setdefault(reference, set()).update(
                            {requester_id, traveller_id}
                        )
                    documents.setdefault(agency.pk, set()).update(
                        PurchaseOrder.objects.values_list("number", flat=True)
                    )
            yield DemoWorld(references=references, documents=documents, media_root=media_root)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _forbidden(user: User, world: DemoWorld) -> re.Pattern[str] | None:
    """What this person must never read, as one pattern (None: a facility role reads everything).

    Requests they may not see (another agency's; inside their agency, a colleague's unless they see the whole
    agency) and another agency's invoice and credit-note numbers.
    """
    roles_by_agency: dict[int | None, set[str]] = {}
    for agency_id, role in Membership.objects.filter(user=user).values_list("agency_id", "role"):
        roles_by_agency.setdefault(agency_id, set()).add(role)
    if user.is_staff or roles_by_agency.get(None, set()) & FACILITY_ROLES:
        return None
    hidden: list[str] = []
    for agency_id, references in world.references.items():
        roles = roles_by_agency.get(agency_id, set())
        whole_agency = bool(roles & SEES_WHOLE_AGENCY)
        hidden += [ref for ref, people in references.items() if not whole_agency and user.pk not in people]
    for agency_id, numbers in world.documents.items():
        if agency_id not in roles_by_agency:  # another agency's invoices and credit notes
            hidden += numbers
    if not hidden:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(ref) for ref in sorted(hidden)) + r")(?![\w-])")


def _report(results: list[CrawlResult]) -> str:
    lines = []
    for result in results:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(result.statuses.items()))
        lines.append(
            f"{result.person} at {result.host}: {result.pages} answers ({statuses}), "
            f"{len(result.patterns)} URL patterns, {result.seconds:.1f} s"
        )
    return "\n".join(lines)


@pytest.mark.django_db
@pytest.mark.parametrize("email", _people())
def test_every_page_a_demo_person_is_shown_answers_without_error_or_anothers_data(
    demo_world: DemoWorld, email: str, settings: Any
) -> None:
    settings.MEDIA_ROOT = demo_world.media_root  # the files the demo stored, as users meet them
    # given a demo person, signed in at every address they may use
    user = User.objects.get(email=email)
    addresses = addresses_for(user=user)
    assert addresses, f"{email} may sign in nowhere"
    forbidden = _forbidden(user, demo_world)
    results = []
    # when they follow every link they are shown
    for _label, agency in addresses:
        host = django_settings.BASE_DOMAIN if agency is None else agency_host(agency.code)
        client = Client(HTTP_HOST=host, raise_request_exception=True)
        client.force_login(user)
        urlconf = django_settings.PUBLIC_SCHEMA_URLCONF if agency is None else django_settings.ROOT_URLCONF
        results.append(crawl(client, person=email, host=host, urlconf=urlconf, forbidden=forbidden))
    print("\n" + _report(results))
    # then nothing answers with a server error or shows a request they may not see
    problems = [str(problem) for result in results for problem in result.problems]
    assert not problems, f"{len(problems)} problems:\n" + "\n\n".join(problems[:30])
    # and the walk went somewhere: beyond the home page, into pages of the demo's data
    assert all(result.pages > 5 for result in results), _report(results)


@pytest.mark.django_db
def test_every_page_reached_without_signing_in_answers_without_error(demo_world: DemoWorld, settings: Any) -> None:
    settings.MEDIA_ROOT = demo_world.media_root
    # given nobody signed in, at the portal and at each agency's address
    hosts = [django_settings.BASE_DOMAIN, *(agency_host(agency.code) for agency in Agency.objects.agencies())]
    results = []
    for host in hosts:
        client = Client(HTTP_HOST=host, raise_request_exception=True)
        urlconf = (
            django_settings.PUBLIC_SCHEMA_URLCONF
            if host == django_settings.BASE_DOMAIN
            else django_settings.ROOT_URLCONF
        )
        # when they follow what the sign-in page and the public pages link to
        results.append(
            crawl(client, person="nobody", host=host, urlconf=urlconf, forbidden=None, start=("/", "/api/docs/"))
        )
    print("\n" + _report(results))
    # then nothing fails, and nothing but the sign-in page, the API docs and health answer 200
    problems = [str(problem) for result in results for problem in result.problems]
    assert not problems, "\n\n".join(problems[:30])
