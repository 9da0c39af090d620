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

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import has_role, roles_at
from procurement.selectors import is_buyer, is_procurement_reader
from tenants.models import Agency

from .models import LongTermAgreement, Participation, PiggybackRequest, PiggybackStatus

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


def _in_force(agreement: LongTermAgreement, on: date) -> bool:
    return agreement.valid_from <= on <= agreement.valid_until


def join_refusal(*, user: User | AnonymousUser, agency: Agency, agreement: LongTermAgreement, on: date) -> str:
    """Why this person may not ask for their agency to join, or "" if they may (pages say it before)."""
    if agreement.owner_id == agency.pk:
        return _("Your agency owns this agreement.")
    if takes_part(agreement=agreement, agency=agency):
        return _("Your agency takes part in this agreement.")
    if not _in_force(agreement, on):
        return _("The agreement is not in force; nobody joins it.")
    if PiggybackRequest.objects.filter(agreement=agreement, agency=agency, status=PiggybackStatus.REQUESTED).exists():
        return _("Your agency's request to join waits for the owner's decision.")
    if not is_approver(user=user, agency=agency):
        return _("Only your agency's approvers ask to join an agreement.")
    return ""


def call_off_refusal(*, user: User | AnonymousUser, agency: Agency, agreement: LongTermAgreement, on: date) -> str:
    """Why this person may not raise a call-off for their agency, or "" if they may."""
    if not takes_part(agreement=agreement, agency=agency):
        return _("Your agency does not take part in this agreement; an approver may ask the owner to join.")
    if not _in_force(agreement, on):
        return _("The agreement is not in force; it cannot be called off.")
    if not may_call_off(user=user, agency=agency):
        return _("Only your agency's requesters and approvers raise call-offs.")
    return ""
