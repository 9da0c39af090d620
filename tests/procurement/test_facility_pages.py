"""The facility's procurement pages: the queue, a purchase's case page through a whole RFQ, the contracts
committee, and who may see and do what there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.services import membership_grant
from procurement import services
from procurement.models import Opening, PurchaseOrder, Requisition, Solicitation, SolicitationStatus
from tenants.models import Agency
from tests.factories import PASSWORD
from vendors.models import Vendor

from .conftest import People, past_deadline

pytest_plugins = ["tests.procurement.facility_fixtures"]
pytestmark = pytest.mark.usefixtures("quiet")


def deadline_field(moment: Any) -> str:
    """A time as the page's datetime-local input sends it, in the active time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def case_url(reference: str, action: str = "") -> str:
    url = f"/procurement/{reference}/"
    return f"{url}act/{action}/" if action else url


def _approved(undp: Agency, people: People, raise_requisition: Callable[..., Requisition], total: str) -> Requisition:
    requisition = raise_requisition(total)
    return services.requisition_approve(agency=undp, requisition=requisition, approver=people.approver)


def _messages(response: Any) -> str:
    return " ".join(str(message) for message in response.context["messages"]) if response.context else ""


def _reload(undp: Agency, reference: str) -> Requisition:
    with schema_context(undp.schema_name):
        return Requisition.objects.get(reference=reference)


def test_an_rfq_from_taking_it_to_the_purchase_order_through_the_pages(
    undp: Agency,
    people: People,
    vendors: list[Vendor],
    raise_requisition: Callable[..., Requisition],
    portal: Callable[[User], Client],
    bids_in: Callable[..., Any],
) -> None:
    requisition = _approved(undp, people, raise_requisition, "50000.00")
    reference = requisition.reference
    buyer = portal(people.buyer)

    queue = buyer.get("/procurement/?buyer=none")
    assert queue.status_code == 200
    assert reference in queue.content.decode()

    page = buyer.get(case_url(reference))
    assert page.status_code == 200
    assert "Request for quotation (RFQ)" in page.content.decode()  # the method the value calls for
    assert 'id="take-button"' in page.content.decode()

    taken = buyer.post(case_url(reference, "take"), follow=True)
    assert "You are the buyer of" in _messages(taken)
    assert _reload(undp, reference).buyer_id == people.buyer.pk

    # Only eligible vendors of the requisition's categories are offered.
    offered = buyer.get(case_url(reference)).content.decode()
    assert vendors[0].legal_name in offered
    too_few = buyer.post(
        case_url(reference, "solicit"),
        {
            "instructions": "Quote delivered prices.",
            "deadline": deadline_field(timezone.now() + timedelta(hours=2)),
            "vendors": [vendors[0].pk],
        },
    )
    assert too_few.status_code == 400
    assert "at least 3 vendors" in too_few.content.decode()

    issued = buyer.post(
        case_url(reference, "solicit"),
        {
            "instructions": "Quote delivered prices.",
            "deadline": deadline_field(timezone.now() + timedelta(hours=2)),
            "vendors": [vendor.pk for vendor in vendors[:3]],
        },
        follow=True,
    )
    assert "3 vendors invited" in _messages(issued)

    with schema_context(undp.schema_name):
        solicitation = Solicitation.objects.get(requisition__reference=reference)
        bids_in(solicitation, "41234.00", "39876.00", "45678.00")

    sealed = buyer.get(case_url(reference)).content.decode()
    assert "3 bids received, sealed (0 late)." in sealed
    for price in ("41,234", "39,876", "45,678", "41234", "39876", "45678"):
        assert price not in sealed

    opening = {"email": people.officer.email, "password": PASSWORD}
    early = buyer.post(case_url(reference, "open"), opening)
    assert early.status_code == 409
    assert "stay sealed until the deadline" in early.content.decode()

    with schema_context(undp.schema_name):
        past_deadline(solicitation)
    wrong = buyer.post(case_url(reference, "open"), {**opening, "password": "not-the-password"})
    assert wrong.status_code == 400
    assert "do not match an active account" in wrong.content.decode()
    with schema_context(undp.schema_name):
        assert not Opening.objects.filter(solicitation=solicitation).exists()

    opened = buyer.post(case_url(reference, "open"), opening, follow=True)
    assert "opened by" in _messages(opened)
    read_out = opened.content.decode()
    assert "39,876.00" in read_out and "41,234.00" in read_out
    assert "Opening record (PDF)" in read_out

    declared = buyer.post(case_url(reference, "declare"), {"no_conflict": "yes"}, follow=True)
    assert "no conflict of interest is recorded" in _messages(declared)
    with schema_context(undp.schema_name):
        bids = list(services.bids_counting(solicitation=solicitation))
    for bid in bids:
        found = buyer.post(
            case_url(reference, "compliance"),
            {"bid": bid.pk, "passed": "pass", "reason": "Meets the specification."},
        )
        assert found.status_code == 302
    completed = buyer.post(case_url(reference, "complete"), follow=True)
    assert "the award may follow" in _messages(completed)
    assert "Recommended: Beta Sistemas SA" in completed.content.decode()

    with schema_context(undp.schema_name):
        solicitation.refresh_from_db()
        recommended = solicitation.recommended_bid_id
    awarded = buyer.post(
        case_url(reference, "award"),
        {"bid": recommended, "justification": "Lowest priced compliant bid."},
        follow=True,
    )
    assert "Contract awarded to Beta Sistemas SA" in _messages(awarded)

    ordered = buyer.post(case_url(reference, "order"), {"terms": "Net 30 days; delivery DAP."}, follow=True)
    assert "Purchase order" in _messages(ordered)
    with schema_context(undp.schema_name):
        order = PurchaseOrder.objects.get(requisition__reference=reference)
    assert order.number.startswith("UNDP-PO-")
    assert order.number in ordered.content.decode()

    # Cancelling asks first, and says why it cannot be undone.
    confirm = buyer.get(f"/procurement/{reference}/orders/{order.pk}/cancel/")
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.content.decode()
    revised = buyer.post(
        f"/procurement/{reference}/orders/{order.pk}/revise/",
        {"change_note": "Delivery a week later.", "terms": "Net 30 days; delivery DAP."},
        follow=True,
    )
    assert f"{order.number} rev. 1" in _messages(revised)


