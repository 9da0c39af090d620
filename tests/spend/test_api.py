"""The procurement API takes the split explanation (issue 14): approving and issuing the order refuse a possible
split purchase without it (409, naming the earlier orders), record a flag with it; the case shows the flags."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from procurement import services
from sourcing.models import SplitFlag, SplitStage

from .conftest import days_ago

pytestmark = pytest.mark.django_db

REQUISITIONS = "/api/procurement/requisitions/"
CASES = "/api/procurement/cases/"


@pytest.fixture
def third(micro_purchase, vendors):
    """Two purchases of 6,000 from Alfa ordered, a third of 6,000 raised (waiting for the approver)."""
    earlier = [micro_purchase("6000.00", vendors[0], days_ago(days)) for days in (120, 60)]
    return micro_purchase("6000.00", vendors[0], days_ago(2), approve=False).requisition, earlier


def test_approving_through_the_api_needs_the_explanation_and_records_the_flag(third, people, undp, api_at):
    requisition, earlier = third
    api = api_at(undp, people.approver)
    url = f"{REQUISITIONS}{requisition.reference}/approve/"
    refused = api.post(url, {}, format="json")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "procurement.split_purchase"
    assert earlier[0].order.number in error["message"] and "split_explanation" in error["fields"]
    approved = api.post(url, {"split_explanation": "Two donors, two projects."}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert SplitFlag.objects.get().explanation == "Two donors, two projects."


def test_an_explanation_too_long_is_refused_by_the_api(third, people, undp, api_at):
    requisition, _earlier = third
    response = api_at(undp, people.approver).post(
        f"{REQUISITIONS}{requisition.reference}/approve/", {"split_explanation": "x" * 2001}, format="json"
    )
    assert response.status_code == 400
    assert not SplitFlag.objects.exists()


def test_issuing_the_order_through_the_api_needs_the_buyers_explanation(third, people, undp, facility, vendors, api_at):
    requisition, _earlier = third
    with schema_context(undp.schema_name):
        services.requisition_approve(
            agency=undp, requisition=requisition, approver=people.approver, split_explanation="Two donors."
        )
        services.requisition_take(requisition=requisition, buyer=people.buyer)
        quotation = services.quotation_record(
            requisition=requisition, vendor=vendors[0], currency="USD", unit_prices=["6000.00"], by=people.buyer
        )
    api = api_at(facility, people.buyer)
    url = f"{CASES}{requisition.reference}/orders/"
    refused = api.post(url, {"terms": "Net 30.", "quotation": quotation.pk}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "procurement.split_purchase"
    issued = api.post(
        url, {"terms": "Net 30.", "quotation": quotation.pk, "split_explanation": "Agreed."}, format="json"
    )
    assert issued.status_code == 201
    flags = issued.json()["split_flags"]
    assert sorted(flag["stage"] for flag in flags) == [SplitStage.APPROVAL, SplitStage.ORDER]
    assert len(flags[0]["purchases"]) == 2


def test_another_agencys_approver_cannot_approve_through_the_api_here_or_on_its_own_address(
    third, undp, unfpa, unfpa_people, api_at
):
    requisition, _earlier = third
    url = f"{REQUISITIONS}{requisition.reference}/approve/"
    body = {"split_explanation": "Mine now."}
    assert api_at(unfpa, unfpa_people["approver"]).post(url, body, format="json").status_code == 404
    assert api_at(undp, unfpa_people["approver"]).post(url, body, format="json").status_code == 403
    assert not SplitFlag.objects.exists()
