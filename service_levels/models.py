"""The service catalogue, business calendars and agreements (public schema).

Every request the facility handles is for one catalogue service, under the
agreement its agency had in force the day the request was raised. Targets are
business minutes on the agreement's calendar (service_levels.business_time).
"""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

import holidays
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shared_platform import limits

service_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9-]{1,19}$",
    _("A service code is 2 to 20 capital letters, digits or hyphens, starting with a letter (e.g. ICT-INC)."),
)


class Module(models.TextChoices):
    PROCUREMENT = "procurement", _("Procurement")
    TRAVEL = "travel", _("Travel")
    ICT = "ict", _("ICT helpdesk")


# A "day" of an SLA target is one working day of the default calendar (9 hours): targets are
# entered ("3d") and shown ("3 days") in these days.
WORKING_DAY_MINUTES = 9 * 60


class Metric(models.TextChoices):
    """What an SLA clock measures. ICT uses the first two; procurement and travel their steps."""

    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    COMPLETION = "completion", _("Completion")
    AUTHORIZATION = "authorization", _("Travel authorization processed")
    TICKETING = "ticketing", _("Ticket issued after approval")
    CLAIM = "claim", _("Claim settled")


# Clocks that start when a request is raised; the others start at a later step
# (a ticket is issued only after approval, a claim comes after the journey).
METRICS_STARTED_ON_OPEN = frozenset({Metric.FIRST_RESPONSE, Metric.RESOLUTION, Metric.COMPLETION, Metric.AUTHORIZATION})


class Priority(models.TextChoices):
    P1 = "P1", _("P1 critical")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 medium")
    P4 = "P4", _("P4 low")


