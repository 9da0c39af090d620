"""Cost-recovery billing (public schema): price list, usage, fixed costs and their sharing, invoices.

Every table is in the public schema (PRODUCT.md, "Tenancy"): the facility bills
every agency from the cross-agency ledger with one indexed query. Only the
invoice and credit-note PDFs go to each agency's own storage
(MEDIA_ROOT/<schema>/billing/...).

What the database itself guarantees, whatever the Python code does:

- one live invoice per agency and month (a partial unique constraint: a
  cancelled invoice does not count, so a corrected month can be billed again);
- a ledger entry's unit is billed once (unique entry + unit number);
- invoice numbers are unique, and drafts have none (check constraint);
- an issued invoice, its lines and every credit note never change
  (triggers in migration 0002_immutable_invoices), except the moves
  issued -> paid and issued/paid -> cancelled and the PDF being attached once.

Money: USD amounts are Decimal with 2 places; unit prices have up to 4 places
(a price per hour of work may need them); a line's amount is its quantity times
its unit price rounded half-up to the cent.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    USD = "USD", _("US dollar")
    BRL = "BRL", _("Brazilian real")


# The operating currency; every amount is kept in it. Others are shown at the month's UN rate.
OPERATING_CURRENCY = Currency.USD
LOCAL_CURRENCIES = frozenset({Currency.BRL})


class PriceListVersion(models.Model):
    """A price list from a date on, as approved by the board. Versions never change once made."""

    effective_from = models.DateField(unique=True)
    decision = models.ForeignKey("governance.RegisterEntry", on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return gettext("Price list from %(day)s") % {"day": f"{self.effective_from:%Y-%m-%d}"}


class PriceListItem(models.Model):
    """The unit price of one service (per its billing unit) in one version of the price list."""

    version = models.ForeignKey(PriceListVersion, on_delete=models.PROTECT, related_name="items")
    service = models.ForeignKey("service_levels.Service", on_delete=models.PROTECT, related_name="+")
    billing_unit = models.CharField(max_length=20, help_text=_("The service's billing unit when the price was set."))
    unit_price = models.DecimalField(max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["service__module", "service__code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "service"], name="billing_price_once_per_version"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="billing_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.unit_price}"


class UsageEvent(models.Model):
    """One billable unit of one delivered request (a fraction for the last unit of e.g. 2.5 hours).

    Recorded from the ledger whatever module the request came from; unique per
    entry and unit number, so recording it twice bills it once. Its month is
    the month of delivery in the facility's time zone.
    """

    entry = models.ForeignKey("ledger.LedgerEntry", on_delete=models.PROTECT, related_name="usage_events")
    unit_number = models.PositiveIntegerField()
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("service_levels.Service", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    completed_on = models.DateField(help_text=_("Day of delivery (facility time zone): picks the price in force."))
    month = models.DateField(help_text=_("First day of the month of delivery."))
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["completed_on", "entry_id", "unit_number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "unit_number"], name="billing_usage_once_per_unit"),
            models.CheckConstraint(condition=Q(quantity__gt=0, quantity__lte=1), name="billing_usage_unit_quantity"),
        ]
        indexes = [models.Index(fields=["month", "agency", "service"], name="billing_usage_month")]

    def __str__(self) -> str:
        return f"{self.entry_id}#{self.unit_number}"


class FixedCost(models.Model):
    """One of the facility's fixed costs for a month (manager, premises, platform), shared among agencies."""

    month = models.DateField(help_text=_("First day of the month."))
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_fixed_cost_positive")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.description}: {self.amount}"


class SharingMethod(models.TextChoices):
    EQUAL = "equal", _("Equal shares (one vote, one voice)")
    HEADCOUNT = "headcount", _("By headcount")
    USAGE = "usage", _("By share of usage")


class CostSharingKey(models.Model):
    """How fixed costs are shared from a date on, as approved by the board. Without one: equal shares."""

    effective_from = models.DateField(unique=True, help_text=_("The first day of a month."))
    method = models.CharField(max_length=10, choices=SharingMethod.choices)
    decision = models.ForeignKey("governance.RegisterEntry", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return gettext("%(method)s from %(month)s") % {
            "method": self.get_method_display(),
            "month": f"{self.effective_from:%Y-%m}",
        }


class ExchangeRate(models.Model):
    """The UN operational rate of exchange for a month: units of `currency` per US dollar."""

    month = models.DateField(help_text=_("First day of the month."))
    currency = models.CharField(max_length=3, choices=Currency.choices)
    rate = models.DecimalField(max_digits=14, decimal_places=6)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["month", "currency"], name="billing_rate_once_per_month"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="billing_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 1 USD = {self.rate} {self.currency}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BillingRun(models.Model):
    """One monthly run and its progress, which the run page polls while the worker drafts invoices."""

    month = models.DateField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    agencies_total = models.PositiveIntegerField(default=0)
    agencies_done = models.PositiveIntegerField(default=0)
    drafts_made = models.PositiveIntegerField(default=0)
    skipped_issued = models.PositiveIntegerField(default=0, help_text=_("Agencies whose month is already issued."))
    message = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return gettext("Run %(number)s for %(month)s") % {"number": self.pk, "month": f"{self.month:%Y-%m}"}

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return int(100 * self.agencies_done / self.agencies_total) if self.agencies_total else 0


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled by credit note")


class Invoice(models.Model):
    """An agency's invoice for a month. Drafts are replaced by a re-run; issued ones never change."""

    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="invoices")
    month = models.DateField(help_text=_("First day of the month billed."))
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    number = models.CharField(max_length=30, unique=True, null=True, blank=True)
    usage_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    cost_share_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    credits_total = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), help_text=_("Zero or negative.")
    )
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, choices=Currency.choices, default=OPERATING_CURRENCY)
    local_currency = models.CharField(max_length=3, choices=Currency.choices, blank=True)
    exchange_rate = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    local_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sharing_method = models.CharField(max_length=10, choices=SharingMethod.choices, blank=True)
    sharing_key = models.ForeignKey(CostSharingKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    run = models.ForeignKey(BillingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices")
    created_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment_reference = models.CharField(max_length=100, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    pdf_file = models.CharField(max_length=200, blank=True, help_text=_("Path in the agency's storage."))
    # Stamped when the invoice is issued, so the issued document never changes with later settings.
    due_on = models.DateField(null=True, blank=True, help_text=_("Issue date plus the payment terms."))
    payment_terms_days = models.PositiveSmallIntegerField(null=True, blank=True)
    billed_to = models.TextField(
        blank=True, max_length=500, help_text=_("The agency's billing address when it was issued.")
    )
    agency_reference = models.CharField(
        max_length=100, blank=True, help_text=_("The agency's purchase order or budget reference when it was issued.")
    )

    class Meta:
        ordering = ["-month", "agency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month"],
                condition=~Q(status="cancelled"),
                name="billing_one_live_invoice_per_agency_month",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True) | (~Q(status="draft") & Q(number__isnull=False)),
                name="billing_number_only_when_issued",
            ),
        ]
        indexes = [models.Index(fields=["agency", "-month"], name="billing_invoice_agency")]

    def __str__(self) -> str:
        return self.number or gettext("Draft %(agency)s %(month)s") % {
            "agency": self.agency,
            "month": f"{self.month:%Y-%m}",
        }


