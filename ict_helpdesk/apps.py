from django.apps import AppConfig


class IctHelpdeskConfig(AppConfig):
    name = "ict_helpdesk"
    verbose_name = "ICT helpdesk"
