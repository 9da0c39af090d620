"""A task for the tests only: it reports the schema it ran in and leaves it in the cache.

The end-to-end test loads it into a real worker with `--include tests.celery_probe`.
"""

from celery import shared_task
from django.core.cache import cache
from django.db import connection


@shared_task
def schema_probe(cache_key: str) -> str:
    cache.set(cache_key, connection.schema_name, timeout=300)
    return connection.schema_name
