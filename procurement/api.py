"""Procurement's API under /api/procurement/, with the same rules as the pages (the same services and selectors).

An agency's address: /api/procurement/requisitions/ (the caller's own; an
approver's or finance officer's: the whole agency's), raising one with its
lines, its documents, approving, rejecting, withdrawing, answering the
buyer's question, and the purchase orders with their PDF.

The facility portal: /api/procurement/cases/ is the queue of purchases across
agencies (from the ledger), a case by reference and every step of the buyer,
the evaluators, the opening officers and the contracts committee, each one
service call (`procurement.services`), in the case's agency schema.

Two things no answer ever carries: anything of a sealed bid before its
envelope is opened (only the counts "received" and "late"), and a vendor's
link token (it goes to the vendor by e-mail, and only its hash is stored).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from accounts.selectors import sees_whole_agency
from accounts.services import locked_out_message
from billing.models import Currency
from ledger.api import LedgerClockSerializer, ModuleQueueEntrySerializer, clocks_data
from ledger.models import Holder, LedgerEntry
from shared_platform import limits
from shared_platform.api import (
    FILE_RESPONSE,
    LARGEST_ID,
    PDF_RESPONSE,
    AwareDateTimeField,
    BoundedJSONParser,
    DecimalStringField,
    PersonField,
    id_check,
)
from shared_platform.errors import ApplicationError, form_errors_as_error
from shared_platform.schema import ErrorSerializer
from sourcing.models import LongTermAgreement
from sourcing.selectors.spend import requisition_split_flags
from tenants.models import Agency
from vendors.models import SupplyCategory, Vendor
from vendors.selectors import thresholds_in_force

from . import selectors, services
from .downloads import download, evaluation_pdf_response, opening_pdf_response, order_pdf_response, stored
from .forms.facility import QueueFilterForm
from .history import AGENCY_EVENT_DETAILS
from .models import (
    Award,
    Bid,
    CaseEvent,
    CommitteeDecision,
    CommitteeReview,
    ComplianceCheck,
    Criterion,
    Deviation,
    DeviationKind,
    Envelope,
    Evaluator,
    Invitation,
    Method,
    Opening,
    OrderLine,
    PurchaseOrder,
    Question,
    Quotation,
    Requisition,
    RequisitionAttachment,
    RequisitionLine,
    RequisitionStatus,
    Solicitation,
    TechnicalScore,
)
from .selectors import procurement_queue

UPLOAD_PARSERS = [MultiPartParser, FormParser, BoundedJSONParser]
# A reference is at most this long (e.g. UNDP-PR-000123); anything longer is not one.
REFERENCE_LENGTH = 40


# -- fields ---------------------------------------------------------------------------------------


def _id_field(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=LARGEST_ID, **options)


def _unit_prices(**options: Any) -> serializers.ListField:
    return serializers.ListField(
        child=DecimalStringField(max_digits=16, decimal_places=4, min_value=Decimal("0")),
        allow_empty=False,
        max_length=services.MAX_LINES,
        help_text="One unit price per requisition line, in the lines' order, as decimal strings.",
        **options,
    )


# -- what the answers carry ------------------------------------------------------------------------


class LineSerializer(serializers.ModelSerializer[RequisitionLine]):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[var-annotated]
    estimated_amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = RequisitionLine
        fields = ["position", "description", "category", "quantity", "unit", "estimated_unit_price", "estimated_amount"]
        read_only_fields = fields


class RequisitionAttachmentSerializer(serializers.ModelSerializer[RequisitionAttachment]):
    class Meta:
        model = RequisitionAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    class Meta:
        model = OrderLine
        fields = ["position", "description", "quantity", "unit", "unit_price", "amount"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer[PurchaseOrder]):
    display_number = serializers.CharField(read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "revision",
            "display_number",
            "status",
            "vendor_name",
            "currency",
            "total",
            "total_usd",
            "terms",
            "delivery_place",
            "delivery_date",
            "charge_code",
            "change_note",
            "issued_at",
            "cancelled_at",
            "cancel_reason",
            "lines",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer[CaseEvent]):
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    actor = PersonField()
    detail = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["kind", "kind_name", "at", "actor", "detail"]
        read_only_fields = fields

    def get_detail(self, event: CaseEvent) -> str:
        if self.context.get("facility") or event.kind in AGENCY_EVENT_DETAILS:
            return event.detail
        return ""


def _entry_of(requisition: Requisition) -> LedgerEntry | None:
    if requisition.entry_id is None:
        return None
    return LedgerEntry.objects.select_related("agency", "service", "assignee").filter(pk=requisition.entry_id).first()


class RequisitionSerializer(serializers.ModelSerializer[Requisition]):
    """A requisition as its agency's list shows it."""

    requester = PersonField()
    method = serializers.CharField(read_only=True, help_text="Empty until approved: micro, rfq, itb or rfp.")

    class Meta:
        model = Requisition
        fields = ["reference", "title", "status", "method", "estimated_total", "requester", "raised_at", "decided_at"]
        read_only_fields = fields


