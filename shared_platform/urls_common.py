"""URLs served on every address: signing in, health, and the API's shared parts.

The facility portal (urls_facility) and an agency's address (urls_agency) both
start from these; the views themselves decide what each address may see.
"""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from accounts import views as account_views
from accounts.api import MeApi, TokenApi
from accounts.language import language_choose
from tenants.api import AgencyViewSet

from . import health


class AddressSchemaView(SpectacularAPIView):
    """The OpenAPI schema of the address asked.

    django-tenants serves the facility portal with its own URLconf
    (request.urlconf = PUBLIC_SCHEMA_URLCONF); drf-spectacular would otherwise
    describe ROOT_URLCONF, an agency's, and leave out the portal's own
    endpoints (the board's, for one).
    """

    @extend_schema(**SCHEMA_KWARGS)  # as the parent: the schema endpoint stays out of the schema
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        self.urlconf = getattr(request._request, "urlconf", None)
        return super().get(request, *args, **kwargs)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("agencies", AgencyViewSet, basename="agency")

api_common = [
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("me/", MeApi.as_view(), name="api-me"),
    path("schema/", AddressSchemaView.as_view(), name="api-schema"),
    # Swagger UI's start-up script as a file (docs/?script), not inline: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/login/", account_views.sign_in, name="login"),
    path("accounts/logout/", account_views.sign_out, name="logout"),
    path("language/", language_choose, name="language"),
    path("healthz", health.healthz, name="healthz"),
]


def api(*patterns: URLPattern | URLResolver) -> URLResolver:
    """/api/ with the shared endpoints and this address's own."""
    return path("api/", include([*api_common, *patterns]))
