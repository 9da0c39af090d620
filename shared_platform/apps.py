from django.apps import AppConfig


class SharedPlatformConfig(AppConfig):
    name = "shared_platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        from django.db import models
        from rest_framework import serializers

        from .api import AwareDateTimeField

        # Once for every API date-time a ModelSerializer reads: with its time zone (shared_platform/api.py).
        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = AwareDateTimeField
