"""The test suite: real PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL are set)."""

import os

from .base import *  # noqa: F403

DEBUG = False
PUBLIC_PORT = ""
# Argon2 is the production hasher (settings/base.py, checked by a test); the
# suite hashes thousands of fixture passwords, so it uses a fast one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Static files come from the app folders (finders); nothing is collected for tests.
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
# Two suites on one server (a developer's terminal and an editor) must not share a test database.
DATABASES["default"]["TEST"] = {"NAME": f"test_platform_{os.getpid()}"}  # noqa: F405
# The API fuzzer (tests/test_api_fuzz.py): examples per operation and generation mode, and the
# sequence (0: derandomised, repeatable). Raise FUZZ_EXAMPLES to look harder.
FUZZ_EXAMPLES = env.int("FUZZ_EXAMPLES", default=4)  # noqa: F405
FUZZ_SEED = env.int("FUZZ_SEED", default=0)  # noqa: F405
