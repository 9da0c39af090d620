"""The roster's rules: one company once, valid details, status moves with a reason and a date, eligibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shared_platform.errors import ApplicationError
from vendors import services
from vendors.models import VendorStatus, VendorStatusChange


def test_a_new_vendor_is_active_with_its_categories_and_history_starts(vendor, officer):
    # given / when: the fixture's vendor
    # then
    assert vendor.status == VendorStatus.ACTIVE and vendor.is_eligible
    assert list(vendor.categories.values_list("code", flat=True)) == ["IT-EQUIP"]
    assert vendor.registration_key == "12345678000190"
    change = VendorStatusChange.objects.get(vendor=vendor)
    assert change.status == VendorStatus.ACTIVE and change.changed_by == officer


def test_a_registration_number_is_on_the_roster_once_whatever_its_punctuation(vendor, make_vendor):
    with pytest.raises(ApplicationError) as refused:
        make_vendor(registration_number="12345678000190")
    assert refused.value.code == "vendors.duplicate_registration"
    assert refused.value.status_code == 409
    # the same number in another country is another company
    assert make_vendor(registration_number="12345678000190", country="PT").country == "PT"


def test_every_bad_detail_is_named_at_once(make_vendor):
    with pytest.raises(ApplicationError) as refused:
        make_vendor(legal_name="  ", country="XX", email="not-an-address", language="de")
    assert refused.value.code == "vendors.invalid_vendor"
    assert set(refused.value.fields) == {"legal_name", "country", "email", "language"}


def test_details_are_tidied_country_upper_case_email_lower_case(make_vendor):
    vendor = make_vendor(legal_name="  Papelaria   Esplanada  ", country="br", email="Pedidos@Papelaria.EXAMPLE")
    assert (vendor.legal_name, vendor.country, vendor.email) == (
        "Papelaria Esplanada",
        "BR",
        "pedidos@papelaria.example",
    )


def test_an_update_changes_details_and_categories_but_not_into_a_duplicate(vendor, make_vendor, officer, categories):
    other = make_vendor()
    updated = services.vendor_update(
        vendor=vendor, updated_by=officer, email="novo@planalto.example", categories=[categories["OFFICE"]]
    )
    assert updated.email == "novo@planalto.example"
    assert list(updated.categories.values_list("code", flat=True)) == ["OFFICE"]
    with pytest.raises(ApplicationError) as refused:
        services.vendor_update(vendor=other, updated_by=officer, registration_number="12.345.678/0001-90")
    assert refused.value.code == "vendors.duplicate_registration"


def test_an_update_cannot_change_the_status(vendor, officer):
    with pytest.raises(ApplicationError) as refused:
        services.vendor_update(vendor=vendor, updated_by=officer, status="ineligible")
    assert refused.value.code == "vendors.invalid_vendor"


def test_suspending_needs_a_reason_and_records_the_change(vendor, officer):
    with pytest.raises(ApplicationError) as refused:
        services.vendor_status_set(vendor=vendor, status=VendorStatus.SUSPENDED, reason=" ", changed_by=officer)
    assert refused.value.code == "vendors.reason_required"

    yesterday = timezone.localdate() - timedelta(days=1)
    services.vendor_status_set(
        vendor=vendor, status=VendorStatus.SUSPENDED, reason="Tax certificate expired", changed_by=officer
    )
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUSPENDED and not vendor.is_eligible
    assert vendor.status_reason == "Tax certificate expired" and vendor.status_since == timezone.localdate()
    assert vendor.status_changes.count() == 2
    # a later change cannot take effect before this one
    with pytest.raises(ApplicationError) as refused:
        services.vendor_status_set(
            vendor=vendor,
            status=VendorStatus.ACTIVE,
            reason="Certificate renewed",
            changed_by=officer,
            effective_on=yesterday,
        )
    assert refused.value.code == "vendors.date_before_last_change"


def test_a_status_change_never_takes_effect_in_the_future(vendor, officer):
    with pytest.raises(ApplicationError) as refused:
        services.vendor_status_set(
            vendor=vendor,
            status=VendorStatus.INELIGIBLE,
            reason="UN Ineligibility List",
            changed_by=officer,
            effective_on=timezone.localdate() + timedelta(days=1),
        )
    assert refused.value.code == "vendors.date_in_future"


@pytest.mark.parametrize(
    ("path", "refused_move"),
    [
        ([VendorStatus.SUSPENDED, VendorStatus.INELIGIBLE, VendorStatus.ACTIVE], VendorStatus.ACTIVE),
        ([VendorStatus.INELIGIBLE], VendorStatus.SUSPENDED),
        ([], VendorStatus.ACTIVE),
    ],
)
def test_status_moves_follow_the_transition_table(vendor, officer, path, refused_move):
    for status in path:
        services.vendor_status_set(vendor=vendor, status=status, reason="Decision", changed_by=officer)
    with pytest.raises(ApplicationError) as refused:
        services.vendor_status_set(vendor=vendor, status=refused_move, reason="Decision", changed_by=officer)
    assert refused.value.code == "vendors.illegal_transition"
    assert refused.value.status_code == 409


def test_reinstating_clears_the_reason_but_history_keeps_every_step(vendor, officer):
    services.vendor_status_set(
        vendor=vendor, status=VendorStatus.INELIGIBLE, reason="Fraud finding", changed_by=officer
    )
    services.vendor_status_set(vendor=vendor, status=VendorStatus.ACTIVE, reason="Period ended", changed_by=officer)
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.ACTIVE and vendor.status_reason == ""
    reasons = list(vendor.status_changes.order_by("pk").values_list("status", "reason"))
    assert reasons == [("active", ""), ("ineligible", "Fraud finding"), ("active", "Period ended")]


def test_an_unknown_status_is_refused_not_a_crash(vendor, officer):
    with pytest.raises(ApplicationError) as refused:
        services.vendor_status_set(vendor=vendor, status="blacklisted", reason="x", changed_by=officer)
    assert refused.value.code == "vendors.unknown_status"


def test_only_an_active_vendor_passes_the_eligibility_check(vendor, officer):
    services.vendor_eligibility_check(vendor)  # active: nothing raised
    services.vendor_status_set(
        vendor=vendor, status=VendorStatus.SUSPENDED, reason="Under investigation", changed_by=officer
    )
    # the check reads the database, not the (stale) object it is given
    with pytest.raises(ApplicationError) as refused:
        services.vendor_eligibility_check(vendor)
    assert refused.value.code == "vendors.vendor_not_eligible"
    assert "Under investigation" in refused.value.message


def test_a_contact_needs_a_name_and_a_way_to_reach_them(vendor, officer):
    with pytest.raises(ApplicationError) as refused:
        services.contact_add(vendor=vendor, name="Ana", added_by=officer)
    assert refused.value.code == "vendors.invalid_contact"
    contact = services.contact_add(vendor=vendor, name="Ana", email="Ana@X.example", added_by=officer)
    assert contact.email == "ana@x.example"
    services.contact_remove(contact=contact, removed_by=officer)
    assert not vendor.contacts.exists()


def test_category_codes_are_checked_and_unique(officer, categories):
    with pytest.raises(ApplicationError) as refused:
        services.category_create(code="it equip!", name="x", created_by=officer)
    assert refused.value.code == "vendors.invalid_category"
    with pytest.raises(ApplicationError) as refused:
        services.category_create(code="it-equip", name="Again", created_by=officer)
    assert refused.value.code == "vendors.category_code_taken"
