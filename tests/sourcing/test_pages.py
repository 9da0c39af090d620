"""The agreements' pages on both addresses: who sees what, who may act (said before they try), every form's
bad input answered with a form error and no change, and no agency reaching another's consumption or decisions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement.models import Requisition
from sourcing.models import Consumption, LongTermAgreement, Participation, PiggybackRequest, PiggybackStatus
from sourcing.services import agreements as services
from tests.sourcing.conftest import expire, in_schema

pytestmark = pytest.mark.usefixtures("quiet")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name: str, *args: object) -> str:
    """A page's path (the agency's and the facility's agreement pages share their paths)."""
    return reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF if "new" in name else None)


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.fixture
def undp_lta(make_lta):  # type: ignore[no-untyped-def]
    """UNDP's agreement that UNFPA has not joined, with its contract attached."""
    return make_lta(files=[SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")])


# -- lists -----------------------------------------------------------------------------------------


def test_an_agency_lists_what_it_owns_takes_part_in_and_could_join(lta, undp_lta, make_lta, unfpa, client_at, people):
    expired = make_lta(title="Old cleaning contract")
    expire(expired)
    client = client_at(unfpa, people.unfpa_requester)
    page = html(client.get(url("sourcing:agreements")))
    assert lta.reference in page and undp_lta.reference in page
    assert expired.reference not in page  # UNDP's, expired, UNFPA never took part
    assert undp_lta.reference in html(client.get(url("sourcing:agreements") + "?tab=open"))
    assert lta.reference not in html(client.get(url("sourcing:agreements") + "?tab=open"))
    assert lta.reference in html(client.get(url("sourcing:agreements") + "?tab=part"))
    assert "Your agency owns no long-term agreement." in html(client.get(url("sourcing:agreements") + "?tab=ours"))


@pytest.mark.parametrize("query", ["?tab=nonsense", "?sort=-nothing", "?page=999", "?page=abc", "?tab=" + "x" * 5000])
def test_the_agency_list_takes_any_query(lta, unfpa, client_at, people, query):
    assert client_at(unfpa, people.unfpa_requester).get(url("sourcing:agreements") + query).status_code == 200


def test_the_facility_lists_every_agreement_sortable_and_filtered(lta, undp_lta, make_lta, facility, client_at, people):
    expired = make_lta(title="Old cleaning contract")
    expire(expired)
    client = client_at(facility, people.auditor)
    page = html(client.get(url("sourcing:agreements")))
    assert all(agreement.reference in page for agreement in (lta, undp_lta, expired))
    assert 'id="make"' not in page  # the auditor reads, never makes
    only_expired = html(client.get(url("sourcing:agreements") + "?status=expired"))
    assert expired.reference in only_expired and lta.reference not in only_expired
    for query in ("?status=bogus", "?sort=consumed", "?sort=-ceiling", "?q=" + "x" * 300, "?page=-1"):
        assert client.get(url("sourcing:agreements") + query).status_code == 200
    assert 'id="make"' in html(client_at(facility, people.buyer).get(url("sourcing:agreements")))


def test_agency_people_never_reach_the_facility_list(lta, facility, client_at, people):
    assert client_at(facility, people.undp_approver).get(url("sourcing:agreements")).status_code == 403


# -- one agreement: who sees which consumption ------------------------------------------------------


def test_the_owner_sees_every_agencys_consumption_a_participant_only_its_own(
    lta, undp, unfpa, call_off, client_at, people
):
    call_off(undp, lta, {2: "2"})  # UNDP 5,000
    call_off(unfpa, lta, {1: "3"})  # UNFPA 3,000
    owner = html(client_at(undp, people.undp_requester).get(url("sourcing:agreement", lta.reference)))
    assert "5,000.00" in owner and "3,000.00" in owner and 'id="consumption"' in owner
    participant = html(client_at(unfpa, people.unfpa_requester).get(url("sourcing:agreement", lta.reference)))
    # UNFPA reads its own 3,000, the overall 8,000 consumed and 92,000 remaining, never UNDP's 5,000
    assert "3,000.00" in participant and "92,000.00" in participant and "8,000.00" in participant
    assert "5,000.00" not in participant
    assert ">UNDP</th>" not in participant


def test_an_agency_that_could_join_reads_the_schedule_but_no_consumption_nor_documents(
    undp_lta, undp, unfpa, call_off, client_at, people
):
    call_off(undp, undp_lta, {2: "2"})
    page = html(client_at(unfpa, people.unfpa_approver).get(url("sourcing:agreement", undp_lta.reference)))
    assert "Simultaneous interpretation" in page and "1,000.00" in page
    assert 'id="consumption"' not in page and "5,000.00" not in page
    assert 'id="documents"' not in page and "contract.pdf" not in page
    assert 'id="ask-to-join"' in page  # an approver may ask
    document = undp_lta.documents.get()
    response = client_at(unfpa, people.unfpa_approver).get(
        url("sourcing:agreement-document", undp_lta.reference, document.pk)
    )
    assert response.status_code == 404


def test_who_may_not_act_is_told_why_before_trying(undp_lta, lta, unfpa, client_at, people):
    requester_view = html(client_at(unfpa, people.unfpa_requester).get(url("sourcing:agreement", undp_lta.reference)))
    assert (
        'id="ask-to-join"' not in requester_view and "Only your agency&#x27;s approvers ask to join" in requester_view
    )
    finance_view = html(client_at(unfpa, people.unfpa_finance).get(url("sourcing:agreement", lta.reference)))
    assert 'id="call-off"' not in finance_view and "requesters and approvers raise call-offs" in finance_view
    participant = html(client_at(unfpa, people.unfpa_requester).get(url("sourcing:agreement", lta.reference)))
    assert 'id="call-off"' in participant


def test_an_expired_agreement_shows_its_badge_and_takes_no_call_off(lta, unfpa, client_at, people):
    expire(lta)
    client = client_at(unfpa, people.unfpa_requester)
    page = html(client.get(url("sourcing:agreement", lta.reference)))
    assert 'id="expired"' in page and 'id="call-off"' not in page
    response = client.post(url("sourcing:call-off", lta.reference), call_off_form())
    assert response.status_code == 403 and not Consumption.objects.exists()


def test_the_page_turns_amber_at_80_percent(make_lta, undp, unfpa, call_off, client_at, people):
    agreement = make_lta("10000.00", participants=[unfpa])
    call_off(undp, agreement, {1: "7"})
    client = client_at(undp, people.undp_requester)
    assert 'id="ceiling-warning"' not in html(client.get(url("sourcing:agreement", agreement.reference)))
    call_off(unfpa, agreement, {1: "1"})
    assert 'id="ceiling-warning"' in html(client.get(url("sourcing:agreement", agreement.reference)))


@pytest.mark.parametrize("reference", ["LTA-2026-999999", "x" * 300, "%00", "..%2f"])
def test_an_unknown_agreement_is_a_404(lta, unfpa, client_at, people, reference):
    assert client_at(unfpa, people.unfpa_requester).get(f"/sourcing/agreements/{reference}/").status_code == 404


# -- piggybacking ----------------------------------------------------------------------------------


def test_an_approver_asks_to_join_through_the_page_and_the_owner_accepts_it(undp_lta, undp, unfpa, client_at, people):
    asking = client_at(unfpa, people.unfpa_approver)
    response = asking.post(
        url("sourcing:piggyback-request", undp_lta.reference),
        {"reason": "Three workshops a year.", "expected_spend_usd": "12000.00"},
    )
    assert response.status_code == 302
    piggyback = PiggybackRequest.objects.get()
    # the owner's approver sees it on the agreement, and decides it
    owner = client_at(undp, people.undp_approver)
    assert url("sourcing:piggyback-decide", undp_lta.reference, piggyback.pk) in html(
        owner.get(url("sourcing:agreement", undp_lta.reference))
    )
    response = owner.post(
        url("sourcing:piggyback-decide", undp_lta.reference, piggyback.pk),
        {"decision": "accept", "agency_ceiling_usd": "20000.00", "note": ""},
    )
    assert response.status_code == 302
    assert Participation.objects.get(agreement=undp_lta, agency=unfpa).ceiling_usd == Decimal("20000.00")
    # and UNFPA now sees its own line and may call off
    page = html(asking.get(url("sourcing:agreement", undp_lta.reference)))
    assert 'id="consumption"' in page and 'id="call-off"' in page and "contract.pdf" in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"reason": ""},
        {"reason": "x" * 2001},
        {"reason": "ok", "expected_spend_usd": "-1"},
        {"reason": "ok", "expected_spend_usd": "abc"},
        {"reason": "ok", "expected_spend_usd": "1e30"},
        {"reason": "ok", "expected_spend_usd": "99999999999999999"},
    ],
)
def test_a_bad_request_to_join_is_a_form_error_and_changes_nothing(undp_lta, unfpa, client_at, people, data):
    response = client_at(unfpa, people.unfpa_approver).post(url("sourcing:piggyback-request", undp_lta.reference), data)
    assert response.status_code == 400
    assert "errorlist" in html(response) or "errornote" in html(response)
    assert not PiggybackRequest.objects.exists()


