"""/healthz tells a load balancer whether this instance can serve."""

import pytest

from shared_platform.embedded import free_port
from shared_platform.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db


def test_without_a_celery_worker_the_instance_is_unavailable(facility, client_at):
    response = client_at(facility).get("/healthz")
    report = response.json()
    assert response.status_code == 503
    assert report["status"] == "unavailable"
    assert report["checks"]["database"]["ok"] is True
    assert report["checks"]["redis"]["ok"] is True
    assert report["checks"]["celery"] == {
        "ok": False,
        "error": "No Celery worker answered a ping within 1 second.",
        "ms": report["checks"]["celery"]["ms"],
    }


def test_with_redis_down_the_instance_is_unavailable(facility, client_at, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client_at(facility).get("/healthz")
    redis_check = response.json()["checks"]["redis"]
    assert response.status_code == 503
    assert redis_check["ok"] is False
    assert "ConnectionError" in redis_check["error"]


def test_health_reports_the_last_beat_heartbeat(facility, client_at):
    beat_heartbeat.delay()
    beat = client_at(facility).get("/healthz").json()["checks"]["beat"]
    assert beat["ok"] is True
    assert beat["seconds_ago"] <= 5


def test_healthz_answers_on_an_agency_address_without_signing_in(undp, client_at):
    response = client_at(undp).get("/healthz")
    assert response.status_code in (200, 503)
    assert set(response.json()["checks"]) >= {"database", "redis", "celery"}
