"""Reads for procurement: who may do what, the method a value calls for, a case's figures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import FACILITY_ROLES, Membership, Role, User
from accounts.selectors import facility_roles
from ledger.models import OPEN_STATUSES, LedgerEntry
from ledger.selectors import with_due_times
from service_levels.models import Module
from tenants.models import Agency
from vendors.selectors import Thresholds, thresholds_in_force

from .models import Bid, Method, Requisition, Solicitation

# Facility staff who act on purchases; the manager stands in for a buyer.
BUYER_ROLES = frozenset({Role.PROCUREMENT_AGENT, Role.FACILITY_MANAGER})


def is_buyer(*, user: User | AnonymousUser) -> bool:
    """A facility procurement officer (or the manager): may take, source and order any agency's purchase."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(facility_roles(user) & BUYER_ROLES)


def is_procurement_reader(*, user: User | AnonymousUser) -> bool:
    """Facility staff who read every case (the auditor too, read-only)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or facility_roles(user) & FACILITY_ROLES)


def is_committee_member(*, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return Role.CONTRACTS_COMMITTEE in facility_roles(user)


def is_facility_manager_person(*, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return Role.FACILITY_MANAGER in facility_roles(user)


def buyers() -> QuerySet[User]:
    """The facility's procurement officers, by name: who may be named buyer or second opening officer."""
    ids = Membership.objects.filter(agency__isnull=True, role=Role.PROCUREMENT_AGENT).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def method_for(*, total: Decimal, thresholds: Thresholds) -> str:
    """The method an estimated total calls for (PRODUCT.md): micro up to the first threshold, RFQ up to
    the second, ITB above it (the buyer may choose RFP instead, saying why)."""
    if total <= thresholds.micro_purchase_max:
        return Method.MICRO
    if total <= thresholds.rfq_max:
        return Method.RFQ
    return Method.ITB


def method_in_force(*, agency: Agency, total: Decimal, on: date) -> str:
    return method_for(total=total, thresholds=thresholds_in_force(agency=agency, on=on))


# How competitive each method is: a buyer may always choose a more competitive method than
# the value calls for; a less competitive one only under an approved direct-contracting deviation.
METHOD_RANK = {Method.MICRO: 0, Method.RFQ: 1, Method.ITB: 2, Method.RFP: 2}


def needs_committee(*, agency: Agency, value_usd: Decimal, on: date) -> bool:
    return value_usd > thresholds_in_force(agency=agency, on=on).committee_above


@dataclass(frozen=True)
class SealedCount:
    """What anyone may know of a solicitation's bids before opening: how many, and how many late."""

    received: int
    late: int


def sealed_count(*, solicitation: Solicitation) -> SealedCount:
    counting = Bid.objects.filter(solicitation=solicitation, superseded=False)
    return SealedCount(received=counting.filter(late=False).count(), late=counting.filter(late=True).count())


def bids_counting(*, solicitation: Solicitation) -> QuerySet[Bid]:
    """The bids that count: each vendor's last submission before the deadline."""
    return (
        Bid.objects.filter(solicitation=solicitation, superseded=False, late=False)
        .select_related("invitation")
        .order_by("invitation__vendor_name", "pk")
    )


def deadline_passed(*, solicitation: Solicitation, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= solicitation.deadline


def requisition_get(*, reference: str) -> Requisition | None:
    return Requisition.objects.filter(reference=reference).first()


def requisitions_visible(*, user: User, agency: Agency, sees_whole_agency: bool) -> QuerySet[Requisition]:
    """An agency's requisitions as its person may see them: approvers and finance all, others their own."""
    requisitions = Requisition.objects.all()
    if not sees_whole_agency:
        requisitions = requisitions.filter(requester_id=user.pk)
    return requisitions


def case_entry(*, reference: str) -> LedgerEntry | None:
    return (
        LedgerEntry.objects.filter(reference=reference, module=Module.PROCUREMENT, detail_id__isnull=False)
        .select_related("agency", "service", "assignee")
        .first()
    )


@contextmanager
def agency_case(*, reference: str) -> Iterator[Requisition]:
    """A purchase found from the facility portal: its ledger row says whose it is, and the connection
    stays in that agency's schema for as long as the caller needs it. 404 if there is none."""
    entry = case_entry(reference=reference)
    if entry is None:
        raise Http404("No such purchase.")
    with schema_context(entry.agency.schema_name):
        requisition = requisition_get(reference=reference)
        if requisition is None:
            raise Http404("No such purchase.")
        yield requisition


def procurement_queue(*, user: User | AnonymousUser, filters: dict[str, Any]) -> QuerySet[LedgerEntry]:
    """Purchases across every agency from the ledger, the most urgent first: one indexed query.

    `filters`: agency (an Agency or None), step, service (or None), buyer
    ("mine", "none" or ""), state ("all", "overdue", or in progress).
    """
    entries = LedgerEntry.objects.filter(module=Module.PROCUREMENT, detail_id__isnull=False).select_related(
        "agency", "service", "assignee"
    )
    if filters.get("agency") is not None:
        entries = entries.filter(agency=filters["agency"])
    if filters.get("step"):
        entries = entries.filter(step=filters["step"])
    if filters.get("service") is not None:
        entries = entries.filter(service=filters["service"])
    if filters.get("buyer") == "mine":
        entries = entries.filter(assignee_id=user.pk)
    elif filters.get("buyer") == "none":
        entries = entries.filter(assignee__isnull=True)
    if filters.get("state") != "all":
        entries = entries.filter(status__in=OPEN_STATUSES)
    entries = with_due_times(entries)
    if filters.get("state") == "overdue":
        entries = entries.filter(overdue_since__isnull=False)  # type: ignore[misc]  # annotated above
    return entries.order_by("overdue_since", "next_due", "-opened_at")  # PostgreSQL sorts NULLs last


def committee_cases() -> QuerySet[LedgerEntry]:
    """The purchases before the contracts committee, across agencies."""
    return with_due_times(
        LedgerEntry.objects.filter(
            module=Module.PROCUREMENT, step="committee", status__in=OPEN_STATUSES
        ).select_related("agency", "service", "assignee")
    )
