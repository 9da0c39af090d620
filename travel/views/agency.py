"""The agency's travel pages (an agency's address): its people's trips.

Anyone of the agency asks for a trip (for themselves, a colleague or a
consultant) and sees the DSA estimate and the advance as soon as it is
submitted; the agency's approver decides it from the approvals inbox, never
a trip they asked for or travel on. After the journey the traveller claims,
and the settlement statement says what is owed either way. Who sees what
follows the platform's visibility rule (approvers and finance see all of the
agency's trips, everyone else the ones they asked for or travel on); the
traveller's personal data only the traveller and the approvers. Anything
else is a 404 that never says whether it exists. Every change is one service call.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from accounts.selectors import has_role, sees_whole_agency
from shared_platform.attachments import file_download_response
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from tenants.models import Agency

from .. import selectors, services
from ..downloads import authorization_pdf_response, settlement_pdf_response
from ..forms import (
    PolicyForm,
    ReasonForm,
    TripFilterForm,
    TripForm,
    charge_formset,
    expense_formset,
    leg_formset,
    provided_formset,
)
from ..models import OPEN_TRIP_STATUSES, Expense, LegKind, TravellerKind, TravelRequest, TripStatus
from .shared import leg_inputs, provided_inputs, refusal_place, trip_context

REFERENCE_MAX = 40
PAGE_SIZE = 25


# -- who may come here ---------------------------------------------------------------------------


def _agency(request: HttpRequest) -> Agency:
    """The agency whose address this is; trips are asked for and followed there only."""
    agency: Agency = request.tenant  # type: ignore[attr-defined]
    if agency.is_facility:
        raise Http404("Trips are asked for on the agency's own address.")
    if not request.user.is_authenticated:
        raise PermissionDenied
    return agency


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_approver(request: HttpRequest, agency: Agency) -> bool:
    return has_role(user=request.user, agency=agency, roles={Role.APPROVER})


def _trip(request: HttpRequest, reference: str) -> tuple[Agency, TravelRequest]:
    """A trip this person may see, on this agency's address; 404 for anything else."""
    agency = _agency(request)
    if len(reference) > REFERENCE_MAX:
        raise Http404("No such trip.")
    trip = selectors.trips_visible(user=_user(request), agency=agency).filter(reference=reference).first()
    if trip is None:
        raise Http404("No such trip here.")
    return agency, trip


# -- the list ------------------------------------------------------------------------------------


TRIP_SORTS = Sorts(
    default="-submitted",
    columns={
        "reference": ("reference",),
        "traveller": ("traveller_name", "pk"),
        "departure": ("departs_on", "pk"),
        "return": ("returns_on", "pk"),
        "dsa": ("dsa_estimate", "pk"),
        "status": ("status", "submitted_at"),
        "submitted": ("submitted_at", "pk"),
    },
)


def _filtered(trips: QuerySet[TravelRequest], filters: dict[str, str]) -> QuerySet[TravelRequest]:
    if filters["status"] == "open":
        trips = trips.filter(status__in=OPEN_TRIP_STATUSES)
    elif filters["status"]:
        trips = trips.filter(status=filters["status"])
    if filters["search"]:
        search = filters["search"]
        trips = trips.filter(
            Q(reference__icontains=search) | Q(traveller_name__icontains=search) | Q(purpose__icontains=search)
        )
    return trips


