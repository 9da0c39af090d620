"""How long it takes to provision an agency, and to run a no-op migration over many.

    .venv/bin/python benchmarks/provisioning.py [--samples 15] [--scale 100,1000] [--keep]

1. Provisioning one agency: `tenants.services.agency_create` as it runs in
   production (a structural copy of the kept-migrated template schema, its
   migrations recorded as applied) against the same call with
   TENANT_CREATION_FAKES_MIGRATIONS=False (django-tenants creates an empty
   schema and replays every tenant migration into it). The samples of the two
   ways are interleaved so a drift of the machine affects both alike.
2. Growing: the number of agencies is raised to each count in --scale (by
   cloning) and `manage.py migrate_schemas --noinput` with nothing to apply is
   timed in a subprocess, as an operator would run it after a deploy.

Everything runs against an embedded PostgreSQL of its own (var/bench-postgres,
database `bench_provisioning`, dropped and recreated at the start, dropped at
the end unless --keep) and a throw-away Redis, so it never touches the
development or test data. Nothing here asserts on time: it reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from harness import database_drop, elapsed, rounded, say, servers_start, table  # noqa: E402  (benchmarks/harness.py; imports no Django)

DATABASE = "bench_provisioning"
MIGRATE_RUNS = 3


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=15, help="agencies provisioned each way (default 15)")
    parser.add_argument(
        "--scale",
        default="100,1000",
        help="agency counts at which a no-op migrate_schemas is timed, comma-separated (default 100,1000)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the database in place at the end")
    options = parser.parse_args()
    if options.samples < 1:
        parser.error("--samples must be at least 1")
    try:
        options.scale = sorted({int(part) for part in options.scale.split(",") if part.strip()})
    except ValueError:
        parser.error("--scale takes whole numbers separated by commas, e.g. 100,1000")
    if any(count < 1 for count in options.scale):
        parser.error("--scale counts must be positive")
    return options


# --- Measurements --------------------------------------------------------------


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def provision(code: str, *, migrate: bool) -> float:
    from django.test import override_settings

    from tenants.services import agency_create

    started = time.perf_counter()
    if migrate:
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
            agency_create(code=code, name=f"Benchmark agency {code}")
    else:
        agency_create(code=code, name=f"Benchmark agency {code}")
    return time.perf_counter() - started


def provisioning_compare(samples: int) -> dict[str, list[float]]:
    """Interleaved: sample i provisions BCnnn by cloning and BMnnn by migrating, alternating which goes first."""
    # One of each first, not counted: the first clone installs django-tenants'
    # clone_schema() function in the database, the first run of each path fills caches.
    say("Warm-up: one agency each way (not counted)")
    provision("BWC", migrate=False)
    provision("BWM", migrate=True)
    times: dict[str, list[float]] = {"clone": [], "migrate": []}
    for index in range(1, samples + 1):
        order = ("clone", "migrate") if index % 2 else ("migrate", "clone")
        for way in order:
            code = f"B{'C' if way == 'clone' else 'M'}{index:03d}"
            times[way].append(provision(code, migrate=way == "migrate"))
        say(
            f"Sample {index}/{samples}: cloning {times['clone'][-1] * 1000:.0f} ms, "
            f"migrating {times['migrate'][-1] * 1000:.0f} ms"
        )
    return times


def agency_count() -> int:
    from tenants.models import Agency

    return Agency.objects.agencies().count()


def agencies_grow(target: int, start_number: int) -> tuple[int, float, float | None, int]:
    """Clone agencies BG00001... until there are `target`.

    Returns (created, seconds, ms each over the last tenth, next number): the
    last tenth shows whether cloning slows down as the catalogue grows.
    """
    from tenants.services import agency_create

    missing = max(0, target - agency_count())
    if not missing:
        return 0, 0.0, None, start_number
    say(f"Growing to {target} agencies: creating {missing} by cloning")
    step = max(10, missing // 10)
    started = time.perf_counter()
    number = start_number
    last_tenth_from = missing - max(1, missing // 10)
    last_tenth_started = started
    for done in range(1, missing + 1):
        if done - 1 == last_tenth_from:
            last_tenth_started = time.perf_counter()
        agency_create(code=f"BG{number:05d}", name=f"Benchmark agency BG{number:05d}")
        number += 1
        if done % step == 0 or done == missing:
            elapsed = time.perf_counter() - started
            remaining = elapsed / done * (missing - done)
            say(f"  {done}/{missing} created ({elapsed / done * 1000:.0f} ms each, about {remaining:.0f}s to go)")
    finished = time.perf_counter()
    last_tenth_ms = (finished - last_tenth_started) / (missing - last_tenth_from) * 1000
    return missing, finished - started, last_tenth_ms, number


def migrate_noop_time() -> list[float]:
    """`manage.py migrate_schemas --noinput -v 0` with nothing to apply, in a subprocess, MIGRATE_RUNS times."""
    command = [sys.executable, "manage.py", "migrate_schemas", "--noinput", "-v", "0"]
    runs = []
    for run in range(1, MIGRATE_RUNS + 1):
        started = time.perf_counter()
        subprocess.run(command, cwd=BASE_DIR, env=os.environ.copy(), check=True)
        runs.append(time.perf_counter() - started)
        say(f"  migrate_schemas run {run}/{MIGRATE_RUNS}: {runs[-1]:.2f}s")
    return runs


def environment() -> dict[str, object]:
    from importlib.metadata import version

    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    tenant_labels = {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}
    tenant_migrations = sum(1 for app_label, _ in loader.disk_migrations if app_label in tenant_labels)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    return {
        "postgres": server_version,
        "django": version("Django"),
        "django_tenants": version("django-tenants"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "tenant_migrations": tenant_migrations,
        # django-tenants' migrate_schemas executor; EXECUTOR=multiprocessing changes the scale figures.
        "executor": os.environ.get("EXECUTOR") or "standard",
        # Other work on the machine skews the figures: the 1-minute load average when the measuring began.
        "load_average_start": round(os.getloadavg()[0], 2),
    }


# --- Report --------------------------------------------------------------------


def report(result: dict) -> None:
    clone, migrate = result["provision"]["clone_s"], result["provision"]["migrate_s"]
    env = result["environment"]
    print()
    print(
        f"Provisioning one agency ({clone['n']} sample{'s' if clone['n'] != 1 else ''} each; "
        f"PostgreSQL {env['postgres']}, "
        f"django-tenants {env['django_tenants']}, {env['tenant_migrations']} tenant migrations, {env['cpus']} CPUs, "
        f"load average {env['load_average_start']} at start, {env['load_average_end']} at end)"
    )
    print(
        table(
            [
                ("clone template (agency_create)", *(f"{clone[k]:.3f}" for k in ("median", "min", "max"))),
                ("migrate (FAKES_MIGRATIONS=False)", *(f"{migrate[k]:.3f}" for k in ("median", "min", "max"))),
            ],
            ("way", "median s", "min s", "max s"),
        )
    )
    print(f"ratio migrating / cloning (medians): {result['provision']['ratio_migrate_over_clone']:.2f}x")
    if result["scale"]:
        print()
        print(f"No-op `manage.py migrate_schemas --noinput` in a subprocess (median of {MIGRATE_RUNS} runs)")
        rows = []
        for entry in result["scale"]:
            rows.append(
                (
                    str(entry["agencies"]),
                    str(entry["created"]),
                    f"{entry['create_s']:.1f}",
                    f"{entry['create_ms_each']:.0f}" if entry["created"] else "-",
                    f"{entry['create_ms_each_last_tenth']:.0f}" if entry["created"] else "-",
                    f"{entry['migrate_noop_s']['median']:.2f}",
                    " / ".join(f"{value:.2f}" for value in entry["migrate_noop_s"]["runs"]),
                    f"{entry['per_agency_ms']:.1f}",
                )
            )
        print(
            table(
                rows,
                (
                    "agencies",
                    "created",
                    "create s",
                    "ms each",
                    "last 10% ms each",
                    "migrate median s",
                    "runs s",
                    "per agency ms",
                ),
            )
        )
        comparison = result.get("scale_comparison")
        if comparison:
            print(
                f"per-agency cost {comparison['to']} vs {comparison['from']} agencies: "
                f"{comparison['per_agency_ratio']:.2f}x (1.00 = linear; below 1 = fixed start-up cost spread thinner)"
            )
            print(
                f"marginal cost per added agency ({comparison['from']} -> {comparison['to']}): "
                f"{comparison['marginal_ms_per_agency']:.1f} ms"
            )
    print(f"\nwhole run: {result['total_s']:.1f}s")
    print("JSON " + json.dumps(result, separators=(",", ":")))


# --- Main ----------------------------------------------------------------------


def main() -> None:
    options = arguments()
    postgres = servers_start(DATABASE)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from tenants.provisioning import template_schema_ensure_current
        from tenants.services import facility_ensure

        say("migrate_schemas --shared (public schema)")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        facility_ensure()
        say("Migrating the template schema")
        template_schema_ensure_current()

        result: dict = {"benchmark": "provisioning", "environment": environment(), "samples": options.samples}
        times = provisioning_compare(options.samples)
        clone, migrate = summary(times["clone"]), summary(times["migrate"])
        result["provision"] = {
            "clone_s": clone,
            "migrate_s": migrate,
            "ratio_migrate_over_clone": migrate["median"] / clone["median"],
            "clone_runs_s": times["clone"],
            "migrate_runs_s": times["migrate"],
        }

        result["scale"] = []
        number = 1
        for target in options.scale:
            created, seconds, last_tenth_ms, number = agencies_grow(target, number)
            agencies = agency_count()
            say(f"Timing a no-op migrate_schemas over {agencies} agencies")
            runs = migrate_noop_time()
            median = statistics.median(runs)
            result["scale"].append(
                {
                    "agencies": agencies,
                    "created": created,
                    "create_s": seconds,
                    "create_ms_each": seconds / created * 1000 if created else None,
                    "create_ms_each_last_tenth": last_tenth_ms,
                    "migrate_noop_s": {"median": median, "runs": runs},
                    "per_agency_ms": median / agencies * 1000,
                }
            )
        first, last = (result["scale"][0], result["scale"][-1]) if result["scale"] else (None, None)
        if first and last["agencies"] > first["agencies"]:
            result["scale_comparison"] = {
                "from": first["agencies"],
                "to": last["agencies"],
                "per_agency_ratio": last["per_agency_ms"] / first["per_agency_ms"],
                "marginal_ms_per_agency": (last["migrate_noop_s"]["median"] - first["migrate_noop_s"]["median"])
                / (last["agencies"] - first["agencies"])
                * 1000,
            }
    finally:
        if options.keep:
            say(f"Database {DATABASE} kept ({os.environ.get('DATABASE_URL')})")
        else:
            database_drop(postgres, DATABASE)
    result["environment"]["load_average_end"] = round(os.getloadavg()[0], 2)
    result["total_s"] = elapsed()
    report(rounded(result, 4))  # type: ignore[arg-type]  # 0.1 ms


if __name__ == "__main__":
    main()
