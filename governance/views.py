"""The board's pages.

On the facility portal: board members see motions and vote from a motion's
page; the secretary creates meetings and motions, opens and closes them;
everyone on the board reads results, minutes and the register. On an
agency's address: the register, read-only. Views read through selectors and
write through services only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shared_platform.errors import ApplicationError
from shared_platform.sorting import Sort, Sorts
from tenants.models import Agency

from . import selectors, services
from .forms import BallotForm, ConfirmForm, MeetingForm, MotionDocumentForm, MotionForm, WithdrawForm
from .models import Meeting, Motion, MotionDocument, MotionStatus, Outcome
from .pdf import meeting_minutes_pdf, motion_result_pdf
from .register import entry_hash_compute, register_verify

PAGE_SIZE = 25
MOTION_TABS = [
    ("open", _("Open for votes")),
    ("closed", _("Decided")),
    ("draft", _("Drafts")),
    ("withdrawn", _("Withdrawn")),
    ("all", _("All")),
]
MOTION_SORTS = Sorts(
    default="-created",
    columns={
        "created": ("id",),
        "title": ("title",),
        "rule": ("rule",),
        "meeting": ("meeting__starts_at",),
        "closes": ("closes_at",),
        "status": ("status", "outcome"),
        "register": ("register_entry__number",),
    },
)
MEETING_SORTS = Sorts(
    default="-starts", columns={"title": ("title",), "starts": ("starts_at",), "location": ("location",)}
)
MEETING_WHEN = [("", _("All meetings")), ("upcoming", _("Upcoming")), ("past", _("Past"))]
REGISTER_SORTS = Sorts(
    default="-number",
    columns={
        "number": ("number",),
        "title": ("content__motion__title",),
        "rule": ("content__rule",),
        "outcome": ("content__outcome",),
        "recorded": ("recorded_at",),
    },
)


# --- Access -------------------------------------------------------------------


def _agency(request: HttpRequest) -> Agency:
    return request.tenant  # type: ignore[attr-defined,no-any-return]


def _board_reader_check(request: HttpRequest) -> None:
    if not selectors.may_read_board(user=request.user, agency=_agency(request)):
        raise PermissionDenied(gettext("Motions are for the board, its secretary and the auditor."))


def _secretary_check(request: HttpRequest) -> None:
    if not selectors.is_board_secretary(user=request.user, agency=_agency(request)):
        raise PermissionDenied(gettext("Only the board secretary (the facility manager) may do this."))


def _motion(pk: int) -> Motion:
    motion = selectors.motion_get(motion_id=pk)
    if motion is None:
        raise Http404("No such motion.")
    return motion


def _errors_to_form(error: ApplicationError, form: forms.Form) -> None:
    """A service's refusal, shown on the fields it names (or above the form)."""
    placed = False
    for field, field_messages in error.fields.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
            placed = True
    if not placed or not error.fields:
        form.add_error(None, error.message)


# --- Motions ------------------------------------------------------------------


def _sorted(request: HttpRequest, rows: QuerySet, sorts: Sorts, *tie_breakers: str) -> tuple[QuerySet, Sort]:
    """The rows in the order the address asks for, then a fixed order among equals (pages never overlap)."""
    rows, sort = sorts.apply(request, rows)
    return rows.order_by(*rows.query.order_by, *tie_breakers), sort


def motion_list(request: HttpRequest) -> HttpResponse:
    _board_reader_check(request)
    tab = request.GET.get("status", "open")
    if tab not in dict(MOTION_TABS):
        tab = "open"
    motions, sort = _sorted(request, selectors.motion_list(status=None if tab == "all" else tab), MOTION_SORTS, "-id")
    page = Paginator(motions, PAGE_SIZE).get_page(request.GET.get("page"))
    seats = selectors.voting_seats_of(user=request.user)
    return render(
        request,
        "governance/motion_list.html",
        {
            "page": page,
            "sort": sort,
            "tab": tab,
            "tabs": MOTION_TABS,
            "is_secretary": selectors.is_board_secretary(user=request.user, agency=_agency(request)),
            "voting_seats": seats,
            "voting_codes": ", ".join(agency.code for agency in seats),
            "board": selectors.board_current(),
        },
    )