def test_a_requester_is_refused_asking_to_join(undp_lta, unfpa, client_at, people):
    client = client_at(unfpa, people.unfpa_requester)
    assert 'id="refusal"' in html(client.get(url("sourcing:piggyback-request", undp_lta.reference)))
    response = client.post(url("sourcing:piggyback-request", undp_lta.reference), {"reason": "We want in."})
    assert response.status_code == 403 and not PiggybackRequest.objects.exists()


@pytest.fixture
def waiting(undp_lta, unfpa, people):  # type: ignore[no-untyped-def]
    return services.piggyback_request(agreement=undp_lta, agency=unfpa, by=people.unfpa_approver, reason="Workshops.")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"decision": "maybe"},
        {"decision": "refuse", "note": ""},
        {"decision": "accept", "agency_ceiling_usd": "-5"},
        {"decision": "accept", "agency_ceiling_usd": "100000.01"},
        {"decision": "accept", "agency_ceiling_usd": "1e99"},
        {"decision": "refuse", "note": "x" * 2001},
    ],
)
def test_a_bad_decision_is_a_form_error_and_changes_nothing(waiting, undp_lta, undp, client_at, people, data):
    response = client_at(undp, people.undp_approver).post(
        url("sourcing:piggyback-decide", undp_lta.reference, waiting.pk), data
    )
    assert response.status_code == 400
    waiting.refresh_from_db()
    assert waiting.status == PiggybackStatus.REQUESTED and Participation.objects.filter(agreement=undp_lta).count() == 1


