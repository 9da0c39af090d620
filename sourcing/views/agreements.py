"""Long-term agreements' pages, on an agency's address and on the facility portal ("sourcing" namespace).

An agency's address: the agreements it owns, takes part in, or could join
(`sourcing:agreements`, tabs "ours", "part", "open"); one agreement with its
ceiling, consumed and remaining (every agency's line for the owner, its own
line for a participant, none for an agency that could join), its price
schedule, its documents (owner and participants only), and its piggyback
requests (the owner's approvers decide them here); asking to join, deciding,
and raising a call-off, each offered only to who may, with the reason shown
to who may not.

The facility portal: every agreement (status filter, sortable, paged), one
agreement with every agency's consumption, and making one from an awarded
solicitation or recorded from an existing contract (procurement officers and
the manager). Every change is one service call (sourcing.services.agreements);
an id or reference that is not for this person is a 404 that never says whether
it exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from shared_platform.api import id_check
from shared_platform.attachments import file_download_response
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from tenants.models import Agency

from .. import access
from ..forms.agreements import (
    CallOffForm,
    ContractForm,
    FacilityFilterForm,
    FromAwardForm,
    PiggybackDecideForm,
    PiggybackRequestForm,
    item_formset,
)
from ..models import AgreementDocument, LongTermAgreement, PiggybackRequest, PiggybackStatus
from ..selectors import agreements as selectors
from ..services import agreements as services

AGENCY_TABS = ("ours", "part", "open")
PAGE_SIZE = 25

AGENCY_SORTS = Sorts(
    default="-until",
    columns={
        "reference": ("reference",),
        "title": ("title", "reference"),
        "owner": ("owner__code", "reference"),
        "vendor": ("vendor__legal_name", "reference"),
        "until": ("valid_until", "reference"),
    },
)
FACILITY_SORTS = Sorts(
    default="-until",
    columns={
        "reference": ("reference",),
        "title": ("title", "reference"),
        "owner": ("owner__code", "reference"),
        "vendor": ("vendor__legal_name", "reference"),
        "until": ("valid_until", "reference"),
        "ceiling": ("ceiling_usd", "reference"),
        "consumed": ("consumed", "reference"),
    },
)


# -- who may come here ---------------------------------------------------------------------------


def _agency(request: HttpRequest) -> Agency:
    """The agency whose address this is; its people read agreements there."""
    agency: Agency = request.tenant  # type: ignore[attr-defined]
    if agency.is_facility:
        raise Http404("An agency reads its agreements on its own address.")
    if not access.is_member(user=request.user, agency=agency):
        raise PermissionDenied
    return agency


def _facility_reader(request: HttpRequest) -> None:
    if not request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404("Every agreement is listed on the facility portal.")
    if not access.reads_every_agreement(user=request.user):
        raise PermissionDenied(_("Only the facility's staff see every long-term agreement."))


def _facility_maker(request: HttpRequest) -> None:
    _facility_reader(request)
    if not access.may_make_agreements(user=request.user):
        raise PermissionDenied(_("Only the facility's procurement officers and its manager make agreements."))


def _agency_agreement(request: HttpRequest, reference: str) -> tuple[Agency, LongTermAgreement]:
    agency = _agency(request)
    agreement = selectors.agreement_for_agency(agency=agency, reference=reference, on=timezone.localdate())
    if agreement is None:
        raise Http404("No such agreement here.")
    return agency, agreement


def _facility_agreement(request: HttpRequest, reference: str) -> LongTermAgreement:
    _facility_reader(request)
    agreement = selectors.agreement_get(reference=reference)
    if agreement is None:
        raise Http404("No such agreement.")
    return agreement


# -- what an agency may do on one agreement, said before anyone tries ------------------------------


def _join_refusal(request: HttpRequest, agency: Agency, agreement: LongTermAgreement) -> str:
    return access.join_refusal(user=request.user, agency=agency, agreement=agreement, on=timezone.localdate())


def _call_off_refusal(request: HttpRequest, agency: Agency, agreement: LongTermAgreement) -> str:
    return access.call_off_refusal(user=request.user, agency=agency, agreement=agreement, on=timezone.localdate())


def _detail_context(request: HttpRequest, agreement: LongTermAgreement, *, agency: Agency | None) -> dict[str, Any]:
    """What the agreement's page shows; `agency` None on the facility portal (everything)."""
    today = timezone.localdate()
    in_force = selectors.is_in_force(agreement=agreement, on=today)
    every_line = agency is None or access.sees_every_agency_line(agreement=agreement, agency=agency)
    figures = selectors.agreement_figures(agreement=agreement, agency=None if every_line else agency)
    takes_part = agency is None or access.takes_part(agreement=agreement, agency=agency)
    reads_documents = agency is None or access.may_read_documents(agreement=agreement, agency=agency)
    is_owner = agency is not None and agreement.owner_id == agency.pk
    piggybacks = list(selectors.piggybacks_of(agreement=agreement, agency=agency))
    context: dict[str, Any] = {
        "agreement": agreement,
        "figures": figures,
        "every_line": every_line,
        "in_force": in_force,
        "expired": agreement.valid_until < today,
        "items": agreement.items.select_related("category"),
        "documents": agreement.documents.all() if reads_documents else None,
        "piggybacks": piggybacks,
        "on_facility": agency is None,
        "is_owner": is_owner,
        "takes_part": takes_part,
        "may_decide": is_owner and access.is_approver(user=request.user, agency=agency),  # type: ignore[arg-type]
        "join_refusal": "",
        "call_off_refusal": "",
    }
    if agency is not None:
        context["join_refusal"] = _join_refusal(request, agency, agreement)
        context["call_off_refusal"] = _call_off_refusal(request, agency, agreement)
        context["offer_join"] = not is_owner and not takes_part
        context["offer_call_off"] = takes_part
    return context