def _motion_page(
    request: HttpRequest,
    motion: Motion,
    *,
    ballot_form: BallotForm | None = None,
    document_form: MotionDocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    seats = {seat.agency_id: seat for seat in selectors.motion_seats(motion=motion)}
    my_agencies = selectors.voting_seats_of(user=request.user)
    # The agencies this person can vote for on this motion (they hold a seat and are not recused).
    voting_for = [agency for agency in my_agencies if agency.pk in seats and not seats[agency.pk].is_recused]
    own_ids = frozenset(agency.pk for agency in my_agencies)
    ballots = selectors.motion_ballots(motion=motion)
    is_open = motion.status == MotionStatus.OPEN
    if ballot_form is None and is_open and voting_for:
        current = ballots.get(voting_for[0].pk)
        ballot_form = BallotForm(
            rule=motion.rule,
            agencies=voting_for,
            initial={"choice": current.choice if current else None, "agency": voting_for[0].code},
        )
    visibility = selectors.motion_visibility(motion=motion)
    entry = getattr(motion, "register_entry", None) if motion.status == MotionStatus.CLOSED else None
    context: dict[str, Any] = {
        "motion": motion,
        "documents": list(motion.documents.all()),
        "events": selectors.motion_history(motion=motion),
        "rows": selectors.motion_seat_rows(motion=motion, own_agency_ids=own_ids),
        "tally": selectors.motion_tally(motion=motion) if visibility.tally and is_open else None,
        "visibility": visibility,
        "entry": entry,
        "decision": selectors.decision_text(content=entry.content) if entry is not None else None,
        "is_secretary": selectors.is_board_secretary(user=request.user, agency=_agency(request)),
        "ballot_form": ballot_form if is_open and voting_for else None,
        "my_ballots": [(agency, ballots.get(agency.pk)) for agency in voting_for],
        "my_history": list(
            selectors.ballot_history(motion=motion).filter(agency__in=[agency.pk for agency in voting_for])
        ),
        "recused_mine": [agency for agency in my_agencies if agency.pk in seats and seats[agency.pk].is_recused],
        "document_form": document_form or MotionDocumentForm(),
        **_simulations_cited(motion),
    }
    return render(request, "governance/motion_detail.html", context, status=status)


def _simulations_cited(motion: Motion) -> dict[str, Any]:
    """The fair-cost simulations attached to the motion (accountability), with their frozen lines."""
    from accountability.selectors.simulations import KEYS, frozen_lines, key_label, simulations_of_motion

    simulations = list(simulations_of_motion(motion_id=motion.pk))
    for simulation in simulations:
        simulation.frozen = frozen_lines(simulation)  # type: ignore[attr-defined]
    return {"simulations": simulations, "simulation_keys": [(method, key_label(method)) for method in KEYS]}


def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _board_reader_check(request)
    return _motion_page(request, _motion(pk))


def _motion_form_page(request: HttpRequest, motion: Motion | None) -> HttpResponse:
    _secretary_check(request)
    if motion is not None and motion.status != MotionStatus.DRAFT:
        messages.error(request, gettext("Only a draft can be changed; the agencies vote on the text as it was opened."))
        return redirect("governance:motion", pk=motion.pk)
    initial: dict[str, Any] = {}
    if motion is not None:
        initial = {
            "title": motion.title,
            "text": motion.text,
            "meeting": motion.meeting,
            "rule": motion.rule,
            "closes_at": motion.closes_at,
            "concerns_agency": motion.concerns_agency,
            "concerned_agency_recused": motion.concerned_agency_recused,
            "results_hidden": motion.results_hidden,
            "is_secret": motion.is_secret,
        }
    elif request.GET.get("meeting", "").isdigit():
        initial["meeting"] = selectors.meeting_get(meeting_id=int(request.GET["meeting"]))
    form = MotionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if motion is None:
                    motion = services.motion_create(created_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
                    messages.success(
                        request, gettext("The motion is drafted. Add its documents, then open it for votes.")
                    )
                else:
                    motion = services.motion_update(motion=motion, updated_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
                    messages.success(request, gettext("The draft is saved."))
                return redirect("governance:motion", pk=motion.pk)
            except ApplicationError as error:
                _errors_to_form(error, form)
                status = error.status_code
        else:
            status = 400
    return render(request, "governance/motion_form.html", {"form": form, "motion": motion}, status=status)


def motion_new(request: HttpRequest) -> HttpResponse:
    return _motion_form_page(request, None)


def motion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _motion_form_page(request, _motion(pk))


def _confirm_page(request: HttpRequest, motion: Motion, form: forms.Form, action: str, status: int) -> HttpResponse:
    """What closing or withdrawing will do, said before it is done; the form carries the "I understand" box."""
    context = {"motion": motion, "form": form, "action": action, "tally": selectors.motion_tally(motion=motion)}
    return render(request, "governance/confirm.html", context, status=status)


@require_POST
def motion_open(request: HttpRequest, pk: int) -> HttpResponse:
    _secretary_check(request)
    motion = _motion(pk)
    try:
        services.motion_open(motion=motion, opened_by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _motion_page(request, _motion(pk), status=error.status_code)
    messages.success(request, gettext("The motion is open for votes."))
    return redirect("governance:motion", pk=pk)


def motion_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Closing the vote decides the motion and writes the register for good: a GET says so and asks."""
    _secretary_check(request)
    motion = _motion(pk)
    posted = request.method == "POST"
    form = ConfirmForm(request.POST if posted else None)
    if motion.status == MotionStatus.OPEN and not (posted and form.is_valid()):
        return _confirm_page(request, motion, form, "close", status=400 if posted else 200)
    if not posted:  # nothing to confirm: the motion is not open
        return redirect("governance:motion", pk=pk)
    try:
        entry = services.motion_close(motion=motion, closed_by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _motion_page(request, _motion(pk), status=error.status_code)
    messages.success(
        request,
        gettext("The motion is closed: %(outcome)s. Register entry %(number)s.")
        % {"outcome": selectors.decision_text(content=entry.content).outcome, "number": entry.number},
    )
    return redirect("governance:motion", pk=pk)


def motion_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdrawing a draft is for good (it is never put to the vote): a GET says so and asks, with a reason."""
    _secretary_check(request)
    motion = _motion(pk)
    posted = request.method == "POST"
    form = WithdrawForm(request.POST if posted else None)
    if motion.status == MotionStatus.DRAFT and not (posted and form.is_valid()):
        return _confirm_page(request, motion, form, "withdraw", status=400 if posted else 200)
    if not posted:
        return redirect("governance:motion", pk=pk)
    try:
        services.motion_withdraw(
            motion=motion,
            withdrawn_by=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data.get("reason", "") if form.is_valid() else "",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return _motion_page(request, _motion(pk), status=error.status_code)
    messages.success(request, gettext("The motion is withdrawn."))
    return redirect("governance:motion", pk=pk)


@require_POST
def ballot_cast(request: HttpRequest, pk: int) -> HttpResponse:
    """A board member casts (or changes) their agency's ballot from the motion's page."""
    _board_reader_check(request)
    motion = _motion(pk)
    agencies = selectors.voting_seats_of(user=request.user)
    form = BallotForm(request.POST, rule=motion.rule, agencies=agencies)
    if not agencies:
        messages.error(request, gettext("You hold no voting seat: only an agency's representative or alternates vote."))
        return _motion_page(request, motion, status=403)
    if not form.is_valid():
        return _motion_page(request, motion, ballot_form=form, status=400)
    agency = next(agency for agency in agencies if agency.code == form.cleaned_data["agency"])
    try:
        ballot = services.ballot_cast(
            motion=motion,
            agency=agency,
            cast_by=request.user,  # type: ignore[arg-type]
            choice=form.cleaned_data["choice"],
        )
    except ApplicationError as error:
        _errors_to_form(error, form)
        messages.error(request, error.message)
        return _motion_page(request, _motion(pk), ballot_form=form, status=error.status_code)
    label = dict(form.fields["choice"].choices)[ballot.choice]  # type: ignore[attr-defined]
    messages.success(
        request, gettext("%(agency)s's ballot is recorded: %(choice)s.") % {"agency": agency.code, "choice": label}
    )
    return redirect("governance:motion", pk=pk)


@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    _secretary_check(request)
    motion = _motion(pk)
    form = MotionDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _motion_page(request, motion, document_form=form, status=400)
    try:
        services.motion_document_add(
            motion=motion,
            added_by=request.user,  # type: ignore[arg-type]
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
        )
    except ApplicationError as error:
        _errors_to_form(error, form)
        return _motion_page(request, motion, document_form=form, status=error.status_code)
    messages.success(request, gettext("The document is attached."))
    return redirect("governance:motion", pk=pk)


def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    _board_reader_check(request)
    document = MotionDocument.objects.filter(pk=document_pk, motion_id=pk).first()
    if document is None or not document.file:
        raise Http404("No such document.")
    name = document.file.name.rsplit("/", 1)[-1]
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=name)


def motion_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _board_reader_check(request)
    motion = _motion(pk)
    try:
        content = motion_result_pdf(motion=motion, reader=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _motion_page(request, motion, status=error.status_code)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="motion-{motion.pk}-result.pdf"'
    return response


# --- Meetings -----------------------------------------------------------------


def meeting_list(request: HttpRequest) -> HttpResponse:
    _board_reader_check(request)
    when = request.GET.get("when", "")
    meetings = selectors.meeting_list()
    if when == "upcoming":
        meetings = meetings.filter(starts_at__gte=timezone.now())
    elif when == "past":
        meetings = meetings.filter(starts_at__lt=timezone.now())
    else:
        when = ""
    meetings, sort = _sorted(request, meetings, MEETING_SORTS, "-id")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/meeting_list.html",
        {
            "page": page,
            "sort": sort,
            "when": when,
            "whens": MEETING_WHEN,
            "is_secretary": selectors.is_board_secretary(user=request.user, agency=_agency(request)),
        },
    )


def meeting_new(request: HttpRequest) -> HttpResponse:
    _secretary_check(request)
    form = MeetingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = services.meeting_create(created_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                _errors_to_form(error, form)
                status = error.status_code
            else:
                messages.success(request, gettext("The meeting is scheduled. Add its motions."))
                return redirect("governance:meeting", pk=meeting.pk)
        else:
            status = 400
    return render(request, "governance/meeting_form.html", {"form": form}, status=status)


def _meeting(pk: int) -> Meeting:
    meeting = selectors.meeting_get(meeting_id=pk)
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _board_reader_check(request)
    meeting = _meeting(pk)
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "motions": selectors.motion_list().filter(meeting=meeting).order_by("id"),
            "is_secretary": selectors.is_board_secretary(user=request.user, agency=_agency(request)),
        },
    )


def meeting_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _board_reader_check(request)
    meeting = _meeting(pk)
    response = HttpResponse(meeting_minutes_pdf(meeting=meeting, reader=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-minutes.pdf"'
    return response


# --- The register (facility portal and every agency's address) ----------------


def register_list(request: HttpRequest) -> HttpResponse:
    entries = selectors.register_entry_list()
    outcome = request.GET.get("outcome", "")
    if outcome in Outcome.values:
        entries = entries.filter(content__outcome=outcome)
    else:
        outcome = ""
    entries, sort = _sorted(request, entries, REGISTER_SORTS, "-number")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, selectors.decision_text(content=entry.content)) for entry in page]
    context = {"page": page, "rows": rows, "sort": sort, "outcome": outcome, "outcomes": Outcome.choices}
    return render(request, "governance/register_list.html", context)


def register_entry(request: HttpRequest, number: int) -> HttpResponse:
    entry = selectors.register_entry_get(number=number)
    if entry is None:
        raise Http404("No such entry in the register.")
    recomputed = entry_hash_compute(
        number=entry.number, recorded_at=entry.recorded_at, content=entry.content, previous_hash=entry.previous_hash
    )
    return render(
        request,
        "governance/register_entry.html",
        {
            "entry": entry,
            "content": entry.content,
            "decision": selectors.decision_text(content=entry.content),
            "rows": selectors.motion_seat_rows(motion=entry.motion),
            "recomputed": recomputed,
            "previous": selectors.register_entry_get(number=entry.number - 1) if entry.number > 1 else None,
            "may_read_board": selectors.may_read_board(user=request.user, agency=_agency(request)),
        },
    )


def register_verify_page(request: HttpRequest) -> HttpResponse:
    result = register_verify()
    return render(request, "governance/register_verify.html", {"result": result}, status=200)
