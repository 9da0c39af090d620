"""Writes for the catalogue, calendars and agreements: only these change them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shared_platform.errors import ApplicationError
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from .business_time import CalendarError, week_check
from .models import (
    AGREEMENT_FIELDS,
    AGREEMENT_TERMS,
    WORKING_DAY_MINUTES,
    Agreement,
    AgreementService,
    AgreementTarget,
    BillingUnit,
    Calendar,
    Category,
    Closure,
    Impact,
    Metric,
    Module,
    Priority,
    PriorityRule,
    Service,
    ServiceTarget,
    Urgency,
    WorkingSpan,
)

# No service-level target is longer than a year, even counted in every minute of it.
MAX_TARGET_MINUTES = 365 * 24 * 60


@dataclass(frozen=True)
class Target:
    metric: str
    priority: str  # "" for every priority
    minutes: int


@dataclass(frozen=True)
class Override:
    service: Service
    metric: str
    priority: str
    minutes: int


def _hours(count: float) -> int:
    return int(count * 60)


def _days(count: int) -> int:
    return count * WORKING_DAY_MINUTES


ICT_TARGETS = [
    # PRODUCT.md defaults: P1 30 min / 4 h; P2 1 h / 8 h; P3 4 h / 3 days; P4 8 h / 5 days.
    Target(Metric.FIRST_RESPONSE, Priority.P1, 30),
    Target(Metric.RESOLUTION, Priority.P1, _hours(4)),
    Target(Metric.FIRST_RESPONSE, Priority.P2, _hours(1)),
    Target(Metric.RESOLUTION, Priority.P2, _hours(8)),
    Target(Metric.FIRST_RESPONSE, Priority.P3, _hours(4)),
    Target(Metric.RESOLUTION, Priority.P3, _days(3)),
    Target(Metric.FIRST_RESPONSE, Priority.P4, _hours(8)),
    Target(Metric.RESOLUTION, Priority.P4, _days(5)),
]

DEFAULT_CATALOGUE = [
    ("ICT-INC", "ICT incident", Module.ICT, BillingUnit.TICKET, ICT_TARGETS),
    ("ICT-REQ", "ICT service request", Module.ICT, BillingUnit.TICKET, ICT_TARGETS),
    (
        "TRV-TA",
        "Travel request (authorization, ticket, claim)",
        Module.TRAVEL,
        BillingUnit.TRAVEL_REQUEST,
        [
            Target(Metric.AUTHORIZATION, "", _days(2)),
            Target(Metric.TICKETING, "", _days(2)),
            Target(Metric.CLAIM, "", _days(10)),
        ],
    ),
    (
        "PRC-MICRO",
        "Micro-purchase",
        Module.PROCUREMENT,
        BillingUnit.PURCHASE_ORDER,
        [Target(Metric.COMPLETION, "", _days(3))],
    ),
    (
        "PRC-RFQ",
        "Request for quotation",
        Module.PROCUREMENT,
        BillingUnit.PURCHASE_ORDER,
        [Target(Metric.COMPLETION, "", _days(15))],
    ),
    (
        "PRC-ITB",
        "Invitation to bid / request for proposal",
        Module.PROCUREMENT,
        BillingUnit.PURCHASE_ORDER,
        [Target(Metric.COMPLETION, "", _days(45))],
    ),
    (
        "PRC-LTA",
        "Call-off against a long-term agreement",
        Module.PROCUREMENT,
        BillingUnit.PURCHASE_ORDER,
        [Target(Metric.COMPLETION, "", _days(5))],
    ),
]

DEFAULT_CALENDAR_NAME = "Brasília office"
# business_time.py is plain Python and says why a week does not measure time in English; people read it here.
CALENDAR_ERRORS = {
    "A working span must end after it starts.": _("A working span must end after it starts."),
    "Working spans on one day must not overlap.": _("Working spans on one day must not overlap."),
    "A calendar needs working hours on at least one weekday.": _(
        "A calendar needs working hours on at least one weekday."
    ),
}
DEFAULT_WORKING_HOURS = [(weekday, time(8), time(17)) for weekday in range(5)]


def _validated(instance: object, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))  # type: ignore[attr-defined]
    except ValidationError as error:
        raise ApplicationError(
            gettext("Please correct the highlighted fields."),
            code="sla.invalid",
            fields={name: [str(message) for message in messages] for name, messages in error.message_dict.items()},
        ) from error


def _targets_check(targets: Sequence[Target | Override]) -> None:
    seen = set()
    for target in targets:
        if target.metric not in Metric.values:
            raise ApplicationError(
                gettext("Unknown clock “%(metric)s”.") % {"metric": target.metric}, code="sla.unknown_metric"
            )
        if target.priority not in ("", *Priority.values):
            raise ApplicationError(
                gettext("Unknown priority “%(priority)s”.") % {"priority": target.priority}, code="sla.unknown_priority"
            )
        if not isinstance(target.minutes, int) or target.minutes <= 0:
            raise ApplicationError(
                gettext("A target must be a positive number of business minutes; zero-length targets are refused."),
                code="sla.target_not_positive",
            )
        if target.minutes > MAX_TARGET_MINUTES:
            raise ApplicationError(
                gettext("A target can be at most %(limit)s business minutes (a year).")
                % {"limit": f"{MAX_TARGET_MINUTES:,}"},
                code="sla.target_too_long",
            )
        key = (getattr(target, "service", None), target.metric, target.priority)
        if key in seen:
            raise ApplicationError(
                gettext("Each metric and priority may have one target only."), code="sla.duplicate_target"
            )
        seen.add(key)


@transaction.atomic
def service_save(
    *,
    service: Service | None = None,
    code: str,
    name: str,
    module: str,
    billing_unit: str,
    targets: Sequence[Target],
    description: str = "",
    is_active: bool = True,
) -> Service:
    """Create or change a catalogue service and replace its default targets.

    Running clocks keep the target they started with; new requests get the new one.
    """
    _targets_check(targets)
    service = service or Service()
    if service.pk and code != service.code:
        raise ApplicationError(gettext("A service's code cannot change once created."), code="sla.code_fixed")
    service.code, service.name, service.module = code.strip().upper(), name.strip(), module
    service.billing_unit, service.description, service.is_active = billing_unit, description, is_active
    _validated(service, exclude=[] if service.pk is None else ["code"])
    service.save()
    service.targets.all().delete()
    ServiceTarget.objects.bulk_create(
        ServiceTarget(service=service, metric=t.metric, priority=t.priority, target_minutes=t.minutes) for t in targets
    )
    return service


@transaction.atomic
def service_change(*, service: Service, targets: Sequence[Target] | None = None, **changes: object) -> Service:
    """Change some of a catalogue service's fields; what is not given stays as it is (an API PATCH).

    Targets are replaced only when given.
    """
    current: dict[str, object] = {
        name: getattr(service, name) for name in ("code", "name", "module", "billing_unit", "description", "is_active")
    }
    if targets is None:
        targets = [
            Target(metric=t.metric, priority=t.priority, minutes=t.target_minutes) for t in service.targets.all()
        ]
    return service_save(service=service, targets=targets, **{**current, **changes})  # type: ignore[arg-type]


@transaction.atomic
def calendar_save(
    *,
    calendar: Calendar | None = None,
    name: str,
    time_zone: str,
    country: str,
    subdivision: str = "",
    is_default: bool = False,
    working_hours: Sequence[tuple[int, time, time]],
    closures: Sequence[tuple[date, str]] = (),
) -> Calendar:
    """Create or change a business calendar.

    The working hours must measure time (no overlaps, some hours in the week).
    Open clocks of requests under this calendar are recomputed after the
    change commits (`ledger.tasks.clocks_recompute`); stopped clocks keep
    their figures.
    """
    week: dict[int, list[tuple[time, time]]] = {}
    for weekday, starts, ends in working_hours:
        if weekday not in range(7):
            raise ApplicationError(
                gettext("Weekday %(weekday)s is not 0 (Monday) to 6 (Sunday).") % {"weekday": weekday},
                code="sla.invalid_weekday",
            )
        week.setdefault(weekday, []).append((starts, ends))
    try:
        week_check(week)
    except CalendarError as error:
        message = CALENDAR_ERRORS.get(str(error), str(error))
        raise ApplicationError(str(message), code="sla.invalid_working_hours") from error
    days = [day for day, _name in closures]
    if len(days) != len(set(days)):
        raise ApplicationError(gettext("A day can be closed only once."), code="sla.duplicate_closure")

    is_new = calendar is None
    calendar = calendar or Calendar()
    calendar.name, calendar.time_zone, calendar.country = name.strip(), time_zone, country.strip().upper()
    calendar.subdivision, calendar.is_default = subdivision.strip().upper(), is_default
    if not is_new:
        calendar.version = F("version") + 1
    _validated(calendar, exclude=["version"])
    if is_default:
        Calendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(is_default=False)
    calendar.save()
    calendar.refresh_from_db()
    calendar.spans.all().delete()
    WorkingSpan.objects.bulk_create(
        WorkingSpan(calendar=calendar, weekday=weekday, starts=starts, ends=ends)
        for weekday, starts, ends in working_hours
    )
    calendar.closures.all().delete()
    Closure.objects.bulk_create(
        Closure(calendar=calendar, day=day, name=label.strip() or "Closed") for day, label in closures
    )
    if not is_new:
        from ledger.tasks import clocks_recompute

        enqueue_after_commit(clocks_recompute, calendar.pk)
    return calendar


@transaction.atomic
def calendar_change(
    *,
    calendar: Calendar,
    working_hours: Sequence[tuple[int, time, time]] | None = None,
    closures: Sequence[tuple[date, str]] | None = None,
    **changes: object,
) -> Calendar:
    """Change some of a calendar's fields; what is not given stays as it is (an API PATCH)."""
    current: dict[str, object] = {
        name: getattr(calendar, name) for name in ("name", "time_zone", "country", "subdivision", "is_default")
    }
    if working_hours is None:
        working_hours = [(span.weekday, span.starts, span.ends) for span in calendar.spans.all()]
    if closures is None:
        closures = [(closure.day, closure.name) for closure in calendar.closures.all()]
    return calendar_save(
        calendar=calendar,
        working_hours=working_hours,
        closures=closures,
        **{**current, **changes},  # type: ignore[arg-type]
    )


