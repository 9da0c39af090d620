"""Making an agreement: from an awarded solicitation of any agency (its owner, vendor and prices in USD), or
recorded from an existing contract with its documents; the owner always takes part; facility makers only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shared_platform.errors import ApplicationError
from sourcing.models import AgreementDocument, JoinedVia, LongTermAgreement, Participation, SourceKind
from sourcing.services import agreements as services
from tests.sourcing.conftest import items
from vendors.models import VendorStatus
from vendors.services import vendor_status_set

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def terms(**fields):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    fields.setdefault("title", "Interpretation and cleaning, 2026-2028")
    fields.setdefault("valid_from", today)
    fields.setdefault("valid_until", today + timedelta(days=730))
    fields.setdefault("ceiling_usd", "250000.00")
    return fields


def test_an_agreement_from_an_award_takes_the_owner_vendor_and_prices_in_usd(awarded_case, undp, unfpa, vendor, people):
    # when the buyer makes an agreement from UNDP's awarded purchase, UNFPA founding with its own ceiling
    agreement = services.agreement_create_from_award(
        requisition_reference=awarded_case.reference,
        participants=[unfpa],
        agency_ceilings={unfpa: "50000.00"},
        by=people.buyer,
        **terms(),
    )
    # then UNDP owns it with the awarded vendor, the lines at the bid's prices converted to USD (5 BRL a dollar)
    assert agreement.reference.startswith(f"LTA-{timezone.localdate().year}-")
    assert (agreement.owner, agreement.vendor, agreement.source_kind) == (undp, vendor, SourceKind.AWARD)
    assert agreement.source_reference == "UNDP-RFQ-2026-000001"
    assert list(agreement.items.values_list("position", "description", "unit", "unit_price_usd")) == [
        (1, "Simultaneous interpretation", "day", Decimal("1000.0000")),
        (2, "Office cleaning", "month", Decimal("2500.0000")),
    ]
    participations = {p.agency.code: (p.joined_via, p.ceiling_usd) for p in agreement.participations.all()}
    assert participations == {
        "UNDP": (JoinedVia.OWNER, None),
        "UNFPA": (JoinedVia.FOUNDING, Decimal("50000.00")),
    }


def test_one_agreement_per_awarded_solicitation(awarded_case, people):
    services.agreement_create_from_award(requisition_reference=awarded_case.reference, by=people.buyer, **terms())
    with pytest.raises(ApplicationError) as refused:
        services.agreement_create_from_award(requisition_reference=awarded_case.reference, by=people.buyer, **terms())
    assert refused.value.code == "sourcing.already_made"


@pytest.mark.parametrize("reference", ["UNDP-PR-999999", "", "x" * 500, "'; drop table"])
def test_an_agreement_from_a_purchase_that_does_not_exist_is_refused(people, reference):
    with pytest.raises(ApplicationError) as refused:
        services.agreement_create_from_award(requisition_reference=reference, by=people.buyer, **terms())
    assert refused.value.code == "sourcing.no_award" and "requisition_reference" in refused.value.fields
    assert not LongTermAgreement.objects.exists()


def test_an_agreement_from_a_purchase_not_awarded_is_refused(awarded_case, undp, people):
    from procurement.models import Award
    from tests.sourcing.conftest import in_schema

    with in_schema(undp):
        Award.objects.all().delete()
    with pytest.raises(ApplicationError) as refused:
        services.agreement_create_from_award(requisition_reference=awarded_case.reference, by=people.buyer, **terms())
    assert refused.value.code == "sourcing.no_award" and refused.value.status_code == 409


def test_only_the_facilitys_buyers_and_manager_make_agreements(awarded_case, make_lta, people):
    for person in (people.undp_approver, people.auditor, people.unfpa_requester):
        with pytest.raises(ApplicationError) as refused:
            services.agreement_create_from_award(requisition_reference=awarded_case.reference, by=person, **terms())
        assert refused.value.code == "sourcing.makers_only" and refused.value.status_code == 403
        with pytest.raises(ApplicationError):
            make_lta(by=person)
    assert make_lta(by=people.manager).created_by == people.manager


def test_a_contract_is_recorded_with_its_documents_and_the_owner_takes_part(make_lta, undp, people):
    document = SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")
    agreement = make_lta(files=[document])
    assert agreement.source_kind == SourceKind.CONTRACT and agreement.source_reference == "UNDP/BRA/2026/017"
    [stored] = AgreementDocument.objects.filter(agreement=agreement)
    assert stored.name == "contract.pdf" and stored.content_type == "application/pdf"
    with stored.file.open("rb") as handle:
        assert handle.read() == PDF
    assert list(Participation.objects.filter(agreement=agreement).values_list("agency__code", "joined_via")) == [
        ("UNDP", JoinedVia.OWNER)
    ]


def test_a_contract_with_an_ineligible_vendor_is_refused(make_lta, vendor, people):
    vendor_status_set(
        vendor=vendor, status=VendorStatus.SUSPENDED, reason="Under investigation", changed_by=people.buyer
    )
    with pytest.raises(ApplicationError) as refused:
        make_lta()
    assert refused.value.code == "vendors.vendor_not_eligible"
    assert not LongTermAgreement.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"contract_reference": ""}, "contract_reference"),
        ({"ceiling": "0"}, "ceiling_usd"),
        ({"ceiling": "-100"}, "ceiling_usd"),
        ({"ceiling": "abc"}, "ceiling_usd"),
        ({"ceiling": "1e30"}, "ceiling_usd"),
        ({"ceiling": "10.001"}, "ceiling_usd"),
        ({"items": []}, "items"),
        ({"valid_until_days": -400}, "valid_until"),
        ({"ended": True}, "valid_until"),
    ],
)
def test_a_contract_with_bad_input_is_refused_on_its_field(make_lta, fields, field):
    today = timezone.localdate()
    arguments = dict(fields)
    if "valid_until_days" in arguments:
        arguments["valid_until"] = today + timedelta(days=arguments.pop("valid_until_days"))
    if arguments.pop("ended", False):
        arguments["valid_from"] = today - timedelta(days=400)
        arguments["valid_until"] = today - timedelta(days=1)
    with pytest.raises(ApplicationError) as refused:
        make_lta(**arguments)
    assert field in refused.value.fields, refused.value.fields
    assert not LongTermAgreement.objects.exists()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (("", "cat", "day", "10.00"), "items.1.description"),
        (("Interpretation", None, "day", "10.00"), "items.1.category"),
        (("Interpretation", "cat", "", "10.00"), "items.1.unit"),
        (("Interpretation", "cat", "day", "0"), "items.1.unit_price_usd"),
        (("Interpretation", "cat", "day", "1.005"), "items.1.unit_price_usd"),
        (("Interpretation", 2**40, "day", "10.00"), "items.1.category"),
    ],
)
def test_a_price_schedule_with_a_bad_item_is_refused_on_that_item(make_lta, interpretation, item, field):
    description, category, unit, price = item
    row = services.ItemInput(description, interpretation if category == "cat" else category, unit, price)
    with pytest.raises(ApplicationError) as refused:
        make_lta(items=[row])
    assert field in refused.value.fields


def test_an_agency_ceiling_above_the_agreements_or_for_an_agency_not_taking_part_is_refused(make_lta, unfpa, unaids):
    with pytest.raises(ApplicationError) as refused:
        make_lta("1000.00", participants=[unfpa], agency_ceilings={unfpa: "1000.01"})
    assert "agency_ceilings" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        make_lta(participants=[unfpa], agency_ceilings={unaids: "100.00"})
    assert "agency_ceilings" in refused.value.fields
    assert not LongTermAgreement.objects.exists()


def test_a_document_not_what_its_name_says_is_refused(make_lta):
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ApplicationError) as refused:
        make_lta(files=[fake])
    assert refused.value.code == "sourcing.attachment_content"
    assert not LongTermAgreement.objects.exists()


def test_the_schedule_reads_as_typed(make_lta, interpretation, cleaning):
    agreement = make_lta(items=items(interpretation, cleaning))
    assert agreement.items.count() == 2
