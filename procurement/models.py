"""An agency's purchases (agency schema): requisitions, solicitations, sealed bids, evaluation, award, orders.

Everything here is private to the agency (PRODUCT.md, "Tenancy"): the
requisition's lines and justification, who was invited, the bids, the
evaluation and the purchase order. The facility sees the request across
agencies through its ledger entry (status, step, SLA clocks, billable units);
the vendor roster and the method thresholds are public (`vendors`).

Links to public rows (ledger entry, vendor, category, people) are foreign keys
without a database constraint, as in the helpdesk: an agency's schema is
dropped on its own and copied from a template.

A bid's prices and documents are sealed: stored only encrypted
(`procurement.sealing`) with a key the database does not hold, and decrypted
only by the opening service once the deadline has passed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shared_platform import limits


def _public(to: str, **options: Any) -> Any:
    """A link to a row in the public schema, without a database constraint (see above)."""
    options.setdefault("related_name", "+")
    return models.ForeignKey(to, db_constraint=False, **options)


class Method(models.TextChoices):
    MICRO = "micro", _("Micro-purchase")
    RFQ = "rfq", _("Request for quotation (RFQ)")
    ITB = "itb", _("Invitation to bid (ITB)")
    RFP = "rfp", _("Request for proposal (RFP)")
    LTA = "lta", _("Call-off against a long-term agreement")


# Each method is measured and billed as one catalogue service (its SLA target: 3, 15 or 45 days).
SERVICE_OF_METHOD = {
    Method.MICRO: "PRC-MICRO",
    Method.RFQ: "PRC-RFQ",
    Method.ITB: "PRC-ITB",
    Method.RFP: "PRC-ITB",
    Method.LTA: "PRC-LTA",
}
SOLICITED_METHODS = frozenset({Method.RFQ, Method.ITB, Method.RFP})
# The least number of vendors invited to an RFQ without an approved deviation (UN Procurement Manual).
RFQ_MINIMUM_QUOTES = 3


class RequisitionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for approval")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved, with procurement")
    SOURCING = "sourcing", _("Being sourced")
    ORDERED = "ordered", pgettext_lazy("requisition", "Ordered")
    CANCELLED = "cancelled", _("Cancelled")


class Requisition(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    entry = models.OneToOneField(
        "ledger.LedgerEntry",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ledger entry"),
        help_text=_("Set when the requisition is approved: from then on the facility works it."),
    )
    title = models.CharField(_("title"), max_length=limits.NAME)
    justification = models.TextField(_("justification"), max_length=limits.LONG_TEXT)
    delivery_place = models.CharField(_("delivery place"), max_length=limits.NAME)
    delivery_date = models.DateField(_("delivery wanted by"))
    charge_code = models.CharField(_("charge code"), max_length=60)
    status = models.CharField(
        _("status"), max_length=12, choices=RequisitionStatus.choices, default=RequisitionStatus.SUBMITTED
    )
    requester = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("requester"))
    raised_at = models.DateTimeField(_("raised at"))
    approver = _public(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True, verbose_name=_("approver")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), max_length=limits.SHORT_TEXT, blank=True)
    buyer = _public(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True, verbose_name=_("buyer")
    )
    method = models.CharField(_("method"), max_length=6, choices=Method.choices, blank=True)
    method_reason = models.TextField(_("why this method"), max_length=limits.SHORT_TEXT, blank=True)
    estimated_total = models.DecimalField(
        _("estimated total (USD)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    agreement = _public(
        "sourcing.LongTermAgreement",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        verbose_name=_("long-term agreement"),
        help_text=_("Set on a call-off: the agreement whose prices and ceiling it uses."),
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        indexes = [
            models.Index(fields=["requester", "-raised_at", "-id"], name="requisition_requester_recent"),
            models.Index(fields=["status", "-raised_at"], name="requisition_status_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=limits.NAME)
    category = _public("vendors.SupplyCategory", on_delete=models.DO_NOTHING, verbose_name=_("category"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30)
    estimated_unit_price = models.DecimalField(_("estimated unit price (USD)"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["requisition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "position"], name="requisition_line_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="requisition_quantity_positive"),
            models.CheckConstraint(condition=Q(estimated_unit_price__gte=0), name="requisition_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"

    @property
    def estimated_amount(self) -> Decimal:
        return (self.quantity * self.estimated_unit_price).quantize(Decimal("0.01"))


class CaseEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ASSIGNED = "assigned", _("Buyer assigned")
    METHOD = "method", _("Method set")
    DEVIATION = "deviation", _("Deviation")
    SOLICITATION = "solicitation", _("Solicitation")
    BID = "bid", _("Bid received")
    OPENING = "opening", _("Bids opened")
    EVALUATION = "evaluation", _("Evaluation")
    COMMITTEE = "committee", _("Contracts committee")
    AWARD = "award", _("Award")
    ORDER = "order", _("Purchase order")
    WAITING = "waiting", _("Waiting on the requester")
    CANCELLED = "cancelled", _("Cancelled")
    SPLIT = "split", _("Split-purchase flag explained")
    RECEIPT = "receipt", _("Goods or services received")
    INVOICE = "invoice", _("Supplier invoice")


class CaseEvent(models.Model):
    """The history of one purchase, from the requisition to the order: every step, with who and when."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=CaseEventKind.choices)
    at = models.DateTimeField()
    actor = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True)
    detail = models.TextField(max_length=limits.SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class RequisitionAttachment(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(max_length=300)
    name = models.CharField(_("file name"), max_length=limits.FILE_NAME)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class DeviationKind(models.TextChoices):
    DIRECT_CONTRACTING = "direct", _("Direct contracting")
    FEWER_QUOTES = "fewer_quotes", _("Fewer than three quotations")


class DeviationStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the facility manager")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Deviation(models.Model):
    """A departure from the method's rule, with its written justification and the facility manager's decision."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="deviations")
    kind = models.CharField(_("deviation"), max_length=14, choices=DeviationKind.choices)
    justification = models.TextField(_("justification"), max_length=limits.LONG_TEXT)
    requested_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=DeviationStatus.choices, default=DeviationStatus.REQUESTED)
    decided_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=limits.SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.requisition_id} {self.kind} {self.status}"


class SolicitationStatus(models.TextChoices):
    OPEN = "open", _("Open for bids")
    OPENED = "opened", _("Bids opened")
    EVALUATED = "evaluated", _("Evaluated")
    COMMITTEE = "committee", _("With the contracts committee")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class Solicitation(models.Model):
    """An RFQ, ITB or RFP sent to invited vendors, with its deadline and (RFP) its evaluation weights."""

    requisition = models.OneToOneField(Requisition, on_delete=models.CASCADE, related_name="solicitation")
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    method = models.CharField(_("method"), max_length=6, choices=Method.choices)
    instructions = models.TextField(_("instructions to bidders"), max_length=limits.LONG_TEXT)
    deadline = models.DateTimeField(_("submission deadline"))
    status = models.CharField(max_length=10, choices=SolicitationStatus.choices, default=SolicitationStatus.OPEN)
    issued_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    issued_at = models.DateTimeField()
    technical_weight = models.PositiveSmallIntegerField(_("technical weight (%)"), default=70)
    minimum_technical_score = models.DecimalField(
        _("minimum technical score (%)"), max_digits=5, decimal_places=2, default=Decimal("70.00")
    )
    # Set as each step is done; an RFP's financial envelopes open only after the technical scores are locked.
    technical_locked_at = models.DateTimeField(null=True, blank=True)
    recommended_bid = models.ForeignKey(
        "Bid", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recommended bid")
    )
    evaluation_note = models.TextField(max_length=limits.LONG_TEXT, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(technical_weight__gte=0, technical_weight__lte=100), name="technical_weight_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def financial_weight(self) -> int:
        return 100 - self.technical_weight

    @property
    def two_envelopes(self) -> bool:
        return self.method == Method.RFP


class SolicitationDocument(models.Model):
    """What the invited vendors read: terms of reference, specifications, the bid form."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(max_length=300)
    name = models.CharField(max_length=limits.FILE_NAME)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One vendor invited to one solicitation; its token is the vendor's personal link (no account)."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="invitations")
    vendor = _public("vendors.Vendor", on_delete=models.DO_NOTHING, verbose_name=_("vendor"))
    vendor_name = models.CharField(_("vendor"), max_length=limits.NAME)
    email = models.EmailField()
    language = models.CharField(max_length=10)
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link's token.")
    invited_at = models.DateTimeField()
    outcome_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vendor_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["solicitation", "vendor"], name="invited_once")]

    def __str__(self) -> str:
        return f"{self.solicitation_id}: {self.vendor_name}"


