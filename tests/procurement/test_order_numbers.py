"""Purchase order numbers are gapless per agency and year, even when buyers issue at the same moment."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from ledger.services import alerts_muted
from procurement import services
from procurement.models import CaseEvent, PurchaseOrder, Requisition
from tests.billing.test_concurrency import in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet")]


def test_concurrent_orders_take_consecutive_numbers_and_a_failed_issue_gives_its_number_back(
    sourcing, vendors, people, undp
):
    # given eight micro-purchases, each with a quotation
    requisitions = [sourcing("900.00") for _ in range(8)]
    quotations = [
        services.quotation_record(
            requisition=requisition, vendor=vendors[0], currency="USD", unit_prices=["850"], by=people.buyer
        )
        for requisition in requisitions
    ]

    def issue(index: int) -> str:
        with schema_context(undp.schema_name), alerts_muted():  # a thread starts without the test's context
            # the first one fails after taking its number (no terms): its number must come back
            terms = "" if index == 0 else "Payment 30 days after delivery."
            return services.order_issue(
                agency=undp, requisition=requisitions[index], by=people.buyer, terms=terms, quotation=quotations[index]
            ).number

    # when eight buyers issue at once
    try:
        results = in_threads(8, issue)
        numbers = sorted(result for result in results if isinstance(result, str))
        assert numbers, results
        # then seven orders, numbered 1..7 with no gap and no repeat
        assert len(numbers) == 7
        assert [int(number.rsplit("-", 1)[1]) for number in numbers] == list(range(1, 8))
        assert numbers[0].startswith("UNDP-PO-")
    finally:
        with schema_context(undp.schema_name):
            PurchaseOrder.objects.all().delete()
            CaseEvent.objects.all().delete()
            Requisition.objects.all().delete()
