"""Who may use which address, and with which roles.

The rule (PRODUCT.md, "Tenancy"): no one sees an agency's data unless they are
a member of that agency; the facility portal is for facility roles and for the
agencies' board seats. Pages (accounts.middleware) and the API
(accounts.permissions) both ask `user_may_use_address`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .models import BOARD_ROLES, FACILITY_ROLES, Membership, Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tenants.models import Agency


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=(email or "").strip().lower(), is_active=True).first()


def membership_list(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("agency").order_by("agency__code", "role")


def roles_at(*, user: User | AnonymousUser, agency: Agency) -> set[str]:
    """The roles a person holds at this address: the agency's, or the facility's."""
    if not user.is_authenticated:
        return set()
    # The access check and the page layout both ask within one request; the
    # answer is kept on the user object, which Django loads afresh per request.
    known: dict[int, set[str]] = user.__dict__.setdefault("_roles_by_agency", {})
    if agency.pk not in known:
        memberships = Membership.objects.filter(user=user)
        if agency.is_facility:
            memberships = memberships.filter(Q(agency__isnull=True) | Q(role__in=BOARD_ROLES, agency__is_active=True))
        else:
            memberships = memberships.filter(agency=agency)
        known[agency.pk] = set(memberships.values_list("role", flat=True))
    return set(known[agency.pk])


def facility_roles(user: User | AnonymousUser) -> set[str]:
    """The facility roles a person holds (none for agency staff), kept on the user object for the request."""
    if not user.is_authenticated:
        return set()
    known: set[str] | None = user.__dict__.get("_facility_roles")
    if known is None:
        known = set(
            Membership.objects.filter(user=user, agency__isnull=True, user__is_active=True).values_list(
                "role", flat=True
            )
        )
        user.__dict__["_facility_roles"] = known
    return set(known)


def user_may_use_address(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """True if the person may use this agency's address (or the facility portal).

    Agency address: any membership in that agency. Facility portal: a facility
    role, a board seat of an agency, or a platform administrator (staff).
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if agency.is_facility and user.is_staff:
        return True
    return bool(roles_at(user=user, agency=agency))


def has_role(*, user: User | AnonymousUser, agency: Agency, roles: set[str] | frozenset[str]) -> bool:
    return bool(roles_at(user=user, agency=agency) & set(roles))


def addresses_for(*, user: User) -> list[tuple[str, Agency | None]]:
    """The addresses a person can sign in at, as (label, agency or None for the portal)."""
    memberships = list(membership_list(user=user))
    addresses: list[tuple[str, Agency | None]] = []
    if user.is_staff or any(m.role in FACILITY_ROLES or m.role in BOARD_ROLES for m in memberships):
        addresses.append((_("Facility portal"), None))
    seen: set[int] = set()
    for membership in memberships:
        agency = membership.agency
        if agency is not None and agency.is_active and agency.pk not in seen:
            seen.add(agency.pk)
            addresses.append((agency.name, agency))
    return addresses


def address_links(*, user: User, scheme: str, port: str) -> list[tuple[str, Agency | None, str]]:
    """The addresses a person can sign in at, each with its sign-in link on this server's scheme and port.

    Used when someone reaches, or signs in at, an address that is not theirs: the refusal names the right one.
    """
    suffix = "" if port in ("", "80", "443") else f":{port}"
    links = []
    for label, agency in addresses_for(user=user):
        host = settings.BASE_DOMAIN if agency is None else agency.primary_domain_name or agency.code.lower()
        links.append((label, agency, f"{scheme}://{host}{suffix}/accounts/login/"))
    return links


def role_labels(roles: set[str]) -> list[str]:
    return [str(Role(role).label) for role in sorted(roles)]


def agency_people(*, agency: Agency) -> list[dict[str, object]]:
    """The active people of an agency with the roles each holds there, by name."""
    people: dict[int, dict[str, object]] = {}
    memberships = (
        Membership.objects.filter(agency=agency, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    )
    for membership in memberships:
        entry = people.setdefault(membership.user_id, {"user": membership.user, "roles": []})
        entry["roles"].append(str(Role(membership.role).label))  # type: ignore[attr-defined]
    return list(people.values())


def agency_scope(*, user: User | AnonymousUser, agency: Agency) -> Agency | None:
    """Whose rows a person may read at this address, for pages and APIs that span agencies.

    On an agency's address: that agency only (the address check already
    required a membership). On the facility portal: every agency (None), for
    facility roles and platform administrators only; board members, who may
    also use the portal, are refused.
    """
    from django.core.exceptions import PermissionDenied

    if not agency.is_facility:
        return agency
    if user.is_authenticated and (user.is_staff or has_role(user=user, agency=agency, roles=FACILITY_ROLES)):
        return None
    raise PermissionDenied(_("Only the facility's staff see every agency's requests."))


# Inside an agency, who sees which requests (PRODUCT.md, "Who uses it"; README "Who sees which requests"):
# these roles see all of the agency's requests; everyone else sees those they raised or are named on.
# The ledger (pages, API, SLA dashboard lists) and every module ask `sees_whole_agency`.
SEES_WHOLE_AGENCY_ROLES = frozenset({Role.APPROVER, Role.AGENCY_FINANCE})


def sees_whole_agency(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """True for the agency's approvers and finance officers: they follow all of its requests."""
    return has_role(user=user, agency=agency, roles=SEES_WHOLE_AGENCY_ROLES)


def is_facility_manager(*, user: User | AnonymousUser, agency: Agency) -> bool:
    """The facility manager (or a platform administrator), on the facility portal."""
    if not agency.is_facility or not user.is_authenticated:
        return False
    return user.is_staff or has_role(user=user, agency=agency, roles={Role.FACILITY_MANAGER})
