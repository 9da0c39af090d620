"""Irreversible billing steps say what cannot be undone and act only when confirmed:
issuing an invoice (it takes the next gapless number for good), issuing all drafts, a credit note."""

from __future__ import annotations

import pytest

from billing.models import BillingRun, CreditNote, Invoice, InvoiceStatus, NumberCounter
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(undp, unfpa, undp_agreement, unfpa_agreement, price_list, deliver, run_month):
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    deliver(unfpa, "ICT-REQ", at(2026, 10, 6, 10, 0))
    run_month()
    return Invoice.objects.get(agency=undp, month=OCTOBER)


def test_issuing_asks_first_and_says_it_cannot_be_undone(draft, facility, finance, client_at):
    page = client_at(facility, finance).get(f"/billing/invoices/{draft.pk}/issue/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "This cannot be undone." in text and "gapless" in text
    assert 'name="confirm"' in text
    assert Invoice.objects.get(pk=draft.pk).status == InvoiceStatus.DRAFT


def test_issuing_without_the_confirmation_changes_nothing(draft, facility, finance, client_at):
    response = client_at(facility, finance).post(f"/billing/invoices/{draft.pk}/issue/")
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.DRAFT and draft.number is None
    assert not NumberCounter.objects.exists()


def test_issuing_with_the_confirmation_issues(draft, facility, finance, client_at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_at(facility, finance).post(f"/billing/invoices/{draft.pk}/issue/", {"confirm": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.ISSUED and draft.number.startswith("JOF-")


def test_issuing_all_drafts_asks_then_acts(draft, facility, finance, client_at, django_capture_on_commit_callbacks):
    run = BillingRun.objects.get()
    browser = client_at(facility, finance)
    page = browser.get(f"/billing/runs/{run.pk}/issue/").content.decode()
    assert "2 drafts" in page and "This cannot be undone." in page and "UNFPA" in page

    assert browser.post(f"/billing/runs/{run.pk}/issue/").status_code == 400
    assert Invoice.objects.filter(status=InvoiceStatus.DRAFT).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(f"/billing/runs/{run.pk}/issue/", {"confirm": "on"}).status_code == 302
    assert not Invoice.objects.filter(status=InvoiceStatus.DRAFT).exists()


def test_a_credit_note_needs_its_reason_and_the_confirmation(draft, issue, facility, finance, client_at):
    invoice = issue(draft)
    browser = client_at(facility, finance)
    page = browser.get(f"/billing/invoices/{invoice.pk}/credit-note/").content.decode()
    assert "cannot be withdrawn" in page

    response = browser.post(f"/billing/invoices/{invoice.pk}/credit-note/", {"reason": "Billed twice"})
    assert response.status_code == 400
    assert not CreditNote.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.ISSUED

    response = browser.post(f"/billing/invoices/{invoice.pk}/credit-note/", {"reason": "Billed twice", "confirm": "on"})
    assert response.status_code == 302
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.CANCELLED


def test_the_invoice_page_links_to_the_confirmation_rather_than_acting(draft, facility, finance, client_at):
    page = client_at(facility, finance).get(f"/billing/invoices/{draft.pk}/").content.decode()
    assert f'href="/billing/invoices/{draft.pk}/issue/"' in page
    assert "confirm(" not in page
