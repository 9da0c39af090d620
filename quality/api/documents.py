"""The quality system's API: documents (being written)."""

facility_api_urlpatterns: list = []
