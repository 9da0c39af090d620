"""Queueing Celery tasks after the transaction that asked for them commits.

A task queued inside an open transaction may start before the commit and not
find the rows it was queued for (STYLE.md: "`.delay()` inside an open
transaction"). `enqueue_after_commit` waits for the commit, and queues the
task for the schema that was active when it was asked for, so a task asked
for in UNDP's request runs in UNDP's schema even if the connection has moved
on by the time the transaction commits.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import connection, transaction
from django_tenants.utils import schema_context


def enqueue_after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    schema_name = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' backend

    def send() -> None:
        with schema_context(schema_name):
            task.delay(*args, **kwargs)

    transaction.on_commit(send)
