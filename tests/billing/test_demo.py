"""The demo's billing: past months issued (one corrected by a credit note), the current month in draft."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from billing.models import CreditNote, Invoice, InvoiceStatus, PriceListVersion
from billing.selectors import current_month
from tenants.models import Agency

pytestmark = pytest.mark.django_db


def test_the_demo_bills_its_past_months_and_drafts_the_current_one(facility):
    started = time.perf_counter()
    call_command("load_demo")
    loaded_in = time.perf_counter() - started
    version = PriceListVersion.objects.get()
    assert version.decision.motion.title.startswith("Price list for ")
    month = current_month()
    past = Invoice.objects.exclude(month=month)
    agencies = Agency.objects.agencies().count()
    assert past.filter(status=InvoiceStatus.ISSUED).count() == 2 * agencies  # two past months, UNEP re-issued
    assert past.filter(status=InvoiceStatus.CANCELLED).count() == 1
    assert Invoice.objects.filter(month=month, status=InvoiceStatus.DRAFT).count() == agencies
    note = CreditNote.objects.get()
    assert note.invoice.agency.code == "UNEP" and note.number.startswith("JOF-CN-")
    undp = past.filter(agency__code="UNDP", status=InvoiceStatus.ISSUED).first()
    assert undp.usage_total > 0 and undp.cost_share_total > 0 and undp.local_currency == "BRL"
    # loading again changes nothing
    call_command("load_demo")
    assert Invoice.objects.count() == 3 * agencies + 1 and CreditNote.objects.count() == 1
    print(f"demo loaded in {loaded_in:.1f} s")
