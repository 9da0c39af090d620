"""Procurement's rules, service by service: method by value, segregation of duties, sealed bids,
envelope order, evaluation arithmetic, the committee gate, orders."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from billing.models import ExchangeRate
from ledger.models import EntryStatus, LedgerEntry
from procurement import services
from procurement.models import (
    Bid,
    BidDocument,
    Method,
    OrderStatus,
    RequisitionStatus,
    SolicitationStatus,
)
from shared_platform.errors import ApplicationError
from tests.procurement.conftest import line, past_deadline
from vendors.models import MethodThresholds

pytestmark = pytest.mark.usefixtures("quiet")


def refused(code: str, call, *args, **kwargs):  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as raised:
        call(*args, **kwargs)
    assert raised.value.code == code, raised.value.message
    return raised.value


# -- method by value -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "method", "service"),
    [
        ("15000.00", Method.MICRO, "PRC-MICRO"),
        ("15000.01", Method.RFQ, "PRC-RFQ"),
        ("200000.00", Method.RFQ, "PRC-RFQ"),
        ("200000.01", Method.ITB, "PRC-ITB"),
    ],
)
def test_the_method_follows_the_estimated_total_at_each_threshold(
    people, undp, raise_requisition, total, method, service
):
    requisition = raise_requisition(total)

    services.requisition_approve(agency=undp, requisition=requisition, approver=people.approver)

    requisition.refresh_from_db()
    assert requisition.method == method
    entry = LedgerEntry.objects.get(pk=requisition.entry_id)
    assert entry.service.code == service
    assert entry.step == services.STEP_WAITING_BUYER


def test_an_agencys_own_thresholds_apply_from_their_effective_date(people, undp, raise_requisition):
    today = timezone.localdate()
    MethodThresholds.objects.create(
        agency=undp,
        effective_from=today + timedelta(days=1),
        micro_purchase_max=Decimal("5000.00"),
        rfq_max=Decimal("100000.00"),
        committee_above=Decimal("150000.00"),
        set_by=people.manager,
        set_at=timezone.now(),
    )
    before = raise_requisition("10000.00")
    services.requisition_approve(agency=undp, requisition=before, approver=people.approver)
    before.refresh_from_db()
    assert before.method == Method.MICRO  # tomorrow's thresholds do not apply today

    MethodThresholds.objects.filter(agency=undp).update(effective_from=today)
    after = raise_requisition("10000.00")
    services.requisition_approve(agency=undp, requisition=after, approver=people.approver)
    after.refresh_from_db()
    assert after.method == Method.RFQ


# -- requisitions and segregation of duties -----------------------------------------------------


def test_approval_puts_the_purchase_on_the_ledger_with_its_completion_clock(people, undp, raise_requisition):
    requisition = raise_requisition("50000.00")
    assert requisition.entry_id is None
    assert requisition.reference.startswith("UNDP-PR-")

    requisition = services.requisition_approve(agency=undp, requisition=requisition, approver=people.approver)

    entry = LedgerEntry.objects.get(pk=requisition.entry_id)
    assert entry.reference == requisition.reference
    assert entry.requester == people.requester
    assert [clock.metric for clock in entry.clocks.all()] == ["completion"]
    assert entry.clocks.get().target_minutes == 15 * 9 * 60


def test_nobody_approves_their_own_requisition(people, undp, raise_requisition):
    own = raise_requisition("50000.00", requester=people.approver)
    refused(
        "procurement.segregation_approver",
        services.requisition_approve,
        agency=undp,
        requisition=own,
        approver=people.approver,
    )


def test_only_an_approver_of_the_agency_decides(people, undp, raise_requisition):
    requisition = raise_requisition("50000.00")
    refused(
        "procurement.approvers_only",
        services.requisition_approve,
        agency=undp,
        requisition=requisition,
        approver=people.buyer,
    )


def test_a_rejection_needs_a_reason_and_leaves_the_ledger_alone(people, undp, raise_requisition):
    requisition = raise_requisition("50000.00")
    refused(
        "procurement.invalid",
        services.requisition_reject,
        agency=undp,
        requisition=requisition,
        approver=people.approver,
        reason="  ",
    )

    services.requisition_reject(agency=undp, requisition=requisition, approver=people.approver, reason="No budget left")

    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REJECTED
    assert not LedgerEntry.objects.filter(reference=requisition.reference).exists()


def test_requester_approver_and_buyer_are_three_people(people, undp, raise_requisition, make_person):
    both = make_person(
        (Role.PROCUREMENT_AGENT, None), (Role.REQUESTER, undp), (Role.APPROVER, undp), email="x@both.test"
    )
    raised_by_buyer = raise_requisition("50000.00", requester=both)
    services.requisition_approve(agency=undp, requisition=raised_by_buyer, approver=people.approver)
    refused("procurement.segregation_buyer", services.requisition_take, requisition=raised_by_buyer, buyer=both)

    approved_by_buyer = raise_requisition("50000.00")
    services.requisition_approve(agency=undp, requisition=approved_by_buyer, approver=both)
    refused("procurement.segregation_buyer", services.requisition_take, requisition=approved_by_buyer, buyer=both)


@pytest.mark.parametrize(
    ("quantity", "price", "field"),
    [
        ("-1", "10.00", "lines.1.quantity"),
        ("0", "10.00", "lines.1.quantity"),
        ("1", "-5", "lines.1.estimated_unit_price"),
        ("1", "1.001", "lines.1.estimated_unit_price"),
    ],
)
def test_bad_lines_are_refused_with_the_field_named_and_nothing_stored(
    raise_requisition, laptops, quantity, price, field
):
    error = refused(
        "procurement.invalid", raise_requisition, None, lines=[line(laptops, quantity=quantity, price=price)]
    )
    assert field in error.fields
    from procurement.models import Requisition

    assert not Requisition.objects.exists()


def test_a_delivery_date_in_the_past_is_refused(raise_requisition):
    error = refused("procurement.invalid", raise_requisition, "100.00", delivery_date=date(2020, 1, 1))
    assert "delivery_date" in error.fields


# -- method changes and deviations --------------------------------------------------------------


def test_a_more_competitive_method_moves_the_request_to_its_service_and_target(people, sourcing):
    requisition = sourcing("50000.00")
    services.method_change(
        requisition=requisition, method=Method.RFP, reason="Best value: consultancy", by=people.buyer
    )

    entry = LedgerEntry.objects.get(pk=requisition.entry_id)
    assert entry.service.code == "PRC-ITB"
    assert entry.clocks.get().target_minutes == 45 * 9 * 60
    assert entry.events.filter(kind="service", detail__contains="PRC-RFQ → PRC-ITB").exists()


def test_direct_contracting_needs_the_managers_approved_deviation(people, sourcing):
    requisition = sourcing("50000.00")
    refused(
        "procurement.deviation_required",
        services.method_change,
        requisition=requisition,
        method=Method.MICRO,
        reason="Sole supplier",
        by=people.buyer,
    )

    deviation = services.deviation_request(
        requisition=requisition, kind="direct", justification="Only the manufacturer services it.", by=people.buyer
    )
    refused(
        "procurement.manager_only",
        services.deviation_decide,
        deviation=deviation,
        approve=True,
        note="",
        by=people.officer,
    )
    services.deviation_decide(deviation=deviation, approve=True, note="Proprietary system.", by=people.manager)

    services.method_change(
        requisition=requisition, method=Method.MICRO, reason="Direct contracting approved", by=people.buyer
    )
    requisition.refresh_from_db()
    assert requisition.method == Method.MICRO


def test_an_rfq_invites_three_vendors_unless_fewer_quotes_are_approved(people, vendors, sourcing):
    requisition = sourcing("50000.00")
    deadline = timezone.now() + timedelta(days=5)
    refused(
        "procurement.too_few_vendors",
        services.solicitation_issue,
        requisition=requisition,
        by=people.buyer,
        instructions="Quote",
        deadline=deadline,
        vendors=vendors[:2],
    )

    deviation = services.deviation_request(
        requisition=requisition, kind="fewer_quotes", justification="Only two suppliers in Roraima.", by=people.buyer
    )
    services.deviation_decide(deviation=deviation, approve=True, note="", by=people.manager)
    _solicitation, tokens = services.solicitation_issue(
        requisition=requisition, by=people.buyer, instructions="Quote", deadline=deadline, vendors=vendors[:2]
    )
    assert set(tokens) == {vendors[0].pk, vendors[1].pk}


def test_an_ineligible_vendor_cannot_be_invited(people, vendors, ineligible_vendor, sourcing):
    requisition = sourcing("50000.00")
    refused(
        "vendors.vendor_not_eligible",
        services.solicitation_issue,
        requisition=requisition,
        by=people.buyer,
        instructions="Quote",
        deadline=timezone.now() + timedelta(days=5),
        vendors=[*vendors[:3], ineligible_vendor],
    )


def test_a_deadline_in_the_past_is_refused(people, vendors, sourcing):
    requisition = sourcing("50000.00")
    error = refused(
        "procurement.invalid",
        services.solicitation_issue,
        requisition=requisition,
        by=people.buyer,
        instructions="Quote",
        deadline=timezone.now() - timedelta(hours=1),
        vendors=vendors[:3],
    )
    assert "deadline" in error.fields


# -- sealed bids --------------------------------------------------------------------------------


def test_a_bid_cannot_be_read_before_opening_by_any_means(solicited, people):
    solicitation, _tokens = solicited("50000.00")
    invitation = solicitation.invitations.first()
    bid = services.bid_submit(invitation=invitation, currency="USD", unit_prices=["48765.4321"])

    stored = Bid.objects.get(pk=bid.pk)
    assert stored.total is None and stored.lines is None and stored.currency == ""
    assert b"48765" not in bytes(stored.sealed_financial)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.schema_name}.procurement_bid WHERE id = %s", [bid.pk])
        row = cursor.fetchone()
    assert "48765" not in repr(row)

    refused(
        "procurement.still_sealed",
        services.bids_open,
        solicitation=solicitation,
        officers=[people.buyer, people.officer],
    )


def test_bid_documents_are_sealed_too(solicited, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    solicitation, _ = solicited("50000.00")
    upload = SimpleUploadedFile("offer.txt", b"Our secret price is 31337", content_type="text/plain")
    bid = services.bid_submit(
        invitation=solicitation.invitations.first(), currency="USD", unit_prices=["100"], documents=[("single", upload)]
    )
    document = BidDocument.objects.get(bid=bid)
    assert b"31337" not in bytes(document.sealed_content) and b"offer" not in bytes(document.sealed_name)
    refused("procurement.still_sealed", services.bid_document_read, document=document)

    past_deadline(solicitation)
    services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    document.bid.refresh_from_db()
    assert services.bid_document_read(document=BidDocument.objects.get(pk=document.pk)) == (
        "offer.txt",
        b"Our secret price is 31337",
    )


def test_the_last_submission_counts_and_a_late_bid_is_kept_but_never_opened(solicited, people):
    solicitation, _ = solicited("50000.00")
    first, second, third = solicitation.invitations.all()
    services.bid_submit(invitation=first, currency="USD", unit_prices=["45000"])
    services.bid_submit(invitation=first, currency="USD", unit_prices=["44000"])
    services.bid_submit(invitation=second, currency="USD", unit_prices=["47000"])
    past_deadline(solicitation)
    late = services.bid_submit(invitation=third, currency="USD", unit_prices=["30000"])
    assert late.late

    opening = services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])

    read_out = {row["vendor"]: row for row in opening.readout}
    assert read_out[first.vendor_name]["total"] == "44000.00"
    assert read_out[second.vendor_name]["total"] == "47000.00"
    assert read_out[third.vendor_name]["late"] is True and "total" not in read_out[third.vendor_name]
    late.refresh_from_db()
    assert late.total is None and late.financial_opened_at is None
    assert Bid.objects.filter(invitation=first).count() == 2


def test_opening_needs_two_different_officers_who_neither_raised_nor_approved(solicited, people, make_person, undp):
    solicitation, _ = solicited("50000.00")
    past_deadline(solicitation)
    refused(
        "procurement.two_officers", services.bids_open, solicitation=solicitation, officers=[people.buyer, people.buyer]
    )
    refused(
        "procurement.buyers_only",
        services.bids_open,
        solicitation=solicitation,
        officers=[people.buyer, people.approver],
    )
    requisition = solicitation.requisition
    officer_who_approved = make_person((Role.PROCUREMENT_AGENT, None), email="h@facility.test")
    requisition.approver = officer_who_approved
    requisition.save(update_fields=["approver"])
    refused(
        "procurement.segregation_opening",
        services.bids_open,
        solicitation=solicitation,
        officers=[people.buyer, officer_who_approved],
    )


# -- evaluation ---------------------------------------------------------------------------------


def _declare(solicitation, *evaluators):
    for evaluator in evaluators:
        services.evaluator_declare(solicitation=solicitation, user=evaluator, no_conflict=True)


def test_rfq_recommends_the_lowest_priced_compliant_bid(solicited, people):
    solicitation, _ = solicited("50000.00")
    cheap, middle, dear = solicitation.invitations.all()
    bids = {
        "cheap": services.bid_submit(invitation=cheap, currency="USD", unit_prices=["40000"]),
        "middle": services.bid_submit(invitation=middle, currency="USD", unit_prices=["42000"]),
        "dear": services.bid_submit(invitation=dear, currency="USD", unit_prices=["49000"]),
    }
    past_deadline(solicitation)
    services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    _declare(solicitation, people.evaluator, people.officer)
    for name, bid in bids.items():
        for evaluator in (people.evaluator, people.officer):
            failed = name == "cheap" and evaluator == people.evaluator
            services.compliance_record(
                bid=bid,
                by=evaluator,
                passed=not failed,
                reason="No warranty offered" if failed else "Meets the specification",
            )

    services.evaluation_complete(solicitation=solicitation, by=people.buyer)

    solicitation.refresh_from_db()
    assert solicitation.recommended_bid_id == bids["middle"].pk  # the cheapest failed one evaluator's check
    assert solicitation.status == SolicitationStatus.EVALUATED


def test_an_evaluator_declares_no_conflict_first_and_a_conflict_bars_them(solicited, people):
    solicitation, _ = solicited("50000.00")
    bid = services.bid_submit(invitation=solicitation.invitations.first(), currency="USD", unit_prices=["40000"])
    past_deadline(solicitation)
    services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    refused(
        "procurement.declaration_required",
        services.compliance_record,
        bid=bid,
        by=people.evaluator,
        passed=True,
        reason="ok",
    )
    refused(
        "procurement.invalid",
        services.evaluator_declare,
        solicitation=solicitation,
        user=people.evaluator,
        no_conflict=False,
        statement="",
    )
    services.evaluator_declare(
        solicitation=solicitation, user=people.evaluator, no_conflict=False, statement="My brother owns Alfa."
    )
    refused(
        "procurement.conflict_declared",
        services.compliance_record,
        bid=bid,
        by=people.evaluator,
        passed=True,
        reason="ok",
    )
    assert solicitation.evaluators.get(user_id=people.evaluator.pk).has_conflict


def test_rfp_opens_financial_envelopes_after_the_technical_lock_and_only_above_the_minimum(solicited, people, undp):
    month = timezone.localdate().replace(day=1)
    ExchangeRate.objects.create(
        month=month, currency="BRL", rate=Decimal("5.000000"), entered_by=people.manager, entered_at=timezone.now()
    )
    solicitation, _ = solicited(
        "250000.00",
        method=Method.RFP,
        criteria=[services.CriterionInput("Methodology", 60), services.CriterionInput("Team", 40)],
        deadline=timezone.now() + timedelta(days=3),
    )
    strong, good, weak = solicitation.invitations.all()
    bids = {
        "strong": services.bid_submit(
            invitation=strong, currency="USD", unit_prices=["240000"], technical_proposal="Approach A"
        ),
        "good": services.bid_submit(
            invitation=good, currency="BRL", unit_prices=["1000000"], technical_proposal="Approach B"
        ),
        "weak": services.bid_submit(
            invitation=weak, currency="USD", unit_prices=["100000"], technical_proposal="Approach C"
        ),
    }
    past_deadline(solicitation)
    technical = services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    assert technical.envelope == "technical"
    assert all("total" not in row for row in technical.readout)
    assert Bid.objects.get(pk=bids["strong"].pk).total is None

    _declare(solicitation, people.evaluator, people.officer)
    methodology, team = solicitation.criteria.all()
    given = {"strong": (90, 80, 100, 90), "good": (80, 70, 70, 80), "weak": (50, 60, 60, 50)}
    for name, (m1, m2, t1, t2) in given.items():
        for evaluator, (m, t) in ((people.evaluator, (m1, t1)), (people.officer, (m2, t2))):
            services.technical_score_record(bid=bids[name], criterion=methodology, by=evaluator, score=m)
            services.technical_score_record(bid=bids[name], criterion=team, by=evaluator, score=t)
    refused(
        "procurement.financial_not_opened", services.evaluation_complete, solicitation=solicitation, by=people.buyer
    )
    services.technical_lock(solicitation=solicitation, by=people.buyer)
    refused(
        "procurement.technical_locked",
        services.technical_score_record,
        bid=bids["weak"],
        criterion=team,
        by=people.officer,
        score=100,
    )

    financial = services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])

    # strong: 0.6*85 + 0.4*95 = 89.00; good: 0.6*75 + 0.4*75 = 75.00; weak: 0.6*55 + 0.4*55 = 55.00 < 70
    scores = {name: Bid.objects.get(pk=bid.pk) for name, bid in bids.items()}
    assert scores["strong"].technical_score == Decimal("89.00")
    assert scores["good"].technical_score == Decimal("75.00")
    assert scores["weak"].technical_score == Decimal("55.00")
    weak_row = next(row for row in financial.readout if row["vendor"] == weak.vendor_name)
    assert weak_row.get("below_minimum") and "total" not in weak_row
    assert scores["weak"].total is None  # never opened
    assert scores["good"].total_usd == Decimal("200000.00")  # 1,000,000 BRL at 5.00

    services.evaluation_complete(solicitation=solicitation, by=people.buyer)

    # financial: good 200,000 is the lowest -> 30.00; strong 200,000/240,000*30 = 25.00
    # combined: strong 89*0.7 + 25 = 87.30; good 75*0.7 + 30 = 82.50
    strong_bid, good_bid = Bid.objects.get(pk=bids["strong"].pk), Bid.objects.get(pk=bids["good"].pk)
    assert (good_bid.financial_score, strong_bid.financial_score) == (Decimal("30.00"), Decimal("25.00"))
    assert (strong_bid.combined_score, good_bid.combined_score) == (Decimal("87.30"), Decimal("82.50"))
    solicitation.refresh_from_db()
    assert solicitation.recommended_bid_id == strong_bid.pk


# -- committee, award, order --------------------------------------------------------------------


def _to_evaluated(solicited, people, total: str, price: str):  # type: ignore[no-untyped-def]
    solicitation, _ = solicited(total, method=Method.ITB if Decimal(total) > 200000 else None)
    bids = [
        services.bid_submit(invitation=invitation, currency="USD", unit_prices=[str(Decimal(price) + index * 1000)])
        for index, invitation in enumerate(solicitation.invitations.all())
    ]
    past_deadline(solicitation)
    services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    _declare(solicitation, people.evaluator)
    for bid in bids:
        services.compliance_record(bid=bid, by=people.evaluator, passed=True, reason="Compliant")
    services.evaluation_complete(solicitation=solicitation, by=people.buyer)
    solicitation.refresh_from_db()
    return solicitation, bids


def test_above_the_committee_threshold_the_award_waits_for_the_committee(solicited, people, make_person):
    solicitation, bids = _to_evaluated(solicited, people, "350000.00", "320000")
    assert solicitation.status == SolicitationStatus.COMMITTEE
    assert LedgerEntry.objects.get(reference=solicitation.requisition.reference).step == services.STEP_COMMITTEE

    refused(
        "procurement.committee_pending",
        services.award_make,
        solicitation=solicitation,
        bid=bids[0],
        justification="Lowest compliant",
        by=people.buyer,
    )
    refused(
        "procurement.committee_only",
        services.committee_review,
        solicitation=solicitation,
        member=people.officer,
        decision="approve",
    )
    evaluator_on_committee = people.evaluator
    evaluator_on_committee.memberships.create(role=Role.CONTRACTS_COMMITTEE)
    evaluator_on_committee.__dict__.pop("_facility_roles", None)
    refused(
        "procurement.segregation_committee",
        services.committee_review,
        solicitation=solicitation,
        member=evaluator_on_committee,
        decision="approve",
    )

    services.committee_review(solicitation=solicitation, member=people.committee, decision="approve", comments="")
    award = services.award_make(
        solicitation=solicitation, bid=bids[0], justification="Lowest compliant bid", by=people.buyer
    )
    assert award.bid_id == solicitation.recommended_bid_id


def test_a_returned_case_goes_back_to_evaluation(solicited, people):
    solicitation, _ = _to_evaluated(solicited, people, "350000.00", "320000")
    refused(
        "procurement.invalid",
        services.committee_review,
        solicitation=solicitation,
        member=people.committee,
        decision="return",
        comments="",
    )
    services.committee_review(
        solicitation=solicitation, member=people.committee, decision="return", comments="Check the warranty terms."
    )
    solicitation.refresh_from_db()
    assert solicitation.status == SolicitationStatus.OPENED


def test_awarding_another_than_the_recommended_bid_needs_a_justification(solicited, people):
    solicitation, bids = _to_evaluated(solicited, people, "50000.00", "40000")
    assert solicitation.recommended_bid_id == bids[0].pk
    refused(
        "procurement.invalid",
        services.award_make,
        solicitation=solicitation,
        bid=bids[1],
        justification="",
        by=people.buyer,
    )
    services.award_make(
        solicitation=solicitation, bid=bids[1], justification="Delivery in 2 weeks, not 12.", by=people.buyer
    )


def test_issuing_the_order_delivers_the_request_and_records_one_billable_order(solicited, people, undp):
    solicitation, bids = _to_evaluated(solicited, people, "50000.00", "40000")
    services.award_make(solicitation=solicitation, bid=bids[0], justification="Lowest compliant bid", by=people.buyer)

    order = services.order_issue(
        agency=undp, requisition=solicitation.requisition, by=people.buyer, terms="Net 30 days."
    )

    year = timezone.localdate().year
    assert order.number == f"UNDP-PO-{year}-000001"
    assert order.total == Decimal("40000.00") and order.vendor_name == bids[0].invitation.vendor_name
    entry = LedgerEntry.objects.get(reference=solicitation.requisition.reference)
    assert entry.status == EntryStatus.RESOLVED
    assert entry.billable_units == Decimal("1")
    refused(
        "procurement.already_ordered",
        services.order_issue,
        agency=undp,
        requisition=solicitation.requisition,
        by=people.buyer,
        terms="Again",
    )

    revision = services.order_revise(
        order=order,
        by=people.buyer,
        change_note="Delivery moved",
        delivery_date=timezone.localdate() + timedelta(days=90),
    )
    order.refresh_from_db()
    assert (order.status, revision.number, revision.revision) == (OrderStatus.REVISED, order.number, 1)
    refused("procurement.order_not_in_force", services.order_cancel, order=order, by=people.buyer, reason="x")
    services.order_cancel(order=revision, by=people.buyer, reason="Project closed")


def test_a_micro_purchase_orders_from_a_recorded_quotation(sourcing, vendors, people, undp):
    requisition = sourcing("9000.00")
    assert requisition.method == Method.MICRO
    quote = services.quotation_record(
        requisition=requisition, vendor=vendors[0], currency="USD", unit_prices=["8800"], by=people.buyer
    )
    order = services.order_issue(
        agency=undp, requisition=requisition, by=people.buyer, terms="Payment on delivery.", quotation=quote
    )
    assert order.total == Decimal("8800.00")
    assert LedgerEntry.objects.get(pk=requisition.entry_id).status == EntryStatus.RESOLVED
