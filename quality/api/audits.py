"""The quality system's API: audits (being written)."""

facility_api_urlpatterns: list = []