# -- lists ---------------------------------------------------------------------------------------


def agency_list(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    tab = request.GET.get("tab", "")
    if tab not in AGENCY_TABS:
        tab = ""
    rows = selectors.agreements_for_agency(agency=agency, on=timezone.localdate(), tab=tab)
    rows, sort = AGENCY_SORTS.apply(request, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "sort": sort,
        "tab": tab,
        "agency": agency,
        "today": timezone.localdate(),
        "tabs": [
            ("", _("All")),
            ("ours", _("Ours")),
            ("part", _("We take part")),
            ("open", _("Open to join")),
        ],
    }
    return render(request, "sourcing/agreements/agency_list.html", context)


def facility_list(request: HttpRequest) -> HttpResponse:
    _facility_reader(request)
    form = FacilityFilterForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate()
    rows: QuerySet[LongTermAgreement] = selectors.agreements_all(
        on=today, status=filters["status"], search=filters["q"]
    )
    rows, sort = FACILITY_SORTS.apply(request, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "today": today,
        "filtered": bool(filters["status"] or filters["q"]),
        "may_make": access.may_make_agreements(user=request.user),
    }
    return render(request, "sourcing/agreements/facility_list.html", context)


# -- one agreement -------------------------------------------------------------------------------


def agency_detail(request: HttpRequest, reference: str) -> HttpResponse:
    agency, agreement = _agency_agreement(request, reference)
    return render(request, "sourcing/agreements/detail.html", _detail_context(request, agreement, agency=agency))


def facility_detail(request: HttpRequest, reference: str) -> HttpResponse:
    agreement = _facility_agreement(request, reference)
    return render(request, "sourcing/agreements/detail.html", _detail_context(request, agreement, agency=None))


def document_response(agreement: LongTermAgreement, pk: int) -> FileResponse:
    id_check(pk)
    document = AgreementDocument.objects.filter(agreement=agreement, pk=pk).first()
    if document is None:
        raise Http404("No such document on this agreement.")
    with schema_context(get_public_schema_name()):  # the facility's storage, whichever address asks
        try:
            opened = document.file.open("rb")
        except (FileNotFoundError, OSError, ValueError):
            raise Http404("The file is missing.") from None
    return file_download_response(file=opened, name=document.name, content_type=document.content_type)


def agency_document(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    agency, agreement = _agency_agreement(request, reference)
    if not access.may_read_documents(agreement=agreement, agency=agency):
        raise Http404("No such document here.")
    return document_response(agreement, pk)


def facility_document(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    return document_response(_facility_agreement(request, reference), pk)


# -- piggybacking --------------------------------------------------------------------------------


def piggyback_request_page(request: HttpRequest, reference: str) -> HttpResponse:
    """An approver asks for their agency to join; the page says first why they may not, if they may not."""
    agency, agreement = _agency_agreement(request, reference)
    refusal = _join_refusal(request, agency, agreement)
    form = PiggybackRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.piggyback_request(
                    agreement=agreement,
                    agency=agency,
                    by=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                    expected_spend_usd=form.cleaned_data["expected_spend_usd"],
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("Your request to join %(reference)s was sent to %(owner)s's approvers.")
                    % {"reference": agreement.reference, "owner": agreement.owner.code},
                )
                return redirect("sourcing:agreement", agreement.reference)
    context = {"agreement": agreement, "form": form, "refusal": refusal}
    return render(request, "sourcing/agreements/piggyback_request.html", context, status=status)


def piggyback_decide_page(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The owner's approver accepts (optionally with the agency's own ceiling) or refuses, saying why."""
    agency, agreement = _agency_agreement(request, reference)
    id_check(pk)
    if agreement.owner_id != agency.pk:
        raise Http404("Only the owner's address decides who joins.")
    piggyback = (
        PiggybackRequest.objects.select_related("agency", "requested_by", "decided_by")
        .filter(agreement=agreement, pk=pk)
        .first()
    )
    if piggyback is None:
        raise Http404("No such request on this agreement.")
    refusal = ""
    if not access.is_approver(user=request.user, agency=agency):
        refusal = _("Only your agency's approvers decide who joins its agreements.")
    elif piggyback.requested_by_id == request.user.pk:
        refusal = _("You asked for this; another approver of your agency decides it.")
    form = PiggybackDecideForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if piggyback.status != PiggybackStatus.REQUESTED:
            form.add_error(None, _("This request has already been decided."))
            status = 409
        elif form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            try:
                services.piggyback_decide(
                    piggyback=piggyback,
                    by=request.user,  # type: ignore[arg-type]
                    accept=accept,
                    note=form.cleaned_data["note"],
                    agency_ceiling_usd=form.cleaned_data["agency_ceiling_usd"],
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                done = (
                    _("%(agency)s may now call off %(reference)s.")
                    if accept
                    else _("%(agency)s's request to join %(reference)s is refused.")
                )
                messages.success(request, done % {"agency": piggyback.agency.code, "reference": agreement.reference})
                return redirect("sourcing:agreement", agreement.reference)
    context = {
        "agreement": agreement,
        "piggyback": piggyback,
        "form": form,
        "refusal": refusal,
        "decided": piggyback.status != PiggybackStatus.REQUESTED,
    }
    return render(request, "sourcing/agreements/piggyback_decide.html", context, status=status)


# -- call-offs -----------------------------------------------------------------------------------


def call_off_page(request: HttpRequest, reference: str) -> HttpResponse:
    """A quantity per item at the agreed prices, and the delivery; it becomes a requisition of the agency."""
    agency, agreement = _agency_agreement(request, reference)
    refusal = _call_off_refusal(request, agency, agreement)
    items = list(agreement.items.select_related("category"))
    form = CallOffForm(request.POST if request.method == "POST" else None, items=items)
    status = 200
    if request.method == "POST":
        status = 400
        if refusal:
            form.add_error(None, refusal)
            status = 403
        elif form.is_valid():
            data = form.cleaned_data
            try:
                requisition = services.call_off_raise(
                    agency=agency,
                    agreement=agreement,
                    requester=request.user,  # type: ignore[arg-type]
                    quantities=form.quantities(),
                    delivery_place=data["delivery_place"],
                    delivery_date=data["delivery_date"],
                    charge_code=data["charge_code"],
                    justification=data["justification"],
                )
            except ApplicationError as error:
                _call_off_error(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("Call-off %(requisition)s raised against %(reference)s; your agency's approver decides it.")
                    % {"requisition": requisition.reference, "reference": agreement.reference},
                )
                return redirect("procurement:requisition", requisition.reference)
    mine = selectors.agreement_figures(agreement=agreement, agency=agency)
    context = {
        "agreement": agreement,
        "form": form,
        "refusal": refusal,
        "figures": mine,
        "line": mine.agencies[0] if mine.agencies else None,
    }
    return render(request, "sourcing/agreements/call_off.html", context, status=status)


def _call_off_error(form: CallOffForm, error: ApplicationError) -> None:
    """A refused call-off on the field it names: `quantities.<n>` on that item's quantity."""
    for name, texts in error.fields.items():
        if name.startswith("quantities.") and f"quantity_{name.split('.', 1)[1]}" in form.fields:
            for text in texts:
                form.add_error(f"quantity_{name.split('.', 1)[1]}", text)
    form_error_apply(form, error)


# -- making an agreement (facility) ----------------------------------------------------------------


def _agreement_error(form: Any, items: Any, error: ApplicationError) -> None:
    """A refused agreement on the field it names: `items.<n>.<field>` on that row, `files` on the documents."""
    for name, texts in error.fields.items():
        parts = name.split(".")
        if items is not None and len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            filled = [row for row in items.forms if row.has_changed()]
            position = int(parts[1])
            if 0 < position <= len(filled) and parts[2] in filled[position - 1].fields:
                for text in texts:
                    filled[position - 1].add_error(parts[2], text)
    renamed = ApplicationError(
        error.message,
        code=error.code,
        status_code=error.status_code,
        fields={("documents" if name == "files" else name): texts for name, texts in error.fields.items()},
    )
    form_error_apply(form, renamed)


def new_from_award(request: HttpRequest) -> HttpResponse:
    _facility_maker(request)
    form = FromAwardForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement = services.agreement_create_from_award(
                    requisition_reference=data["requisition_reference"],
                    title=data["title"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    ceiling_usd=data["ceiling_usd"],
                    participants=list(data["participants"]),
                    agency_ceilings=form.agency_ceilings(),
                    terms=data["terms"],
                    files=data["documents"],
                    by=request.user,  # type: ignore[arg-type]
                )
            except ApplicationError as error:
                _agreement_error(form, None, error)
                status = error.status_code
            else:
                messages.success(request, _("Agreement %(reference)s made.") % {"reference": agreement.reference})
                return redirect("sourcing:agreement", agreement.reference)
    context = {"form": form, "awarded": selectors.awarded_purchases()}
    return render(request, "sourcing/agreements/new_from_award.html", context, status=status)


def new_contract(request: HttpRequest) -> HttpResponse:
    _facility_maker(request)
    if request.method != "POST":
        return render(
            request, "sourcing/agreements/new_contract.html", {"form": ContractForm(), "items": item_formset()}
        )
    more = "add_items" in request.POST
    items = item_formset(request.POST, more=more)
    if more:
        typed = {name: request.POST.get(name, "") for name in ContractForm().fields if name != "documents"}
        typed["participants"] = request.POST.getlist("participants")  # type: ignore[assignment]
        form = ContractForm(initial=typed)
        return render(request, "sourcing/agreements/new_contract.html", {"form": form, "items": items, "more": True})
    form = ContractForm(request.POST, request.FILES)
    status = 400
    if form.is_valid() and items.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.agreement_record_from_contract(
                owner=data["owner"],
                vendor=data["vendor"],
                title=data["title"],
                contract_reference=data["contract_reference"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                ceiling_usd=data["ceiling_usd"],
                items=[
                    services.ItemInput(row["description"], row["category"], row["unit"], row["unit_price_usd"])
                    for row in items.filled()
                ],
                participants=list(data["participants"]),
                agency_ceilings=form.agency_ceilings(),
                terms=data["terms"],
                files=data["documents"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as error:
            _agreement_error(form, items, error)
            status = error.status_code
        else:
            messages.success(request, _("Agreement %(reference)s recorded.") % {"reference": agreement.reference})
            return redirect("sourcing:agreement", agreement.reference)
    return render(request, "sourcing/agreements/new_contract.html", {"form": form, "items": items}, status=status)


_REF = "agreements/<str:reference>/"

agency_pages = [
    path("agreements/", agency_list, name="agreements"),
    path(_REF, agency_detail, name="agreement"),
    path(f"{_REF}join/", piggyback_request_page, name="piggyback-request"),
    path(f"{_REF}requests/<int:pk>/decide/", piggyback_decide_page, name="piggyback-decide"),
    path(f"{_REF}call-off/", call_off_page, name="call-off"),
    path(f"{_REF}documents/<int:pk>/", agency_document, name="agreement-document"),
]

facility_pages = [
    path("agreements/", facility_list, name="agreements"),
    path("agreements/new/from-award/", new_from_award, name="agreement-new-from-award"),
    path("agreements/new/contract/", new_contract, name="agreement-new-contract"),
    path(_REF, facility_detail, name="agreement"),
    path(f"{_REF}documents/<int:pk>/", facility_document, name="agreement-document"),
]