class Question(models.Model):
    """A vendor's clarification question; the answer goes to every invitee, without saying who asked."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="questions")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"), max_length=limits.SHORT_TEXT)
    asked_at = models.DateTimeField()
    answer = models.TextField(_("answer"), max_length=limits.LONG_TEXT, blank=True)
    answered_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return f"Q{self.pk}"


class Amendment(models.Model):
    """A change to the solicitation after it went out, told to every invitee; it may move the deadline."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("amendment"), max_length=limits.LONG_TEXT)
    previous_deadline = models.DateTimeField()
    new_deadline = models.DateTimeField(null=True, blank=True)
    issued_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["solicitation", "number"], name="amendment_number_once")]

    def __str__(self) -> str:
        return f"{self.solicitation_id} amendment {self.number}"


class Envelope(models.TextChoices):
    SINGLE = "single", _("Bid")
    TECHNICAL = "technical", _("Technical envelope")
    FINANCIAL = "financial", _("Financial envelope")


class Bid(models.Model):
    """One submission by an invited vendor. Every submission is kept; the last one before the deadline counts.

    Nothing readable about its content is stored before opening: `sealed_*`
    hold encrypted JSON (currency, prices per line, the technical proposal),
    and the columns below `opened_*` stay empty until the opening service
    fills them. A bid that arrives after the deadline is kept, marked late,
    and never opened.
    """

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="bids")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="bids")
    received_at = models.DateTimeField(_("received at"))
    on_paper = models.BooleanField(_("received on paper"), default=False)
    recorded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    superseded = models.BooleanField(_("replaced by a later submission"), default=False)
    sealed_financial = models.BinaryField()
    sealed_technical = models.BinaryField(null=True, blank=True)
    # Filled by the opening service only.
    technical_opened_at = models.DateTimeField(null=True, blank=True)
    technical_proposal = models.TextField(blank=True)
    financial_opened_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    total = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    total_usd = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    lines = models.JSONField(null=True, blank=True, help_text="Unit price per requisition line, once opened.")
    # Evaluation results, written by the evaluation services.
    technical_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    financial_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    combined_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    compliant = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["solicitation", "superseded", "late"], name="bid_counting")]

    def __str__(self) -> str:
        return f"{self.solicitation_id}: bid {self.pk}"


