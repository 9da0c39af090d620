"""The agency's procurement pages: raising a requisition with as many lines as it needs, following it,
the approver's decision from the approvals inbox, withdrawing, answering the buyer, the order's PDF, and
who may see and do what on an agency's address."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from ledger.models import EntryStatus, LedgerEntry
from procurement import services
from procurement.models import Requisition, RequisitionStatus
from procurement.start import approvals, new_request_links, start_panels
from shared_platform.start import viewer_for

from .conftest import past_deadline
from .pages_fixtures import requisition_post

pytest_plugins = ["tests.procurement.pages_fixtures"]
pytestmark = pytest.mark.usefixtures("quiet")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _count(undp) -> int:
    with schema_context(undp.schema_name):
        return Requisition.objects.count()


# -- raising a requisition -----------------------------------------------------------------------


def test_a_requester_raises_a_requisition_with_its_lines_and_a_file(people, laptops, at_undp, undp):
    browser = at_undp(people.requester)
    # given the new requisition page with three empty rows
    page = browser.get("/procurement/new/")
    assert page.status_code == 200
    assert page.content.decode().count('name="lines-') >= 15
    # when two lines and a specification are sent
    data = requisition_post(laptops)
    data["attachments"] = SimpleUploadedFile("specification.png", PNG, content_type="image/png")
    response = browser.post("/procurement/new/", data)
    # then the requisition exists with its lines, total and file, and the page shows them
    assert response.status_code == 302
    with schema_context(undp.schema_name):
        requisition = Requisition.objects.get()
        assert requisition.status == RequisitionStatus.SUBMITTED
        assert requisition.lines.count() == 2
        assert requisition.estimated_total == Decimal("17500.00")
        assert requisition.attachments.get().name == "specification.png"
    assert response["Location"] == f"/procurement/{requisition.reference}/"
    detail = browser.get(response["Location"]).content.decode()
    assert "17,500.00" in detail
    assert "Request for quotation (RFQ)" in detail  # 17,500 USD is above the micro-purchase threshold
    assert "specification.png" in detail
    download = browser.get(f"/procurement/{requisition.reference}/files/{requisition.attachments.get().pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_add_lines_gives_more_rows_and_keeps_what_was_typed_without_raising(people, laptops, at_undp, undp):
    data = requisition_post(laptops, [("Laptop", "3", "1000"), ("Mouse", "3", "20"), ("Bag", "3", "40")])
    data["add_lines"] = "Add lines"
    response = at_undp(people.requester).post("/procurement/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="6"' in html
    assert 'value="Mouse"' in html
    assert 'value="Laptops for the project office"' in html
    assert "errorlist" not in html
    assert _count(undp) == 0


def test_empty_rows_are_ignored(people, laptops, at_undp, undp):
    data = requisition_post(laptops, [("Laptop", "3", "1000")])
    data["lines-TOTAL_FORMS"] = "6"
    assert at_undp(people.requester).post("/procurement/new/", data).status_code == 302
    with schema_context(undp.schema_name):
        assert Requisition.objects.get().lines.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lines-0-quantity": "-2"}, "Ensure this value is greater than or equal to 0.01."),
        ({"lines-0-estimated_unit_price": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"delivery_date": "2020-01-01"}, "The delivery date cannot be in the past."),
        ({"charge_code": ""}, "This field is required."),
        ({"lines-0-category": "999999"}, "Select a valid choice."),
    ],
    ids=["negative quantity", "negative price", "past delivery date", "no charge code", "unknown category"],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_raised(people, laptops, at_undp, undp, change, message):
    response = at_undp(people.requester).post("/procurement/new/", requisition_post(laptops) | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _count(undp) == 0


def test_a_file_of_a_refused_kind_is_refused_and_nothing_is_raised(people, laptops, at_undp, undp):
    data = requisition_post(laptops)
    data["attachments"] = SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)
    response = at_undp(people.requester).post("/procurement/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "setup.exe" in html
    assert 'class="form-row errors"' in html
    assert _count(undp) == 0


def test_no_line_and_too_many_lines_are_refused(people, laptops, at_undp, undp):
    browser = at_undp(people.requester)
    empty = browser.post("/procurement/new/", requisition_post(laptops, []))
    assert empty.status_code == 400
    assert "A requisition needs at least one line." in empty.content.decode()
    # (a page of 201 rows sends more fields than a request may carry: the rows are counted, not filled)
    too_many = browser.post("/procurement/new/", requisition_post(laptops) | {"lines-TOTAL_FORMS": "201"})
    assert too_many.status_code == 400
    assert "A requisition has at most 200 lines." in too_many.content.decode()
    assert _count(undp) == 0


# -- the list and who sees what --------------------------------------------------------------------


def test_a_requester_lists_their_own_and_never_a_colleagues(people, raise_requisition, make_person, undp, at_undp):
    colleague = make_person((Role.REQUESTER, undp), email="colleague@undp.test")
    mine = raise_requisition("2000.00")
    theirs = raise_requisition("3000.00", requester=colleague, title="Chairs for the meeting room")
    listing = at_undp(people.requester).get("/procurement/").content.decode()
    assert mine.reference in listing
    assert theirs.reference not in listing
    assert at_undp(people.requester).get(f"/procurement/{theirs.reference}/").status_code == 404
    # the approver sees the whole agency's, sorted and filtered
    everyone = at_undp(people.approver).get("/procurement/?sort=-total").content.decode()
    assert everyone.index(theirs.reference) < everyone.index(mine.reference)
    assert 'aria-sort="descending"' in everyone
    filtered = at_undp(people.approver).get("/procurement/?status=rejected").content.decode()
    assert "No requisition matches these filters." in filtered


def test_an_empty_list_says_so(people, at_undp):
    html = at_undp(people.requester).get("/procurement/").content.decode()
    assert "You have no requisition yet." in html
    assert 'href="/procurement/new/"' in html


def test_another_agencys_requisition_is_not_found_on_its_address(
    people, raise_requisition, client_at, unfpa, make_person
):
    requisition = raise_requisition("2000.00")
    unfpa_approver = make_person((Role.APPROVER, unfpa), email="approver@unfpa.test")
    browser = client_at(unfpa, unfpa_approver)
    assert browser.get(f"/procurement/{requisition.reference}/").status_code == 404
    assert browser.get(f"/procurement/{requisition.reference}/decide/").status_code == 404
    assert requisition.reference not in browser.get("/procurement/").content.decode()


def test_the_pages_are_not_on_the_facility_portal_for_agency_people(people, client_at, facility):
    assert client_at(facility, people.buyer).get("/procurement/new/").status_code in (403, 404)


# -- the approver --------------------------------------------------------------------------------


def test_the_approver_approves_from_the_inbox_and_the_clock_starts(people, raise_requisition, at_undp, undp):
    requisition = raise_requisition("50000.00")
    browser = at_undp(people.approver)
    inbox = browser.get("/approvals/").content.decode()
    assert f"/procurement/{requisition.reference}/decide/" in inbox
    page = browser.get(f"/procurement/{requisition.reference}/decide/")
    assert page.status_code == 200
    assert 'id="approve-form"' in page.content.decode()
    response = browser.post(f"/procurement/{requisition.reference}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    with schema_context(undp.schema_name):
        requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    entry = LedgerEntry.objects.get(pk=requisition.entry_id)
    assert entry.step == services.STEP_WAITING_BUYER
    detail = at_undp(people.requester).get(f"/procurement/{requisition.reference}/").content.decode()
    assert 'id="clocks"' in detail
    assert "Approved by" in detail
    assert f"/procurement/{requisition.reference}/decide/" not in browser.get("/approvals/").content.decode()


def test_the_approver_cannot_approve_their_own_and_is_told_why_before(people, raise_requisition, at_undp, undp):
    own = raise_requisition("5000.00", requester=people.approver)
    browser = at_undp(people.approver)
    page = browser.get(f"/procurement/{own.reference}/decide/").content.decode()
    assert "another approver of your agency must decide it" in page
    assert 'id="approve-form"' not in page
    assert own.reference not in browser.get("/approvals/").content.decode()
    response = browser.post(f"/procurement/{own.reference}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    with schema_context(undp.schema_name):
        own.refresh_from_db()
    assert own.status == RequisitionStatus.SUBMITTED and own.entry_id is None


def test_a_requester_cannot_decide(people, raise_requisition, at_undp):
    requisition = raise_requisition("5000.00")
    assert (
        at_undp(people.requester)
        .post(f"/procurement/{requisition.reference}/decide/", {"decision": "approve"})
        .status_code
        == 403
    )


def test_rejecting_needs_a_reason_the_requester_then_reads(people, raise_requisition, at_undp, undp):
    requisition = raise_requisition("5000.00")
    url = f"/procurement/{requisition.reference}/decide/"
    browser = at_undp(people.approver)
    assert browser.post(url, {"decision": "reject", "reason": "  "}).status_code == 400
    with schema_context(undp.schema_name):
        requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED
    assert browser.post(url, {"decision": "reject", "reason": "Buy from the existing LTA."}).status_code == 302
    detail = at_undp(people.requester).get(f"/procurement/{requisition.reference}/").content.decode()
    assert "Buy from the existing LTA." in detail
    assert "Rejected" in detail


# -- withdrawing, the buyer's question, the order -------------------------------------------------


def test_withdrawing_asks_for_a_confirmation_first(people, raise_requisition, at_undp, undp):
    requisition = raise_requisition("5000.00")
    url = f"/procurement/{requisition.reference}/withdraw/"
    browser = at_undp(people.requester)
    assert browser.get(url).status_code == 200
    refused = browser.post(url, {"reason": "Not needed any more."})
    assert refused.status_code == 400
    with schema_context(undp.schema_name):
        requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED
    assert browser.post(url, {"reason": "Not needed any more.", "confirm": "yes"}).status_code == 302
    with schema_context(undp.schema_name):
        requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.CANCELLED
    # only its requester withdraws
    other = raise_requisition("5000.00")
    assert at_undp(people.approver).get(f"/procurement/{other.reference}/withdraw/").status_code == 403


def test_the_requester_answers_the_buyers_question_and_the_clock_runs_again(people, sourcing, at_undp, undp):
    requisition = sourcing("20000.00")
    services.case_ask_requester(requisition=requisition, question="Which screen size exactly?", by=people.buyer)
    browser = at_undp(people.requester)
    page = browser.get(f"/procurement/{requisition.reference}/").content.decode()
    assert "Which screen size exactly?" in page
    assert 'id="answer-form"' in page
    assert (
        'id="answer-form"'
        not in at_undp(people.approver).get(f"/procurement/{requisition.reference}/").content.decode()
    )
    assert browser.post(f"/procurement/{requisition.reference}/answer/", {"answer": ""}).status_code == 400
    response = browser.post(f"/procurement/{requisition.reference}/answer/", {"answer": "14 inch."})
    assert response.status_code == 302
    assert LedgerEntry.objects.get(pk=requisition.entry_id).status != EntryStatus.PENDING


def test_the_issued_orders_pdf_downloads(people, sourcing, vendors, at_undp, undp):
    requisition = sourcing("5000.00")
    quotation = services.quotation_record(
        requisition=requisition, vendor=vendors[0], currency="USD", unit_prices=["4800.00"], by=people.buyer
    )
    order = services.order_issue(
        agency=undp, requisition=requisition, by=people.buyer, terms="Net 30.", quotation=quotation
    )
    services.order_pdf_save(order=order, content=b"%PDF-1.7 the order")
    browser = at_undp(people.requester)
    detail = browser.get(f"/procurement/{requisition.reference}/").content.decode()
    assert order.number in detail
    download = browser.get(f"/procurement/{requisition.reference}/orders/{order.pk}/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == b"%PDF-1.7 the order"
    assert browser.get(f"/procurement/{requisition.reference}/orders/{order.pk + 1}/pdf/").status_code == 404


# -- the start page and the approvals inbox ------------------------------------------------------


def test_the_start_page_offers_a_new_requisition_when_the_agreement_covers_procurement(people, undp):
    links = new_request_links(viewer=viewer_for(user=people.requester, address=undp))
    assert [link.url for link in links] == ["/procurement/new/"]


def test_the_inbox_holds_what_waits_for_this_approver_only(people, raise_requisition, undp):
    waiting = raise_requisition("5000.00")
    raise_requisition("5000.00", requester=people.approver)
    items = approvals(viewer=viewer_for(user=people.approver, address=undp))
    assert [item.reference for item in items] == [waiting.reference]
    assert approvals(viewer=viewer_for(user=people.requester, address=undp)) == []


def test_the_buyers_start_panel_counts_the_queue_by_step(people, raise_requisition, sourcing, facility, undp):
    services.requisition_approve(agency=undp, requisition=raise_requisition("5000.00"), approver=people.approver)
    sourcing("5000.00")
    panels = start_panels(viewer=viewer_for(user=people.buyer, address=facility))
    counts = {count.label: count.number for count in panels[0].counts}
    assert counts["waiting for a buyer"] == 1
    assert start_panels(viewer=viewer_for(user=people.requester, address=undp)) == []


def test_the_manager_finds_deviations_waiting_in_the_inbox(people, sourcing, facility, undp):
    requisition = sourcing("20000.00")
    services.deviation_request(
        requisition=requisition, kind="fewer_quotes", justification="Only two suppliers in the region.", by=people.buyer
    )
    items = approvals(viewer=viewer_for(user=people.manager, address=facility))
    assert [(item.reference, item.url) for item in items] == [
        (requisition.reference, f"/procurement/{requisition.reference}/")
    ]
    delivery = timezone.localdate() + timedelta(days=1)
    assert delivery  # the inbox reads each agency's schema and leaves the connection where it was


def test_the_requisition_page_tells_the_agency_each_step_but_not_who_bid(people, solicited, at_undp):
    # given an RFQ whose bids came in, were opened, and whose evaluator declared no conflict with the bidders
    solicitation, _tokens = solicited("50000.00")
    invitations = list(solicitation.invitations.order_by("vendor_name"))
    at = timezone.now() - timedelta(minutes=30)
    for invitation, total in zip(invitations, ("41000", "39000"), strict=False):
        services.bid_submit(invitation=invitation, currency="USD", unit_prices=[total], at=at)
    past_deadline(solicitation)
    services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    services.evaluator_declare(solicitation=solicitation, user=people.evaluator, no_conflict=True)

    # when the requester reads the requisition's page
    page = at_undp(people.requester).get(f"/procurement/{solicitation.requisition.reference}/").content.decode()

    # then the history has every step, the method by its name, and no bidder's name anywhere
    assert "Request for quotation (RFQ)" in page
    assert "Bids opened" in page and "Evaluation" in page
    for invitation in invitations:
        assert invitation.vendor_name not in page
