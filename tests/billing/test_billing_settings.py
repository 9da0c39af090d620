"""The facility's billing settings and each agency's billing details: kept by facility finance on a page, read
by the manager and the auditor, written only through billing.services, stamped on an invoice when issued."""

from __future__ import annotations

import pytest

from accounts.models import Role
from billing import selectors, services
from billing.models import AgencyBillingProfile, BillingSettings, Invoice
from shared_platform.errors import ApplicationError
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db

SETTINGS = {
    "legal_name": "UN Joint Operations Facility",
    "postal_address": "SEN Quadra 802\nBrasília",
    "email": "",
    "bank_name": "Citibank N.A.",
    "bank_address": "",
    "account_name": "JOF",
    "account_number": "123",
    "swift_code": "CITIUS33",
    "routing_number": "",
}


def test_until_saved_the_defaults_apply_with_30_days(db):
    assert selectors.billing_settings().payment_terms_days == 30
    assert not BillingSettings.objects.exists()


def test_facility_finance_saves_the_settings_on_the_page(facility, finance, client_at):
    response = client_at(facility, finance).post("/billing/settings/", {**SETTINGS, "payment_terms_days": "60"})
    assert response.status_code == 302
    saved = BillingSettings.objects.get()
    assert saved.payment_terms_days == 60 and saved.updated_by == finance


def test_refused_settings_are_shown_on_the_form(facility, finance, client_at):
    response = client_at(facility, finance).post("/billing/settings/", {**SETTINGS, "payment_terms_days": "0"})
    assert response.status_code == 400
    assert not BillingSettings.objects.exists()


def test_the_service_refuses_terms_out_of_range(finance):
    with pytest.raises(ApplicationError) as refused:
        services.billing_settings_update(updated_by=finance, payment_terms_days=365, **SETTINGS)
    assert refused.value.code == "billing.invalid_settings"


def test_an_agencys_billing_details_are_kept_on_its_page(facility, finance, undp, client_at):
    browser = client_at(facility, finance)
    assert "Not given yet" in browser.get("/billing/settings/").content.decode()
    response = browser.post(
        "/billing/settings/agencies/UNDP/", {"billing_address": "Casa da ONU", "reference": "PO 1", "contact": ""}
    )
    assert response.status_code == 302
    assert AgencyBillingProfile.objects.get(agency=undp).reference == "PO 1"
    assert browser.get("/billing/settings/agencies/NOPE/").status_code == 404


def test_the_manager_reads_but_cannot_change(facility, make_person, client_at):
    manager = make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test")
    browser = client_at(facility, manager)
    assert browser.get("/billing/settings/").status_code == 200
    assert browser.post("/billing/settings/", {**SETTINGS, "payment_terms_days": "60"}).status_code == 403


def test_an_agency_has_no_settings_page(undp, undp_finance, client_at):
    assert client_at(undp, undp_finance).get("/billing/settings/").status_code == 404


def test_an_issued_invoice_keeps_its_terms_when_the_settings_change(
    undp, undp_agreement, price_list, deliver, run_month, issue, finance
):
    services.billing_settings_update(updated_by=finance, payment_terms_days=30, **SETTINGS)
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run_month()
    invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    services.billing_settings_update(updated_by=finance, payment_terms_days=90, **SETTINGS)
    invoice.refresh_from_db()
    assert invoice.payment_terms_days == 30
