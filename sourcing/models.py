"""What the agencies buy together (public schema): long-term agreements and their call-offs, the spend
record behind split-purchase detection and joint-procurement reports, and vendor performance.

These rows are shared because they are about more than one agency: an LTA
that one agency competed is called off by others (PRODUCT.md, "Long-term
agreements"); a split purchase is seen by the facility's buyers and manager;
a vendor's record is read by facility officers across agencies. They hold
references to an agency's private records (a requisition's reference, an
order's number), never the records themselves, as the ledger does.

`Consumption` is append-only: a call-off adds its value, a release (the
call-off rejected or withdrawn) adds the same value negated. What an agency
has consumed is the sum of its rows, written only under a row lock on the
agreement (`sourcing.services.consumption_commit`), so two call-offs at once
can never pass the ceiling together.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shared_platform import limits

# The share of a ceiling consumed at which the owner is warned and the page turns amber.
CEILING_WARNING_SHARE = Decimal("0.80")


class SourceKind(models.TextChoices):
    AWARD = "award", _("Awarded solicitation")
    CONTRACT = "contract", _("Existing contract")


class LongTermAgreement(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=limits.NAME)
    owner = models.ForeignKey(
        "tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner agency")
    )
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    ceiling_usd = models.DecimalField(_("ceiling (USD)"), max_digits=16, decimal_places=2)
    source_kind = models.CharField(_("source"), max_length=10, choices=SourceKind.choices)
    source_reference = models.CharField(
        _("solicitation or contract reference"), max_length=limits.REFERENCE, blank=True
    )
    terms = models.TextField(_("terms"), max_length=limits.LONG_TEXT, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))
    warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner was told that 80 % of the ceiling is consumed."
    )

    class Meta:
        ordering = ["-valid_until", "reference"]
        verbose_name = _("long-term agreement")
        verbose_name_plural = _("long-term agreements")
        constraints = [
            models.CheckConstraint(condition=Q(ceiling_usd__gt=0), name="lta_ceiling_positive"),
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="lta_valid_period"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class AgreementItem(models.Model):
    """One line of the price schedule: what may be called off and at what price (USD)."""

    agreement = models.ForeignKey(LongTermAgreement, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("item"))
    description = models.CharField(_("description"), max_length=limits.NAME)
    category = models.ForeignKey(
        "vendors.SupplyCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    unit = models.CharField(_("unit"), max_length=30)
    unit_price_usd = models.DecimalField(_("unit price (USD)"), max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["agreement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="lta_item_once"),
            models.CheckConstraint(condition=Q(unit_price_usd__gt=0), name="lta_item_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(LongTermAgreement, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="sourcing/agreements/%Y/", max_length=300)
    name = models.CharField(_("file name"), max_length=limits.FILE_NAME)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class JoinedVia(models.TextChoices):
    OWNER = "owner", _("Owner")
    FOUNDING = "founding", _("Named when the agreement was made")
    PIGGYBACK = "piggyback", _("Piggyback accepted by the owner")


class Participation(models.Model):
    """An agency that may call off the agreement, with its own ceiling if the owner set one."""

    agreement = models.ForeignKey(LongTermAgreement, on_delete=models.CASCADE, related_name="participations")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    ceiling_usd = models.DecimalField(_("agency ceiling (USD)"), max_digits=16, decimal_places=2, null=True, blank=True)
    joined_via = models.CharField(max_length=10, choices=JoinedVia.choices)
    joined_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "agency"], name="lta_participation_once"),
            models.CheckConstraint(
                condition=Q(ceiling_usd__isnull=True) | Q(ceiling_usd__gt=0), name="lta_participation_ceiling"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.agency_id}"


class PiggybackStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the owner")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class PiggybackRequest(models.Model):
    agreement = models.ForeignKey(LongTermAgreement, on_delete=models.CASCADE, related_name="piggybacks")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    reason = models.TextField(_("why join"), max_length=limits.SHORT_TEXT)
    requested_ceiling_usd = models.DecimalField(
        _("expected spend (USD)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=10, choices=PiggybackStatus.choices, default=PiggybackStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("reason"), max_length=limits.SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "agency"],
                condition=Q(status="requested"),
                name="lta_piggyback_one_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.agency_id} {self.status}"


class ConsumptionKind(models.TextChoices):
    CALL_OFF = "call_off", _("Call-off")
    RELEASE = "release", pgettext_lazy("call-off", "Released")


class Consumption(models.Model):
    """Append-only: never updated or deleted. A release is a negative row."""

    agreement = models.ForeignKey(LongTermAgreement, on_delete=models.PROTECT, related_name="consumptions")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ConsumptionKind.choices)
    amount_usd = models.DecimalField(max_digits=16, decimal_places=2)
    requisition_reference = models.CharField(max_length=30)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["agreement", "agency"], name="lta_consumption_agency")]
        constraints = [models.CheckConstraint(condition=~Q(amount_usd=0), name="lta_consumption_not_zero")]

    def __str__(self) -> str:
        return f"{self.requisition_reference} {self.amount_usd}"


class PurchaseRecord(models.Model):
    """One line of an issued purchase order, as spend: who bought what category from whom, when, for how much.

    Written when an order is issued (`procurement.services.order_issue`),
    marked cancelled with it. Split-purchase detection and the joint-procurement
    report read only this table, through the index below.
    """

    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    order_number = models.CharField(_("purchase order"), max_length=40)
    requisition_reference = models.CharField(_("requisition"), max_length=30)
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor"))
    category = models.ForeignKey(
        "vendors.SupplyCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    method = models.CharField(_("method"), max_length=6)
    agreement = models.ForeignKey(LongTermAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ordered_on = models.DateField(_("ordered on"))
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=16, decimal_places=2)
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["-ordered_on", "order_number"]
        indexes = [
            # The split-purchase question: this agency, this category, the last 12 months, answered from the
            # index alone (an index-only scan): it carries every column the check reads and names.
            models.Index(
                fields=["agency", "category", "ordered_on"],
                include=["vendor", "order_number", "requisition_reference", "amount_usd", "cancelled", "agreement"],
                name="purchase_split_lookup",
            ),
            models.Index(fields=["category", "ordered_on"], name="purchase_category_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.order_number} {self.amount_usd}"


class SplitStage(models.TextChoices):
    APPROVAL = "approval", _("Requisition approval")
    ORDER = "order", _("Purchase order")


class SplitFlag(models.Model):
    """A purchase that, with the agency's earlier ones from the same vendor in the same category within
    12 months, crosses a method threshold that each stays under (PRODUCT.md, "Split-purchase warning").

    Raised when a requisition is approved or its order issued; the step goes
    ahead only with the recorded explanation, shown to the buyer and the
    facility manager and on the facility's report.
    """

    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    requisition_reference = models.CharField(_("requisition"), max_length=30)
    stage = models.CharField(_("raised at"), max_length=10, choices=SplitStage.choices)
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor"))
    category = models.ForeignKey(
        "vendors.SupplyCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    method_threshold = models.CharField(_("threshold"), max_length=6)
    threshold_usd = models.DecimalField(_("threshold (USD)"), max_digits=16, decimal_places=2)
    this_amount_usd = models.DecimalField(_("this purchase (USD)"), max_digits=16, decimal_places=2)
    total_usd = models.DecimalField(_("total in 12 months (USD)"), max_digits=16, decimal_places=2)
    purchases = models.JSONField(help_text="The earlier purchases: order number, requisition, date, amount (USD).")
    explanation = models.TextField(_("explanation"), max_length=limits.SHORT_TEXT)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("split-purchase flag")
        verbose_name_plural = _("split-purchase flags")
        indexes = [models.Index(fields=["agency", "requisition_reference"], name="split_flag_requisition")]

    def __str__(self) -> str:
        return f"{self.requisition_reference} {self.stage}"


class VendorRating(models.Model):
    """The receiver's rating of one order's delivery: on time, quality, compliance with the order (1 to 5)."""

    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.PROTECT, related_name="ratings", verbose_name=_("vendor")
    )
    order_number = models.CharField(_("purchase order"), max_length=40)
    on_time = models.BooleanField(_("delivered on time"))
    quality = models.PositiveSmallIntegerField(_("quality"))
    compliance = models.PositiveSmallIntegerField(_("compliance with the order"))
    comment = models.TextField(_("comment"), max_length=limits.SHORT_TEXT, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(_("rated at"))

    class Meta:
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "order_number"], name="vendor_rating_once_per_order"),
            models.CheckConstraint(condition=Q(quality__gte=1, quality__lte=5), name="vendor_rating_quality"),
            models.CheckConstraint(condition=Q(compliance__gte=1, compliance__lte=5), name="vendor_rating_compliance"),
        ]

    def __str__(self) -> str:
        return f"{self.order_number} {self.vendor_id}"