def test_segregation_of_duties_is_shown_before_anyone_tries(
    undp: Agency,
    people: People,
    vendors: list[Vendor],
    raise_requisition: Callable[..., Requisition],
    portal: Callable[[User], Client],
    make_person: Callable[..., User],
) -> None:
    approving_officer = make_person((Role.APPROVER, undp), (Role.PROCUREMENT_AGENT, None), email="irene@facility.test")
    requisition = raise_requisition("50000.00")
    services.requisition_approve(agency=undp, requisition=requisition, approver=approving_officer)
    client = portal(approving_officer)

    page = client.get(case_url(requisition.reference)).content.decode()
    assert "You approved this requisition, so you cannot also buy it." in page
    assert 'id="take-button"' not in page

    tried = client.post(case_url(requisition.reference, "take"), follow=True)
    assert "You approved this requisition, so you cannot also buy it." in _messages(tried)
    assert _reload(undp, requisition.reference).buyer_id is None


def test_the_award_waits_for_the_contracts_committee(
    undp: Agency,
    people: People,
    vendors: list[Vendor],
    solicited: Callable[..., Any],
    portal: Callable[[User], Client],
    bids_in: Callable[..., Any],
) -> None:
    solicitation, _tokens = solicited("350000.00", invited=vendors[:3])
    bids_in(solicitation, "340000.00", "330000.00", "345000.00")
    past_deadline(solicitation)
    services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    services.evaluator_declare(solicitation=solicitation, user=people.evaluator, no_conflict=True)
    for bid in services.bids_counting(solicitation=solicitation):
        services.compliance_record(bid=bid, by=people.evaluator, passed=True, reason="Complies.")
    services.evaluation_complete(solicitation=solicitation, by=people.buyer)
    solicitation.refresh_from_db()
    assert solicitation.status == SolicitationStatus.COMMITTEE
    reference = solicitation.requisition.reference
    recommended = solicitation.recommended_bid_id

    buyer = portal(people.buyer)
    assert buyer.get("/procurement/committee/").status_code == 403
    page = buyer.get(case_url(reference)).content.decode()
    assert 'id="award-waits"' in page
    refused = buyer.post(case_url(reference, "award"), {"bid": recommended, "justification": "Lowest price."})
    assert refused.status_code == 409
    assert "has not approved this case" in refused.content.decode()

    # A member who evaluated the case is told so, with no form to try.
    membership_grant(user=people.evaluator, role=Role.CONTRACTS_COMMITTEE, agency=None)
    conflicted = portal(people.evaluator).get(case_url(reference)).content.decode()
    assert "Committee members may not review a case they evaluated." in conflicted
    assert 'id="committee-form"' not in conflicted

    member = portal(people.committee)
    listed = member.get("/procurement/committee/").content.decode()
    assert reference in listed
    assert 'id="committee-form"' in member.get(case_url(reference)).content.decode()
    approved = member.post(case_url(reference, "committee"), {"decision": "approve"}, follow=True)
    assert "Your decision is recorded." in _messages(approved)

    awarded = buyer.post(
        case_url(reference, "award"),
        {"bid": recommended, "justification": "Lowest price, approved by the committee."},
        follow=True,
    )
    assert "Contract awarded to" in _messages(awarded)


