from django.urls import path

from . import views

urlpatterns = [
    path("sla/", views.dashboard, name="sla-dashboard"),
    path("requests/", views.request_list, name="ledger-requests"),
    path("requests/<str:reference>/", views.request_detail, name="ledger-request"),
]
