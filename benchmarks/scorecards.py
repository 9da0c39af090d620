"""The facility's scorecards: 12 months x 100 agencies x 20 services over a 1,000,000-request ledger.

    .venv/bin/python benchmarks/scorecards.py [--rows 1000000] [--agencies 100] [--runs 30] [--keep]
    .venv/bin/python benchmarks/scorecards.py --quick        # 100,000 rows, 10 runs

The ledger is built as benchmarks/compliance_report.py builds it (its own
functions: agencies as rows only, one agreement each, INSERT ... SELECT
generate_series over the 12 months before a fixed "today"), with the default
catalogue widened to 20 services so the scorecard has 12 x 100 x 20 cells to
read. The monthly compliance counts are rebuilt, then the cells of the 12
months are written by `accountability.services.scorecards.scorecards_refresh`
(timed once for the 12 months, and for one month), as beat does.

Timed, interleaved, in the same rounds:
- "page": what the facility scorecard page reads for its default view (12
  months, every agency): the first page of 50 cells in the default order with
  the paginator's count, the totals and the 12-month trend;
- "all cells + totals per agency": every cell of the 12 months read into
  Python, plus the totals per agency (one grouped query);
- the compliance report's own query for the same 12 months
  (`ledger.selectors.compliance_report`), the reference the ratio is taken to.

Everything runs against an embedded PostgreSQL of its own (var/bench-postgres,
database `bench_scorecards`). Nothing here asserts on time: it reports.
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
from datetime import datetime
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "benchmarks"))

import compliance_report as ledger_bench  # noqa: E402  (benchmarks/compliance_report.py: the same ledger)
from harness import database_drop, rounded, say, servers_start, table  # noqa: E402

DATABASE = "bench_scorecards"
TODAY = ledger_bench.TODAY
SERVICES = 20
GOAL_MS = 200.0
PAGE = "page: first 50 cells, count, totals, trend (12 months, all agencies)"
ALL_CELLS = "all cells of 12 months + totals per agency"
REPORT = "compliance_report, 12 months (reference)"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="--rows 100000 --runs 10")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    if options.quick:
        options.rows, options.runs = 100_000, 10
    return options


def services_widen() -> None:
    """The default catalogue plus ICT-like services up to SERVICES, and a mix sharing the requests over all."""
    from service_levels.models import Service

    existing = list(Service.objects.order_by("code"))
    extra = [
        Service(code=f"ICT-X{number:02d}", name=f"Benchmark service {number:02d}", module="ict", billing_unit="ticket")
        for number in range(1, SERVICES - len(existing) + 1)
    ]
    Service.objects.bulk_create(extra)
    mix = dict(ledger_bench.SERVICE_MIX)
    # The benchmark's own services take a third of the requests, evenly; the catalogue's keep their proportions.
    mix = {code: (share * 2 / 3, hours) for code, (share, hours) in mix.items()}
    for service in extra:
        mix[service.code] = (1 / 3 / len(extra), 24)
    ledger_bench.SERVICE_MIX.clear()
    ledger_bench.SERVICE_MIX.update(mix)


def measure(calls: dict[str, Callable[[], Any]], runs: int) -> dict[str, list[float]]:
    for call in calls.values():
        for _ in range(ledger_bench.WARM_UP_RUNS):
            call()
    names = list(calls)
    times: dict[str, list[float]] = {name: [] for name in names}
    for run in range(runs):
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            calls[name]()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    options = arguments()
    load_start = round(os.getloadavg()[0], 2)
    postgres = servers_start(DATABASE)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.core.paginator import Paginator
        from django.db import connection

        from accountability.models import ScorecardCell
        from accountability.selectors import scorecards as selectors
        from accountability.services.scorecards import scorecards_refresh
        from accountability.views.scorecards import CELL_SORTS, _with_sort_figures
        from ledger.selectors import LedgerFilters, compliance_report
        from ledger.services import compliance_rebuild
        from service_levels.services import catalogue_seed_defaults
        from tenants.services import facility_ensure

        say("migrate_schemas --shared (public schema)")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        facility_ensure()
        catalogue_seed_defaults()
        services_widen()
        pairs = ledger_bench.agencies_and_agreements(options.agencies)
        people = ledger_bench.people_create(options.agencies)
        say(f"Filling the ledger with {options.rows:,} rows over {len(ledger_bench.SERVICE_MIX)} services")
        fill_s = ledger_bench.ledger_fill(options.rows, pairs, people, 0.42)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) ledger_ledgerentry")
        compliance_rebuild()
        months = selectors.months_back(until=TODAY, count=12)
        now = datetime(TODAY.year, TODAY.month, TODAY.day, 20, 0).astimezone()
        started = time.perf_counter()
        cells_written = scorecards_refresh(months=months, now=now)
        refresh_year_s = time.perf_counter() - started
        refresh_month_ms = []
        for _ in range(5):
            started = time.perf_counter()
            scorecards_refresh(months=[months[-2]], now=now)
            refresh_month_ms.append((time.perf_counter() - started) * 1000)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) accountability_scorecardcell")
        say(f"{cells_written:,} cells written for 12 months in {refresh_year_s:.1f}s")

        class _Request:  # what Sorts.apply reads from a request: its GET
            GET: dict[str, str] = {}

        def page() -> Any:
            found = selectors.cells(scope=None, months=months)
            rows, _sort = CELL_SORTS.apply(_Request(), _with_sort_figures(found))  # type: ignore[arg-type]
            first = list(Paginator(rows, 50).get_page(1))
            trend = selectors.trend(found, months=months)
            return first, selectors.totals_sum(line.totals for line in trend), trend

        def all_cells() -> Any:
            found = selectors.cells(scope=None, months=months)
            return list(found), selectors.totals_by(found, key="agency_id")

        year = LedgerFilters(today=TODAY, months=12)
        calls: dict[str, Callable[[], Any]] = {
            PAGE: page,
            ALL_CELLS: all_cells,
            REPORT: lambda: compliance_report(filters=year),
        }
        say(f"Timing {len(calls)} reads, {options.runs} interleaved rounds")
        times = measure(calls, options.runs)
        result: dict[str, Any] = {
            "benchmark": "scorecards",
            "today": TODAY.isoformat(),
            "rows": options.rows,
            "agencies": options.agencies,
            "services": len(ledger_bench.SERVICE_MIX),
            "cells": ScorecardCell.objects.count(),
            "compliance_rows": len(compliance_report(filters=year)),
            "fill_s": fill_s,
            "refresh_12_months_s": refresh_year_s,
            "refresh_one_month_median_ms": statistics.median(refresh_month_ms),
            "runs": options.runs,
            "medians_ms": {name: statistics.median(values) for name, values in times.items()},
            "p95_ms": {name: sorted(values)[round(0.95 * (len(values) - 1))] for name, values in times.items()},
            "environment": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_start": load_start,
                "load_average_end": round(os.getloadavg()[0], 2),
            },
        }
    finally:
        if options.keep:
            say(f"Database {DATABASE} kept")
        else:
            database_drop(postgres, DATABASE)
    medians = result["medians_ms"]
    reference = medians[REPORT]
    print()
    print(
        f"{result['rows']:,} ledger rows, {result['agencies']} agencies, {result['services']} services; "
        f"{result['cells']:,} scorecard cells; compliance report rows {result['compliance_rows']:,}"
    )
    print(
        f"refresh: 12 months in {result['refresh_12_months_s']:.1f}s; one month median "
        f"{result['refresh_one_month_median_ms']:.0f} ms (5 runs)"
    )
    rows = [
        (name, f"{medians[name]:.1f}", f"{result['p95_ms'][name]:.1f}", f"{medians[name] / reference:.2f}x")
        for name in calls
    ]
    print(table(rows, ("read", "median ms", "p95 ms", "/ compliance report")))
    verdict = "meets" if medians[PAGE] <= GOAL_MS else "MISSES"
    print(f"page median {medians[PAGE]:.1f} ms: {verdict} the goal of <= {GOAL_MS:.0f} ms")
    print(f"load average {load_start} at start, {result['environment']['load_average_end']} at end")
    print("JSON " + json.dumps(rounded(result), separators=(",", ":")))


if __name__ == "__main__":
    main()
