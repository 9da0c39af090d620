from django.urls import path

from . import views

# Served on every address: reading pages check scope themselves, changes need the facility manager.
urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.service_edit, name="service-new"),
    path("catalogue/<str:code>/", views.service_edit, name="service-edit"),
    path("calendars/", views.calendars, name="calendars"),
    path("calendars/new/", views.calendar_edit, name="calendar-new"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar"),
    path("calendars/<int:pk>/edit/", views.calendar_edit, name="calendar-edit"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_edit, name="agreement-new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/new-version/", views.agreement_revise, name="agreement-revise"),
]
