"""Procurement's addresses; page names live in the "procurement" namespace on both kinds of address.

An agency's address (urls_agency.py) includes `agency_urlpatterns` under
/procurement/ (the agency's people: requisitions, approval) and
`agency_api_urlpatterns` under /api/. The facility portal (urls_facility.py)
includes `facility_urlpatterns`: the facility's pages under /procurement/ and
the vendors' personal links under /tenders/ ("tenders" namespace, reached
without an account), and `facility_api_urlpatterns` under /api/.
"""

from django.urls import include, path

from . import api, api_receiving
from .views import agency, facility, receiving, vendor

# The receiving pages come first: the requisition and case pages take any "<reference>/".
agency_urlpatterns = [path("procurement/", include(([*receiving.agency_pages, *agency.pages], "procurement")))]
facility_urlpatterns = [
    path("procurement/", include(([*receiving.facility_pages, *facility.pages], "procurement"))),
    path("tenders/", include((vendor.pages, "tenders"))),
]

agency_api_urlpatterns = [*api_receiving.agency_api_urlpatterns, *api.agency_api_urlpatterns]
facility_api_urlpatterns = [*api_receiving.facility_api_urlpatterns, *api.facility_api_urlpatterns]
