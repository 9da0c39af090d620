"""Procurement's API: the same rules as the pages, on both addresses.

An agency's requisitions (raise, visibility, decide, withdraw, answer, orders
and their PDF), the facility's case through a whole RFQ and a micro-purchase,
sealed bids absent from every answer before the opening, the second opening
officer's password, bad input answered 400 on its field, roles answered 403,
and another agency's purchases out of reach whatever the address or Host.
"""

from __future__ import annotations

import importlib
import inspect
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from pypdf import PdfReader
from rest_framework import serializers
from rest_framework.test import APIClient

from accounts.models import User
from procurement import services
from procurement.models import Bid, PurchaseOrder, Requisition, Solicitation, SolicitationStatus
from shared_platform.tenancy import agency_host
from tenants.models import Agency
from tests.factories import PASSWORD
from vendors.models import SupplyCategory, Vendor

from .conftest import People, past_deadline

pytest_plugins = ["tests.procurement.api_fixtures"]
# No e-mail and no PDF rendering from the steps: the API's answers are what these tests are about.
pytestmark = pytest.mark.usefixtures("quiet")

REQUISITIONS = "/api/procurement/requisitions/"
CASES = "/api/procurement/cases/"

ClientFor = Callable[[User], APIClient]


def requisition_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Laptops for the project office",
        "justification": "The project team starts in January.",
        "delivery_place": "UN House, Brasília",
        "delivery_date": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "charge_code": "BRA10-00123-71200",
        "lines": [
            {
                "description": "Laptop, 14 inch, 16 GB",
                "category": "IT-EQUIP",
                "quantity": "20",
                "unit": "each",
                "estimated_unit_price": "2500.00",
            }
        ],
    }
    body.update(changes)
    return body


def refused(response: Any, status: int, *, code: str | None = None, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error: dict[str, Any] = response.json()["error"]
    if code is not None:
        assert error["code"] == code, error
    if field is not None:
        assert field in error.get("fields", {}), error
    return error


def case(reference: str, step: str = "") -> str:
    return f"{CASES}{reference}/{step}"


# -- an agency's requisitions -----------------------------------------------------------------------


def test_a_requester_raises_a_requisition_with_its_lines_and_reads_it_back(
    people: People, laptops: SupplyCategory, agency_api: ClientFor
) -> None:
    # when a UNDP requester posts a requisition with its lines
    response = agency_api(people.requester).post(REQUISITIONS, requisition_body(), format="json")

    # then it is raised, waiting for approval, with its total as an exact decimal string
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("UNDP-PR-")
    assert body["status"] == "submitted"
    assert body["estimated_total"] == "50000.00"
    assert body["lines"][0] | {"category": "IT-EQUIP"} == body["lines"][0]
    assert body["lines"][0]["estimated_amount"] == "50000.00"
    assert [event["kind"] for event in body["history"]] == ["raised"]
    assert body["method"] == "" and body["clocks"] == [] and body["orders"] == []

    # and its detail reads the same
    detail = agency_api(people.requester).get(f"{REQUISITIONS}{body['reference']}/")
    assert detail.status_code == 200 and detail.json()["lines"] == body["lines"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 20}, "lines.0.quantity"),  # a JSON number: money and quantities are decimal strings
        ({"estimated_unit_price": 2500.5}, "lines.0.estimated_unit_price"),
        ({"quantity": "-3"}, "lines.0.quantity"),
        ({"quantity": "0"}, "lines.0.quantity"),
        ({"estimated_unit_price": "12.345"}, "lines.0.estimated_unit_price"),
        ({"category": "NO-SUCH"}, "lines.0.category"),
        ({"description": "x" * 201}, "lines.0.description"),
    ],
)
def test_a_bad_line_is_refused_on_its_field(
    people: People, laptops: SupplyCategory, agency_api: ClientFor, change: dict[str, Any], field: str
) -> None:
    body = requisition_body()
    body["lines"][0].update(change)

    response = agency_api(people.requester).post(REQUISITIONS, body, format="json")

    refused(response, 400, code="invalid", field=field)
    with schema_context("undp"):
        assert not Requisition.objects.exists()


