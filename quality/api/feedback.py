"""The quality system's API: feedback (being written)."""

facility_api_urlpatterns: list = []
