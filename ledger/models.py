"""The cross-agency ledger (public schema): one thin row per request, its SLA clocks and breaches.

A request's private detail (description, conversation, attachments) lives in
its agency's schema; the ledger holds only what the facility needs to run
queues, dashboards and billing across agencies with one indexed query.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from service_levels.models import Metric, Module, Priority


class EntryStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset({EntryStatus.NEW, EntryStatus.OPEN, EntryStatus.PENDING})


class Holder(models.TextChoices):
    """Who holds the request, and so who is answerable for its clock."""

    FACILITY = "facility", _("Facility")
    REQUESTER = "requester", _("Requester")
    SUPPLIER = "supplier", _("Supplier")


class LedgerEntry(models.Model):
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="ledger_entries")
    service = models.ForeignKey("service_levels.Service", on_delete=models.PROTECT, related_name="ledger_entries")
    module = models.CharField(max_length=12, choices=Module.choices)
    agreement = models.ForeignKey("service_levels.Agreement", on_delete=models.PROTECT, related_name="ledger_entries")
    reference = models.CharField(max_length=40)
    title = models.CharField(max_length=200, help_text="Shown across agencies: never personal or sensitive detail.")
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.NEW)
    step = models.CharField(
        max_length=30,
        blank=True,
        help_text="The module's own step within the status (procurement: bidding, evaluation, committee…).",
    )
    held_by = models.CharField(max_length=10, choices=Holder.choices, default=Holder.FACILITY)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When the service was delivered (resolved).")
    closed_at = models.DateTimeField(null=True, blank=True)
    breached = models.BooleanField(default=False, help_text="At least one of its clocks ran out.")
    billable_units = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    billable_recorded_at = models.DateTimeField(null=True, blank=True)
    category = models.ForeignKey(
        "service_levels.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    satisfaction = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The requester's rating of the service, 1 (poor) to 5 (excellent)."
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    detail_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The private record in the agency's schema."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["agency", "reference"], name="reference_unique_per_agency"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="satisfaction_one_to_five",
            ),
        ]
        indexes = [
            # The compliance report: requests delivered in a period, by agency and service.
            models.Index(
                fields=["completed_at", "agency", "service"], include=["breached", "module"], name="ledger_compliance"
            ),
            models.Index(fields=["agency", "-opened_at"], name="ledger_agency_recent"),
            models.Index(fields=["module", "status"], name="ledger_queue"),
            models.Index(fields=["module", "step"], name="ledger_module_step"),
            # Satisfaction per agency and month: only the rated requests.
            models.Index(
                fields=["rated_at", "agency"],
                include=["satisfaction"],
                condition=Q(satisfaction__isnull=False),
                name="ledger_rated",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class NamedRole(models.TextChoices):
    TRAVELLER = "traveller", _("Traveller")
    RECEIVER = "receiver", _("Receiver")


class NamedPerson(models.Model):
    """Someone other than the requester whom a request names (the traveller, the receiver of goods).

    They see the request as its requester does (PRODUCT.md, "Who uses it"); the
    module that names them calls `ledger.services.entry_name_person`.
    """

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="named_people")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=12, choices=NamedRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "user", "role"], name="named_once_per_role")]
        indexes = [models.Index(fields=["user", "entry"], name="named_person_entries")]

    def __str__(self) -> str:
        return f"{self.entry} · {self.role}"


class ComplianceMonth(models.Model):
    """Requests delivered in a month, per agency and service: how many met every target, how many did not.

    `ledger.services` keeps it in the same transaction as each resolution (a
    reopening takes the request back out), so the compliance report reads a
    few thousand rows whatever the size of the ledger. The month is the first
    day of the month of delivery in the facility's time zone.
    `ledger.services.compliance_rebuild` recomputes it from the ledger.
    """

    month = models.DateField()
    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("service_levels.Service", on_delete=models.CASCADE, related_name="+")
    module = models.CharField(max_length=12, choices=Module.choices)
    met = models.IntegerField(default=0)
    breached = models.IntegerField(default=0)

    class Meta:
        ordering = ["month", "agency", "service"]
        constraints = [
            models.UniqueConstraint(fields=["month", "agency", "service"], name="compliance_month_unique"),
            models.CheckConstraint(condition=Q(met__gte=0, breached__gte=0), name="compliance_counts_not_negative"),
        ]
        indexes = [models.Index(fields=["agency", "month"], name="compliance_agency_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id}:{self.service_id} {self.met}/{self.breached}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class SlaClock(models.Model):
    """One target of one request, measured in business time.

    `used_before` is the business time used up to `running_since` (banked at
    each pause); while running, the due time is `running_since` plus what is
    left. The warning and due instants are columns so the beat task finds the
    clocks that crossed one with a single indexed query.
    """

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    target_minutes = models.PositiveIntegerField()
    state = models.CharField(max_length=8, choices=ClockState.choices, default=ClockState.RUNNING)
    held_by = models.CharField(max_length=10, choices=Holder.choices, default=Holder.FACILITY)
    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True, blank=True)
    used_before = models.DurationField()
    warn_first_at = models.DateTimeField(null=True, blank=True)
    warn_second_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    first_warning_sent_at = models.DateTimeField(null=True, blank=True)
    second_warning_sent_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entry", "metric"]
        constraints = [models.UniqueConstraint(fields=["entry", "metric"], name="one_clock_per_metric")]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="running", breached_at__isnull=True), name="clock_due"),
            models.Index(
                fields=["warn_second_at"],
                condition=Q(state="running", second_warning_sent_at__isnull=True),
                name="clock_second_warning",
            ),
            models.Index(
                fields=["warn_first_at"],
                condition=Q(state="running", first_warning_sent_at__isnull=True),
                name="clock_first_warning",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.metric}"


class SlaBreach(models.Model):
    """A clock that ran out: recorded once (one row per clock), with who held it."""

    clock = models.OneToOneField(SlaClock, on_delete=models.CASCADE, related_name="breach")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="breaches")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("service_levels.Service", on_delete=models.PROTECT, related_name="+")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    due_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    held_by = models.CharField(max_length=10, choices=Holder.choices)

    class Meta:
        ordering = ["-due_at"]
        verbose_name_plural = "SLA breaches"
        indexes = [
            models.Index(fields=["agency", "-due_at"], name="breach_recent"),
            models.Index(fields=["-due_at"], name="breach_recent_all"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.metric} breached"


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    CLOCK_STARTED = "clock_started", _("Clock started")
    PAUSED = "paused", _("Clocks paused")
    RESUMED = "resumed", _("Clocks resumed")
    CLOCK_STOPPED = "clock_stopped", _("Clock stopped")
    WARNED = "warned", _("Warning sent")
    BREACHED = "breached", _("Breach recorded")
    BILLED = "billed", _("Billable units recorded")
    PRIORITY = "priority", _("Priority changed")
    RATED = "rated", _("Rated by the requester")
    STEP = "step", _("Step reached")
    SERVICE = "service", _("Service changed")


class LedgerEvent(models.Model):
    """The history of a ledger entry: every change, with who, when and why."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
