from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_defaults(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Give a new installation PRODUCT.md's catalogue and calendar (also after a test flush)."""
    from django.db import connections

    if getattr(connections[using], "schema_name", "public") != "public":
        return
    from .services import catalogue_seed_defaults

    catalogue_seed_defaults()


class ServiceLevelsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "service_levels"
    verbose_name = _("Service catalogue and agreements")

    def ready(self) -> None:
        post_migrate.connect(_seed_defaults, sender=self, dispatch_uid="service_levels_defaults")
