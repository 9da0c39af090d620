"""An agency's ticket list API under concurrent load, with and without tenancy.

    .venv/bin/python benchmarks/helpdesk_ticket_list.py [--clients 8] [--duration 30] [--rounds 3] [--keep]
    .venv/bin/python benchmarks/helpdesk_ticket_list.py --quick     # a smoke run: 10 s runs, fewer raised tickets

What is measured: `GET /api/helpdesk/tickets/?whose=agency&page=N` (TicketListApi,
25 per page, token authentication) on UNDP's address, 10,000 tickets in the
agency, served by gunicorn (the pinned one, sync workers as in
docker/Dockerfile, `--workers 3` by default) on 127.0.0.1 and loaded from a
separate process: `--clients` threads, each sending one request after another
(HTTP/1.1, keep-alive asked for; the sync workers close after each answer, so
each request opens a loopback connection, in both configurations alike), for a
random page of the 400, after a warm-up. Reported: requests per second, p50 /
p95 / p99 latency, and the errors.

Two configurations, served side by side by two gunicorns with the same
command line, loaded in turn (A B B A ...: every round runs both, the order
alternating, so a drift of the machine lands on both):

- *tenancy*: the production settings (`shared_platform.settings.production`),
  the database the platform would have: the agency's tables in its schema
  `undp`, the ledger, people and catalogue in `public`. Per request
  django-tenants looks the host up (`tenants_domain` joined to the agency) and
  sets the connection's schema; its engine then issues `SET search_path =
  "undp","public"` on every cursor, i.e. before every query.
- *baseline*: `benchmarks/helpdesk_single_schema.py`, the same settings with
  tenancy bypassed and nothing else: the plain PostgreSQL engine (no `SET
  search_path`), a copy of the same database (`CREATE DATABASE ... TEMPLATE`,
  so the same rows, pages, indexes and statistics) with the agency's four
  ict_helpdesk tables moved to `public`, and a one-line middleware instead of
  the host lookup that gives every request the agency row (read once per
  process) and the agency's URL conf. The view, selector, serializer,
  pagination, DRF token authentication, permission and address-access checks
  (and their queries) are the same code in both.

The ratios (tenancy / baseline for latency, baseline / tenancy for
throughput) are computed from figures of the same run; the goal is an
overhead of at most 10 %. Both configurations are checked first: page 1 and
page 400 must be identical JSON in both, 200, 25 results, count 10,000; the load
generator checks every 10th answer the same way. The queries one request
makes in each configuration are counted with Django's CaptureQueriesContext
(the `SET search_path` statements go through the same cursor and are counted
separately), in a process of each configuration's settings.

The data: one agency (UNDP, `agency_create`, the schema cloned from the
template as in production) with an agreement on every catalogue service, one
approver (also a requester) whose token is used (`?whose=agency` then lists the
whole agency), 8 more requesters and 2 ICT agents. `--through-service`
tickets (default 300) are raised with `ict_helpdesk.services.ticket_raise`
over the last 365 days, from the 9 requesters, both kinds, every category,
mixed impact and urgency, then moved on with the services (taken, answered,
pending, resolved, closed) by age, so the statuses are mixed as in a
working helpdesk. The rest, up to `--tickets` (default 10,000), are copies
of those: each copy is its template's ledger entry, clocks, events,
ticket row and messages inserted with `bulk_create` in the right schema
(ledger in public, ticket and messages in undp), with a fresh ticket id from
the ticket sequence, its own reference (`UNDP-ICT-nnnnnn`, ledger
`detail_id` = ticket id) and every time moved back by a few hours, so
the copies sit between the raised tickets. Then VACUUM ANALYZE.

Everything runs against an embedded PostgreSQL of its own (var/bench-postgres,
databases `bench_helpdesk` and `bench_helpdesk_single`, recreated at the start,
dropped at the end unless --keep) and a throw-away Redis; the gunicorns and
the load generator are this script's children and are stopped at exit.
Nothing here asserts on time: it reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BASE_DIR))

from harness import (  # noqa: E402  (benchmarks/harness.py; imports no Django)
    admin_execute,
    database_drop,
    elapsed,
    rounded,
    say,
    servers_start,
    table,
)

DATABASE = "bench_helpdesk"
BASELINE_DATABASE = "bench_helpdesk_single"
AGENCY = ("UNDP", "United Nations Development Programme", 180)
HOST = "undp.localhost"
PATH = "/api/helpdesk/tickets/?whose=agency&page={page}"
PAGE_SIZE = 25
TENANCY_SETTINGS = "shared_platform.settings.production"
BASELINE_SETTINGS = "helpdesk_single_schema"  # benchmarks/helpdesk_single_schema.py
SECRET_KEY = "benchmark-only-secret-key-not-for-production-use-0123456789"
HELPDESK_TABLES = ("ict_helpdesk_ticket", "ict_helpdesk_message", "ict_helpdesk_attachment", "ict_helpdesk_survey")
REQUESTERS = 8
GOAL_OVERHEAD = 0.10
CHECK_EVERY = 10
SEQUENTIAL_REQUESTS = 100
TENANCY, BASELINE = "tenancy (django-tenants)", "baseline (single schema)"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=10_000, help="tickets in the agency (default 10,000)")
    parser.add_argument("--through-service", type=int, default=300, help="of those, raised by ticket_raise (300)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the load generator (8)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers, as docker/Dockerfile (3)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured per run (30)")
    parser.add_argument("--warm-up", type=float, default=5.0, help="seconds of load before each run, not counted (5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each runs both configurations (3)")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the data and of the pages asked (42)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: --through-service 60 --duration 10 --warm-up 2"
    )
    parser.add_argument("--keep", action="store_true", help="leave both databases in place at the end")
    # Internal: the script runs itself as the load generator and as the query counter.
    parser.add_argument("--load-generator", metavar="JSON", help=argparse.SUPPRESS)
    parser.add_argument("--count-queries", metavar="JSON", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.quick:
        options.through_service, options.duration, options.warm_up = 60, 10.0, 2.0
    if not 1 <= options.through_service <= options.tickets or options.tickets < PAGE_SIZE:
        parser.error("--through-service must be between 1 and --tickets, and --tickets at least 25")
    if options.clients < 1 or options.workers < 1 or options.rounds < 1 or options.duration <= 0:
        parser.error("--clients, --workers, --rounds and --duration must be positive")
    return options


# --- Data ----------------------------------------------------------------------


def people_and_agency() -> dict[str, Any]:
    """UNDP with its schema and an agreement; the approver (and token), requesters and two ICT agents."""
    from datetime import date

    from django.utils import timezone

    from accounts.models import Role
    from accounts.services import api_token_issue, membership_grant, user_create
    from service_levels.models import Calendar, Service
    from service_levels.services import agreement_create
    from tenants.services import agency_create

    code, name, headcount = AGENCY
    agency = agency_create(code=code, name=name, headcount=headcount)
    agreement_create(
        agency=agency,
        reference=f"SLA-{code}-BENCH",
        valid_from=date(timezone.localdate().year - 2, 1, 1),
        calendar=Calendar.objects.get(is_default=True),
        services=list(Service.objects.all()),
    )
    approver = user_create(email="approver@undp.bench", password=None, first_name="Ana", last_name="Approver")
    membership_grant(user=approver, role=Role.APPROVER, agency=agency)
    membership_grant(user=approver, role=Role.REQUESTER, agency=agency)
    requesters = [approver]
    for number in range(1, REQUESTERS + 1):
        person = user_create(email=f"requester{number}@undp.bench", password=None, first_name=f"Requester {number}")
        membership_grant(user=person, role=Role.REQUESTER, agency=agency)
        requesters.append(person)
    agents = []
    for number, (first, last) in enumerate((("Karina", "Gomes"), ("Paulo", "Silva")), start=1):
        agent = user_create(email=f"ict{number}@facility.bench", password=None, first_name=first, last_name=last)
        membership_grant(user=agent, role=Role.ICT_AGENT)
        agents.append(agent)
    return {
        "agency": agency,
        "token": api_token_issue(user=approver).key,
        "requesters": requesters,
        "agents": agents,
    }


def tickets_raise(count: int, people: dict[str, Any], rng: random.Random) -> dict[str, int]:
    """`count` tickets through ict_helpdesk.services, spread over the last 365 days, moved on by age.

    Older than 14 days: mostly closed (some resolved or pending); 2-14 days:
    a mix of open, pending, resolved; the last 2 days: new or open. Returns the
    number of tickets per final status.
    """
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from ict_helpdesk import services
    from service_levels.models import Category, Impact, Urgency

    agency, requesters, agents = people["agency"], people["requesters"], people["agents"]
    categories = list(Category.objects.filter(module="ict", is_active=True).order_by("code"))
    now = timezone.now()
    statuses: dict[str, int] = {}
    with schema_context(agency.schema_name):
        for number in range(count):
            # Oldest first, as they would have been raised; in office hours, roughly.
            age = timedelta(days=365 * (count - number) / count, minutes=rng.randint(0, 240))
            at = now - age
            ticket = services.ticket_raise(
                agency=agency,
                requester=rng.choice(requesters),
                kind=rng.choice(["incident", "incident", "request"]),
                category=rng.choice(categories),
                impact=rng.choice(Impact.values),
                urgency=rng.choice(Urgency.values),
                subject=f"{rng.choice(SUBJECTS)} ({number + 1})",
                description="Reported through the benchmark; the details a requester would give.",
                at=at,
            )
            final = final_status(age, rng)
            agent = rng.choice(agents)
            step = timedelta(minutes=30 + rng.randint(0, 90))
            if final != "new":
                services.ticket_take(ticket=ticket, agent=agent, at=at + step)
                services.ticket_reply(
                    ticket=ticket, author=agent, body="Looking into it; can you confirm the model?", at=at + 2 * step
                )
            if final == "pending":
                services.ticket_pending(
                    ticket=ticket, actor=agent, waiting_on="requester", reason="The asset tag", at=at + 3 * step
                )
            if final in ("resolved", "closed"):
                services.ticket_resolve(ticket=ticket, actor=agent, resolution_note="Fixed.", at=at + 3 * step)
            if final == "closed":
                services.ticket_close(ticket=ticket, actor=agent, at=at + 3 * step + timedelta(days=1))
            statuses[final] = statuses.get(final, 0) + 1
            if (number + 1) % 50 == 0:
                say(f"  {number + 1}/{count} raised through the services")
    return statuses


SUBJECTS = [
    "Laptop does not start",
    "Printer on the 3rd floor jams",
    "VPN drops every few minutes",
    "Password reset",
    "Shared mailbox access",
    "Licence for the statistics package",
    "Meeting room screen has no signal",
    "New phone for the country director",
    "Wi-Fi slow in the east wing",
    "Access to the finance share",
]


def final_status(age: timedelta, rng: random.Random) -> str:
    draw = rng.random()
    if age > timedelta(days=14):
        return "closed" if draw < 0.85 else "resolved" if draw < 0.95 else "pending"
    if age > timedelta(days=2):
        return "open" if draw < 0.3 else "pending" if draw < 0.5 else "resolved"
    return "new" if draw < 0.5 else "open"


def tickets_copy(total: int, agency: Any) -> int:
    """Fill the agency up to `total` tickets with copies of the raised ones (see the module's docstring)."""
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from ict_helpdesk.models import Message, Ticket
    from ledger.models import LedgerEntry, LedgerEvent, SlaClock

    with schema_context(agency.schema_name), transaction.atomic():
        templates = list(Ticket.objects.order_by("created_at", "pk"))
        missing = total - len(templates)
        if missing <= 0:
            return 0
        entries = {entry.pk: entry for entry in LedgerEntry.objects.filter(pk__in=[t.entry_id for t in templates])}
        clocks: dict[int, list[SlaClock]] = {}
        for clock in SlaClock.objects.filter(entry_id__in=entries):
            clocks.setdefault(clock.entry_id, []).append(clock)
        events: dict[int, list[LedgerEvent]] = {}
        for event in LedgerEvent.objects.filter(entry_id__in=entries):
            events.setdefault(event.entry_id, []).append(event)
        messages: dict[int, list[Message]] = {}
        for message in Message.objects.filter(ticket__in=templates):
            messages.setdefault(message.ticket_id, []).append(message)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Ticket._meta.db_table, missing],
            )
            ids = [row[0] for row in cursor.fetchall()]

        span = (templates[-1].created_at - templates[0].created_at) / max(len(templates) - 1, 1)
        batches = -(-missing // len(templates))
        plan = []  # (new ticket id, template, shift back in time)
        for index, ticket_id in enumerate(ids):
            batch = index // len(templates) + 1
            plan.append((ticket_id, templates[index % len(templates)], span * batch / (batches + 1)))

        new_entries = [
            copied(
                entries[template.entry_id],
                shift,
                reference=f"{agency.code}-ICT-{ticket_id:06d}",
                detail_id=ticket_id,
            )
            for ticket_id, template, shift in plan
        ]
        LedgerEntry.objects.bulk_create(new_entries, batch_size=1000)
        new_clocks, new_events, new_tickets, new_messages = [], [], [], []
        for (ticket_id, template, shift), entry in zip(plan, new_entries, strict=True):
            new_clocks += [copied(clock, shift, entry_id=entry.pk) for clock in clocks.get(template.entry_id, [])]
            new_events += [copied(event, shift, entry_id=entry.pk) for event in events.get(template.entry_id, [])]
            new_tickets.append(copied(template, shift, id=ticket_id, reference=entry.reference, entry_id=entry.pk))
            new_messages += [copied(message, shift, ticket_id=ticket_id) for message in messages.get(template.pk, [])]
        SlaClock.objects.bulk_create(new_clocks, batch_size=2000)
        LedgerEvent.objects.bulk_create(new_events, batch_size=2000)
        Ticket.objects.bulk_create(new_tickets, batch_size=1000)
        Message.objects.bulk_create(new_messages, batch_size=2000)
    say(
        f"  copied {missing:,} tickets: {len(new_entries):,} ledger entries, {len(new_clocks):,} clocks, "
        f"{len(new_events):,} events (public); {len(new_tickets):,} tickets, {len(new_messages):,} messages (undp)"
    )
    return missing


def copied(instance: Any, shift: timedelta, **values: Any) -> Any:
    """A new unsaved row with `instance`'s field values, every time moved back by `shift`, and `values` set."""
    model = type(instance)
    fields = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, datetime):
            value -= shift
        fields[field.attname] = value
    fields.update(values)
    return model(**fields)