def catalogue_seed_defaults() -> None:
    """The catalogue and calendar of PRODUCT.md, for a new installation; leaves existing entries alone."""
    with transaction.atomic():
        for code, name, module, unit, targets in DEFAULT_CATALOGUE:
            if not Service.objects.filter(code=code).exists():
                service_save(code=code, name=name, module=module, billing_unit=unit, targets=targets)
        for (impact, urgency), priority in DEFAULT_PRIORITY_MATRIX.items():
            PriorityRule.objects.get_or_create(impact=impact, urgency=urgency, defaults={"priority": priority})
        if not Category.objects.exists():
            for module, code, name in DEFAULT_CATEGORIES:
                Category.objects.create(module=module, code=code, name=name)
        if not Calendar.objects.filter(name=DEFAULT_CALENDAR_NAME).exists():
            calendar_save(
                name=DEFAULT_CALENDAR_NAME,
                time_zone="America/Sao_Paulo",
                country="BR",
                is_default=not Calendar.objects.filter(is_default=True).exists(),
                working_hours=DEFAULT_WORKING_HOURS,
            )


# ITIL's impact x urgency matrix on four priorities (PRODUCT.md, "Priority = impact x urgency").
DEFAULT_PRIORITY_MATRIX = {
    (Impact.HIGH, Urgency.HIGH): Priority.P1,
    (Impact.HIGH, Urgency.MEDIUM): Priority.P2,
    (Impact.HIGH, Urgency.LOW): Priority.P3,
    (Impact.MEDIUM, Urgency.HIGH): Priority.P2,
    (Impact.MEDIUM, Urgency.MEDIUM): Priority.P3,
    (Impact.MEDIUM, Urgency.LOW): Priority.P4,
    (Impact.LOW, Urgency.HIGH): Priority.P3,
    (Impact.LOW, Urgency.MEDIUM): Priority.P4,
    (Impact.LOW, Urgency.LOW): Priority.P4,
}

