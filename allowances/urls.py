"""The DSA table's addresses, on the facility portal only: pages in the "allowances" namespace under /travel/.

shared_platform/urls_facility.py includes `facility_urlpatterns` and, under
/api/, `facility_api_urlpatterns`. An agency's address includes neither: the
rate table and the allowance rules are the facility's to keep.
"""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from . import api, views

_facility_pages: list[URLPattern | URLResolver] = [
    path("rates/", views.rates, name="rates"),
    path("rates/location/<int:pk>/", views.location, name="location"),
    path("rates/sample.csv", views.sample, name="sample"),
    path("rates/import/", views.rate_import, name="import"),
    path("rates/imports/", views.imports, name="imports"),
    path("rates/imports/<int:pk>/", views.import_report, name="import-report"),
    path("settings/", views.allowance_settings, name="settings"),
]

facility_urlpatterns = [path("travel/", include((_facility_pages, "allowances")))]

_facility_router = DefaultRouter(trailing_slash=True)
_facility_router.include_root_view = False
_facility_router.register("travel/rates", api.RateViewSet, basename="allowances-rate")
_facility_router.register("travel/locations", api.LocationViewSet, basename="allowances-location")
_facility_router.register("travel/rate-imports", api.RateImportViewSet, basename="allowances-import")

facility_api_urlpatterns: list[URLPattern | URLResolver] = [
    *_facility_router.urls,
    path("travel/allowance-settings/", api.AllowanceSettingsView.as_view(), name="allowances-settings"),
]
