"""People and what they may do where.

Users live in the public schema: one person, one account, whatever agencies
they work for. A Membership gives a person one role, either in one agency
(agency roles) or in the facility (facility roles). A person may hold several.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> User:
        if not email:
            raise ValueError(_("A user needs an e-mail address."))
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: object) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: object) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address and a password."""

    username = None  # type: ignore[assignment,misc]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of their pages and e-mails; blank: the browser's."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    # In an agency (used on the agency's own address)
    REQUESTER = "requester", _("Requester")
    APPROVER = "approver", _("Approver / certifying officer")
    AGENCY_FINANCE = "agency_finance", _("Agency finance")
    # The agency's seat on the board (used on the facility portal)
    BOARD_REPRESENTATIVE = "board_representative", _("Board representative")
    BOARD_ALTERNATE = "board_alternate", _("Board alternate")
    BOARD_OBSERVER = "board_observer", _("Board observer (partner, no vote)")
    # In the facility
    PROCUREMENT_AGENT = "procurement_agent", _("Procurement officer")
    CONTRACTS_COMMITTEE = "contracts_committee", _("Contracts committee member")
    TRAVEL_AGENT = "travel_agent", _("Travel officer")
    ICT_AGENT = "ict_agent", _("ICT officer")
    FACILITY_MANAGER = "facility_manager", _("Facility manager")
    FACILITY_FINANCE = "facility_finance", _("Facility finance")
    QUALITY_FOCAL_POINT = "quality_focal_point", _("Quality focal point")
    REVIEW_COMMITTEE = "review_committee", _("Review committee member")
    INTERNAL_AUDITOR = "internal_auditor", _("Internal auditor")
    AUDITOR = "auditor", _("Auditor (read-only)")


AGENCY_ROLES = frozenset(
    {
        Role.REQUESTER,
        Role.APPROVER,
        Role.AGENCY_FINANCE,
        Role.BOARD_REPRESENTATIVE,
        Role.BOARD_ALTERNATE,
        Role.BOARD_OBSERVER,
    }
)
BOARD_ROLES = frozenset({Role.BOARD_REPRESENTATIVE, Role.BOARD_ALTERNATE, Role.BOARD_OBSERVER})
# A board seat with a vote belongs to a member agency; partners only observe.
VOTING_BOARD_ROLES = frozenset({Role.BOARD_REPRESENTATIVE, Role.BOARD_ALTERNATE})
FACILITY_ROLES = frozenset(set(Role) - AGENCY_ROLES)
FACILITY_AGENT_ROLES = frozenset({Role.PROCUREMENT_AGENT, Role.TRAVEL_AGENT, Role.ICT_AGENT})


class Membership(models.Model):
    """One role for one person, in one agency or (agency empty) in the facility."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(
        "tenants.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Empty for a facility role."),
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__code", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="accounts_membership_unique_agency_role"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(agency__isnull=True),
                name="accounts_membership_unique_facility_role",
            ),
            # Agency roles need an agency; facility roles must not have one. The lists are
            # sorted: a set's order changes between runs and makemigrations would see a change.
            models.CheckConstraint(
                condition=(
                    models.Q(agency__isnull=False, role__in=sorted(r.value for r in AGENCY_ROLES))
                    | models.Q(agency__isnull=True, role__in=sorted(r.value for r in FACILITY_ROLES))
                ),
                name="accounts_membership_role_matches_scope",
            ),
        ]
        indexes = [models.Index(fields=["user", "agency"])]

    def __str__(self) -> str:
        where = self.agency.code if self.agency is not None else "facility"
        return f"{self.user} - {self.get_role_display()} ({where})"
