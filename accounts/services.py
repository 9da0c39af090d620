"""Writes for people: accounts, memberships, signing in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from shared_platform.errors import ApplicationError
from shared_platform.plain_text import single_line

from .models import AGENCY_ROLES, FACILITY_ROLES, VOTING_BOARD_ROLES, Membership, Role, User
from .selectors import addresses_for, user_may_use_address

if TYPE_CHECKING:
    from django.http import HttpRequest

    from tenants.models import Agency


@transaction.atomic
def user_create(
    *, email: str, password: str | None, first_name: str = "", last_name: str = "", is_staff: bool = False
) -> User:
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise ApplicationError(_("A valid e-mail address is required."), code="accounts.invalid_email")
    if User.objects.filter(email=email).exists():
        raise ApplicationError(_("%(email)s already has an account.") % {"email": email}, code="accounts.email_taken")
    # Names appear in e-mail subjects ("... is being handled by <name>"): one line each.
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=single_line(first_name),
        last_name=single_line(last_name),
        is_staff=is_staff,
    )
    return user


@transaction.atomic
def membership_grant(*, user: User, role: str, agency: Agency | None = None) -> Membership:
    """Give a person a role in an agency, or (agency None) in the facility.

    Agency roles need an agency and facility roles must not name one; a voting
    board seat (representative, alternate) belongs to a member agency, since
    partners observe without a vote (PRODUCT.md, "Governance"). Granting a role
    the person already holds returns the existing membership.
    """
    membership_check(role=role, agency=agency)
    user.__dict__.pop("_roles_by_agency", None)  # selectors.roles_at's per-request answer
    try:
        with transaction.atomic():
            membership, _created = Membership.objects.get_or_create(user=user, agency=agency, role=role)
    except IntegrityError:  # granted concurrently
        membership = Membership.objects.get(user=user, agency=agency, role=role)
    return membership


def membership_check(*, role: str, agency: Agency | None) -> None:
    """Refuse a role in the wrong place (see membership_grant); the admin's forms ask this too."""
    if role not in Role.values:
        raise ApplicationError(_('Unknown role "%(role)s".') % {"role": role}, code="accounts.unknown_role")
    if role in AGENCY_ROLES and agency is None:
        raise ApplicationError(
            _("The role %(role)s is held in an agency.") % {"role": Role(role).label}, code="accounts.agency_required"
        )
    if role in FACILITY_ROLES and agency is not None:
        raise ApplicationError(
            _("The role %(role)s is a facility role, not an agency's.") % {"role": Role(role).label},
            code="accounts.facility_role",
        )
    if agency is not None and agency.is_facility:
        raise ApplicationError(_("Facility roles are granted without an agency."), code="accounts.facility_role")
    if role in VOTING_BOARD_ROLES and agency is not None and not agency.has_vote:
        raise ApplicationError(
            _("%(agency)s is a partner without a vote; its people may only observe the board.")
            % {"agency": agency.code},
            code="accounts.partner_cannot_vote",
        )


def no_access_message(*, agency: Agency, elsewhere: str | None = None) -> str:
    """Why a person is refused at an address and, when asked (`elsewhere`), where they can sign in instead.

    Whole sentences for the portal and for an agency: "au portail" / "ao portal" cannot be built from parts.
    """
    if elsewhere is None:
        if agency.is_facility:
            return _("Your account has no access to the facility portal.")
        return _("Your account has no access to %(agency)s.") % {"agency": agency.name}
    if not elsewhere:
        if agency.is_facility:
            return _("Your account has no access to the facility portal, nor to any other address.")
        return _("Your account has no access to %(agency)s, nor to any other address.") % {"agency": agency.name}
    if agency.is_facility:
        return _("Your account has no access to the facility portal. Sign in at: %(addresses)s.") % {
            "addresses": elsewhere
        }
    return _("Your account has no access to %(agency)s. Sign in at: %(addresses)s.") % {
        "agency": agency.name,
        "addresses": elsewhere,
    }


def locked_out_message() -> str:
    """The one message of a locked-out sign-in, on the page, the API and the admin (accounts/lockout.py)."""
    return _("Too many failed sign-ins for this account. Wait a few minutes and try again.")


def user_sign_in(*, request: HttpRequest, email: str, password: str, agency: Agency) -> User:
    """Check an e-mail and password for this address.

    Repeated failures for one e-mail from one client are refused for a while
    (django-axes, settings AXES_*). A correct password for an address the person
    has no access to is refused too, and tells them where they can sign in.
    """
    email = (email or "").strip().lower()
    if not email or not password:
        raise ApplicationError(
            _("Enter your e-mail address and password."), code="auth.credentials_missing", status_code=400
        )
    user = authenticate(request, email=email, password=password)
    if getattr(request, "axes_locked_out", False):
        raise ApplicationError(
            locked_out_message(),
            code="auth.locked_out",
            status_code=429,
        )
    if user is None:
        raise ApplicationError(
            _("That e-mail address and password do not match an active account."),
            code="auth.invalid_credentials",
            status_code=401,
        )
    if not user_may_use_address(user=user, agency=agency):
        own = "; ".join(label for label, _agency in addresses_for(user=user))
        raise ApplicationError(
            no_access_message(agency=agency, elsewhere=own),
            code="auth.no_access_here",
            status_code=403,
        )
    return user


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """A person's language for pages and e-mails, kept on their account so it follows them everywhere."""
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(
            _("%(language)s is not a language of the platform.") % {"language": language},
            code="accounts.unknown_language",
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def api_token_issue(*, user: User) -> Token:
    token, _created = Token.objects.get_or_create(user=user)
    return token


def api_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
