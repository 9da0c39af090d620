"""The SLA compliance report over a million ledger rows.

    .venv/bin/python benchmarks/compliance_report.py [--rows 1000000] [--agencies 100] [--runs 30] [--keep]
    .venv/bin/python benchmarks/compliance_report.py --quick        # 100,000 rows, 10 runs

The public schema is migrated, the default catalogue seeded (7 services, the
Brasília calendar), the agencies registered with one agreement each, and the
ledger filled with completed requests spread over the 12 months before a fixed
"today" (PostgreSQL builds the rows itself, INSERT ... SELECT generate_series,
in chronological order as the platform would write them). After VACUUM
ANALYZE, the monthly counts the report reads (ledger.ComplianceMonth, kept by
the ledger's services as requests are delivered) are rebuilt from those rows
with `ledger.services.compliance_rebuild` (timed once), and
`ledger.selectors.compliance_report` is timed as the dashboard calls
it — the default view (last 3 months, all agencies), one month, one agency,
one module and a 12-month window — against a plain `SELECT count(*)` over the
whole ledger, timed in the same run, as the baseline. The runs of the
scenarios are interleaved so a busy moment of the machine lands on all of them.
For comparison the same figures are also aggregated straight from the
ledger rows (`compliance_from_ledger`, the way the report worked before the
counts existed); the SQL of both is explained with EXPLAIN (ANALYZE, BUFFERS).

Everything runs against an embedded PostgreSQL of its own (var/bench-postgres,
database `bench_compliance`, dropped and recreated at the start, dropped at the
end unless --keep) and a throw-away Redis. Nothing here asserts on time: it reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from harness import database_drop, elapsed, rounded, say, servers_start, table  # noqa: E402  (benchmarks/harness.py; imports no Django)

DATABASE = "bench_compliance"
TODAY = date(2026, 6, 30)  # the last day of a month: "the last 3 months" are three whole months of data
BREACHED_SHARE = 0.08
CHUNKS = 10
WARM_UP_RUNS = 3
GOAL_MS = 100.0

# Share of the requests, and typical calendar hours from opening to delivery, per catalogue service.
SERVICE_MIX = {
    "ICT-INC": (0.35, 6),
    "ICT-REQ": (0.30, 24),
    "TRV-TA": (0.15, 72),
    "PRC-MICRO": (0.10, 96),
    "PRC-LTA": (0.05, 168),
    "PRC-RFQ": (0.04, 500),
    "PRC-ITB": (0.01, 1500),
}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="ledger rows (default 1,000,000)")
    parser.add_argument("--agencies", type=int, default=100, help="agencies (default 100)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each scenario (default 30)")
    parser.add_argument("--seed", type=float, default=0.42, help="PostgreSQL setseed() for the rows (default 0.42)")
    parser.add_argument("--quick", action="store_true", help="a quicker run: --rows 100000 --runs 10")
    parser.add_argument("--keep", action="store_true", help="leave the database in place at the end")
    options = parser.parse_args()
    if options.quick:
        options.rows, options.runs = 100_000, 10
    if options.rows < CHUNKS or options.agencies < 1 or options.runs < 1:
        parser.error(f"--rows must be at least {CHUNKS}, --agencies and --runs at least 1")
    if not -1 <= options.seed <= 1:
        parser.error("--seed is between -1 and 1 (PostgreSQL setseed)")
    return options


# --- Data ----------------------------------------------------------------------


def agencies_and_agreements(count: int) -> list[tuple[int, int]]:
    """`count` agency rows (bulk_create: rows only, no schemas) and one agreement each; [(agency id, agreement id)].

    The ledger and the report live in the public schema and never visit an
    agency's schema, so the rows are created directly: Agency.save() would
    clone a schema for each (TenantMixin.auto_create_schema), bulk_create
    does not call save().
    """
    from service_levels.models import Calendar, Service
    from service_levels.services import agreement_create
    from tenants.models import Agency, AgencyKind

    agencies = Agency.objects.bulk_create(
        Agency(
            schema_name=f"bench{number:03d}",
            code=f"BA{number:03d}",
            name=f"Benchmark agency {number:03d}",
            kind=AgencyKind.MEMBER,
            headcount=50 + number,
        )
        for number in range(1, count + 1)
    )
    calendar = Calendar.objects.get(is_default=True)
    services = list(Service.objects.all())
    pairs = []
    for agency in agencies:
        agreement = agreement_create(
            agency=agency,
            reference=f"SLA-{agency.code}",
            valid_from=date(TODAY.year - 2, 1, 1),
            calendar=calendar,
            services=services,
        )
        pairs.append((agency.pk, agreement.pk))
    return pairs


REQUESTERS_PER_AGENCY = 5
STAFF = 20


def people_create(agency_count: int) -> tuple[list[int], list[int]]:
    """Requesters (REQUESTERS_PER_AGENCY per agency, in agency order) and facility staff to assign; their ids.

    Rows only (bulk_create, an unusable password): the ledger points at them,
    nothing signs in.
    """
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    requesters = user_model.objects.bulk_create(
        user_model(email=f"requester{number:04d}@bench.example", password="!")
        for number in range(1, agency_count * REQUESTERS_PER_AGENCY + 1)
    )
    staff = user_model.objects.bulk_create(
        user_model(email=f"staff{number:02d}@bench.example", password="!", is_staff=True)
        for number in range(1, STAFF + 1)
    )
    return [user.pk for user in requesters], [user.pk for user in staff]


INSERT = """
WITH
agencies AS (
    SELECT * FROM unnest(%(agency_ids)s::bigint[], %(agreement_ids)s::bigint[])
        WITH ORDINALITY AS a (agency_id, agreement_id, idx)
),
requesters AS (
    SELECT * FROM unnest(%(requester_ids)s::bigint[]) WITH ORDINALITY AS q (requester_id, idx)
),
staff AS (
    SELECT * FROM unnest(%(staff_ids)s::bigint[]) WITH ORDINALITY AS f (assignee_id, idx)
),
services AS (
    SELECT * FROM unnest(
        %(service_ids)s::bigint[], %(modules)s::text[], %(lows)s::float8[], %(highs)s::float8[],
        %(hours)s::float8[], %(prioritised)s::boolean[]
    ) AS s (service_id, module, low, high, typical_hours, prioritised)
),
generated AS MATERIALIZED (
    SELECT
        g,
        -- Chronological: row g is delivered on day g/rows of the 365 days before today, in office hours.
        (((%(today)s::date - 365 + floor((g - 1)::float8 * 365 / %(rows)s)::int)::timestamp
            + interval '8 hours' + random() * interval '9 hours') AT TIME ZONE %(zone)s) AS completed_at,
        random() < %(breached_share)s AS breached,
        random() AS r_agency, random() AS r_service, random() AS r_priority, random() AS r_duration,
        random() AS r_closed, random() AS r_requester, random() AS r_assignee
    FROM generate_series(%(first)s::int, %(last)s::int) AS g
)
INSERT INTO ledger_ledgerentry (
    agency_id, service_id, module, agreement_id, reference, title, priority, status, held_by, step,
    requester_id, assignee_id, opened_at, completed_at, closed_at, breached, billable_units, updated_at
)
SELECT
    a.agency_id, s.service_id, s.module, a.agreement_id,
    'BEN-' || lpad(r.g::text, 8, '0'),
    'Benchmark request ' || r.g,
    CASE WHEN s.prioritised THEN 'P' || (1 + floor(r.r_priority * 4))::int ELSE '' END,
    CASE WHEN r.closes THEN 'closed' ELSE 'resolved' END,
    'facility', '',
    q.requester_id,
    f.assignee_id,
    r.completed_at - s.typical_hours * interval '1 hour'
        * CASE WHEN r.breached THEN 1.5 + 2 * r.r_duration ELSE 0.2 + r.r_duration END,
    r.completed_at,
    CASE WHEN r.closes THEN r.completed_at + interval '2 days' END,
    r.breached,
    1,
    CASE WHEN r.closes THEN r.completed_at + interval '2 days' ELSE r.completed_at END
