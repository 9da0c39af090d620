"""The roster's addresses, on the facility portal only: pages in the "vendors" namespace under /vendors/.

shared_platform/urls_facility.py includes `facility_urlpatterns` and, under
/api/, `facility_api_urlpatterns`. An agency's address includes neither: the
roster and the thresholds are the facility's to keep.
"""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from . import api, views

_facility_pages: list[URLPattern | URLResolver] = [
    path("", views.roster, name="roster"),
    path("new/", views.vendor_new, name="vendor-new"),
    path("export.csv", views.roster_export, name="export"),
    path("template.csv", views.roster_template, name="template"),
    path("import/", views.roster_import, name="import"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:pk>/toggle/", views.category_toggle, name="category-toggle"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("thresholds/<str:code>/", views.thresholds_agency, name="thresholds-agency"),
    path("<int:pk>/", views.vendor_detail, name="vendor"),
    path("<int:pk>/edit/", views.vendor_edit, name="vendor-edit"),
    path("<int:pk>/status/", views.vendor_status, name="vendor-status"),
    path("<int:pk>/contacts/", views.contact_add, name="contact-add"),
    path("<int:pk>/contacts/<int:contact_pk>/remove/", views.contact_remove, name="contact-remove"),
]

facility_urlpatterns = [path("vendors/", include((_facility_pages, "vendors")))]

_facility_router = DefaultRouter(trailing_slash=True)
_facility_router.include_root_view = False
_facility_router.register("vendors/categories", api.CategoryViewSet, basename="vendors-category")
_facility_router.register("vendors/thresholds", api.ThresholdsViewSet, basename="vendors-thresholds")
_facility_router.register("vendors", api.VendorViewSet, basename="vendors-vendor")

facility_api_urlpatterns: list[URLPattern | URLResolver] = _facility_router.urls
