"""Call-offs against a long-term agreement: at its prices, within its validity, by its participants, within
its ceiling (overall and the agency's own); a rejected or withdrawn call-off gives its value back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from ledger.models import LedgerEntry
from procurement import services as procurement
from procurement.models import Method, Requisition, RequisitionStatus
from shared_platform.errors import ApplicationError
from sourcing.models import Consumption, ConsumptionKind, LongTermAgreement, Participation
from sourcing.selectors.agreements import agreement_figures
from sourcing.services import agreements as services
from tests.sourcing.conftest import expire, in_schema

pytestmark = pytest.mark.usefixtures("quiet")


def consumed(agreement: LongTermAgreement) -> Decimal:
    return agreement_figures(agreement=agreement).consumed_usd


def requisitions_of(agency) -> int:  # type: ignore[no-untyped-def]
    with in_schema(agency):
        return Requisition.objects.count()


def test_a_call_off_is_a_requisition_at_the_agreed_prices_and_consumes_its_value(lta, unfpa, call_off, people):
    # when UNFPA calls off 3 days of interpretation and 2 months of cleaning
    requisition = call_off(unfpa, lta, {1: "3", 2: "2"})
    # then its requisition carries the schedule's lines and prices, names the agreement and waits for approval
    with in_schema(unfpa):
        requisition.refresh_from_db()
        lines = list(
            requisition.lines.order_by("position").values_list("description", "quantity", "estimated_unit_price")
        )
    assert lines == [
        ("Simultaneous interpretation, English-Portuguese", Decimal("3.00"), Decimal("1000.00")),
        ("Office cleaning, per month", Decimal("2.00"), Decimal("2500.00")),
    ]
    assert requisition.estimated_total == Decimal("8000.00")
    assert requisition.agreement_id == lta.pk and requisition.status == RequisitionStatus.SUBMITTED
    [row] = Consumption.objects.filter(agreement=lta)
    assert (row.agency, row.kind, row.amount_usd, row.requisition_reference) == (
        unfpa,
        ConsumptionKind.CALL_OFF,
        Decimal("8000.00"),
        requisition.reference,
    )
    assert consumed(lta) == Decimal("8000.00")


def test_an_approved_call_off_is_measured_as_PRC_LTA(lta, unfpa, call_off, people):
    requisition = call_off(unfpa, lta, {1: "1"})
    with in_schema(unfpa):
        procurement.requisition_approve(agency=unfpa, requisition=requisition, approver=people.unfpa_approver)
        requisition.refresh_from_db()
    assert requisition.method == Method.LTA
    assert LedgerEntry.objects.get(pk=requisition.entry_id).service.code == "PRC-LTA"


def test_a_call_off_against_an_expired_agreement_is_refused_and_changes_nothing(lta, unfpa, call_off):
    # given the agreement ended yesterday
    expire(lta)
    # when UNFPA calls off
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, lta, {1: "1"})
    # then it is refused with the dates, and no requisition or consumption is left behind
    assert refused.value.code == "sourcing.agreement_expired" and refused.value.status_code == 409
    assert lta.reference in refused.value.message
    assert requisitions_of(unfpa) == 0 and not Consumption.objects.exists()


def test_a_call_off_before_the_agreement_starts_is_refused(lta, unfpa, call_off):
    start = timezone.localdate() + timezone.timedelta(days=3)
    LongTermAgreement.objects.filter(pk=lta.pk).update(valid_from=start)
    lta.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, lta, {1: "1"})
    assert refused.value.code == "sourcing.agreement_expired"


def test_a_call_off_by_an_agency_that_does_not_take_part_is_refused(make_lta, unfpa, call_off):
    # given UNDP's agreement that UNFPA has not joined
    agreement = make_lta()
    # when UNFPA calls off
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, agreement, {1: "1"})
    # then it is refused, nothing recorded
    assert refused.value.code == "sourcing.not_participating" and refused.value.status_code == 403
    assert requisitions_of(unfpa) == 0 and not Consumption.objects.exists()


def test_a_call_off_over_the_remaining_ceiling_is_refused_naming_what_remains(make_lta, undp, unfpa, call_off):
    # given a ceiling of 20,000 of which UNDP has called off 11,500
    agreement = make_lta("20000.00", participants=[unfpa])
    call_off(undp, agreement, {1: "4", 2: "3"})  # 4,000 + 7,500
    # when UNFPA calls off 12,000 (12 days)
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, agreement, {1: "12"})
    # then it is refused, the message naming the amount and what remains
    assert refused.value.code == "sourcing.ceiling_exceeded" and refused.value.status_code == 409
    assert refused.value.message == (
        "This call-off of 12,000.00 USD would pass the agreement's ceiling: 8,500.00 USD remains."
    )
    assert consumed(agreement) == Decimal("11500.00") and requisitions_of(unfpa) == 0


def test_a_call_off_up_to_exactly_the_remaining_ceiling_is_accepted(make_lta, unfpa, call_off):
    agreement = make_lta("10000.00", participants=[unfpa])
    call_off(unfpa, agreement, {1: "10"})
    assert consumed(agreement) == Decimal("10000.00")
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, agreement, {1: "0.01"})
    assert "0.00 USD remains" in refused.value.message


def test_a_call_off_over_the_agencys_own_ceiling_is_refused_naming_its_remaining(make_lta, unfpa, call_off):
    # given UNFPA may call off 5,000 of an agreement of 100,000, and has called off 3,000
    agreement = make_lta(participants=[unfpa], agency_ceilings={unfpa: "5000.00"})
    call_off(unfpa, agreement, {1: "3"})
    # when it calls off 3,000 more
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, agreement, {1: "3"})
    # then its own ceiling binds: 2,000 remains for UNFPA
    assert refused.value.code == "sourcing.ceiling_exceeded"
    assert refused.value.message == (
        "This call-off of 3,000.00 USD would pass UNFPA's own ceiling on this agreement: 2,000.00 USD remains."
    )
    assert consumed(agreement) == Decimal("3000.00")


def test_the_overall_ceiling_binds_when_less_remains_of_it_than_of_the_agencys_own(make_lta, undp, unfpa, call_off):
    agreement = make_lta("10000.00", participants=[unfpa], agency_ceilings={unfpa: "8000.00"})
    call_off(undp, agreement, {1: "7"})
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, agreement, {1: "4"})
    assert refused.value.message.endswith("the agreement's ceiling: 3,000.00 USD remains.")


def test_only_requesters_and_approvers_of_the_agency_call_off(lta, unfpa, call_off, people):
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, lta, {1: "1"}, requester=people.unfpa_finance)
    assert refused.value.code == "sourcing.requesters_only" and refused.value.status_code == 403
    with pytest.raises(ApplicationError):
        call_off(unfpa, lta, {1: "1"}, requester=people.undp_requester)  # a member of another agency
    assert not Consumption.objects.exists()


@pytest.mark.parametrize(
    ("quantities", "field"),
    [
        ({}, "quantities"),
        ({1: "0", 2: "0"}, "quantities"),
        ({1: "-1"}, "quantities.1"),
        ({1: "abc"}, "quantities.1"),
        ({1: "1.234"}, "quantities.1"),
        ({1: "1e30"}, "quantities.1"),
        ({1: "50000000000"}, "quantities.1"),
        ({1: "NaN"}, "quantities.1"),
        ({9: "1"}, "quantities"),
        ({"x": "1"}, "quantities"),
        ({1: 1.5}, "quantities.1"),
    ],
)
def test_bad_quantities_are_refused_on_their_field(lta, unfpa, call_off, quantities, field):
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, lta, quantities)
    assert refused.value.code == "sourcing.invalid" and field in refused.value.fields
    assert not Consumption.objects.exists() and requisitions_of(unfpa) == 0


def test_bad_delivery_details_are_refused_by_the_requisition_and_nothing_is_consumed(lta, unfpa, call_off):
    with pytest.raises(ApplicationError) as refused:
        call_off(unfpa, lta, {1: "1"}, delivery_date=timezone.localdate() - timezone.timedelta(days=1))
    assert "delivery_date" in refused.value.fields
    with pytest.raises(ApplicationError):
        call_off(unfpa, lta, {1: "1"}, charge_code="")
    assert not Consumption.objects.exists() and requisitions_of(unfpa) == 0


def test_a_rejected_call_off_gives_its_value_back_with_a_negative_row(lta, unfpa, call_off, people):
    # given a call-off of 8,000 waiting for UNFPA's approver
    requisition = call_off(unfpa, lta, {1: "3", 2: "2"})
    # when the approver rejects it
    with in_schema(unfpa):
        procurement.requisition_reject(
            agency=unfpa, requisition=requisition, approver=people.unfpa_approver, reason="Not in the work plan."
        )
    # then a release row gives the 8,000 back; the call-off's row is untouched
    rows = list(Consumption.objects.filter(agreement=lta).values_list("kind", "amount_usd"))
    assert rows == [(ConsumptionKind.CALL_OFF, Decimal("8000.00")), (ConsumptionKind.RELEASE, Decimal("-8000.00"))]
    assert consumed(lta) == Decimal("0.00")


def test_a_withdrawn_approved_call_off_gives_its_value_back_once(lta, unfpa, call_off, people):
    requisition = call_off(unfpa, lta, {1: "2"})
    with in_schema(unfpa):
        procurement.requisition_approve(agency=unfpa, requisition=requisition, approver=people.unfpa_approver)
        procurement.requisition_withdraw(requisition=requisition, by=people.unfpa_requester, reason="Event cancelled.")
        # a second release (a retry) adds nothing
        assert (
            services.consumption_release(
                agency=unfpa, requisition=requisition, by=people.unfpa_requester, at=timezone.now()
            )
            is None
        )
    assert consumed(lta) == Decimal("0.00")
    assert Consumption.objects.filter(kind=ConsumptionKind.RELEASE).count() == 1


def test_a_released_ceiling_can_be_called_off_again(make_lta, unfpa, call_off, people):
    agreement = make_lta("5000.00", participants=[unfpa])
    first = call_off(unfpa, agreement, {1: "5"})
    with in_schema(unfpa):
        procurement.requisition_withdraw(requisition=first, by=people.unfpa_requester, reason="Wrong quantities.")
    call_off(unfpa, agreement, {1: "4"})
    assert consumed(agreement) == Decimal("4000.00")


def test_consumption_is_per_agency(lta, undp, unfpa, call_off):
    call_off(undp, lta, {2: "2"})
    call_off(unfpa, lta, {1: "1"})
    figures = agreement_figures(agreement=lta)
    assert {line.agency.code: line.consumed_usd for line in figures.agencies} == {
        "UNDP": Decimal("5000.00"),
        "UNFPA": Decimal("1000.00"),
    }
    assert figures.remaining_usd == Decimal("94000.00")
    assert Participation.objects.filter(agreement=lta).count() == 2