class LineKind(models.TextChoices):
    USAGE = "usage", _("Usage")
    COST_SHARE = "cost_share", _("Share of fixed costs")
    SERVICE_CREDIT = "credit", _("SLA service credit")
    CREDIT_CAP = "credit_cap", _("Service credits above the monthly cap")


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    service = models.ForeignKey("service_levels.Service", on_delete=models.PROTECT, null=True, blank=True)
    entry = models.ForeignKey(
        "ledger.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The breached request a service credit is for."),
    )
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # Usage lines: the days whose usage this line prices (one price in force throughout).
    usage_from = models.DateField(null=True, blank=True)
    usage_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="billing_line_position")]

    def __str__(self) -> str:
        return self.description


class InvoiceEventKind(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    ISSUED = "issued", _("Issued")
    PDF_STORED = "pdf_stored", _("PDF stored")
    PAID = "paid", _("Payment recorded")
    CANCELLED = "cancelled", _("Cancelled by credit note")


class InvoiceEvent(models.Model):
    """One row per change of an invoice: who did what, when. A re-run redrafts the same draft row, so they stay."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=InvoiceEventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.kind}"


class CreditNote(models.Model):
    """Cancels an issued (or paid) invoice in full, with its own number series. Never changes once made."""

    number = models.CharField(max_length=30, unique=True)
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="credit_note")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="credit_notes")
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text=_("The invoice's total, credited."))
    currency = models.CharField(max_length=3, choices=Currency.choices, default=OPERATING_CURRENCY)
    local_currency = models.CharField(max_length=3, choices=Currency.choices, blank=True)
    exchange_rate = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    local_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    reason = models.CharField(max_length=300)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pdf_file = models.CharField(max_length=200, blank=True, help_text=_("Path in the agency's storage."))

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class NumberCounter(models.Model):
    """The last number given in a series and year. Taken with SELECT ... FOR UPDATE: gapless under concurrency."""

    series = models.CharField(max_length=30, help_text="JOF, CN, or an agency's order series such as UNDP-PO.")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="billing_counter_per_series_year")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


class BillingSettings(models.Model):
    """What the facility prints on every invoice and credit note: who bills, where to pay, and when.

    One row (pk 1), created with the defaults when first read
    (billing.selectors.billing_settings); facility finance changes it on the
    billing settings page or in the admin, through billing.services.
    """

    legal_name = models.CharField(_("legal name"), max_length=200)
    postal_address = models.TextField(_("postal address"), max_length=500, help_text=_("One line per line."))
    email = models.EmailField(_("billing e-mail"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=200)
    bank_address = models.CharField(_("bank address"), max_length=300, blank=True)
    account_name = models.CharField(_("account name"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=50)
    swift_code = models.CharField(_("SWIFT/BIC"), max_length=11, blank=True)
    routing_number = models.CharField(_("ABA routing number"), max_length=20, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_("An invoice is due this many days after it is issued."),
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return str(self.legal_name)

    @property
    def postal_lines(self) -> list[str]:
        return [line.strip() for line in self.postal_address.splitlines() if line.strip()]


class AgencyBillingProfile(models.Model):
    """Where an agency wants its invoices addressed, and the reference its finance office files them under."""

    agency = models.OneToOneField(
        "tenants.Agency", on_delete=models.PROTECT, related_name="billing_profile", verbose_name=_("agency")
    )
    billing_address = models.TextField(
        _("billing address"), max_length=500, blank=True, help_text=_("One line per line.")
    )
    reference = models.CharField(
        pgettext_lazy("billing", "reference"),
        max_length=100,
        blank=True,
        help_text=_("The agency's purchase order or budget reference, printed on its invoices."),
    )
    contact = models.CharField(
        _("finance contact"), max_length=200, blank=True, help_text=_("A person or an e-mail address.")
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["agency__code"]
        verbose_name = _("agency billing profile")
        verbose_name_plural = _("agency billing profiles")

    def __str__(self) -> str:
        return str(self.agency)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.billing_address.splitlines() if line.strip()]