def test_a_requisition_without_lines_or_with_a_past_delivery_date_is_refused(
    people: People, laptops: SupplyCategory, agency_api: ClientFor
) -> None:
    client = agency_api(people.requester)
    refused(client.post(REQUISITIONS, requisition_body(lines=[]), format="json"), 400, field="lines.non_field_errors")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    error = refused(
        client.post(REQUISITIONS, requisition_body(delivery_date=yesterday), format="json"), 400, field="delivery_date"
    )
    assert "past" in error["message"]


def test_requesters_see_their_own_requisitions_and_approvers_the_whole_agency(
    people: People, colleague: User, raise_requisition: Callable[..., Requisition], agency_api: ClientFor
) -> None:
    # given one requisition each by two requesters
    mine = raise_requisition("15000.00")
    theirs = raise_requisition("20000.00", requester=colleague)

    def references(user: User, **params: Any) -> set[str]:
        response = agency_api(user).get(REQUISITIONS, params)
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["results"]}

    # then each requester lists only their own, and the approver both
    assert references(people.requester) == {mine.reference}
    assert references(colleague) == {theirs.reference}
    assert references(people.approver) == {mine.reference, theirs.reference}
    assert references(people.approver, status="submitted") == {mine.reference, theirs.reference}
    assert references(people.approver, status="ordered") == set()
    refused(agency_api(people.approver).get(REQUISITIONS, {"status": "nonsense"}), 400, field="status")

    # and a colleague's requisition by its reference is not found
    refused(agency_api(colleague).get(f"{REQUISITIONS}{mine.reference}/"), 404)
    refused(agency_api(colleague).post(f"{REQUISITIONS}{mine.reference}/withdraw/", {"reason": "x"}), 404)


