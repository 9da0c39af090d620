"""An agency's trips (agency schema): travel requests, their itinerary, clearance, ticket, claim and settlement.

Everything here is private to the agency (PRODUCT.md, "Tenancy"): who travels,
where, their personal data, the charge codes and the amounts. The facility sees
the trip across agencies through its ledger entry (status, step, SLA clocks,
billable unit) and works it in the agency's schema from its travel queue. The
DSA rate table and the facility's allowance rules are public (`allowances`).

Links to public rows (ledger entry, locations, people) are foreign keys
without a database constraint, as in procurement and the helpdesk: an
agency's schema is dropped on its own and copied from a template.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shared_platform import limits

# The one catalogue service a trip is measured and billed as (three clocks: authorization, ticket, claim).
TRAVEL_SERVICE = "TRV-TA"
# Tickets are bought at least this many days before departure unless a justification is recorded.
ADVANCE_BOOKING_DAYS = 21
DEFAULT_ADVANCE_PERCENT = Decimal("80.00")
MAX_FARE_OPTIONS = 3


def _public(to: str, **options: Any) -> Any:
    """A link to a row in the public schema, without a database constraint (see above)."""
    options.setdefault("related_name", "+")
    return models.ForeignKey(to, db_constraint=False, **options)


class TripType(models.TextChoices):
    MISSION = "mission", _("Official mission")
    MEETING = "meeting", _("Meeting or conference")
    TRAINING = "training", _("Training")
    CONSULTANCY = "consultancy", _("Consultant or expert travel")
    OTHER = "other", _("Other official travel")


class TravellerKind(models.TextChoices):
    STAFF = "staff", _("A member of the agency")
    NON_STAFF = "non_staff", _("Someone else (consultant, participant)")


class TripStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for approval")
    REJECTED = "rejected", pgettext_lazy("trip", "Rejected")
    APPROVED = "approved", _("Approved, with ticketing")
    TICKETED = "ticketed", _("Ticket issued")
    CLAIMED = "claimed", _("Claim submitted")
    SETTLED = "settled", pgettext_lazy("trip", "Settled")
    CANCELLED = "cancelled", pgettext_lazy("trip", "Cancelled")


OPEN_TRIP_STATUSES = frozenset({TripStatus.SUBMITTED, TripStatus.APPROVED, TripStatus.TICKETED, TripStatus.CLAIMED})
CLOSED_TRIP_STATUSES = frozenset({TripStatus.REJECTED, TripStatus.SETTLED, TripStatus.CANCELLED})


class TravelRequest(models.Model):
    """A travel authorization: who travels, why, where, charged to what, and what it is estimated to cost."""

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    entry = models.OneToOneField(
        "ledger.LedgerEntry",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ledger entry"),
    )
    requester = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("requested by"))
    traveller_kind = models.CharField(_("traveller"), max_length=10, choices=TravellerKind.choices)
    traveller = _public(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        verbose_name=_("traveller"),
        help_text=_("A member of the agency; blank for someone else."),
    )
    traveller_name = models.CharField(_("traveller's name"), max_length=limits.NAME)
    purpose = models.TextField(_("purpose"), max_length=limits.SHORT_TEXT)
    trip_type = models.CharField(_("type of travel"), max_length=12, choices=TripType.choices)
    status = models.CharField(_("status"), max_length=10, choices=TripStatus.choices, default=TripStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"))
    departs_on = models.DateField(_("departure"))
    returns_on = models.DateField(_("return"))
    late_request = models.BooleanField(
        _("submitted less than 21 days before departure"), default=False, help_text=_("Flagged for the approver.")
    )
    late_request_justification = models.TextField(
        _("why less than 21 days ahead"), max_length=limits.SHORT_TEXT, blank=True
    )
    estimated_ticket_cost = models.DecimalField(
        _("estimated ticket cost (USD)"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    dsa_estimate = models.DecimalField(_("DSA estimate (USD)"), max_digits=12, decimal_places=2)
    terminal_estimate = models.DecimalField(_("terminal expenses (USD)"), max_digits=12, decimal_places=2)
    advance_percent = models.DecimalField(_("advance (% of the DSA)"), max_digits=5, decimal_places=2)
    advance_amount = models.DecimalField(_("advance (USD)"), max_digits=12, decimal_places=2)
    approver = _public(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True, verbose_name=_("approver")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), max_length=limits.SHORT_TEXT, blank=True)
    advance_paid_at = models.DateTimeField(_("advance exported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Personal data: seen by the traveller, the agency's approvers and the facility's travel officers only,
    # and removed by `manage.py travel_personal_data_remove` once the trip has been closed long enough.
    passport_number = models.CharField(_("passport number"), max_length=30, blank=True)
    passport_expires_on = models.DateField(_("passport expiry"), null=True, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("telephone while travelling"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail while travelling"), blank=True)
    personal_data_removed_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("travel request")
        verbose_name_plural = _("travel requests")
        constraints = [
            models.CheckConstraint(condition=Q(returns_on__gte=models.F("departs_on")), name="trip_returns_after"),
            models.CheckConstraint(
                condition=Q(advance_percent__gte=0, advance_percent__lte=100), name="trip_advance_percent"
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "-submitted_at"], name="trip_requester_recent"),
            models.Index(fields=["traveller", "departs_on"], name="trip_traveller_dates"),
            models.Index(fields=["status", "departs_on"], name="trip_status_departure"),
            models.Index(fields=["departs_on", "returns_on"], name="trip_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.traveller_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TRIP_STATUSES


class LegKind(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTUAL = "actual", _("As travelled")


class TravelMode(models.TextChoices):
    AIR = "air", _("Air")
    ROAD = "road", _("Road")
    RAIL = "rail", _("Rail")
    SEA = "sea", _("Sea or river")


class Leg(models.Model):
    """A journey leg: from and to a location of the DSA table, with local departure and arrival times."""

    travel_request = models.ForeignKey(TravelRequest, on_delete=models.CASCADE, related_name="legs")
    kind = models.CharField(_("itinerary"), max_length=8, choices=LegKind.choices)
    position = models.PositiveSmallIntegerField(_("leg"))
    origin = _public("allowances.Location", on_delete=models.DO_NOTHING, verbose_name=_("from"))
    destination = _public("allowances.Location", on_delete=models.DO_NOTHING, verbose_name=_("to"))
    departs_at = models.DateTimeField(_("departure"))
    arrives_at = models.DateTimeField(_("arrival"))
    mode = models.CharField(_("mode"), max_length=6, choices=TravelMode.choices, default=TravelMode.AIR)

    class Meta:
        ordering = ["travel_request", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["travel_request", "kind", "position"], name="leg_once"),
            models.CheckConstraint(condition=Q(arrives_at__gte=models.F("departs_at")), name="leg_arrives_after"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.origin_id} → {self.destination_id}"


class ChargeCode(models.Model):
    """Who pays: a project or budget line and its share of the trip."""

    travel_request = models.ForeignKey(TravelRequest, on_delete=models.CASCADE, related_name="charge_codes")
    code = models.CharField(_("charge code"), max_length=60)
    percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["travel_request", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lte=100), name="charge_share_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.percent}%"


class ProvidedDay(models.Model):
    """A day on which the host provides the accommodation or meals: the DSA is reduced (ICSC rules)."""

    travel_request = models.ForeignKey(TravelRequest, on_delete=models.CASCADE, related_name="provided_days")
    kind = models.CharField(_("itinerary"), max_length=8, choices=LegKind.choices)
    day = models.DateField(_("day"))
    accommodation = models.BooleanField(_("accommodation"), default=False)
    breakfast = models.BooleanField(_("breakfast"), default=False)
    lunch = models.BooleanField(_("lunch"), default=False)
    dinner = models.BooleanField(_("dinner"), default=False)

    class Meta:
        ordering = ["travel_request", "kind", "day"]
        constraints = [models.UniqueConstraint(fields=["travel_request", "kind", "day"], name="provided_day_once")]

    def __str__(self) -> str:
        return f"{self.day}"


class Clearance(models.Model):
    """A UNDSS security clearance (TRIP) for one destination of the trip: needed before ticketing."""

    travel_request = models.ForeignKey(TravelRequest, on_delete=models.CASCADE, related_name="clearances")
    location = _public("allowances.Location", on_delete=models.DO_NOTHING, verbose_name=_("destination"))
    reference = models.CharField(_("clearance reference"), max_length=60)
    granted_on = models.DateField(_("granted on"))
    recorded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["travel_request", "pk"]
        constraints = [models.UniqueConstraint(fields=["travel_request", "location"], name="clearance_once")]

    def __str__(self) -> str:
        return self.reference


class FareOption(models.Model):
    """One of up to three fares the travel officer found for the trip."""

    travel_request = models.ForeignKey(TravelRequest, on_delete=models.CASCADE, related_name="fare_options")
    position = models.PositiveSmallIntegerField(_("option"))
    airline = models.CharField(_("carrier"), max_length=100)
    travel_class = models.CharField(_("class"), max_length=40)
    routing = models.CharField(_("routing"), max_length=limits.NAME, blank=True)
    fare = models.DecimalField(_("fare (USD)"), max_digits=12, decimal_places=2)
    recorded_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["travel_request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["travel_request", "position"], name="fare_option_once"),
            models.CheckConstraint(condition=Q(fare__gt=0), name="fare_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.airline} {self.fare}"


class Ticket(models.Model):
    """The ticket issued: the option chosen (the cheapest, or another with a justification)."""

    travel_request = models.OneToOneField(TravelRequest, on_delete=models.CASCADE, related_name="ticket")
    option = models.ForeignKey(FareOption, on_delete=models.PROTECT, related_name="+", verbose_name=_("fare chosen"))
    airline = models.CharField(_("carrier"), max_length=100)
    travel_class = models.CharField(_("class"), max_length=40)
    fare = models.DecimalField(_("fare (USD)"), max_digits=12, decimal_places=2)
    booking_reference = models.CharField(_("booking reference"), max_length=30)
    choice_justification = models.TextField(
        _("why not the most economical fare"), max_length=limits.SHORT_TEXT, blank=True
    )
    late = models.BooleanField(_("issued less than 21 days before departure"), default=False)
    late_justification = models.TextField(_("why less than 21 days ahead"), max_length=limits.SHORT_TEXT, blank=True)
    issued_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        indexes = [models.Index(fields=["issued_at"], name="ticket_issued")]

    def __str__(self) -> str:
        return f"{self.airline} {self.booking_reference}"


class Claim(models.Model):
    """The traveller's expense claim after the journey, and its settlement against the advance."""

    travel_request = models.OneToOneField(TravelRequest, on_delete=models.CASCADE, related_name="claim")
    submitted_by = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"))
    dsa_amount = models.DecimalField(_("DSA on the actual itinerary (USD)"), max_digits=12, decimal_places=2)
    terminal_amount = models.DecimalField(_("terminal expenses (USD)"), max_digits=12, decimal_places=2)
    other_amount = models.DecimalField(_("other expenses (USD)"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("claimed (USD)"), max_digits=12, decimal_places=2)
    advance_amount = models.DecimalField(_("advance (USD)"), max_digits=12, decimal_places=2)
    settlement_amount = models.DecimalField(
        _("settlement (USD)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Claimed minus the advance: owed to the traveller when positive, to be recovered when negative."),
    )
    settled_by = _public(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True, verbose_name=_("settled by")
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.travel_request_id}: {self.settlement_amount}"


class Expense(models.Model):
    """An expense other than DSA (visa, taxi, registration fee), with its receipt."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="expenses")
    description = models.CharField(_("description"), max_length=limits.NAME)
    amount = models.DecimalField(_("amount (USD)"), max_digits=12, decimal_places=2)
    receipt = models.FileField(_("receipt"), max_length=300, blank=True)
    receipt_name = models.CharField(max_length=limits.FILE_NAME, blank=True)
    receipt_type = models.CharField(max_length=100, blank=True)
    receipt_size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["claim", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expense_positive")]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class TripEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLEARANCE = "clearance", _("Security clearance recorded")
    FARES = "fares", _("Fare options recorded")
    TICKETED = "ticketed", _("Ticket issued")
    CLAIMED = "claimed", _("Claim submitted")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")
    PERSONAL_DATA_REMOVED = "personal_data_removed", _("Personal data removed")


class TripEvent(models.Model):
    """The trip's history, append-only: what happened, when, by whom."""

    travel_request = models.ForeignKey(TravelRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=TripEventKind.choices)
    at = models.DateTimeField()
    actor = _public(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True)
    detail = models.TextField(max_length=limits.SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["travel_request", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class TravelPolicy(models.Model):
    """The agency's own travel rule (one row): the share of the DSA estimate advanced on approval."""

    advance_percent = models.DecimalField(
        _("advance (% of the DSA estimate)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_ADVANCE_PERCENT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("travel policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(advance_percent__gte=0, advance_percent__lte=100), name="policy_advance_percent"
            )
        ]

    def __str__(self) -> str:
        return f"advance {self.advance_percent}%"
