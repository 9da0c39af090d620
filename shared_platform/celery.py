"""The Celery app.

tenant-schemas-celery records the schema a task was queued from and switches
the worker's connection to it before the task runs, so a task queued inside
UNDP's request runs in UNDP's schema. Beat uses its TenantAwareScheduler:
a schedule entry names the schemas it runs in (`tenant_schemas`), or runs in
every agency's schema when it names none.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shared_platform.settings.local")

app = CeleryApp("shared_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
