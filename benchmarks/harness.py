"""What every benchmark script shares: progress lines, its own servers, tables and rounding.

Imports no Django: the servers' URLs must be in os.environ before Django loads.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from shared_platform import embedded  # noqa: E402  (imports no Django)

POSTGRES_DIR = embedded.VAR_DIR / "bench-postgres"
REDIS_DIR = embedded.VAR_DIR / "bench-redis"
SETTINGS = "shared_platform.settings.test"  # fast password hasher, mail kept in memory

STARTED = time.perf_counter()


def elapsed() -> float:
    """Seconds since the benchmark started."""
    return time.perf_counter() - STARTED


def say(message: str) -> None:
    print(f"[{elapsed():7.1f}s] {message}", flush=True)


def admin_execute(postgres: embedded.EmbeddedPostgres, *statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(host=postgres.socket_dir, user="postgres", dbname="postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def servers_start(database: str) -> embedded.EmbeddedPostgres:
    """Own PostgreSQL with `database` fresh, and own Redis; their URLs go into os.environ before Django loads."""
    say(f"Starting embedded PostgreSQL in {POSTGRES_DIR.relative_to(BASE_DIR)} ...")
    postgres = embedded.postgres_start(POSTGRES_DIR, database="postgres")
    admin_execute(postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')
    redis = embedded.redis_start(REDIS_DIR, persist=False)
    atexit.register(redis.stop)
    os.environ["DATABASE_URL"] = postgres.url(database)
    os.environ["REDIS_URL"] = redis.url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    say(f"PostgreSQL database {database} recreated, Redis on {redis.url}")
    return postgres


def database_drop(postgres: embedded.EmbeddedPostgres, database: str) -> None:
    from django.db import connections

    connections.close_all()
    admin_execute(postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    say(f"Database {database} dropped")


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(row[column])) for row in [header, *rows]) for column in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(cell) for cell in row]
        right = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        lines.append("  ".join([cells[0].ljust(widths[0]), *right]))
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def rounded(value: object, digits: int = 3) -> object:
    """Floats rounded throughout nested dicts and lists, so the JSON line stays readable."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {key: rounded(item, digits) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item, digits) for item in value]
    return value
