"""The facility portal (public schema): BASE_DOMAIN, e.g. localhost:8000."""

from django.contrib import admin
from django.urls import path

from governance import urls as governance_urls

from . import views
from .urls_common import api
from .urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("", views.facility_home, name="home"),
    path("admin/", admin.site.urls),
    *governance_urls.facility_urlpatterns,
    api(*governance_urls.facility_api_urlpatterns),
]

handler403 = "shared_platform.views.error_403"
handler404 = "shared_platform.views.error_404"
handler500 = "shared_platform.views.error_500"
