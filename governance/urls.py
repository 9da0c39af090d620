"""The board's addresses.

The facility portal (shared_platform/urls_facility.py) includes
`facility_urlpatterns` under /governance/ and `facility_api_urlpatterns` under
/api/governance/; an agency's address (urls_agency.py) includes only the
register, read-only: `agency_urlpatterns` and `agency_api_urlpatterns`.
Page names live in the "governance" namespace on both.
"""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from . import api, views

register_urlpatterns: list[URLPattern | URLResolver] = [
    path("register/", views.register_list, name="register"),
    path("register/verify/", views.register_verify_page, name="register-verify"),
    path("register/<int:number>/", views.register_entry, name="register-entry"),
]

_facility_pages: list[URLPattern | URLResolver] = [
    path("", views.motion_list, name="motions"),
    path("motions/new/", views.motion_new, name="motion-new"),
    path("motions/<int:pk>/", views.motion_detail, name="motion"),
    path("motions/<int:pk>/edit/", views.motion_edit, name="motion-edit"),
    path("motions/<int:pk>/open/", views.motion_open, name="motion-open"),
    path("motions/<int:pk>/close/", views.motion_close, name="motion-close"),
    path("motions/<int:pk>/withdraw/", views.motion_withdraw, name="motion-withdraw"),
    path("motions/<int:pk>/ballot/", views.ballot_cast, name="ballot-cast"),
    path("motions/<int:pk>/documents/", views.document_add, name="document-add"),
    path("motions/<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("motions/<int:pk>/result.pdf", views.motion_pdf, name="motion-pdf"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes.pdf", views.meeting_pdf, name="meeting-pdf"),
    *register_urlpatterns,
]

facility_urlpatterns = [path("governance/", include((_facility_pages, "governance")))]
agency_urlpatterns = [path("governance/", include((register_urlpatterns, "governance")))]

_facility_router = DefaultRouter(trailing_slash=True)
_facility_router.include_root_view = False
_facility_router.register("governance/meetings", api.MeetingViewSet, basename="governance-meeting")
_facility_router.register("governance/motions", api.MotionViewSet, basename="governance-motion")
_facility_router.register("governance/register", api.RegisterViewSet, basename="governance-register")

_agency_router = DefaultRouter(trailing_slash=True)
_agency_router.include_root_view = False
_agency_router.register("governance/register", api.RegisterViewSet, basename="governance-register")

facility_api_urlpatterns = _facility_router.urls
agency_api_urlpatterns = _agency_router.urls
