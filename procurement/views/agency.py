"""The agency's procurement pages (an agency's address): its people's requisitions.

Agency staff raise a requisition and follow it to the purchase order: its
lines and estimated total, the method its value calls for under the agency's
thresholds, the SLA clock once approved, its history, the buyer's question
(answered here), and the order's PDF once issued. The agency's approver
decides it from the approvals inbox, never their own. Who sees what follows
the platform's one visibility rule: approvers and finance officers see all of
the agency's requisitions, everyone else the ones they raised; anything else
is a 404 that never says whether it exists. Every change is one service call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import has_role, sees_whole_agency
from ledger.models import EntryStatus, Holder, LedgerEntry
from ledger.selectors import entry_clocks
from shared_platform.attachments import file_download_response
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts
from sourcing.models import LongTermAgreement
from sourcing.selectors.spend import FlagRow, SplitFinding, requisition_split_findings, requisition_split_flags
from tenants.models import Agency

from .. import selectors, services
from ..downloads import order_pdf_response
from ..forms.agency import (
    MAX_FILES,
    ApproveForm,
    RejectForm,
    RequesterAnswerForm,
    RequisitionFilterForm,
    RequisitionForm,
    WithdrawForm,
    line_formset,
)
from ..history import agency_history
from ..models import (
    CaseEventKind,
    Method,
    PurchaseOrder,
    Requisition,
    RequisitionAttachment,
    RequisitionStatus,
)

# Statuses a requester may still withdraw from (the service's rule, said before they try).
WITHDRAWABLE = frozenset({RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED, RequisitionStatus.SOURCING})
IN_PROGRESS = (RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED, RequisitionStatus.SOURCING)
REFERENCE_MAX = 40


# -- who may come here ---------------------------------------------------------------------------


def _agency(request: HttpRequest) -> Agency:
    """The agency whose address this is; requisitions are raised and followed there only."""
    agency: Agency = request.tenant  # type: ignore[attr-defined]
    if agency.is_facility:
        raise Http404("Requisitions are raised on the agency's own address.")
    if not request.user.is_authenticated:
        raise PermissionDenied
    return agency


def _is_approver(request: HttpRequest, agency: Agency) -> bool:
    return has_role(user=request.user, agency=agency, roles={Role.APPROVER})


def _visible(request: HttpRequest, agency: Agency) -> QuerySet[Requisition]:
    return selectors.requisitions_visible(
        user=request.user,  # type: ignore[arg-type]
        agency=agency,
        sees_whole_agency=sees_whole_agency(user=request.user, agency=agency),
    )


def _requisition(request: HttpRequest, reference: str) -> tuple[Agency, Requisition]:
    """A requisition this person may see, on this agency's address; 404 for anything else."""
    agency = _agency(request)
    if len(reference) > REFERENCE_MAX:
        raise Http404("No such requisition.")
    requisition = _visible(request, agency).filter(reference=reference).first()
    if requisition is None:
        raise Http404("No such requisition here.")
    return agency, requisition


# -- the list ------------------------------------------------------------------------------------


REQUISITION_SORTS = Sorts(
    default="-raised",
    columns={
        "reference": ("reference",),
        "title": ("title", "pk"),
        "status": ("status", "raised_at"),
        "method": ("method", "raised_at"),
        "total": ("estimated_total", "pk"),
        "delivery": ("delivery_date", "pk"),
        "raised": ("raised_at", "pk"),
    },
)


def _filtered(requisitions: QuerySet[Requisition], *, filters: dict[str, str], user: Any) -> QuerySet[Requisition]:
    if filters["whose"] == "mine":
        requisitions = requisitions.filter(requester_id=user.pk)
    if filters["status"] == "open":
        requisitions = requisitions.filter(status__in=IN_PROGRESS)
    elif filters["status"]:
        requisitions = requisitions.filter(status=filters["status"])
    if filters["search"]:
        search = filters["search"]
        requisitions = requisitions.filter(
            Q(reference__icontains=search) | Q(title__icontains=search) | Q(lines__description__icontains=search)
        ).distinct()
    return requisitions