def test_the_approver_approves_and_the_requester_may_not_approve_their_own(
    people: People, raise_requisition: Callable[..., Requisition], agency_api: ClientFor
) -> None:
    requisition = raise_requisition("50000.00")
    url = f"{REQUISITIONS}{requisition.reference}/"

    # the requester cannot approve (not an approver)
    refused(agency_api(people.requester).post(f"{url}approve/"), 403, code="procurement.approvers_only")

    # the approver does: the purchase goes on the ledger under the method of its value, its clock running
    response = agency_api(people.approver).post(f"{url}approve/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["method"], body["request_status"]) == ("approved", "rfq", "new")
    assert body["approver"] == people.approver.get_full_name()
    assert body["clocks"]

    # and once decided, it cannot be decided again
    refused(
        agency_api(people.approver).post(f"{url}reject/", {"reason": "Late"}), 409, code="procurement.already_decided"
    )


def test_an_approver_rejects_with_a_reason_and_the_requester_withdraws_another(
    people: People, raise_requisition: Callable[..., Requisition], agency_api: ClientFor
) -> None:
    rejected = raise_requisition("5000.00")
    url = f"{REQUISITIONS}{rejected.reference}/"
    refused(agency_api(people.approver).post(f"{url}reject/", {}, format="json"), 400, field="reason")
    response = agency_api(people.approver).post(f"{url}reject/", {"reason": "No budget left."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "No budget left."

    withdrawn = raise_requisition("5000.00")
    response = agency_api(people.requester).post(
        f"{REQUISITIONS}{withdrawn.reference}/withdraw/", {"reason": "Bought elsewhere."}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_the_requester_adds_a_document_and_downloads_it(
    people: People, raise_requisition: Callable[..., Requisition], agency_api: ClientFor
) -> None:
    requisition = raise_requisition("5000.00")
    url = f"{REQUISITIONS}{requisition.reference}/files/"
    spec = SimpleUploadedFile("spec.txt", b"14 inch, 16 GB, 3 years warranty", content_type="text/plain")

    response = agency_api(people.requester).post(url, {"files": [spec]}, format="multipart")

    assert response.status_code == 201, response.content
    attachment = response.json()["attachments"][0]
    assert attachment["name"] == "spec.txt"
    download = agency_api(people.approver).get(f"{url}{attachment['id']}/")
    assert download.status_code == 200 and b"".join(download) == b"14 inch, 16 GB, 3 years warranty"
    # only the requester adds documents
    other = SimpleUploadedFile("other.txt", b"x", content_type="text/plain")
    refused(agency_api(people.approver).post(url, {"files": [other]}, format="multipart"), 403)


# -- isolation ------------------------------------------------------------------------------------------


def test_another_agencys_requisitions_are_out_of_reach_by_address_reference_or_host(
    people: People,
    raise_requisition: Callable[..., Requisition],
    make_person: Callable[..., User],
    unfpa: Agency,
    unfpa_agreement: Any,
    laptops: SupplyCategory,
    api_at: Callable[..., APIClient],
) -> None:
    # given a UNDP requisition, and a UNFPA approver with a requisition of their own agency
    undp_requisition = raise_requisition("5000.00")
    unfpa_approver = make_person(("approver", unfpa), ("requester", unfpa), email="uma@unfpa.test")
    response = api_at(unfpa, unfpa_approver).post(REQUISITIONS, requisition_body(), format="json")
    assert response.status_code == 201, response.content
    unfpa_reference = response.json()["reference"]

    # then the UNFPA token on UNDP's address is refused outright
    on_undp = api_at(unfpa, unfpa_approver)
    on_undp.defaults["HTTP_HOST"] = agency_host("UNDP")
    refused(on_undp.get(REQUISITIONS), 403)
    refused(on_undp.get(f"{REQUISITIONS}{undp_requisition.reference}/"), 403)

    # and on its own address, UNDP's reference is simply not there
    refused(api_at(unfpa, unfpa_approver).get(f"{REQUISITIONS}{undp_requisition.reference}/"), 404)
    listed = api_at(unfpa, unfpa_approver).get(REQUISITIONS).json()["results"]
    assert [row["reference"] for row in listed] == [unfpa_reference]

    # and a UNDP approver's token with a crafted Host header for UNFPA reads nothing of UNFPA's
    crafted = api_at(unfpa, people.approver)
    refused(crafted.get(REQUISITIONS), 403)
    refused(crafted.get(f"{REQUISITIONS}{unfpa_reference}/"), 403)
    refused(api_at(unfpa).get(REQUISITIONS, HTTP_AUTHORIZATION="Token not-a-token"), 401)


def test_agency_people_have_no_facility_cases_and_the_facility_has_no_agency_requisitions(
    people: People, sourcing: Callable[..., Requisition], agency_api: ClientFor, portal_api: ClientFor
) -> None:
    requisition = sourcing("50000.00")
    # an agency's address serves no case endpoints, and the portal no requisition endpoints
    refused(agency_api(people.approver).get(CASES), 404)
    refused(portal_api(people.buyer).get(REQUISITIONS), 404)
    # an agency person on the portal is refused
    refused(portal_api(people.approver).get(case(requisition.reference)), 403)


# -- the facility: sealed bids, opening, evaluation, award, order ---------------------------------------


# The prices of the sealed bids of `sealed_case` (tests/procurement/api_fixtures.py).
SEALED_PRICES = ("41234.57", "39876.13", "45678.91")


def _contains_sealed_price(answer: Any) -> list[str]:
    text = json.dumps(answer)
    return [price for price in SEALED_PRICES if price in text or price.replace(".", "") in text]


def test_sealed_bids_appear_in_no_answer_before_the_opening_only_as_counts(
    people: People,
    undp: Agency,
    sealed_case: Callable[..., tuple[Solicitation, list[Bid]]],
    sealed_prices: tuple[str, ...],
    facility_finance: User,
    agency_api: ClientFor,
    portal_api: ClientFor,
) -> None:
    # given an RFQ with three sealed bids
    assert sealed_prices == SEALED_PRICES
    solicitation, _bids = sealed_case()
    reference = solicitation.requisition.reference

    # when everyone who may read the purchase reads it through the API, at both addresses
    answers = [portal_api(reader).get(case(reference)) for reader in (people.buyer, people.manager, facility_finance)]
    answers += [portal_api(people.buyer).get(CASES, {"state": "all"})]
    answers += [agency_api(reader).get(f"{REQUISITIONS}{reference}/") for reader in (people.requester, people.approver)]
    answers += [agency_api(people.approver).get(REQUISITIONS)]

    # then no answer carries a price, only the counts
    for answer in answers:
        assert answer.status_code == 200, answer.content
        assert _contains_sealed_price(answer.json()) == []
    case_body = answers[0].json()["solicitation"]
    assert case_body["sealed"] == {"received": 3, "late": 0}
    assert case_body["bids"] == [] and case_body["openings"] == []

    # and the opening before the deadline is refused, the bids staying sealed
    response = portal_api(people.buyer).post(
        case(reference, "openings/"),
        {"second_officer_email": people.officer.email, "second_officer_password": PASSWORD},
        format="json",
    )
    refused(response, 409, code="procurement.still_sealed")
    assert _contains_sealed_price(response.json()) == []

    # once past the deadline, two officers open them and the prices are read out
    with schema_context(undp.schema_name):
        past_deadline(solicitation)
    response = portal_api(people.buyer).post(
        case(reference, "openings/"),
        {"second_officer_email": people.officer.email, "second_officer_password": PASSWORD},
        format="json",
    )
    assert response.status_code == 201, response.content
    opened = response.json()["solicitation"]
    assert sorted(_contains_sealed_price(opened)) == sorted(SEALED_PRICES)
    assert {bid["total"] for bid in opened["bids"]} == set(SEALED_PRICES)
    assert opened["openings"][0]["second_officer"] == people.officer.get_full_name()


def test_the_second_opening_officer_signs_with_their_own_password(
    people: People,
    undp: Agency,
    sealed_case: Callable[..., tuple[Solicitation, list[Bid]]],
    portal_api: ClientFor,
) -> None:
    solicitation, _bids = sealed_case()
    with schema_context(undp.schema_name):
        past_deadline(solicitation)
    url = case(solicitation.requisition.reference, "openings/")
    client = portal_api(people.buyer)

    # a wrong password, a missing one, or the caller naming themselves: refused, nothing opened
    wrong = {"second_officer_email": people.officer.email, "second_officer_password": "not-the-password"}
    error = refused(client.post(url, wrong, format="json"), 400, code="auth.invalid_credentials")
    assert "second_officer_password" in error["fields"]
    refused(client.post(url, {"second_officer_email": people.officer.email}, format="json"), 400)
    themselves = {"second_officer_email": people.buyer.email, "second_officer_password": PASSWORD}
    refused(client.post(url, themselves, format="json"), 400, code="procurement.two_officers")
    # the requester's approver is no opening officer, even with the right password
    approver = {"second_officer_email": people.approver.email, "second_officer_password": PASSWORD}
    refused(client.post(url, approver, format="json"), 403)
    with schema_context(undp.schema_name):
        assert not solicitation.openings.exists()
        assert not Bid.objects.filter(solicitation=solicitation, total__isnull=False).exists()


def test_an_rfq_through_the_api_from_taking_it_to_the_purchase_order(
    people: People,
    undp: Agency,
    vendors: list[Vendor],
    raise_requisition: Callable[..., Requisition],
    agency_api: ClientFor,
    portal_api: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given an approved UNDP requisition of 50,000 USD
    requisition = raise_requisition("50000.00")
    agency_api(people.approver).post(f"{REQUISITIONS}{requisition.reference}/approve/")
    reference = requisition.reference
    buyer = portal_api(people.buyer)

    # the queue lists it waiting for a buyer
    queue = buyer.get(CASES, {"step": "awaiting_buyer"}).json()["results"]
    assert [row["reference"] for row in queue] == [reference]
    refused(buyer.get(CASES, {"step": "nonsense"}), 400, field="step")

    # the buyer takes it and issues the RFQ to three vendors; the links' tokens go by e-mail, never here
    assert buyer.post(case(reference, "take/")).json()["step"] == "sourcing"
    issued_tokens: list[str] = []
    real_token = services._token

    def remembered() -> tuple[str, str]:
        token, digest = real_token()
        issued_tokens.append(token)
        return token, digest

    monkeypatch.setattr(services, "_token", remembered)
    deadline = (timezone.now() + timedelta(days=7)).isoformat()
    response = buyer.post(
        case(reference, "solicitation/"),
        {"instructions": "Quote delivered prices.", "deadline": deadline, "vendors": [v.pk for v in vendors[:3]]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert len(issued_tokens) == 3 and not any(token in response.content.decode() for token in issued_tokens)
    solicitation_body = response.json()["solicitation"]
    assert solicitation_body["status"] == "open" and len(solicitation_body["invitations"]) == 3
    assert "token" not in json.dumps(solicitation_body["invitations"])

    # a paper bid with a JSON number for a price is refused; as a string it is recorded, sealed
    invitation = solicitation_body["invitations"][0]["id"]
    paper = {
        "invitation": invitation,
        "currency": "USD",
        "unit_prices": [2300.5],
        "received_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
    }
    refused(buyer.post(case(reference, "paper-bids/"), paper, format="json"), 400, field="unit_prices.0")
    paper["unit_prices"] = ["2300.50"]
    response = buyer.post(case(reference, "paper-bids/"), paper, format="json")
    assert response.status_code == 201, response.content
    assert "2300.5" not in response.content.decode()
    assert response.json()["solicitation"]["sealed"] == {"received": 1, "late": 0}
    with schema_context(undp.schema_name):
        for invite, price in zip(
            Solicitation.objects.get(requisition__reference=reference).invitations.order_by("vendor_name")[1:],
            ["2200.00", "2400.00"],
            strict=True,
        ):
            services.bid_submit(
                invitation=invite, currency="USD", unit_prices=[price], at=timezone.now() - timedelta(minutes=5)
            )
        past_deadline(Solicitation.objects.get(requisition__reference=reference))

    # two officers open; an evaluator declares no conflict and checks compliance; the buyer completes
    opening = {"second_officer_email": people.officer.email, "second_officer_password": PASSWORD}
    assert buyer.post(case(reference, "openings/"), opening, format="json").status_code == 201
    evaluator = portal_api(people.evaluator)
    response = evaluator.post(case(reference, "evaluation/declaration/"), {"no_conflict": True}, format="json")
    assert response.status_code == 201, response.content
    bids = response.json()["solicitation"]["bids"]
    for bid in bids:
        check = {"bid": bid["id"], "passed": True, "reason": "Meets the specification."}
        assert evaluator.post(case(reference, "evaluation/compliance/"), check, format="json").status_code == 200
    assert buyer.get(case(reference, "evaluation/pdf/")).status_code == 404  # no report before it is complete
    response = buyer.post(case(reference, "evaluation/complete/"))
    assert response.status_code == 200, response.content
    evaluated = response.json()["solicitation"]
    cheapest = min(bids, key=lambda bid: float(bid["total_usd"]))
    assert evaluated["status"] == SolicitationStatus.EVALUATED
    assert evaluated["recommended_bid"] == cheapest["id"]

    # the opening record and the evaluation report download as PDFs that read back
    with schema_context(undp.schema_name):
        solicitation = Solicitation.objects.get(requisition__reference=reference)
        opening_id = solicitation.openings.get().pk
    for url in (case(reference, f"openings/{opening_id}/pdf/"), case(reference, "evaluation/pdf/")):
        pdf = buyer.get(url)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf))).pages)
        assert solicitation.reference in text
    assert buyer.get(case(reference, f"openings/{opening_id + 1}/pdf/")).status_code == 404

    # the award and the order
    award = {"bid": cheapest["id"], "justification": "Lowest priced compliant bid."}
    assert buyer.post(case(reference, "award/"), award, format="json").status_code == 201
    response = buyer.post(case(reference, "orders/"), {"terms": "Payment 30 days after delivery."}, format="json")
    assert response.status_code == 201, response.content
    order = response.json()["orders"][0]
    assert order["number"].startswith("UNDP-PO-") and order["total"] == cheapest["total"]
    assert response.json()["request_status"] == "resolved"

    # the order's PDF downloads at both addresses (as the worker stored it)
    with schema_context(undp.schema_name):
        services.order_pdf_save(order=PurchaseOrder.objects.get(pk=order["id"]), content=b"%PDF-1.7 the order")
    for client, url in (
        (buyer, case(reference, f"orders/{order['id']}/pdf/")),
        (agency_api(people.requester), f"{REQUISITIONS}{reference}/orders/{order['id']}/pdf/"),
    ):
        pdf = client.get(url)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf) == b"%PDF-1.7 the order"
    orders = agency_api(people.requester).get(f"{REQUISITIONS}{reference}/orders/").json()
    assert [row["number"] for row in orders] == [order["number"]]

    # a revision, then a cancellation
    response = buyer.post(
        case(reference, f"orders/{order['id']}/revise/"), {"change_note": "Delivery to the warehouse."}, format="json"
    )
    assert response.status_code == 201, response.content
    revision = response.json()["orders"][0]
    assert revision["display_number"] == f"{order['number']} rev. 1"
    refused(
        buyer.post(case(reference, f"orders/{order['id']}/cancel/"), {"reason": "x"}, format="json"),
        409,
        code="procurement.order_not_in_force",
    )
    response = buyer.post(
        case(reference, f"orders/{revision['id']}/cancel/"), {"reason": "Vendor failed."}, format="json"
    )
    assert response.status_code == 200 and response.json()["orders"][0]["status"] == "cancelled"


def test_a_micro_purchase_from_quotation_to_order_with_the_requester_asked_in_between(
    people: People,
    vendors: list[Vendor],
    sourcing: Callable[..., Requisition],
    agency_api: ClientFor,
    portal_api: ClientFor,
) -> None:
    requisition = sourcing("9000.00")
    reference = requisition.reference
    buyer = portal_api(people.buyer)
    assert buyer.get(case(reference, "evaluation/pdf/")).status_code == 404  # a micro-purchase has no evaluation

    # the buyer asks the requester; the requester sees the question and answers
    assert buyer.post(case(reference, "ask/"), {"question": "Which keyboard layout?"}, format="json").status_code == 200
    detail = agency_api(people.requester).get(f"{REQUISITIONS}{reference}/").json()
    assert detail["waiting_on_requester"] is True
    assert "Which keyboard layout?" in [event["detail"] for event in detail["history"]]
    refused(
        agency_api(people.approver).post(f"{REQUISITIONS}{reference}/answer/", {"answer": "ABNT2"}, format="json"),
        403,
    )
    response = agency_api(people.requester).post(
        f"{REQUISITIONS}{reference}/answer/", {"answer": "ABNT2"}, format="json"
    )
    assert response.status_code == 200 and response.json()["waiting_on_requester"] is False

    # quotations: an unknown vendor and a float price are refused on their fields
    quotation = {"vendor": 999_999, "currency": "USD", "unit_prices": ["8700.00"]}
    refused(buyer.post(case(reference, "quotations/"), quotation, format="json"), 400, field="vendor")
    quotation = {"vendor": vendors[0].pk, "currency": "USD", "unit_prices": [8700]}
    refused(buyer.post(case(reference, "quotations/"), quotation, format="json"), 400, field="unit_prices.0")
    quotation["unit_prices"] = ["8700.00"]
    response = buyer.post(case(reference, "quotations/"), quotation, format="json")
    assert response.status_code == 201, response.content
    recorded = response.json()["quotations"][0]
    assert recorded["total"] == "8700.00" and recorded["vendor"] == vendors[0].pk

    # a micro-purchase needs no solicitation; the order goes to the chosen quotation
    refused(
        buyer.post(
            case(reference, "solicitation/"),
            {
                "instructions": "x",
                "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
                "vendors": [vendors[0].pk],
            },
            format="json",
        ),
        409,
        code="procurement.no_solicitation_for_micro",
    )
    order = {"terms": "Payment on delivery.", "quotation": recorded["id"]}
    response = buyer.post(case(reference, "orders/"), order, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["orders"][0]["vendor_name"] == vendors[0].legal_name


def test_solicitation_input_is_checked_with_clear_messages(
    people: People,
    vendors: list[Vendor],
    ineligible_vendor: Vendor,
    sourcing: Callable[..., Requisition],
    portal_api: ClientFor,
) -> None:
    reference = sourcing("50000.00").reference
    buyer = portal_api(people.buyer)
    url = case(reference, "solicitation/")
    future = (timezone.now() + timedelta(days=7)).isoformat()
    body = {"instructions": "Quote.", "deadline": future, "vendors": [v.pk for v in vendors[:3]]}

    naive = (timezone.now() + timedelta(days=7)).replace(tzinfo=None).isoformat()
    refused(buyer.post(url, body | {"deadline": naive}, format="json"), 400, field="deadline")
    past = (timezone.now() - timedelta(days=1)).isoformat()
    refused(buyer.post(url, body | {"deadline": past}, format="json"), 400, field="deadline")
    error = refused(buyer.post(url, body | {"vendors": [vendors[0].pk, 987_654]}, format="json"), 400, field="vendors")
    assert "987654" in error["message"]
    refused(
        buyer.post(url, body | {"vendors": [*body["vendors"], ineligible_vendor.pk]}, format="json"),
        409,
        code="vendors.vendor_not_eligible",
    )
    refused(
        buyer.post(url, body | {"vendors": body["vendors"][:2]}, format="json"), 400, code="procurement.too_few_vendors"
    )


def test_facility_staff_who_do_not_buy_read_cases_and_are_refused_every_step(
    people: People,
    sourcing: Callable[..., Requisition],
    raise_requisition: Callable[..., Requisition],
    undp: Agency,
    facility_finance: User,
    portal_api: ClientFor,
) -> None:
    # given an approved purchase waiting for a buyer
    requisition = raise_requisition("50000.00")
    services.requisition_approve(agency=undp, requisition=requisition, approver=people.approver)
    finance = portal_api(facility_finance)

    # facility finance reads the queue and the case
    assert finance.get(CASES).status_code == 200
    assert finance.get(case(requisition.reference)).status_code == 200

    # and may not take it, nor may the committee member decide a deviation
    refused(finance.post(case(requisition.reference, "take/")), 403, code="procurement.buyers_only")
    refused(portal_api(people.committee).post(case(requisition.reference, "take/")), 403)

    # nothing was taken, and an unknown purchase is not found
    with schema_context(undp.schema_name):
        assert Requisition.objects.get(reference=requisition.reference).buyer_id is None
    refused(portal_api(people.buyer).post(case("UNDP-PR-999999", "take/")), 404)


def test_a_deviation_is_requested_by_the_buyer_and_decided_by_the_facility_manager(
    people: People, sourcing: Callable[..., Requisition], portal_api: ClientFor
) -> None:
    reference = sourcing("50000.00").reference
    body = {"kind": "fewer_quotes", "justification": "Only two suppliers in the region."}
    response = portal_api(people.buyer).post(case(reference, "deviations/"), body, format="json")
    assert response.status_code == 201, response.content
    deviation = response.json()["deviations"][0]

    decide = case(reference, f"deviations/{deviation['id']}/decide/")
    refused(
        portal_api(people.buyer).post(decide, {"approve": True}, format="json"), 403, code="procurement.manager_only"
    )
    refused(portal_api(people.manager).post(decide, {"approve": False}, format="json"), 400, field="note")
    response = portal_api(people.manager).post(decide, {"approve": True}, format="json")
    assert response.status_code == 200 and response.json()["deviations"][0]["status"] == "approved"
    refused(
        portal_api(people.manager).post(case(reference, "deviations/999/decide/"), {"approve": True}, format="json"),
        404,
    )


# -- the schema and the text limits ------------------------------------------------------------------


def test_each_address_documents_only_its_own_procurement_operations(
    facility: Agency, undp: Agency, client_at: Callable[..., Any]
) -> None:
    portal = client_at(facility).get("/api/schema/", {"format": "json"}).json()["paths"]
    agency = client_at(undp).get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "/api/procurement/cases/{reference}/openings/" in portal
    assert not any(path.startswith("/api/procurement/requisitions/") for path in portal)
    assert "/api/procurement/requisitions/{reference}/approve/" in agency
    assert not any(path.startswith("/api/procurement/cases/") for path in agency)
    assert "429" in portal["/api/procurement/cases/{reference}/openings/"]["post"]["responses"]


def _text_fields(field: Any) -> list[Any]:
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return _text_fields(field.child)
    if isinstance(field, serializers.Serializer):
        return [f for child in field.fields.values() if not child.read_only for f in _text_fields(child)]
    return [field] if isinstance(field, serializers.CharField) else []


def test_every_text_field_the_procurement_api_reads_has_a_limit() -> None:
    # the walk of tests/test_text_limits.py, over procurement.api
    module = importlib.import_module("procurement.api")
    unlimited = []
    for name, serializer_class in vars(module).items():
        if not (inspect.isclass(serializer_class) and issubclass(serializer_class, serializers.Serializer)):
            continue
        if serializer_class.__module__ != module.__name__:
            continue
        for field_name, field in serializer_class().get_fields().items():
            if not field.read_only:
                unlimited += [f"{name}.{field_name}" for text in _text_fields(field) if text.max_length is None]
    assert unlimited == []