DEFAULT_CATEGORIES = [
    (Module.ICT, "hardware", "Laptop, desktop and peripherals"),
    (Module.ICT, "printing", "Printers and scanners"),
    (Module.ICT, "network", "Network, Wi-Fi and VPN"),
    (Module.ICT, "access", "Accounts, passwords and access"),
    (Module.ICT, "email", "E-mail and calendar"),
    (Module.ICT, "software", "Software and licences"),
    (Module.ICT, "meetings", "Video conferencing and meeting rooms"),
    (Module.ICT, "phones", "Phones and mobile devices"),
]


@transaction.atomic
def priority_matrix_save(*, cells: dict[tuple[str, str], str]) -> int:
    """Change the impact x urgency matrix; returns how many cells changed.

    Only new requests and later changes of impact or urgency use the new
    matrix: a request keeps the priority (and the targets) it was given.
    """
    changed = 0
    for (impact, urgency), priority in cells.items():
        if impact not in Impact.values or urgency not in Urgency.values:
            raise ApplicationError(
                gettext("Unknown matrix cell %(impact)s x %(urgency)s.") % {"impact": impact, "urgency": urgency},
                code="sla.unknown_matrix_cell",
            )
        if priority not in Priority.values:
            raise ApplicationError(
                gettext("Unknown priority “%(priority)s”.") % {"priority": priority}, code="sla.unknown_priority"
            )
        changed += (
            PriorityRule.objects.filter(impact=impact, urgency=urgency)
            .exclude(priority=priority)
            .update(priority=priority)
        )
    return changed


