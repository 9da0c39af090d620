"""The demo's long-term agreements, and the walk-through of issue 14's "done when" on them: UNFPA piggybacks
on UNDP's agreement, raises a call-off that becomes a purchase order; a call-off over what remains is refused
with the remaining amount in the message."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from ledger.services import alerts_muted
from procurement import services as procurement
from procurement.models import PurchaseOrder
from shared_platform.errors import ApplicationError
from sourcing.models import JoinedVia, LongTermAgreement, PiggybackStatus, SourceKind
from sourcing.selectors.agreements import agreement_figures
from sourcing.services import agreements as services
from tenants.models import Agency

pytestmark = pytest.mark.django_db


def person(email: str) -> User:
    return User.objects.get(email=email)


def test_the_demo_holds_the_agreements_and_the_walk_through_works_on_them(facility):
    # given the demo as `make run` loads it
    call_command("load_demo", stdout=io.StringIO())
    agreements = {agreement.title: agreement for agreement in LongTermAgreement.objects.select_related("owner")}
    assert len(agreements) == 4
    from_award = next(a for a in agreements.values() if a.source_kind == SourceKind.AWARD)
    assert from_award.owner.code == "UNDP"
    assert from_award.participations.get(agency__code="UNFPA").joined_via == JoinedVia.PIGGYBACK
    assert from_award.consumptions.filter(agency__code="UNFPA").count() == 1
    supplies = agreements["Office supplies and consumables, Brasília"]
    assert not supplies.participations.filter(agency__code="UNFPA").exists()
    assert supplies.piggybacks.get().status == PiggybackStatus.REQUESTED  # UNESCO's, waiting
    near = agreements["Interpretation and translation services"]
    assert agreement_figures(agreement=near).near_ceiling and near.warned_at is not None
    assert near.participations.filter(agency__code="UNWOMEN").exists()
    expired = agreements["Printing of publications and campaign material"]
    assert expired.valid_until < timezone.localdate() and expired.participations.filter(agency__code="UNDP").exists()
    # and loading it again adds nothing
    call_command("load_demo", stdout=io.StringIO())
    assert LongTermAgreement.objects.count() == 4

    # when UNFPA piggybacks on UNDP's office supplies agreement and calls it off
    unfpa = Agency.objects.get(code="UNFPA")
    with alerts_muted():
        asked = services.piggyback_request(
            agreement=supplies, agency=unfpa, by=person("approver@unfpa.demo"), reason="Our supplies for 2027."
        )
        services.piggyback_decide(piggyback=asked, by=person("approver@undp.demo"), accept=True)
        with schema_context(unfpa.schema_name):
            requisition = services.call_off_raise(
                agency=unfpa,
                agreement=supplies,
                requester=person("requester@unfpa.demo"),
                quantities={1: "20", 2: "5"},
                delivery_place="UNFPA office, Brasília",
                delivery_date=supplies.valid_until,
                charge_code="BRA30-11111-71300",
                justification="Supplies for the first quarter.",
            )
            procurement.requisition_approve(
                agency=unfpa, requisition=requisition, approver=person("approver@unfpa.demo")
            )
            procurement.requisition_take(requisition=requisition, buyer=person("procurement@facility.demo"))
            order = procurement.order_issue(
                agency=unfpa, requisition=requisition, by=person("procurement@facility.demo"), terms="As agreed."
            )
            # then the call-off is an order to the agreement's vendor at its prices
            assert order.vendor_id == supplies.vendor_id and order.total_usd == Decimal("1108.00")
            assert PurchaseOrder.objects.filter(requisition=requisition).count() == 1
            # and a call-off over what remains is refused, naming it
            remaining = agreement_figures(agreement=supplies).remaining_usd
            with pytest.raises(ApplicationError) as refused:
                services.call_off_raise(
                    agency=unfpa,
                    agreement=supplies,
                    requester=person("requester@unfpa.demo"),
                    quantities={4: "1000"},
                    delivery_place="UNFPA office, Brasília",
                    delivery_date=supplies.valid_until,
                    charge_code="BRA30-11111-71300",
                    justification="Chairs for every office.",
                )
    assert refused.value.code == "sourcing.ceiling_exceeded"
    assert f"{remaining:,.2f} USD remains" in refused.value.message
