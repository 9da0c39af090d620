"""Travel's API under /api/travel/, with the same rules as the pages (the same services and selectors).

An agency's address: /api/travel/trips/ (the trips the caller may see: an
approver's or finance officer's, the whole agency's; others', those they asked
for or travel on), submitting one with its itinerary, charge codes and the
days the host provides, approving, rejecting, cancelling, the claim after the
journey; duty of care (approvers) and the agency's travel policy.

The facility portal: /api/travel/queue/ is the trips of every agency from the
ledger, /api/travel/cases/{reference}/ a trip worked in its agency's schema:
security clearances, fares, the ticket and the settlement, each one service
call (`travel.services`). Travel officers and the facility manager act; the
facility's other staff read. Duty of care across agencies and late bookings.

Personal data (passport, birth date, contacts while travelling) is in an answer
only for the traveller, the agency's approvers and the facility's travel
officers (`selectors.sees_personal_data`); for anyone else its keys are absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from accounts.selectors import has_role
from allowances.models import Location
from ledger.api import LedgerClockSerializer, ModuleQueueEntrySerializer, clocks_data
from ledger.models import LedgerEntry
from shared_platform import limits
from shared_platform.api import (
    FILE_RESPONSE,
    PDF_RESPONSE,
    AwareDateTimeField,
    BoundedJSONParser,
    DecimalStringField,
    PersonField,
    id_check,
)
from shared_platform.attachments import file_download_response
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from . import selectors, services
from .downloads import authorization_pdf_response, settlement_pdf_response
from .models import (
    MAX_FARE_OPTIONS,
    ChargeCode,
    Claim,
    Clearance,
    Expense,
    FareOption,
    Leg,
    LegKind,
    ProvidedDay,
    Ticket,
    TravellerKind,
    TravelMode,
    TravelPolicy,
    TravelRequest,
    TripEvent,
    TripStatus,
    TripType,
)

# The largest row id PostgreSQL stores (bigint): a larger one is nothing here, never an overflow.
LARGEST_ID = 9_223_372_036_854_775_807
# A trip's reference is at most this long (e.g. UNDP-TA-000123); anything longer is not one.
REFERENCE_LENGTH = 40
# No journey is planned this far ahead; the DSA's day arithmetic stays far from the calendar's end.
LATEST_DATETIME = datetime(2100, 1, 1, tzinfo=UTC)
QUEUE_STEPS = [
    services.STEP_AUTHORIZATION,
    services.STEP_TICKETING,
    services.STEP_TRAVELLING,
    services.STEP_CLAIM,
    services.STEP_SETTLED,
]
PERSONAL_FIELDS = services.PERSONAL_FIELDS
# Each expense stays far below what a claim's total can hold, even with every expense at its largest.
EXPENSE_MAX_DIGITS = 10


# -- fields ---------------------------------------------------------------------------------------


def _id_field(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=LARGEST_ID, **options)


class JourneyDateTimeField(AwareDateTimeField):
    """A leg's departure or arrival: with its time zone, from 2000 and before 2100."""

    default_error_messages = {
        "too_late": gettext_lazy("Give a date and time before the year 2100."),
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        aware = super().enforce_timezone(value)
        if aware >= LATEST_DATETIME:
            self.fail("too_late")
        return aware


def _money(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, **options)


# -- what the answers carry ------------------------------------------------------------------------


class TripLegSerializer(serializers.ModelSerializer[Leg]):
    origin = serializers.IntegerField(source="origin_id", read_only=True, help_text="A DSA location's id.")
    origin_name = serializers.SerializerMethodField()
    destination = serializers.IntegerField(source="destination_id", read_only=True, help_text="A DSA location's id.")
    destination_name = serializers.SerializerMethodField()

    class Meta:
        model = Leg
        fields = [
            "position",
            "origin",
            "origin_name",
            "destination",
            "destination_name",
            "departs_at",
            "arrives_at",
            "mode",
        ]
        read_only_fields = fields

    def _place(self, pk: int) -> str:
        places: dict[int, Location] = self.context.setdefault("places", {})
        if pk not in places:
            found = Location.objects.filter(pk=pk).first()
            if found is None:
                return ""
            places[pk] = found
        return str(places[pk])

    @extend_schema_field(serializers.CharField())
    def get_origin_name(self, leg: Leg) -> str:
        return self._place(leg.origin_id)

    @extend_schema_field(serializers.CharField())
    def get_destination_name(self, leg: Leg) -> str:
        return self._place(leg.destination_id)


class TripChargeCodeSerializer(serializers.ModelSerializer[ChargeCode]):
    class Meta:
        model = ChargeCode
        fields = ["code", "percent"]
        read_only_fields = fields


class TripProvidedDaySerializer(serializers.ModelSerializer[ProvidedDay]):
    class Meta:
        model = ProvidedDay
        fields = ["day", "accommodation", "breakfast", "lunch", "dinner"]
        read_only_fields = fields


class TripFigureLineSerializer(serializers.Serializer[Any]):
    """One line of the DSA computation, as a person checks it."""

    label = serializers.CharField(read_only=True, help_text="What it is: “DSA, Manaus”, “Lunch provided, Recife”…")  # type: ignore[assignment]
    how = serializers.CharField(read_only=True, help_text="How it was reached: “5 nights × 300.00 (…)”.")
    amount = _money(help_text="USD; deductions are negative.")


class TripClearanceSerializer(serializers.ModelSerializer[Clearance]):
    location = serializers.IntegerField(source="location_id", read_only=True, help_text="The destination's id.")
    recorded_by = PersonField()

    class Meta:
        model = Clearance
        fields = ["location", "reference", "granted_on", "recorded_by", "recorded_at"]
        read_only_fields = fields


class TripFareOptionSerializer(serializers.ModelSerializer[FareOption]):
    class Meta:
        model = FareOption
        fields = ["position", "airline", "travel_class", "routing", "fare"]
        read_only_fields = fields


class TripTicketSerializer(serializers.ModelSerializer[Ticket]):
    option = serializers.IntegerField(source="option.position", read_only=True, help_text="The fare chosen.")
    issued_by = PersonField()

    class Meta:
        model = Ticket
        fields = [
            "option",
            "airline",
            "travel_class",
            "fare",
            "booking_reference",
            "choice_justification",
            "late",
            "late_justification",
            "issued_by",
            "issued_at",
        ]
        read_only_fields = fields


class TripExpenseSerializer(serializers.ModelSerializer[Expense]):
    receipt_name = serializers.CharField(read_only=True, help_text="Empty when no receipt was sent.")

    class Meta:
        model = Expense
        fields = ["id", "description", "amount", "receipt_name"]
        read_only_fields = fields


class TripClaimSerializer(serializers.ModelSerializer[Claim]):
    """The claim: the DSA on the actual itinerary, terminal and other expenses, and the settlement."""

    submitted_by = PersonField()
    settled_by = PersonField()
    settled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    expenses = TripExpenseSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "submitted_by",
            "submitted_at",
            "dsa_amount",
            "terminal_amount",
            "other_amount",
            "total",
            "advance_amount",
            "settlement_amount",
            "settled_by",
            "settled_at",
            "expenses",
        ]
        read_only_fields = fields


