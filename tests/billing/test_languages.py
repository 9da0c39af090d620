"""Billing in each reader's language: pages and messages translated, money and dates written as the language
writes them (7,772.07 in English, 7.772,07 in Portuguese, 7 772,07 in French)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing import services
from billing.models import Invoice
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def october_invoice(undp, undp_agreement, price_list, deliver, run_month, finance):
    """UNDP's October draft: one request (USD 40.00) and its equal share of USD 23,196.21 of fixed costs
    among the three billed agencies (UNDP, UNFPA, UNAIDS): USD 7,772.07."""
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    services.fixed_cost_add(month=OCTOBER, description="Premises", amount="23196.21", entered_by=finance)
    run_month()
    invoice = Invoice.objects.get(agency=undp, month=OCTOBER)
    assert invoice.total == Decimal("7772.07")
    return invoice


def test_a_french_browser_reads_the_invoice_list_in_french(october_invoice, facility, finance, client_at):
    # given facility finance whose browser asks for French
    browser = client_at(facility, finance)

    # when they open the billing page
    page = browser.get("/billing/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    # then the page speaks French, its amounts are grouped the French way and months are French
    assert 'lang="fr"' in page
    assert "Facturer un mois" in page and "Clés de répartition" in page
    assert "octobre 2026" in page
    assert "7\u00a0772,07" in page or "7 772,07" in page
    assert "Run the month" not in page


def test_a_person_who_chose_portuguese_reads_the_invoice_in_portuguese(october_invoice, facility, finance, client_at):
    # given facility finance who chose Portuguese on their account
    finance.language = "pt-br"
    finance.save(update_fields=["language"])

    # when they open UNDP's draft
    page = client_at(facility, finance).get(f"/billing/invoices/{october_invoice.pk}/").content.decode()

    # then the facts and totals read in Portuguese, money with Brazilian separators
    assert "Rascunho de fatura" in page and "Serviços utilizados" in page
    assert "7.772,07" in page
    assert "outubro de 2026" in page.lower()  # Django writes the month capitalised in Brazilian Portuguese


def test_a_spanish_reader_gets_the_services_refusal_in_spanish(facility, finance, client_at, price_list):
    # given facility finance reading Spanish
    browser = client_at(facility, finance)

    # when they enter a fixed cost with three decimals
    response = browser.post(
        "/billing/fixed-costs/",
        {"month": "2026-10", "description": "Local", "amount": "-5"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    # then the form's error is in Spanish
    assert response.status_code == 400
    page = response.content.decode()
    assert "Costos fijos del centro de servicios" in page


def test_english_stays_the_default(october_invoice, facility, finance, client_at):
    page = client_at(facility, finance).get(f"/billing/invoices/{october_invoice.pk}/").content.decode()
    assert "Draft invoice" in page and "7,772.07" in page and "October 2026" in page
