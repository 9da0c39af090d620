#!/bin/sh
# Container entrypoint for web, worker and beat (docker/Dockerfile).
#
# 1. Waits until the database in DATABASE_URL accepts connections
#    (at most DB_WAIT_SECONDS, default 60).
# 2. When RUN_MIGRATIONS=1 (the web container only), migrates the public
#    schema and every agency's schema.
# 3. Runs the container's command ("$@") in its place, so it gets the signals.
set -eu

python - <<'PY'
import os
import sys
import time

import environ
import psycopg2

url = os.environ.get("DATABASE_URL", "")
if not url:
    sys.exit("entrypoint: DATABASE_URL is not set")
config = environ.Env.db_url_config(url)
parameters = {
    "dbname": config.get("NAME"),
    "user": config.get("USER"),
    "password": config.get("PASSWORD"),
    "host": config.get("HOST"),
    "port": config.get("PORT"),
}
# As Django does: OPTIONS from the URL (?host=/socket/dir, ?sslmode=...) win.
parameters.update(config.get("OPTIONS", {}))
parameters = {key: value for key, value in parameters.items() if value not in (None, "")}
deadline = time.monotonic() + float(os.environ.get("DB_WAIT_SECONDS", "60"))
while True:
    try:
        psycopg2.connect(connect_timeout=3, **parameters).close()
        break
    except psycopg2.OperationalError as error:
        if time.monotonic() > deadline:
            sys.exit(f"entrypoint: the database did not accept connections in time: {error}")
        print("entrypoint: waiting for the database...", flush=True)
        time.sleep(1)
PY

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    echo "entrypoint: migrating the public schema and every agency's schema..."
    python manage.py migrate_schemas --noinput
fi

exec "$@"
