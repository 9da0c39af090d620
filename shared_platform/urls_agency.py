"""An agency's address: <code>.BASE_DOMAIN, e.g. undp.localhost:8000. No admin here."""

from django.urls import path

from governance import urls as governance_urls

from . import views
from .urls_common import api
from .urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("", views.agency_home, name="home"),
    *governance_urls.agency_urlpatterns,
    api(*governance_urls.agency_api_urlpatterns),
]

handler403 = "shared_platform.views.error_403"
handler404 = "shared_platform.views.error_404"
handler500 = "shared_platform.views.error_500"
