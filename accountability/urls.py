"""Accountability's addresses; page names live in the "accountability" namespace on both kinds of address.

The facility portal includes `facility_urlpatterns` under /accountability/
(every agency's scorecards, the quality objectives, management reviews,
service reports, agreement change requests, fair-cost simulations, evidence
packs and the chain of a breached request) and `facility_api_urlpatterns`
under /api/accountability/. An agency's address includes `agency_urlpatterns`
(its own scorecards, service reports, change requests, evidence packs and
chains) and `agency_api_urlpatterns`: each filters on the address's agency.
"""

from django.urls import include, path

from .api import changes as changes_api
from .api import evidence as evidence_api
from .api import reports as reports_api
from .api import reviews as reviews_api
from .api import scorecards as scorecards_api
from .api import simulations as simulations_api
from .views import chain, changes, evidence, objectives, reports, reviews, scorecards, simulations

facility_pages = [
    *scorecards.facility_pages,
    *objectives.pages,
    *reviews.pages,
    *reports.facility_pages,
    *changes.facility_pages,
    *simulations.pages,
    *evidence.facility_pages,
    *chain.facility_pages,
]
agency_pages = [
    *scorecards.agency_pages,
    *reports.agency_pages,
    *changes.agency_pages,
    *evidence.agency_pages,
    *chain.agency_pages,
]

facility_urlpatterns = [path("accountability/", include((facility_pages, "accountability")))]
agency_urlpatterns = [path("accountability/", include((agency_pages, "accountability")))]

facility_api_urlpatterns = [
    path(
        "accountability/",
        include(
            [
                *scorecards_api.facility_api_urlpatterns,
                *reviews_api.facility_api_urlpatterns,
                *reports_api.facility_api_urlpatterns,
                *changes_api.facility_api_urlpatterns,
                *simulations_api.facility_api_urlpatterns,
                *evidence_api.facility_api_urlpatterns,
            ]
        ),
    )
]
agency_api_urlpatterns = [
    path(
        "accountability/",
        include(
            [
                *scorecards_api.agency_api_urlpatterns,
                *reviews_api.agency_api_urlpatterns,
                *reports_api.agency_api_urlpatterns,
                *changes_api.agency_api_urlpatterns,
                *evidence_api.agency_api_urlpatterns,
            ]
        ),
    )
]
