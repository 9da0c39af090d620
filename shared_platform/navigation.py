"""The navigation bar: which pages each role sees, on which kind of address.

Each module appends its pages here; the base layout shows a person the items
their roles at the current address allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accountability.access import AGENCY_READER_ROLES as ACCOUNTABILITY_AGENCY_ROLES
from accountability.access import FACILITY_READER_ROLES as ACCOUNTABILITY_FACILITY_ROLES
from accountability.access import SIMULATION_READER_ROLES
from accounts.models import FACILITY_ROLES, Role
from billing.selectors import FACILITY_READER_ROLES as BILLING_FACILITY_ROLES
from governance.selectors import BOARD_READER_ROLES
from procurement.receiving_selectors import FACILITY_INVOICE_READER_ROLES
from quality.access import READER_ROLES as QUALITY_READER_ROLES
from sourcing.selectors.spend import REPORT_READER_ROLES as SPEND_REPORT_ROLES
from vendors.selectors import ROSTER_READER_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str | Promise  # gettext_lazy: read in the language of each request
    url_name: str
    on_facility: bool
    on_agency: bool
    roles: frozenset[str] | None = None  # None: everyone who may use the address
    staff_only: bool = False


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", on_facility=True, on_agency=True),
    # The one approvals inbox (shared_platform/start.py): every module's items waiting for this person.
    NavItem(_("Approvals"), "approvals", on_facility=False, on_agency=True, roles=frozenset({Role.APPROVER})),
    # Service levels: the facility's staff see every agency; an agency's people see their own.
    NavItem(_("SLA dashboard"), "sla-dashboard", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    NavItem(_("SLA dashboard"), "sla-dashboard", on_facility=False, on_agency=True),
    NavItem(_("Requests"), "ledger-requests", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    NavItem(_("Requests"), "ledger-requests", on_facility=False, on_agency=True),
    # ICT helpdesk (ict_helpdesk/): an agency's people raise and follow tickets; the facility works one queue.
    NavItem(_("ICT helpdesk"), "helpdesk:tickets", on_facility=False, on_agency=True),
    NavItem(_("ICT queue"), "helpdesk:queue", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    NavItem(
        _("Helpdesk settings"),
        "helpdesk:settings",
        on_facility=True,
        on_agency=False,
        roles=frozenset({Role.FACILITY_MANAGER}),
    ),
    # Procurement (procurement/): an agency's people raise and follow requisitions (approvers decide them from
    # the approvals inbox); the facility's staff work one queue across agencies, the committee its cases.
    NavItem(_("Requisitions"), "procurement:requisitions", on_facility=False, on_agency=True),
    NavItem(_("Procurement"), "procurement:queue", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    NavItem(
        _("Contracts committee"),
        "procurement:committee",
        on_facility=True,
        on_agency=False,
        roles=frozenset({Role.CONTRACTS_COMMITTEE, Role.FACILITY_MANAGER}),
    ),
    # After the order (procurement/receiving*): an agency's people receive what was ordered and rate the vendor;
    # its finance officers record the vendor's invoices (the three-way match) and export the payables; facility
    # finance records invoices for any agency.
    NavItem(_("Purchase orders"), "procurement:orders", on_facility=False, on_agency=True),
    NavItem(
        _("Supplier invoices"),
        "procurement:invoices",
        on_facility=False,
        on_agency=True,
        roles=frozenset({Role.AGENCY_FINANCE, Role.APPROVER}),
    ),
    NavItem(
        _("Supplier invoices"),
        "procurement:invoices",
        on_facility=True,
        on_agency=False,
        roles=FACILITY_INVOICE_READER_ROLES,
    ),
    # Pooled sourcing (sourcing/): long-term agreements an agency owns, takes part in or may join (call-offs,
    # piggybacking); the facility makes them and reads the split-purchase and joint-procurement reports.
    NavItem(_("Long-term agreements"), "sourcing:agreements", on_facility=False, on_agency=True),
    NavItem(_("Long-term agreements"), "sourcing:agreements", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    NavItem(
        _("Spend reports"), "sourcing:split-purchases", on_facility=True, on_agency=False, roles=SPEND_REPORT_ROLES
    ),
    # Travel (travel/): an agency's people ask for trips and claim after them (approvers decide them from the
    # approvals inbox); the facility's travel officers work one queue across agencies.
    NavItem(_("Travel"), "travel:trips", on_facility=False, on_agency=True),
    NavItem(_("Travel"), "travel:queue", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    NavItem(_("Catalogue"), "catalogue", on_facility=True, on_agency=True),
    NavItem(_("Calendars"), "calendars", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    NavItem(_("Agreements"), "agreements", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    NavItem(_("Agreement"), "agreements", on_facility=False, on_agency=True),
    # Governance board (governance/): motions and meetings for the board, its secretary and the auditor on the
    # facility portal; the decision register for everyone, on every address.
    NavItem(_("Board motions"), "governance:motions", on_facility=True, on_agency=False, roles=BOARD_READER_ROLES),
    NavItem(_("Board meetings"), "governance:meetings", on_facility=True, on_agency=False, roles=BOARD_READER_ROLES),
    NavItem(_("Decision register"), "governance:register", on_facility=True, on_agency=True),
    # Cost-recovery billing (billing/): facility finance, the facility manager and the auditor on the portal;
    # an agency's finance officers on its address.
    NavItem(_("Billing"), "billing:invoices", on_facility=True, on_agency=False, roles=BILLING_FACILITY_ROLES),
    NavItem(_("Price list"), "billing:prices", on_facility=True, on_agency=False, roles=BILLING_FACILITY_ROLES),
    NavItem(
        _("Invoices"), "billing:invoices", on_facility=False, on_agency=True, roles=frozenset({Role.AGENCY_FINANCE})
    ),
    # The vendor roster and the method thresholds (vendors/): the facility's procurement officers and manager keep
    # them; the contracts committee and the auditor read.
    NavItem(_("Vendors"), "vendors:roster", on_facility=True, on_agency=False, roles=ROSTER_READER_ROLES),
    # The DSA rate table and the allowance rules (allowances/): every member of the facility's staff reads them;
    # the travel officers and the facility manager import the table and set the rules.
    NavItem(_("DSA rates"), "allowances:rates", on_facility=True, on_agency=False, roles=FACILITY_ROLES),
    # Quality management (quality/): every member of the facility's staff reads the quality system (its processes,
    # documents, nonconformities and audits); an agency's people suggest improvements and follow their own.
    NavItem(_("Quality"), "quality:dashboard", on_facility=True, on_agency=False, roles=QUALITY_READER_ROLES),
    NavItem(_("Suggestions"), "quality:my-suggestions", on_facility=False, on_agency=True),
    # Accountability to the agencies (accountability/): the facility's staff read every agency's scorecards,
    # objectives, management reviews, service reports, change requests and evidence packs; an agency's approvers,
    # finance officers and board members their own; the board the fair-cost simulations.
    NavItem(
        _("Scorecards"),
        "accountability:scorecards",
        on_facility=True,
        on_agency=False,
        roles=ACCOUNTABILITY_FACILITY_ROLES,
    ),
    NavItem(
        _("Scorecards"),
        "accountability:scorecards",
        on_facility=False,
        on_agency=True,
        roles=ACCOUNTABILITY_AGENCY_ROLES,
    ),
    NavItem(
        _("Quality objectives"),
        "accountability:objectives",
        on_facility=True,
        on_agency=False,
        roles=ACCOUNTABILITY_FACILITY_ROLES,
    ),
    NavItem(
        _("Management reviews"),
        "accountability:reviews",
        on_facility=True,
        on_agency=False,
        roles=ACCOUNTABILITY_FACILITY_ROLES,
    ),
    NavItem(
        _("Service reports"),
        "accountability:reports",
        on_facility=True,
        on_agency=False,
        roles=ACCOUNTABILITY_FACILITY_ROLES,
    ),
    NavItem(
        _("Service reports"),
        "accountability:reports",
        on_facility=False,
        on_agency=True,
        roles=ACCOUNTABILITY_AGENCY_ROLES,
    ),
    NavItem(
        _("Agreement changes"),
        "accountability:changes",
        on_facility=True,
        on_agency=False,
        roles=ACCOUNTABILITY_FACILITY_ROLES,
    ),
    NavItem(
        _("Agreement changes"),
        "accountability:changes",
        on_facility=False,
        on_agency=True,
        roles=ACCOUNTABILITY_AGENCY_ROLES,
    ),
    NavItem(
        _("Evidence packs"),
        "accountability:evidence",
        on_facility=True,
        on_agency=False,
        roles=ACCOUNTABILITY_FACILITY_ROLES,
    ),
    NavItem(
        _("Evidence packs"),
        "accountability:evidence",
        on_facility=False,
        on_agency=True,
        roles=ACCOUNTABILITY_AGENCY_ROLES,
    ),
    NavItem(
        _("Fair-cost simulations"),
        "accountability:simulations",
        on_facility=True,
        on_agency=False,
        roles=SIMULATION_READER_ROLES,
    ),
    NavItem(_("People"), "agency-people", on_facility=False, on_agency=True),
    NavItem(_("API"), "api-docs", on_facility=True, on_agency=True),
]


def nav_items(*, is_facility: bool, roles: set[str], is_staff: bool) -> list[dict[str, str]]:
    """The menu for these roles at this kind of address, its labels in the active language."""
    items = []
    for item in NAVIGATION:
        if not (item.on_facility if is_facility else item.on_agency):
            continue
        if item.staff_only and not is_staff:
            continue
        if item.roles is not None and not (roles & item.roles) and not is_staff:
            continue
        try:
            items.append({"label": str(item.label), "url": reverse(item.url_name), "name": item.url_name})
        except NoReverseMatch:
            continue
    return items
