"""Facility finance through the pages and the API: run a month, follow it, issue, pay, credit; bad input refused.

Bad input is refused with a clear 4xx and nothing changes; an issued invoice
cannot be changed through the API or the admin either.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from billing.models import (
    BillingRun,
    CreditNote,
    ExchangeRate,
    FixedCost,
    Invoice,
    InvoiceStatus,
    PriceListVersion,
)
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(undp, undp_agreement, price_list, deliver):
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))


def test_the_month_is_run_followed_reviewed_and_issued_from_the_pages(
    october, facility, finance, client_at, django_capture_on_commit_callbacks
):
    browser = client_at(facility, finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/billing/runs/", {"month": "2026-10"})
    run = BillingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/billing/runs/{run.pk}/"
    progress = browser.get(f"/billing/runs/{run.pk}/progress/").json()
    assert progress["finished"] and progress["percent"] == 100 and progress["status"] == "done"
    page = browser.get(f"/billing/runs/{run.pk}/").content.decode()
    assert "Drafts of October 2026 to review" in page and "UNDP" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/billing/runs/{run.pk}/issue/", {"confirm": "on"})
    assert response.status_code == 302
    invoice = Invoice.objects.get(agency__code="UNDP", month=OCTOBER)
    assert invoice.status == InvoiceStatus.ISSUED and invoice.pdf_file
    payment = {"reference": "T-1", "paid_on": timezone.localdate().isoformat()}
    assert browser.post(f"/billing/invoices/{invoice.pk}/pay/", payment).status_code == 302
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    credit = {"reason": "Wrong", "confirm": "on"}
    assert browser.post(f"/billing/invoices/{invoice.pk}/credit-note/", credit).status_code == 302
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.CANCELLED


def test_the_same_through_the_api(october, facility, finance, api_at, django_capture_on_commit_callbacks):
    api = api_at(facility, finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/billing/runs/", {"month": "2026-10"}, format="json")
    assert response.status_code == 202
    run = api.get(f"/api/billing/runs/{response.json()['id']}/").json()
    assert run["status"] == "done" and run["percent"] == 100
    draft = api.get("/api/billing/invoices/", {"status": "draft", "agency": "UNDP"}).json()["results"][0]
    assert draft["number"] is None and draft["total"] == "40.00"
    with django_capture_on_commit_callbacks(execute=True):
        issued = api.post(f"/api/billing/invoices/{draft['id']}/issue/").json()
    assert issued["status"] == "issued" and issued["number"].startswith("JOF-")
    assert issued["lines"][0]["service"] == "ICT-REQ"
    payment = {"reference": "T-1", "paid_on": timezone.localdate().isoformat()}
    paid = api.post(f"/api/billing/invoices/{draft['id']}/pay/", payment, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    again = api.post(f"/api/billing/invoices/{draft['id']}/pay/", payment, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "billing.illegal_transition"
    note = api.post(f"/api/billing/invoices/{draft['id']}/credit-note/", {"reason": "Duplicate"}, format="json")
    assert note.status_code == 201 and note.json()["number"].startswith("JOF-CN-")


def test_an_issued_invoice_cannot_be_changed_or_deleted_through_the_api(
    october, facility, finance, api_at, run_month, issue
):
    run_month()
    invoice = issue(Invoice.objects.get(agency__code="UNDP", month=OCTOBER))
    api = api_at(facility, finance)
    for method in (api.put, api.patch, api.delete):
        response = method(f"/api/billing/invoices/{invoice.pk}/", {"total": "1.00"}, format="json")
        assert response.status_code == 405
    assert Invoice.objects.get(pk=invoice.pk).total == Decimal("40.00")


def test_an_issued_invoice_cannot_be_changed_or_deleted_in_the_admin(
    october, facility, run_month, issue, make_person, client_at
):
    run_month()
    invoice = issue(Invoice.objects.get(agency__code="UNDP", month=OCTOBER))
    admin = make_person((Role.FACILITY_MANAGER, None), email="admin@facility.test", is_staff=True, is_superuser=True)
    browser = client_at(facility, admin)
    assert browser.get(f"/admin/billing/invoice/{invoice.pk}/change/").status_code == 200  # it can be read
    assert browser.post(f"/admin/billing/invoice/{invoice.pk}/change/", {"total": "1.00"}).status_code == 403
    assert browser.post(f"/admin/billing/invoice/{invoice.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = browser.post(
        "/admin/billing/invoice/", {"action": "delete_selected", "_selected_action": [invoice.pk], "post": "yes"}
    )
    assert changelist.status_code in (200, 302)
    assert Invoice.objects.get(pk=invoice.pk).total == Decimal("40.00")


def test_bad_input_is_refused_clearly_and_changes_nothing(facility, finance, decision, catalogue, api_at, client_at):
    api = api_at(facility, finance)

    def refused(path: str, payload: dict, field: str) -> None:
        response = api.post(path, payload, format="json")
        assert response.status_code == 400, (path, response.content)
        body = response.json()["error"]
        assert field in body["fields"] or field in body["message"], body

    refused("/api/billing/fixed-costs/", {"month": "2026-10", "description": "Rent", "amount": "-100.00"}, "amount")
    refused("/api/billing/exchange-rates/", {"month": "2026-10", "currency": "XYZ", "rate": "5.1"}, "currency")
    refused(
        "/api/billing/price-lists/",
        {"effective_from": "2026-01-01", "decision": decision.number,
         "items": [{"service": "ICT-INC", "unit_price": "25.12345"}]},
        "unit_price",
    )  # fmt: skip
    refused("/api/billing/runs/", {"month": "2099-01"}, "month")
    refused("/api/billing/runs/", {"month": "October"}, "month")
    refused(
        "/api/billing/price-lists/",
        {"effective_from": "2026-01-01", "decision": 9999, "items": [{"service": "ICT-INC", "unit_price": "25"}]},
        "decision",
    )
    refused("/api/billing/sharing-keys/", {"effective_from": "2026-10", "method": "by_size", "decision": 1}, "method")
    # the same on the pages: a 400 with the message on the form
    browser = client_at(facility, finance)
    page = browser.post("/billing/fixed-costs/", {"month": "2026-10", "description": "Rent", "amount": "-1"})
    assert page.status_code == 400 and "greater than or equal to 0" in page.content.decode()
    page = browser.post("/billing/runs/", {"month": "2099-01"})
    assert page.status_code == 400 and "has not begun" in page.content.decode()
    page = browser.post("/billing/prices/", {"effective_from": "2026-01-01", "decision": decision.number,
                                             "price_ICT-INC": "1.00001"})  # fmt: skip
    assert page.status_code == 400 and "4 decimal places" in page.content.decode()
    # and nothing was saved
    assert not FixedCost.objects.exists() and not ExchangeRate.objects.exists()
    assert not PriceListVersion.objects.exists() and not BillingRun.objects.exists()
    assert not CreditNote.objects.exists()


def test_a_negative_quantity_is_refused_by_the_ledger_and_the_database(undp, undp_agreement, raise_request):
    from django.db import IntegrityError, transaction

    from billing.models import UsageEvent
    from ledger.services import entry_billable_record
    from shared_platform.errors import ApplicationError

    entry = raise_request(undp, "ICT-REQ", at(2026, 10, 5, 10, 0), priority="P4")
    with pytest.raises(ApplicationError):
        entry_billable_record(entry=entry, units=Decimal("-2"))
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageEvent.objects.create(
            entry=entry, unit_number=1, agency=undp, service=entry.service, quantity=Decimal("-1"),
            completed_on=OCTOBER, month=OCTOBER, recorded_at=entry.opened_at,
        )  # fmt: skip
    assert not UsageEvent.objects.exists()


def test_a_new_price_list_cannot_reach_an_issued_month(october, run_month, issue, catalogue, decision, finance):
    from billing import services
    from shared_platform.errors import ApplicationError

    run_month()
    issue(Invoice.objects.get(agency__code="UNDP", month=OCTOBER))
    with pytest.raises(ApplicationError) as refused:
        services.price_list_version_create(
            effective_from=OCTOBER.replace(day=15), decision=decision, prices={catalogue["ICT-REQ"]: "1"},
            created_by=finance,
        )  # fmt: skip
    assert refused.value.code == "billing.period_issued"
