"""The facility's travel pages (the facility portal): one queue across agencies, the trip's case page,
duty of care everywhere, and the late-booking report.

Travel officers (and the manager) record the security clearance per
destination, the fares found, issue the ticket, and settle claims; other
facility staff read (the auditor too). A trip lives in its agency's schema:
the ledger row says whose it is, and the page enters that schema for as long
as it works (`selectors.agency_trip`). An agency's address has none of these
pages (404); board members and agency people are refused (403).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from allowances.models import Location
from shared_platform.attachments import file_download_response
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sort, Sorts
from tenants.models import Agency

from .. import selectors, services
from ..downloads import authorization_pdf_response, settlement_pdf_response
from ..forms import ClearanceForm, QueueFilterForm, TicketForm, fare_formset
from ..models import Expense, TravelRequest, TripStatus
from .shared import refusal_place, trip_context

REFERENCE_MAX = 40
STEPS = [
    (services.STEP_AUTHORIZATION, gettext_lazy("Waiting for the agency's approval")),
    (services.STEP_TICKETING, gettext_lazy("Clearance and ticket")),
    (services.STEP_TRAVELLING, gettext_lazy("Travelling")),
    (services.STEP_CLAIM, gettext_lazy("Claim to settle")),
    (services.STEP_SETTLED, gettext_lazy("Settled")),
]


def _portal(request: HttpRequest) -> Agency:
    address: Agency = request.tenant  # type: ignore[attr-defined]
    if not address.is_facility:
        raise Http404("The travel queue is on the facility portal.")
    if not selectors.is_travel_reader(user=request.user):
        raise PermissionDenied(_("Only the facility's staff see the travel queue."))
    return address


def _officer(request: HttpRequest) -> User:
    if not selectors.is_travel_officer(user=request.user):
        raise PermissionDenied(_("Only the facility's travel officers work trips."))
    return request.user  # type: ignore[return-value]


QUEUE_SORTS = Sorts(
    default="due",
    columns={
        "due": ("overdue_since", "next_due", "opened_at"),
        "reference": ("reference",),
        "agency": ("agency__code", "opened_at"),
        "step": ("step", "opened_at"),
        "opened": ("opened_at", "pk"),
    },
)


def queue(request: HttpRequest) -> HttpResponse:
    _portal(request)
    steps = [(value, str(label)) for value, label in STEPS]
    form = QueueFilterForm(request.GET or None, steps=steps)
    entries = selectors.travel_queue(user=request.user, filters=form.filters())
    sort: Sort = QUEUE_SORTS.chosen(request)
    if sort != Sort("due", descending=False):  # the default keeps the queue's own order: overdue, then soonest due
        entries, sort = QUEUE_SORTS.apply(request, entries)
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "travel/facility/queue.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "step_labels": dict(steps),
            "now": timezone.now(),
            "is_officer": selectors.is_travel_officer(user=request.user),
        },
    )


def _case_context(request: HttpRequest, trip: TravelRequest, **forms: Any) -> dict[str, Any]:
    officer = selectors.is_travel_officer(user=request.user)
    waiting_ticket = trip.status == TripStatus.APPROVED
    destinations = list(Location.objects.in_bulk(services.destinations(trip)).values())
    fares = list(trip.fare_options.order_by("position"))
    return trip_context(trip, viewer=request.user, agency=None) | {  # type: ignore[arg-type]
        "is_officer": officer,
        "may_ticket": officer and waiting_ticket,
        "may_settle": officer and trip.status == TripStatus.CLAIMED,
        "clearance_form": forms.get("clearance_form") or ClearanceForm(destinations=destinations),
        "fare_rows": forms.get("fare_rows") or fare_formset(),
        "ticket_form": forms.get("ticket_form") or TicketForm(options=fares),
        "ticket_late": waiting_ticket and services.issued_late(trip, timezone.now()),
        "step_labels": {value: str(label) for value, label in STEPS},
    }


def _reference_check(reference: str) -> None:
    if len(reference) > REFERENCE_MAX:
        raise Http404("No such trip.")


def case(request: HttpRequest, reference: str) -> HttpResponse:
    _portal(request)
    _reference_check(reference)
    with selectors.agency_trip(reference=reference) as trip:
        return render(request, "travel/facility/case.html", _case_context(request, trip))


@require_POST
def clearance_add(request: HttpRequest, reference: str) -> HttpResponse:
    _portal(request)
    officer = _officer(request)
    _reference_check(reference)
    with selectors.agency_trip(reference=reference) as trip:
        destinations = list(Location.objects.in_bulk(services.destinations(trip)).values())
        form = ClearanceForm(request.POST, destinations=destinations)
        status = 400
        if form.is_valid():
            try:
                services.clearance_record(
                    trip=trip,
                    location_id=int(form.cleaned_data["location"]),
                    reference=form.cleaned_data["reference"],
                    granted_on=form.cleaned_data["granted_on"],
                    by=officer,
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Security clearance recorded."))
                return redirect("travel:case", reference)
        trip.refresh_from_db()
        return render(
            request, "travel/facility/case.html", _case_context(request, trip, clearance_form=form), status=status
        )


@require_POST
def fares_record(request: HttpRequest, reference: str) -> HttpResponse:
    _portal(request)
    officer = _officer(request)
    _reference_check(reference)
    with selectors.agency_trip(reference=reference) as trip:
        rows = fare_formset(request.POST)
        status = 400
        if rows.is_valid():
            try:
                services.fare_options_record(
                    trip=trip,
                    options=[
                        services.FareInput(
                            airline=row["airline"],
                            travel_class=row["travel_class"],
                            fare=row["fare"],
                            routing=row["routing"],
                        )
                        for row in rows.filled()
                    ],
                    by=officer,
                )
            except ApplicationError as error:
                holder = ClearanceForm(destinations=[])
                refusal_place(error, form=holder, rows={"options": rows})
                status = error.status_code
            else:
                messages.success(request, _("Fares recorded; the most economical is chosen unless you say why not."))
                return redirect("travel:case", reference)
        trip.refresh_from_db()
        return render(request, "travel/facility/case.html", _case_context(request, trip, fare_rows=rows), status=status)


@require_POST
def ticket_issue(request: HttpRequest, reference: str) -> HttpResponse:
    _portal(request)
    officer = _officer(request)
    _reference_check(reference)
    with selectors.agency_trip(reference=reference) as trip:
        form = TicketForm(request.POST, options=list(trip.fare_options.order_by("position")))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.ticket_issue(
                    trip=trip,
                    option_position=data["option"],
                    booking_reference=data["booking_reference"],
                    choice_justification=data["choice_justification"],
                    late_justification=data["late_justification"],
                    by=officer,
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Ticket issued; the traveller has been told."))
                return redirect("travel:case", reference)
        trip.refresh_from_db()
        return render(
            request, "travel/facility/case.html", _case_context(request, trip, ticket_form=form), status=status
        )


@require_POST
def settle(request: HttpRequest, reference: str) -> HttpResponse:
    _portal(request)
    officer = _officer(request)
    _reference_check(reference)
    with selectors.agency_trip(reference=reference) as trip:
        try:
            claim = services.claim_settle(trip=trip, by=officer)
        except ApplicationError as error:
            messages.error(request, error.message)
            trip.refresh_from_db()
            return render(request, "travel/facility/case.html", _case_context(request, trip), status=error.status_code)
        messages.success(
            request,
            _("Claim settled: %(amount)s USD; the trip is delivered and billed.") % {"amount": claim.settlement_amount},
        )
        return redirect("travel:case", reference)


def case_authorization_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    _portal(request)
    _reference_check(reference)
    entry = selectors.trip_entry(reference=reference)
    with selectors.agency_trip(reference=reference) as trip:
        return authorization_pdf_response(trip=trip, agency=entry.agency)  # type: ignore[union-attr]


def case_settlement_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    _portal(request)
    _reference_check(reference)
    entry = selectors.trip_entry(reference=reference)
    with selectors.agency_trip(reference=reference) as trip:
        if not hasattr(trip, "claim"):
            raise Http404("No claim yet.")
        return settlement_pdf_response(trip=trip, agency=entry.agency)  # type: ignore[union-attr]


def case_receipt(request: HttpRequest, reference: str, expense_id: int) -> HttpResponseBase:
    _portal(request)
    _reference_check(reference)
    with selectors.agency_trip(reference=reference) as trip:
        expense = Expense.objects.filter(pk=expense_id, claim__travel_request=trip).exclude(receipt="").first()
        if expense is None:
            raise Http404("No such receipt.")
        return file_download_response(
            file=expense.receipt.open("rb"), name=expense.receipt_name, content_type=expense.receipt_type
        )


def duty_of_care(request: HttpRequest) -> HttpResponse:
    """Where every agency's travellers are today and in the next 7 days (travel officers)."""
    _portal(request)
    _officer(request)
    return render(
        request,
        "travel/duty_of_care.html",
        {"away": selectors.whereabouts_everywhere(), "days": selectors.DUTY_OF_CARE_DAYS, "everywhere": True},
    )