def test_the_auditor_reads_every_case_and_changes_nothing(
    undp: Agency,
    people: People,
    raise_requisition: Callable[..., Requisition],
    portal: Callable[[User], Client],
    procurement_auditor: User,
) -> None:
    requisition = _approved(undp, people, raise_requisition, "12000.00")
    auditor = portal(procurement_auditor)
    assert requisition.reference in auditor.get("/procurement/").content.decode()
    page = auditor.get(case_url(requisition.reference))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Micro-purchase" in body
    assert 'action="/procurement/' not in body  # no step is offered to a reader
    assert 'id="take-button"' not in body
    assert auditor.post(case_url(requisition.reference, "take")).status_code == 403
    assert _reload(undp, requisition.reference).buyer_id is None


def test_agency_people_never_reach_the_facility_pages(
    undp: Agency,
    unfpa: Agency,
    people: People,
    raise_requisition: Callable[..., Requisition],
    client_at: Callable[..., Client],
    facility: Agency,
    make_person: Callable[..., User],
) -> None:
    requisition = _approved(undp, people, raise_requisition, "50000.00")
    on_portal = client_at(facility, people.requester)
    for url in ("/procurement/", case_url(requisition.reference), "/procurement/committee/"):
        assert on_portal.get(url).status_code in (302, 403, 404)

    # From another agency's address, a crafted reference leads nowhere.
    unfpa_person = make_person((Role.APPROVER, unfpa), email="julia@unfpa.test")
    for url in (case_url(requisition.reference), case_url(requisition.reference, "take")):
        assert client_at(unfpa, unfpa_person).get(url).status_code == 404
    # On its own agency's address the same path is the agency's requisition page; the facility's steps are not there.
    assert client_at(undp, people.approver).post(case_url(requisition.reference, "take")).status_code == 404


def test_an_unknown_or_absurd_reference_is_not_found(people: People, portal: Callable[[User], Client]) -> None:
    buyer = portal(people.buyer)
    assert buyer.get(case_url("UNDP-PR-999999")).status_code == 404
    assert buyer.get(case_url("X" * 300)).status_code == 404
    assert buyer.post(case_url("UNDP-PR-999999", "nonsense")).status_code == 404


def test_the_queue_filters_and_sorts(
    undp: Agency,
    people: People,
    raise_requisition: Callable[..., Requisition],
    sourcing: Callable[..., Requisition],
    portal: Callable[[User], Client],
) -> None:
    waiting = _approved(undp, people, raise_requisition, "12000.00")
    mine = sourcing("50000.00")
    buyer = portal(people.buyer)
    body = buyer.get("/procurement/?buyer=mine").content.decode()
    assert mine.reference in body and waiting.reference not in body
    body = buyer.get("/procurement/?step=awaiting_buyer&sort=-agency").content.decode()
    assert waiting.reference in body and mine.reference not in body
    assert buyer.get("/procurement/?service=PRC-RFQ&state=overdue&agency=UNDP&page=9").status_code == 200
    assert buyer.get("/procurement/?step=<script>&sort=nonsense").status_code == 200


def test_the_case_history_names_methods_statuses_and_steps_instead_of_their_codes(
    undp: Agency, people: People, raise_requisition: Callable[..., Requisition], portal: Callable[[User], Client]
) -> None:
    # given a purchase approved and taken, then moved from an RFQ to an ITB with a reason
    requisition = _approved(undp, people, raise_requisition, "50000.00")
    services.requisition_take(requisition=requisition, buyer=people.buyer)
    services.method_change(
        requisition=requisition, method="itb", reason="A market with many suppliers.", by=people.buyer
    )

    # when the buyer reads the case's history
    page = portal(people.buyer).get(case_url(requisition.reference))
    history = page.content.decode().split('id="history"')[1]

    # then each code reads as its name, and the ledger's assignment is not said twice
    assert "Request for quotation (RFQ) → Invitation to bid (ITB): A market with many suppliers." in history
    assert "New → Open" in history
    assert "Sourcing" in history
    assert "new → open" not in history and ": rfq" not in history and "sourcing<" not in history
    assert people.buyer.email not in history
