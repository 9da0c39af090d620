"""`make run`: the whole platform on this machine, in one command.

Starts embedded PostgreSQL and Redis (unless DATABASE_URL / REDIS_URL point
at servers of your own), migrates the public schema and every agency's,
loads the demo (idempotent), then runs the web server, a Celery worker and
Celery beat until Ctrl-C or SIGTERM, which stops all of them and the servers
cleanly. Data stays under var/, so the next run is up in seconds.

The web server is served as in production: gunicorn with sync workers
(GUNICORN_WORKERS, default 3 for a 2-core machine), DEBUG off, static files
from WhiteNoise, on 127.0.0.1 unless BIND_ADDRESS says otherwise. A sync
worker handles one request at a time and keeps one database connection
(CONN_MAX_AGE), so the web server holds at most GUNICORN_WORKERS connections
however many requests arrive. `--dev` (`make dev`) runs Django's
autoreloading development server with DEBUG on instead, and no persistent
connections (it opens a thread, and so a connection, per request).

    python -m shared_platform.stack            # what `make run` calls
    python -m shared_platform.stack --dev      # what `make dev` calls
    python -m shared_platform.stack --no-demo  # skip loading the demo
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from . import embedded

PYTHON = sys.executable
MANAGE = str(embedded.BASE_DIR / "manage.py")


def say(message: str) -> None:
    print(f"[platform] {message}", flush=True)


def manage(*arguments: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, MANAGE, *arguments], env=env, check=True, cwd=embedded.BASE_DIR)


def web_command(*, bind: str, port: int, workers: int, dev: bool) -> list[str]:
    """The web server's command line: gunicorn (make run) or Django's development server (make dev)."""
    if dev:
        return [PYTHON, MANAGE, "runserver", f"{bind}:{port}"]
    return [
        PYTHON,
        "-m",
        "gunicorn",
        "shared_platform.wsgi:application",
        "--bind",
        f"{bind}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        # PDFs (invoices, minutes) take a few seconds; a request running longer than this is stuck.
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
        "--access-logfile",
        "-",
        # gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl): two
        # checkouts served on one machine would fight over it, and nothing here uses it.
        "--no-control-socket",
    ]


def web_environment(base: dict[str, str], *, dev: bool) -> dict[str, str]:
    """The environment of web, worker and beat: DEBUG only in development, persistent connections only with gunicorn."""
    env = dict(base)
    env.setdefault("DJANGO_SETTINGS_MODULE", "shared_platform.settings.local")
    env["DJANGO_DEBUG"] = "True" if dev else "False"
    if dev:
        # runserver opens a thread per request and each thread its own connection: keep none open.
        env["DATABASE_CONN_MAX_AGE"] = "0"
    return env


def wait_for_web(port: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"http://127.0.0.1:{port}/accounts/login/", headers={"Host": f"localhost:{port}"})
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status == 200
        except OSError:
            time.sleep(0.5)
    return False


def process_group_stop(group: int, timeout: float = 10) -> None:
    """SIGTERM the processes left in a process group, then SIGKILL those still there after `timeout`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(group, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.2)


def options_parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--bind", default=os.environ.get("BIND_ADDRESS", "127.0.0.1"), help="address to listen on (BIND_ADDRESS)"
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "3")))
    parser.add_argument("--dev", action="store_true", help="Django's autoreloading development server, DEBUG on")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = options_parse(argv)

    env = web_environment(dict(os.environ), dev=options.dev)
    env["PUBLIC_PORT"] = str(options.port)
    redis_server = None
    services: dict[str, str] = {}

    if embedded.external("DATABASE_URL"):
        say("Using the PostgreSQL server in DATABASE_URL.")
    else:
        say("Starting embedded PostgreSQL (data in var/postgres)...")
        postgres = embedded.postgres_start(embedded.VAR_DIR / "postgres")
        services["DATABASE_URL"] = env["DATABASE_URL"] = postgres.url()
    if embedded.external("REDIS_URL"):
        say("Using the Redis server in REDIS_URL.")
    else:
        say("Starting embedded Redis (data in var/redis)...")
        redis_server = embedded.redis_start(embedded.VAR_DIR / "redis", port=6379)
        services["REDIS_URL"] = env["REDIS_URL"] = redis_server.url
    embedded.services_env_write(services)

    children: list[subprocess.Popen[bytes]] = []

    def stop_all(*_: object) -> None:
        say("Stopping web, worker and beat...")
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=25)
            except subprocess.TimeoutExpired:
                child.kill()
        # Each child leads its own process group (start_new_session): whatever it left behind
        # (runserver's autoreloaded server, a stuck gunicorn or Celery worker) goes with it.
        for child in children:
            process_group_stop(child.pid)
        if redis_server is not None:
            redis_server.stop()
        embedded.services_env_remove()
        say("Stopped. Data is kept in var/; `make run` starts again where you left off.")

    # Ctrl-C (SIGINT) and SIGTERM both stop everything in order. SIGINT is set
    # explicitly because a shell starting us in the background leaves it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        say("Migrating the public schema and every agency's schema...")
        manage("migrate_schemas", "--noinput", "-v", "0", env=env)
        if not options.no_demo:
            say("Loading the demo facility (idempotent)...")
            manage("load_demo", env=env)
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        schedule = str(embedded.VAR_DIR / "celerybeat-schedule")
        commands = {
            "web": web_command(bind=options.bind, port=options.port, workers=options.workers, dev=options.dev),
            "worker": [PYTHON, "-m", "celery", "-A", "shared_platform", "worker", "-l", "info", "--concurrency", "2"],
            "beat": [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "shared_platform",
                "beat",
                "-l",
                "info",
                "-S",
                "tenant_schemas_celery.scheduler.TenantAwareScheduler",
                "--schedule",
                schedule,
            ],
        }
        for name, command in commands.items():
            say(f"Starting {name}: {' '.join(Path(part).name if part == PYTHON else part for part in command)}")
            # Own process group: Ctrl-C reaches this script, which stops the children in order.
            children.append(subprocess.Popen(command, env=env, cwd=embedded.BASE_DIR, start_new_session=True))
        if wait_for_web(options.port):
            say("Ready.")
            say(f"  Facility portal:  http://localhost:{options.port}/")
            say(
                f"  An agency:        http://undp.localhost:{options.port}/"
                "  (also unfpa, unesco, unwomen, unops, unep, unaids)"
            )
            say(f"  API docs:         http://localhost:{options.port}/api/docs/")
            say(f"  Health:           http://localhost:{options.port}/healthz")
            say("  Demo sign-ins are listed in README.md (password jof-demo-2026). Ctrl-C stops everything.")
        while True:
            for child in children:
                if child.poll() is not None:
                    say(f"A process exited with code {child.returncode}: {' '.join(child.args)}")  # type: ignore[arg-type]
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as error:
        say(f"Setup step failed: {error}")
        return 1
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
