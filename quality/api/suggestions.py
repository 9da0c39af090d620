"""The quality system's API: suggestions (being written)."""

facility_api_urlpatterns: list = []
agency_api_urlpatterns: list = []