class BillingUnit(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    PURCHASE_ORDER = "purchase_order", _("Purchase order")
    TRAVEL_REQUEST = "travel_request", _("Travel request")
    HOUR = "hour", _("Hour of work")


class Service(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[service_code_validator])
    name = models.CharField(_("name"), max_length=120)
    module = models.CharField(_("module"), max_length=12, choices=Module.choices)
    billing_unit = models.CharField(_("billing unit"), max_length=20, choices=BillingUnit.choices)
    description = models.TextField(_("description"), max_length=limits.SHORT_TEXT, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["module", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceTarget(models.Model):
    """The catalogue's default target for one metric, for one priority or (blank) for all."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="targets", verbose_name=_("service"))
    metric = models.CharField(_("clock"), max_length=20, choices=Metric.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, blank=True)
    target_minutes = models.PositiveIntegerField(_("target (business minutes)"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["service", "metric", "priority"]
        verbose_name = _("default target")
        verbose_name_plural = _("default targets")
        constraints = [
            models.UniqueConstraint(fields=["service", "metric", "priority"], name="one_target_per_metric_priority"),
            models.CheckConstraint(condition=Q(target_minutes__gt=0), name="service_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.priority or 'all'}: {self.target_minutes} min"


def time_zone_check(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as America/Sao_Paulo."), params={"value": value}
        )


def country_check(value: str) -> None:
    if value not in holidays.list_supported_countries():
        raise ValidationError(
            _("“%(value)s” is not a country the holidays package knows (use ISO codes such as BR)."),
            params={"value": value},
        )

    def __str__(self) -> str:
        return f"{self.metric} {self.priority or 'all'}: {self.target_minutes} min"


class Calendar(models.Model):
    """Working hours, time zone and closed days: what a business hour means for an agreement."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Sao_Paulo", validators=[time_zone_check]
    )
    country = models.CharField(
        _("country"),
        max_length=3,
        default="BR",
        validators=[country_check],
        help_text=_("Public holidays of this country."),
    )
    subdivision = models.CharField(
        _("subdivision"),
        max_length=10,
        blank=True,
        help_text=_("State or province for regional holidays (e.g. DF), or blank."),
    )
    is_default = models.BooleanField(_("default"), default=False, help_text=_("Offered first for new agreements."))
    # Bumped on every change, so cached business calendars are rebuilt.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.subdivision and self.country:
            try:
                known = holidays.country_holidays(self.country).subdivisions
            except NotImplementedError:
                known = ()
            if self.subdivision not in known:
                message = _("%(country)s has no subdivision “%(subdivision)s”.") % {
                    "country": self.country,
                    "subdivision": self.subdivision,
                }
                raise ValidationError({"subdivision": message})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingSpan(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="spans", verbose_name=_("calendar"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name = _("working span")
        verbose_name_plural = _("working spans")
        constraints = [models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="working_span_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Closure(models.Model):
    """A one-off closed day (office move, UN-wide day off), on top of public holidays."""

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="closures", verbose_name=_("calendar")
    )
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["day"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [models.UniqueConstraint(fields=["calendar", "day"], name="one_closure_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


percent = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Agreement(models.Model):
    """What one agency takes from the facility, from when to when, on which calendar.

    Agreements of one agency never overlap (a database exclusion constraint); a
    change is a new agreement from a date, so requests keep the one they were
    raised under.
    """

    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("agency")
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    valid_from = models.DateField(_("first day"))
    valid_to = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("Last day in force; blank for open-ended.")
    )
    calendar = models.ForeignKey(
        Calendar, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("calendar")
    )
    warn_first_percent = models.PositiveSmallIntegerField(
        _("first warning (%)"), default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    warn_second_percent = models.PositiveSmallIntegerField(
        _("second warning (%)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    supplier_wait_pauses_clock = models.BooleanField(
        _("supplier waits pause the clock"),
        default=True,
        help_text=_("Waiting on a supplier pauses the clock (otherwise it runs, held by the supplier)."),
    )
    grants_service_credits = models.BooleanField(_("grants service credits"), default=False)
    credit_percent = models.DecimalField(
        _("credit per breach (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=percent,
        help_text=_("Credit per breached request, as a percentage of its price."),
    )
    credit_cap_percent = models.DecimalField(
        _("monthly credit cap (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=percent,
        help_text=_("Monthly cap on credits, as a percentage of the invoice before credits."),
    )
    notes = models.TextField(_("notes"), max_length=limits.SHORT_TEXT, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["agency__code", "-valid_from"]
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="agreement_ends_after_start",
                violation_error_message=_("The last day must not be before the first."),
            ),
            models.CheckConstraint(
                condition=Q(warn_first_percent__lt=F("warn_second_percent")),
                name="agreement_warnings_in_order",
                violation_error_message=_("The second warning must come after the first."),
            ),
            ExclusionConstraint(
                name="agreements_never_overlap",
                violation_error_message=_(
                    "This agency already has an agreement in force during these dates; "
                    "end it first or make the new one start after it."
                ),
                expressions=[
                    ("agency", RangeOperators.EQUAL),
                    (DateRange("valid_from", "valid_to", models.Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class AgreementService(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="services", verbose_name=_("agreement")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service"))

    class Meta:
        ordering = ["service__module", "service__code"]
        verbose_name = _("service of an agreement")
        verbose_name_plural = _("services of an agreement")
        constraints = [models.UniqueConstraint(fields=["agreement", "service"], name="service_once_per_agreement")]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.service_id}"


class AgreementTarget(models.Model):
    """An agreement's own target, replacing the catalogue's for one service, metric and priority."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="target_overrides", verbose_name=_("agreement")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service"))
    metric = models.CharField(_("clock"), max_length=20, choices=Metric.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, blank=True)
    target_minutes = models.PositiveIntegerField(_("target (business minutes)"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["service", "metric", "priority"]
        verbose_name = _("target override")
        verbose_name_plural = _("target overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "service", "metric", "priority"], name="one_override_per_target"
            ),
            models.CheckConstraint(condition=Q(target_minutes__gt=0), name="agreement_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.priority or 'all'}: {self.target_minutes} min"


# What a new version of an agreement carries over unless changed; with the
# reference and dates, the fields a form, the API and the services accept.
AGREEMENT_TERMS = (
    "calendar",
    "warn_first_percent",
    "warn_second_percent",
    "supplier_wait_pauses_clock",
    "grants_service_credits",
    "credit_percent",
    "credit_cap_percent",
    "notes",
)
AGREEMENT_FIELDS = ("reference", "valid_from", "valid_to", *AGREEMENT_TERMS)


# -- helpdesk classification: categories and the impact x urgency matrix ---------------


class Impact(models.TextChoices):
    HIGH = "high", _("High: an office, a team or a critical system")
    MEDIUM = "medium", _("Medium: several people")
    LOW = "low", _("Low: one person")


class Urgency(models.TextChoices):
    HIGH = "high", _("High: work has stopped")
    MEDIUM = "medium", _("Medium: work is slowed")
    LOW = "low", _("Low: it can wait")


# The short names of the levels, where the full labels above would be too long ("impact high"); apart,
# because languages agree the adjective with the noun (impact élevé, urgence élevée).
IMPACT_NAMES = {
    "high": pgettext_lazy("impact", "high"),
    "medium": pgettext_lazy("impact", "medium"),
    "low": pgettext_lazy("impact", "low"),
}
URGENCY_NAMES = {
    "high": pgettext_lazy("urgency", "high"),
    "medium": pgettext_lazy("urgency", "medium"),
    "low": pgettext_lazy("urgency", "low"),
}


class Category(models.Model):
    """What a request is about (hardware, access, e-mail...): a queue filter, and the service it is billed as.

    The facility keeps the list; a retired category stays on old requests but is no longer offered.
    """

    module = models.CharField(_("module"), max_length=12, choices=Module.choices)
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=80)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["module", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["module", "code"], name="category_code_unique_per_module")]

    def __str__(self) -> str:
        return self.name


class PriorityRule(models.Model):
    """One cell of the impact x urgency matrix (ITIL): the priority, and so the SLA targets, it gives."""

    impact = models.CharField(_("impact"), max_length=6, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=6, choices=Urgency.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["impact", "urgency"]
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority rules")
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"], name="one_priority_per_cell")]

    def __str__(self) -> str:
        return f"{self.impact} x {self.urgency} = {self.priority}"
