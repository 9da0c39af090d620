"""Procurement's addresses; page names live in the "procurement" namespace on both kinds of address.

An agency's address (urls_agency.py) includes `agency_urlpatterns` under
/procurement/ (the agency's people: requisitions, approval) and
`agency_api_urlpatterns` under /api/. The facility portal (urls_facility.py)
includes `facility_urlpatterns`: the facility's pages under /procurement/ and
the vendors' personal links under /tenders/ ("tenders" namespace, reached
without an account), and `facility_api_urlpatterns` under /api/.
"""

from django.urls import include, path

from .api import agency_api_urlpatterns, facility_api_urlpatterns
from .views import agency, facility, vendor

agency_urlpatterns = [path("procurement/", include((agency.pages, "procurement")))]
facility_urlpatterns = [
    path("procurement/", include((facility.pages, "procurement"))),
    path("tenders/", include((vendor.pages, "tenders"))),
]

__all__ = ["agency_api_urlpatterns", "agency_urlpatterns", "facility_api_urlpatterns", "facility_urlpatterns"]
