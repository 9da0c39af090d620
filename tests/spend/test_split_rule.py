"""The split-purchase rule (PRODUCT.md, "Split-purchase warning"; issue 14): the same agency buying the same
category from the same vendor again and again within 12 months, each purchase under a method threshold while
together they pass it, goes ahead only with an explanation, recorded as a flag.

The thresholds are the defaults: micro-purchase up to 15,000 USD, request for quotation up to 200,000 USD.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from procurement import services
from procurement.models import Requisition
from shared_platform.errors import ApplicationError
from sourcing.models import LongTermAgreement, PurchaseRecord, SplitFlag, SplitStage
from sourcing.selectors.spend import split_findings, split_lookup, window_start
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


def _approve(requisition: Requisition, people, undp, when, explanation: str = "") -> Requisition:
    return services.requisition_approve(
        agency=undp, requisition=requisition, approver=people.approver, split_explanation=explanation, at=when
    )


# -- at approval -------------------------------------------------------------------------------------------


def test_the_third_micro_purchase_of_6000_from_one_vendor_within_12_months_is_refused_without_an_explanation(
    micro_purchase, vendors, people, undp
):
    # given two micro-purchases of 6,000 of IT equipment from Alfa, in March and June
    first = micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    second = micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10))
    # and a third requisition of 6,000 in the same category, raised in September
    third = micro_purchase("6000.00", vendors[0], at(2026, 9, 1, 10), approve=False).requisition
    # when the approver approves it without an explanation
    with pytest.raises(ApplicationError) as refused:
        _approve(third, people, undp, at(2026, 9, 2, 10))
    # then it is refused, naming the earlier orders and the threshold
    error = refused.value
    assert error.code == "procurement.split_purchase"
    assert error.status_code == 409
    assert first.order.number in error.message and second.order.number in error.message
    assert first.requisition.reference in error.message
    assert "micro-purchase threshold of 15,000.00 USD" in error.message
    assert "18,000.00 USD" in error.message
    assert list(error.fields) == ["split_explanation"]
    # and nothing changed
    third.refresh_from_db()
    assert third.status == "submitted"
    assert not SplitFlag.objects.exists()


def test_with_the_approvers_explanation_the_third_is_approved_and_a_flag_names_the_earlier_purchases(
    micro_purchase, vendors, people, undp
):
    # given two micro-purchases of 6,000 from Alfa within the year
    first = micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    second = micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10))
    # when a third of 6,000 is approved with the approver's explanation
    third = micro_purchase(
        "6000.00",
        vendors[0],
        at(2026, 9, 1, 10),
        order=False,
        explanation="Three separate projects, each funded by a different donor.",
    ).requisition
    # then it is approved and one flag records the finding at approval
    assert third.status == "approved"
    flag = SplitFlag.objects.get()
    assert (flag.agency_id, flag.requisition_reference, flag.stage) == (undp.pk, third.reference, SplitStage.APPROVAL)
    assert (flag.vendor_id, flag.method_threshold) == (vendors[0].pk, "micro")
    assert (flag.threshold_usd, flag.this_amount_usd, flag.total_usd) == (
        Decimal("15000.00"),
        Decimal("6000.00"),
        Decimal("18000.00"),
    )
    assert [purchase["order_number"] for purchase in flag.purchases] == [first.order.number, second.order.number]
    assert [purchase["requisition"] for purchase in flag.purchases] == [
        first.requisition.reference,
        second.requisition.reference,
    ]
    assert flag.purchases[0] == {
        "order_number": first.order.number,
        "requisition": first.requisition.reference,
        "ordered_on": "2026-03-03",
        "amount_usd": "6000.00",
    }
    assert flag.explanation == "Three separate projects, each funded by a different donor."
    assert flag.explained_by_id == people.approver.pk
    # and the requisition's history says so
    assert third.events.filter(kind="split").count() == 1


def test_two_micro_purchases_of_6000_are_approved_without_a_question(micro_purchase, vendors):
    # given one micro-purchase of 6,000 from Alfa
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    # when a second of 6,000 is approved with no explanation
    second = micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10), order=False)
    # then it goes ahead: 12,000 stays under 15,000
    assert second.requisition.status == "approved"
    assert not SplitFlag.objects.exists()


def test_purchases_13_months_apart_do_not_make_a_split(micro_purchase, vendors):
    # given a micro-purchase of 6,000 ordered in August 2025 and another in March 2026
    micro_purchase("6000.00", vendors[0], at(2025, 8, 14, 10))
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    # when a third is approved in September 2026, 13 months after the first
    third = micro_purchase("6000.00", vendors[0], at(2026, 9, 15, 10), order=False)
    # then only the March purchase is within 12 months: 12,000, no split
    assert third.requisition.status == "approved"
    assert not SplitFlag.objects.exists()


def test_a_purchase_ordered_one_year_before_to_the_day_no_longer_counts_but_the_day_after_does(
    micro_purchase, vendors, undp, laptops
):
    # given two purchases of 6,000 ordered on 10 March 2025 and 11 March 2025 (ordered the day after raising)
    micro_purchase("6000.00", vendors[0], at(2025, 3, 9, 10))
    micro_purchase("6000.00", vendors[1], at(2025, 3, 10, 10))
    amounts = {laptops.pk: Decimal("6000.00")}
    # when the check runs on 10 March 2026 for another 6,000 with each vendor, and one earlier order of 6,000
    for vendor in vendors[:2]:
        PurchaseRecord.objects.create(
            agency=undp,
            order_number=f"X-{vendor.pk}",
            requisition_reference=f"UNDP-PR-X{vendor.pk}",
            vendor=vendor,
            category=laptops,
            method="micro",
            ordered_on=date(2026, 1, 5),
            amount_usd=Decimal("6000.00"),
        )
    found = {
        finding.vendor_id
        for finding in split_findings(agency=undp, amounts_by_category=amounts, vendor_id=None, on=date(2026, 3, 10))
    }
    # then the order of 10 March 2025 (a year before to the day) is out, that of 11 March 2025 is in
    assert found == {vendors[1].pk}


def test_the_window_of_29_february_starts_on_1_march_of_the_year_before():
    assert window_start(date(2028, 2, 29)) == date(2027, 3, 1)
    assert window_start(date(2026, 3, 1)) == date(2025, 3, 2)


# -- thresholds at their boundary ------------------------------------------------------------------------------


def test_purchases_that_add_up_to_exactly_the_threshold_are_not_a_split(micro_purchase, vendors):
    # given two micro-purchases of 5,000 from Alfa
    micro_purchase("5000.00", vendors[0], at(2026, 3, 2, 10))
    micro_purchase("5000.00", vendors[0], at(2026, 5, 4, 10))
    # when a third of 5,000 is approved: 15,000, exactly the threshold
    third = micro_purchase("5000.00", vendors[0], at(2026, 7, 1, 10), order=False)
    # then it goes ahead
    assert third.requisition.status == "approved"
    assert not SplitFlag.objects.exists()


def test_one_cent_above_the_threshold_together_is_a_split(micro_purchase, vendors, people, undp):
    micro_purchase("5000.00", vendors[0], at(2026, 3, 2, 10))
    micro_purchase("5000.00", vendors[0], at(2026, 5, 4, 10))
    with pytest.raises(ApplicationError) as refused:
        micro_purchase("5000.01", vendors[0], at(2026, 7, 1, 10), order=False)
    assert refused.value.code == "procurement.split_purchase"
    assert "15,000.01 USD" in refused.value.message


def test_a_purchase_exactly_at_the_threshold_still_counts_as_under_it(micro_purchase, vendors, undp, laptops):
    # given an earlier micro-purchase of exactly 15,000 from Alfa
    micro_purchase("15000.00", vendors[0], at(2026, 3, 2, 10))
    # when another of 100 is checked
    findings = split_findings(
        agency=undp, amounts_by_category={laptops.pk: Decimal("100.00")}, vendor_id=None, on=date(2026, 4, 1)
    )
    # then both are at most the micro threshold and together above it
    assert [(finding.threshold_method, finding.total_usd) for finding in findings] == [("micro", Decimal("15100.00"))]


def test_an_earlier_purchase_above_the_threshold_is_not_part_of_a_split_under_it(
    micro_purchase, vendors, undp, laptops
):
    # given an earlier purchase of 16,000 (an RFQ) from Alfa
    PurchaseRecord.objects.create(
        agency=undp,
        order_number="UNDP-PO-2026-900001",
        requisition_reference="UNDP-PR-900001",
        vendor=vendors[0],
        category=laptops,
        method="rfq",
        ordered_on=date(2026, 3, 1),
        amount_usd=Decimal("16000.00"),
    )
    # when a micro-purchase of 6,000 is checked
    findings = split_findings(
        agency=undp, amounts_by_category={laptops.pk: Decimal("6000.00")}, vendor_id=None, on=date(2026, 4, 1)
    )
    # then 16,000 does not sit under the micro threshold; under the RFQ one, 22,000 stays below 200,000
    assert findings == []


def test_request_for_quotation_purchases_that_add_up_above_200000_are_a_split(vendors, undp, laptops):
    # given three earlier purchases of 60,000 (RFQs) from Alfa in the year
    for number, month in enumerate((2, 4, 6), start=1):
        PurchaseRecord.objects.create(
            agency=undp,
            order_number=f"UNDP-PO-2026-90000{number}",
            requisition_reference=f"UNDP-PR-90000{number}",
            vendor=vendors[0],
            category=laptops,
            method="rfq",
            ordered_on=date(2026, month, 1),
            amount_usd=Decimal("60000.00"),
        )
    # when another RFQ of 30,000 is checked with Alfa
    findings = split_findings(
        agency=undp, amounts_by_category={laptops.pk: Decimal("30000.00")}, vendor_id=vendors[0].pk, on=date(2026, 8, 1)
    )
    # then 210,000 passes the RFQ threshold
    assert [(f.threshold_method, f.threshold_usd, f.total_usd, len(f.purchases)) for f in findings] == [
        ("rfq", Decimal("200000.00"), Decimal("210000.00"), 3)
    ]


# -- what counts -----------------------------------------------------------------------------------------------


def test_a_cancelled_order_does_not_count(micro_purchase, vendors, people):
    # given two micro-purchases of 6,000 from Alfa, the second's order cancelled
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    second = micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10))
    services.order_cancel(order=second.order, by=people.buyer, reason="The project was postponed.")
    assert PurchaseRecord.objects.get(order_number=second.order.number).cancelled
    # when a third of 6,000 is approved without an explanation
    third = micro_purchase("6000.00", vendors[0], at(2026, 9, 1, 10), order=False)
    # then it goes ahead: 12,000 counts
    assert third.requisition.status == "approved"


def test_another_agencys_purchases_do_not_count(micro_purchase, vendors, unfpa, unfpa_people):
    # given two micro-purchases of 6,000 from Alfa by UNFPA
    for month in (3, 6):
        micro_purchase(
            "6000.00",
            vendors[0],
            at(2026, month, 2, 10),
            agency=unfpa,
            requester=unfpa_people["requester"],
            approver=unfpa_people["approver"],
        )
    # when UNDP approves a purchase of 6,000 in the same category
    third = micro_purchase("6000.00", vendors[0], at(2026, 9, 1, 10), order=False)
    # then UNFPA's purchases do not make it a split of UNDP's
    assert third.requisition.status == "approved"
    assert not SplitFlag.objects.exists()


def test_purchases_from_different_vendors_or_categories_do_not_add_up(micro_purchase, vendors, undp, laptops):
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    micro_purchase("6000.00", vendors[1], at(2026, 5, 4, 10))
    other = laptops.__class__.objects.create(code="OFFICE", name="Office supplies")
    vendors[0].categories.add(other)
    micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10), category=other)
    third = micro_purchase("6000.00", vendors[0], at(2026, 9, 1, 10), order=False)
    assert third.requisition.status == "approved"


def test_call_offs_against_an_agreement_are_left_out(vendors, undp, laptops, roster_keeper):
    # given two earlier purchases of 6,000 from Alfa called off a long-term agreement
    agreement = LongTermAgreement.objects.create(
        reference="LTA-2026-001",
        title="Laptops",
        owner=undp,
        vendor=vendors[0],
        valid_from=date(2026, 1, 1),
        valid_until=date(2027, 12, 31),
        ceiling_usd=Decimal("500000.00"),
        source_kind="contract",
        created_by=roster_keeper,
        created_at=at(2026, 1, 1, 9),
    )
    for number in (1, 2):
        PurchaseRecord.objects.create(
            agency=undp,
            order_number=f"UNDP-PO-2026-80000{number}",
            requisition_reference=f"UNDP-PR-80000{number}",
            vendor=vendors[0],
            category=laptops,
            method="lta",
            agreement=agreement,
            ordered_on=date(2026, 3, number),
            amount_usd=Decimal("6000.00"),
        )
    amounts = {laptops.pk: Decimal("6000.00")}
    # when a purchase of 6,000 from the market is checked
    findings = split_findings(agency=undp, amounts_by_category=amounts, vendor_id=None, on=date(2026, 4, 1))
    # then the call-offs (competed once, as the agreement) do not make it a split
    assert findings == []
    # while the same purchases bought from the market would
    PurchaseRecord.objects.filter(agency=undp).update(agreement=None, method="micro")
    assert len(split_findings(agency=undp, amounts_by_category=amounts, vendor_id=None, on=date(2026, 4, 1))) == 1


# -- at the purchase order ---------------------------------------------------------------------------------------


def test_the_order_to_the_same_vendor_is_refused_without_the_buyers_explanation(micro_purchase, vendors, people, undp):
    # given two micro-purchases of 6,000 from Alfa, and a third approved with the approver's explanation
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10))
    third = micro_purchase(
        "6000.00", vendors[0], at(2026, 9, 1, 10), order=False, explanation="Separate donor-funded projects."
    ).requisition
    services.requisition_take(requisition=third, buyer=people.buyer, at=at(2026, 9, 1, 14))
    alfa = services.quotation_record(
        requisition=third,
        vendor=vendors[0],
        currency="USD",
        unit_prices=["6000.00"],
        by=people.buyer,
        at=at(2026, 9, 2, 10),
    )
    # when the buyer issues the order to Alfa without an explanation
    with pytest.raises(ApplicationError) as refused:
        services.order_issue(
            agency=undp, requisition=third, by=people.buyer, terms="Net 30.", quotation=alfa, at=at(2026, 9, 3, 10)
        )
    # then it is refused and no order exists
    assert refused.value.code == "procurement.split_purchase"
    assert not third.orders.exists()
    # and with the buyer's explanation it is issued, with a second flag, at the order
    order = services.order_issue(
        agency=undp,
        requisition=third,
        by=people.buyer,
        terms="Net 30.",
        quotation=alfa,
        split_explanation="Checked with the programme: three donors, three budgets.",
        at=at(2026, 9, 3, 10),
    )
    assert order.number
    stages = list(SplitFlag.objects.filter(requisition_reference=third.reference).values_list("stage", "explained_by"))
    assert sorted(stages) == [(SplitStage.APPROVAL, people.approver.pk), (SplitStage.ORDER, people.buyer.pk)]


def test_the_order_to_another_vendor_goes_ahead_without_a_question(micro_purchase, vendors, people, undp):
    # given two micro-purchases of 6,000 from Alfa, and a third approved with an explanation
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10))
    # when the third is ordered from Beta
    third = micro_purchase("6000.00", vendors[1], at(2026, 9, 1, 10), explanation="Separate projects.")
    # then only the approval raised a flag: Beta has no earlier purchase
    assert third.order is not None
    assert list(SplitFlag.objects.values_list("stage", flat=True)) == [SplitStage.APPROVAL]


def test_three_orders_of_6000_the_first_13_months_before_the_third_are_not_a_split_at_order(micro_purchase, vendors):
    micro_purchase("6000.00", vendors[0], at(2025, 8, 14, 10))
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    third = micro_purchase("6000.00", vendors[0], at(2026, 9, 15, 10))
    assert third.order is not None
    assert not SplitFlag.objects.exists()


def test_an_explanation_longer_than_the_limit_is_refused_and_nothing_is_recorded(micro_purchase, vendors, people, undp):
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10))
    third = micro_purchase("6000.00", vendors[0], at(2026, 9, 1, 10), approve=False).requisition
    with pytest.raises(ApplicationError) as refused:
        _approve(third, people, undp, at(2026, 9, 2, 10), explanation="x" * 2001)
    assert refused.value.fields.keys() == {"split_explanation"}
    third.refresh_from_db()
    assert third.status == "submitted"
    assert not SplitFlag.objects.exists()


def test_a_blank_explanation_is_no_explanation(micro_purchase, vendors, people, undp):
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10))
    third = micro_purchase("6000.00", vendors[0], at(2026, 9, 1, 10), approve=False).requisition
    with pytest.raises(ApplicationError) as refused:
        _approve(third, people, undp, at(2026, 9, 2, 10), explanation="   \n ")
    assert refused.value.code == "procurement.split_purchase"


# -- the query -------------------------------------------------------------------------------------------------------


def test_the_check_is_one_query_answered_from_the_split_index_alone(micro_purchase, vendors, undp, laptops):
    # given purchases of UNDP on the index
    micro_purchase("6000.00", vendors[0], at(2026, 3, 2, 10))
    micro_purchase("6000.00", vendors[0], at(2026, 6, 1, 10))
    amounts = {laptops.pk: Decimal("6000.00")}
    # when the check runs
    with CaptureQueriesContext(connection) as captured:
        split_findings(agency=undp, amounts_by_category=amounts, vendor_id=None, on=date(2026, 9, 1))
    # then purchase records are read in one query
    record_queries = [q["sql"] for q in captured.captured_queries if "sourcing_purchaserecord" in q["sql"]]
    assert len(record_queries) == 1
    # and PostgreSQL can answer it from purchase_split_lookup alone, an index-only scan: every column it reads
    # is in the index (a table this small would be read whole, so the other ways are set aside for the question)
    rows = split_lookup(agency=undp, categories=amounts, vendor_id=None, on=date(2026, 9, 1), exclude_requisition="X")
    sql, params = rows.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Index Only Scan using purchase_split_lookup" in plan, plan
