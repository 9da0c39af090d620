"""Creating an agency's schema by copying a kept-migrated template.

Replaying every migration for each new agency takes seconds and grows with the
project's history. Instead the schema `settings.TENANT_BASE_SCHEMA` is kept
migrated, and django-tenants copies its structure into the new schema
(`clone_schema`, a PL/pgSQL function) and records the migrations as applied
(TENANT_CREATION_FAKES_MIGRATIONS). The copy is only right if the template is
current, so `template_schema_ensure_current` migrates it before the first
agency a process creates. benchmarks/provisioning.py measures both ways.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists

_template_checked = threading.Event()


def template_schema_ensure_current(*, force: bool = False) -> None:
    """Create the template schema if it is missing and apply any new tenant migrations to it."""
    if _template_checked.is_set() and not force:
        return
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{template}"')
    call_command("migrate_schemas", tenant=True, schema_name=template, interactive=False, verbosity=0)
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    _template_checked.set()
