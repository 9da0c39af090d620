"""Travel's addresses; page names live in the "travel" namespace on both kinds of address.

An agency's address (urls_agency.py) includes `agency_urlpatterns` under
/travel/ (the agency's people: requests, claims, duty of care, policy, exports)
and `agency_api_urlpatterns` under /api/. The facility portal
(urls_facility.py) includes `facility_urlpatterns` under /travel/ (the queue,
the case pages, duty of care, late bookings) and `facility_api_urlpatterns`
under /api/. The DSA table's pages (/travel/rates/, /travel/settings/) are the
`allowances` app's.
"""

from django.urls import include, path

from .api import agency_api_urlpatterns, facility_api_urlpatterns
from .views import agency, facility

agency_urlpatterns = [path("travel/", include((agency.pages, "travel")))]
facility_urlpatterns = [path("travel/", include((facility.pages, "travel")))]

__all__ = ["agency_api_urlpatterns", "agency_urlpatterns", "facility_api_urlpatterns", "facility_urlpatterns"]