def data_describe(agency: Any) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count
    from django_tenants.utils import schema_context

    from ict_helpdesk.models import Ticket
    from ledger.models import LedgerEntry, SlaClock

    with schema_context(agency.schema_name):
        tickets = Ticket.objects.count()
        requesters = Ticket.objects.values("requester_id").distinct().count()
        statuses = dict(
            LedgerEntry.objects.filter(agency=agency, module="ict")
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return {
            "tickets": tickets,
            "ledger_entries": LedgerEntry.objects.filter(agency=agency).count(),
            "clocks": SlaClock.objects.filter(entry__agency=agency).count(),
            "requesters": requesters,
            "statuses": statuses,
            "postgres": version,
        }


def baseline_database_create(postgres: Any) -> None:
    """The same database, copied by PostgreSQL, with the agency's helpdesk tables moved to public."""
    from django.db import connections

    connections.close_all()  # CREATE DATABASE ... TEMPLATE needs the source without connections
    admin_execute(
        postgres,
        f'DROP DATABASE IF EXISTS "{BASELINE_DATABASE}" WITH (FORCE)',
        f'CREATE DATABASE "{BASELINE_DATABASE}" TEMPLATE "{DATABASE}"',
    )
    import psycopg2

    connection = psycopg2.connect(host=postgres.socket_dir, user="postgres", dbname=BASELINE_DATABASE)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for name in HELPDESK_TABLES:
                cursor.execute(f"ALTER TABLE undp.{name} SET SCHEMA public")  # its indexes and sequence go with it
            cursor.execute("ANALYZE")
    finally:
        connection.close()


# --- Servers -------------------------------------------------------------------


class Gunicorn:
    """One gunicorn (the pinned one) on 127.0.0.1, this script's child, in a process group of its own."""

    def __init__(self, name: str, settings_module: str, environment: dict[str, str], workers: int) -> None:
        from shared_platform.embedded import VAR_DIR, free_port

        self.name = name
        self.port = free_port()
        self.log = VAR_DIR / f"bench-gunicorn-{settings_module.rsplit('.', 1)[-1]}.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "shared_platform.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--pythonpath",
            str(BENCH_DIR),
        ]
        self.command = " ".join(["gunicorn", *command[4:]])
        env = {**environment, "DJANGO_SETTINGS_MODULE": settings_module}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own process group: only what it started
                self.process.wait()

    def get(self, page: int, token: str) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{PATH.format(page=page)}",
            headers={"Host": HOST, "Authorization": f"Token {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def wait_ready(self, token: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn ({self.name}) exited with {self.process.returncode}; see {self.log}")
            try:
                status, _ = self.get(1, token)
                if status == 200:
                    return
                raise SystemExit(f"gunicorn ({self.name}) answered {status}; see {self.log}")
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn ({self.name}) did not answer within {timeout:.0f}s; see {self.log}")


