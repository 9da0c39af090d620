"""Billing's addresses, in the "billing" namespace on both kinds of address.

The facility portal (urls_facility.py) includes `facility_urlpatterns` and
`facility_api_urlpatterns`; an agency's address (urls_agency.py) only the
invoice and credit-note pages and API (`agency_urlpatterns`,
`agency_api_urlpatterns`), scoped to that agency.
"""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from . import api, views

_shared_pages: list[URLPattern | URLResolver] = [
    path("", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/lines/<int:line_pk>/usage/", views.line_usage, name="line-usage"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf_download, name="invoice-pdf"),
    path("invoices/<int:pk>/csv/", views.invoice_csv, name="invoice-csv"),
    path("credit-notes/", views.credit_note_list, name="credit-notes"),
    path("credit-notes/<int:pk>/pdf/", views.credit_note_pdf_download, name="credit-note-pdf"),
]

_facility_pages: list[URLPattern | URLResolver] = [
    *_shared_pages,
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="invoice-issue"),
    path("invoices/<int:pk>/pay/", views.invoice_pay, name="invoice-pay"),
    path("invoices/<int:pk>/credit-note/", views.credit_note_create, name="credit-note-create"),
    path("runs/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("runs/<int:pk>/issue/", views.month_issue, name="run-issue"),
    path("prices/", views.price_list, name="prices"),
    path("fixed-costs/", views.fixed_costs, name="fixed-costs"),
    path("fixed-costs/<int:pk>/remove/", views.fixed_cost_remove, name="fixed-cost-remove"),
    path("sharing-keys/", views.sharing_keys, name="sharing-keys"),
    path("exchange-rates/", views.exchange_rates, name="exchange-rates"),
    path("settings/", views.billing_settings, name="settings"),
    path("settings/agencies/<str:code>/", views.agency_billing_profile, name="agency-profile"),
]

facility_urlpatterns = [path("billing/", include((_facility_pages, "billing")))]
agency_urlpatterns = [path("billing/", include((_shared_pages, "billing")))]

_facility_router = DefaultRouter(trailing_slash=True)
_facility_router.include_root_view = False
_facility_router.register("billing/invoices", api.InvoiceViewSet, basename="billing-invoice")
_facility_router.register("billing/credit-notes", api.CreditNoteViewSet, basename="billing-credit-note")
_facility_router.register("billing/runs", api.RunViewSet, basename="billing-run")
_facility_router.register("billing/price-lists", api.PriceListViewSet, basename="billing-price-list")
_facility_router.register("billing/fixed-costs", api.FixedCostViewSet, basename="billing-fixed-cost")
_facility_router.register("billing/sharing-keys", api.SharingKeyViewSet, basename="billing-sharing-key")
_facility_router.register("billing/exchange-rates", api.ExchangeRateViewSet, basename="billing-exchange-rate")

_agency_router = DefaultRouter(trailing_slash=True)
_agency_router.include_root_view = False
_agency_router.register("billing/invoices", api.InvoiceViewSet, basename="billing-invoice")
_agency_router.register("billing/credit-notes", api.CreditNoteViewSet, basename="billing-credit-note")

facility_api_urlpatterns = _facility_router.urls
agency_api_urlpatterns = _agency_router.urls