def late_bookings(request: HttpRequest) -> HttpResponse:
    """Tickets issued less than 21 days before departure, per agency and month of a year."""
    _portal(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    rows = selectors.late_bookings(year=year)
    months = [date(year, month, 1) for month in range(1, 13)]
    agencies = sorted({row.agency_code for row in rows})
    cells = {(row.agency_code, row.month.month): row for row in rows}
    table: list[dict[str, Any]] = [
        {
            "agency": code,
            "months": [cells.get((code, month.month)) for month in months],
            "tickets": sum(row.tickets for row in rows if row.agency_code == code),
            "late": sum(row.late for row in rows if row.agency_code == code),
        }
        for code in agencies
    ]
    for line in table:
        line["share"] = round(100 * line["late"] / line["tickets"]) if line["tickets"] else 0
    return render(
        request,
        "travel/facility/late_bookings.html",
        {"year": year, "months": months, "table": table, "years": list(range(today.year - 3, today.year + 1))},
    )


pages = [
    path("queue/", queue, name="queue"),
    path("duty-of-care/", duty_of_care, name="duty-of-care"),
    path("late-bookings/", late_bookings, name="late-bookings"),
    path("cases/<str:reference>/", case, name="case"),
    path("cases/<str:reference>/clearances/", clearance_add, name="case-clearance"),
    path("cases/<str:reference>/fares/", fares_record, name="case-fares"),
    path("cases/<str:reference>/ticket/", ticket_issue, name="case-ticket"),
    path("cases/<str:reference>/settle/", settle, name="case-settle"),
    path("cases/<str:reference>/authorization.pdf", case_authorization_pdf, name="case-authorization-pdf"),
    path("cases/<str:reference>/settlement.pdf", case_settlement_pdf, name="case-settlement-pdf"),
    path("cases/<str:reference>/receipts/<int:expense_id>/", case_receipt, name="case-receipt"),
]
