"""The quality system's API: processes (being written)."""

facility_api_urlpatterns: list = []
