"""An agency's address: <code>.BASE_DOMAIN, e.g. undp.localhost:8000. No admin here."""

from django.urls import URLPattern, URLResolver, include, path

from accountability import urls as accountability_urls
from billing import urls as billing_urls
from governance import urls as governance_urls
from ict_helpdesk import urls as helpdesk_urls
from ledger.api import urlpatterns as ledger_api
from procurement import urls as procurement_urls
from quality import urls as quality_urls
from service_levels.api import urlpatterns as catalogue_api
from sourcing import urls as sourcing_urls
from travel import urls as travel_urls

from . import views
from .urls_common import api
from .urls_common import urlpatterns as common

sla_api: list[URLPattern | URLResolver] = [*catalogue_api, *ledger_api]

urlpatterns = [
    *common,
    path("", views.agency_home, name="home"),
    path("people/", views.agency_directory, name="agency-people"),
    path("approvals/", views.approvals_inbox, name="approvals"),
    path("", include("ledger.urls")),
    path("", include("service_levels.urls")),
    *governance_urls.agency_urlpatterns,
    *helpdesk_urls.agency_urlpatterns,
    *billing_urls.agency_urlpatterns,
    *procurement_urls.agency_urlpatterns,
    *travel_urls.agency_urlpatterns,
    *quality_urls.agency_urlpatterns,
    *sourcing_urls.agency_urlpatterns,
    *accountability_urls.agency_urlpatterns,
    api(
        *sla_api,
        *governance_urls.agency_api_urlpatterns,
        *helpdesk_urls.agency_api_urlpatterns,
        *billing_urls.agency_api_urlpatterns,
        *procurement_urls.agency_api_urlpatterns,
        *travel_urls.agency_api_urlpatterns,
        *quality_urls.agency_api_urlpatterns,
        *sourcing_urls.agency_api_urlpatterns,
        *accountability_urls.agency_api_urlpatterns,
    ),
]

handler400 = "shared_platform.views.error_400"
handler403 = "shared_platform.views.error_403"
handler404 = "shared_platform.views.error_404"
handler500 = "shared_platform.views.error_500"