class RequisitionDetailSerializer(RequisitionSerializer):
    """A requisition with its lines, documents, history, orders and, once approved, its ledger figures."""

    approver = PersonField()
    buyer = PersonField()
    lines = LineSerializer(many=True, read_only=True)
    attachments = RequisitionAttachmentSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()
    request_status = serializers.SerializerMethodField(help_text="The ledger's status, once approved.")
    waiting_on_requester = serializers.SerializerMethodField(
        help_text="The buyer asked the requester a question; the clock is paused until they answer."
    )
    clocks = serializers.SerializerMethodField()

    class Meta(RequisitionSerializer.Meta):
        fields = [
            *RequisitionSerializer.Meta.fields,
            "justification",
            "delivery_place",
            "delivery_date",
            "charge_code",
            "approver",
            "decision_reason",
            "buyer",
            "method_reason",
            "lines",
            "attachments",
            "request_status",
            "waiting_on_requester",
            "clocks",
            "history",
            "orders",
        ]
        read_only_fields = fields

    def _entry(self, requisition: Requisition) -> LedgerEntry | None:
        cache = self.context.setdefault("entries", {})
        if requisition.pk not in cache:
            cache[requisition.pk] = _entry_of(requisition)
        return cache[requisition.pk]  # type: ignore[no-any-return]

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, requisition: Requisition) -> Any:
        events = requisition.events.select_related("actor")
        return EventSerializer(events, many=True, context=self.context).data

    @extend_schema_field(OrderSerializer(many=True))
    def get_orders(self, requisition: Requisition) -> Any:
        orders = requisition.orders.prefetch_related("lines").order_by("-issued_at", "-revision")
        return OrderSerializer(orders, many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_request_status(self, requisition: Requisition) -> str | None:
        entry = self._entry(requisition)
        return entry.status if entry is not None else None

    @extend_schema_field(serializers.BooleanField())
    def get_waiting_on_requester(self, requisition: Requisition) -> bool:
        entry = self._entry(requisition)
        return entry is not None and entry.status == "pending" and entry.held_by == Holder.REQUESTER

    @extend_schema_field(LedgerClockSerializer(many=True))
    def get_clocks(self, requisition: Requisition) -> Any:
        entry = self._entry(requisition)
        return clocks_data(entry) if entry is not None else []


# -- the facility's case: the requisition and its solicitation -------------------------------------


class DeviationSerializer(serializers.ModelSerializer[Deviation]):
    requested_by = PersonField()
    decided_by = PersonField()
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Deviation
        fields = [
            "id",
            "kind",
            "justification",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class QuotationSerializer(serializers.ModelSerializer[Quotation]):
    vendor = serializers.IntegerField(source="vendor_id", read_only=True)
    unit_prices = serializers.ListField(source="lines", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Quotation
        fields = ["id", "vendor", "vendor_name", "currency", "unit_prices", "total", "total_usd", "reference"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    """An invited vendor; its link's token is never here (it was e-mailed to the vendor)."""

    vendor = serializers.IntegerField(source="vendor_id", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "vendor", "vendor_name", "email", "language", "invited_at"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer[Question]):
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Question
        fields = ["id", "text", "asked_at", "answer", "answered_at"]
        read_only_fields = fields


class AmendmentSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    previous_deadline = serializers.DateTimeField(read_only=True)
    new_deadline = serializers.DateTimeField(read_only=True, allow_null=True)
    issued_at = serializers.DateTimeField(read_only=True)


class SolicitationDocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)


class CriterionSerializer(serializers.ModelSerializer[Criterion]):
    class Meta:
        model = Criterion
        fields = ["id", "name", "weight"]
        read_only_fields = fields


class SealedCountSerializer(serializers.Serializer[Any]):
    received = serializers.IntegerField(read_only=True, help_text="Bids in time that count (each vendor's last).")
    late = serializers.IntegerField(read_only=True, help_text="Bids after the deadline: kept, never opened.")


class ReadoutRowSerializer(serializers.Serializer[Any]):
    """One bidder read out at an opening: what arrived when, and (opened envelopes) its prices."""

    bid = serializers.IntegerField(read_only=True)
    vendor = serializers.CharField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True)
    on_paper = serializers.BooleanField(read_only=True)
    late = serializers.BooleanField(read_only=True)
    technical = serializers.BooleanField(required=False, help_text="The technical envelope was read.")
    below_minimum = serializers.BooleanField(required=False, help_text="Below the minimum technical score.")
    currency = serializers.CharField(required=False, max_length=3)
    total = serializers.CharField(required=False, max_length=30)
    total_usd = serializers.CharField(required=False, max_length=30)


class OpeningSerializer(serializers.ModelSerializer[Opening]):
    first_officer = PersonField()
    second_officer = PersonField()
    readout = serializers.SerializerMethodField()

    class Meta:
        model = Opening
        fields = ["id", "envelope", "opened_at", "first_officer", "second_officer", "readout"]
        read_only_fields = fields

    @extend_schema_field(ReadoutRowSerializer(many=True))
    def get_readout(self, opening: Opening) -> Any:
        return opening.readout


class BidSerializer(serializers.ModelSerializer[Bid]):
    """An opened bid. Its prices are null until its (financial) envelope is opened; a late bid never is."""

    vendor_name = serializers.CharField(source="invitation.vendor_name", read_only=True)
    invitation = serializers.IntegerField(source="invitation_id", read_only=True)
    unit_prices = serializers.ListField(source="lines", child=serializers.CharField(), read_only=True, allow_null=True)
    technical_opened_at = serializers.DateTimeField(read_only=True, allow_null=True)
    financial_opened_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "invitation",
            "vendor_name",
            "received_at",
            "on_paper",
            "late",
            "technical_opened_at",
            "technical_proposal",
            "financial_opened_at",
            "currency",
            "total",
            "total_usd",
            "unit_prices",
            "technical_score",
            "financial_score",
            "combined_score",
            "compliant",
        ]
        read_only_fields = fields


class EvaluatorSerializer(serializers.ModelSerializer[Evaluator]):
    user = PersonField()

    class Meta:
        model = Evaluator
        fields = ["user", "declared_at", "declaration", "has_conflict"]
        read_only_fields = fields


class ComplianceSerializer(serializers.ModelSerializer[ComplianceCheck]):
    evaluator = PersonField(source="evaluator.user")

    class Meta:
        model = ComplianceCheck
        fields = ["bid", "evaluator", "passed", "reason", "recorded_at"]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer[TechnicalScore]):
    evaluator = PersonField(source="evaluator.user")

    class Meta:
        model = TechnicalScore
        fields = ["bid", "criterion", "evaluator", "score", "recorded_at"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer[CommitteeReview]):
    member = PersonField()

    class Meta:
        model = CommitteeReview
        fields = ["member", "decision", "comments", "decided_at"]
        read_only_fields = fields


class AwardSerializer(serializers.ModelSerializer[Award]):
    vendor_name = serializers.CharField(source="bid.invitation.vendor_name", read_only=True)
    awarded_by = PersonField()

    class Meta:
        model = Award
        fields = ["bid", "vendor_name", "justification", "awarded_by", "awarded_at"]
        read_only_fields = fields


def _opened(solicitation: Solicitation) -> bool:
    """The bids' first opening is recorded: from then on they are listed (prices once their envelope opens)."""
    return solicitation.openings.exclude(envelope=Envelope.FINANCIAL).exists()


