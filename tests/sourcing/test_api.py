"""The agreements' API on both addresses: the same rules as the pages, one error shape, no agency reaching
another's consumption or decisions (its own address, or another's with a crafted Host)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procurement.models import Requisition
from sourcing.models import Consumption, LongTermAgreement, Participation, PiggybackRequest, PiggybackStatus
from sourcing.services import agreements as services
from tests.sourcing.conftest import in_schema

pytestmark = pytest.mark.usefixtures("quiet")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASE = "/api/sourcing/agreements/"


@pytest.fixture
def undp_lta(make_lta):  # type: ignore[no-untyped-def]
    return make_lta(files=[SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")])


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.json()["error"]["code"])


def test_an_agency_lists_what_it_takes_part_in_and_could_join(lta, undp_lta, unfpa, api_at, people):
    api = api_at(unfpa, people.unfpa_requester)
    listed = {row["reference"] for row in api.get(BASE).json()["results"]}
    assert listed == {lta.reference, undp_lta.reference}
    assert [row["reference"] for row in api.get(BASE + "?tab=open").json()["results"]] == [undp_lta.reference]
    response = api.get(BASE + "?tab=bogus")
    assert response.status_code == 400 and "tab" in response.json()["error"]["fields"]


def test_a_participant_reads_its_own_line_and_the_owner_every_line(lta, undp, unfpa, call_off, api_at, people):
    call_off(undp, lta, {2: "2"})
    call_off(unfpa, lta, {1: "3"})
    mine = api_at(unfpa, people.unfpa_requester).get(f"{BASE}{lta.reference}/").json()
    assert [line["agency"] for line in mine["figures"]["agencies"]] == ["UNFPA"]
    assert mine["figures"]["consumed_usd"] == "8000.00" and mine["figures"]["remaining_usd"] == "92000.00"
    owner = api_at(undp, people.undp_requester).get(f"{BASE}{lta.reference}/").json()
    assert {line["agency"]: line["consumed_usd"] for line in owner["figures"]["agencies"]} == {
        "UNDP": "5000.00",
        "UNFPA": "3000.00",
    }


def test_an_agency_that_could_join_reads_no_figures_nor_documents(undp_lta, unfpa, api_at, people):
    body = api_at(unfpa, people.unfpa_approver).get(f"{BASE}{undp_lta.reference}/").json()
    assert body["figures"] is None and body["documents"] is None
    assert body["join_refusal"] == "" and body["call_off_refusal"] != ""
    assert len(body["items"]) == 2
    document = undp_lta.documents.get()
    assert (
        api_at(unfpa, people.unfpa_approver).get(f"{BASE}{undp_lta.reference}/documents/{document.pk}/").status_code
        == 404
    )


def test_piggyback_asked_and_decided_through_the_api(undp_lta, undp, unfpa, api_at, people):
    response = api_at(unfpa, people.unfpa_approver).post(
        f"{BASE}{undp_lta.reference}/piggybacks/",
        {"reason": "Workshops.", "expected_spend_usd": "9000.00"},
        format="json",
    )
    assert response.status_code == 201
    piggyback = PiggybackRequest.objects.get()
    decide = f"{BASE}{undp_lta.reference}/piggybacks/{piggyback.pk}/decide/"
    # UNFPA cannot decide it: on its own address the owner's decisions are not there; on UNDP's it is refused
    assert api_at(unfpa, people.unfpa_approver).post(decide, {"decision": "accept"}, format="json").status_code == 404
    assert api_at(undp, people.unfpa_approver).post(decide, {"decision": "accept"}, format="json").status_code == 403
    refused = api_at(undp, people.undp_requester).post(decide, {"decision": "accept"}, format="json")
    assert refused.status_code == 403 and error_code(refused) == "sourcing.owner_approvers_only"
    accepted = api_at(undp, people.undp_approver).post(
        decide, {"decision": "accept", "agency_ceiling_usd": "9000.00"}, format="json"
    )
    assert accepted.status_code == 200
    assert Participation.objects.get(agreement=undp_lta, agency=unfpa).ceiling_usd == Decimal("9000.00")
    piggyback.refresh_from_db()
    assert piggyback.status == PiggybackStatus.ACCEPTED


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": ""},
        {"reason": "x" * 2001},
        {"reason": "ok", "expected_spend_usd": 12000},
        {"reason": "ok", "expected_spend_usd": "-1"},
        {"reason": "ok", "expected_spend_usd": "1e30"},
        {"reason": ["a"]},
    ],
)
def test_a_bad_piggyback_request_is_a_400_and_changes_nothing(undp_lta, unfpa, api_at, people, body):
    response = api_at(unfpa, people.unfpa_approver).post(f"{BASE}{undp_lta.reference}/piggybacks/", body, format="json")
    assert response.status_code == 400 and "error" in response.json()
    assert not PiggybackRequest.objects.exists()


def test_a_requester_may_not_ask_to_join(undp_lta, unfpa, api_at, people):
    response = api_at(unfpa, people.unfpa_requester).post(
        f"{BASE}{undp_lta.reference}/piggybacks/", {"reason": "We want in."}, format="json"
    )
    assert response.status_code == 403 and error_code(response) == "sourcing.approvers_only"


@pytest.mark.parametrize("pk", [999999, 99999999999999999999])
def test_deciding_an_unknown_request_is_a_404(undp_lta, undp, api_at, people, pk):
    response = api_at(undp, people.undp_approver).post(
        f"{BASE}{undp_lta.reference}/piggybacks/{pk}/decide/", {"decision": "accept"}, format="json"
    )
    assert response.status_code == 404


def call_off_body(**fields):  # type: ignore[no-untyped-def]
    body = {
        "quantities": {"1": "2"},
        "delivery_place": "UN House, Brasília",
        "delivery_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "charge_code": "BRA10-00123-71200",
        "justification": "The March workshop.",
    }
    body.update(fields)
    return body


def test_a_call_off_through_the_api_answers_its_requisition(lta, unfpa, api_at, people):
    response = api_at(unfpa, people.unfpa_requester).post(
        f"{BASE}{lta.reference}/call-offs/", call_off_body(), format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["estimated_total"] == "2000.00" and body["status"] == "submitted"
    with in_schema(unfpa):
        assert Requisition.objects.get().reference == body["requisition"]


def test_a_call_off_over_the_ceiling_is_a_409_naming_what_remains(make_lta, unfpa, api_at, people):
    agreement = make_lta("1500.00", participants=[unfpa])
    response = api_at(unfpa, people.unfpa_requester).post(
        f"{BASE}{agreement.reference}/call-offs/", call_off_body(), format="json"
    )
    assert response.status_code == 409 and error_code(response) == "sourcing.ceiling_exceeded"
    assert response.json()["error"]["message"].endswith("1,500.00 USD remains.")


def test_an_agency_that_does_not_take_part_cannot_call_off_through_the_api(undp_lta, undp, unfpa, api_at, people):
    own = api_at(unfpa, people.unfpa_requester).post(
        f"{BASE}{undp_lta.reference}/call-offs/", call_off_body(), format="json"
    )
    assert own.status_code == 403 and error_code(own) == "sourcing.not_participating"
    crafted = api_at(undp, people.unfpa_requester).post(
        f"{BASE}{undp_lta.reference}/call-offs/", call_off_body(), format="json"
    )
    assert crafted.status_code == 403
    assert not Consumption.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"quantities": {}},
        {"quantities": {"1": 2}},
        {"quantities": {"1": "-1"}},
        {"quantities": {"9": "1"}},
        {"quantities": {"x": "1"}},
        {"quantities": {"1": "0"}},
        {"quantities": ["1"]},
        {"quantities": {"1": "1e30"}},
        {"delivery_date": "yesterday"},
        {"delivery_date": "2001-01-01"},
        {"charge_code": ""},
        {"justification": None},
    ],
)
def test_a_bad_call_off_is_a_400_and_changes_nothing(lta, unfpa, api_at, people, fields):
    response = api_at(unfpa, people.unfpa_requester).post(
        f"{BASE}{lta.reference}/call-offs/", call_off_body(**fields), format="json"
    )
    assert response.status_code == 400 and "error" in response.json()
    assert not Consumption.objects.exists()


# -- the facility portal --------------------------------------------------------------------------


def contract_body(vendor, /, **fields):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    body = {
        "owner": "UNDP",
        "vendor": vendor.pk,
        "contract_reference": "UNDP/BRA/2026/044",
        "title": "Cleaning services",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "ceiling_usd": "60000.00",
        "participants": ["UNFPA"],
        "agency_ceilings": {"UNFPA": "20000.00"},
        "items": [
            {"description": "Office cleaning", "category": "CLEANING", "unit": "month", "unit_price_usd": "2400.00"}
        ],
    }
    body.update(fields)
    return body


def test_a_buyer_records_a_contract_and_adds_its_documents_through_the_api(facility, vendor, api_at, people):
    api = api_at(facility, people.buyer)
    response = api.post(f"{BASE}from-contract/", contract_body(vendor), format="json")
    assert response.status_code == 201
    reference = response.json()["reference"]
    assert [line["agency"] for line in response.json()["figures"]["agencies"]] == ["UNDP", "UNFPA"]
    upload = api.post(
        f"{BASE}{reference}/documents/",
        {"files": [SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")]},
        format="multipart",
    )
    assert upload.status_code == 201 and [d["name"] for d in upload.json()["documents"]] == ["signed.pdf"]
    document = LongTermAgreement.objects.get(reference=reference).documents.get()
    assert api.get(f"{BASE}{reference}/documents/{document.pk}/").status_code == 200


@pytest.mark.parametrize(
    "fields",
    [
        {"owner": "NOPE"},
        {"owner": "x" * 16},
        {"vendor": 999999},
        {"vendor": "abc"},
        {"ceiling_usd": 60000},
        {"ceiling_usd": "0"},
        {"participants": ["NOPE"]},
        {"agency_ceilings": {"UNFPA": "70000.00"}},
        {"agency_ceilings": {"UNAIDS": "100.00"}},
        {"items": []},
        {"items": [{"description": "x", "category": "NOPE", "unit": "day", "unit_price_usd": "1.00"}]},
        {"valid_until": "2001-01-01"},
        {"title": ""},
    ],
)
def test_a_bad_contract_is_a_400_or_409_and_records_nothing(facility, vendor, unaids, api_at, people, fields):
    response = api_at(facility, people.buyer).post(
        f"{BASE}from-contract/", contract_body(vendor, **fields), format="json"
    )
    assert response.status_code in (400, 404, 409) and "error" in response.json()
    assert not LongTermAgreement.objects.exists()


def test_an_agreement_from_an_award_through_the_api(awarded_case, facility, api_at, people):
    today = timezone.localdate()
    response = api_at(facility, people.manager).post(
        f"{BASE}from-award/",
        {
            "requisition_reference": awarded_case.reference,
            "title": "Interpretation and cleaning",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=400)).isoformat(),
            "ceiling_usd": "100000.00",
        },
        format="json",
    )
    assert response.status_code == 201
    assert [item["unit_price_usd"] for item in response.json()["items"]] == ["1000.0000", "2500.0000"]


def test_only_facility_makers_make_and_only_facility_staff_read_every_agreement(
    lta, facility, undp, vendor, api_at, people
):
    assert api_at(facility, people.auditor).get(BASE).status_code == 200
    assert (
        api_at(facility, people.auditor).post(f"{BASE}from-contract/", contract_body(vendor), format="json").status_code
        == 403
    )
    assert api_at(facility, people.undp_approver).get(BASE).status_code == 403
    assert api_at(undp, people.undp_approver).post(
        f"{BASE}from-contract/", contract_body(vendor), format="json"
    ).status_code in (
        403,
        404,
        405,
    )
    response = api_at(facility, people.auditor).get(BASE + "?status=bogus")
    assert response.status_code == 400


def test_the_facility_reads_every_line(lta, undp, unfpa, facility, call_off, api_at, people):
    call_off(unfpa, lta, {1: "1"})
    body = api_at(facility, people.auditor).get(f"{BASE}{lta.reference}/").json()
    assert {line["agency"] for line in body["figures"]["agencies"]} == {"UNDP", "UNFPA"}
    listed = api_at(facility, people.auditor).get(BASE).json()["results"]
    assert listed[0]["consumed_usd"] == "1000.00"


def test_a_call_offs_value_is_each_quantity_at_the_agreed_price(lta):
    assert services.call_off_value(agreement=lta, quantities={1: Decimal("2"), 2: Decimal("1")}) == Decimal("4500.00")
