"""The quality system's addresses; page names live in the "quality" namespace on both kinds of address.

The facility portal (urls_facility.py) includes `facility_urlpatterns` under
/quality/ (the dashboard, processes and risks, controlled documents, the
committee's board of suggestions, nonconformities, the audit programme and
audits, customer feedback) and `facility_api_urlpatterns` under /api/quality/.
An agency's address includes only the suggestions its people made
(`agency_urlpatterns`, `agency_api_urlpatterns`): the rest is the facility's
internal record.
"""

from django.urls import include, path

from .api import audits as audits_api
from .api import documents as documents_api
from .api import feedback as feedback_api
from .api import nonconformities as nonconformities_api
from .api import processes as processes_api
from .api import suggestions as suggestions_api
from .views import audits, dashboard, documents, feedback, nonconformities, processes, suggestions

facility_pages = [
    *dashboard.pages,
    *processes.pages,
    *documents.pages,
    *suggestions.pages,
    *nonconformities.pages,
    *audits.pages,
    *feedback.pages,
]

facility_urlpatterns = [path("quality/", include((facility_pages, "quality")))]
agency_urlpatterns = [path("quality/", include((suggestions.agency_pages, "quality")))]

facility_api_urlpatterns = [
    path(
        "quality/",
        include(
            [
                *processes_api.facility_api_urlpatterns,
                *documents_api.facility_api_urlpatterns,
                *suggestions_api.facility_api_urlpatterns,
                *nonconformities_api.facility_api_urlpatterns,
                *audits_api.facility_api_urlpatterns,
                *feedback_api.facility_api_urlpatterns,
            ]
        ),
    )
]
agency_api_urlpatterns = [path("quality/", include(suggestions_api.agency_api_urlpatterns))]
