"""Pooled sourcing's addresses; page names live in the "sourcing" namespace on both kinds of address.

An agency's address includes `agency_urlpatterns` under /sourcing/ (the
long-term agreements it owns, takes part in or may join: piggyback requests,
call-offs) and `agency_api_urlpatterns` under /api/sourcing/. The facility
portal includes `facility_urlpatterns` (every agreement, making one from an
award or an existing contract, the split-purchase and joint-procurement
reports) and `facility_api_urlpatterns`.
"""

from django.urls import include, path

from .api import agreements as agreements_api
from .api import spend as spend_api
from .views import agreements, reports

agency_urlpatterns = [path("sourcing/", include((agreements.agency_pages, "sourcing")))]
facility_urlpatterns = [path("sourcing/", include(([*agreements.facility_pages, *reports.pages], "sourcing")))]

agency_api_urlpatterns = [path("sourcing/", include(agreements_api.agency_api_urlpatterns))]
facility_api_urlpatterns = [
    path(
        "sourcing/",
        include([*agreements_api.facility_api_urlpatterns, *spend_api.facility_api_urlpatterns]),
    )
]
