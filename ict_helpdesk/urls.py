"""The helpdesk's addresses; page names live in the "helpdesk" namespace on both kinds of address.

An agency's address (urls_agency.py) includes `agency_urlpatterns` under
/helpdesk/ and `agency_api_urlpatterns` under /api/; the facility portal
(urls_facility.py) `facility_urlpatterns` and `facility_api_urlpatterns`.
"""

from django.urls import URLPattern, URLResolver, include, path

from . import api, views

_agency_pages: list[URLPattern | URLResolver] = [
    path("", views.ticket_list_page, name="tickets"),
    path("new/", views.ticket_new, name="ticket-new"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("<str:reference>/", views.ticket_page, name="ticket"),
    path("<str:reference>/reply/", views.ticket_reply, name="ticket-reply"),
    path("<str:reference>/reopen/", views.ticket_reopen, name="ticket-reopen"),
    path("<str:reference>/close/", views.ticket_confirm_close, name="ticket-close"),
    path("<str:reference>/rate/", views.ticket_rate, name="ticket-rate"),
    path("<str:reference>/files/<int:pk>/", views.attachment_download, name="attachment"),
]

_facility_pages: list[URLPattern | URLResolver] = [
    path("", views.queue_page, name="queue"),
    path("settings/", views.helpdesk_settings, name="settings"),
    path("settings/categories/new/", views.category_edit, name="category-new"),
    path("settings/categories/<int:pk>/", views.category_edit, name="category-edit"),
    path("tickets/<str:reference>/", views.agent_ticket, name="agent-ticket"),
    path("tickets/<str:reference>/files/<int:pk>/", views.agent_attachment, name="agent-attachment"),
    path("tickets/<str:reference>/<str:action>/", views.agent_action, name="agent-action"),
]

agency_urlpatterns = [path("helpdesk/", include((_agency_pages, "helpdesk")))]
facility_urlpatterns = [path("helpdesk/", include((_facility_pages, "helpdesk")))]

agency_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("helpdesk/tickets/", api.TicketListApi.as_view(), name="helpdesk-tickets"),
    path("helpdesk/tickets/<str:reference>/", api.TicketDetailApi.as_view(), name="helpdesk-ticket"),
    path("helpdesk/tickets/<str:reference>/replies/", api.ReplyApi.as_view(), name="helpdesk-ticket-replies"),
    path("helpdesk/tickets/<str:reference>/reopen/", api.ReopenApi.as_view(), name="helpdesk-ticket-reopen"),
    path("helpdesk/tickets/<str:reference>/close/", api.CloseApi.as_view(), name="helpdesk-ticket-close"),
    path("helpdesk/tickets/<str:reference>/rating/", api.RateApi.as_view(), name="helpdesk-ticket-rating"),
    path(
        "helpdesk/tickets/<str:reference>/files/<int:pk>/",
        api.AttachmentApi.as_view(),
        name="helpdesk-ticket-attachment",
    ),
    path("helpdesk/categories/", api.CategoryListApi.as_view(), name="helpdesk-categories"),
    path("helpdesk/survey/", api.SurveyApi.as_view(), name="helpdesk-survey"),
]

facility_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("helpdesk/queue/", api.QueueApi.as_view(), name="helpdesk-queue"),
    path("helpdesk/tickets/<str:reference>/", api.AgentTicketApi.as_view(), name="helpdesk-agent-ticket"),
    path("helpdesk/tickets/<str:reference>/replies/", api.AgentReplyApi.as_view(), name="helpdesk-agent-replies"),
    path(
        "helpdesk/tickets/<str:reference>/files/<int:pk>/",
        api.AgentAttachmentApi.as_view(),
        name="helpdesk-agent-attachment",
    ),
    path("helpdesk/tickets/<str:reference>/<str:action>/", api.AgentActionApi.as_view(), name="helpdesk-agent-action"),
    path("helpdesk/categories/", api.CategoryListApi.as_view(), name="helpdesk-categories"),
    path("helpdesk/priority-matrix/", api.PriorityMatrixApi.as_view(), name="helpdesk-priority-matrix"),
]