class BidDocument(models.Model):
    """A file in a bid's envelope, stored encrypted; readable only once its envelope is opened."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    envelope = models.CharField(max_length=10, choices=Envelope.choices)
    sealed_name = models.BinaryField()
    sealed_content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"bid {self.bid_id} document {self.pk}"


class Opening(models.Model):
    """The record of a bid opening: two officers, when, and what was read out (stored and printed)."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="openings")
    envelope = models.CharField(max_length=10, choices=Envelope.choices)
    opened_at = models.DateTimeField()
    first_officer = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    second_officer = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    readout = models.JSONField(help_text="Per bidder: name, time received, late, what was read out.")

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["solicitation", "envelope"], name="opened_once")]

    def __str__(self) -> str:
        return f"{self.solicitation_id} {self.envelope} opened"


class Evaluator(models.Model):
    """A person on the evaluation panel, with the declaration of no conflict of interest they made first."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="evaluators")
    user = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    declared_at = models.DateTimeField()
    declaration = models.TextField(max_length=limits.SHORT_TEXT)
    has_conflict = models.BooleanField(default=False, help_text="Declared a conflict: may not evaluate this case.")

    class Meta:
        ordering = ["declared_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["solicitation", "user"], name="evaluator_once")]

    def __str__(self) -> str:
        return f"{self.solicitation_id}: evaluator {self.user_id}"


class ComplianceCheck(models.Model):
    """RFQ and ITB: does a bid meet the requirements? Pass or fail, with the reason."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="compliance_checks")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="compliance_checks")
    passed = models.BooleanField()
    reason = models.TextField(max_length=limits.SHORT_TEXT)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["bid", "evaluator"], name="compliance_checked_once")]

    def __str__(self) -> str:
        return f"bid {self.bid_id}: {'pass' if self.passed else 'fail'}"


