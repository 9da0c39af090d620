"""The Celery app.

tenant-schemas-celery records the schema a task was queued from and switches
the worker's connection to it before the task runs, so a task queued inside
UNDP's request runs in UNDP's schema. Beat uses its TenantAwareScheduler:
a schedule entry names the schemas it runs in (`tenant_schemas`), or runs in
every agency's schema when it names none.

The worker and beat read DJANGO_SETTINGS_MODULE from the environment (`make run`
and docker/compose.yaml set it); this module sets no default, because it is
imported with the package and a default here would override the one the test
suite or a WSGI server chooses.
"""

from tenant_schemas_celery.app import CeleryApp

app = CeleryApp("shared_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Celery's "current app" is per thread; make this one the default for every
# thread, so a task queued from a thread (a Gunicorn thread, a test) uses it.
app.set_default()
