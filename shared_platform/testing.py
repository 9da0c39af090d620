"""pytest plugin (loaded with `-p shared_platform.testing`): real servers for the suite.

It runs before pytest-django loads the settings, so that DATABASE_URL and
REDIS_URL already point at an embedded PostgreSQL (data in var/test-postgres;
pytest-django creates and drops the test database in it) and a throw-away
Redis on a free port. Set DATABASE_URL / REDIS_URL to use servers of your own.
"""

from __future__ import annotations

import atexit
import os

from . import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shared_platform.settings.test")
if os.environ["DJANGO_SETTINGS_MODULE"] != "shared_platform.settings.test":
    raise RuntimeError("The test suite runs with shared_platform.settings.test; unset DJANGO_SETTINGS_MODULE.")

if not embedded.external("DATABASE_URL"):
    _postgres = embedded.postgres_start(embedded.VAR_DIR / "test-postgres")
    os.environ["DATABASE_URL"] = _postgres.url()

if not embedded.external("REDIS_URL"):
    _redis = embedded.redis_start(embedded.VAR_DIR / "test-redis", persist=False)
    atexit.register(_redis.stop)
    os.environ["REDIS_URL"] = _redis.url
