"""Who may read and do what in the quality system: one place, used by pages, API and services.

Every facility role reads the quality records (process owners are procurement,
travel and ICT officers; the read-only auditor reads everything and changes
nothing). An agency's people meet only the suggestions they made themselves.
Each write names the roles that may make it; services check them again, so a
crafted request reaches the same refusal as the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from accounts.models import FACILITY_ROLES, Role
from accounts.selectors import facility_roles
from shared_platform.errors import ApplicationError

if TYPE_CHECKING:
    from accounts.models import User

# Read every quality record on the facility portal.
READER_ROLES = frozenset(FACILITY_ROLES)
# Keep the processes, their risks and the register of controlled documents; raise and steer nonconformities.
KEEPER_ROLES = frozenset({Role.QUALITY_FOCAL_POINT, Role.FACILITY_MANAGER})
# Approve a version of a controlled document (never their own: clause 7.5.2).
APPROVER_ROLES = frozenset({Role.QUALITY_FOCAL_POINT, Role.FACILITY_MANAGER})
# Score and decide improvement suggestions (clause 10.3).
COMMITTEE_ROLES = frozenset({Role.REVIEW_COMMITTEE, Role.QUALITY_FOCAL_POINT})
# Plan the audit programme; record audits (clause 9.2). Recording is the internal auditor's alone.
AUDIT_PLANNER_ROLES = frozenset({Role.QUALITY_FOCAL_POINT, Role.INTERNAL_AUDITOR})
AUDIT_RECORDER_ROLES = frozenset({Role.INTERNAL_AUDITOR})
# Never changes anything, whatever other role a page offers.
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def holds(user: User, roles: frozenset[str]) -> bool:
    """Does this person hold one of these facility roles? Platform administrators hold none by default."""
    return bool(facility_roles(user) & roles)


def may_read(user: User) -> bool:
    return bool(user.is_authenticated) and (user.is_staff or holds(user, READER_ROLES))


def reader_page_check(user: User) -> None:
    """A quality page: 403 (the platform's error page) for anyone but the facility's staff."""
    if not may_read(user):
        raise PermissionDenied(gettext("The quality records are the facility's; only its staff read them."))


def read_check(user: User) -> None:
    if not may_read(user):
        raise ApplicationError(
            gettext("The quality records are the facility's; only its staff read them."),
            code="quality.not_facility_staff",
            status_code=403,
        )


def role_check(user: User, roles: frozenset[str], message: str) -> None:
    """Refuse (403, with `message`) unless the person holds one of `roles`."""
    if not holds(user, roles):
        raise ApplicationError(message, code="quality.not_allowed", status_code=403)