class Criterion(models.Model):
    """RFP: one weighted technical criterion; the weights of a solicitation add up to 100."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=limits.NAME)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class TechnicalScore(models.Model):
    """RFP: one evaluator's score of one bid on one criterion, 0 to 100."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="technical_scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="technical_scores")
    score = models.DecimalField(max_digits=5, decimal_places=2)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion", "evaluator"], name="scored_once"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="score_zero_to_hundred"),
        ]

    def __str__(self) -> str:
        return f"bid {self.bid_id} {self.criterion_id}: {self.score}"


class CommitteeDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    RETURN = "return", _("Return with comments")


class CommitteeReview(models.Model):
    """A contracts committee member's decision on a case; the award waits for an approval."""

    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE, related_name="committee_reviews")
    member = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    decision = models.CharField(_("decision"), max_length=8, choices=CommitteeDecision.choices)
    comments = models.TextField(_("comments"), max_length=limits.LONG_TEXT, blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.solicitation_id}: {self.decision}"


class Award(models.Model):
    solicitation = models.OneToOneField(Solicitation, on_delete=models.CASCADE, related_name="award")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(_("justification"), max_length=limits.LONG_TEXT)
    awarded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    awarded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.solicitation_id} awarded"


class Quotation(models.Model):
    """Micro-purchase: a quotation the buyer obtained (one, or up to three compared)."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="quotations")
    vendor = _public("vendors.Vendor", on_delete=models.DO_NOTHING, verbose_name=_("vendor"))
    vendor_name = models.CharField(max_length=limits.NAME)
    currency = models.CharField(_("currency"), max_length=3)
    lines = models.JSONField(help_text="Unit price per requisition line, as quoted.")
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2)
    total_usd = models.DecimalField(max_digits=16, decimal_places=2)
    reference = models.CharField(_("vendor's reference"), max_length=limits.REFERENCE, blank=True)
    recorded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["total_usd", "pk"]
        constraints = [models.CheckConstraint(condition=Q(total__gt=0), name="quotation_positive")]

    def __str__(self) -> str:
        return f"{self.vendor_name} {self.currency} {self.total}"


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVISED = "revised", _("Replaced by a revision")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseOrder(models.Model):
    """An issued order never changes: an amendment is a new revision under the same number."""

    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(_("number"), max_length=40)
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    vendor = _public("vendors.Vendor", on_delete=models.DO_NOTHING, verbose_name=_("vendor"))
    vendor_name = models.CharField(_("vendor"), max_length=limits.NAME)
    vendor_email = models.EmailField()
    vendor_language = models.CharField(max_length=10)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2)
    total_usd = models.DecimalField(_("total (USD)"), max_digits=16, decimal_places=2)
    terms = models.TextField(_("terms"), max_length=limits.LONG_TEXT)
    delivery_place = models.CharField(_("delivery place"), max_length=limits.NAME)
    delivery_date = models.DateField(_("delivery by"))
    charge_code = models.CharField(_("charge code"), max_length=60)
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ISSUED)
    change_note = models.TextField(_("what changed"), max_length=limits.SHORT_TEXT, blank=True)
    issued_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    issued_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True)
    cancel_reason = models.TextField(max_length=limits.SHORT_TEXT, blank=True)
    pdf = models.FileField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at", "-revision"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [models.UniqueConstraint(fields=["number", "revision"], name="order_revision_once")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.number} rev. {self.revision}" if self.revision else self.number


class OrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=limits.NAME)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit = models.CharField(max_length=30)
    unit_price = models.DecimalField(max_digits=16, decimal_places=4)
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["order", "position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


# -- after the order: receipt, the vendor's invoice and the three-way match --------------------


class GoodsReceipt(models.Model):
    """Goods or services received against an order, line by line; partial receipts add up.

    The receiver is an agency person who is neither the requisition's
    requester, its approver nor its buyer (UN Procurement Manual: four people).
    """

    order_number = models.CharField(_("purchase order"), max_length=40, db_index=True)
    reference = models.CharField(_("receipt"), max_length=50, unique=True)
    received_on = models.DateField(_("received on"))
    note = models.TextField(_("note"), max_length=limits.SHORT_TEXT, blank=True)
    received_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("received by"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")

    def __str__(self) -> str:
        return self.reference


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("order line"))
    quantity = models.DecimalField(_("quantity received"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["receipt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "position"], name="receipt_line_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.position}: {self.quantity}"


class ReceiptAttachment(models.Model):
    """A delivery note, a signed service completion, a photograph of what arrived."""

    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(max_length=300)
    name = models.CharField(_("file name"), max_length=limits.FILE_NAME)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class MatchSettings(models.Model):
    """The agency's tolerance on unit prices in the three-way match (one row; default 0 %)."""

    price_tolerance_percent = models.DecimalField(
        _("unit price tolerance (%)"), max_digits=5, decimal_places=2, default=Decimal("0.00")
    )
    set_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True)
    set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(price_tolerance_percent__gte=0, price_tolerance_percent__lte=100),
                name="match_tolerance_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.price_tolerance_percent} %"


