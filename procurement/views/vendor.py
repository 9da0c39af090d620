"""The vendor's personal link (facility portal, no account): /tenders/<agency code>/<token>/.

The link names the agency whose purchase it is (its code, lowercase) and the
invitation's token; only the token's SHA-256 is stored, in that agency's
schema, so the code says where to look and the token alone opens the page. A
wrong, old or renewed token, or a code that is no agency's, is a 404 that says
nothing more.

The vendor reads the solicitation (agency, reference, instructions, deadline
with its time zone, the lines with quantities and units, never the estimated
prices), downloads its documents, reads the amendments and every answered
clarification (never who asked), asks a question and submits or replaces its
bid before the deadline. What it sent is sealed at once: the page shows when
each submission arrived and which one counts, never what an earlier one said.
After the deadline the page says the bidding is closed and offers no form; a
bid posted after it (from a page left open) is kept, marked late, and never
opened (the service's rule). The page speaks the vendor's language
(`Invitation.language`) unless the vendor chose another with the switch.
Posts are counted per client address and refused above a rate, like the
sign-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from shared_platform import limits
from shared_platform.attachments import file_download_response
from shared_platform.client_address import client_address
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.templatetags.platform import when
from tenants.models import Agency

from .. import selectors, services
from ..forms.vendor import BidForm, QuestionForm
from ..models import Bid, Invitation, SolicitationDocument, SolicitationStatus

# Posts (bids and questions) one client address may send a minute through vendor links.
POSTS_PER_MINUTE = 30
AGENCY_CODE_MAX = 20


def throttle_key(address: str) -> str:
    return f"procurement:tender-posts:{address}"


def _throttled(request: HttpRequest) -> bool:
    """True when this client sent more than POSTS_PER_MINUTE posts in the current minute."""
    key = throttle_key(client_address(request))
    if cache.add(key, 1, timeout=60):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=60)
        return False
    return bool(count > POSTS_PER_MINUTE)


def _language(request: HttpRequest, invitation: Invitation) -> str:
    """The vendor's language, unless this browser chose another with the language switch."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    offered = dict(settings.LANGUAGES)
    if chosen in offered:
        return chosen
    return invitation.language if invitation.language in offered else settings.LANGUAGE_CODE


@contextmanager
def _invitation(agency_code: str, token: str) -> Iterator[tuple[Agency, Invitation]]:
    """The invitation the link names, with the connection in its agency's schema while the page needs it."""
    if len(agency_code) > AGENCY_CODE_MAX or not token or len(token) > limits.TOKEN:
        raise Http404("No such invitation.")
    agency = Agency.objects.agencies().filter(code__iexact=agency_code).first()
    if agency is None:
        raise Http404("No such invitation.")
    with schema_context(agency.schema_name):
        invitation = services.invitation_by_token(token=token)
        if invitation is None:
            raise Http404("No such invitation.")
        yield agency, invitation


def _open_for_bids(invitation: Invitation) -> bool:
    solicitation = invitation.solicitation
    return solicitation.status == SolicitationStatus.OPEN and not selectors.deadline_passed(solicitation=solicitation)