def answer_check(status: int, body: bytes, total: int) -> str | None:
    """None if the answer is a full page of the whole agency, else what is wrong."""
    if status != 200:
        return f"status {status}"
    data = json.loads(body)
    if data.get("count") != total or len(data.get("results", [])) != PAGE_SIZE:
        return f"count {data.get('count')}, {len(data.get('results', []))} results"
    return None


# --- The load generator (a separate process: this script with --load-generator) --------------


def load_generate(config: dict[str, Any]) -> dict[str, Any]:
    """`clients` threads, each one request after another, for warm_up + duration seconds; JSON-able figures."""
    import http.client

    port, token, total = config["port"], config["token"], config["total"]
    pages = -(-total // PAGE_SIZE)
    headers = {"Host": HOST, "Authorization": f"Token {token}", "Connection": "keep-alive"}
    started = time.perf_counter()
    measure_from = started + config["warm_up"]
    measure_to = measure_from + config["duration"]
    latencies: list[list[float]] = [[] for _ in range(config["clients"])]
    statuses: dict[str, int] = {}
    failures: list[str] = []
    checked = [0]
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(config["seed"] * 1000 + number)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        sent = 0
        while True:
            begun = time.perf_counter()
            if begun >= measure_to:
                break
            page = rng.randint(1, pages)
            try:
                connection.request("GET", PATH.format(page=page), headers=headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
                if response.will_close:
                    connection.close()  # the sync workers close after each answer; the next request reconnects
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                status, body = 0, str(error).encode()
            done = time.perf_counter()
            if measure_from <= begun and done <= measure_to:
                latencies[number].append((done - begun) * 1000)
                sent += 1
                with lock:
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                    if status != 200 or sent % CHECK_EVERY == 0:
                        wrong = answer_check(status, body, total) if status else f"error {body.decode()}"
                        checked[0] += 1
                        if wrong and len(failures) < 20:
                            failures.append(f"page {page}: {wrong}")
                        elif wrong:
                            failures.append("...")

    threads = [threading.Thread(target=client, args=(number,)) for number in range(config["clients"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "latencies_ms": [value for values in latencies for value in values],
        "statuses": statuses,
        "checked": checked[0],
        "failures": failures,
    }


def run_load(server: Gunicorn, token: str, total: int, options: argparse.Namespace, seed: int) -> dict[str, Any]:
    config = {
        "port": server.port,
        "token": token,
        "total": total,
        "clients": options.clients,
        "warm_up": options.warm_up,
        "duration": options.duration,
        "seed": seed,
    }
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--load-generator", json.dumps(config)],
        capture_output=True,
        check=True,
        text=True,
        cwd=BASE_DIR,
    )
    result: dict[str, Any] = json.loads(output.stdout)
    latencies = sorted(result.pop("latencies_ms"))
    result["requests"] = len(latencies)
    result["rps"] = len(latencies) / options.duration
    result.update({f"p{q}_ms": percentile(latencies, q) for q in (50, 95, 99)})
    result["mean_ms"] = statistics.fmean(latencies) if latencies else float("nan")
    result["latencies_ms"] = latencies
    return result


def percentile(ordered: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of sorted values."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


# --- Counting the queries of one request (a process of each configuration's settings) --------


def queries_count(config: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {config['token']}")
    client.get(PATH.format(page=2))  # the first request loads what a worker keeps (URL conf, the baseline's agency)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PATH.format(page=3))
    statements = [query["sql"] for query in captured.captured_queries]
    search_path = [sql for sql in statements if sql.startswith("SET search_path")]
    others = [sql for sql in statements if not sql.startswith("SET search_path")]
    shapes: dict[str, int] = {}
    for sql in others:
        shape = sql.split(" WHERE ")[0][:110]
        shapes[shape] = shapes.get(shape, 0) + 1
    # Then SEQUENTIAL_REQUESTS one after another (random pages), timed, the statements' own times summed by kind.
    rng = random.Random(config["seed"])
    pages = [rng.randint(1, config["pages"]) for _ in range(SEQUENTIAL_REQUESTS)]
    walls, in_set, in_queries = [], 0.0, 0.0
    for page in pages:
        # One capture per request: Django keeps at most 9,000 statements in its log.
        with CaptureQueriesContext(connection) as timed:
            started = time.perf_counter()
            client.get(PATH.format(page=page))
            walls.append((time.perf_counter() - started) * 1000)
        for query in timed.captured_queries:
            if query["sql"].startswith("SET search_path"):
                in_set += float(query["time"]) * 1000
            else:
                in_queries += float(query["time"]) * 1000
    return {
        "sequential_median_ms": statistics.median(walls),
        "sequential_mean_ms": statistics.fmean(walls),
        "sequential_set_ms": in_set / len(pages),
        "sequential_queries_ms": in_queries / len(pages),
        "status": response.status_code,
        "statements": len(statements),
        "set_search_path": len(search_path),
        "queries": len(others),
        "shapes": shapes,
    }


def queries_in(settings_module: str, environment: dict[str, str], token: str, **config: Any) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--count-queries", json.dumps({"token": token, **config})],
        capture_output=True,
        check=True,
        text=True,
        cwd=BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(BENCH_DIR)},
    )
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


# --- Report --------------------------------------------------------------------


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    pooled = sorted(value for run in runs for value in run["latencies_ms"])
    rps = [run["rps"] for run in runs]
    return {
        "rps": statistics.fmean(rps),
        "rps_min": min(rps),
        "rps_max": max(rps),
        **{f"p{q}_ms": percentile(pooled, q) for q in (50, 95, 99)},
        **{f"p{q}_runs_ms": [run[f"p{q}_ms"] for run in runs] for q in (50, 95)},
        "requests": sum(run["requests"] for run in runs),
        "non_200": sum(n for run in runs for status, n in run["statuses"].items() if status != "200"),
        "checked": sum(run["checked"] for run in runs),
        "failures": [failure for run in runs for failure in run["failures"]],
    }


def report(result: dict[str, Any], options: argparse.Namespace) -> None:
    data, env = result["data"], result["environment"]
    print()
    print(
        f"Agency UNDP: {data['tickets']:,} tickets ({result['raised']} raised through ict_helpdesk.services, "
        f"{result['copied']:,} copies), {data['requesters']} requesters, statuses "
        + ", ".join(f"{status} {count:,}" for status, count in sorted(data["statuses"].items()))
        + f"; {data['clocks']:,} SLA clocks"
    )
    print(
        f"PostgreSQL {data['postgres']}, Python {env['python']}, Django {env['django']}, "
        f"django-tenants {env['django_tenants']}, gunicorn {env['gunicorn']}; {env['cpus']} CPUs, "
        f"load average {env['load_average_start']} at start, {env['load_average_end']} at end"
    )
    print(
        f"Server: {result['gunicorn']} (each configuration its own, same command); load: {options.clients} "
        f"clients in a separate process, random pages of {-(-data['tickets'] // PAGE_SIZE)}, "
        f"{options.warm_up:.0f}s warm-up + {options.duration:.0f}s measured per run, {options.rounds} rounds "
        f"(order {' '.join(result['order'])})"
    )
    print()
    rows: list[tuple[str, ...]] = []
    for index, run in enumerate(result["runs"], start=1):
        rows.append(
            (
                f"run {index}: {run['configuration']}",
                f"{run['requests']:,}",
                f"{run['rps']:.1f}",
                f"{run['p50_ms']:.1f}",
                f"{run['p95_ms']:.1f}",
                f"{run['p99_ms']:.1f}",
                str(sum(n for status, n in run["statuses"].items() if status != "200")),
                f"{run['checked']}",
            )
        )
    header = ("GET /api/helpdesk/tickets/?whose=agency", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print(table(rows, (*header, "non-200", "checked")))
    print()
    tenancy, baseline = result["summary"][TENANCY], result["summary"][BASELINE]
    overall: list[tuple[str, ...]] = []
    for name, entry in ((TENANCY, tenancy), (BASELINE, baseline)):
        overall.append(
            (
                name,
                f"{entry['rps']:.1f} ({entry['rps_min']:.1f}-{entry['rps_max']:.1f})",
                f"{entry['p50_ms']:.1f} ({min(entry['p50_runs_ms']):.1f}-{max(entry['p50_runs_ms']):.1f})",
                f"{entry['p95_ms']:.1f} ({min(entry['p95_runs_ms']):.1f}-{max(entry['p95_runs_ms']):.1f})",
                f"{entry['p99_ms']:.1f}",
            )
        )
    ratios = result["ratios"]
    overall.append(
        (
            "overhead ratio (tenancy cost)",
            f"{ratios['rps']:.3f} ({min(ratios['rps_rounds']):.3f}-{max(ratios['rps_rounds']):.3f})",
            f"{ratios['p50']:.3f} ({min(ratios['p50_rounds']):.3f}-{max(ratios['p50_rounds']):.3f})",
            f"{ratios['p95']:.3f} ({min(ratios['p95_rounds']):.3f}-{max(ratios['p95_rounds']):.3f})",
            f"{ratios['p99']:.3f}",
        )
    )
    print(
        table(
            overall,
            ("all runs (spread over runs / rounds)", "req/s (min-max)", "p50 ms (min-max)", "p95 ms (min-max)", "p99"),
        )
    )
    print(
        "ratios: req/s baseline / tenancy; latency tenancy / baseline; pooled over the runs, "
        "(min-max) of the same ratio round by round"
    )
    worst = max(ratios["rps"], ratios["p50"], ratios["p95"]) - 1
    verdict = "MET" if worst <= GOAL_OVERHEAD else "NOT MET"
    print(f"goal: tenancy overhead <= {GOAL_OVERHEAD:.0%} (on req/s, p50 and p95): {verdict} (worst {worst:+.1%})")
    print()
    counted = result["queries"]
    counts: list[tuple[str, ...]] = [
        (name, str(entry["queries"]), str(entry["set_search_path"]), str(entry["statements"]))
        for name, entry in counted.items()
    ]
    print("One request (page 3), counted in a process of each configuration's settings:")
    print(table(counts, ("statements per request", "queries", "SET search_path", "all statements")))
    sequential: list[tuple[str, ...]] = [
        (
            name,
            f"{entry['sequential_median_ms']:.1f} "
            f"({min(entry['sequential_median_runs_ms']):.1f}-{max(entry['sequential_median_runs_ms']):.1f})",
            f"{entry['sequential_mean_ms']:.1f}",
            f"{entry['sequential_queries_ms']:.1f}",
            f"{entry['sequential_set_ms']:.1f}",
        )
        for name, entry in counted.items()
    ]
    tenancy_seq, baseline_seq = counted[TENANCY], counted[BASELINE]
    sequential.append(
        (
            "tenancy / baseline",
            f"{tenancy_seq['sequential_median_ms'] / baseline_seq['sequential_median_ms']:.3f}",
            f"{tenancy_seq['sequential_mean_ms'] / baseline_seq['sequential_mean_ms']:.3f}",
            "",
            "",
        )
    )
    print(
        f"{SEQUENTIAL_REQUESTS} requests one after another, in-process (Django test client, no HTTP), "
        "2 processes of each, A B B A; SQL times as Django's debug cursor measures them:"
    )
    print(
        table(
            sequential,
            ("in-process, per request", "median ms (min-max)", "mean ms", "in queries ms", "in SET search_path ms"),
        )
    )
    for name, entry in counted.items():
        print(f"  {name}:")
        for shape, count in entry["shapes"].items():
            print(f"    {count:3d} x {shape}")
    print()
    for name, entry in result["summary"].items():
        problems = f"; failures: {entry['failures']}" if entry["failures"] else ""
        print(
            f"correctness, {name}: {entry['requests']:,} requests, {entry['non_200']} not 200, "
            f"{entry['checked']:,} answers checked (25 results, count {data['tickets']:,}){problems}"
        )
    print(f"before the load: pages 1 and {-(-data['tickets'] // PAGE_SIZE)} identical JSON in both: {result['same']}")
    print(f"\nwhole run: {result['total_s']:.1f}s")
    compact = {
        **{key: value for key, value in result.items() if key != "runs"},
        "runs": [{key: value for key, value in run.items() if key != "latencies_ms"} for run in result["runs"]],
    }
    print("JSON " + json.dumps(compact, separators=(",", ":")))


# --- Main ----------------------------------------------------------------------


def main() -> None:
    options = arguments()
    if options.load_generator:
        print(json.dumps(load_generate(json.loads(options.load_generator))))
        return
    if options.count_queries:
        print(json.dumps(queries_count(json.loads(options.count_queries))))
        return

    # A SIGTERM (or Ctrl-C) still runs the clean-up below: the gunicorns and the databases.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    load_start = round(os.getloadavg()[0], 2)
    rng = random.Random(options.seed)
    postgres = servers_start(DATABASE)
    servers: list[Gunicorn] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from service_levels.services import catalogue_seed_defaults
        from tenants.services import facility_ensure

        say("migrate_schemas --shared, the facility, the default catalogue")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        facility_ensure()
        catalogue_seed_defaults()
        say("UNDP (schema cloned from the template), its agreement, 9 requesters (one an approver), 2 ICT agents")
        people = people_and_agency()
        agency, token = people["agency"], people["token"]
        say(f"Raising {options.through_service} tickets through ict_helpdesk.services (raise, take, reply, ...)")
        raised = tickets_raise(options.through_service, people, rng)
        say(f"  final statuses of the raised tickets: {raised}")
        copied_count = tickets_copy(options.tickets, agency)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        data = data_describe(agency)
        say(f"{data['tickets']:,} tickets in undp, statuses {data['statuses']}; copying the database for the baseline")
        baseline_database_create(postgres)

        environment = {
            **os.environ,
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "BASELINE_DATABASE_URL": postgres.url(BASELINE_DATABASE),
            "LOG_LEVEL": "WARNING",
            "SECURE_COOKIES": "false",
        }
        servers = [
            Gunicorn(TENANCY, TENANCY_SETTINGS, environment, options.workers),
            Gunicorn(BASELINE, BASELINE_SETTINGS, environment, options.workers),
        ]
        for server in servers:
            server.wait_ready(token)
        say(f"Both gunicorns answer: {', '.join(f'{s.name} on port {s.port}' for s in servers)}")

        last_page = -(-data["tickets"] // PAGE_SIZE)
        same = True
        for page in (1, last_page):
            answers = [server.get(page, token) for server in servers]
            for server, (status, body) in zip(servers, answers, strict=True):
                wrong = answer_check(status, body, data["tickets"])
                if wrong:
                    raise SystemExit(f"{server.name}, page {page}: {wrong}")
            same = same and json.loads(answers[0][1]) == json.loads(answers[1][1])
        say(f"Pages 1 and {last_page}: 200, 25 results, count {data['tickets']:,} in both; identical JSON: {same}")
        # Counted (and timed one request after another, in-process) twice each, A B B A, in its own process.
        counted: dict[str, list[dict[str, Any]]] = {TENANCY: [], BASELINE: []}
        for number, name in enumerate((TENANCY, BASELINE, BASELINE, TENANCY)):
            settings_module = TENANCY_SETTINGS if name == TENANCY else BASELINE_SETTINGS
            counted[name].append(queries_in(settings_module, environment, token, seed=number, pages=last_page))
        queries = {}
        for name, entries in counted.items():
            queries[name] = entries[0]
            for key in ("sequential_median_ms", "sequential_mean_ms", "sequential_set_ms", "sequential_queries_ms"):
                queries[name][key] = statistics.fmean(entry[key] for entry in entries)
            queries[name]["sequential_median_runs_ms"] = [entry["sequential_median_ms"] for entry in entries]
        say(
            "Statements per request: "
            + "; ".join(f"{name} {q['queries']} queries + {q['set_search_path']} SET" for name, q in queries.items())
        )

        runs, order = [], []
        for round_number in range(options.rounds):
            # A B, then B A, ...: each configuration goes first as often as the other.
            ordered = servers if round_number % 2 == 0 else servers[::-1]
            for server in ordered:
                seed = options.seed * 100 + round_number
                run = run_load(server, token, data["tickets"], options, seed)
                run["configuration"] = server.name
                run["round"] = round_number + 1
                runs.append(run)
                order.append("A" if server.name == TENANCY else "B")
                say(
                    f"  round {round_number + 1}, {server.name}: {run['rps']:.1f} req/s, "
                    f"p50 {run['p50_ms']:.1f} ms, p95 {run['p95_ms']:.1f} ms, statuses {run['statuses']}"
                )
        for server in servers:
            server.stop()

        summaries = {
            name: summary([run for run in runs if run["configuration"] == name]) for name in (TENANCY, BASELINE)
        }
        by_round: dict[int, dict[str, dict[str, Any]]] = {}
        for run in runs:
            by_round.setdefault(run["round"], {})[run["configuration"]] = run
        pairs = list(by_round.values())
        ratios = {
            "rps": summaries[BASELINE]["rps"] / summaries[TENANCY]["rps"],
            "rps_rounds": [pair[BASELINE]["rps"] / pair[TENANCY]["rps"] for pair in pairs],
            **{f"p{q}": summaries[TENANCY][f"p{q}_ms"] / summaries[BASELINE][f"p{q}_ms"] for q in (50, 95, 99)},
            **{
                f"p{q}_rounds": [pair[TENANCY][f"p{q}_ms"] / pair[BASELINE][f"p{q}_ms"] for pair in pairs]
                for q in (50, 95)
            },
        }
        from importlib.metadata import version

        result: dict[str, Any] = {
            "benchmark": "helpdesk_ticket_list",
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "raised": options.through_service,
            "raised_statuses": raised,
            "copied": copied_count,
            "data": data,
            "gunicorn": servers[0].command,
            "clients": options.clients,
            "order": order,
            "same": same,
            "queries": queries,
            "runs": runs,
            "summary": summaries,
            "ratios": ratios,
            "environment": {
                "python": platform.python_version(),
                "django": version("Django"),
                "django_tenants": version("django-tenants"),
                "gunicorn": version("gunicorn"),
                "cpus": os.cpu_count(),
                "load_average_start": load_start,
            },
        }
    finally:
        for server in servers:
            server.stop()
        if options.keep:
            say(f"Databases {DATABASE} and {BASELINE_DATABASE} kept ({os.environ.get('DATABASE_URL')})")
        else:
            database_drop(postgres, DATABASE)
            admin_execute(postgres, f'DROP DATABASE IF EXISTS "{BASELINE_DATABASE}" WITH (FORCE)')
            say(f"Database {BASELINE_DATABASE} dropped")
    result["environment"]["load_average_end"] = round(os.getloadavg()[0], 2)
    result["total_s"] = elapsed()
    for summary_entry in summaries.values():
        summary_entry.pop("latencies_ms", None)
    report(rounded(result), options)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
