"""Travel's forms: the travel request with its legs, charge codes and provided days; the decision; the claim;
and the facility's clearance, fares and ticket.

Rows work without JavaScript (shared_platform.forms.row_formset). The
services check everything again; the forms say it first, beside each field.
Times are typed as the traveller reads their booking: local date and time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Membership, User
from allowances.models import Location
from allowances.selectors import locations
from shared_platform import limits
from shared_platform.forms import BaseRowFormSet, OnePageForm, row_formset
from tenants.models import Agency

from .models import MAX_FARE_OPTIONS, TravellerKind, TravelMode, TripStatus, TripType
from .services import MAX_CHARGE_CODES, MAX_EXPENSES, MAX_LEGS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_PROVIDED_DAYS = 120


class LocationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.country_name})"


class LegForm(forms.Form):
    origin = LocationChoice(
        label=pgettext_lazy("itinerary", "From"), queryset=Location.objects.none(), empty_label=_("Choose a place")
    )
    destination = LocationChoice(
        label=pgettext_lazy("itinerary", "To"), queryset=Location.objects.none(), empty_label=_("Choose a place")
    )
    departs_on = forms.DateField(label=_("Departure date"), widget=DATE)
    departs_time = forms.TimeField(label=_("Departure time"), widget=TIME)
    arrives_on = forms.DateField(label=_("Arrival date"), widget=DATE)
    arrives_time = forms.TimeField(label=_("Arrival time"), widget=TIME)
    mode = forms.ChoiceField(label=_("Mode"), choices=TravelMode.choices, initial=TravelMode.AIR)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = locations()
        self.fields["origin"].queryset = known  # type: ignore[attr-defined]
        self.fields["destination"].queryset = known  # type: ignore[attr-defined]

    def has_changed(self) -> bool:
        # The mode is preset; a row counts as typed into when anything else is.
        return any(name in self.changed_data for name in self.fields if name != "mode")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(name) for name in ("departs_on", "departs_time", "arrives_on", "arrives_time")):
            departs = _aware(data["departs_on"], data["departs_time"])
            arrives = _aware(data["arrives_on"], data["arrives_time"])
            if arrives < departs:
                raise forms.ValidationError(_("The arrival is before the departure."), code="arrival_before")
            data["departs_at"], data["arrives_at"] = departs, arrives
        if data.get("origin") and data.get("origin") == data.get("destination"):
            raise forms.ValidationError(_("The leg goes nowhere: its origin is its destination."), code="nowhere")
        return data


def _aware(day: Any, time: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time))


class LegFormSet(BaseRowFormSet):
    row_name = _("Leg")
    at_least_one = _("Give at least one journey leg.")


class ChargeForm(forms.Form):
    code = forms.CharField(label=_("Charge code"), max_length=60, help_text=_("Project or budget line."))
    percent = forms.DecimalField(
        label=_("Share (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "max": "100"}),
    )


class ChargeFormSet(BaseRowFormSet):
    row_name = _("Charge code")
    at_least_one = _("Give at least one charge code.")

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        total = sum((row["percent"] for row in self.filled()), Decimal("0"))
        if self.filled() and total != Decimal("100"):
            raise forms.ValidationError(
                _("The shares add up to %(total)s %%; they must add up to 100 %%.") % {"total": total},
                code="not_100",
            )


class ProvidedForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    accommodation = forms.BooleanField(label=_("Accommodation"), required=False)
    breakfast = forms.BooleanField(label=_("Breakfast"), required=False)
    lunch = forms.BooleanField(label=_("Lunch"), required=False)
    dinner = forms.BooleanField(label=_("Dinner"), required=False)


class ProvidedFormSet(BaseRowFormSet):
    row_name = _("Provided day")


class TripForm(forms.Form):
    traveller_kind = forms.ChoiceField(
        label=_("Who travels"), choices=TravellerKind.choices, initial=TravellerKind.STAFF, widget=forms.RadioSelect
    )
    traveller = forms.ModelChoiceField(
        label=_("Traveller"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Choose a person"),
        help_text=_("A member of your agency (yourself included)."),
    )
    traveller_name = forms.CharField(
        label=_("Traveller's name"),
        max_length=limits.NAME,
        required=False,
        help_text=_("For a consultant or participant who is not a member of the agency."),
    )
    trip_type = forms.ChoiceField(label=_("Type of travel"), choices=TripType.choices)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the trip is for, and for which programme or project."),
    )
    estimated_ticket_cost = forms.DecimalField(
        label=_("Estimated ticket cost (USD)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    late_justification = forms.CharField(
        label=_("Why less than 21 days ahead"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the departure is less than 21 days away; the approver sees it."),
    )
    passport_number = forms.CharField(label=_("Passport number"), max_length=30, required=False)
    passport_expires_on = forms.DateField(label=_("Passport expiry"), required=False, widget=DATE)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    phone = forms.CharField(label=_("Telephone while travelling"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail while travelling"), required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(agency=agency).values("user_id")
        self.fields["traveller"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=members, is_active=True
        ).order_by("first_name", "last_name", "email")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("traveller_kind")
        if kind == TravellerKind.STAFF and not data.get("traveller"):
            self.add_error("traveller", _("Choose the traveller among your agency's people."))
        if kind == TravellerKind.NON_STAFF and not (data.get("traveller_name") or "").strip():
            self.add_error("traveller_name", _("Give the traveller's name."))
        return data


def leg_formset(data: Any = None, *, more: bool = False, prefix: str = "legs", initial: Any = None) -> BaseRowFormSet:
    return row_formset(
        LegFormSet,
        LegForm,
        prefix=prefix,
        data=data,
        more=more,
        first=2,
        more_rows=2,
        maximum=MAX_LEGS,
        initial=initial,
    )


def charge_formset(data: Any = None, *, more: bool = False) -> BaseRowFormSet:
    return row_formset(
        ChargeFormSet,
        ChargeForm,
        prefix="charges",
        data=data,
        more=more,
        first=2,
        more_rows=2,
        maximum=MAX_CHARGE_CODES,
    )


def provided_formset(data: Any = None, *, more: bool = False, prefix: str = "provided") -> BaseRowFormSet:
    return row_formset(
        ProvidedFormSet,
        ProvidedForm,
        prefix=prefix,
        data=data,
        more=more,
        first=2,
        more_rows=3,
        maximum=MAX_PROVIDED_DAYS,
    )


class ExpenseForm(forms.Form):
    description = forms.CharField(label=_("Expense"), max_length=limits.NAME, help_text=_("Visa, taxi, fee…"))
    amount = forms.DecimalField(
        label=_("Amount (USD)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
    )
    receipt = forms.FileField(label=_("Receipt"), required=False)


class ExpenseFormSet(BaseRowFormSet):
    row_name = _("Expense")


def expense_formset(data: Any = None, files: Any = None, *, more: bool = False) -> BaseRowFormSet:
    built = row_formset(
        ExpenseFormSet, ExpenseForm, prefix="expenses", data=data, more=more, first=2, more_rows=2, maximum=MAX_EXPENSES
    )
    if files is not None and data is not None and not more:
        built.files = files
        for form in built.forms:
            form.files = files
    return built


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The requester and the traveller read it."),
    )


class TripFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), ("open", _("In progress")), *TripStatus.choices],
        required=False,
    )
    q = forms.CharField(required=False, label=_("Search"), max_length=100)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": "", "search": ""}
        return {"status": self.cleaned_data["status"], "search": self.cleaned_data["q"].strip()}


class PolicyForm(forms.Form):
    advance_percent = forms.DecimalField(
        label=_("Advance (% of the DSA estimate)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text=_("Paid to the traveller on approval; the claim settles the rest."),
    )


# -- the facility ----------------------------------------------------------------------------------


class ClearanceForm(OnePageForm):
    id_prefix = "clearance"
    location = forms.ChoiceField(label=_("Destination"))
    reference = forms.CharField(label=_("Clearance reference"), max_length=60, help_text=_("As UNDSS TRIP gives it."))
    granted_on = forms.DateField(label=_("Granted on"), widget=DATE)

    def __init__(self, *args: Any, destinations: list[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(str(place.pk), str(place)) for place in destinations]  # type: ignore[attr-defined]


class FareForm(forms.Form):
    airline = forms.CharField(label=_("Carrier"), max_length=100)
    travel_class = forms.CharField(label=_("Class"), max_length=40, initial="Economy")
    routing = forms.CharField(label=_("Routing"), max_length=limits.NAME, required=False)
    fare = forms.DecimalField(
        label=_("Fare (USD)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
    )

    def has_changed(self) -> bool:
        return any(name in self.changed_data for name in self.fields if name != "travel_class")


class FareFormSet(BaseRowFormSet):
    row_name = _("Fare")
    at_least_one = _("Give at least one fare.")


def fare_formset(data: Any = None) -> BaseRowFormSet:
    return row_formset(
        FareFormSet, FareForm, prefix="fares", data=data, first=MAX_FARE_OPTIONS, maximum=MAX_FARE_OPTIONS
    )


class TicketForm(OnePageForm):
    id_prefix = "ticket"
    option = forms.TypedChoiceField(label=_("Fare chosen"), coerce=int)
    booking_reference = forms.CharField(label=_("Booking reference"), max_length=30)
    choice_justification = forms.CharField(
        label=_("Why not the most economical fare"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    late_justification = forms.CharField(
        label=_("Why less than 21 days before departure"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, options: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [  # type: ignore[attr-defined]
            (option.position, f"{option.position}. {option.airline}, {option.travel_class}: USD {option.fare}")
            for option in options
        ]


class QueueFilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), required=False, to_field_name="code"
    )
    step = forms.ChoiceField(label=_("Step"), required=False)
    officer = forms.ChoiceField(
        label=_("Travel officer"),
        required=False,
        choices=[("", _("Anyone")), ("mine", _("Mine")), ("none", _("Nobody yet"))],
    )
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("In progress")), ("overdue", _("Overdue")), ("all", _("All, finished too"))],
    )

    def __init__(self, *args: Any, steps: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.agencies().order_by("code")  # type: ignore[attr-defined]
        self.fields["step"].choices = [("", _("Any step")), *steps]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"agency": None, "step": "", "officer": "", "state": ""}
        return dict(self.cleaned_data)
