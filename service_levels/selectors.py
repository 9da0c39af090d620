"""Reads for the catalogue, calendars and agreements."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date

import holidays
from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from shared_platform.errors import ApplicationError
from tenants.models import Agency

from .business_time import BusinessCalendar
from .models import (
    WORKING_DAY_MINUTES,
    Agreement,
    AgreementService,
    AgreementTarget,
    Calendar,
    Category,
    Impact,
    PriorityRule,
    Service,
    ServiceTarget,
    Urgency,
)

_calendars: dict[tuple[int, int], BusinessCalendar] = {}
_calendars_lock = threading.Lock()


def public_holidays(*, calendar: Calendar, year: int) -> dict[date, str]:
    try:
        found = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision or None, years=year)
    except NotImplementedError:
        return {}
    return dict(sorted(found.items()))


def business_calendar(*, calendar: Calendar) -> BusinessCalendar:
    """The arithmetic for a calendar, cached per process until the calendar changes (its version)."""
    key = (calendar.pk, calendar.version)
    known = _calendars.get(key)
    if known is not None:
        return known
    spans: dict[int, list] = {}
    for span in calendar.spans.all():
        spans.setdefault(span.weekday, []).append((span.starts, span.ends))
    closures: dict[int, list[date]] = {}
    for closure in calendar.closures.all():
        closures.setdefault(closure.day.year, []).append(closure.day)

    def closed_days(year: int) -> Iterable[date]:
        return [*public_holidays(calendar=calendar, year=year), *closures.get(year, [])]

    built = BusinessCalendar(time_zone=calendar.time_zone, week=spans, closed_days=closed_days)
    with _calendars_lock:
        for stale in [k for k in _calendars if k[0] == calendar.pk]:
            del _calendars[stale]
        _calendars[key] = built
    return built


def service_list(*, module: str | None = None, active_only: bool = False) -> QuerySet[Service]:
    services = Service.objects.prefetch_related("targets")
    if module:
        services = services.filter(module=module)
    if active_only:
        services = services.filter(is_active=True)
    return services.order_by("module", "code")


def calendar_list() -> QuerySet[Calendar]:
    return Calendar.objects.prefetch_related("spans", "closures").order_by("-is_default", "name")


def agreement_list(*, agency: Agency | None = None) -> QuerySet[Agreement]:
    agreements = Agreement.objects.select_related("agency", "calendar").prefetch_related(
        "services__service", "target_overrides__service"
    )
    if agency is not None:
        agreements = agreements.filter(agency=agency)
    return agreements.order_by("agency__code", "-valid_from")


def agreement_in_force(*, agency: Agency, on: date) -> Agreement | None:
    return (
        Agreement.objects.select_related("calendar")
        .filter(agency=agency, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .first()
    )


def services_covered(*, agency: Agency, on: date) -> set[str]:
    """The codes of the services the agency's agreement in force that day includes (none without one)."""
    agreement = agreement_in_force(agency=agency, on=on)
    if agreement is None:
        return set()
    return set(agreement.services.values_list("service__code", flat=True))


def agreement_covering(*, agency: Agency, service: Service, on: date) -> Agreement:
    """The agreement under which the agency may ask for this service on that day, or a clear refusal."""
    agreement = agreement_in_force(agency=agency, on=on)
    if agreement is None:
        raise ApplicationError(
            gettext("%(agency)s has no service agreement in force on %(day)s; the facility cannot take requests.")
            % {"agency": agency.code, "day": date_format(on, "DATE_FORMAT")},
            code="sla.no_agreement",
        )
    if not AgreementService.objects.filter(agreement=agreement, service=service).exists():
        raise ApplicationError(
            gettext("%(agency)s's agreement %(reference)s does not include %(service)s (%(name)s).")
            % {"agency": agency.code, "reference": agreement.reference, "service": service.code, "name": service.name},
            code="sla.service_not_in_agreement",
        )
    return agreement


def targets_for(*, agreement: Agreement, service: Service, priority: str) -> dict[str, int]:
    """Target minutes per metric: the agreement's override, else the catalogue's default.

    For each metric a target for the request's own priority wins over one
    given for all priorities (blank).
    """
    chosen: dict[str, tuple[int, int]] = {}  # metric -> (rank, minutes); lower rank wins

    def consider(metric: str, target_priority: str, minutes: int, source_rank: int) -> None:
        if target_priority not in ("", priority):
            return
        rank = source_rank * 2 + (0 if target_priority == priority and priority else 1)
        if metric not in chosen or rank < chosen[metric][0]:
            chosen[metric] = (rank, minutes)

    for override in AgreementTarget.objects.filter(agreement=agreement, service=service):
        consider(override.metric, override.priority, override.target_minutes, 0)
    for target in ServiceTarget.objects.filter(service=service):
        consider(target.metric, target.priority, target.target_minutes, 1)
    return {metric: minutes for metric, (_rank, minutes) in chosen.items()}


def describe_minutes(minutes: int) -> str:
    """Business time for people: '30 min', '4 h', '4 h 30 min', '3 days', '1 day 2 h'.

    A day is WORKING_DAY_MINUTES (9 working hours), the day targets are entered in
    ('3d'), so a target reads back as it was set. Every target, time used and time
    left on the pages and in the API reads through this one function.
    """
    days, rest = divmod(max(int(minutes), 0), WORKING_DAY_MINUTES)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(gettext("%(count)d h") % {"count": hours})
    if mins or not parts:
        parts.append(gettext("%(count)d min") % {"count": mins})
    return " ".join(parts)


def priority_for(*, impact: str, urgency: str) -> str:
    """The priority the impact x urgency matrix gives (ITIL)."""
    if impact not in Impact.values or urgency not in Urgency.values:
        raise ApplicationError(
            gettext("Impact and urgency are each high, medium or low (got “%(impact)s” and “%(urgency)s”).")
            % {"impact": impact, "urgency": urgency},
            code="sla.unknown_matrix_cell",
        )
    rule = PriorityRule.objects.filter(impact=impact, urgency=urgency).first()
    if rule is None:
        raise ApplicationError(
            gettext("The impact x urgency matrix is incomplete; the facility manager must fill it in."),
            code="sla.matrix_incomplete",
        )
    return rule.priority


def priority_matrix() -> dict[tuple[str, str], str]:
    return {(rule.impact, rule.urgency): rule.priority for rule in PriorityRule.objects.all()}


def category_list(*, module: str | None = None, offered_only: bool = False) -> QuerySet[Category]:
    categories = Category.objects.all()
    if module:
        categories = categories.filter(module=module)
    if offered_only:
        categories = categories.filter(is_active=True)
    return categories.order_by("module", "name")
