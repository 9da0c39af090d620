"""The facility portal (public schema): BASE_DOMAIN, e.g. localhost:8000."""

from django.contrib import admin
from django.urls import path
from rest_framework.routers import DefaultRouter

from tenants.api import AgencyViewSet

from . import views
from .urls_common import api
from .urls_common import urlpatterns as common

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("agencies", AgencyViewSet, basename="agency")

urlpatterns = [
    *common,
    path("", views.facility_home, name="home"),
    path("admin/", admin.site.urls),
    api(*router.urls),
]

handler403 = "shared_platform.views.error_403"
handler404 = "shared_platform.views.error_404"
handler500 = "shared_platform.views.error_500"
