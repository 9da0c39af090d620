"""The split-purchase check at approval time over a million past purchase lines.

    .venv/bin/python benchmarks/split_purchase.py [--rows 1000000] [--agencies 100] [--checks 200] [--keep]
    .venv/bin/python benchmarks/split_purchase.py --quick          # 100,000 rows, 50 checks

The public schema is migrated and filled with agencies (rows only, no
schemas), supply categories and vendors, then `sourcing.PurchaseRecord` with
`--rows` issued order lines over the two years before a fixed "today"
(PostgreSQL builds the rows itself, INSERT ... SELECT generate_series):
agencies of very different sizes (the largest about 10 % of the lines), 20
categories with 12 vendors each, amounts from 100 to 50,000 USD (log-uniform,
so most are micro-purchases), 2 % cancelled. After VACUUM ANALYZE (the
visibility map set, as autovacuum would), `sourcing.selectors.spend.split_findings`
is timed as `requisition_approve` calls it: a purchase of 6,000 USD in one
category, every vendor (the approver's check: no vendor chosen yet), for
`--checks` random (agency, category) pairs, the same pairs for every way.

It is compared, in the same rounds, with the same question answered without
the index it relies on (`purchase_split_lookup`):

- the check's own SQL with index scans off for that statement (`SET LOCAL
  enable_indexscan / enable_indexonlyscan / enable_bitmapscan = off`): a scan
  of the whole table;
- aggregating every line of the agency (all categories, all dates, index
  scans off) and keeping the category and the 12 months in Python.

Reported: median, p95, min and max milliseconds of each, the ratio of each
baseline's median to the check's, whether the check meets the goal (<= 20 ms
median), EXPLAIN (ANALYZE, BUFFERS) of one check and of the first baseline,
and one `JSON ` line. Nothing here asserts on time: it reports. It runs
against an embedded PostgreSQL of its own (var/bench-postgres, database
`bench_split`, recreated at the start, dropped at the end unless --keep) and
a throw-away Redis; it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from harness import database_drop, elapsed, rounded, say, servers_start, table  # noqa: E402  (imports no Django)

DATABASE = "bench_split"
TODAY = date(2026, 6, 30)
CATEGORIES = 20
VENDORS_PER_CATEGORY = 12
CHUNKS = 10
WARM_UP = 5
GOAL_MS = 20.0
AMOUNT = Decimal("6000.00")

CHECK = "split_findings (index purchase_split_lookup)"
CHECK_SQL = "the check's SQL alone"
NO_INDEX = "the check's SQL, index scans off"
WHOLE_AGENCY = "every line of the agency aggregated, index scans off, kept in Python"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="purchase lines (default 1,000,000)")
    parser.add_argument("--agencies", type=int, default=100, help="agencies (default 100)")
    parser.add_argument("--checks", type=int, default=200, help="checks timed, each a random agency x category")
    parser.add_argument("--seed", type=float, default=0.42, help="PostgreSQL setseed() for the rows (default 0.42)")
    parser.add_argument("--quick", action="store_true", help="a quicker run: --rows 100000 --checks 50")
    parser.add_argument("--keep", action="store_true", help="leave the database in place at the end")
    options = parser.parse_args()
    if options.quick:
        options.rows, options.checks = 100_000, 50
    if options.rows < CHUNKS or options.agencies < 1 or options.checks < 1:
        parser.error(f"--rows must be at least {CHUNKS}, --agencies and --checks at least 1")
    if not -1 <= options.seed <= 1:
        parser.error("--seed is between -1 and 1 (PostgreSQL setseed)")
    return options


# --- Data ---------------------------------------------------------------------------------------------------


def catalogue_create(agency_count: int) -> tuple[list[int], list[int], list[list[int]]]:
    """Agencies (rows only: Agency.save() would clone a schema each), categories and their vendors; their ids."""
    from tenants.models import Agency, AgencyKind
    from vendors.models import SupplyCategory, Vendor

    agencies = Agency.objects.bulk_create(
        Agency(
            schema_name=f"bench{number:03d}",
            code=f"BA{number:03d}",
            name=f"Benchmark agency {number:03d}",
            kind=AgencyKind.MEMBER,
            headcount=50 + number,
        )
        for number in range(1, agency_count + 1)
    )
    categories = SupplyCategory.objects.bulk_create(
        SupplyCategory(code=f"CAT{number:02d}", name=f"Category {number:02d}") for number in range(1, CATEGORIES + 1)
    )
    vendors = Vendor.objects.bulk_create(
        Vendor(
            legal_name=f"Vendor {number:04d}",
            country="BR",
            registration_number=f"BENCH-{number:04d}",
            registration_key=f"BENCH{number:04d}",
            email=f"vendor{number:04d}@bench.example",
        )
        for number in range(1, CATEGORIES * VENDORS_PER_CATEGORY + 1)
    )
    per_category = [
        [vendor.pk for vendor in vendors[index * VENDORS_PER_CATEGORY : (index + 1) * VENDORS_PER_CATEGORY]]
        for index in range(CATEGORIES)
    ]
    return [agency.pk for agency in agencies], [category.pk for category in categories], per_category


INSERT = """
WITH
agencies AS (SELECT * FROM unnest(%(agency_ids)s::bigint[]) WITH ORDINALITY AS a (agency_id, idx)),
categories AS (SELECT * FROM unnest(%(category_ids)s::bigint[]) WITH ORDINALITY AS c (category_id, idx)),
vendors AS (
    SELECT * FROM unnest(%(vendor_ids)s::bigint[]) WITH ORDINALITY AS v (vendor_id, idx)
),
generated AS MATERIALIZED (
    SELECT g, random() AS r_agency, random() AS r_category, random() AS r_vendor, random() AS r_amount,
           random() AS r_cancelled,
           -- Chronological: line g is ordered on day g/rows of the 730 days before today.
           %(today)s::date - 730 + floor((g - 1)::float8 * 730 / %(rows)s)::int AS ordered_on
    FROM generate_series(%(first)s::int, %(last)s::int) AS g
)
INSERT INTO sourcing_purchaserecord (
    agency_id, order_number, requisition_reference, vendor_id, category_id, method, agreement_id,
    ordered_on, amount_usd, cancelled
)
SELECT
    a.agency_id,
    'BPO-' || lpad(r.g::text, 8, '0'),
    'BPR-' || lpad(r.g::text, 8, '0'),
    v.vendor_id,
    c.category_id,
    CASE WHEN r.amount <= 15000 THEN 'micro' ELSE 'rfq' END,
    NULL,
    r.ordered_on,
    r.amount,
    r.r_cancelled < 0.02
