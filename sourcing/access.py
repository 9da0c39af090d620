"""Who may do what with long-term agreements: one place for the pages, the API and the services.

- Making an agreement (from an award or an existing contract): the facility's
  procurement officers and its manager, on the facility portal.
- Reading every agreement with every agency's consumption: the facility's
  staff (as they read every procurement case) and the owner agency.
- On an agency's address, any member reads the agreements the agency owns,
  takes part in, or could join; it sees only its own consumption line and the
  overall remaining, unless it owns the agreement.
- Asking to piggyback: an approver of an agency that does not take part.
  Deciding: an approver of the owner agency, never the person who asked.
- Raising a call-off: a requester or approver of a participating agency.
- The agreement's documents: the facility's staff, the owner and the
  participants (an agency that could join reads the schedule, not the contract).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.models import Role, User
from accounts.selectors import has_role, roles_at
from procurement.selectors import is_buyer, is_procurement_reader
from tenants.models import Agency

from .models import LongTermAgreement, Participation

CALL_OFF_ROLES = frozenset({Role.REQUESTER, Role.APPROVER})


def may_make_agreements(*, user: User | AnonymousUser) -> bool:
    """The facility's procurement officers and manager make agreements (as they buy for every agency)."""
    return is_buyer(user=user)


def reads_every_agreement(*, user: User | AnonymousUser) -> bool:
    """Facility staff (and the auditor): every agreement, with every agency's consumption."""
    return is_procurement_reader(user=user)


def is_member(*, user: User | AnonymousUser, agency: Agency) -> bool:
    return user.is_authenticated and user.is_active and bool(roles_at(user=user, agency=agency))


def may_call_off(*, user: User | AnonymousUser, agency: Agency) -> bool:
    return user.is_authenticated and has_role(user=user, agency=agency, roles=CALL_OFF_ROLES)


def is_approver(*, user: User | AnonymousUser, agency: Agency) -> bool:
    return user.is_authenticated and has_role(user=user, agency=agency, roles={Role.APPROVER})


def takes_part(*, agreement: LongTermAgreement, agency: Agency) -> bool:
    return Participation.objects.filter(agreement=agreement, agency=agency).exists()


def sees_every_agency_line(*, agreement: LongTermAgreement, agency: Agency) -> bool:
    """The owner (and the facility) see each agency's consumption; a participant only its own."""
    return agency.is_facility or agreement.owner_id == agency.pk


def may_read_documents(*, agreement: LongTermAgreement, agency: Agency) -> bool:
    return agency.is_facility or agreement.owner_id == agency.pk or takes_part(agreement=agreement, agency=agency)