@transaction.atomic
def category_save(
    *, category: Category | None = None, module: str, code: str, name: str, is_active: bool = True
) -> Category:
    """Add or change a category; the code is what the API uses, the name what people read."""
    category = category or Category()
    category.module, category.code, category.name, category.is_active = module, code, name.strip(), is_active
    _validated(category, exclude=[])
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise ApplicationError(
            gettext("There is already a category with the code “%(code)s”.") % {"code": code},
            code="sla.category_code_taken",
            status_code=409,
        ) from None
    return category


def _agreement_fields_apply(agreement: Agreement, fields: dict[str, object]) -> None:
    for name, value in fields.items():
        if name not in AGREEMENT_FIELDS:
            raise TypeError(f"Agreements have no field {name}")
        setattr(agreement, name, value)
    if isinstance(agreement.credit_percent, float) or isinstance(agreement.credit_cap_percent, float):
        raise TypeError("Percentages are Decimal, never float")


def _agreement_store(agreement: Agreement, services: Sequence[Service], overrides: Sequence[Override]) -> Agreement:
    if agreement.agency.is_facility:
        raise ApplicationError(
            gettext("The facility does not sign an agreement with itself."), code="sla.facility_agreement"
        )
    if not services:
        raise ApplicationError(gettext("An agreement lists at least one service."), code="sla.no_services")
    _targets_check(overrides)
    taken = {service.pk for service in services}
    for override in overrides:
        if override.service.pk not in taken:
            raise ApplicationError(
                gettext("%(service)s has a target override but is not among the agreement's services.")
                % {"service": override.service.code},
                code="sla.override_without_service",
            )
    _validated(agreement, exclude=["agency", "calendar"])
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as error:
        if "agreements_never_overlap" in str(error):
            raise ApplicationError(
                gettext(
                    "%(agency)s already has an agreement in force during these dates; "
                    "end it first or make the new one start after it."
                )
                % {"agency": agreement.agency.code},
                code="sla.agreement_overlap",
                fields={"valid_from": [gettext("Overlaps another agreement of this agency.")]},
            ) from error
        if "reference" in str(error):
            raise ApplicationError(
                gettext("Reference %(reference)s is already used.") % {"reference": agreement.reference},
                code="sla.reference_taken",
                fields={"reference": [gettext("Already used.")]},
            ) from error
        raise
    agreement.services.all().delete()
    AgreementService.objects.bulk_create(AgreementService(agreement=agreement, service=s) for s in services)
    agreement.target_overrides.all().delete()
    AgreementTarget.objects.bulk_create(
        AgreementTarget(
            agreement=agreement, service=o.service, metric=o.metric, priority=o.priority, target_minutes=o.minutes
        )
        for o in overrides
    )
    return agreement


