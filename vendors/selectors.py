"""Reads of the roster and the method thresholds, and who may read or keep them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from accounts.models import Role
from accounts.selectors import has_role, is_facility_manager
from tenants.models import Agency

from .models import (
    DEFAULT_COMMITTEE_ABOVE,
    DEFAULT_MICRO_PURCHASE_MAX,
    DEFAULT_RFQ_MAX,
    MethodThresholds,
    SupplyCategory,
    Vendor,
    VendorStatus,
    VendorStatusChange,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@dataclass(frozen=True)
class Thresholds:
    micro_purchase_max: Decimal
    rfq_max: Decimal
    committee_above: Decimal
    effective_from: date | None  # None: the defaults, no row set for the agency


DEFAULT_THRESHOLDS = Thresholds(DEFAULT_MICRO_PURCHASE_MAX, DEFAULT_RFQ_MAX, DEFAULT_COMMITTEE_ABOVE, None)


def thresholds_in_force(*, agency: Agency, on: date) -> Thresholds:
    """The thresholds an agency buys under on a day: the latest set on or before it, else the defaults."""
    row = MethodThresholds.objects.filter(agency=agency, effective_from__lte=on).order_by("-effective_from").first()
    if row is None:
        return DEFAULT_THRESHOLDS
    return Thresholds(row.micro_purchase_max, row.rfq_max, row.committee_above, row.effective_from)


# -- who may do what ------------------------------------------------------------------------------

# Facility procurement officers keep the roster with the facility manager; the auditor and the contracts
# committee (who review awards) read it. Everyone else, and every agency's address, is refused.
ROSTER_KEEPER_ROLES = frozenset({Role.PROCUREMENT_AGENT, Role.FACILITY_MANAGER})
ROSTER_READER_ROLES = frozenset({*ROSTER_KEEPER_ROLES, Role.AUDITOR, Role.CONTRACTS_COMMITTEE})


def may_read_roster(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """On the facility portal: procurement officers, the facility manager, the contracts committee, the auditor."""
    if not agency.is_facility or not user.is_authenticated:
        return False
    return user.is_staff or has_role(user=user, agency=agency, roles=ROSTER_READER_ROLES)


def may_keep_roster(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """On the facility portal: procurement officers and the facility manager (and platform administrators)."""
    if not agency.is_facility or not user.is_authenticated:
        return False
    return user.is_staff or has_role(user=user, agency=agency, roles=ROSTER_KEEPER_ROLES)


def may_set_thresholds(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """The facility manager alone sets an agency's method thresholds."""
    return is_facility_manager(user=user, agency=agency)


# -- the roster ------------------------------------------------------------------------------------


def vendor_list(*, status: str = "", category: str = "", country: str = "", text: str = "") -> QuerySet[Vendor]:
    """The roster, filtered: by status, by a supply category's code, by country code, and by words.

    The words are looked for in the legal name, the registration number (with
    or without its punctuation), the e-mail and the contact person.
    """
    # PostgreSQL text cannot hold NUL: a query string carrying one is read without it rather than failing.
    status, category, country, text = (value.replace("\x00", "") for value in (status, category, country, text))
    vendors = Vendor.objects.all()
    if status:
        vendors = vendors.filter(status=status)
    if category:
        vendors = vendors.filter(categories__code=category.strip().upper())
    if country:
        vendors = vendors.filter(country=country.strip().upper())
    for word in text.split()[:10]:
        condition = (
            Q(legal_name__icontains=word)
            | Q(registration_number__icontains=word)
            | Q(email__icontains=word)
            | Q(contact_name__icontains=word)
        )
        key = re.sub(r"[^0-9A-Za-z]", "", word).upper()
        if key:
            condition |= Q(registration_key__contains=key)
        vendors = vendors.filter(condition)
    return vendors.distinct().prefetch_related("categories")


def vendor_get(*, pk: int) -> Vendor | None:
    return Vendor.objects.filter(pk=pk).prefetch_related("categories", "contacts").first()


def vendor_history(*, vendor: Vendor) -> QuerySet[VendorStatusChange]:
    """Every change of the vendor's status, newest first, with who made it."""
    return vendor.status_changes.select_related("changed_by").order_by("-effective_on", "-changed_at", "-pk")


def category_list(*, active_only: bool = False) -> QuerySet[SupplyCategory]:
    categories = SupplyCategory.objects.annotate(vendor_count=Count("vendors")).order_by("name")
    return categories.filter(is_active=True) if active_only else categories


def roster_countries() -> list[str]:
    """The countries vendors on the roster are registered in, for the list's filter."""
    return list(Vendor.objects.order_by("country").values_list("country", flat=True).distinct())


def roster_counts() -> dict[str, int]:
    """How many vendors have each status."""
    counts = dict(Vendor.objects.values_list("status").annotate(count=Count("pk")).values_list("status", "count"))
    return {status: counts.get(status, 0) for status in VendorStatus.values}


# -- method thresholds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyThresholds:
    agency: Agency
    in_force: Thresholds
    next_change: MethodThresholds | None  # a row set from a later day, if any


def thresholds_history(*, agency: Agency) -> QuerySet[MethodThresholds]:
    """Every set of values the agency's thresholds took, the latest day first, with who set them."""
    return MethodThresholds.objects.filter(agency=agency).select_related("agency", "set_by").order_by("-effective_from")


def thresholds_list(*, agency_code: str = "") -> QuerySet[MethodThresholds]:
    """Every agency's rows (or one agency's by its code), by agency then latest first."""
    rows = MethodThresholds.objects.select_related("agency", "set_by").order_by("agency__code", "-effective_from")
    agency_code = agency_code.replace("\x00", "").strip().upper()
    return rows.filter(agency__code=agency_code) if agency_code else rows


def thresholds_overview(*, on: date) -> list[AgencyThresholds]:
    """For each active agency: the thresholds in force on the day, and the next change already set.

    Two queries whatever the number of agencies: the agencies, then every row of theirs.
    """
    agencies = list(Agency.objects.agencies().active().order_by("code"))
    rows: dict[int, list[MethodThresholds]] = {agency.pk: [] for agency in agencies}
    for row in MethodThresholds.objects.filter(agency__in=agencies).order_by("effective_from"):
        rows[row.agency_id].append(row)
    overview = []
    for agency in agencies:
        past = [row for row in rows[agency.pk] if row.effective_from <= on]
        later = [row for row in rows[agency.pk] if row.effective_from > on]
        in_force = (
            Thresholds(past[-1].micro_purchase_max, past[-1].rfq_max, past[-1].committee_above, past[-1].effective_from)
            if past
            else DEFAULT_THRESHOLDS
        )
        overview.append(AgencyThresholds(agency, in_force, later[0] if later else None))
    return overview
