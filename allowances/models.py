"""The daily subsistence allowance (DSA) rate table and the facility's allowance rules (public schema).

The ICSC publishes DSA rates per country and location every month; the
facility's travel officers import them as a CSV (`allowances.services`).
Every import is kept: a rate row is in force from its effective date until a
later row for the same location, so a trip is computed with the rates in force
on each of its nights, however old (ICSC DSA circulars; PRODUCT.md, "Travel").
The deductions for meals provided and the terminal expenses per journey leg
are the facility's defaults, edited on one settings page.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shared_platform import limits

# Defaults (PRODUCT.md, "Travel"): editable on the allowance settings page.
DEFAULT_BREAKFAST_PERCENT = Decimal("6.00")
DEFAULT_LUNCH_PERCENT = Decimal("12.00")
DEFAULT_DINNER_PERCENT = Decimal("12.00")
DEFAULT_TERMINAL_AMOUNT = Decimal("38.00")
# After this many consecutive nights at one location the table's reduced rate applies.
DEFAULT_LONG_STAY_NIGHTS = 60


class Location(models.Model):
    """A place the ICSC publishes a DSA rate for ("Brazil / Manaus", "Brazil / Elsewhere")."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. BR."))
    country_name = models.CharField(_("country name"), max_length=100)
    name = models.CharField(_("location"), max_length=120)

    class Meta:
        ordering = ["country_name", "name"]
        verbose_name = _("DSA location")
        verbose_name_plural = _("DSA locations")
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="dsa_location_once")]

    def __str__(self) -> str:
        return f"{self.name}, {self.country_name}"


class RateImport(models.Model):
    """One CSV import of the rate table: who brought it, from which file, and what it held."""

    file_name = models.CharField(_("file"), max_length=limits.FILE_NAME)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_refused = models.PositiveIntegerField(_("rows refused"), default=0)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("rate table import")
        verbose_name_plural = _("rate table imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class RefusedRow(models.Model):
    """A row of an import that was not taken, and why, as the travel officer reads it."""

    rate_import = models.ForeignKey(RateImport, on_delete=models.CASCADE, related_name="refused")
    line = models.PositiveIntegerField(_("line"))
    reason = models.TextField(_("reason"), max_length=limits.SHORT_TEXT)
    content = models.TextField(_("row"), max_length=limits.SHORT_TEXT)

    class Meta:
        ordering = ["rate_import", "line"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class DsaRate(models.Model):
    """A location's rate from its effective date: the full rate, the room share and the long-stay rate."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rates", verbose_name=_("location"))
    effective_from = models.DateField(_("in force from"))
    rate = models.DecimalField(_("DSA (USD)"), max_digits=10, decimal_places=2)
    room_percent = models.DecimalField(
        _("room % of DSA"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    reduced_rate = models.DecimalField(
        _("DSA after 60 days (USD)"),
        max_digits=10,
        decimal_places=2,
        help_text=_("The rate for each night after the traveller's 60th consecutive night at this location."),
    )
    rate_import = models.ForeignKey(
        RateImport, on_delete=models.PROTECT, related_name="rates", null=True, blank=True, verbose_name=_("import")
    )

    class Meta:
        ordering = ["location", "-effective_from"]
        verbose_name = _("DSA rate")
        verbose_name_plural = _("DSA rates")
        constraints = [
            models.UniqueConstraint(fields=["location", "effective_from"], name="dsa_rate_once_per_date"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="dsa_rate_positive"),
            models.CheckConstraint(condition=Q(reduced_rate__gt=0), name="dsa_reduced_rate_positive"),
            models.CheckConstraint(condition=Q(room_percent__gte=0, room_percent__lte=100), name="dsa_room_percent"),
        ]
        indexes = [models.Index(fields=["effective_from"], name="dsa_rate_effective")]

    def __str__(self) -> str:
        return f"{self.location} {self.effective_from}: {self.rate}"


class AllowanceSettings(models.Model):
    """The facility's deductions and terminal expenses (one row): what a trip's DSA is computed with."""

    breakfast_percent = models.DecimalField(
        _("breakfast provided (% of DSA)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_BREAKFAST_PERCENT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    lunch_percent = models.DecimalField(
        _("lunch provided (% of DSA)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_LUNCH_PERCENT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    dinner_percent = models.DecimalField(
        _("dinner provided (% of DSA)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_DINNER_PERCENT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    terminal_amount = models.DecimalField(
        _("terminal expenses per journey leg (USD)"),
        max_digits=8,
        decimal_places=2,
        default=DEFAULT_TERMINAL_AMOUNT,
        validators=[MinValueValidator(Decimal("0"))],
    )
    long_stay_nights = models.PositiveSmallIntegerField(
        _("nights at the full rate before the reduced rate"),
        default=DEFAULT_LONG_STAY_NIGHTS,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("allowance settings")
        verbose_name_plural = _("allowance settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(breakfast_percent__gte=0, lunch_percent__gte=0, dinner_percent__gte=0),
                name="meal_shares_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    breakfast_percent__lte=100,
                    lunch_percent__lte=100,
                    dinner_percent__lte=100,
                ),
                name="meal_shares_at_most_all",
            ),
            models.CheckConstraint(condition=Q(terminal_amount__gte=0), name="terminal_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return "Allowance settings"