class SolicitationSerializer(serializers.ModelSerializer[Solicitation]):
    """The solicitation's state. Before the opening its bids are only counted: `sealed` and an empty `bids`."""

    technical_locked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    evaluated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    recommended_bid = serializers.IntegerField(source="recommended_bid_id", read_only=True, allow_null=True)
    invitations = InvitationSerializer(many=True, read_only=True)
    documents = SolicitationDocumentSerializer(many=True, read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    openings = OpeningSerializer(many=True, read_only=True)
    evaluators = EvaluatorSerializer(many=True, read_only=True)
    committee_reviews = ReviewSerializer(many=True, read_only=True)
    deadline_passed = serializers.SerializerMethodField()
    sealed = serializers.SerializerMethodField()
    bids = serializers.SerializerMethodField()
    compliance_checks = serializers.SerializerMethodField()
    technical_scores = serializers.SerializerMethodField()
    award = serializers.SerializerMethodField()

    class Meta:
        model = Solicitation
        fields = [
            "reference",
            "method",
            "status",
            "instructions",
            "deadline",
            "deadline_passed",
            "issued_at",
            "technical_weight",
            "minimum_technical_score",
            "technical_locked_at",
            "invitations",
            "documents",
            "questions",
            "amendments",
            "criteria",
            "sealed",
            "openings",
            "bids",
            "evaluators",
            "compliance_checks",
            "technical_scores",
            "recommended_bid",
            "evaluated_at",
            "committee_reviews",
            "award",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_deadline_passed(self, solicitation: Solicitation) -> bool:
        return selectors.deadline_passed(solicitation=solicitation)

    @extend_schema_field(SealedCountSerializer())
    def get_sealed(self, solicitation: Solicitation) -> Any:
        count = selectors.sealed_count(solicitation=solicitation)
        return {"received": count.received, "late": count.late}

    @extend_schema_field(BidSerializer(many=True))
    def get_bids(self, solicitation: Solicitation) -> Any:
        if not _opened(solicitation):
            return []
        bids = Bid.objects.filter(solicitation=solicitation, superseded=False).select_related("invitation")
        return BidSerializer(bids.order_by("late", "invitation__vendor_name", "pk"), many=True).data

    @extend_schema_field(ComplianceSerializer(many=True))
    def get_compliance_checks(self, solicitation: Solicitation) -> Any:
        checks = ComplianceCheck.objects.filter(bid__solicitation=solicitation).select_related("evaluator__user")
        return ComplianceSerializer(checks, many=True).data

    @extend_schema_field(ScoreSerializer(many=True))
    def get_technical_scores(self, solicitation: Solicitation) -> Any:
        scores = (
            TechnicalScore.objects.filter(bid__solicitation=solicitation)
            .select_related("evaluator__user")
            .order_by("bid_id", "criterion_id", "evaluator_id")
        )
        return ScoreSerializer(scores, many=True).data

    @extend_schema_field(AwardSerializer(allow_null=True))
    def get_award(self, solicitation: Solicitation) -> Any:
        award = Award.objects.filter(solicitation=solicitation).select_related("bid__invitation").first()
        return AwardSerializer(award).data if award is not None else None


class EarlierPurchaseSerializer(serializers.Serializer[Any]):
    order_number = serializers.CharField()
    requisition_reference = serializers.CharField()
    ordered_on = serializers.DateField()
    amount_usd = serializers.DecimalField(max_digits=16, decimal_places=2)


class SplitFlagSerializer(serializers.Serializer[Any]):
    """A split-purchase flag recorded on the purchase: what was found and the explanation it went ahead with."""

    stage = serializers.CharField(source="flag.stage", help_text="approval or order")
    vendor = serializers.CharField(source="flag.vendor.legal_name")
    category = serializers.CharField(source="flag.category.code")
    threshold = serializers.CharField(source="flag.method_threshold", help_text="micro or rfq: the method it ends")
    threshold_usd = serializers.DecimalField(source="flag.threshold_usd", max_digits=16, decimal_places=2)
    this_amount_usd = serializers.DecimalField(source="flag.this_amount_usd", max_digits=16, decimal_places=2)
    total_usd = serializers.DecimalField(source="flag.total_usd", max_digits=16, decimal_places=2)
    purchases = EarlierPurchaseSerializer(many=True, help_text="The earlier purchases it names.")
    explanation = serializers.CharField(source="flag.explanation")
    explained_by = PersonField(source="flag.explained_by")
    raised_at = serializers.DateTimeField(source="flag.raised_at")


class CaseSerializer(RequisitionDetailSerializer):
    """A purchase as the facility works it: the requisition, its ledger step, and every record of its steps."""

    agency = serializers.SerializerMethodField()
    step = serializers.SerializerMethodField()
    service = serializers.SerializerMethodField()
    method_by_value = serializers.SerializerMethodField(help_text="The method the estimated total calls for.")
    committee_needed = serializers.SerializerMethodField(help_text="The estimate is above the committee threshold.")
    deviations = DeviationSerializer(many=True, read_only=True)
    quotations = QuotationSerializer(many=True, read_only=True)
    solicitation = serializers.SerializerMethodField()
    split_flags = serializers.SerializerMethodField(help_text="Split-purchase flags recorded at approval and order.")
    agreement = serializers.SerializerMethodField(help_text="A call-off's long-term agreement (its reference).")

    class Meta(RequisitionDetailSerializer.Meta):
        fields = [
            "agency",
            *RequisitionDetailSerializer.Meta.fields,
            "step",
            "service",
            "method_by_value",
            "committee_needed",
            "deviations",
            "quotations",
            "solicitation",
            "agreement",
            "split_flags",
        ]
        read_only_fields = fields

    @extend_schema_field(SplitFlagSerializer(many=True))
    def get_split_flags(self, requisition: Requisition) -> Any:
        entry = self._entry(requisition)
        if entry is None:
            return []
        rows = requisition_split_flags(agency=entry.agency, reference=requisition.reference)
        return SplitFlagSerializer(rows, many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_agreement(self, requisition: Requisition) -> str | None:
        if requisition.agreement_id is None:
            return None
        return LongTermAgreement.objects.filter(pk=requisition.agreement_id).values_list("reference", flat=True).first()

    @extend_schema_field(serializers.CharField())
    def get_agency(self, requisition: Requisition) -> str:
        entry = self._entry(requisition)
        return entry.agency.code if entry is not None else ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_step(self, requisition: Requisition) -> str | None:
        entry = self._entry(requisition)
        return entry.step if entry is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_service(self, requisition: Requisition) -> str | None:
        entry = self._entry(requisition)
        return entry.service.code if entry is not None else None

    def _thresholds(self, requisition: Requisition) -> Any:
        entry = self._entry(requisition)
        if entry is None:
            return None
        on = timezone.localtime(requisition.decided_at or timezone.now()).date()
        return thresholds_in_force(agency=entry.agency, on=on)

    @extend_schema_field(serializers.ChoiceField(choices=Method.choices, allow_null=True))
    def get_method_by_value(self, requisition: Requisition) -> str | None:
        thresholds = self._thresholds(requisition)
        if thresholds is None:
            return None
        return str(selectors.method_for(total=requisition.estimated_total, thresholds=thresholds))

    @extend_schema_field(serializers.BooleanField())
    def get_committee_needed(self, requisition: Requisition) -> bool:
        thresholds = self._thresholds(requisition)
        return thresholds is not None and requisition.estimated_total > thresholds.committee_above

    @extend_schema_field(SolicitationSerializer(allow_null=True))
    def get_solicitation(self, requisition: Requisition) -> Any:
        solicitation = Solicitation.objects.filter(requisition=requisition).first()
        return SolicitationSerializer(solicitation).data if solicitation is not None else None


# -- what the callers send -------------------------------------------------------------------------


class LineInputSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=limits.NAME)
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=SupplyCategory.objects.filter(is_active=True),
        help_text="A supply category's code.",
    )
    quantity = DecimalStringField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    unit = serializers.CharField(max_length=30, help_text="each, box, day…")
    estimated_unit_price = DecimalStringField(max_digits=14, decimal_places=2, min_value=Decimal("0"))


class RequisitionRaiseSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=limits.NAME)
    justification = serializers.CharField(max_length=limits.LONG_TEXT)
    delivery_place = serializers.CharField(max_length=limits.NAME)
    delivery_date = serializers.DateField(help_text="Today or later.")
    charge_code = serializers.CharField(max_length=60)
    lines = LineInputSerializer(many=True, allow_empty=False, max_length=services.MAX_LINES)  # type: ignore[call-arg]


