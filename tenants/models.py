"""The tenant: one row per agency, plus one for the facility (the public schema).

django-tenants routes each request by its host name to a Domain, and from there
to a schema. The facility's row points at the public schema; every agency has a
schema of its own named after its code.
"""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

agency_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,14}$",
    _("An agency code is 2 to 15 capital letters or digits, starting with a letter (e.g. UNDP)."),
)


class AgencyKind(models.TextChoices):
    MEMBER = "member", _("Member (one vote on the board)")
    PARTNER = "partner", _("Partner (observes, no vote)")
    FACILITY = "facility", _("Facility (the service centre itself)")


class AgencyQuerySet(models.QuerySet):
    def agencies(self) -> "AgencyQuerySet":
        """Agencies served by the facility, without the facility's own row."""
        return self.exclude(kind=AgencyKind.FACILITY)

    def active(self) -> "AgencyQuerySet":
        return self.filter(is_active=True)


class Agency(TenantMixin):
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=15, unique=True, validators=[agency_code_validator])
    kind = models.CharField(max_length=10, choices=AgencyKind.choices, default=AgencyKind.MEMBER)
    # Staff headcount: one of the keys for sharing the facility's fixed costs.
    headcount = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("active"), default=True)
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the agency's invoices, reports and minutes."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Dropping an agency's schema is a deliberate act (tenants.services.agency_delete),
    # never a side effect of deleting a row.
    auto_drop_schema = False
    # An agency's schema starts as a structural copy of the template schema.
    clone_mode = "NODATA"

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="facility"),
                name="tenants_agency_one_facility",
            ),
        ]

    def __str__(self) -> str:
        return self.code if not self.is_facility else self.name

    @property
    def is_facility(self) -> bool:
        return self.schema_name == get_public_schema_name()

    @property
    def has_vote(self) -> bool:
        return self.kind == AgencyKind.MEMBER

    @property
    def primary_domain_name(self) -> str:
        domain = self.get_primary_domain()
        return domain.domain if domain else ""


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]