class TripEventSerializer(serializers.ModelSerializer[TripEvent]):
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    actor = PersonField()

    class Meta:
        model = TripEvent
        fields = ["kind", "kind_name", "at", "actor", "detail"]
        read_only_fields = fields


class TripSerializer(serializers.ModelSerializer[TravelRequest]):
    """A trip as its agency's list shows it."""

    requester = PersonField()
    status_name = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = TravelRequest
        fields = [
            "reference",
            "status",
            "status_name",
            "traveller_kind",
            "traveller_name",
            "trip_type",
            "purpose",
            "departs_on",
            "returns_on",
            "late_request",
            "requester",
            "submitted_at",
            "dsa_estimate",
            "terminal_estimate",
            "advance_amount",
        ]
        read_only_fields = fields


def _computed(trip: TravelRequest, kind: str) -> Any:
    """The explained lines of a trip's planned or actual DSA, with today's table (empty if it lacks a rate)."""
    try:
        computation = selectors.trip_figures(trip=trip, kind=kind)
    except ApplicationError:
        return []
    return TripFigureLineSerializer(selectors.figure_lines(computation) if computation else [], many=True).data


class TripDetailSerializer(TripSerializer):
    """A trip with its itinerary, charge codes, estimate explained, clearances, fares, ticket, claim and history.

    The personal data fields are present only for those who may see them (context "sees_personal_data").
    """

    traveller = serializers.IntegerField(
        source="traveller_id", read_only=True, allow_null=True, help_text="The member of the agency who travels."
    )
    approver = PersonField()
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    legs = serializers.SerializerMethodField(help_text="The planned itinerary.")
    actual_legs = serializers.SerializerMethodField(help_text="The itinerary as travelled, once claimed.")
    charge_codes = TripChargeCodeSerializer(many=True, read_only=True)
    provided_days = serializers.SerializerMethodField(help_text="Days the host provides lodging or meals (plan).")
    figures = serializers.SerializerMethodField(help_text="How the DSA estimate and terminal expenses add up.")
    claim_figures = serializers.SerializerMethodField(help_text="The same on the itinerary as travelled.")
    clearances = TripClearanceSerializer(many=True, read_only=True)
    fare_options = TripFareOptionSerializer(many=True, read_only=True)
    ticket = serializers.SerializerMethodField()
    claim = serializers.SerializerMethodField()
    request_status = serializers.SerializerMethodField(help_text="The ledger's status of the request.")
    clocks = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    # Personal data: absent from the answer for whoever may not see it.
    passport_number = serializers.CharField(required=False, max_length=30)
    passport_expires_on = serializers.DateField(required=False, allow_null=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(required=False, max_length=40, help_text="Telephone while travelling.")
    contact_email = serializers.CharField(required=False, max_length=254, help_text="E-mail while travelling.")
    personal_data_removed_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Personal data is removed some time after the trip closes."
    )

    class Meta(TripSerializer.Meta):
        fields = [
            *TripSerializer.Meta.fields,
            "traveller",
            "late_request_justification",
            "estimated_ticket_cost",
            "advance_percent",
            "approver",
            "decided_at",
            "decision_reason",
            "closed_at",
            "legs",
            "actual_legs",
            "charge_codes",
            "provided_days",
            "figures",
            "claim_figures",
            "clearances",
            "fare_options",
            "ticket",
            "claim",
            "request_status",
            "clocks",
            "history",
            *PERSONAL_FIELDS,
            "personal_data_removed_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: TravelRequest) -> Any:
        data = super().to_representation(instance)
        if not self.context.get("sees_personal_data"):
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return data

    def _entry(self, trip: TravelRequest) -> LedgerEntry | None:
        if trip.entry_id is None:
            return None
        cache: dict[int, LedgerEntry | None] = self.context.setdefault("entries", {})
        if trip.pk not in cache:
            cache[trip.pk] = (
                LedgerEntry.objects.select_related("agency", "service", "assignee").filter(pk=trip.entry_id).first()
            )
        return cache[trip.pk]

    def _legs(self, trip: TravelRequest, kind: str) -> Any:
        legs = trip.legs.filter(kind=kind).order_by("position")
        return TripLegSerializer(legs, many=True, context=self.context).data

    @extend_schema_field(TripLegSerializer(many=True))
    def get_legs(self, trip: TravelRequest) -> Any:
        return self._legs(trip, LegKind.PLANNED)

    @extend_schema_field(TripLegSerializer(many=True))
    def get_actual_legs(self, trip: TravelRequest) -> Any:
        return self._legs(trip, LegKind.ACTUAL)

    @extend_schema_field(TripProvidedDaySerializer(many=True))
    def get_provided_days(self, trip: TravelRequest) -> Any:
        return TripProvidedDaySerializer(trip.provided_days.filter(kind=LegKind.PLANNED), many=True).data

    @extend_schema_field(TripFigureLineSerializer(many=True))
    def get_figures(self, trip: TravelRequest) -> Any:
        return _computed(trip, LegKind.PLANNED)

    @extend_schema_field(TripFigureLineSerializer(many=True))
    def get_claim_figures(self, trip: TravelRequest) -> Any:
        return _computed(trip, LegKind.ACTUAL)

    @extend_schema_field(TripTicketSerializer(allow_null=True))
    def get_ticket(self, trip: TravelRequest) -> Any:
        ticket = Ticket.objects.filter(travel_request=trip).select_related("option").first()
        return TripTicketSerializer(ticket).data if ticket is not None else None

    @extend_schema_field(TripClaimSerializer(allow_null=True))
    def get_claim(self, trip: TravelRequest) -> Any:
        claim = Claim.objects.filter(travel_request=trip).prefetch_related("expenses").first()
        return TripClaimSerializer(claim).data if claim is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_request_status(self, trip: TravelRequest) -> str | None:
        entry = self._entry(trip)
        return entry.status if entry is not None else None

    @extend_schema_field(LedgerClockSerializer(many=True))
    def get_clocks(self, trip: TravelRequest) -> Any:
        entry = self._entry(trip)
        return clocks_data(entry) if entry is not None else []

    @extend_schema_field(TripEventSerializer(many=True))
    def get_history(self, trip: TravelRequest) -> Any:
        return TripEventSerializer(trip.events.all(), many=True).data


class TripCaseSerializer(TripDetailSerializer):
    """A trip as the facility works it: the agency's trip, its ledger step and who has taken it."""

    agency = serializers.SerializerMethodField()
    step = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField(help_text="The travel officer who took the trip.")
    clearances_missing = serializers.SerializerMethodField(help_text="Destinations still without a clearance.")

    class Meta(TripDetailSerializer.Meta):
        fields = ["agency", *TripDetailSerializer.Meta.fields, "step", "assignee", "clearances_missing"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_agency(self, trip: TravelRequest) -> str:
        entry = self._entry(trip)
        return entry.agency.code if entry is not None else ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_step(self, trip: TravelRequest) -> str | None:
        entry = self._entry(trip)
        return entry.step if entry is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee(self, trip: TravelRequest) -> str | None:
        entry = self._entry(trip)
        if entry is None or entry.assignee is None:
            return None
        return entry.assignee.get_full_name() or entry.assignee.email

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_clearances_missing(self, trip: TravelRequest) -> list[int]:
        if trip.status != TripStatus.APPROVED:
            return []
        return [place.pk for place in services.clearances_missing(trip)]


class TravelWhereaboutsSerializer(serializers.Serializer[Any]):
    """Where a traveller is, or will be, during the next days (one line per stop)."""

    reference = serializers.CharField(read_only=True)
    agency = serializers.CharField(source="agency_code", read_only=True)
    traveller = serializers.CharField(read_only=True)
    place = serializers.CharField(read_only=True)
    arrives = serializers.DateField(read_only=True)
    leaves = serializers.DateField(read_only=True)
    # Personal data: absent for facility staff who are not travel officers.
    phone = serializers.CharField(required=False, max_length=40, help_text="Telephone while travelling.")
    email = serializers.CharField(required=False, max_length=254, help_text="E-mail while travelling.")

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if not self.context.get("sees_personal_data"):
            data.pop("phone", None)
            data.pop("email", None)
        return data


class TravelLateBookingSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(source="agency_code", read_only=True)
    month = serializers.DateField(read_only=True, help_text="The month's first day.")
    tickets = serializers.IntegerField(read_only=True, help_text="Tickets issued that month.")
    late = serializers.IntegerField(read_only=True, help_text="Of which less than 21 days before departure.")


class TravelPolicySerializer(serializers.ModelSerializer[TravelPolicy]):
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = TravelPolicy
        fields = ["advance_percent", "updated_at"]
        read_only_fields = fields


# -- what the callers send -------------------------------------------------------------------------


class TripLegInputSerializer(serializers.Serializer[Any]):
    origin = _id_field(help_text="A location of the DSA table.")
    destination = _id_field(help_text="A location of the DSA table.")
    departs_at = JourneyDateTimeField(help_text="Local departure time with its offset.")
    arrives_at = JourneyDateTimeField(help_text="Local arrival time with its offset; not before the departure.")
    mode = serializers.ChoiceField(choices=TravelMode.choices, required=False, default=TravelMode.AIR)


class TripChargeInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=60, help_text="A project or budget line.")
    percent = DecimalStringField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        help_text="Its share of the trip (%); the shares add up to 100.",
    )