@transaction.atomic
def agreement_create(
    *,
    agency: Agency,
    reference: str,
    valid_from: date,
    calendar: Calendar,
    services: Sequence[Service],
    overrides: Sequence[Override] = (),
    valid_to: date | None = None,
    **terms: object,
) -> Agreement:
    """A new agreement for an agency. It may not overlap another of the same agency (database constraint)."""
    agreement = Agreement(agency=agency, calendar=calendar)
    _agreement_fields_apply(
        agreement, {"reference": reference.strip(), "valid_from": valid_from, "valid_to": valid_to, **terms}
    )
    return _agreement_store(agreement, services, overrides)


def _requests_under(agreement: Agreement, *, on_or_after: date | None = None) -> bool:
    from ledger.models import LedgerEntry

    entries = LedgerEntry.objects.filter(agreement=agreement)
    if on_or_after is not None:
        entries = entries.filter(opened_at__date__gte=on_or_after)
    return entries.exists()


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    services: Sequence[Service],
    overrides: Sequence[Override] = (),
    **fields: object,
) -> Agreement:
    """Change an agreement that no request has used yet.

    Once a request was raised under it, its terms are history: the facility
    manager makes a new version from a date instead (`agreement_revise`).
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if _requests_under(agreement):
        raise ApplicationError(
            gettext("Requests were already raised under %(reference)s; create a new version from a date instead.")
            % {"reference": agreement.reference},
            code="sla.agreement_in_use",
            status_code=409,
        )
    _agreement_fields_apply(agreement, fields)
    return _agreement_store(agreement, services, overrides)


@transaction.atomic
def agreement_revise(
    *,
    agreement: Agreement,
    effective_from: date,
    reference: str,
    services: Sequence[Service],
    overrides: Sequence[Override] = (),
    **fields: object,
) -> Agreement:
    """A new version of an agreement from a date: the old one ends the day before.

    Requests already raised keep the version they were raised under, so the
    new version may not start on or before a day that already has requests.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if effective_from <= agreement.valid_from:
        raise ApplicationError(
            gettext("A new version must start after %(day)s, when this one started.")
            % {"day": date_format(agreement.valid_from, "DATE_FORMAT")},
            code="sla.revision_too_early",
            fields={"effective_from": [gettext("Must be after the current version's start.")]},
        )
    if agreement.valid_to is not None and effective_from > agreement.valid_to + timedelta(days=1):
        raise ApplicationError(
            gettext("This agreement ends before that date; create a new agreement instead."),
            code="sla.revision_after_end",
        )
    if _requests_under(agreement, on_or_after=effective_from):
        raise ApplicationError(
            gettext(
                "Requests were raised under %(reference)s on or after %(day)s; "
                "a new version can only start after the last of them."
            )
            % {"reference": agreement.reference, "day": date_format(effective_from, "DATE_FORMAT")},
            code="sla.revision_rewrites_history",
            status_code=409,
        )
    ends = agreement.valid_to
    agreement.valid_to = effective_from - timedelta(days=1)
    agreement.save(update_fields=["valid_to"])
    terms = {name: getattr(agreement, name) for name in AGREEMENT_TERMS}
    terms.update(fields)
    calendar = terms.pop("calendar")
    return agreement_create(
        agency=agreement.agency,
        reference=reference,
        valid_from=effective_from,
        valid_to=ends,
        calendar=calendar,  # type: ignore[arg-type]
        services=services,
        overrides=overrides,
        **terms,
    )
