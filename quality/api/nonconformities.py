"""The quality system's API: nonconformities (being written)."""

facility_api_urlpatterns: list = []