class FilesSerializer(serializers.Serializer[Any]):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False, max_length=10)


class PurchaseReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)


class AnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=limits.SHORT_TEXT)


class RequisitionFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=RequisitionStatus.choices, required=False)


class MethodInputSerializer(serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=Method.choices)
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)


class DeviationInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DeviationKind.choices)
    justification = serializers.CharField(max_length=limits.LONG_TEXT)


class DeviationDecisionSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(
        max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="", help_text="Required to refuse."
    )


class QuestionInputSerializer(serializers.Serializer[Any]):
    question = serializers.CharField(max_length=limits.SHORT_TEXT)


class QuotationInputSerializer(serializers.Serializer[Any]):
    vendor = _id_field(help_text="A vendor's id on the roster.")
    currency = serializers.ChoiceField(choices=Currency.choices)
    unit_prices = _unit_prices()
    reference = serializers.CharField(max_length=limits.REFERENCE, required=False, allow_blank=True, default="")


class CriterionInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=limits.NAME)
    weight = serializers.IntegerField(min_value=1, max_value=100)


class SolicitationInputSerializer(serializers.Serializer[Any]):
    instructions = serializers.CharField(max_length=limits.LONG_TEXT)
    deadline = AwareDateTimeField(help_text="In the future, with its time zone.")
    vendors = serializers.ListField(
        child=_id_field(), allow_empty=False, max_length=100, help_text="The invited vendors' ids on the roster."
    )
    criteria = CriterionInputSerializer(  # type: ignore[call-arg]
        many=True, required=False, max_length=50, help_text="RFP: weighted technical criteria adding up to 100."
    )
    technical_weight = serializers.IntegerField(
        min_value=1, max_value=99, required=False, default=70, help_text="RFP: the technical share (%)."
    )
    minimum_technical_score = DecimalStringField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        default=Decimal("70.00"),
        help_text="RFP: the technical score (%) a bid needs for its financial envelope to be opened.",
    )
    documents = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=10)


class QuestionAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=limits.LONG_TEXT)


class AmendmentInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=limits.LONG_TEXT)
    new_deadline = AwareDateTimeField(required=False, allow_null=True, default=None)


class PaperBidSerializer(serializers.Serializer[Any]):
    invitation = _id_field(help_text="The invitation of the vendor whose bid arrived on paper.")
    currency = serializers.ChoiceField(choices=Currency.choices)
    unit_prices = _unit_prices()
    technical_proposal = serializers.CharField(
        max_length=limits.LONG_TEXT, required=False, allow_blank=True, default="", help_text="RFP only."
    )
    received_at = AwareDateTimeField(help_text="When the envelope arrived; not in the future.")


class OpeningInputSerializer(serializers.Serializer[Any]):
    """The caller is the first officer; the second signs with their own e-mail and password."""

    second_officer_email = serializers.EmailField(max_length=254)
    second_officer_password = serializers.CharField(
        max_length=limits.PASSWORD, trim_whitespace=False, style={"input_type": "password"}
    )


class DeclarationSerializer(serializers.Serializer[Any]):
    no_conflict = serializers.BooleanField(help_text="false declares a conflict: recorded, and you may not evaluate.")
    statement = serializers.CharField(
        max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="", help_text="Required for a conflict."
    )


class ComplianceInputSerializer(serializers.Serializer[Any]):
    bid = _id_field()
    passed = serializers.BooleanField()
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)


class CriterionScoreSerializer(serializers.Serializer[Any]):
    criterion = _id_field()
    score = DecimalStringField(max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"))


class ScoresInputSerializer(serializers.Serializer[Any]):
    bid = _id_field()
    scores = CriterionScoreSerializer(many=True, allow_empty=False, max_length=50)  # type: ignore[call-arg]


class CommitteeInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=CommitteeDecision.choices)
    comments = serializers.CharField(
        max_length=limits.LONG_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required unless approving.",
    )


class AwardInputSerializer(serializers.Serializer[Any]):
    bid = _id_field()
    justification = serializers.CharField(max_length=limits.LONG_TEXT)


def _split_explanation() -> serializers.CharField:
    return serializers.CharField(
        max_length=limits.SHORT_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "Needed when the step may split a purchase under a threshold (refused with procurement.split_purchase, "
            "409, naming the earlier orders, without it); recorded as a split-purchase flag."
        ),
    )


class ApproveInputSerializer(serializers.Serializer[Any]):
    split_explanation = _split_explanation()


class OrderInputSerializer(serializers.Serializer[Any]):
    terms = serializers.CharField(max_length=limits.LONG_TEXT)
    quotation = _id_field(required=False, allow_null=True, default=None, help_text="Micro-purchase: the quotation.")
    split_explanation = _split_explanation()


class OrderReviseSerializer(serializers.Serializer[Any]):
    change_note = serializers.CharField(max_length=limits.SHORT_TEXT)
    terms = serializers.CharField(max_length=limits.LONG_TEXT, required=False, allow_null=True, default=None)
    delivery_date = serializers.DateField(required=False, allow_null=True, default=None)


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _not_here(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={field: [message]})


def _reference_check(reference: str) -> None:
    if len(reference) > REFERENCE_LENGTH:
        raise Http404("No such purchase.")


_pk_check = id_check


def _attachment_response(requisition: Requisition, pk: int) -> HttpResponse:
    _pk_check(pk)
    attachment = RequisitionAttachment.objects.filter(requisition=requisition, pk=pk).first()
    content = stored(attachment.file) if attachment is not None else None
    if attachment is None or content is None:
        raise Http404("No such file.")
    return download(content, filename=attachment.name, content_type=attachment.content_type)


# -- an agency's address -------------------------------------------------------------------------