class TripProvidedDayInputSerializer(serializers.Serializer[Any]):
    day = serializers.DateField(help_text="A day of the trip.")
    accommodation = serializers.BooleanField(required=False, default=False)
    breakfast = serializers.BooleanField(required=False, default=False)
    lunch = serializers.BooleanField(required=False, default=False)
    dinner = serializers.BooleanField(required=False, default=False)


def _legs(**options: Any) -> TripLegInputSerializer:
    return TripLegInputSerializer(many=True, allow_empty=False, max_length=services.MAX_LEGS, **options)  # type: ignore[call-arg,return-value]


def _provided(**options: Any) -> TripProvidedDayInputSerializer:
    return TripProvidedDayInputSerializer(  # type: ignore[call-arg,return-value]
        many=True,
        required=False,
        default=list,
        max_length=services.MAX_TRIP_DAYS + 1,
        help_text="Days the host provides the accommodation or meals: the DSA is reduced.",
        **options,
    )


class TripSubmitSerializer(serializers.Serializer[Any]):
    traveller_kind = serializers.ChoiceField(choices=TravellerKind.choices)
    traveller = _id_field(
        required=False, allow_null=True, default=None, help_text="Staff: the user id of a member of the agency."
    )
    traveller_name = serializers.CharField(
        max_length=limits.NAME, required=False, allow_blank=True, default="", help_text="Non-staff: their name."
    )
    purpose = serializers.CharField(max_length=limits.SHORT_TEXT)
    trip_type = serializers.ChoiceField(choices=TripType.choices)
    legs = _legs()
    charge_codes = TripChargeInputSerializer(many=True, allow_empty=False, max_length=services.MAX_CHARGE_CODES)  # type: ignore[call-arg]
    provided_days = _provided()
    estimated_ticket_cost = DecimalStringField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, default=Decimal("0.00")
    )
    late_justification = serializers.CharField(
        max_length=limits.SHORT_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the first leg departs less than 21 days from now.",
    )
    passport_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    passport_expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Telephone while travelling."
    )
    contact_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default="", help_text="E-mail while travelling."
    )


class TripReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=limits.SHORT_TEXT)


class TripExpenseInputSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=limits.NAME, help_text="Visa, taxi, registration fee…")
    amount = DecimalStringField(max_digits=EXPENSE_MAX_DIGITS, decimal_places=2, min_value=Decimal("0.01"))
    receipt = serializers.CharField(
        max_length=limits.FILE_NAME,
        required=False,
        allow_blank=True,
        default="",
        help_text="Multipart only: the file name of its receipt among the `receipts` sent.",
    )


class TripClaimInputSerializer(serializers.Serializer[Any]):
    legs = _legs(help_text="The itinerary as travelled.")
    provided_days = _provided()
    expenses = TripExpenseInputSerializer(many=True, required=False, default=list, max_length=services.MAX_EXPENSES)  # type: ignore[call-arg]


class TripClaimUploadSerializer(serializers.Serializer[Any]):
    """The claim with receipts: the claim as a JSON text, and the receipt files its expenses name."""

    claim = serializers.CharField(
        max_length=limits.LONG_TEXT, help_text="The claim as JSON, the same shape as the JSON body."
    )
    receipts = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=services.MAX_EXPENSES
    )


class TravelPolicyInputSerializer(serializers.Serializer[Any]):
    advance_percent = DecimalStringField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text="The share of the DSA estimate advanced on approval (%).",
    )


class TripFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=TripStatus.choices, required=False)
    search = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TravelQueueFilterSerializer(serializers.Serializer[Any]):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all(), required=False)
    step = serializers.ChoiceField(choices=QUEUE_STEPS, required=False)
    officer = serializers.ChoiceField(choices=["mine", "none"], required=False)
    state = serializers.ChoiceField(choices=["active", "overdue", "all"], required=False)


class TravelLateBookingsFilterSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2099, required=False)


class TripClearanceInputSerializer(serializers.Serializer[Any]):
    location = _id_field(help_text="One of the trip's destinations.")
    reference = serializers.CharField(max_length=60, help_text="The UNDSS TRIP clearance reference.")
    granted_on = serializers.DateField(help_text="Today or earlier.")


class TripFareInputSerializer(serializers.Serializer[Any]):
    airline = serializers.CharField(max_length=100)
    travel_class = serializers.CharField(max_length=40)
    fare = DecimalStringField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), help_text="USD.")
    routing = serializers.CharField(max_length=limits.NAME, required=False, allow_blank=True, default="")


class TripFaresInputSerializer(serializers.Serializer[Any]):
    options = TripFareInputSerializer(many=True, allow_empty=False, max_length=MAX_FARE_OPTIONS)  # type: ignore[call-arg]


