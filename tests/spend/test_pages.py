"""The split-purchase warning on the pages, before anyone acts: the agency's approver on the decide page, the
facility's buyer on the case page's order form; recorded flags on both; a call-off worked on the case page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from procurement import services
from procurement.models import PurchaseOrder, Requisition
from sourcing.models import LongTermAgreement, PurchaseRecord, SplitFlag, SplitStage

from .conftest import days_ago, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_earlier(micro_purchase, vendors):
    """Two micro-purchases of 6,000 of IT equipment from Alfa in the last few months."""
    return [
        micro_purchase("6000.00", vendors[0], days_ago(120)),
        micro_purchase("6000.00", vendors[0], days_ago(60)),
    ]


def decide_url(reference: str) -> str:
    return f"/procurement/{reference}/decide/"


def case_url(reference: str, action: str = "") -> str:
    return f"/procurement/{reference}/act/{action}/" if action else f"/procurement/{reference}/"


# -- the approver ----------------------------------------------------------------------------------------------


def test_the_approver_sees_the_possible_split_naming_the_purchases_before_approving(
    two_earlier, micro_purchase, vendors, people, undp, client_at
):
    # given two purchases of 6,000 from Alfa and a third requisition of 6,000 waiting for approval
    third = micro_purchase("6000.00", vendors[0], days_ago(2), approve=False).requisition
    approver = client_at(undp, people.approver)
    # when the approver opens the requisition and its decide page
    detail = approver.get(f"/procurement/{third.reference}/").content.decode()
    page = approver.get(decide_url(third.reference)).content.decode()
    # then both say it may be split, name the earlier orders and requisitions, and ask for the explanation
    for html in (detail, page):
        assert 'id="split-warning"' in html
        assert "above the micro-purchase threshold of 15,000.00 USD" in html
        for earlier in two_earlier:
            assert earlier.order.number in html
            assert earlier.requisition.reference in html
    assert 'name="split_explanation"' in page


def test_approving_a_possible_split_without_the_explanation_is_refused_on_the_form_and_changes_nothing(
    two_earlier, micro_purchase, vendors, people, undp, client_at
):
    third = micro_purchase("6000.00", vendors[0], days_ago(2), approve=False).requisition
    approver = client_at(undp, people.approver)
    response = approver.post(decide_url(third.reference), {"decision": "approve", "split_explanation": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    with schema_context(undp.schema_name):
        assert Requisition.objects.get(pk=third.pk).status == "submitted"
    assert not SplitFlag.objects.exists()


def test_the_approvers_explanation_approves_it_and_the_flag_shows_on_the_requisition_page(
    two_earlier, micro_purchase, vendors, people, undp, client_at
):
    third = micro_purchase("6000.00", vendors[0], days_ago(2), approve=False).requisition
    approver = client_at(undp, people.approver)
    # when the approver approves with an explanation
    response = approver.post(
        decide_url(third.reference),
        {"decision": "approve", "split_explanation": "A separate project funded by another donor."},
    )
    # then it is approved and the flag is recorded
    assert response.status_code == 302
    flag = SplitFlag.objects.get()
    assert (flag.stage, flag.explained_by_id) == (SplitStage.APPROVAL, people.approver.pk)
    # and the approver reads it on the requisition page; the requester does not
    html = approver.get(f"/procurement/{third.reference}/").content.decode()
    assert 'id="split-flags"' in html and "A separate project funded by another donor." in html
    requester_html = client_at(undp, people.requester).get(f"/procurement/{third.reference}/").content.decode()
    assert 'id="split-flags"' not in requester_html


def test_no_warning_and_no_question_for_a_purchase_that_is_not_split(micro_purchase, vendors, people, undp, client_at):
    micro_purchase("6000.00", vendors[0], days_ago(60))
    second = micro_purchase("6000.00", vendors[0], days_ago(2), approve=False).requisition
    approver = client_at(undp, people.approver)
    page = approver.get(decide_url(second.reference)).content.decode()
    assert "split-warning" not in page and 'name="split_explanation"' not in page
    assert approver.post(decide_url(second.reference), {"decision": "approve"}).status_code == 302


# -- the buyer ----------------------------------------------------------------------------------------------------


@pytest.fixture
def third_quoted(two_earlier, micro_purchase, vendors, people, undp):
    """A third requisition of 6,000, approved with an explanation, taken, quoted by Alfa and by Beta."""
    third = micro_purchase("6000.00", vendors[0], days_ago(3), order=False, explanation="Another donor.").requisition
    with schema_context(undp.schema_name):
        services.requisition_take(requisition=third, buyer=people.buyer)
        alfa, beta = (
            services.quotation_record(
                requisition=third, vendor=vendor, currency="USD", unit_prices=[price], by=people.buyer
            )
            for vendor, price in ((vendors[0], "5900.00"), (vendors[1], "6100.00"))
        )
    return third, alfa, beta


def test_the_buyer_sees_which_quotation_would_split_before_ordering(third_quoted, people, facility, client_at):
    third, _alfa, _beta = third_quoted
    html = client_at(facility, people.buyer).get(case_url(third.reference)).content.decode()
    # the warning names Alfa and the earlier orders; Beta has none
    assert "If the order goes to Alfa Informática Ltda:" in html
    assert "If the order goes to Beta Sistemas SA" not in html
    assert 'name="split_explanation"' in html
    # the flag the approver recorded is shown to the buyer
    assert 'id="split-flags"' in html and "Another donor." in html


def test_ordering_from_the_splitting_vendor_needs_the_buyers_explanation(
    third_quoted, people, facility, undp, client_at
):
    third, alfa, _beta = third_quoted
    buyer = client_at(facility, people.buyer)
    refused = buyer.post(case_url(third.reference, "order"), {"terms": "Net 30.", "quotation": alfa.pk})
    assert refused.status_code == 400
    assert "may split a purchase" in refused.content.decode()
    with schema_context(undp.schema_name):
        assert not PurchaseOrder.objects.filter(requisition_id=third.pk).exists()
    ordered = buyer.post(
        case_url(third.reference, "order"),
        {"terms": "Net 30.", "quotation": alfa.pk, "split_explanation": "Confirmed with the programme."},
    )
    assert ordered.status_code == 302
    assert SplitFlag.objects.filter(stage=SplitStage.ORDER, explained_by=people.buyer).count() == 1


def test_ordering_from_another_vendor_needs_no_explanation(third_quoted, people, facility, undp, client_at):
    third, _alfa, beta = third_quoted
    ordered = client_at(facility, people.buyer).post(
        case_url(third.reference, "order"), {"terms": "Net 30.", "quotation": beta.pk}
    )
    assert ordered.status_code == 302
    assert not SplitFlag.objects.filter(stage=SplitStage.ORDER).exists()


# -- a call-off on the case page -------------------------------------------------------------------------------------


def test_a_call_off_is_ordered_from_the_agreements_vendor_at_its_prices_without_quotations(
    people, undp, laptops, vendors, roster_keeper, facility, client_at, quiet
):
    # given UNDP's agreement with Gama, and a call-off of 20 laptops at its price, approved and taken
    agreement = LongTermAgreement.objects.create(
        reference="LTA-2026-0007",
        title="Laptops for every office",
        owner=undp,
        vendor=vendors[2],
        valid_from=date(2026, 1, 1),
        valid_until=timezone.localdate() + timedelta(days=365),
        ceiling_usd=Decimal("500000.00"),
        source_kind="contract",
        created_by=roster_keeper,
        created_at=days_ago(300),
    )
    with schema_context(undp.schema_name):
        call_off = services.requisition_raise(
            agency=undp,
            requester=people.requester,
            title="Laptops for the new office",
            justification="New office.",
            delivery_place="UN House",
            delivery_date=timezone.localdate() + timedelta(days=30),
            charge_code="BRA10",
            lines=[line(laptops, quantity="20", price="1380.00")],
            agreement=agreement,
        )
        services.requisition_approve(agency=undp, requisition=call_off, approver=people.approver)
        services.requisition_take(requisition=call_off, buyer=people.buyer)
    buyer = client_at(facility, people.buyer)
    # when the buyer opens the case
    html = buyer.get(case_url(call_off.reference)).content.decode()
    # then it shows the agreement and the order form without a quotation, and no sourcing step
    assert 'id="case-agreement"' in html and "LTA-2026-0007" in html
    assert 'id="call-off-order"' in html and "27,600.00 USD" in html
    assert 'name="quotation"' not in html
    assert 'id="quotations"' not in html and 'id="solicit"' not in html and "method-form" not in html
    # and the order goes to Gama at the agreed prices
    response = buyer.post(case_url(call_off.reference, "order"), {"terms": "As in the agreement."})
    assert response.status_code == 302
    with schema_context(undp.schema_name):
        order = PurchaseOrder.objects.get(requisition_id=call_off.pk)
        assert (order.vendor_id, order.currency, order.total) == (vendors[2].pk, "USD", Decimal("27600.00"))
    record = PurchaseRecord.objects.get(order_number=order.number)
    assert (record.agreement_id, record.method) == (agreement.pk, "lta")


# -- isolation ---------------------------------------------------------------------------------------------------------


def test_another_agencys_approver_never_sees_the_warning_or_the_requisition(
    two_earlier, micro_purchase, vendors, unfpa, unfpa_people, client_at
):
    third = micro_purchase("6000.00", vendors[0], days_ago(2), approve=False).requisition
    other = client_at(unfpa, unfpa_people["approver"])
    assert other.get(decide_url(third.reference)).status_code == 404
    assert other.get(f"/procurement/{third.reference}/").status_code == 404