def test_unfpa_cannot_decide_its_own_request_on_any_address(waiting, undp_lta, undp, unfpa, client_at, people):
    decide = url("sourcing:piggyback-decide", undp_lta.reference, waiting.pk)
    # on its own address the owner's decisions are not there
    assert client_at(unfpa, people.unfpa_approver).post(decide, {"decision": "accept"}).status_code == 404
    # on UNDP's address (a crafted Host with UNFPA's session) it is refused before any view runs
    assert client_at(undp, people.unfpa_approver).post(decide, {"decision": "accept"}).status_code == 403
    # a UNDP requester is told they may not, and refused
    requester = client_at(undp, people.undp_requester)
    assert 'id="refusal"' in html(requester.get(decide))
    assert requester.post(decide, {"decision": "accept"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == PiggybackStatus.REQUESTED
    assert not Participation.objects.filter(agreement=undp_lta, agency=unfpa).exists()


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999"])
def test_an_unknown_request_is_a_404(undp_lta, undp, client_at, people, pk):
    response = client_at(undp, people.undp_approver).get(
        f"/sourcing/agreements/{undp_lta.reference}/requests/{pk}/decide/"
    )
    assert response.status_code == 404


# -- call-offs -------------------------------------------------------------------------------------


def call_off_form(**fields: str) -> dict[str, str]:
    data = {
        "quantity_1": "3",
        "quantity_2": "",
        "delivery_place": "UN House, Brasília",
        "delivery_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "charge_code": "BRA10-00123-71200",
        "justification": "The March workshop.",
    }
    data.update(fields)
    return data


def test_a_participant_raises_a_call_off_through_the_page_and_lands_on_its_requisition(lta, unfpa, client_at, people):
    response = client_at(unfpa, people.unfpa_requester).post(url("sourcing:call-off", lta.reference), call_off_form())
    assert response.status_code == 302
    with in_schema(unfpa):
        requisition = Requisition.objects.get()
    assert response["Location"] == f"/procurement/{requisition.reference}/"
    assert requisition.estimated_total == Decimal("3000.00") and requisition.agreement_id == lta.pk


@pytest.mark.parametrize(
    "fields",
    [
        {"quantity_1": ""},
        {"quantity_1": "0"},
        {"quantity_1": "-2"},
        {"quantity_1": "abc"},
        {"quantity_1": "1e30"},
        {"quantity_1": "1.234"},
        {"quantity_1": "99999999999999"},
        {"delivery_date": "2001-01-01"},
        {"delivery_date": "not a date"},
        {"charge_code": ""},
        {"charge_code": "x" * 61},
        {"justification": ""},
        {"delivery_place": "x" * 201},
    ],
)
def test_a_bad_call_off_is_a_form_error_and_changes_nothing(lta, unfpa, client_at, people, fields):
    response = client_at(unfpa, people.unfpa_requester).post(
        url("sourcing:call-off", lta.reference), call_off_form(**fields)
    )
    assert response.status_code == 400
    assert "errorlist" in html(response) or "errornote" in html(response)
    assert not Consumption.objects.exists()
    with in_schema(unfpa):
        assert not Requisition.objects.exists()


def test_a_call_off_over_the_ceiling_shows_what_remains(make_lta, unfpa, client_at, people):
    agreement = make_lta("2000.00", participants=[unfpa])
    response = client_at(unfpa, people.unfpa_requester).post(
        url("sourcing:call-off", agreement.reference), call_off_form()
    )
    assert response.status_code == 409
    assert "This call-off of 3,000.00 USD would pass the agreement&#x27;s ceiling: 2,000.00 USD remains." in html(
        response
    )
    assert not Consumption.objects.exists()


def test_an_agency_that_does_not_take_part_cannot_call_off_by_page_or_crafted_host(
    undp_lta, undp, unfpa, client_at, people
):
    own = client_at(unfpa, people.unfpa_approver)
    assert 'id="refusal"' in html(own.get(url("sourcing:call-off", undp_lta.reference)))
    assert own.post(url("sourcing:call-off", undp_lta.reference), call_off_form()).status_code == 403
    crafted = client_at(undp, people.unfpa_approver)
    assert crafted.post(url("sourcing:call-off", undp_lta.reference), call_off_form()).status_code == 403
    assert not Consumption.objects.exists()


# -- documents ---------------------------------------------------------------------------------------


def test_documents_are_served_to_the_owner_participants_and_facility_only(
    undp_lta, undp, unfpa, facility, client_at, people
):
    document = undp_lta.documents.get()
    path = url("sourcing:agreement-document", undp_lta.reference, document.pk)
    owner = client_at(undp, people.undp_requester).get(path)
    assert owner.status_code == 200 and b"".join(owner.streaming_content) == PDF
    assert owner["Content-Disposition"].startswith("attachment")
    assert client_at(facility, people.auditor).get(path).status_code == 200
    assert client_at(unfpa, people.unfpa_approver).get(path).status_code == 404
    assert client_at(undp, people.unfpa_approver).get(path).status_code == 403
    assert (
        client_at(undp, people.undp_requester)
        .get(url("sourcing:agreement-document", undp_lta.reference, 99999999999999999999))
        .status_code
        == 404
    )


# -- making agreements on the facility portal -------------------------------------------------------


def contract_form(vendor, interpretation, undp, /, **fields):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    data = {
        "owner": str(undp.pk),
        "vendor": str(vendor.pk),
        "contract_reference": "UNDP/BRA/2026/031",
        "title": "Interpretation services",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "ceiling_usd": "80000.00",
        "terms": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "200",
        "items-0-description": "Simultaneous interpretation",
        "items-0-category": str(interpretation.pk),
        "items-0-unit": "day",
        "items-0-unit_price_usd": "950.00",
    }
    data.update(fields)
    return data


def test_a_buyer_records_a_contract_with_its_document(facility, undp, unfpa, vendor, interpretation, client_at, people):
    data = contract_form(vendor, interpretation, undp, participants=[str(unfpa.pk)], ceiling_UNFPA="10000.00")
    data["documents"] = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    response = client_at(facility, people.buyer).post(url("sourcing:agreement-new-contract"), data)
    assert response.status_code == 302, html(response)
    agreement = LongTermAgreement.objects.get()
    assert agreement.documents.get().name == "signed.pdf"
    assert Participation.objects.get(agreement=agreement, agency=unfpa).ceiling_usd == Decimal("10000.00")


def test_add_items_sends_the_form_back_with_more_rows(facility, undp, vendor, interpretation, client_at, people):
    data = contract_form(vendor, interpretation, undp, add_items="1")
    response = client_at(facility, people.buyer).post(url("sourcing:agreement-new-contract"), data)
    assert response.status_code == 200 and 'name="items-3-description"' in html(response)
    assert not LongTermAgreement.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"owner": ""},
        {"owner": "999999"},
        {"vendor": "abc"},
        {"ceiling_usd": "-1"},
        {"ceiling_usd": "1e40"},
        {"valid_until": "2000-01-01"},
        {"title": ""},
        {"items-0-description": ""},
        {"items-0-unit_price_usd": "0"},
        {"items-0-category": "999999"},
        {"items-TOTAL_FORMS": "100000"},
        {"items-TOTAL_FORMS": "abc"},
        {"ceiling_UNFPA": "90000.00", "participants": []},
        {"ceiling_UNDP": "90000.00"},
    ],
)
def test_a_bad_contract_is_a_form_error_and_records_nothing(
    facility, undp, vendor, interpretation, client_at, people, fields
):
    data = contract_form(vendor, interpretation, undp, **fields)
    response = client_at(facility, people.buyer).post(url("sourcing:agreement-new-contract"), data)
    assert response.status_code in (400, 409)
    assert "errorlist" in html(response) or "errornote" in html(response)
    assert not LongTermAgreement.objects.exists()


