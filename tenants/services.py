"""Writes for agencies: the facility's own row, provisioning, deactivation."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django_tenants.utils import get_public_schema_name, schema_context

from shared_platform.errors import ApplicationError
from shared_platform.tenancy import agency_host

from .models import Agency, AgencyKind, Domain, agency_code_validator
from .provisioning import template_schema_ensure_current

# Far above the largest UN agency's staff, far below what the database column holds.
MAX_HEADCOUNT = 1_000_000


def facility_ensure(*, name: str | None = None) -> Agency:
    """The facility's tenant row (the public schema) and its address BASE_DOMAIN.

    django-tenants finds a schema through a host name, so the facility portal
    needs a row too; it is the one row of kind "facility".
    """
    name = name or settings.FACILITY_NAME
    with schema_context(get_public_schema_name()), transaction.atomic():
        facility = Agency.objects.filter(schema_name=get_public_schema_name()).first()
        if facility is None:
            facility = Agency(
                schema_name=get_public_schema_name(),
                code="FACILITY",
                name=name,
                kind=AgencyKind.FACILITY,
            )
            facility.save(verbosity=0)
        Domain.objects.update_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": facility, "is_primary": True})
    return facility


def agency_create(
    *,
    code: str,
    name: str,
    kind: str = AgencyKind.MEMBER,
    headcount: int = 0,
    language: str = "en",
    verbosity: int = 0,
) -> Agency:
    """Register an agency, create its schema from the template and give it its address.

    The schema is named after the code in lower case (UNDP -> `undp`) and the
    address is `<code>.<BASE_DOMAIN>`. Refused with a clear error when the code
    is malformed or taken, or the kind is not member or partner.
    """
    code, name = agency_check_new(code=code, name=name, kind=kind, headcount=headcount)
    _language_check(language)
    schema_name = code.lower()
    template_schema_ensure_current()
    with schema_context(get_public_schema_name()):
        agency = Agency(
            schema_name=schema_name, code=code, name=name, kind=kind, headcount=headcount, language=language
        )
        try:
            # Saving creates the schema (a clone of the template); a failure drops it again.
            agency.save(verbosity=verbosity)
        except IntegrityError:  # the same code registered at the same moment
            raise ApplicationError(_code_taken(code), code="tenants.code_taken")
        Domain.objects.create(domain=agency_host(code), tenant=agency, is_primary=True)
    return agency


def agency_check_new(*, code: str, name: str, kind: str, headcount: int) -> tuple[str, str]:
    """Refuse a new agency whose code is malformed or taken, or whose kind or headcount is wrong.

    Returns the code (upper case) and name as they will be stored.
    """
    code = (code or "").strip().upper()
    name = (name or "").strip()
    try:
        agency_code_validator(code)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], code="tenants.invalid_code", fields={"code": error.messages})
    if not name:
        raise ApplicationError(
            gettext("An agency needs a name."), code="tenants.name_missing", fields={"name": [gettext("Required.")]}
        )
    if kind not in (AgencyKind.MEMBER, AgencyKind.PARTNER):
        raise ApplicationError(
            _kind_refused(kind),
            code="tenants.invalid_kind",
            fields={"kind": [gettext("Choose member or partner.")]},
        )
    if headcount < 0:
        raise ApplicationError(gettext("Headcount cannot be negative."), code="tenants.invalid_headcount")
    if headcount > MAX_HEADCOUNT:
        raise ApplicationError(
            gettext("Headcount cannot be more than %(limit)s.") % {"limit": f"{MAX_HEADCOUNT:,}"},
            code="tenants.invalid_headcount",
        )
    if Agency.objects.filter(code=code).exists() or Agency.objects.filter(schema_name__iexact=code.lower()).exists():
        raise ApplicationError(_code_taken(code), code="tenants.code_taken")
    return code, name


def _code_taken(code: str) -> str:
    return gettext("An agency with code %(code)s already exists.") % {"code": code}


def _kind_refused(kind: str) -> str:
    return gettext('Kind must be "member" or "partner", not "%(kind)s".') % {"kind": kind}


def _language_check(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(
            gettext("%(language)s is not a language of the platform.") % {"language": language},
            code="tenants.unknown_language",
        )


def agency_update(
    *, agency: Agency, name: str, kind: str, headcount: int, is_active: bool, language: str | None = None
) -> Agency:
    """Change an agency's details (the language of its invoices, reports and minutes among them).

    Its code, schema and address never change."""
    if agency.is_facility:
        raise ApplicationError(gettext("The facility's own row is not an agency."), code="tenants.is_facility")
    if kind not in (AgencyKind.MEMBER, AgencyKind.PARTNER):
        raise ApplicationError(_kind_refused(kind), code="tenants.invalid_kind")
    if not 0 <= headcount <= MAX_HEADCOUNT:
        raise ApplicationError(
            gettext("Headcount must be from 0 to %(limit)s.") % {"limit": f"{MAX_HEADCOUNT:,}"},
            code="tenants.invalid_headcount",
        )
    if language is not None:
        _language_check(language)
        agency.language = language
    agency.name, agency.kind, agency.headcount, agency.is_active = name, kind, headcount, is_active
    with schema_context(get_public_schema_name()):
        agency.save(update_fields=["name", "kind", "headcount", "is_active", "language"])
    return agency
