"""Tasks run in the schema they were queued from; cache keys and files are per agency."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from shared_platform.queue import enqueue_after_commit

from .celery_probe import schema_probe

pytestmark = pytest.mark.django_db


def test_a_task_queued_in_an_agency_runs_in_its_schema(undp, unfpa):
    with schema_context("undp"):
        assert schema_probe.delay("probe").get() == "undp"
    with schema_context("unfpa"):
        assert schema_probe.delay("probe").get() == "unfpa"


def test_a_task_is_queued_only_when_the_transaction_commits(undp, django_capture_on_commit_callbacks):
    with schema_context("undp"):
        cache.delete("after-commit")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            enqueue_after_commit(schema_probe, "after-commit")
        assert cache.get("after-commit") is None  # not sent before the commit
    # the commit happens after the connection has moved to another schema
    with schema_context("unfpa"):
        for callback in callbacks:
            callback()
    with schema_context("undp"):
        assert cache.get("after-commit") == "undp"


def test_cache_keys_are_per_agency(undp, unfpa):
    with schema_context("undp"):
        cache.set("dashboard", "undp figures")
    with schema_context("unfpa"):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "unfpa figures")
    with schema_context("undp"):
        assert cache.get("dashboard") == "undp figures"


def test_uploaded_files_are_stored_in_the_agency_folder(undp, unfpa, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with schema_context("undp"):
        name = default_storage.save("attachments/quote.pdf", ContentFile(b"%PDF-1.4 undp"))
        assert (tmp_path / "undp" / name).read_bytes() == b"%PDF-1.4 undp"
    with schema_context("unfpa"):
        assert not default_storage.exists(name)


def test_the_beat_schedule_runs_the_heartbeat_in_the_public_schema(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]
    assert entry["task"] == "shared_platform.tasks.beat_heartbeat"
    assert entry["tenant_schemas"] == ["public"]