def _page(
    request: HttpRequest,
    agency: Agency,
    invitation: Invitation,
    *,
    bid_form: BidForm | None = None,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    solicitation = invitation.solicitation
    requisition = solicitation.requisition
    lines = list(requisition.lines.order_by("position"))
    is_open = _open_for_bids(invitation)
    submissions = list(Bid.objects.filter(invitation=invitation).order_by("-received_at", "-pk"))
    context: dict[str, Any] = {
        "agency": agency,
        "invitation": invitation,
        "solicitation": solicitation,
        "requisition": requisition,
        "lines": lines,
        "documents": solicitation.documents.all(),
        "amendments": solicitation.amendments.all(),
        "clarifications": solicitation.questions.filter(answered_at__isnull=False).order_by("answered_at", "pk"),
        "my_questions": invitation.questions.filter(answered_at__isnull=True).order_by("asked_at", "pk"),
        "submissions": submissions,
        "counting": next((bid for bid in submissions if not bid.superseded and not bid.late), None),
        "is_open": is_open,
        "cancelled": solicitation.status == SolicitationStatus.CANCELLED,
        "bid_form": (bid_form or BidForm(solicitation=solicitation, lines=lines)) if is_open else None,
        "question_form": (question_form or QuestionForm()) if is_open else None,
        "time_zone": timezone.get_current_timezone_name(),
        "code": agency.code.lower(),
        "token": request.resolver_match.kwargs["token"] if request.resolver_match else "",
    }
    return render(request, "procurement/tender/bid.html", context, status=status)


@login_not_required
def bid_page(request: HttpRequest, agency: str, token: str) -> HttpResponse:
    """The solicitation as the vendor reads it, and its bid form while bidding is open."""
    if request.method == "POST" and _throttled(request):
        return _too_many(request)
    with _invitation(agency, token) as (found, invitation), translation.override(_language(request, invitation)):
        if request.method != "POST":
            return _page(request, found, invitation)
        return _bid_submit(request, found, invitation, token)


def _bid_submit(request: HttpRequest, agency: Agency, invitation: Invitation, token: str) -> HttpResponse:
    solicitation = invitation.solicitation
    lines = list(solicitation.requisition.lines.order_by("position"))
    form = BidForm(request.POST, request.FILES, solicitation=solicitation, lines=lines)
    if not form.is_valid():
        return _page(request, agency, invitation, bid_form=form, status=400)
    try:
        bid = services.bid_submit(
            invitation=invitation,
            currency=form.cleaned_data["currency"],
            unit_prices=form.unit_prices(),
            technical_proposal=form.cleaned_data.get("technical_proposal", ""),
            documents=form.envelopes(),
        )
    except ApplicationError as error:
        _refusal_place(form, error)
        return _page(request, agency, invitation, bid_form=form, status=error.status_code)
    moment = _moment(bid)
    if bid.late:
        messages.warning(
            request,
            _("Your bid arrived at %(moment)s, after the deadline: it is kept, marked late, and will not be opened.")
            % {"moment": moment},
        )
    else:
        messages.success(
            request,
            _("Your bid was received at %(moment)s and sealed. Your last submission before the deadline counts.")
            % {"moment": moment},
        )
    return redirect("tenders:bid", agency.code.lower(), token)


def _moment(bid: Bid) -> str:
    return when(bid.received_at)


def _refusal_place(form: BidForm, error: ApplicationError) -> None:
    """A refused bid on the field it names: `unit_prices.<n>` on that line's price, documents on the files."""
    placed = False
    for name, texts in error.fields.items():
        target = name
        if name.startswith("unit_prices."):
            target = f"price_{name.removeprefix('unit_prices.')}"
        elif name == "documents" and "documents" not in form.fields:
            target = "technical_documents"
        if target in form.fields:
            for text in texts:
                form.add_error(target, text)
            placed = True
    if not placed:
        form_error_apply(form, error)


@login_not_required
@require_POST
def question_ask(request: HttpRequest, agency: str, token: str) -> HttpResponse:
    """A clarification question, before the deadline; the answer goes to every invitee."""
    if _throttled(request):
        return _too_many(request)
    with _invitation(agency, token) as (found, invitation), translation.override(_language(request, invitation)):
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_ask(invitation=invitation, text=form.cleaned_data["text"])
            except ApplicationError as error:
                form_error_apply(form, error)
                return _page(request, found, invitation, question_form=form, status=error.status_code)
            messages.success(
                request, _("Your question was sent. The answer will be published here and e-mailed to you.")
            )
            return redirect("tenders:bid", found.code.lower(), token)
        return _page(request, found, invitation, question_form=form, status=400)


@login_not_required
def document_download(request: HttpRequest, agency: str, token: str, pk: int) -> FileResponse:
    """One of the solicitation's documents (terms of reference, specifications, the bid form)."""
    with _invitation(agency, token) as (_found, invitation):
        document = SolicitationDocument.objects.filter(solicitation_id=invitation.solicitation_id, pk=pk).first()
        if document is None:
            raise Http404("No such document.")
        try:
            opened = document.file.open("rb")
        except (FileNotFoundError, OSError, ValueError):
            raise Http404("The document is missing.")
        return file_download_response(file=opened, name=document.name, content_type=document.content_type)


def _too_many(request: HttpRequest) -> HttpResponse:
    message = _("Too many submissions from your address. Please wait a minute and try again.")
    return render(
        request, "error.html", {"status": 429, "title": _("Too many requests"), "message": message}, status=429
    )


pages = [
    path("<str:agency>/<str:token>/", bid_page, name="bid"),
    path("<str:agency>/<str:token>/question/", question_ask, name="question"),
    path("<str:agency>/<str:token>/documents/<int:pk>/", document_download, name="document"),
]
