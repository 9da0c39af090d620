"""Where the facility keeps an agency's PDF is its own business: no storage path in anything an agency sees."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from billing.models import Invoice
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def test_no_page_pdf_csv_or_api_answer_shows_the_storage_path(
    undp, undp_agreement, price_list, deliver, run_month, issue, undp_finance, client_at, api_at
):
    # given UNDP's issued invoice, its PDF stored by the worker
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run_month()
    invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    assert invoice.pdf_file.startswith("billing/invoices/")

    # when UNDP's finance officer reads everything billing shows them
    browser, api = client_at(undp, undp_finance), api_at(undp, undp_finance)
    seen = [
        browser.get("/billing/").content.decode(),
        browser.get(f"/billing/invoices/{invoice.pk}/").content.decode(),
        browser.get("/billing/credit-notes/").content.decode(),
        browser.get(f"/billing/invoices/{invoice.pk}/csv/").content.decode(),
        json.dumps(api.get("/api/billing/invoices/").json()),
        json.dumps(api.get(f"/api/billing/invoices/{invoice.pk}/").json()),
    ]
    pdf = browser.get(f"/billing/invoices/{invoice.pk}/pdf/").content
    seen.append("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))

    # then the storage path appears nowhere
    for text in seen:
        assert invoice.pdf_file not in text
        assert "billing/invoices/JOF" not in text
        assert "pdf_file" not in text
