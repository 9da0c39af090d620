"""An agency's address: <code>.BASE_DOMAIN, e.g. undp.localhost:8000. No admin here."""

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
    path("", views.agency_home, name="home"),
    api(*router.urls),
]

handler403 = "shared_platform.views.error_403"
handler404 = "shared_platform.views.error_404"
handler500 = "shared_platform.views.error_500"
