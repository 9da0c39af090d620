"""Importing a 20,000-row ICSC DSA table through the service, against PostgreSQL's COPY of the same rows.

    .venv/bin/python benchmarks/dsa_import.py [--rows 20000] [--rounds 5] [--keep]
    .venv/bin/python benchmarks/dsa_import.py --quick      # 3 rounds

The public schema is migrated, the facility and a travel officer set up.
A CSV in the import's columns is generated (seeded): 1,000 locations (five in
each of 200 countries, ISO codes from `vendors.countries`) with one row per
location and month, so 20,000 rows cover 20 monthly tables, as the ICSC
publishes them.

Each round, timed in-process, the order alternating between rounds:

1. import: `allowances.services.dsa_table_import` into an empty table, exactly
   as the page and the API call it: the file read and every row checked in
   Python, 1,000 locations created, 20,000 rates written (INSERT ... ON
   CONFLICT DO UPDATE in batches), the import row recorded;
2. re-import: the same file again, every row now a correction of an existing
   (location, day): the ON CONFLICT path;
3. baseline: `COPY bare_dsa FROM STDIN (FORMAT csv, HEADER)` of the very same
   bytes into a bare table of the file's seven columns (no key, no index, no
   check), through the same connection.

Also timed apart, for the reading of the figures: reading and checking alone
(`rates_csv.rate_file_read`), and a COPY of the rows the import wrote (locations
resolved) back into `allowances_dsarate` itself, emptied first: the floor of
writing to the real table, with its unique key, index, checks and foreign keys.
Reported: medians over the rounds, **ratio = import / COPY** (goal <= 5) and
re-import / COPY, then a JSON line. Nothing asserts on time.

Own embedded PostgreSQL (var/bench-postgres, database `bench_dsa`, dropped at
the end unless --keep) and a throw-away Redis.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import time
from datetime import date
from typing import Any

from harness import database_drop, elapsed, rounded, say, servers_start, table

DATABASE = "bench_dsa"
COUNTRIES = 200
LOCATIONS_PER_COUNTRY = 5
BARE_TABLE = """
CREATE TABLE IF NOT EXISTS bare_dsa (
    country text, country_name text, location text, effective_from date,
    dsa numeric, room_percent numeric, dsa_after_60_days numeric
)
"""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000, help="rows in the generated file (default 20,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of import, re-import and COPY (default 5)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated rates")
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--keep", action="store_true", help="leave the database in place at the end")
    options = parser.parse_args()
    if options.quick:
        options.rounds = 3
    return options


def dsa_csv(rows: int, seed: int) -> bytes:
    """The import's columns, one row per location and month, ICSC-like figures (after 60 days about 70%)."""
    from vendors.countries import COUNTRY_CODES

    generator = random.Random(seed)
    countries = sorted(COUNTRY_CODES)[:COUNTRIES]
    places = [
        (code, f"Country {code}", "Elsewhere" if number == 0 else f"City {code}-{number}")
        for code in countries
        for number in range(LOCATIONS_PER_COUNTRY)
    ]
    out = io.StringIO()
    out.write("country,country_name,location,effective_from,dsa,room_percent,dsa_after_60_days\n")
    written = 0
    month = 0
    while written < rows:
        day = date(2020 + month // 12, 1 + month % 12, 1).isoformat()
        for code, country_name, location in places:
            if written == rows:
                break
            rate = generator.randint(90, 480)
            room = generator.randint(35, 70)
            out.write(f"{code},{country_name},{location},{day},{rate},{room},{round(rate * 0.72)}\n")
            written += 1
        month += 1
    return out.getvalue().encode()


def setup() -> Any:
    from accounts.models import Role
    from accounts.services import membership_grant, user_create
    from tenants.services import facility_ensure

    facility_ensure()
    officer = user_create(email="travel@bench.test", password="bench-2026-x", first_name="T", last_name="Travel")
    membership_grant(user=officer, role=Role.TRAVEL_AGENT, agency=None)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BARE_TABLE)
    return officer


def table_empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE allowances_refusedrow, allowances_dsarate, allowances_rateimport, allowances_location, bare_dsa"
        )