def test_a_buyer_makes_an_agreement_from_an_award_picked_from_the_list(
    awarded_case, facility, unfpa, client_at, people
):
    client = client_at(facility, people.buyer)
    assert awarded_case.reference in html(client.get(url("sourcing:agreement-new-from-award")))
    today = timezone.localdate()
    response = client.post(
        url("sourcing:agreement-new-from-award"),
        {
            "requisition_reference": awarded_case.reference,
            "title": "Interpretation and cleaning, 2026-2028",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=700)).isoformat(),
            "ceiling_usd": "250000.00",
            "participants": [str(unfpa.pk)],
        },
    )
    assert response.status_code == 302
    agreement = LongTermAgreement.objects.get()
    assert agreement.owner.code == "UNDP" and agreement.items.count() == 2
    # and the purchase is no longer offered
    assert awarded_case.reference not in html(client.get(url("sourcing:agreement-new-from-award")))


@pytest.mark.parametrize("reference", ["UNDP-PR-999999", "", "x" * 41])
def test_an_agreement_from_an_unknown_purchase_is_a_form_error(facility, client_at, people, reference):
    today = timezone.localdate()
    response = client_at(facility, people.buyer).post(
        url("sourcing:agreement-new-from-award"),
        {
            "requisition_reference": reference,
            "title": "T",
            "valid_from": today.isoformat(),
            "valid_until": today.isoformat(),
            "ceiling_usd": "1.00",
        },
    )
    assert response.status_code in (400, 404) and "errornote" in html(response)
    assert not LongTermAgreement.objects.exists()


def test_only_makers_reach_the_forms_to_make_agreements(facility, client_at, people):
    for name in ("sourcing:agreement-new-from-award", "sourcing:agreement-new-contract"):
        assert client_at(facility, people.auditor).get(url(name)).status_code == 403
        assert client_at(facility, people.manager).get(url(name)).status_code == 200