class InvoiceStatus(models.TextChoices):
    HELD = "held", _("Held")
    RELEASED = "released", _("Payable")


class SupplierInvoice(models.Model):
    """The vendor's invoice against an order, matched with the order and its receipts line by line.

    A match releases it as payable (exported for the agency's ERP, where it is
    paid); a mismatch holds it with the reasons until a finance officer
    overrides with a justification.
    """

    order_number = models.CharField(_("purchase order"), max_length=40, db_index=True)
    vendor = _public("vendors.Vendor", on_delete=models.DO_NOTHING, verbose_name=_("vendor"))
    vendor_invoice_number = models.CharField(_("vendor's invoice number"), max_length=60)
    invoice_date = models.DateField(_("invoice date"))
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices)
    hold_reasons = models.JSONField(default=list, blank=True, help_text="Why the match failed, one per line.")
    tolerance_percent = models.DecimalField(max_digits=5, decimal_places=2, help_text="The tolerance applied.")
    recorded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    released_at = models.DateTimeField(_("payable since"), null=True, blank=True)
    override_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True)
    override_at = models.DateTimeField(null=True, blank=True)
    override_justification = models.TextField(_("justification"), max_length=limits.SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "vendor_invoice_number"], name="supplier_invoice_once"),
            models.CheckConstraint(condition=Q(total__gt=0), name="supplier_invoice_positive"),
        ]
        indexes = [models.Index(fields=["status", "-recorded_at"], name="supplier_invoice_status")]

    def __str__(self) -> str:
        return f"{self.vendor_invoice_number} ({self.order_number})"


class SupplierInvoiceLine(models.Model):
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("order line"))
    quantity = models.DecimalField(_("quantity invoiced"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="supplier_invoice_line_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplier_invoice_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="supplier_invoice_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.position}"