class _AgencySide(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.tenant.is_facility:  # type: ignore[attr-defined]
            raise Http404(
                "Requisitions are raised on the agency's own address; the facility uses /api/procurement/cases/."
            )

    def requisition(self, request: Request, reference: str) -> Requisition:
        """The agency's requisition if the caller may see it (approvers and finance: all; others: their own)."""
        _reference_check(reference)
        requisition = selectors.requisition_get(reference=reference)
        if requisition is None:
            raise Http404("No such requisition here.")
        whole = sees_whole_agency(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
        if not whole and requisition.requester_id != request.user.pk:
            raise Http404("No such requisition here.")
        return requisition

    def detail(self, requisition: Requisition, code: int = status.HTTP_200_OK) -> Response:
        requisition = Requisition.objects.get(pk=requisition.pk)
        return Response(RequisitionDetailSerializer(requisition).data, status=code)


@extend_schema(
    tags=["procurement"],
    parameters=[OpenApiParameter("status", str, enum=RequisitionStatus.values, description="One status.")],
)
class RequisitionListApi(_AgencySide, ListAPIView):  # type: ignore[type-arg]
    """The caller's requisitions (an approver's or finance officer's: the agency's), newest first; POST raises one."""

    serializer_class = RequisitionSerializer

    def get_queryset(self) -> Any:
        filters = RequisitionFilterSerializer(data=self.request.query_params)
        if not filters.is_valid():
            raise ApplicationError(
                "; ".join(f"{name}: {' '.join(map(str, errors))}" for name, errors in filters.errors.items()),
                code="procurement.invalid_filter",
                fields={name: [str(error) for error in errors] for name, errors in filters.errors.items()},
            )
        agency = self.request.tenant  # type: ignore[attr-defined]
        requisitions = selectors.requisitions_visible(
            user=self.request.user,  # type: ignore[arg-type]
            agency=agency,
            sees_whole_agency=sees_whole_agency(user=self.request.user, agency=agency),
        )
        if filters.validated_data.get("status"):
            requisitions = requisitions.filter(status=filters.validated_data["status"])
        return requisitions.select_related("requester")

    @extend_schema(request=RequisitionRaiseSerializer, responses={201: RequisitionDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(RequisitionRaiseSerializer, request)
        lines = [services.LineInput(**line) for line in data.pop("lines")]
        requisition = services.requisition_raise(
            agency=request.tenant,  # type: ignore[attr-defined]
            requester=request.user,  # type: ignore[arg-type]
            lines=lines,
            **data,
        )
        return self.detail(requisition, status.HTTP_201_CREATED)


@extend_schema(tags=["procurement"])
class RequisitionDetailApi(_AgencySide):
    """A requisition with its lines, documents, status, method, history and purchase orders."""

    @extend_schema(responses=RequisitionDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return self.detail(self.requisition(request, reference))


@extend_schema(tags=["procurement"])
class RequisitionApproveApi(_AgencySide):
    """The agency's approver approves (never their own): the purchase goes to the facility's buyers."""

    @extend_schema(request=ApproveInputSerializer, responses=RequisitionDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        requisition = self.requisition(request, reference)
        data = _valid(ApproveInputSerializer, request)
        services.requisition_approve(
            agency=request.tenant,  # type: ignore[attr-defined]
            requisition=requisition,
            approver=request.user,  # type: ignore[arg-type]
            split_explanation=data["split_explanation"],
        )
        return self.detail(requisition)


@extend_schema(tags=["procurement"])
class RequisitionRejectApi(_AgencySide):
    """The agency's approver rejects, saying why; the requester is told."""

    @extend_schema(request=PurchaseReasonSerializer, responses=RequisitionDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        requisition = self.requisition(request, reference)
        reason = _valid(PurchaseReasonSerializer, request)["reason"]
        services.requisition_reject(
            agency=request.tenant,  # type: ignore[attr-defined]
            requisition=requisition,
            approver=request.user,  # type: ignore[arg-type]
            reason=reason,
        )
        return self.detail(requisition)


@extend_schema(tags=["procurement"])
class RequisitionWithdrawApi(_AgencySide):
    """The requester withdraws a requisition not yet ordered, saying why."""

    @extend_schema(request=PurchaseReasonSerializer, responses=RequisitionDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        requisition = self.requisition(request, reference)
        reason = _valid(PurchaseReasonSerializer, request)["reason"]
        services.requisition_withdraw(requisition=requisition, by=request.user, reason=reason)  # type: ignore[arg-type]
        return self.detail(requisition)


@extend_schema(tags=["procurement"])
class RequisitionAnswerApi(_AgencySide):
    """The requester answers the buyer's question; the clock runs again."""

    @extend_schema(request=AnswerSerializer, responses=RequisitionDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        requisition = self.requisition(request, reference)
        answer = _valid(AnswerSerializer, request)["answer"]
        services.case_requester_answer(requisition=requisition, answer=answer, by=request.user)  # type: ignore[arg-type]
        return self.detail(requisition)


@extend_schema(tags=["procurement"])
class RequisitionAttachmentsApi(_AgencySide):
    """The requester adds documents (specifications, quotes received) as multipart `files`."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": FilesSerializer}, responses={201: RequisitionDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        requisition = self.requisition(request, reference)
        if requisition.requester_id != request.user.pk:
            raise ApplicationError(
                gettext("Only the requester adds documents to a requisition."),
                code="procurement.forbidden",
                status_code=403,
            )
        files = _valid(FilesSerializer, request)["files"]
        services.requisition_attach(requisition=requisition, files=files, by=request.user)  # type: ignore[arg-type]
        return self.detail(requisition, status.HTTP_201_CREATED)


@extend_schema(tags=["procurement"], responses=FILE_RESPONSE)
class RequisitionAttachmentApi(_AgencySide):
    def get(self, request: Request, reference: str, pk: int) -> HttpResponse:
        return _attachment_response(self.requisition(request, reference), pk)


@extend_schema(tags=["procurement"])
class RequisitionOrdersApi(_AgencySide):
    """The purchase orders of a requisition, every revision, the one in force first."""

    pagination_class = None

    @extend_schema(responses=OrderSerializer(many=True))
    def get(self, request: Request, reference: str) -> Response:
        requisition = self.requisition(request, reference)
        orders = requisition.orders.prefetch_related("lines").order_by("-issued_at", "-revision")
        return Response(OrderSerializer(orders, many=True).data)


@extend_schema(tags=["procurement"], responses=PDF_RESPONSE)
class RequisitionOrderPdfApi(_AgencySide):
    def get(self, request: Request, reference: str, pk: int) -> HttpResponse:
        requisition = self.requisition(request, reference)
        _pk_check(pk)
        order = requisition.orders.filter(pk=pk).first()
        if order is None:
            raise Http404("No such order.")
        return order_pdf_response(order)


# -- the facility portal -------------------------------------------------------------------------


class ReadsProcurementCases(FacilityPortalOnly, BasePermission):
    """The facility's staff on the portal: procurement officers and the manager act, the others read."""

    message = gettext_lazy("Only the facility's staff see procurement cases.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.tenant.is_facility and selectors.is_procurement_reader(user=request.user))


class _FacilitySide(APIView):
    permission_classes = [MayUseThisAddress, ReadsProcurementCases]

    @contextmanager
    def case(self, reference: str) -> Iterator[Requisition]:
        """The purchase, with the connection in its agency's schema while the view needs it; 404 if none."""
        _reference_check(reference)
        with selectors.agency_case(reference=reference) as requisition:
            yield requisition

    def detail(self, requisition: Requisition, code: int = status.HTTP_200_OK) -> Response:
        requisition = Requisition.objects.get(pk=requisition.pk)
        return Response(CaseSerializer(requisition, context={"facility": True}).data, status=code)


@extend_schema(
    tags=["procurement"],
    parameters=[
        OpenApiParameter("agency", str, description="Agency code."),
        OpenApiParameter("step", str, description="awaiting_buyer, sourcing, bidding, evaluation, committee, …"),
        OpenApiParameter("service", str, description="A procurement service's code (the method): PRC-RFQ, …"),
        OpenApiParameter("buyer", str, enum=["mine", "none"], description="Mine, or nobody's yet."),
        OpenApiParameter("state", str, enum=["active", "overdue", "all"], description="active (default), …"),
    ],
)
class CaseListApi(_FacilitySide, ListAPIView):  # type: ignore[type-arg]
    """The purchases of every agency, from the ledger, the most urgent first (overdue, then soonest due)."""

    serializer_class = ModuleQueueEntrySerializer

    def get_queryset(self) -> Any:
        params = {key: value for key, value in self.request.query_params.items() if key not in ("page", "page_size")}
        form = QueueFilterForm(params)
        if params and not form.is_valid():
            raise form_errors_as_error(form, code="procurement.invalid_filter")
        return procurement_queue(user=self.request.user, filters=form.filters())


@extend_schema(tags=["procurement"])
class CaseDetailApi(_FacilitySide):
    """A purchase: the requisition, its step, deviations, quotations, the solicitation (bids only counted
    until they are opened), evaluation, committee, award and orders."""

    @extend_schema(responses=CaseSerializer)
    def get(self, request: Request, reference: str) -> Response:
        with self.case(reference) as requisition:
            return self.detail(requisition)


class _CaseStep(_FacilitySide):
    """One step on a case: its input read by `input_serializer`, then one service call in `act`."""

    input_serializer: type[serializers.Serializer[Any]] | None = None
    created = False

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str, **kwargs: Any) -> Response:
        data = _valid(self.input_serializer, request) if self.input_serializer else {}
        with self.case(reference) as requisition:
            self.act(request, requisition, data, **kwargs)
            return self.detail(requisition, status.HTTP_201_CREATED if self.created else status.HTTP_200_OK)


def _step_schema(input_serializer: Any, *, created: bool = False, extra: dict[int, Any] | None = None) -> Any:
    code = 201 if created else 200
    return extend_schema(
        tags=["procurement"], request=input_serializer, responses={code: CaseSerializer, **(extra or {})}
    )


def _solicitation_of(requisition: Requisition) -> Solicitation:
    solicitation = Solicitation.objects.filter(requisition=requisition).select_related("requisition").first()
    if solicitation is None:
        raise ApplicationError(
            gettext("No solicitation has gone out for this purchase."),
            code="procurement.no_solicitation",
            status_code=409,
        )
    return solicitation


def _bid_of(requisition: Requisition, pk: int) -> Bid:
    bid = Bid.objects.filter(solicitation__requisition=requisition, pk=pk).select_related("invitation").first()
    if bid is None:
        raise _not_here("bid", gettext("That bid is not one of this purchase's."))
    return bid


def _agency_of(requisition: Requisition) -> Agency:
    entry = selectors.case_entry(reference=requisition.reference)
    if entry is None:
        raise Http404("No such purchase.")
    return entry.agency


@_step_schema(None)
class TakeApi(_CaseStep):
    """A procurement officer takes an approved purchase as its buyer (never its requester or approver)."""

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.requisition_take(requisition=requisition, buyer=request.user)  # type: ignore[arg-type]


@_step_schema(MethodInputSerializer)
class MethodApi(_CaseStep):
    """The buyer sets another method, saying why; the request moves to that method's service and target."""

    input_serializer = MethodInputSerializer

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.method_change(requisition=requisition, by=request.user, **data)  # type: ignore[arg-type]


@_step_schema(DeviationInputSerializer, created=True)
class DeviationApi(_CaseStep):
    """The buyer asks, in writing, to depart from the method's rule; the facility manager decides."""

    input_serializer = DeviationInputSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.deviation_request(requisition=requisition, by=request.user, **data)  # type: ignore[arg-type]


@_step_schema(DeviationDecisionSerializer)
class DeviationDecideApi(_CaseStep):
    """The facility manager approves or refuses a deviation (a refusal says why)."""

    input_serializer = DeviationDecisionSerializer

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        _pk_check(kwargs["pk"])
        deviation = requisition.deviations.filter(pk=kwargs["pk"]).first()
        if deviation is None:
            raise Http404("No such deviation.")
        services.deviation_decide(deviation=deviation, approve=data["approve"], note=data["note"], by=request.user)  # type: ignore[arg-type]


@_step_schema(QuestionInputSerializer)
class AskRequesterApi(_CaseStep):
    """The buyer asks the requester a question; the clock pauses until they answer."""

    input_serializer = QuestionInputSerializer

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.case_ask_requester(requisition=requisition, question=data["question"], by=request.user)  # type: ignore[arg-type]


def _vendor(pk: int, field: str) -> Vendor:
    vendor = Vendor.objects.filter(pk=pk).first()
    if vendor is None:
        raise _not_here(field, gettext("There is no vendor %(id)d on the roster.") % {"id": pk})
    return vendor


@_step_schema(QuotationInputSerializer, created=True)
class QuotationApi(_CaseStep):
    """Micro-purchase: the buyer records a quotation obtained (one, or up to three compared)."""

    input_serializer = QuotationInputSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.quotation_record(
            requisition=requisition,
            vendor=_vendor(data["vendor"], "vendor"),
            currency=data["currency"],
            unit_prices=data["unit_prices"],
            reference=data["reference"],
            by=request.user,  # type: ignore[arg-type]
        )


@_step_schema(SolicitationInputSerializer, created=True)
class SolicitationApi(_CaseStep):
    """The buyer issues the RFQ, ITB or RFP: each invited vendor gets a personal link by e-mail (never
    in this answer). JSON, or multipart with `documents` files."""

    input_serializer = SolicitationInputSerializer
    created = True
    parser_classes = UPLOAD_PARSERS

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        found = {vendor.pk: vendor for vendor in Vendor.objects.filter(pk__in=data["vendors"])}
        unknown = [str(pk) for pk in data["vendors"] if pk not in found]
        if unknown:
            raise _not_here(
                "vendors", gettext("No vendor on the roster has the id %(ids)s.") % {"ids": ", ".join(unknown)}
            )
        services.solicitation_issue(
            requisition=requisition,
            by=request.user,  # type: ignore[arg-type]
            instructions=data["instructions"],
            deadline=data["deadline"],
            vendors=[found[pk] for pk in data["vendors"]],
            documents=data["documents"],
            criteria=[services.CriterionInput(**criterion) for criterion in data.get("criteria", [])],
            technical_weight=data["technical_weight"],
            minimum_technical_score=data["minimum_technical_score"],
        )


@_step_schema(None)
class InvitationRenewApi(_CaseStep):
    """A new personal link for an invited vendor who lost theirs, e-mailed to them; the old one stops working."""

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        _pk_check(kwargs["pk"])
        invitation = Invitation.objects.filter(solicitation__requisition=requisition, pk=kwargs["pk"]).first()
        if invitation is None:
            raise Http404("No such invitation.")
        services.invitation_link_renew(invitation=invitation, by=request.user)  # type: ignore[arg-type]


@_step_schema(QuestionAnswerSerializer)
class QuestionAnswerApi(_CaseStep):
    """The buyer answers a vendor's question; it goes to every invitee without saying who asked."""

    input_serializer = QuestionAnswerSerializer

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        _pk_check(kwargs["pk"])
        question = Question.objects.filter(solicitation__requisition=requisition, pk=kwargs["pk"]).first()
        if question is None:
            raise Http404("No such question.")
        services.question_answer(question=question, answer=data["answer"], by=request.user)  # type: ignore[arg-type]


@_step_schema(AmendmentInputSerializer, created=True)
class AmendmentApi(_CaseStep):
    """The buyer amends the solicitation before its deadline, telling every invitee; it may move the deadline."""

    input_serializer = AmendmentInputSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.amendment_issue(solicitation=_solicitation_of(requisition), by=request.user, **data)  # type: ignore[arg-type]


@_step_schema(PaperBidSerializer, created=True)
class PaperBidApi(_CaseStep):
    """The buyer records a bid received on paper, with the time it arrived; it is sealed at once."""

    input_serializer = PaperBidSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        invitation = (
            Invitation.objects.filter(solicitation__requisition=requisition, pk=data["invitation"])
            .select_related("solicitation__requisition")
            .first()
        )
        if invitation is None:
            raise _not_here("invitation", gettext("That vendor is not invited to this solicitation."))
        services.bid_submit(
            invitation=invitation,
            currency=data["currency"],
            unit_prices=data["unit_prices"],
            technical_proposal=data["technical_proposal"],
            at=data["received_at"],
            on_paper_by=request.user,  # type: ignore[arg-type]
        )


def _second_officer(request: Request, email: str, password: str) -> User:
    """The second opening officer, signing with their password: counted by the one sign-in lockout
    (accounts/lockout.py), as the opening page does."""
    django_request = request._request
    second = authenticate(django_request, email=email.strip().lower(), password=password)
    if getattr(django_request, "axes_locked_out", False):
        django_request.axes_locked_out = False  # type: ignore[attr-defined]  # our answer says it, not axes' page
        raise ApplicationError(locked_out_message(), code="auth.locked_out", status_code=429)
    if second is None:
        message = gettext("That e-mail address and password do not match an active account.")
        raise ApplicationError(message, code="auth.invalid_credentials", fields={"second_officer_password": [message]})
    return second  # type: ignore[return-value]


@_step_schema(
    OpeningInputSerializer,
    created=True,
    extra={429: OpenApiResponse(ErrorSerializer, description="Too many wrong passwords for the second officer.")},
)
class OpeningApi(_CaseStep):
    """Two officers open the bids after the deadline (RFP: the technical envelopes, then, once the
    technical scores are locked, the qualified financial ones). The caller is the first officer."""

    input_serializer = OpeningInputSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        solicitation = _solicitation_of(requisition)
        second = _second_officer(request, data["second_officer_email"], data["second_officer_password"])
        services.bids_open(solicitation=solicitation, officers=[request.user, second])  # type: ignore[list-item]


@_step_schema(DeclarationSerializer, created=True)
class DeclarationApi(_CaseStep):
    """An evaluator declares, before evaluating, no conflict of interest with the bidders (or one)."""

    input_serializer = DeclarationSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.evaluator_declare(solicitation=_solicitation_of(requisition), user=request.user, **data)  # type: ignore[arg-type]


@_step_schema(ComplianceInputSerializer)
class ComplianceApi(_CaseStep):
    """RFQ and ITB: the evaluator's finding on a bid, pass or fail, with the reason."""

    input_serializer = ComplianceInputSerializer

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        bid = _bid_of(requisition, data["bid"])
        services.compliance_record(bid=bid, by=request.user, passed=data["passed"], reason=data["reason"])  # type: ignore[arg-type]


@_step_schema(ScoresInputSerializer)
class ScoresApi(_CaseStep):
    """RFP: the evaluator's scores (0-100) of a bid on the criteria, all or none recorded."""

    input_serializer = ScoresInputSerializer

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        bid = _bid_of(requisition, data["bid"])
        criteria = {
            criterion.pk: criterion for criterion in Criterion.objects.filter(solicitation_id=bid.solicitation_id)
        }
        with transaction.atomic():
            for given in data["scores"]:
                criterion = criteria.get(given["criterion"])
                if criterion is None:
                    raise _not_here("scores", gettext("That criterion is not one of this solicitation's."))
                services.technical_score_record(bid=bid, criterion=criterion, by=request.user, score=given["score"])  # type: ignore[arg-type]


@_step_schema(None)
class TechnicalLockApi(_CaseStep):
    """RFP: the buyer locks the technical scores; the qualified financial envelopes may then be opened."""

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.technical_lock(solicitation=_solicitation_of(requisition), by=request.user)  # type: ignore[arg-type]


@_step_schema(None)
class EvaluationCompleteApi(_CaseStep):
    """The buyer closes the evaluation: the recommendation follows; above the threshold, to the committee."""

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.evaluation_complete(solicitation=_solicitation_of(requisition), by=request.user)  # type: ignore[arg-type]


@_step_schema(CommitteeInputSerializer, created=True)
class CommitteeApi(_CaseStep):
    """A contracts committee member approves, rejects or returns the case (with comments unless approving)."""

    input_serializer = CommitteeInputSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.committee_review(solicitation=_solicitation_of(requisition), member=request.user, **data)  # type: ignore[arg-type]


@_step_schema(AwardInputSerializer, created=True)
class AwardApi(_CaseStep):
    """The buyer awards the contract with a written justification; every bidder is told."""

    input_serializer = AwardInputSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        solicitation = _solicitation_of(requisition)
        bid = _bid_of(requisition, data["bid"])
        services.award_make(solicitation=solicitation, bid=bid, justification=data["justification"], by=request.user)  # type: ignore[arg-type]


@_step_schema(OrderInputSerializer, created=True)
class OrderIssueApi(_CaseStep):
    """The buyer issues the purchase order to the awarded vendor (micro-purchase: the chosen quotation)."""

    input_serializer = OrderInputSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        quotation = None
        if data["quotation"] is not None:
            quotation = requisition.quotations.filter(pk=data["quotation"]).first()
            if quotation is None:
                raise _not_here("quotation", gettext("That quotation is not one of this purchase's."))
        services.order_issue(
            agency=_agency_of(requisition),
            requisition=requisition,
            by=request.user,  # type: ignore[arg-type]
            terms=data["terms"],
            quotation=quotation,
            split_explanation=data["split_explanation"],
        )


def _order_of(requisition: Requisition, pk: int) -> PurchaseOrder:
    _pk_check(pk)
    order = requisition.orders.filter(pk=pk).first()
    if order is None:
        raise Http404("No such order.")
    return order


@_step_schema(OrderReviseSerializer, created=True)
class OrderReviseApi(_CaseStep):
    """An issued order never changes: its amendment is the next revision under the same number."""

    input_serializer = OrderReviseSerializer
    created = True

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.order_revise(order=_order_of(requisition, kwargs["pk"]), by=request.user, **data)  # type: ignore[arg-type]


@_step_schema(PurchaseReasonSerializer)
class OrderCancelApi(_CaseStep):
    """Cancel the order in force, saying why; its number stays used."""

    input_serializer = PurchaseReasonSerializer

    def act(self, request: Request, requisition: Requisition, data: dict[str, Any], **kwargs: Any) -> None:
        services.order_cancel(order=_order_of(requisition, kwargs["pk"]), by=request.user, reason=data["reason"])  # type: ignore[arg-type]


@extend_schema(tags=["procurement"], responses=PDF_RESPONSE)
class CaseOrderPdfApi(_FacilitySide):
    def get(self, request: Request, reference: str, pk: int) -> HttpResponse:
        with self.case(reference) as requisition:
            return order_pdf_response(_order_of(requisition, pk))


@extend_schema(tags=["procurement"], responses=PDF_RESPONSE)
class CaseOpeningPdfApi(_FacilitySide):
    """The opening record as PDF: who opened, when, each bidder, when its bid arrived, what was read out."""

    def get(self, request: Request, reference: str, pk: int) -> HttpResponse:
        _pk_check(pk)
        with self.case(reference) as requisition:
            opening = Opening.objects.filter(solicitation__requisition=requisition, pk=pk).first()
            if opening is None:
                raise Http404("No such opening.")
            return opening_pdf_response(opening)


@extend_schema(tags=["procurement"], responses=PDF_RESPONSE)
class CaseEvaluationPdfApi(_FacilitySide):
    """The evaluation report as PDF, once the evaluation is complete: how the recommendation follows."""

    def get(self, request: Request, reference: str) -> HttpResponse:
        with self.case(reference) as requisition:
            solicitation = Solicitation.objects.filter(requisition=requisition).first()
            if solicitation is None:
                raise Http404("No solicitation, so no evaluation report.")
            return evaluation_pdf_response(solicitation)


@extend_schema(tags=["procurement"], responses=FILE_RESPONSE)
class CaseAttachmentApi(_FacilitySide):
    def get(self, request: Request, reference: str, pk: int) -> HttpResponse:
        with self.case(reference) as requisition:
            return _attachment_response(requisition, pk)


# -- addresses -------------------------------------------------------------------------------------

_REQUISITION = "procurement/requisitions/<str:reference>/"
_CASE = "procurement/cases/<str:reference>/"

agency_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("procurement/requisitions/", RequisitionListApi.as_view(), name="procurement-requisitions"),
    path(_REQUISITION, RequisitionDetailApi.as_view(), name="procurement-requisition"),
    path(f"{_REQUISITION}approve/", RequisitionApproveApi.as_view(), name="procurement-requisition-approve"),
    path(f"{_REQUISITION}reject/", RequisitionRejectApi.as_view(), name="procurement-requisition-reject"),
    path(f"{_REQUISITION}withdraw/", RequisitionWithdrawApi.as_view(), name="procurement-requisition-withdraw"),
    path(f"{_REQUISITION}answer/", RequisitionAnswerApi.as_view(), name="procurement-requisition-answer"),
    path(f"{_REQUISITION}files/", RequisitionAttachmentsApi.as_view(), name="procurement-requisition-files"),
    path(f"{_REQUISITION}files/<int:pk>/", RequisitionAttachmentApi.as_view(), name="procurement-requisition-file"),
    path(f"{_REQUISITION}orders/", RequisitionOrdersApi.as_view(), name="procurement-requisition-orders"),
    path(
        f"{_REQUISITION}orders/<int:pk>/pdf/",
        RequisitionOrderPdfApi.as_view(),
        name="procurement-requisition-order-pdf",
    ),
]

facility_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("procurement/cases/", CaseListApi.as_view(), name="procurement-cases"),
    path(_CASE, CaseDetailApi.as_view(), name="procurement-case"),
    path(f"{_CASE}take/", TakeApi.as_view(), name="procurement-case-take"),
    path(f"{_CASE}method/", MethodApi.as_view(), name="procurement-case-method"),
    path(f"{_CASE}deviations/", DeviationApi.as_view(), name="procurement-case-deviations"),
    path(f"{_CASE}deviations/<int:pk>/decide/", DeviationDecideApi.as_view(), name="procurement-case-deviation-decide"),
    path(f"{_CASE}ask/", AskRequesterApi.as_view(), name="procurement-case-ask"),
    path(f"{_CASE}quotations/", QuotationApi.as_view(), name="procurement-case-quotations"),
    path(f"{_CASE}solicitation/", SolicitationApi.as_view(), name="procurement-case-solicitation"),
    path(f"{_CASE}invitations/<int:pk>/renew/", InvitationRenewApi.as_view(), name="procurement-case-invitation-renew"),
    path(f"{_CASE}questions/<int:pk>/answer/", QuestionAnswerApi.as_view(), name="procurement-case-question-answer"),
    path(f"{_CASE}amendments/", AmendmentApi.as_view(), name="procurement-case-amendments"),
    path(f"{_CASE}paper-bids/", PaperBidApi.as_view(), name="procurement-case-paper-bids"),
    path(f"{_CASE}openings/", OpeningApi.as_view(), name="procurement-case-openings"),
    path(f"{_CASE}evaluation/declaration/", DeclarationApi.as_view(), name="procurement-case-declaration"),
    path(f"{_CASE}evaluation/compliance/", ComplianceApi.as_view(), name="procurement-case-compliance"),
    path(f"{_CASE}evaluation/scores/", ScoresApi.as_view(), name="procurement-case-scores"),
    path(f"{_CASE}evaluation/lock/", TechnicalLockApi.as_view(), name="procurement-case-lock"),
    path(f"{_CASE}evaluation/complete/", EvaluationCompleteApi.as_view(), name="procurement-case-complete"),
    path(f"{_CASE}committee/", CommitteeApi.as_view(), name="procurement-case-committee"),
    path(f"{_CASE}award/", AwardApi.as_view(), name="procurement-case-award"),
    path(f"{_CASE}orders/", OrderIssueApi.as_view(), name="procurement-case-orders"),
    path(f"{_CASE}orders/<int:pk>/revise/", OrderReviseApi.as_view(), name="procurement-case-order-revise"),
    path(f"{_CASE}orders/<int:pk>/cancel/", OrderCancelApi.as_view(), name="procurement-case-order-cancel"),
    path(f"{_CASE}orders/<int:pk>/pdf/", CaseOrderPdfApi.as_view(), name="procurement-case-order-pdf"),
    path(f"{_CASE}openings/<int:pk>/pdf/", CaseOpeningPdfApi.as_view(), name="procurement-case-opening-pdf"),
    path(f"{_CASE}evaluation/pdf/", CaseEvaluationPdfApi.as_view(), name="procurement-case-evaluation-pdf"),
    path(f"{_CASE}files/<int:pk>/", CaseAttachmentApi.as_view(), name="procurement-case-file"),
]
