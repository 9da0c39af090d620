"""The facility's vendor roster and the procurement rules it buys under (public schema).

One roster is shared by every agency (PRODUCT.md, "Procurement"): a vendor
suspended or declared ineligible is so for all of them. The method thresholds
are the values that choose how a requisition is bought (micro-purchase, RFQ,
ITB/RFP, contracts committee); the facility manager sets them per agency,
effective-dated. What an agency buys, and the bids it receives, are private
and live in the agency's schema (`procurement`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shared_platform import limits

# Defaults after UNDP's procurement rules (PRODUCT.md), in US dollars.
DEFAULT_MICRO_PURCHASE_MAX = Decimal("15000.00")
DEFAULT_RFQ_MAX = Decimal("200000.00")
DEFAULT_COMMITTEE_ABOVE = Decimal("300000.00")


class SupplyCategory(models.Model):
    """What is bought: a requisition line's category and what a vendor supplies."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supply category")
        verbose_name_plural = _("supply categories")

    def __str__(self) -> str:
        return self.name


class VendorStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    INELIGIBLE = "ineligible", _("Ineligible")


class Vendor(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=limits.NAME)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. BR."))
    registration_number = models.CharField(
        _("registration number"), max_length=60, help_text=_("As the country registers it, e.g. a CNPJ in Brazil.")
    )
    # The registration number without spaces or punctuation, upper-case: "12.345.678/0001-90" and
    # "12345678000190" are one company. Written by vendors.services, which compare vendors by it.
    registration_key = models.CharField(max_length=60, editable=False, default="")
    email = models.EmailField(_("e-mail for solicitations"))
    contact_name = models.CharField(_("contact person"), max_length=limits.NAME, blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), max_length=limits.SHORT_TEXT, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the e-mails and pages the vendor receives."),
    )
    categories = models.ManyToManyField(
        SupplyCategory, related_name="vendors", blank=True, verbose_name=_("categories supplied")
    )
    status = models.CharField(_("status"), max_length=12, choices=VendorStatus.choices, default=VendorStatus.ACTIVE)
    status_reason = models.TextField(_("reason for the status"), max_length=limits.SHORT_TEXT, blank=True)
    status_since = models.DateField(_("status since"), null=True, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        constraints = [
            models.UniqueConstraint(fields=["country", "registration_number"], name="vendor_registered_once"),
            models.UniqueConstraint(fields=["country", "registration_key"], name="vendor_registration_key_once"),
            # A vendor barred from business carries its reason and date.
            models.CheckConstraint(
                condition=Q(status="active") | (~Q(status_reason="") & Q(status_since__isnull=False)),
                name="vendor_status_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "legal_name"], name="vendor_status_name")]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_eligible(self) -> bool:
        """Only an active vendor may be invited to bid or awarded a contract."""
        return self.status == VendorStatus.ACTIVE


class VendorContact(models.Model):
    """A further person at the vendor (sales, accounts); solicitations go to the vendor's own e-mail."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("vendor"))
    name = models.CharField(_("name"), max_length=limits.NAME)
    role = models.CharField(_("role"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)

    class Meta:
        ordering = ["vendor", "name"]
        verbose_name = _("vendor contact")
        verbose_name_plural = _("vendor contacts")

    def __str__(self) -> str:
        return self.name


class VendorStatusChange(models.Model):
    """The roster's history: every change of a vendor's status, with who, when and why."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("vendor")
    )
    status = models.CharField(_("status"), max_length=12, choices=VendorStatus.choices)
    reason = models.TextField(_("reason"), max_length=limits.SHORT_TEXT, blank=True)
    effective_on = models.DateField(_("effective on"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("vendor status change")
        verbose_name_plural = _("vendor status changes")

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.status} {self.effective_on}"


class MethodThresholds(models.Model):
    """The values, in US dollars, that choose an agency's procurement method, from a date on.

    Up to `micro_purchase_max`: micro-purchase; up to `rfq_max`: request for
    quotation; above: invitation to bid or request for proposal. Above
    `committee_above` the contracts committee reviews before award. The row
    in force on a day is the latest `effective_from` on or before it; with no
    row the defaults above apply.
    """

    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency"))
    effective_from = models.DateField(_("effective from"))
    micro_purchase_max = models.DecimalField(_("micro-purchase up to (USD)"), max_digits=14, decimal_places=2)
    rfq_max = models.DecimalField(_("request for quotation up to (USD)"), max_digits=14, decimal_places=2)
    committee_above = models.DecimalField(_("contracts committee above (USD)"), max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        ordering = ["agency", "-effective_from"]
        verbose_name = _("method thresholds")
        verbose_name_plural = _("method thresholds")
        constraints = [
            models.UniqueConstraint(fields=["agency", "effective_from"], name="thresholds_once_per_day"),
            models.CheckConstraint(
                condition=Q(micro_purchase_max__gt=0, rfq_max__gt=models.F("micro_purchase_max")),
                name="thresholds_increase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} from {self.effective_from}"
