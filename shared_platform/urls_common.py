"""URLs served on every address: signing in, health, the API's shared parts."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as account_views
from accounts.api import MeApi, TokenApi

from . import health

api_common = [
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("me/", MeApi.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("accounts/login/", account_views.sign_in, name="login"),
    path("accounts/logout/", account_views.sign_out, name="logout"),
    path("healthz", health.healthz, name="healthz"),
]


def api(*patterns):  # type: ignore[no-untyped-def]
    return path("api/", include([*api_common, *patterns]))