class TripTicketInputSerializer(serializers.Serializer[Any]):
    option = serializers.IntegerField(min_value=1, max_value=MAX_FARE_OPTIONS, help_text="The fare's position.")
    booking_reference = serializers.CharField(max_length=30)
    choice_justification = serializers.CharField(
        max_length=limits.SHORT_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the fare is not the most economical.",
    )
    late_justification = serializers.CharField(
        max_length=limits.SHORT_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required less than 21 days before departure.",
    )


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _filters(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    filters = serializer_class(data=request.query_params)
    if not filters.is_valid():
        fields = {name: [str(error) for error in errors] for name, errors in filters.errors.items()}
        raise ApplicationError(
            "; ".join(f"{name}: {' '.join(errors)}" for name, errors in fields.items()),
            code="travel.invalid_filter",
            fields=fields,
        )
    return dict(filters.validated_data)


def _reference_check(reference: str) -> None:
    if len(reference) > REFERENCE_LENGTH or "\x00" in reference:
        raise Http404("No such trip.")


def _leg_inputs(legs: list[dict[str, Any]]) -> list[services.LegInput]:
    return [services.LegInput(**leg) for leg in legs]


def _provided_inputs(days: list[dict[str, Any]]) -> list[services.ProvidedInput]:
    return [services.ProvidedInput(**day) for day in days]


def _refused_on(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={field: [message]})


def _claim_read(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The claim from a JSON body, or from multipart: its JSON in `claim` and the receipts as files."""
    if not (request.content_type or "").startswith("multipart/"):
        return _valid(TripClaimInputSerializer, request.data), {}
    upload = _valid(TripClaimUploadSerializer, request.data)
    try:
        body = json.loads(upload["claim"])
    except (ValueError, RecursionError):
        raise _refused_on("claim", gettext("The claim is not readable JSON.")) from None
    receipts = {receipt.name: receipt for receipt in upload["receipts"]}
    return _valid(TripClaimInputSerializer, body), receipts


def _expense_inputs(expenses: list[dict[str, Any]], receipts: dict[str, UploadedFile]) -> list[services.ExpenseInput]:
    found = []
    for index, expense in enumerate(expenses):
        name = expense["receipt"]
        if name and name not in receipts:
            raise _refused_on(
                f"expenses.{index}.receipt",
                gettext("No receipt named “%(name)s” was sent with the claim.") % {"name": name},
            )
        found.append(
            services.ExpenseInput(
                description=expense["description"], amount=expense["amount"], receipt=receipts.get(name)
            )
        )
    return found


# -- an agency's address -------------------------------------------------------------------------


class _AgencySide(APIView):
    def trip(self, request: Request, reference: str) -> TravelRequest:
        """The agency's trip if the caller may see it; 404 otherwise, whether or not it exists."""
        _reference_check(reference)
        trip = (
            selectors.trips_visible(user=request.user, agency=request.tenant)  # type: ignore[arg-type,attr-defined]
            .filter(reference=reference)
            .first()
        )
        if trip is None:
            raise Http404("No such trip here.")
        return trip

    def detail(self, request: Request, trip: TravelRequest, code: int = status.HTTP_200_OK) -> Response:
        trip = TravelRequest.objects.get(pk=trip.pk)
        sees = selectors.sees_personal_data(trip=trip, user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
        return Response(TripDetailSerializer(trip, context={"sees_personal_data": sees}).data, status=code)


@extend_schema(
    tags=["travel"],
    parameters=[
        OpenApiParameter("status", str, enum=TripStatus.values, description="One status."),
        OpenApiParameter("search", str, description="A reference, or words of the traveller's name or purpose."),
    ],
)
class TripListApi(_AgencySide, ListAPIView):  # type: ignore[type-arg]
    """The trips the caller may see (an approver's or finance officer's: the agency's), newest first;
    POST submits a travel request."""

    serializer_class = TripSerializer

    def get_queryset(self) -> Any:
        filters = _filters(TripFilterSerializer, self.request)
        trips = selectors.trips_visible(user=self.request.user, agency=self.request.tenant)  # type: ignore[arg-type,attr-defined]
        if filters.get("status"):
            trips = trips.filter(status=filters["status"])
        search = (filters.get("search") or "").strip()
        if search:
            trips = trips.filter(
                Q(reference__iexact=search) | Q(traveller_name__icontains=search) | Q(purpose__icontains=search)
            )
        return trips

    @extend_schema(request=TripSubmitSerializer, responses={201: TripDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(TripSubmitSerializer, request.data)
        traveller = User.objects.filter(pk=data["traveller"]).first() if data["traveller"] else None
        trip = services.trip_submit(
            agency=request.tenant,  # type: ignore[attr-defined]
            requester=request.user,  # type: ignore[arg-type]
            traveller_kind=data["traveller_kind"],
            traveller=traveller,
            traveller_name=data["traveller_name"],
            purpose=data["purpose"],
            trip_type=data["trip_type"],
            legs=_leg_inputs(data["legs"]),
            charges=[services.ChargeInput(**charge) for charge in data["charge_codes"]],
            provided=_provided_inputs(data["provided_days"]),
            estimated_ticket_cost=data["estimated_ticket_cost"],
            late_justification=data["late_justification"],
            personal=services.PersonalData(**{name: data[name] for name in PERSONAL_FIELDS}),
        )
        return self.detail(request, trip, status.HTTP_201_CREATED)


@extend_schema(tags=["travel"])
class TripDetailApi(_AgencySide):
    """A trip with its itinerary, estimate explained line by line, steps, claim and history."""

    @extend_schema(responses=TripDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return self.detail(request, self.trip(request, reference))


@extend_schema(tags=["travel"], responses=PDF_RESPONSE)
class TripAuthorizationPdfApi(_AgencySide):
    """The travel authorization as PDF, as it stands now (no personal data is printed on it)."""

    def get(self, request: Request, reference: str) -> HttpResponse:
        trip = self.trip(request, reference)
        return authorization_pdf_response(trip=trip, agency=request.tenant)  # type: ignore[attr-defined]


@extend_schema(tags=["travel"], responses=PDF_RESPONSE)
class TripSettlementPdfApi(_AgencySide):
    """The settlement statement as PDF; 404 (`travel.no_claim`) until the traveller has claimed."""

    def get(self, request: Request, reference: str) -> HttpResponse:
        trip = self.trip(request, reference)
        return settlement_pdf_response(trip=trip, agency=request.tenant)  # type: ignore[attr-defined]


def _receipt_response(trip: TravelRequest, pk: int) -> HttpResponseBase:
    id_check(pk)
    expense = Expense.objects.filter(pk=pk, claim__travel_request=trip).exclude(receipt="").first()
    if expense is None:
        raise Http404("No such receipt.")
    return file_download_response(
        file=expense.receipt.open("rb"), name=expense.receipt_name, content_type=expense.receipt_type
    )


@extend_schema(tags=["travel"], responses=FILE_RESPONSE)
class TripReceiptApi(_AgencySide):
    """The receipt of one expense of the trip's claim, as it was uploaded."""

    def get(self, request: Request, reference: str, pk: int) -> HttpResponseBase:
        return _receipt_response(self.trip(request, reference), pk)


@extend_schema(tags=["travel"])
class TripApproveApi(_AgencySide):
    """An approver of the agency authorizes the trip (never one they travel on or asked for)."""

    @extend_schema(request=None, responses=TripDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        trip = self.trip(request, reference)
        services.trip_approve(agency=request.tenant, trip=trip, approver=request.user)  # type: ignore[attr-defined,arg-type]
        return self.detail(request, trip)


@extend_schema(tags=["travel"])
class TripRejectApi(_AgencySide):
    """An approver of the agency refuses the trip, saying why."""

    @extend_schema(request=TripReasonSerializer, responses=TripDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        trip = self.trip(request, reference)
        reason = _valid(TripReasonSerializer, request.data)["reason"]
        services.trip_reject(agency=request.tenant, trip=trip, approver=request.user, reason=reason)  # type: ignore[attr-defined,arg-type]
        return self.detail(request, trip)


@extend_schema(tags=["travel"])
class TripCancelApi(_AgencySide):
    """The requester, the traveller or an approver calls the trip off before the claim, saying why."""

    @extend_schema(request=TripReasonSerializer, responses=TripDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        trip = self.trip(request, reference)
        reason = _valid(TripReasonSerializer, request.data)["reason"]
        services.trip_cancel(agency=request.tenant, trip=trip, by=request.user, reason=reason)  # type: ignore[attr-defined,arg-type]
        return self.detail(request, trip)


@extend_schema(tags=["travel"])
class TripClaimApi(_AgencySide):
    """The traveller claims after the journey: the itinerary as travelled, the days provided and other
    expenses. JSON; or multipart with the same JSON in `claim` and receipt files in `receipts`."""

    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(
        request={"application/json": TripClaimInputSerializer, "multipart/form-data": TripClaimUploadSerializer},
        responses={201: TripDetailSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        trip = self.trip(request, reference)
        data, receipts = _claim_read(request)
        services.claim_submit(
            trip=trip,
            by=request.user,  # type: ignore[arg-type]
            legs=_leg_inputs(data["legs"]),
            provided=_provided_inputs(data["provided_days"]),
            expenses=_expense_inputs(data["expenses"], receipts),
        )
        return self.detail(request, trip, status.HTTP_201_CREATED)


@extend_schema(tags=["travel"])
class AgencyDutyOfCareApi(APIView):
    """Where the agency's travellers are today and in the next days, with their contacts: approvers only."""

    pagination_class = None

    @extend_schema(responses=TravelWhereaboutsSerializer(many=True))
    def get(self, request: Request) -> Response:
        if not has_role(user=request.user, agency=request.tenant, roles={Role.APPROVER}):  # type: ignore[attr-defined]
            raise ApplicationError(
                gettext("Only the agency's approvers follow its travellers' whereabouts."),
                code="travel.approvers_only",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        found = selectors.whereabouts()
        return Response(TravelWhereaboutsSerializer(found, many=True, context={"sees_personal_data": True}).data)


@extend_schema(tags=["travel"])
class PolicyApi(APIView):
    """The agency's travel policy: the share of the DSA estimate advanced on approval. Its finance officers
    and approvers change it; it applies to trips submitted from then on."""

    @extend_schema(responses=TravelPolicySerializer)
    def get(self, request: Request) -> Response:
        policy = TravelPolicy.objects.order_by("pk").first() or TravelPolicy()
        return Response(TravelPolicySerializer(policy).data)

    @extend_schema(request=TravelPolicyInputSerializer, responses=TravelPolicySerializer)
    def put(self, request: Request) -> Response:
        percent = _valid(TravelPolicyInputSerializer, request.data)["advance_percent"]
        policy = services.policy_update(agency=request.tenant, advance_percent=percent, by=request.user)  # type: ignore[attr-defined,arg-type]
        return Response(TravelPolicySerializer(policy).data)


# -- the facility portal -------------------------------------------------------------------------


class WorksTravel(FacilityPortalOnly, BasePermission):
    """The facility's staff on the portal: they read trips; travel officers and the manager act on them."""

    message = gettext_lazy("Only the facility's staff see trips, and only its travel officers act on them.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        if not request.tenant.is_facility:
            return False
        if request.method in SAFE_METHODS:
            return selectors.is_travel_reader(user=request.user)
        return selectors.is_travel_officer(user=request.user)


class _FacilitySide(APIView):
    permission_classes = [MayUseThisAddress, WorksTravel]

    @contextmanager
    def case(self, reference: str) -> Iterator[TravelRequest]:
        """The trip, with the connection in its agency's schema while the view needs it; 404 if none."""
        _reference_check(reference)
        with selectors.agency_trip(reference=reference) as trip:
            yield trip

    def detail(self, request: Request, trip: TravelRequest, code: int = status.HTTP_200_OK) -> Response:
        trip = TravelRequest.objects.get(pk=trip.pk)
        sees = selectors.sees_personal_data(trip=trip, user=request.user, agency=None)
        return Response(TripCaseSerializer(trip, context={"sees_personal_data": sees}).data, status=code)


@extend_schema(
    tags=["travel"],
    parameters=[
        OpenApiParameter("agency", str, description="Agency code."),
        OpenApiParameter("step", str, enum=QUEUE_STEPS, description="The trip's step."),
        OpenApiParameter("officer", str, enum=["mine", "none"], description="Mine, or nobody's yet."),
        OpenApiParameter("state", str, enum=["active", "overdue", "all"], description="active (default), …"),
    ],
)
class QueueApi(_FacilitySide, ListAPIView):  # type: ignore[type-arg]
    """The trips of every agency, from the ledger, the most urgent first (overdue, then soonest due)."""

    serializer_class = ModuleQueueEntrySerializer

    def get_queryset(self) -> Any:
        filters = _filters(TravelQueueFilterSerializer, self.request)
        return selectors.travel_queue(user=self.request.user, filters=filters)


@extend_schema(tags=["travel"])
class CaseDetailApi(_FacilitySide):
    """A trip as the facility works it, read in its agency's schema (personal data: travel officers only)."""

    @extend_schema(responses=TripCaseSerializer)
    def get(self, request: Request, reference: str) -> Response:
        with self.case(reference) as trip:
            return self.detail(request, trip)


@extend_schema(tags=["travel"], responses=PDF_RESPONSE)
class CaseAuthorizationPdfApi(_FacilitySide):
    """The travel authorization as PDF, rendered in the trip's agency's language."""

    def get(self, request: Request, reference: str) -> HttpResponse:
        with self.case(reference) as trip:
            return authorization_pdf_response(trip=trip, agency=_agency_of(reference))


@extend_schema(tags=["travel"], responses=PDF_RESPONSE)
class CaseSettlementPdfApi(_FacilitySide):
    """The settlement statement as PDF; 404 (`travel.no_claim`) until the traveller has claimed."""

    def get(self, request: Request, reference: str) -> HttpResponse:
        with self.case(reference) as trip:
            return settlement_pdf_response(trip=trip, agency=_agency_of(reference))


@extend_schema(tags=["travel"], responses=FILE_RESPONSE)
class CaseReceiptApi(_FacilitySide):
    """The receipt of one expense of the trip's claim, as it was uploaded."""

    def get(self, request: Request, reference: str, pk: int) -> HttpResponseBase:
        with self.case(reference) as trip:
            return _receipt_response(trip, pk)


def _agency_of(reference: str) -> Agency:
    entry = selectors.trip_entry(reference=reference)
    if entry is None:
        raise Http404("No such trip.")
    return entry.agency


class _CaseStep(_FacilitySide):
    """One step on a trip: its input read by `input_serializer`, then one service call in `act`."""

    input_serializer: type[serializers.Serializer[Any]] | None = None
    created = False

    def act(self, request: Request, trip: TravelRequest, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        data = _valid(self.input_serializer, request.data) if self.input_serializer else {}
        with self.case(reference) as trip:
            self.act(request, trip, data)
            return self.detail(request, trip, status.HTTP_201_CREATED if self.created else status.HTTP_200_OK)


def _step_schema(input_serializer: Any, *, created: bool = False) -> Any:
    return extend_schema(
        tags=["travel"], request=input_serializer, responses={201 if created else 200: TripCaseSerializer}
    )


@_step_schema(TripClearanceInputSerializer, created=True)
class ClearanceApi(_CaseStep):
    """A travel officer records the security clearance (UNDSS TRIP) of one destination."""

    input_serializer = TripClearanceInputSerializer
    created = True

    def act(self, request: Request, trip: TravelRequest, data: dict[str, Any]) -> None:
        services.clearance_record(
            trip=trip,
            location_id=data["location"],
            reference=data["reference"],
            granted_on=data["granted_on"],
            by=request.user,  # type: ignore[arg-type]
        )


@_step_schema(TripFaresInputSerializer, created=True)
class FaresApi(_CaseStep):
    """A travel officer records up to three fares, replacing those recorded before."""

    input_serializer = TripFaresInputSerializer
    created = True

    def act(self, request: Request, trip: TravelRequest, data: dict[str, Any]) -> None:
        options = [services.FareInput(**option) for option in data["options"]]
        services.fare_options_record(trip=trip, options=options, by=request.user)  # type: ignore[arg-type]


@_step_schema(TripTicketInputSerializer, created=True)
class TicketApi(_CaseStep):
    """A travel officer issues the ticket: every destination cleared first; the most economical fare or a
    justification; less than 21 days before departure, a justification too."""

    input_serializer = TripTicketInputSerializer
    created = True

    def act(self, request: Request, trip: TravelRequest, data: dict[str, Any]) -> None:
        services.ticket_issue(
            trip=trip,
            option_position=data["option"],
            booking_reference=data["booking_reference"],
            choice_justification=data["choice_justification"],
            late_justification=data["late_justification"],
            by=request.user,  # type: ignore[arg-type]
        )


@_step_schema(None)
class SettleApi(_CaseStep):
    """A travel officer settles the claim: the amount owed (or to recover) is final and the trip is billed."""

    def act(self, request: Request, trip: TravelRequest, data: dict[str, Any]) -> None:
        services.claim_settle(trip=trip, by=request.user)  # type: ignore[arg-type]


@extend_schema(tags=["travel"])
class FacilityDutyOfCareApi(_FacilitySide):
    """Where every agency's travellers are today and in the next days (contacts: travel officers only)."""

    pagination_class = None

    @extend_schema(responses=TravelWhereaboutsSerializer(many=True))
    def get(self, request: Request) -> Response:
        sees = selectors.is_travel_officer(user=request.user)
        found = selectors.whereabouts_everywhere()
        return Response(TravelWhereaboutsSerializer(found, many=True, context={"sees_personal_data": sees}).data)


@extend_schema(
    tags=["travel"],
    parameters=[OpenApiParameter("year", int, description="The year the tickets were issued (default: this year).")],
)
class LateBookingsApi(_FacilitySide):
    """Tickets issued per agency and month, and how many less than 21 days before departure."""

    pagination_class = None

    @extend_schema(responses=TravelLateBookingSerializer(many=True))
    def get(self, request: Request) -> Response:
        year = _filters(TravelLateBookingsFilterSerializer, request).get("year") or timezone.localdate().year
        return Response(TravelLateBookingSerializer(selectors.late_bookings(year=year), many=True).data)


# -- addresses -------------------------------------------------------------------------------------

_TRIP = "travel/trips/<str:reference>/"
_CASE = "travel/cases/<str:reference>/"

agency_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("travel/trips/", TripListApi.as_view(), name="travel-trips"),
    path(_TRIP, TripDetailApi.as_view(), name="travel-trip"),
    path(f"{_TRIP}approve/", TripApproveApi.as_view(), name="travel-trip-approve"),
    path(f"{_TRIP}reject/", TripRejectApi.as_view(), name="travel-trip-reject"),
    path(f"{_TRIP}cancel/", TripCancelApi.as_view(), name="travel-trip-cancel"),
    path(f"{_TRIP}claim/", TripClaimApi.as_view(), name="travel-trip-claim"),
    path(f"{_TRIP}authorization/pdf/", TripAuthorizationPdfApi.as_view(), name="travel-trip-authorization-pdf"),
    path(f"{_TRIP}settlement/pdf/", TripSettlementPdfApi.as_view(), name="travel-trip-settlement-pdf"),
    path(f"{_TRIP}receipts/<int:pk>/", TripReceiptApi.as_view(), name="travel-trip-receipt"),
    path("travel/duty-of-care/", AgencyDutyOfCareApi.as_view(), name="travel-duty-of-care"),
    path("travel/policy/", PolicyApi.as_view(), name="travel-policy"),
]

facility_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("travel/queue/", QueueApi.as_view(), name="travel-queue"),
    path(_CASE, CaseDetailApi.as_view(), name="travel-case"),
    path(f"{_CASE}clearances/", ClearanceApi.as_view(), name="travel-case-clearances"),
    path(f"{_CASE}fares/", FaresApi.as_view(), name="travel-case-fares"),
    path(f"{_CASE}ticket/", TicketApi.as_view(), name="travel-case-ticket"),
    path(f"{_CASE}settle/", SettleApi.as_view(), name="travel-case-settle"),
    path(f"{_CASE}authorization/pdf/", CaseAuthorizationPdfApi.as_view(), name="travel-case-authorization-pdf"),
    path(f"{_CASE}settlement/pdf/", CaseSettlementPdfApi.as_view(), name="travel-case-settlement-pdf"),
    path(f"{_CASE}receipts/<int:pk>/", CaseReceiptApi.as_view(), name="travel-case-receipt"),
    path("travel/duty-of-care/", FacilityDutyOfCareApi.as_view(), name="travel-facility-duty-of-care"),
    path("travel/late-bookings/", LateBookingsApi.as_view(), name="travel-late-bookings"),
]
