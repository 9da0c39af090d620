from django.apps import AppConfig


class SharedPlatformConfig(AppConfig):
    name = "shared_platform"
    verbose_name = "Platform"