def copy_bare(data: bytes) -> float:
    """COPY of the same bytes into the bare table, in its own transaction like the import."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert("COPY bare_dsa FROM STDIN WITH (FORMAT csv, HEADER true)", io.BytesIO(data))
    return time.perf_counter() - started


def copy_into_the_table() -> float:
    """COPY of the rows the import wrote (locations resolved) back into allowances_dsarate itself, emptied first.

    Not a goal: the floor of writing 20,000 rows to the real table, with its unique key, its date index, its
    checks and its two foreign keys (checked at commit), which a bare table has none of.
    """
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        out = io.BytesIO()
        cursor.cursor.copy_expert(
            "COPY (SELECT location_id, effective_from, rate, room_percent, reduced_rate, rate_import_id "
            "FROM allowances_dsarate) TO STDOUT WITH (FORMAT csv)",
            out,
        )
        cursor.execute("TRUNCATE allowances_dsarate")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY allowances_dsarate (location_id, effective_from, rate, room_percent, reduced_rate, rate_import_id) "
            "FROM STDIN WITH (FORMAT csv)",
            io.BytesIO(out.getvalue()),
        )
    return time.perf_counter() - started


def import_once(data: bytes, officer: Any) -> tuple[float, Any]:
    from allowances.services import dsa_table_import

    started = time.perf_counter()
    done = dsa_table_import(file=io.BytesIO(data), file_name="bench.csv", by=officer)
    return time.perf_counter() - started, done


def main() -> None:
    options = arguments()
    load_start = round(os.getloadavg()[0], 2)
    postgres = servers_start(DATABASE)
    result: dict[str, Any] = {"benchmark": "dsa_import", "rows": options.rows, "rounds": options.rounds}
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from allowances.models import DsaRate, Location
        from allowances.rates_csv import rate_file_read

        say("migrate_schemas --shared (public schema)")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        officer = setup()
        data = dsa_csv(options.rows, options.seed)
        say(f"Generated {options.rows:,} rows ({len(data) / 1024:.0f} KB)")
        # One untimed warm-up of each, so the first round does not pay for imports and cold caches.
        table_empty()
        import_once(data, officer)
        copy_bare(data)
        imports: list[float] = []
        reimports: list[float] = []
        copies: list[float] = []
        reads: list[float] = []
        table_copies: list[float] = []
        for number in range(options.rounds):
            table_empty()
            steps = ["ours", "copy"] if number % 2 == 0 else ["copy", "ours"]
            for step in steps:
                if step == "copy":
                    copies.append(copy_bare(data))
                else:
                    seconds, done = import_once(data, officer)
                    assert done.rows_imported == options.rows and done.rows_refused == 0
                    imports.append(seconds)
                    seconds, _again = import_once(data, officer)
                    reimports.append(seconds)
            started = time.perf_counter()
            rate_file_read(data)
            reads.append(time.perf_counter() - started)
            table_copies.append(copy_into_the_table())
            say(
                f"round {number + 1}: import {imports[-1]:.3f}s, re-import {reimports[-1]:.3f}s, "
                f"COPY {copies[-1]:.3f}s, reading alone {reads[-1]:.3f}s, "
                f"COPY into allowances_dsarate {table_copies[-1]:.3f}s"
            )
        result.update(
            {
                "locations": Location.objects.count(),
                "rates": DsaRate.objects.count(),
                "import_median_s": statistics.median(imports),
                "reimport_median_s": statistics.median(reimports),
                "copy_median_s": statistics.median(copies),
                "read_median_s": statistics.median(reads),
                "copy_into_table_median_s": statistics.median(table_copies),
                "ratio": statistics.median(imports) / statistics.median(copies),
                "reimport_ratio": statistics.median(reimports) / statistics.median(copies),
                "import_s": imports,
                "reimport_s": reimports,
                "copy_s": copies,
                "goals": {"ratio": 5},
            }
        )
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
    result["elapsed_s"] = elapsed()
    report(rounded(result))  # type: ignore[arg-type]


def report(result: dict[str, Any]) -> None:
    rows = [
        ("rows (locations x months)", f"{result['rows']:,}", f"{result['locations']:,} locations"),
        ("dsa_table_import, empty table", f"{result['import_median_s']:.3f} s", f"median of {result['rounds']}"),
        ("  of which reading and checking", f"{result['read_median_s']:.3f} s", "rates_csv.rate_file_read"),
        ("dsa_table_import, every row a correction", f"{result['reimport_median_s']:.3f} s", "ON CONFLICT DO UPDATE"),
        ("COPY into a bare table (baseline)", f"{result['copy_median_s']:.3f} s", ""),
        ("COPY into allowances_dsarate itself", f"{result['copy_into_table_median_s']:.3f} s", "keys, checks, FKs"),
        ("ratio import / COPY", f"{result['ratio']:.2f}", "goal <= 5"),
        ("ratio re-import / COPY", f"{result['reimport_ratio']:.2f}", ""),
    ]
    print()
    print(table(rows, ("measure", "value", "note")))
    print()
    print("JSON " + json.dumps(result, default=str))


if __name__ == "__main__":
    main()