def trip_list(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    form = TripFilterForm(request.GET or None)
    filters = form.filters()
    trips = _filtered(selectors.trips_visible(user=_user(request), agency=agency), filters)
    trips, sort = TRIP_SORTS.apply(request, trips)
    page = Paginator(trips, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "whole_agency": sees_whole_agency(user=request.user, agency=agency),
        "filtered": bool(filters["status"] or filters["search"]),
        "may_ask": _covered(agency),
        "is_approver": _is_approver(request, agency),
        "is_finance": has_role(user=request.user, agency=agency, roles={Role.AGENCY_FINANCE, Role.APPROVER}),
    }
    return render(request, "travel/agency/trip_list.html", context)


def _covered(agency: Agency) -> bool:
    from ..start import travel_covered

    return travel_covered(agency)


# -- asking for a trip ---------------------------------------------------------------------------


def _new_context(agency: Agency, form: TripForm, legs: Any, charges: Any, provided: Any, **more: Any) -> dict[str, Any]:
    from allowances.selectors import allowance_settings

    return {
        "form": form,
        "legs": legs,
        "charges": charges,
        "provided": provided,
        "policy_percent": services.policy_in_force().advance_percent,
        "rules": allowance_settings(),
        **more,
    }


def trip_new(request: HttpRequest) -> HttpResponse:
    """A travel request with as many legs, charge codes and provided days as needed ("add rows" sends the
    form back with more empty rows); the page after submission shows the DSA estimate and the advance."""
    agency = _agency(request)
    if request.method != "POST":
        form = TripForm(agency=agency, initial={"traveller": request.user.pk})
        return render(
            request,
            "travel/agency/trip_new.html",
            _new_context(agency, form, leg_formset(), charge_formset(), provided_formset()),
        )
    more = "add_rows" in request.POST
    legs = leg_formset(request.POST, more=more)
    charges = charge_formset(request.POST, more=more)
    provided = provided_formset(request.POST, more=more)
    if more:
        form = TripForm(agency=agency, initial={name: request.POST.get(name, "") for name in TripForm.base_fields})
        return render(
            request, "travel/agency/trip_new.html", _new_context(agency, form, legs, charges, provided, more_rows=True)
        )
    form = TripForm(request.POST, agency=agency)
    if form.is_valid() and legs.is_valid() and charges.is_valid() and provided.is_valid():
        data = form.cleaned_data
        staff = data["traveller_kind"] == TravellerKind.STAFF
        try:
            trip = services.trip_submit(
                agency=agency,
                requester=_user(request),
                traveller_kind=data["traveller_kind"],
                traveller=data["traveller"] if staff else None,
                traveller_name="" if staff else data["traveller_name"],
                purpose=data["purpose"],
                trip_type=data["trip_type"],
                legs=leg_inputs(legs.filled()),
                charges=[services.ChargeInput(code=row["code"], percent=row["percent"]) for row in charges.filled()],
                provided=provided_inputs(provided.filled()),
                estimated_ticket_cost=data["estimated_ticket_cost"] or Decimal("0"),
                late_justification=data["late_justification"],
                personal=services.PersonalData(
                    passport_number=data["passport_number"],
                    passport_expires_on=data["passport_expires_on"],
                    date_of_birth=data["date_of_birth"],
                    phone=data["phone"],
                    contact_email=data["contact_email"],
                ),
            )
        except ApplicationError as error:
            refusal_place(error, form=form, rows={"legs": legs, "charge_codes": charges, "provided": provided})
            status = error.status_code
        else:
            messages.success(
                request,
                _("Travel request %(reference)s submitted; your agency's approver has been asked to decide it.")
                % {"reference": trip.reference},
            )
            return redirect("travel:trip", trip.reference)
    else:
        status = 400
    return render(
        request, "travel/agency/trip_new.html", _new_context(agency, form, legs, charges, provided), status=status
    )


# -- one trip ------------------------------------------------------------------------------------


def _page_context(request: HttpRequest, agency: Agency, trip: TravelRequest, **more: Any) -> dict[str, Any]:
    user = _user(request)
    approver = _is_approver(request, agency) and trip.status == TripStatus.SUBMITTED
    return trip_context(trip, viewer=user, agency=agency) | {
        "may_decide": approver and not services.self_approval_conflict(trip=trip, user=user),
        "decide_conflict": services.self_approval_conflict(trip=trip, user=user) if approver else "",
        "reject_form": ReasonForm(),
        "may_cancel": services.may_cancel(trip=trip, user=user, agency=agency),
        "may_claim": services.may_claim(trip=trip, user=user),
        **more,
    }


def trip_page(request: HttpRequest, reference: str) -> HttpResponse:
    agency, trip = _trip(request, reference)
    return render(request, "travel/agency/trip_detail.html", _page_context(request, agency, trip))


@require_POST
def trip_approve(request: HttpRequest, reference: str) -> HttpResponse:
    agency, trip = _trip(request, reference)
    try:
        services.trip_approve(agency=agency, trip=trip, approver=_user(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        trip.refresh_from_db()
        return render(
            request, "travel/agency/trip_detail.html", _page_context(request, agency, trip), status=error.status_code
        )
    messages.success(
        request,
        _("%(reference)s approved; the facility's travel officers take it from here.") % {"reference": trip.reference},
    )
    return redirect("travel:trip", trip.reference)


@require_POST
def trip_reject(request: HttpRequest, reference: str) -> HttpResponse:
    agency, trip = _trip(request, reference)
    form = ReasonForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.trip_reject(agency=agency, trip=trip, approver=_user(request), reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form_error_apply(form, error)
            status = error.status_code
        else:
            messages.success(
                request, _("%(reference)s rejected; the requester has been told why.") % {"reference": trip.reference}
            )
            return redirect("travel:trip", trip.reference)
    trip.refresh_from_db()
    return render(
        request, "travel/agency/trip_detail.html", _page_context(request, agency, trip, reject_form=form), status=status
    )


def trip_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    """A confirmation page that says what cannot be undone, then the cancellation."""
    agency, trip = _trip(request, reference)
    if not services.may_cancel(trip=trip, user=_user(request), agency=agency):
        raise PermissionDenied(_("This trip can no longer be cancelled by you."))
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.trip_cancel(agency=agency, trip=trip, by=_user(request), reason=form.cleaned_data["reason"])
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, _("%(reference)s cancelled.") % {"reference": trip.reference})
                return redirect("travel:trip", trip.reference)
    return render(request, "travel/agency/trip_cancel.html", {"trip": trip, "form": form}, status=status)


def trip_claim(request: HttpRequest, reference: str) -> HttpResponse:
    """The traveller's claim: the itinerary as travelled (the planned one to start from), the days the host
    provided, other expenses with receipts."""
    _address, trip = _trip(request, reference)
    if not services.may_claim(trip=trip, user=_user(request)):
        raise PermissionDenied(_("Only the traveller claims for a trip whose ticket has been issued."))
    if request.method != "POST":
        planned = [
            {
                "origin": leg.origin_id,
                "destination": leg.destination_id,
                "departs_on": timezone.localtime(leg.departs_at).date(),
                "departs_time": timezone.localtime(leg.departs_at).time(),
                "arrives_on": timezone.localtime(leg.arrives_at).date(),
                "arrives_time": timezone.localtime(leg.arrives_at).time(),
                "mode": leg.mode,
            }
            for leg in trip.legs.filter(kind=LegKind.PLANNED).order_by("position")
        ]
        context = {
            "trip": trip,
            "legs": leg_formset(initial=planned),
            "provided": provided_formset(),
            "expenses": expense_formset(),
        }
        return render(request, "travel/agency/trip_claim.html", context)
    more = "add_rows" in request.POST
    legs = leg_formset(request.POST, more=more)
    provided = provided_formset(request.POST, more=more)
    expenses = expense_formset(request.POST, request.FILES, more=more)
    context = {"trip": trip, "legs": legs, "provided": provided, "expenses": expenses}
    if more:
        return render(request, "travel/agency/trip_claim.html", context | {"more_rows": True})
    status = 400
    if legs.is_valid() and provided.is_valid() and expenses.is_valid():
        try:
            services.claim_submit(
                trip=trip,
                by=_user(request),
                legs=leg_inputs(legs.filled()),
                provided=provided_inputs(provided.filled()),
                expenses=[
                    services.ExpenseInput(
                        description=row["description"], amount=row["amount"], receipt=row.get("receipt")
                    )
                    for row in expenses.filled()
                ],
            )
        except ApplicationError as error:
            claim_errors = ReasonForm()
            refusal_place(error, form=claim_errors, rows={"legs": legs, "provided": provided, "expenses": expenses})
            context["errors"] = claim_errors.non_field_errors()
            status = error.status_code
        else:
            messages.success(request, _("Claim submitted; the facility settles it."))
            return redirect("travel:trip", trip.reference)
    return render(request, "travel/agency/trip_claim.html", context, status=status)


def trip_authorization_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    agency, trip = _trip(request, reference)
    return authorization_pdf_response(trip=trip, agency=agency)


def trip_settlement_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    agency, trip = _trip(request, reference)
    if not hasattr(trip, "claim"):
        raise Http404("No claim yet.")
    return settlement_pdf_response(trip=trip, agency=agency)


def trip_receipt(request: HttpRequest, reference: str, expense_id: int) -> HttpResponseBase:
    _address, trip = _trip(request, reference)
    expense = Expense.objects.filter(pk=expense_id, claim__travel_request=trip).exclude(receipt="").first()
    if expense is None:
        raise Http404("No such receipt.")
    return file_download_response(
        file=expense.receipt.open("rb"), name=expense.receipt_name, content_type=expense.receipt_type
    )


# -- duty of care, policy, exports ---------------------------------------------------------------


def duty_of_care(request: HttpRequest) -> HttpResponse:
    """Where the agency's travellers are today and in the next 7 days, with their contacts (approvers)."""
    agency = _agency(request)
    if not _is_approver(request, agency):
        raise PermissionDenied(_("Only your agency's approvers see where its travellers are."))
    return render(
        request,
        "travel/duty_of_care.html",
        {"away": selectors.whereabouts(), "days": selectors.DUTY_OF_CARE_DAYS, "everywhere": False},
    )


def policy(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    may_edit = has_role(user=request.user, agency=agency, roles={Role.AGENCY_FINANCE, Role.APPROVER})
    current = services.policy_in_force()
    form = PolicyForm(request.POST or None, initial={"advance_percent": current.advance_percent})
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Only your agency's finance officers and approvers set its travel policy."))
        status = 400
        if form.is_valid():
            try:
                services.policy_update(
                    agency=agency, advance_percent=form.cleaned_data["advance_percent"], by=_user(request)
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Travel policy saved; it applies to trips submitted from now on."))
                return redirect("travel:policy")
    return render(
        request, "travel/agency/policy.html", {"form": form, "may_edit": may_edit, "policy": current}, status=status
    )


def _finance_check(request: HttpRequest, agency: Agency) -> None:
    if not has_role(user=request.user, agency=agency, roles={Role.AGENCY_FINANCE, Role.APPROVER}):
        raise PermissionDenied(_("Only your agency's finance officers and approvers export travel payments."))


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        today = timezone.localdate()
        return today.replace(day=1)


def advances_csv(request: HttpRequest) -> HttpResponse:
    """The advances that fell due in a month (trips approved then), for the agency's ERP."""
    agency = _agency(request)
    _finance_check(request, agency)
    month = _month(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agency.code}-travel-advances-{month:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "reference",
            "traveller",
            "approved_on",
            "departs_on",
            "charge_code",
            "share_percent",
            "advance_usd",
            "amount_usd",
        ]
    )
    for trip, charge, amount in selectors.advances_due(month=month):
        writer.writerow(
            [
                trip.reference,
                _safe(trip.traveller_name),
                timezone.localtime(trip.decided_at).date().isoformat() if trip.decided_at else "",
                trip.departs_on.isoformat(),
                _safe(charge.code),
                charge.percent,
                trip.advance_amount,
                amount,
            ]
        )
    return response


def settlements_csv(request: HttpRequest) -> HttpResponse:
    """The month's settlements: claims settled (owed to the traveller when positive, to recover when negative)
    and the advances of trips called off after approval (to recover)."""
    agency = _agency(request)
    _finance_check(request, agency)
    month = _month(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agency.code}-travel-settlements-{month:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "reference",
            "traveller",
            "kind",
            "settled_on",
            "charge_code",
            "share_percent",
            "claimed_usd",
            "advance_usd",
            "settlement_usd",
            "amount_usd",
        ]
    )
    for line in selectors.settlements_done(month=month):
        writer.writerow(
            [
                line.trip.reference,
                _safe(line.trip.traveller_name),
                line.kind,
                line.settled_on.isoformat(),
                _safe(line.charge.code),
                line.charge.percent,
                line.claimed,
                line.advance,
                line.settlement,
                line.amount,
            ]
        )
    return response


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


pages = [
    path("", trip_list, name="trips"),
    path("new/", trip_new, name="trip-new"),
    path("duty-of-care/", duty_of_care, name="duty-of-care"),
    path("policy/", policy, name="policy"),
    path("exports/advances.csv", advances_csv, name="advances-csv"),
    path("exports/settlements.csv", settlements_csv, name="settlements-csv"),
    path("<str:reference>/", trip_page, name="trip"),
    path("<str:reference>/approve/", trip_approve, name="trip-approve"),
    path("<str:reference>/reject/", trip_reject, name="trip-reject"),
    path("<str:reference>/cancel/", trip_cancel, name="trip-cancel"),
    path("<str:reference>/claim/", trip_claim, name="trip-claim"),
    path("<str:reference>/authorization.pdf", trip_authorization_pdf, name="trip-authorization-pdf"),
    path("<str:reference>/settlement.pdf", trip_settlement_pdf, name="trip-settlement-pdf"),
    path("<str:reference>/receipts/<int:expense_id>/", trip_receipt, name="trip-receipt"),
]