FROM (
    SELECT *, completed_at < %(today)s::date - 7 AND r_closed < 0.9 AS closes FROM generated
) AS r
-- Agencies of very different sizes: the first gets about 10%% of the requests, the last about 0.5%%.
JOIN agencies AS a ON a.idx = 1 + floor(power(r.r_agency, 2) * %(agency_count)s)::int
JOIN services AS s ON r.r_service >= s.low AND r.r_service < s.high
JOIN requesters AS q ON q.idx = (a.idx - 1) * %(per_agency)s + 1 + floor(r.r_requester * %(per_agency)s)::int
JOIN staff AS f ON f.idx = 1 + floor(r.r_assignee * %(staff_count)s)::int
ORDER BY r.g
"""


def ledger_fill(rows: int, pairs: list[tuple[int, int]], people: tuple[list[int], list[int]], seed: float) -> float:
    """`rows` completed requests in CHUNKS statements (each commits); returns the seconds taken."""
    from django.conf import settings
    from django.db import connection

    from service_levels.models import Service

    services = {service.code: service for service in Service.objects.all()}
    missing = set(SERVICE_MIX) - set(services)
    if missing:
        raise SystemExit(f"The default catalogue lacks {sorted(missing)}; the benchmark's service mix needs updating.")
    codes = list(SERVICE_MIX)
    bounds, running = [], 0.0
    for code in codes:
        share = SERVICE_MIX[code][0]
        bounds.append((running, running + share))
        running += share
    bounds[-1] = (bounds[-1][0], 1.0 + 1e-9)
    parameters: dict[str, Any] = {
        "agency_ids": [agency for agency, _ in pairs],
        "agreement_ids": [agreement for _, agreement in pairs],
        "agency_count": len(pairs),
        "requester_ids": people[0],
        "per_agency": REQUESTERS_PER_AGENCY,
        "staff_ids": people[1],
        "staff_count": len(people[1]),
        "service_ids": [services[code].pk for code in codes],
        "modules": [services[code].module for code in codes],
        "lows": [low for low, _ in bounds],
        "highs": [high for _, high in bounds],
        "hours": [float(SERVICE_MIX[code][1]) for code in codes],
        "prioritised": [services[code].module == "ict" for code in codes],
        "today": TODAY,
        "rows": rows,
        "zone": settings.TIME_ZONE,
        "breached_share": BREACHED_SHARE,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        step = rows // CHUNKS
        for chunk in range(CHUNKS):
            first = chunk * step + 1
            last = rows if chunk == CHUNKS - 1 else (chunk + 1) * step
            cursor.execute(INSERT, {**parameters, "first": first, "last": last})
            elapsed = time.perf_counter() - started
            say(f"  {last:,}/{rows:,} rows ({elapsed:.1f}s, about {elapsed / last * (rows - last):.0f}s to go)")
    return time.perf_counter() - started


def ledger_describe() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE breached), min(completed_at), max(completed_at), "
            "count(DISTINCT agency_id), count(DISTINCT service_id) FROM ledger_ledgerentry"
        )
        rows, breached, first, last, agencies, services = cursor.fetchone()
        cursor.execute(
            "SELECT agency_id, count(*) FROM ledger_ledgerentry GROUP BY agency_id ORDER BY count(*) DESC LIMIT 1"
        )
        largest_agency, largest_rows = cursor.fetchone()
        cursor.execute(
            "SELECT pg_relation_size('ledger_ledgerentry'), pg_relation_size('ledger_compliance'), "
            "pg_total_relation_size('ledger_ledgerentry')"
        )
        heap, index, total = cursor.fetchone()
        settings = {}
        for name in ("jit", "max_parallel_workers_per_gather", "work_mem", "shared_buffers", "random_page_cost"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "rows": rows,
        "breached_percent": breached / rows * 100,
        "completed_from": first.isoformat(),
        "completed_to": last.isoformat(),
        "agencies": agencies,
        "services": services,
        "largest_agency_id": largest_agency,
        "largest_agency_rows": largest_rows,
        "heap_mb": heap / 2**20,
        "ledger_compliance_index_mb": index / 2**20,
        "table_with_indexes_mb": total / 2**20,
        "postgres": version,
        "postgres_settings": settings,
    }


# --- Measurements --------------------------------------------------------------


DEFAULT = "default (last 3 months, all agencies)"
YEAR = "12 months, all agencies"
SQL_ALONE = "ledger aggregate's SQL alone (no Python)"
LEDGER_DEFAULT = "aggregate over the ledger rows, 3 months (compliance_from_ledger)"
LEDGER_YEAR = "aggregate over the ledger rows, 12 months"
HEAP_SCAN = "count(*) as a heap scan (index scans off)"
BASELINE = "baseline: count(*)"


def scenarios(largest_agency_id: int) -> dict[str, Any]:
    from ledger.selectors import LedgerFilters
    from tenants.models import Agency

    agency = Agency.objects.get(pk=largest_agency_id)
    last_month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    return {
        DEFAULT: LedgerFilters(today=TODAY),
        f"one month ({last_month:%b %Y})": LedgerFilters(today=TODAY, month=last_month),
        f"one agency ({agency.code}, the largest), 3 months": LedgerFilters(today=TODAY, agency=agency),
        "one module (ict), 3 months": LedgerFilters(today=TODAY, module="ict"),
        YEAR: LedgerFilters(today=TODAY, months=12),
    }


def count_all() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_ledgerentry")
        return cursor.fetchone()[0]


def count_heap_scan() -> int:
    """The same count, made to read the table itself (index scans off for this statement only)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("enable_indexonlyscan", "enable_indexscan", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("SELECT count(*) FROM ledger_ledgerentry")
        return cursor.fetchone()[0]


def fetch(sql: str, parameters: list[Any] | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def count_star(sql: str) -> str:
    """The report's aggregate with COUNT(*) for COUNT(id): every column it needs is then in ledger_compliance."""
    counted = 'COUNT("ledger_ledgerentry"."id")'
    if sql.count(counted) != 2:
        raise SystemExit(f"The report's SQL no longer has two {counted}; update the what-if.")
    return sql.replace(counted, "COUNT(*)")


def measure(calls: dict[str, Callable[[], Any]], runs: int) -> dict[str, list[float]]:
    """WARM_UP_RUNS of each first, then `runs` rounds, each calling every scenario once in a rotating order."""
    for call in calls.values():
        for _ in range(WARM_UP_RUNS):
            call()
    names = list(calls)
    times: dict[str, list[float]] = {name: [] for name in names}
    for run in range(runs):
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            calls[name]()
            times[name].append((time.perf_counter() - started) * 1000)
        if (run + 1) % 10 == 0 or run + 1 == runs:
            medians = ", ".join(f"{statistics.median(values):.0f}" for values in times.values())
            say(f"  round {run + 1}/{runs}: medians so far (ms) {medians}")
    return times


def figures(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "min_ms": ordered[0],
        "max_ms": ordered[-1],
    }


def report_sql(filters: Any, *, from_ledger: bool = False) -> str:
    """The SQL of the report (the monthly counts) or of the ledger aggregate, as executed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ledger.selectors import compliance_from_ledger, compliance_report

    table = "ledger_ledgerentry" if from_ledger else "ledger_compliancemonth"
    with CaptureQueriesContext(connection) as captured:
        if from_ledger:
            compliance_from_ledger(filters=filters)
        else:
            compliance_report(filters=filters)
    queries = [query["sql"] for query in captured.captured_queries if table in query["sql"]]
    if len(queries) != 1:
        raise SystemExit(f"Expected one query over {table}, captured {len(queries)}")
    return queries[0]


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


# --- Report --------------------------------------------------------------------


def report(result: dict[str, Any]) -> None:
    data, env = result["data"], result["environment"]
    print()
    print(
        f"Ledger: {data['rows']:,} rows, {data['agencies']} agencies, {data['services']} services, "
        f"{data['breached_percent']:.1f}% breached, completed {data['completed_from'][:10]} .. "
        f"{data['completed_to'][:10]}; largest agency {data['largest_agency_rows']:,} rows; "
        f"heap {data['heap_mb']:.0f} MB, ledger_compliance index {data['ledger_compliance_index_mb']:.0f} MB, "
        f"table with indexes {data['table_with_indexes_mb']:.0f} MB"
    )
    print(
        f"PostgreSQL {data['postgres']} ({', '.join(f'{k}={v}' for k, v in data['postgres_settings'].items())}); "
        f"Python {env['python']}, Django {env['django']}, {env['cpus']} CPUs, "
        f"load average {env['load_average_start']} at start, {env['load_average_end']} at end"
    )
    print(f"fill: {result['fill_s']:.1f}s ({data['rows'] / result['fill_s']:,.0f} rows/s), today = {result['today']}")
    print(f"monthly counts rebuilt from the ledger: {result['count_rows']:,} rows in {result['rebuild_s']:.1f}s")
    print()
    print(
        f"{result['runs']} runs of each after {WARM_UP_RUNS} warm-up runs, interleaved; "
        f"baseline = SELECT count(*) FROM ledger_ledgerentry (as PostgreSQL plans it)"
    )
    baseline = result["baseline"]["median_ms"]

    def line(name: str, entry: dict[str, Any], ledger_rows: str, report_rows: str) -> tuple[str, ...]:
        return (
            name,
            ledger_rows,
            report_rows,
            *(f"{entry[key]:.1f}" for key in ("median_ms", "p95_ms", "min_ms", "max_ms")),
            f"{entry['median_ms'] / baseline:.2f}x",
        )

    header = ("", "ledger rows", "report rows", "median ms", "p95 ms", "min ms", "max ms", "/ count(*)")
    rows = [
        line(name, entry, f"{entry['ledger_rows']:,}", str(entry["report_rows"]))
        for name, entry in result["scenarios"].items()
    ]
    print(table(rows, ("compliance_report(...)", *header[1:])))
    default = result["scenarios"][DEFAULT]
    verdict = "meets" if default["median_ms"] <= GOAL_MS else "MISSES"
    print(f"default report median {default['median_ms']:.1f} ms: {verdict} the goal of <= {GOAL_MS:.0f} ms")
    print()
    print("For comparison, in the same rounds: the same figures aggregated from the ledger rows (the SQL rows are")
    print("cursor.execute + fetchall only; the what-if is not application code):")
    references = result["references"]
    rows = [line(name, entry, "", "") for name, entry in references.items()]
    rows.append(line(BASELINE, result["baseline"], f"{data['rows']:,}", "1"))
    print(table(rows, ("query", *header[1:])))
    python_ms = references[LEDGER_DEFAULT]["median_ms"] - references[SQL_ALONE]["median_ms"]
    print(f"Python around the SQL of the ledger aggregate (medians' difference): {python_ms:.1f} ms")
    speedup = references[LEDGER_DEFAULT]["median_ms"] / default["median_ms"]
    print(f"default view: ledger aggregate / monthly counts = {speedup:.1f}x")
    for name, plan in result["plans"].items():
        print()
        print(f"EXPLAIN (ANALYZE, BUFFERS) — {name}:")
        if name == "default report (monthly counts)":
            print(result["sql"])
        print(plan)
    print(f"\nwhole run: {result['total_s']:.1f}s")
    compact = {key: value for key, value in result.items() if key not in ("plans", "sql")}
    print("JSON " + json.dumps(compact, separators=(",", ":")))


# --- Main ----------------------------------------------------------------------


def main() -> None:
    options = arguments()
    load_start = round(os.getloadavg()[0], 2)
    postgres = servers_start(DATABASE)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from ledger.selectors import compliance_from_ledger, compliance_report
        from ledger.services import compliance_rebuild
        from service_levels.services import catalogue_seed_defaults
        from tenants.services import facility_ensure

        say("migrate_schemas --shared (public schema)")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        facility_ensure()
        catalogue_seed_defaults()
        say(
            f"Catalogue seeded; {options.agencies} agencies (rows only, no schemas) with one agreement each, "
            f"{options.agencies * REQUESTERS_PER_AGENCY} requesters and {STAFF} staff (rows only)"
        )
        pairs = agencies_and_agreements(options.agencies)
        people = people_create(options.agencies)
        say(f"Filling the ledger with {options.rows:,} rows in {CHUNKS} INSERT ... SELECT generate_series statements")
        fill_s = ledger_fill(options.rows, pairs, people, options.seed)
        say("VACUUM (ANALYZE) ledger_ledgerentry (sets the visibility map, as autovacuum would after the load)")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) ledger_ledgerentry")
        data = ledger_describe()
        started = time.perf_counter()
        counts = compliance_rebuild()
        rebuild_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) ledger_compliancemonth")
        say(f"Monthly counts rebuilt from the ledger: {counts:,} rows (month x agency x service) in {rebuild_s:.1f}s")

        chosen = scenarios(data["largest_agency_id"])
        shapes = {}
        for name, filters in chosen.items():
            rows = compliance_report(filters=filters)
            shapes[name] = {"report_rows": len(rows), "ledger_rows": sum(row.total for row in rows)}
        default_filters, year_filters = chosen[DEFAULT], chosen[YEAR]
        counts_sql = report_sql(default_filters)
        sql, year_sql = report_sql(default_filters, from_ledger=True), report_sql(year_filters, from_ledger=True)
        star_sql = count_star(sql)
        references: dict[str, Callable[[], Any]] = {
            LEDGER_DEFAULT: lambda: compliance_from_ledger(filters=default_filters),
            LEDGER_YEAR: lambda: compliance_from_ledger(filters=year_filters),
            SQL_ALONE: lambda: fetch(sql),
            "what-if: that SQL with COUNT(*) for COUNT(id)": lambda: fetch(star_sql),
            HEAP_SCAN: count_heap_scan,
        }
        calls: dict[str, Callable[[], Any]] = {
            name: (lambda filters=filters: compliance_report(filters=filters)) for name, filters in chosen.items()
        }
        calls.update(references)
        calls[BASELINE] = count_all
        say(
            f"Timing {len(chosen)} report scenarios, {len(references)} references and the count(*) baseline, "
            f"{options.runs} rounds"
        )
        times = measure(calls, options.runs)

        say("EXPLAIN (ANALYZE, BUFFERS) of the default report, its COUNT(*) what-if, 12 months and the baseline")
        result: dict[str, Any] = {
            "benchmark": "compliance_report",
            "today": TODAY.isoformat(),
            "runs": options.runs,
            "fill_s": fill_s,
            "rebuild_s": rebuild_s,
            "count_rows": counts,
            "data": data,
            "baseline": {**figures(times[BASELINE]), "runs_ms": times[BASELINE]},
            "scenarios": {name: {**figures(times[name]), **shapes[name], "runs_ms": times[name]} for name in chosen},
            "references": {name: {**figures(times[name]), "runs_ms": times[name]} for name in references},
            "sql": counts_sql,
            "plans": {
                "default report (monthly counts)": explain(counts_sql),
                "ledger aggregate, 3 months": explain(sql),
                "what-if: default report with COUNT(*)": explain(star_sql),
                "12 months": explain(year_sql),
                "baseline count(*)": explain("SELECT count(*) FROM ledger_ledgerentry"),
            },
        }
        from importlib.metadata import version

        result["environment"] = {
            "python": platform.python_version(),
            "django": version("Django"),
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
        }
    finally:
        if options.keep:
            say(f"Database {DATABASE} kept ({os.environ.get('DATABASE_URL')})")
        else:
            database_drop(postgres, DATABASE)
    result["environment"]["load_average_end"] = round(os.getloadavg()[0], 2)
    result["total_s"] = elapsed()
    report(rounded(result))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