def requisition_list(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    whole = sees_whole_agency(user=request.user, agency=agency)
    form = RequisitionFilterForm(request.GET or None, whole_agency=whole)
    filters = form.filters()
    requisitions = _filtered(_visible(request, agency), filters=filters, user=request.user)
    requisitions, sort = REQUISITION_SORTS.apply(request, requisitions)
    page = Paginator(requisitions, 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "whole_agency": whole,
        "filtered": bool(filters["status"] or filters["search"] or (whole and filters["whose"] == "mine")),
        "may_raise": _covered(agency),
    }
    return render(request, "procurement/agency/requisition_list.html", context)


def _covered(agency: Agency) -> bool:
    from ..start import procurement_covered

    return procurement_covered(agency)


# -- raising one ---------------------------------------------------------------------------------


def requisition_new(request: HttpRequest) -> HttpResponse:
    """A requisition with as many lines as needed: "add lines" sends the form back with more empty rows."""
    agency = _agency(request)
    if request.method != "POST":
        context = {"form": RequisitionForm(), "lines": line_formset(), "max_files": MAX_FILES}
        return render(request, "procurement/agency/requisition_new.html", context)
    more = "add_lines" in request.POST
    form = RequisitionForm(request.POST, request.FILES)
    lines = line_formset(request.POST, more=more)
    if more:
        # Nothing is checked yet: the same form again, with what was typed and more empty rows.
        form = RequisitionForm(initial=_typed(request))
        return render(
            request,
            "procurement/agency/requisition_new.html",
            {"form": form, "lines": lines, "more_rows": True, "max_files": MAX_FILES},
        )
    if form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        try:
            requisition = services.requisition_raise(
                agency=agency,
                requester=request.user,  # type: ignore[arg-type]
                title=data["title"],
                justification=data["justification"],
                delivery_place=data["delivery_place"],
                delivery_date=data["delivery_date"],
                charge_code=data["charge_code"],
                lines=[
                    services.LineInput(
                        description=line["description"],
                        category=line["category"],
                        quantity=line["quantity"],
                        unit=line["unit"],
                        estimated_unit_price=line["estimated_unit_price"],
                    )
                    for line in lines.filled()
                ],
                files=data["attachments"],
            )
        except ApplicationError as error:
            _refusal_place(form, lines, error)
        else:
            messages.success(
                request,
                _("Requisition %(reference)s raised; your agency's approver has been asked to decide it.")
                % {"reference": requisition.reference},
            )
            return redirect("procurement:requisition", requisition.reference)
    context = {"form": form, "lines": lines, "max_files": MAX_FILES}
    return render(request, "procurement/agency/requisition_new.html", context, status=400)


def _typed(request: HttpRequest) -> dict[str, str]:
    """What was typed in the requisition's own fields (files cannot be sent back; the page says so)."""
    return {name: request.POST.get(name, "") for name in RequisitionForm.base_fields if name != "attachments"}


def _refusal_place(form: RequisitionForm, lines: Any, error: ApplicationError) -> None:
    """A refused raise on the field it names: `lines.<n>.<field>` on that row, `files` on the attachments."""
    placed = False
    for name, texts in error.fields.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
            filled = [row for row in lines.forms if row.has_changed()]
            position = int(parts[1])
            if 0 < position <= len(filled) and parts[2] in filled[position - 1].fields:
                for text in texts:
                    filled[position - 1].add_error(parts[2], text)
                placed = True
                continue
        target = "attachments" if name == "files" else name
        if target in form.fields:
            for text in texts:
                form.add_error(target, text)
            placed = True
    if not placed:
        form_error_apply(form, error)


# -- one requisition -----------------------------------------------------------------------------


def _waiting_question(requisition: Requisition, entry: LedgerEntry | None) -> str:
    """The buyer's question while the purchase waits on the requester, else ""."""
    if entry is None or entry.status != EntryStatus.PENDING or entry.held_by != Holder.REQUESTER:
        return ""
    asked = (
        requisition.events.filter(kind=CaseEventKind.WAITING)
        .exclude(actor_id=requisition.requester_id)
        .order_by("-at", "-pk")
        .first()
    )
    return asked.detail if asked is not None else ""


def _split_findings(agency: Agency, requisition: Requisition) -> list[SplitFinding]:
    """What the split check will find when this requisition is approved today (every vendor: none chosen yet)."""
    return requisition_split_findings(agency=agency, requisition=requisition, vendor_id=None, on=timezone.localdate())


def _split_flags(request: HttpRequest, agency: Agency, requisition: Requisition) -> list[FlagRow]:
    """The split-purchase flags recorded on the requisition, for the agency's approvers."""
    if not _is_approver(request, agency):
        return []
    return requisition_split_flags(agency=agency, reference=requisition.reference)


def _method(agency: Agency, requisition: Requisition, on: Any) -> str:
    """The method set at approval; before it, a call-off's, or the one its value calls for."""
    if requisition.method:
        return requisition.method
    if requisition.agreement_id is not None:
        return Method.LTA
    return selectors.method_in_force(agency=agency, total=requisition.estimated_total, on=on)


def _detail_context(request: HttpRequest, agency: Agency, requisition: Requisition) -> dict[str, Any]:
    entry = (
        LedgerEntry.objects.select_related("service").filter(pk=requisition.entry_id).first()
        if requisition.entry_id
        else None
    )
    on = timezone.localtime(requisition.decided_at).date() if requisition.decided_at else timezone.localdate()
    method = _method(agency, requisition, on)
    user = request.user
    is_requester = user.pk == requisition.requester_id
    question = _waiting_question(requisition, entry)
    decider = _is_approver(request, agency) and requisition.status == RequisitionStatus.SUBMITTED
    decide_conflict = (
        services.segregation_conflicts(requisition=requisition, user=user, as_role="approver")  # type: ignore[arg-type]
        if decider
        else ""
    )
    return {
        "requisition": requisition,
        "lines": requisition.lines.all(),
        "entry": entry,
        "clocks": entry_clocks(entry=entry) if entry is not None else [],
        "method_label": Method(method).label,
        "method_set": bool(requisition.method) or requisition.agreement_id is not None,
        "agreement": LongTermAgreement.objects.filter(pk=requisition.agreement_id).first()
        if requisition.agreement_id
        else None,
        "committee": selectors.needs_committee(agency=agency, value_usd=requisition.estimated_total, on=on),
        "history": agency_history(requisition),
        "files": requisition.attachments.all(),
        "orders": requisition.orders.prefetch_related("lines").order_by("-issued_at", "-revision"),
        "question": question,
        "answer_form": RequesterAnswerForm() if question and is_requester else None,
        "may_decide": decider,
        "decide_conflict": decide_conflict,
        "split_findings": _split_findings(agency, requisition) if decider and not decide_conflict else [],
        "split_flags": _split_flags(request, agency, requisition),
        "may_withdraw": is_requester and requisition.status in WITHDRAWABLE,
        "is_requester": is_requester,
    }


def requisition_page(request: HttpRequest, reference: str) -> HttpResponse:
    agency, requisition = _requisition(request, reference)
    return render(request, "procurement/agency/requisition_detail.html", _detail_context(request, agency, requisition))


@require_POST
def requisition_answer(request: HttpRequest, reference: str) -> HttpResponse:
    """The requester answers the buyer's question; the clock runs again."""
    agency, requisition = _requisition(request, reference)
    form = RequesterAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.case_requester_answer(
                requisition=requisition,
                answer=form.cleaned_data["answer"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as error:
            form_error_apply(form, error)
            status = error.status_code
        else:
            messages.success(request, _("Your answer was sent to the buyer; the clock runs again."))
            return redirect("procurement:requisition", reference)
    else:
        status = 400
    context = _detail_context(request, agency, requisition) | {"answer_form": form}
    return render(request, "procurement/agency/requisition_detail.html", context, status=status)


# -- the approver's decision ----------------------------------------------------------------------


def requisition_decide(request: HttpRequest, reference: str) -> HttpResponse:
    """The agency's approver approves, or rejects saying why; never a requisition they raised (said before)."""
    agency, requisition = _requisition(request, reference)
    if not _is_approver(request, agency):
        raise PermissionDenied(_("Only your agency's approvers decide requisitions."))
    conflict = services.segregation_conflicts(requisition=requisition, user=request.user, as_role="approver")  # type: ignore[arg-type]
    undecided = requisition.status == RequisitionStatus.SUBMITTED
    # A possible split purchase is said before the approver tries, and the approval asks for the explanation.
    findings = _split_findings(agency, requisition) if undecided and not conflict else []
    approve_form = ApproveForm(split=bool(findings))
    reject_form = RejectForm()
    status = 200
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                approve_form = ApproveForm(request.POST, split=bool(findings))
                if approve_form.is_valid():
                    services.requisition_approve(
                        agency=agency,
                        requisition=requisition,
                        approver=request.user,  # type: ignore[arg-type]
                        split_explanation=approve_form.cleaned_data.get("split_explanation", ""),
                    )
                    messages.success(
                        request,
                        _("%(reference)s approved; the facility's buyers have it now.") % {"reference": reference},
                    )
                    return redirect("procurement:requisition", reference)
                status = 400
            if decision == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    services.requisition_reject(
                        agency=agency,
                        requisition=requisition,
                        approver=request.user,  # type: ignore[arg-type]
                        reason=reject_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, _("%(reference)s rejected; the requester is told why.") % {"reference": reference}
                    )
                    return redirect("procurement:requisition", reference)
                status = 400
            else:
                messages.error(request, _("Choose to approve or to reject."))
                status = 400
        except ApplicationError as error:
            if decision == "reject":
                form_error_apply(reject_form, error)
            elif error.code == "procurement.split_purchase":
                # Found between showing the page and approving (another order issued meanwhile): ask again.
                findings = _split_findings(agency, requisition)
                approve_form = ApproveForm(request.POST, split=True)
                approve_form.is_valid()
                form_error_apply(approve_form, error)
            else:
                messages.error(request, error.message)
            status = error.status_code
    context = _detail_context(request, agency, requisition) | {
        "approve_form": approve_form,
        "split_findings": findings,
        "reject_form": reject_form,
        "conflict": conflict,
        "decided": requisition.status != RequisitionStatus.SUBMITTED,
    }
    return render(request, "procurement/agency/requisition_decide.html", context, status=status)


# -- withdrawing ---------------------------------------------------------------------------------


def requisition_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """Withdrawing cannot be undone: the page says what happens and asks for the reason and a confirmation."""
    _agency_of_address, requisition = _requisition(request, reference)
    if request.user.pk != requisition.requester_id:
        raise PermissionDenied(_("Only the requester withdraws a requisition."))
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if request.POST.get("confirm") != "yes":
            form.add_error(None, _("Tick the confirmation to withdraw the requisition."))
        elif form.is_valid():
            try:
                services.requisition_withdraw(
                    requisition=requisition,
                    by=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, _("%(reference)s is withdrawn.") % {"reference": reference})
                return redirect("procurement:requisition", reference)
    context = {
        "requisition": requisition,
        "form": form,
        "withdrawable": requisition.status in WITHDRAWABLE,
        "approved": requisition.entry_id is not None,
    }
    return render(request, "procurement/agency/requisition_withdraw.html", context, status=status)


# -- files ---------------------------------------------------------------------------------------


def attachment_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    requisition = _requisition(request, reference)[1]
    attachment = RequisitionAttachment.objects.filter(requisition=requisition, pk=pk).first()
    if attachment is None:
        raise Http404("No such file on this requisition.")
    try:
        opened = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file is missing.")
    return file_download_response(file=opened, name=attachment.name, content_type=attachment.content_type)


def order_pdf_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """An issued order's PDF: the one the worker stored, else rendered now from the order, which never changes."""
    requisition = _requisition(request, reference)[1]
    order = PurchaseOrder.objects.filter(requisition=requisition, pk=pk).first()
    if order is None:
        raise Http404("No such order.")
    return order_pdf_response(order)


pages = [
    path("", requisition_list, name="requisitions"),
    path("new/", requisition_new, name="requisition-new"),
    path("<str:reference>/", requisition_page, name="requisition"),
    path("<str:reference>/decide/", requisition_decide, name="requisition-decide"),
    path("<str:reference>/withdraw/", requisition_withdraw, name="requisition-withdraw"),
    path("<str:reference>/answer/", requisition_answer, name="requisition-answer"),
    path("<str:reference>/files/<int:pk>/", attachment_download, name="requisition-attachment"),
    path("<str:reference>/orders/<int:pk>/pdf/", order_pdf_download, name="requisition-order-pdf"),
]
