"""Recording a payment needs the transfer reference and the day it was paid, through the API and the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Invoice, InvoiceStatus
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(undp, undp_agreement, price_list, deliver, run_month, issue) -> Invoice:
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run_month()
    return issue(Invoice.objects.get(agency=undp, month=OCTOBER))


def test_an_empty_payment_is_refused_naming_the_reference_and_the_day(issued, facility, finance, api_at) -> None:
    # when facility finance posts a payment with nothing in it
    response = api_at(facility, finance).post(f"/api/billing/invoices/{issued.pk}/pay/", {}, format="json")

    # then it is refused, naming both, and the invoice is still unpaid
    assert response.status_code == 400, response.content
    assert {"reference", "paid_on"} <= set(response.json()["error"]["fields"])
    assert Invoice.objects.get(pk=issued.pk).status == InvoiceStatus.ISSUED


def test_a_blank_reference_is_refused_by_the_service_too(issued, facility, finance, api_at) -> None:
    payment = {"reference": "   ", "paid_on": timezone.localdate().isoformat()}
    response = api_at(facility, finance).post(f"/api/billing/invoices/{issued.pk}/pay/", payment, format="json")

    assert response.status_code == 400, response.content
    assert Invoice.objects.get(pk=issued.pk).status == InvoiceStatus.ISSUED


@pytest.mark.parametrize(("days", "code"), [(1, "billing.paid_in_future"), (-400, "billing.paid_before_issue")])
def test_a_payment_day_in_the_future_or_before_the_issue_is_refused(
    days: int, code: str, issued, facility, finance, api_at
) -> None:
    payment = {"reference": "T-1", "paid_on": (timezone.localdate() + timedelta(days=days)).isoformat()}
    response = api_at(facility, finance).post(f"/api/billing/invoices/{issued.pk}/pay/", payment, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert Invoice.objects.get(pk=issued.pk).status == InvoiceStatus.ISSUED


def test_a_payment_keeps_its_reference_and_day(issued, facility, finance, api_at) -> None:
    # when facility finance records today's transfer
    payment = {"reference": "UNDP transfer 4711", "paid_on": timezone.localdate().isoformat()}
    response = api_at(facility, finance).post(f"/api/billing/invoices/{issued.pk}/pay/", payment, format="json")

    # then the invoice is paid with that reference, on that day
    assert response.status_code == 200, response.content
    paid = Invoice.objects.get(pk=issued.pk)
    assert paid.status == InvoiceStatus.PAID and paid.payment_reference == "UNDP transfer 4711"
    assert timezone.localdate(paid.paid_at) == timezone.localdate()


def test_the_page_form_asks_for_the_reference_and_the_day(issued, facility, finance, client_at) -> None:
    browser = client_at(facility, finance)

    # the form shows both fields, and a post without them changes nothing
    page = browser.get(f"/billing/invoices/{issued.pk}/").content.decode()
    assert 'name="reference"' in page and 'name="paid_on"' in page
    refused = browser.post(f"/billing/invoices/{issued.pk}/pay/", {"reference": "T-1"})
    assert refused.status_code == 400
    assert Invoice.objects.get(pk=issued.pk).status == InvoiceStatus.ISSUED
