"""The receiving demo: orders received (the latest in part), invoices payable and one held, vendors rated,
by the demo's people, through the services; loading twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from procurement.demo_receiving import receiving_demo_load
from procurement.models import GoodsReceipt, InvoiceStatus, SupplierInvoice
from procurement.receiving_selectors import order_line_figures
from sourcing.models import VendorRating

pytestmark = pytest.mark.django_db


def test_the_demo_receives_invoices_and_rates_the_agencys_orders_once(ordered, make_person, undp, facility):
    # given the demo's finance people and three UNDP orders issued over the last weeks
    receiver = make_person((Role.AGENCY_FINANCE, undp), email="finance@undp.demo")
    make_person((Role.FACILITY_FINANCE, None), email="finance@facility.demo")
    now = timezone.now()
    orders = [ordered([("10", "100.00"), ("4", "12.50")], at=now - timedelta(days=days)) for days in (30, 20, 10)]
    # when the demo is loaded
    added = receiving_demo_load(now=now)
    # then every order is received by the agency's finance officer, the latest only in part
    assert added == 3 + 2 * 2
    assert set(GoodsReceipt.objects.values_list("received_by_id", flat=True)) == {receiver.pk}
    latest = {line.position: line for line in order_line_figures(order=orders[-1])}
    assert (latest[1].received, latest[2].received) == (5, 0)
    assert all(line.remaining == 0 for order in orders[:-1] for line in order_line_figures(order=order))
    # the first invoice is payable, the second held for a price above the order's
    statuses = [SupplierInvoice.objects.get(order_number=order.number).status for order in orders[:-1]]
    assert statuses == [InvoiceStatus.RELEASED, InvoiceStatus.HELD]
    assert not SupplierInvoice.objects.filter(order_number=orders[-1].number).exists()
    assert VendorRating.objects.filter(agency=undp).count() == 2
    # and loading it again adds nothing
    assert receiving_demo_load(now=now) == 0
    assert receiving_demo_load(months=0) == 0
