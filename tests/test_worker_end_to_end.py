"""One test through a real Celery worker and a real Redis broker (not eager)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.result import allow_join_result
from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context

from shared_platform.celery import app as celery_app

from .celery_probe import schema_probe
from .conftest import ensure_agency

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def real_worker(transactional_db):
    """A worker process on the test database and the test Redis, with eager mode off here."""
    for code in ("UNDP", "UNFPA"):
        ensure_agency(code)  # committed, so the worker sees the agencies
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shared_platform.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@/{database['NAME']}?host={database['OPTIONS']['host']}"
        if "host" in database.get("OPTIONS", {})
        else f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shared_platform",
            "worker",
            "--pool",
            "solo",
            "--include",
            "tests.celery_probe",
            "-l",
            "warning",
            "-n",
            f"e2e-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )
    celery_app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=1.0):
            assert worker.poll() is None, "the worker exited"
            assert time.monotonic() < deadline, "the worker did not answer within 60 s"
        yield worker
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.worker
def test_a_real_worker_runs_each_task_in_the_schema_it_was_queued_from(real_worker):
    # given two agencies queueing the same task
    with schema_context("undp"):
        undp_result = schema_probe.delay("e2e-probe")
    with schema_context("unfpa"):
        unfpa_result = schema_probe.delay("e2e-probe")
    # then the worker ran each in its agency's schema (waited for from the test, not from a task: celery's
    # "inside a task" flag is process-wide, and an eager task of an earlier test may have left it set)
    with allow_join_result():
        assert undp_result.get(timeout=60) == "undp"
        assert unfpa_result.get(timeout=60) == "unfpa"
    # and each left its value under its own agency's cache key
    with schema_context("undp"):
        assert cache.get("e2e-probe") == "undp"
    with schema_context("unfpa"):
        assert cache.get("e2e-probe") == "unfpa"


@pytest.mark.worker
def test_healthz_is_ok_when_database_redis_and_a_worker_answer(real_worker, client):
    response = client.get("/healthz", HTTP_HOST="localhost")
    report = response.json()
    assert response.status_code == 200, report
    assert report["status"] == "ok"
    assert any(name.startswith("e2e-") for name in report["checks"]["celery"]["workers"])
