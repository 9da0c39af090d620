"""Who reads and does what in accountability: one place, used by pages, API and services.

On the facility portal every facility role reads every agency's scorecards,
objectives, reports and change requests (the read-only auditor included, who
changes nothing); the board reads the fair-cost simulations. On an agency's
address the agency's approvers, finance officers and board members read that
agency's own scorecards, service reports, evidence packs and change requests,
never another's: every selector takes the address's agency as its scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from accounts.models import BOARD_ROLES, FACILITY_ROLES, Role
from accounts.selectors import facility_roles, has_role
from shared_platform.errors import ApplicationError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from tenants.models import Agency

# Facility portal: read every agency's accountability records.
FACILITY_READER_ROLES = frozenset(FACILITY_ROLES)
# Keep the quality objectives and prepare, hold and close the management review (clause 9.3).
REVIEW_KEEPER_ROLES = frozenset({Role.QUALITY_FOCAL_POINT, Role.FACILITY_MANAGER})
# Assess an agency's change request (effect on price and targets).
CHANGE_ASSESSOR_ROLES = frozenset({Role.FACILITY_MANAGER, Role.FACILITY_FINANCE})
# Approve a change request for the facility.
CHANGE_FACILITY_APPROVER_ROLES = frozenset({Role.FACILITY_MANAGER})
# Make fair-cost simulations and attach them to a motion; the board and the auditor read them.
SIMULATION_MAKER_ROLES = frozenset({Role.FACILITY_MANAGER, Role.FACILITY_FINANCE})
SIMULATION_READER_ROLES = frozenset(BOARD_ROLES | SIMULATION_MAKER_ROLES | {Role.AUDITOR})
# On an agency's address: read its scorecards, service reports and change requests; ask for evidence packs.
AGENCY_READER_ROLES = frozenset({Role.APPROVER, Role.AGENCY_FINANCE, *BOARD_ROLES})
# Propose a change to the agency's agreement; approve one for the agency.
AGENCY_PROPOSER_ROLES = frozenset({Role.APPROVER, Role.AGENCY_FINANCE})
AGENCY_CHANGE_APPROVER_ROLES = frozenset({Role.APPROVER})
# Never changes anything, whatever other role a page offers.
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def holds_facility_role(user: User | AnonymousUser, roles: frozenset[str]) -> bool:
    return bool(facility_roles(user) & roles)


def may_read(*, user: User | AnonymousUser, address: Agency) -> bool:
    """May this person read accountability records at this address (the facility's all, an agency its own)?"""
    if not user.is_authenticated:
        return False
    if address.is_facility:
        return bool(user.is_staff or holds_facility_role(user, FACILITY_READER_ROLES))
    return has_role(user=user, agency=address, roles=AGENCY_READER_ROLES)


def scope_for(*, user: User | AnonymousUser, address: Agency) -> Agency | None:
    """Whose records a page or endpoint reads: None (every agency) on the portal, the address's agency otherwise.

    Refuses (403) anyone who may not read them at this address.
    """
    if not may_read(user=user, address=address):
        raise PermissionDenied(
            gettext(
                "Only the facility's staff, or the agency's approvers, finance officers and board members, "
                "read these records."
            )
        )
    return None if address.is_facility else address


def refuse(message: str, *, code: str, status_code: int = 403) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=status_code)
