"""/healthz: can this instance serve? Database, Redis and a Celery worker.

Answers 200 when all three respond and 503 otherwise, so a load balancer can
take the instance out. Beat is reported too (the time of its last heartbeat)
but does not change the status: a late beat delays scheduled work, it does not
stop the instance serving requests.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .celery import app as celery_app
from .tasks import BEAT_HEARTBEAT_KEY

CHECK_TIMEOUT_SECONDS = 2.0
_celery_pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_redis() -> dict[str, Any]:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def check_celery() -> dict[str, Any]:
    """At least one worker answers a ping over the broker.

    The ping runs in a thread of its own with a deadline: with the broker down,
    kombu would otherwise keep retrying the connection and hold the request.
    """
    # limit=1: answer as soon as one worker replies instead of waiting out the timeout.
    future = _celery_pool.submit(celery_app.control.ping, timeout=1.0, limit=1)
    try:
        replies = future.result(timeout=CHECK_TIMEOUT_SECONDS + 1) or []
    except concurrent.futures.TimeoutError:
        return {"ok": False, "error": "The Celery broker did not answer in time."}
    workers = sorted(name for reply in replies for name in reply)
    if not workers:
        return {"ok": False, "error": "No Celery worker answered a ping within 1 second."}
    return {"ok": True, "workers": workers}


def check_beat() -> dict[str, Any]:
    last = cache.get(BEAT_HEARTBEAT_KEY)
    if not last:
        return {"ok": False, "error": "No heartbeat from Celery beat yet."}
    age = (timezone.now() - datetime.fromisoformat(last)).total_seconds()
    return {"ok": age < 120, "last_heartbeat": last, "seconds_ago": round(age)}


REQUIRED_CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "redis": check_redis,
    "celery": check_celery,
}


def run_check(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        result = check()
    except Exception as error:  # a health check reports failures, it never raises them
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def health_report() -> tuple[bool, dict[str, Any]]:
    checks = {name: run_check(check) for name, check in REQUIRED_CHECKS.items()}
    healthy = all(result["ok"] for result in checks.values())
    if checks["redis"]["ok"]:
        checks["beat"] = run_check(check_beat)
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
