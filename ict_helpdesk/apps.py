from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IctHelpdeskConfig(AppConfig):
    name = "ict_helpdesk"
    verbose_name = _("ICT helpdesk")
