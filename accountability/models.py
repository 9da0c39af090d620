"""Accountability to the agencies: what the facility delivered, measured, reviewed and billed, and how it changes.

Every table is in the public schema, next to the ledger, billing and quality
records it is computed from, and each row that concerns one agency names it
(`agency`), so an agency's pages filter on `request.tenant` and never read a
neighbour's row. Nothing here points into an agency's schema.

- Scorecards (ISO 9001 clause 9.1): `ScorecardCell` is one row per month x
  agency x service and `ScorecardAgencyMonth` one per month x agency, refreshed
  from the ledger, billing, quality and the modules by `scorecards_refresh`
  (beat, and on demand), so a year of a hundred agencies reads in one indexed
  query instead of re-aggregating a million-row ledger on every page.
- Quality objectives (clause 6.2): `QualityObjective`, evaluated from the cells.
- Management review (clause 9.3): `ManagementReview`, its compiled pack (every
  clause 9.3.2 input), the nonconformities it discussed, and its decisions and
  actions (`ReviewOutput`) tracked to completion.
- Monthly service reports: `ServiceReport`, one per agency and month, in the
  agency's language, its PDF in the agency's storage.
- Agreement change requests (the UNOPS engagement process):
  `AgreementChangeRequest` and its history, approved by both sides before it
  becomes a new agreement version.
- Fair-cost simulations for the board: `CostSimulation`, a frozen snapshot that
  a motion can cite.
- Evidence packs for an agency's auditors: `EvidencePack` and its manifest.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shared_platform import limits

# -- scorecards ----------------------------------------------------------------------------------------


class ScorecardCell(models.Model):
    """One agency's figures for one service in one month (first day of the month, facility time zone).

    `delivered`, `met` and `breached` are the ledger's compliance figures for
    requests delivered that month; `rated` and `rating_total` the requesters'
    ratings of those requests; `usage_billed` and `credits` what the agency's
    issued invoice for the month says for the service (credits are a positive
    amount taken off); the last three the quality system's open records
    about that agency and service.
    """

    month = models.DateField(_("month"))
    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency"))
    service = models.ForeignKey(
        "service_levels.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    module = models.CharField(_("module"), max_length=12)
    opened = models.PositiveIntegerField(_("requests opened"), default=0)
    delivered = models.PositiveIntegerField(_("requests delivered"), default=0)
    met = models.PositiveIntegerField(_("within target"), default=0)
    breached = models.PositiveIntegerField(_("breached"), default=0)
    rated = models.PositiveIntegerField(_("ratings"), default=0)
    rating_total = models.PositiveIntegerField(_("sum of ratings"), default=0)
    usage_billed = models.DecimalField(_("usage billed (USD)"), max_digits=14, decimal_places=2, default=Decimal(0))
    credits = models.DecimalField(_("service credits (USD)"), max_digits=14, decimal_places=2, default=Decimal(0))
    nonconformities_open = models.PositiveIntegerField(_("open nonconformities"), default=0)
    actions_open = models.PositiveIntegerField(_("open corrective actions"), default=0)
    actions_overdue = models.PositiveIntegerField(_("overdue corrective actions"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        ordering = ["month", "agency__code", "service__code"]
        verbose_name = _("scorecard cell")
        verbose_name_plural = _("scorecard cells")
        constraints = [
            models.UniqueConstraint(fields=["month", "agency", "service"], name="scorecard_cell_once"),
        ]
        indexes = [models.Index(fields=["agency", "month"], name="scorecard_agency_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id}:{self.service_id}"


class ScorecardAgencyMonth(models.Model):
    """What belongs to an agency's month as a whole rather than to one service.

    The invoice's share of fixed costs and its total, credits given back above
    the monthly cap, and the module figures that are about the agency: tickets
    issued less than 21 days before departure (travel), split-purchase flags
    raised, and what it ordered through long-term agreements (sourcing).
    """

    month = models.DateField(_("month"))
    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency"))
    invoice_number = models.CharField(_("invoice"), max_length=30, blank=True)
    fixed_share = models.DecimalField(_("share of fixed costs (USD)"), max_digits=14, decimal_places=2, default=0)
    credits_over_cap = models.DecimalField(
        _("credits above the cap (USD)"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    invoiced_total = models.DecimalField(_("invoiced (USD)"), max_digits=14, decimal_places=2, default=Decimal(0))
    late_bookings = models.PositiveIntegerField(_("tickets issued late"), default=0)
    tickets_issued = models.PositiveIntegerField(_("tickets issued"), default=0)
    split_flags = models.PositiveIntegerField(_("split-purchase flags"), default=0)
    agreement_spend = models.DecimalField(
        _("ordered through long-term agreements (USD)"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        ordering = ["month", "agency__code"]
        verbose_name = _("agency scorecard month")
        verbose_name_plural = _("agency scorecard months")
        constraints = [models.UniqueConstraint(fields=["month", "agency"], name="scorecard_agency_month_once")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id}"


# -- quality objectives (clause 6.2) -------------------------------------------------------------------------


class ObjectiveMetric(models.TextChoices):
    SLA_COMPLIANCE = "sla_compliance", _("SLA compliance (%)")
    SATISFACTION = "satisfaction", _("Average satisfaction (1 to 5)")
    BREACHES = "breaches", _("Breached requests")
    CREDITS = "credits", _("Service credits (USD)")


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class ObjectiveScope(models.TextChoices):
    EVERY_AGENCY = "every_agency", _("for every agency")
    FACILITY = "facility", _("for the facility as a whole")


class QualityObjective(models.Model):
    """A measurable quality objective (ISO 9001 clause 6.2): a figure, a target and a period, checked from scorecards.

    For example "ICT resolution compliance at least 95 % per quarter for every
    agency": metric SLA compliance, services of the ICT module, at least 95,
    per quarter, every agency. Met for a period when the figure reaches the
    target (boundary included) for each agency (or the facility as a whole).
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("objective"), max_length=limits.NAME)
    metric = models.CharField(_("figure"), max_length=20, choices=ObjectiveMetric.choices)
    comparison = models.CharField(_("comparison"), max_length=10, choices=Comparison.choices)
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    scope = models.CharField(_("applies"), max_length=14, choices=ObjectiveScope.choices)
    module = models.CharField(_("module"), max_length=12, blank=True, help_text=_("Blank for every module."))
    service = models.ForeignKey(
        "service_levels.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
        help_text=_("Blank for every service of the module."),
    )
    process = models.ForeignKey(
        "quality.Process", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("process")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["reference"]
        verbose_name = _("quality objective")
        verbose_name_plural = _("quality objectives")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="objective_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


# -- management review (clause 9.3) ---------------------------------------------------------------------------


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", pgettext_lazy("management review", "Held")
    CLOSED = "closed", _("Closed")


class ManagementReview(models.Model):
    """A management review of a period (ISO 9001 clause 9.3).

    Its pack is compiled from the platform (every input clause 9.3.2 lists) and
    frozen when the review is held, so what the meeting saw stays what it saw;
    the nonconformities it discussed are kept as links (the chain from a
    breached request to the review), and its decisions and actions
    (`ReviewOutput`, clause 9.3.3) are tracked to completion.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=limits.NAME)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    meeting_on = models.DateField(_("meeting on"))
    status = models.CharField(_("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair")
    )
    attendees = models.TextField(_("attendees"), max_length=limits.SHORT_TEXT, blank=True)
    minutes = models.TextField(_("minutes"), max_length=limits.LONG_TEXT, blank=True)
    pack = models.JSONField(_("review pack"), default=dict, blank=True)
    compiled_at = models.DateTimeField(_("pack compiled at"), null=True, blank=True)
    nonconformities = models.ManyToManyField(
        "quality.Nonconformity", blank=True, related_name="+", verbose_name=_("nonconformities discussed")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-period_to", "-pk"]
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        constraints = [
            models.CheckConstraint(condition=Q(period_to__gte=models.F("period_from")), name="review_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class OutputKind(models.TextChoices):
    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action")


class OutputStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ReviewOutput(models.Model):
    """A decision or an action of a management review (clause 9.3.3), an action with an owner and a date."""

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=8, choices=OutputKind.choices)
    text = models.TextField(_("text"), max_length=limits.SHORT_TEXT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=OutputStatus.choices, default=OutputStatus.OPEN)
    outcome = models.TextField(_("outcome"), max_length=limits.SHORT_TEXT, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["review", "pk"]
        verbose_name = _("review decision or action")
        verbose_name_plural = _("review decisions and actions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="action") | Q(owner__isnull=False, due_on__isnull=False),
                name="review_action_has_owner_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.pk}"


# -- monthly service reports ----------------------------------------------------------------------------------


class ServiceReport(models.Model):
    """The monthly service report to one agency, in its language (its figures frozen when it was written)."""

    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    month = models.DateField(_("month"))
    language = models.CharField(_("language"), max_length=10)
    figures = models.JSONField(default=dict)
    pdf_file = models.CharField(max_length=200, blank=True, help_text=_("Path in the agency's storage."))
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("written at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.JSONField(default=list, blank=True, help_text=_("Addresses it was e-mailed to."))

    class Meta:
        ordering = ["-month", "agency__code"]
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="service_report_once_per_month")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%Y-%m}"


# -- agreement change requests ---------------------------------------------------------------------------


class ChangeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting the facility's assessment")
    ASSESSED = "assessed", _("Assessed, awaiting approvals")
    APPROVED = "approved", _("Approved by both sides")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AgreementChangeRequest(models.Model):
    """An agency's proposal to change its service agreement, assessed by the facility, approved by both sides.

    The UNOPS engagement process: what will be delivered, and what happens when
    plans change. Once the agency's approver and the facility manager have both
    approved, the change becomes a new version of the agreement from the agreed
    date (`service_levels.services.agreement_revise`); the old version keeps the
    requests raised under it.
    """

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    agreement = models.ForeignKey(
        "service_levels.Agreement", on_delete=models.PROTECT, related_name="+", verbose_name=_("agreement")
    )
    summary = models.CharField(_("summary"), max_length=limits.NAME)
    reason = models.TextField(_("why"), max_length=limits.SHORT_TEXT)
    effective_from = models.DateField(_("from"))
    services_added = models.ManyToManyField(
        "service_levels.Service", blank=True, related_name="+", verbose_name=_("services to add")
    )
    services_dropped = models.ManyToManyField(
        "service_levels.Service", blank=True, related_name="+", verbose_name=_("services to drop")
    )
    target_changes = models.JSONField(
        default=list, blank=True, help_text="[{service, metric, priority, target_minutes}] proposed overrides."
    )
    grants_service_credits = models.BooleanField(_("grants service credits"), null=True, blank=True)
    credit_percent = models.DecimalField(
        _("credit per breach (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    credit_cap_percent = models.DecimalField(
        _("monthly credit cap (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.SUBMITTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    price_effect = models.TextField(_("effect on price"), max_length=limits.SHORT_TEXT, blank=True)
    target_effect = models.TextField(_("effect on targets"), max_length=limits.SHORT_TEXT, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    agency_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency_approved_at = models.DateTimeField(null=True, blank=True)
    facility_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    facility_approved_at = models.DateTimeField(null=True, blank=True)
    new_agreement = models.ForeignKey(
        "service_levels.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new version"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.TextField(_("reason"), max_length=limits.SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("agreement change request")
        verbose_name_plural = _("agreement change requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(
                    agency_approved_by__isnull=False,
                    facility_approved_by__isnull=False,
                    new_agreement__isnull=False,
                ),
                name="change_request_approved_by_both",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="change_request_agency")]

    def __str__(self) -> str:
        return self.reference


class ChangeEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ASSESSED = "assessed", _("Assessed")
    AGENCY_APPROVED = "agency_approved", _("Approved by the agency")
    FACILITY_APPROVED = "facility_approved", _("Approved by the facility")
    APPLIED = "applied", _("New agreement version made")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMMENTED = "commented", _("Comment")


class ChangeRequestEvent(models.Model):
    """Every step of a change request, shown to both sides."""

    request = models.ForeignKey(AgreementChangeRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=ChangeEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    detail = models.TextField(max_length=limits.SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


# -- fair-cost simulation ------------------------------------------------------------------------------


class CostSimulation(models.Model):
    """What each agency paid over past months and would have paid under each cost-sharing key (frozen).

    `lines` holds one row per agency (its usage, its share of usage, what it
    paid and what it would have paid under equal, headcount and usage-share
    keys); `totals` the columns' sums, which equal the invoices' to the cent.
    A motion that changes the key can cite it.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    month_from = models.DateField(_("first month"))
    month_to = models.DateField(_("last month"))
    lines = models.JSONField(default=list)
    totals = models.JSONField(default=dict)
    motion = models.ForeignKey(
        "governance.Motion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("motion"),
    )
    note = models.TextField(_("note"), max_length=limits.SHORT_TEXT, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("made at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cost-sharing simulation")
        verbose_name_plural = _("cost-sharing simulations")
        constraints = [
            models.CheckConstraint(condition=Q(month_to__gte=models.F("month_from")), name="simulation_months_in_order")
        ]

    def __str__(self) -> str:
        return self.reference


# -- evidence packs --------------------------------------------------------------------------------------


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Being assembled")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class EvidencePack(models.Model):
    """One archive for an agency's auditors: its documents of a period and a manifest of their SHA-256 digests.

    The manifest's own digest is kept here, so the platform can tell an archive
    it issued from one assembled or altered elsewhere.
    """

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    month_from = models.DateField(_("first month"))
    month_to = models.DateField(_("last month"))
    status = models.CharField(_("status"), max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    manifest = models.JSONField(default=dict, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    archive_file = models.CharField(max_length=200, blank=True, help_text=_("Path in the agency's storage."))
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")
        constraints = [
            models.CheckConstraint(condition=Q(month_to__gte=models.F("month_from")), name="pack_months_in_order")
        ]

    def __str__(self) -> str:
        return self.reference