FROM (SELECT *, round(exp(ln(100) + r_amount * (ln(50000) - ln(100)))::numeric, 2) AS amount FROM generated) AS r
-- Agencies of very different sizes: the first gets about 10%% of the lines, the last about 0.5%%.
JOIN agencies AS a ON a.idx = 1 + floor(power(r.r_agency, 2) * %(agency_count)s)::int
JOIN categories AS c ON c.idx = 1 + floor(r.r_category * %(category_count)s)::int
JOIN vendors AS v ON v.idx = (c.idx - 1) * %(per_category)s + 1 + floor(r.r_vendor * %(per_category)s)::int
ORDER BY r.g
"""


def records_fill(rows: int, agencies: list[int], categories: list[int], vendors: list[list[int]], seed: float) -> float:
    """`rows` purchase lines in CHUNKS statements (each commits); returns the seconds taken."""
    from django.db import connection

    parameters: dict[str, Any] = {
        "agency_ids": agencies,
        "agency_count": len(agencies),
        "category_ids": categories,
        "category_count": len(categories),
        "vendor_ids": [vendor for pool in vendors for vendor in pool],
        "per_category": VENDORS_PER_CATEGORY,
        "today": TODAY,
        "rows": rows,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        step = rows // CHUNKS
        for chunk in range(CHUNKS):
            first = chunk * step + 1
            last = rows if chunk == CHUNKS - 1 else (chunk + 1) * step
            cursor.execute(INSERT, {**parameters, "first": first, "last": last})
            spent = time.perf_counter() - started
            say(f"  {last:,}/{rows:,} rows ({spent:.1f}s, about {spent / last * (rows - last):.0f}s to go)")
    return time.perf_counter() - started


def records_describe() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE cancelled), min(ordered_on), max(ordered_on), "
            "count(DISTINCT agency_id) FROM sourcing_purchaserecord"
        )
        rows, cancelled, first, last, agencies = cursor.fetchone()
        cursor.execute(
            "SELECT agency_id, count(*) FROM sourcing_purchaserecord GROUP BY agency_id ORDER BY count(*) DESC LIMIT 1"
        )
        largest_agency, largest_rows = cursor.fetchone()
        cursor.execute(
            "SELECT pg_relation_size('sourcing_purchaserecord'), pg_relation_size('purchase_split_lookup'), "
            "pg_total_relation_size('sourcing_purchaserecord')"
        )
        heap, index, total = cursor.fetchone()
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "rows": rows,
        "cancelled": cancelled,
        "ordered_from": first.isoformat(),
        "ordered_to": last.isoformat(),
        "agencies": agencies,
        "largest_agency_id": largest_agency,
        "largest_agency_rows": largest_rows,
        "heap_mb": heap / 2**20,
        "split_index_mb": index / 2**20,
        "table_with_indexes_mb": total / 2**20,
        "postgres": version,
    }


# --- The ways of answering ---------------------------------------------------------------------------------------


def check(agency: Any, category_id: int) -> int:
    """The check as `requisition_approve` runs it: a purchase of 6,000 in the category, every vendor."""
    from sourcing.selectors.spend import split_findings

    return len(split_findings(agency=agency, amounts_by_category={category_id: AMOUNT}, vendor_id=None, on=TODAY))


def lookup_sql(agency: Any, category_id: int) -> tuple[str, Any]:
    from sourcing.selectors.spend import split_lookup

    rows = split_lookup(agency=agency, categories=[category_id], vendor_id=None, on=TODAY)
    return rows.query.sql_with_params()


def fetch(sql: str, parameters: Any, *, without_index: bool = False) -> list[tuple[Any, ...]]:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if without_index:
            for setting in ("enable_indexonlyscan", "enable_indexscan", "enable_bitmapscan"):
                cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(sql, parameters)
        return cursor.fetchall()


WHOLE_AGENCY_SQL = """
SELECT category_id, vendor_id, order_number, min(requisition_reference), min(ordered_on), sum(amount_usd)
FROM sourcing_purchaserecord
WHERE agency_id = %s AND NOT cancelled AND agreement_id IS NULL
GROUP BY category_id, vendor_id, order_number
"""


def whole_agency(agency: Any, category_id: int) -> int:
    """The question answered from every line of the agency, without the index: kept in Python afterwards."""
    from sourcing.selectors.spend import EarlierPurchase, group_findings, method_thresholds, window_start

    start = window_start(TODAY)
    groups: dict[int, list[EarlierPurchase]] = {}
    for category, vendor, number, reference, ordered_on, amount in fetch(
        WHOLE_AGENCY_SQL, [agency.pk], without_index=True
    ):
        if category == category_id and start <= ordered_on <= TODAY:
            groups.setdefault(vendor, []).append(EarlierPurchase(number, reference, ordered_on, amount))
    thresholds = method_thresholds(agency=agency, on=TODAY)
    return sum(
        len(
            group_findings(
                this_amount=AMOUNT,
                purchases=purchases,
                thresholds=thresholds,
                category_id=category_id,
                vendor_id=vendor,
            )
        )
        for vendor, purchases in groups.items()
    )


def measure(calls: dict[str, Callable[[Any, int], Any]], pairs: list[tuple[Any, int]]) -> dict[str, list[float]]:
    """Each pair asked every way, in a rotating order, after WARM_UP pairs asked every way and not counted."""
    for agency, category in pairs[:WARM_UP]:
        for call in calls.values():
            call(agency, category)
    names = list(calls)
    times: dict[str, list[float]] = {name: [] for name in names}
    for index, (agency, category) in enumerate(pairs[WARM_UP:]):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            calls[name](agency, category)
            times[name].append((time.perf_counter() - started) * 1000)
        if (index + 1) % 50 == 0 or index + 1 == len(pairs) - WARM_UP:
            medians = ", ".join(f"{statistics.median(values):.1f}" for values in times.values())
            say(f"  check {index + 1}/{len(pairs) - WARM_UP}: medians so far (ms) {medians}")
    return times


def figures(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "min_ms": ordered[0],
        "max_ms": ordered[-1],
    }


def explain(sql: str, parameters: Any, *, without_index: bool = False) -> str:
    rows = fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", parameters, without_index=without_index)
    return "\n".join(line for (line,) in rows)


# --- Report -----------------------------------------------------------------------------------------------------


def report(result: dict[str, Any]) -> None:
    data, env = result["data"], result["environment"]
    print()
    print(
        f"Purchase records: {data['rows']:,} lines ({data['cancelled']:,} cancelled), {data['agencies']} agencies, "
        f"ordered {data['ordered_from']} .. {data['ordered_to']}; largest agency {data['largest_agency_rows']:,} "
        f"lines; heap {data['heap_mb']:.0f} MB, purchase_split_lookup {data['split_index_mb']:.0f} MB, table with "
        f"indexes {data['table_with_indexes_mb']:.0f} MB; PostgreSQL {data['postgres']}"
    )
    print(
        f"Python {env['python']}, Django {env['django']}, {env['cpus']} CPUs, load average "
        f"{env['load_average_start']} at start, {env['load_average_end']} at end; fill {result['fill_s']:.1f}s"
    )
    print(
        f"{result['checks']} checks (random agency x category, a purchase of {AMOUNT} USD, every vendor, on "
        f"{result['today']}), each asked every way in turn after {WARM_UP} warm-up checks; "
        f"{result['findings']} of them found a possible split"
    )
    check_median = result["ways"][CHECK]["median_ms"]
    rows = [
        (
            name,
            *(f"{entry[key]:.2f}" for key in ("median_ms", "p95_ms", "min_ms", "max_ms")),
            f"{entry['median_ms'] / check_median:.1f}x",
        )
        for name, entry in result["ways"].items()
    ]
    print(table(rows, ("", "median ms", "p95 ms", "min ms", "max ms", "/ check")))
    verdict = "meets" if check_median <= GOAL_MS else "MISSES"
    print(f"check median {check_median:.2f} ms: {verdict} the goal of <= {GOAL_MS:.0f} ms")
    for name, plan in result["plans"].items():
        print()
        print(f"EXPLAIN (ANALYZE, BUFFERS) — {name}:")
        print(plan)
    print(f"\nwhole run: {result['total_s']:.1f}s")
    compact = {key: value for key, value in result.items() if key != "plans"}
    print("JSON " + json.dumps(compact, separators=(",", ":")))


# --- Main -------------------------------------------------------------------------------------------------------


def main() -> None:
    options = arguments()
    load_start = round(os.getloadavg()[0], 2)
    postgres = servers_start(DATABASE)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from tenants.models import Agency
        from tenants.services import facility_ensure

        say("migrate_schemas --shared (public schema)")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        facility_ensure()
        agency_ids, category_ids, vendor_ids = catalogue_create(options.agencies)
        say(
            f"{options.agencies} agencies (rows only), {CATEGORIES} categories, "
            f"{CATEGORIES * VENDORS_PER_CATEGORY} vendors; filling {options.rows:,} purchase lines in {CHUNKS} "
            "INSERT ... SELECT generate_series statements"
        )
        fill_s = records_fill(options.rows, agency_ids, category_ids, vendor_ids, options.seed)
        say("VACUUM (ANALYZE) sourcing_purchaserecord (sets the visibility map, as autovacuum would after the load)")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) sourcing_purchaserecord")
        data = records_describe()

        rng = random.Random(options.seed)
        agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=agency_ids)}
        pairs = [(agencies[rng.choice(agency_ids)], rng.choice(category_ids)) for _ in range(options.checks + WARM_UP)]
        findings = sum(1 for agency, category in pairs[WARM_UP:] if check(agency, category))
        calls: dict[str, Callable[[Any, int], Any]] = {
            CHECK: check,
            CHECK_SQL: lambda agency, category: fetch(*lookup_sql(agency, category)),
            NO_INDEX: lambda agency, category: fetch(*lookup_sql(agency, category), without_index=True),
            WHOLE_AGENCY: whole_agency,
        }
        say(f"Timing {options.checks} checks, each asked {len(calls)} ways")
        times = measure(calls, pairs)
        largest = agencies[data["largest_agency_id"]]
        sql, parameters = lookup_sql(largest, category_ids[0])
        say("EXPLAIN (ANALYZE, BUFFERS) of one check (the largest agency) and of its SQL with index scans off")
        result: dict[str, Any] = {
            "benchmark": "split_purchase",
            "today": TODAY.isoformat(),
            "checks": options.checks,
            "findings": findings,
            "fill_s": fill_s,
            "data": data,
            "ways": {name: {**figures(values), "runs_ms": values} for name, values in times.items()},
            "sql": sql,
            "plans": {
                "the check, largest agency": explain(sql, parameters),
                "the check's SQL, index scans off": explain(sql, parameters, without_index=True),
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
    for name in list(result["ways"]):
        result["ways"][name]["ratio_to_check"] = result["ways"][name]["median_ms"] / result["ways"][CHECK]["median_ms"]
    report(rounded(result))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
