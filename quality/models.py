"""The facility's quality management system (ISO 9001:2015), all in the public schema.

Quality belongs to the facility (PRODUCT.md, "Tenancy"): its processes,
controlled documents, nonconformities and audits are the facility's own
records, read across agencies. An agency's people meet only one part of it:
the improvement suggestions they made, with the committee's decision
(`Suggestion.agency` says from which agency's address it came).

What the database itself guarantees, whatever the Python code does:

- one effective version of a document at a time (partial unique index);
- a version's approver is never its author (check constraint; clause 7.5.2);
- one automatic nonconformity per source, agency, service and month, however
  many beat workers run at once (partial unique index; clause 10.2);
- an audit's auditor is never the owner of the audited process is checked by
  the service (the owner can change after the audit is planned), not here;
- scores, likelihoods and impacts stay within 1..5 (check constraints).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shared_platform import limits

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


def _one_to_five(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    within = Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
    condition = (Q(**{f"{field}__isnull": True}) | within) if nullable else within
    return models.CheckConstraint(condition=condition, name=f"quality_%(class)s_{field}_1_to_5")


# -- processes and their risks (clauses 4.4 and 6.1) -----------------------------------------------


class Process(models.Model):
    """A core process of the facility ("management practice"), with the person answerable for it.

    The catalogue services linked to it are what measures it: their SLA
    targets and the ledger's figures for them are the process's performance.
    """

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("A short code, e.g. ICT-INC."))
    name = models.CharField(_("name"), max_length=limits.NAME)
    purpose = models.TextField(_("purpose and scope"), max_length=limits.SHORT_TEXT, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    procedure = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("documented procedure"),
    )
    services = models.ManyToManyField(
        "service_levels.Service", blank=True, related_name="+", verbose_name=_("services that measure it")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RiskKind(models.TextChoices):
    RISK = "risk", _("Risk")
    OPPORTUNITY = "opportunity", _("Opportunity")


class Risk(models.Model):
    """A risk or an opportunity of a process: likelihood x impact, its treatment and owner (clause 6.1)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="risks", verbose_name=_("process"))
    kind = models.CharField(_("kind"), max_length=12, choices=RiskKind.choices, default=RiskKind.RISK)
    description = models.TextField(_("description"), max_length=limits.SHORT_TEXT)
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1-5)"), validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(_("impact (1-5)"), validators=ONE_TO_FIVE)
    treatment = models.TextField(_("treatment"), max_length=limits.SHORT_TEXT, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    review_on = models.DateField(_("review on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["process", "-likelihood", "-impact", "pk"]
        verbose_name = _("risk or opportunity")
        verbose_name_plural = _("risks and opportunities")
        constraints = [_one_to_five("likelihood"), _one_to_five("impact")]

    def __str__(self) -> str:
        return f"{self.process.code}: {self.description[:60]}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


# -- controlled documents (clause 7.5) -------------------------------------------------------------


class Document(models.Model):
    """A controlled document: a procedure, a manual, a form. Its text lives in its versions."""

    code = models.CharField(_("code"), max_length=30, unique=True, help_text=_("e.g. QP-PROC-01."))
    title = models.CharField(_("title"), max_length=limits.NAME)
    process = models.ForeignKey(
        Process,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("process"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    concerns_roles = ArrayField(
        models.CharField(max_length=30),
        default=list,
        blank=True,
        verbose_name=_("roles it concerns"),
        help_text=_("The facility roles who must read and acknowledge each effective version."),
    )
    review_months = models.PositiveSmallIntegerField(
        _("review every (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("controlled document")
        verbose_name_plural = _("controlled documents")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved, effective later")
    EFFECTIVE = "effective", _("Effective")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DocumentVersion(models.Model):
    """One version of a controlled document: text written here, or an uploaded file, or both."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    text = models.TextField(_("text"), max_length=200_000, blank=True)
    file = models.FileField(_("file"), upload_to="quality/documents/%Y/", blank=True)
    change_summary = models.TextField(_("what changed"), max_length=limits.SHORT_TEXT, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("sent for review at"), null=True, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="quality_version_number_unique"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="effective"), name="quality_one_effective_version"
            ),
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=models.F("author")),
                name="quality_version_approver_not_author",
            ),
        ]
        indexes = [models.Index(fields=["status", "review_due"], name="quality_version_review")]

    def __str__(self) -> str:
        return f"{self.document.code} v{self.number}"


class Acknowledgement(models.Model):
    """A person has read and understood an effective version (clause 7.3: awareness)."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("version")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        ordering = ["version", "at"]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="quality_acknowledged_once")]

    def __str__(self) -> str:
        return f"{self.version} read by {self.user_id}"


# -- improvement suggestions (clause 10.3) ---------------------------------------------------------


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the committee")
    ACCEPTED = "accepted", _("Accepted, being implemented")
    DEFERRED = "deferred", _("Deferred")
    REJECTED = "rejected", _("Not accepted")
    IMPLEMENTED = "implemented", _("Implemented")


class Suggestion(models.Model):
    """An improvement suggested by anyone, agency staff included, to one of the facility's processes.

    `score` is impact x (6 - effort): the committee's board orders the backlog
    by it, so a big improvement that costs little comes first.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    process = models.ForeignKey(
        Process, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("process")
    )
    title = models.CharField(_("title"), max_length=limits.NAME)
    description = models.TextField(_("what would be better, and how"), max_length=limits.LONG_TEXT)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("suggested by")
    )
    agency = models.ForeignKey(
        "tenants.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
        help_text=_("The agency from whose address it was made; empty for the facility's own staff."),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    status = models.CharField(
        _("status"), max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.SUBMITTED
    )
    impact = models.PositiveSmallIntegerField(_("impact (1-5)"), null=True, blank=True, validators=ONE_TO_FIVE)
    effort = models.PositiveSmallIntegerField(_("effort (1-5)"), null=True, blank=True, validators=ONE_TO_FIVE)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("reason for the decision"), max_length=limits.SHORT_TEXT, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("implementation owner"),
    )
    due_on = models.DateField(_("to be implemented by"), null=True, blank=True)
    implemented_at = models.DateTimeField(_("implemented at"), null=True, blank=True)
    outcome = models.TextField(_("what was done"), max_length=limits.SHORT_TEXT, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("improvement suggestion")
        verbose_name_plural = _("improvement suggestions")
        constraints = [_one_to_five("impact", nullable=True), _one_to_five("effort", nullable=True)]
        indexes = [
            models.Index(fields=["status", "-score"], name="quality_suggestion_backlog"),
            models.Index(fields=["suggested_by", "agency"], name="quality_suggestion_author"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class SuggestionStep(models.Model):
    """One implementation step of an accepted suggestion."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("step"), max_length=limits.NAME)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["suggestion", "position"]
        constraints = [models.UniqueConstraint(fields=["suggestion", "position"], name="quality_step_position_unique")]

    def __str__(self) -> str:
        return f"{self.suggestion_id}.{self.position} {self.description}"


# -- nonconformities and corrective action (clause 10.2) --------------------------------------------


class NonconformitySource(models.TextChoices):
    MANUAL = "manual", _("Raised by hand")
    AUDIT = "audit", _("Internal audit finding")
    COMPLAINT = "complaint", _("Complaint")
    SLA_BREACH = "sla_breach", _("SLA breaches")
    LOW_RATING = "low_rating", _("Low satisfaction ratings")


AUTOMATIC_SOURCES = (NonconformitySource.SLA_BREACH, NonconformitySource.LOW_RATING)


class NonconformityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTION = "action", _("Corrective action under way")
    VERIFYING = "verifying", _("Effectiveness being checked")
    CLOSED = "closed", _("Closed, effective")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")


class Nonconformity(models.Model):
    """Something that did not meet a requirement, worked through to an effective corrective action.

    The automatic ones (SLA breaches held by the facility, ratings of 1 or 2)
    are one per source, agency, service and month: the beat task attaches each
    new breach or rating to the month's nonconformity instead of opening
    another.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=limits.NAME)
    description = models.TextField(_("what happened"), max_length=limits.LONG_TEXT, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=NonconformitySource.choices)
    severity = models.CharField(_("severity"), max_length=6, choices=Severity.choices, default=Severity.MINOR)
    status = models.CharField(
        _("status"), max_length=10, choices=NonconformityStatus.choices, default=NonconformityStatus.OPEN
    )
    process = models.ForeignKey(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformities",
        verbose_name=_("process"),
    )
    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    service = models.ForeignKey(
        "service_levels.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    month = models.DateField(_("month"), null=True, blank=True, help_text=_("First day of the month it is about."))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the platform raised it."),
    )
    raised_at = models.DateTimeField(_("raised at"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    correction = models.TextField(_("correction (what was done at once)"), max_length=limits.SHORT_TEXT, blank=True)
    root_cause = models.TextField(_("root cause"), max_length=limits.LONG_TEXT, blank=True)
    breaches = models.ManyToManyField("ledger.SlaBreach", blank=True, related_name="+")
    rated_entries = models.ManyToManyField("ledger.LedgerEntry", blank=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    times_reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "agency", "service", "month"],
                condition=Q(source__in=["sla_breach", "low_rating"]),
                name="quality_one_automatic_nonconformity_per_month",
            ),
            models.CheckConstraint(
                condition=~Q(source__in=["sla_breach", "low_rating"])
                | Q(agency__isnull=False, service__isnull=False, month__isnull=False),
                name="quality_automatic_nonconformity_names_its_month",
            ),
        ]
        indexes = [models.Index(fields=["status", "-raised_at"], name="quality_nc_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CorrectiveAction(models.Model):
    """What will remove the root cause, with who does it and by when."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"), max_length=limits.SHORT_TEXT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_note = models.TextField(_("what was done"), max_length=limits.SHORT_TEXT, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["nonconformity", "due_on", "pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [models.Index(fields=["due_on"], condition=Q(done_at__isnull=True), name="quality_action_open")]

    def __str__(self) -> str:
        return f"{self.nonconformity_id}: {self.description[:60]}"


class CriterionKind(models.TextChoices):
    SLA_BREACHES = "sla_breaches", _("SLA breaches held by the facility, at most")
    LOW_RATINGS = "low_ratings", _("Ratings of 1 or 2, at most")
    JUDGEMENT = "judgement", _("Judged by the quality focal point")


class CheckResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    # "Effective" is also a document version's status (in force): a context keeps the two apart in translation.
    EFFECTIVE = "effective", pgettext_lazy("effectiveness check", "Effective")
    NOT_EFFECTIVE = "not_effective", pgettext_lazy("effectiveness check", "Not effective")


class EffectivenessCheck(models.Model):
    """Whether the corrective action worked, on a date, against a measurable criterion.

    With an SLA or a rating criterion the check evaluates itself from the
    ledger: the agency's (and service's) count over the period, compared with
    `threshold`. A count above it before the period ends is a recurrence and
    reopens the nonconformity at once.
    """

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("criterion"), max_length=14, choices=CriterionKind.choices)
    description = models.CharField(_("criterion in words"), max_length=limits.NAME, blank=True)
    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    service = models.ForeignKey(
        "service_levels.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    period_start = models.DateField(_("measured from"))
    period_end = models.DateField(_("measured until (inclusive)"))
    threshold = models.PositiveIntegerField(_("at most"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=14, choices=CheckResult.choices, default=CheckResult.PENDING)
    measured = models.PositiveIntegerField(_("measured"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the platform evaluated it from the ledger."),
    )
    note = models.TextField(_("note"), max_length=limits.SHORT_TEXT, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["nonconformity", "period_end", "pk"]
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="quality_check_period"),
            models.CheckConstraint(
                condition=Q(kind="judgement") | Q(threshold__isnull=False, agency__isnull=False),
                name="quality_measured_check_has_threshold",
            ),
        ]
        indexes = [
            models.Index(fields=["period_end"], condition=Q(result="pending"), name="quality_check_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.nonconformity_id}: {self.kind} {self.period_start}..{self.period_end}"


# -- internal audits (clause 9.2) ------------------------------------------------------------------


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Audit(models.Model):
    """An internal audit of one process, by an auditor who does not own it."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="audits", verbose_name=_("process"))
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auditor")
    )
    planned_for = models.DateField(_("planned for"))
    scope = models.TextField(_("scope and criteria"), max_length=limits.SHORT_TEXT)
    status = models.CharField(_("status"), max_length=12, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    summary = models.TextField(_("conclusion"), max_length=limits.LONG_TEXT, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_for", "-pk"]
        verbose_name = _("internal audit")
        verbose_name_plural = _("internal audits")
        indexes = [models.Index(fields=["process", "-completed_at"], name="quality_audit_last")]

    def __str__(self) -> str:
        return f"{self.reference} {self.process.code}"


class AuditQuestion(models.Model):
    """A checklist question, referring to an ISO 9001 clause, with what the auditor saw."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    clause = models.CharField(_("ISO 9001 clause"), max_length=12)
    question = models.CharField(_("question"), max_length=limits.NAME * 2)
    evidence = models.TextField(_("evidence seen"), max_length=limits.SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["audit", "position"]
        constraints = [models.UniqueConstraint(fields=["audit", "position"], name="quality_question_position_unique")]

    def __str__(self) -> str:
        return f"{self.clause} {self.question[:60]}"


class FindingKind(models.TextChoices):
    CONFORMITY = "conformity", _("Conformity")
    OBSERVATION = "observation", _("Observation")
    MINOR = "minor", _("Minor nonconformity")
    MAJOR = "major", _("Major nonconformity")


class AuditFinding(models.Model):
    """What the audit found; a minor or major nonconformity opens a nonconformity record."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    question = models.ForeignKey(
        AuditQuestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    kind = models.CharField(_("finding"), max_length=12, choices=FindingKind.choices)
    clause = models.CharField(_("ISO 9001 clause"), max_length=12)
    description = models.TextField(_("description"), max_length=limits.SHORT_TEXT)
    nonconformity = models.OneToOneField(
        Nonconformity, on_delete=models.SET_NULL, null=True, blank=True, related_name="finding"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["audit", "recorded_at", "pk"]
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")

    def __str__(self) -> str:
        return f"{self.audit_id}: {self.kind} ({self.clause})"


# -- customer feedback (clause 9.1.2) --------------------------------------------------------------


class Feedback(models.Model):
    """A requester's rating of a delivered request, with their comment, as the quality focal point reads it.

    Written by the module's survey service next to the ledger's rating; the
    comment is addressed to the facility, so it is kept here, not only in the
    agency's schema.
    """

    entry = models.OneToOneField("ledger.LedgerEntry", on_delete=models.CASCADE, related_name="feedback")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("service_levels.Service", on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), max_length=limits.SHORT_TEXT, blank=True)
    at = models.DateTimeField(_("answered at"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [_one_to_five("rating")]
        indexes = [models.Index(fields=["-at"], name="quality_feedback_recent")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.rating}/5"


# -- the history of every quality record -----------------------------------------------------------


class QualityEvent(models.Model):
    """Every step of every quality record, with who, when and what (clause 7.5.3: retained information).

    One table for the five kinds of record: exactly one of the record columns
    is set. Pages show a record's history from it.
    """

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.TextField(max_length=limits.SHORT_TEXT, blank=True)
    process = models.ForeignKey(Process, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, null=True, blank=True, related_name="events")

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(process__isnull=False, document=None, suggestion=None, nonconformity=None, audit=None)
                    | Q(process=None, document__isnull=False, suggestion=None, nonconformity=None, audit=None)
                    | Q(process=None, document=None, suggestion__isnull=False, nonconformity=None, audit=None)
                    | Q(process=None, document=None, suggestion=None, nonconformity__isnull=False, audit=None)
                    | Q(process=None, document=None, suggestion=None, nonconformity=None, audit__isnull=False)
                ),
                name="quality_event_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"
