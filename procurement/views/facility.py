"""The facility's procurement pages (facility portal): the queue across agencies, a purchase's case page
with every step from taking it to the purchase order, and the contracts committee's cases.

Facility procurement officers and the facility manager act; the auditor and
the other facility staff read; contracts committee members read and review
the cases before the committee. Agency people never reach these pages (they
are on the facility portal only). A case is read and changed in its agency's
schema (`selectors.agency_case`), entered for that request only. Every step
is one service call; a refusal shows as a message or on the form, with the
segregation-of-duties reason shown before anyone tries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import locked_out_message
from ledger.selectors import entry_clocks
from procurement import selectors, services
from procurement.downloads import (
    download,
    evaluation_pdf_response,
    opening_pdf_response,
    order_pdf_response,
    stored,
)
from procurement.forms.facility import (
    AmendmentForm,
    AnswerForm,
    AskForm,
    AwardForm,
    CaseForm,
    CommitteeForm,
    ComplianceForm,
    DeclarationForm,
    DeviationDecideForm,
    DeviationForm,
    InvitationForm,
    MethodForm,
    OpeningForm,
    OrderCancelForm,
    OrderForm,
    OrderReviseForm,
    PaperBidForm,
    QueueFilterForm,
    QuotationForm,
    ScoreForm,
    SolicitationForm,
)
from procurement.history import STEP_NAMES, facility_history
from procurement.models import (
    SOLICITED_METHODS,
    Award,
    BidDocument,
    ComplianceCheck,
    DeviationStatus,
    Envelope,
    Method,
    Opening,
    OrderStatus,
    PurchaseOrder,
    Requisition,
    RequisitionAttachment,
    RequisitionStatus,
    Solicitation,
    SolicitationDocument,
    SolicitationStatus,
    TechnicalScore,
)
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sort, Sorts
from sourcing.models import LongTermAgreement
from sourcing.selectors.spend import (
    SplitFinding,
    may_read_spend_reports,
    requisition_split_findings,
    requisition_split_flags,
)
from sourcing.views.reports import agreement_link
from tenants.models import Agency
from vendors.selectors import thresholds_in_force

# -- who may come here ---------------------------------------------------------------------------


def _reader_check(request: HttpRequest) -> None:
    if not request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404("The procurement queue is on the facility portal.")
    if not selectors.is_procurement_reader(user=request.user):
        raise PermissionDenied("Only the facility's staff see procurement cases.")


@contextmanager
def _case(request: HttpRequest, reference: str) -> Iterator[Requisition]:
    """The purchase, with the connection in its agency's schema for as long as the page needs it."""
    _reader_check(request)
    if len(reference) > 40:
        raise Http404("No such purchase.")
    with selectors.agency_case(reference=reference) as requisition:
        yield requisition


def _acts_as_buyer(user: Any, requisition: Requisition) -> bool:
    """The buyer of the case, or the facility manager who stands in for them."""
    if not selectors.is_buyer(user=user):
        return False
    return requisition.buyer_id == user.pk or selectors.is_facility_manager_person(user=user)


# -- the queue -----------------------------------------------------------------------------------


QUEUE_SORTS = Sorts(
    default="due",
    columns={
        "reference": ("reference",),
        "agency": ("agency__code", "reference"),
        "step": ("step", "reference"),
        "method": ("service__code", "reference"),
        "buyer": ("assignee__last_name", "assignee__first_name", "reference"),
        "due": ("overdue_since", "next_due", "opened_at"),
        "raised": ("opened_at", "pk"),
    },
)


def _filtered(request: HttpRequest) -> bool:
    return any(value for key, value in request.GET.items() if key not in ("sort", "page"))


def queue_page(request: HttpRequest) -> HttpResponse:
    _reader_check(request)
    form = QueueFilterForm(request.GET or None)
    entries = selectors.procurement_queue(user=request.user, filters=form.filters())
    sort: Sort = QUEUE_SORTS.chosen(request)
    if sort != Sort("due", descending=False):  # the default keeps the queue's own order: overdue, then soonest due
        entries, sort = QUEUE_SORTS.apply(request, entries)
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "steps": STEP_NAMES,
        "filtered": _filtered(request),
        "may_read_reports": may_read_spend_reports(user=request.user, agency=request.tenant),  # type: ignore[attr-defined]
    }
    return render(request, "procurement/facility/queue.html", context)


def committee_page(request: HttpRequest) -> HttpResponse:
    """The cases before the contracts committee across agencies, for its members and the manager."""
    _reader_check(request)
    user = request.user
    if not (selectors.is_committee_member(user=user) or selectors.is_facility_manager_person(user=user)):
        raise PermissionDenied("The committee's cases are for its members and the facility manager.")
    entries = selectors.committee_cases().order_by("opened_at", "pk")
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    return render(request, "procurement/facility/committee.html", {"page": page})


# -- the case page -------------------------------------------------------------------------------


def _solicitation(requisition: Requisition) -> Solicitation:
    solicitation = getattr(requisition, "solicitation", None)
    if solicitation is None:
        raise ApplicationError(
            _("No solicitation has gone out for this purchase."), code="procurement.no_solicitation", status_code=409
        )
    return solicitation


# The case page's forms: context name -> form class.
CASE_FORMS: dict[str, type[CaseForm]] = {
    "method_form": MethodForm,
    "deviation_form": DeviationForm,
    "decide_form": DeviationDecideForm,
    "ask_form": AskForm,
    "quotation_form": QuotationForm,
    "order_form": OrderForm,
    "solicitation_form": SolicitationForm,
    "renew_form": InvitationForm,
    "answer_form": AnswerForm,
    "amendment_form": AmendmentForm,
    "paper_form": PaperBidForm,
    "opening_form": OpeningForm,
    "declare_form": DeclarationForm,
    "compliance_form": ComplianceForm,
    "score_form": ScoreForm,
    "committee_form": CommitteeForm,
    "award_form": AwardForm,
}


def _solicitation_context(requisition: Requisition, solicitation: Solicitation, user: Any) -> dict[str, Any]:
    openings = list(solicitation.openings.all())
    opened = any(opening.envelope != Envelope.FINANCIAL for opening in openings)
    financial_opened = any(opening.envelope == Envelope.FINANCIAL for opening in openings)
    deadline_passed = selectors.deadline_passed(solicitation=solicitation)
    evaluators = list(solicitation.evaluators.select_related("user"))
    mine = next((evaluator for evaluator in evaluators if evaluator.user_id == user.pk), None)
    is_buyer = selectors.is_buyer(user=user)
    acts = _acts_as_buyer(user, requisition) and requisition.buyer_id is not None
    status = solicitation.status
    evaluating = status == SolicitationStatus.OPENED
    if solicitation.two_envelopes:
        next_opening = not opened or (solicitation.technical_locked_at is not None and not financial_opened)
    else:
        next_opening = not opened
    counting = list(services.bids_counting(solicitation=solicitation)) if opened else []
    committee_cleared = services.committee_cleared(solicitation=solicitation)
    return {
        "solicitation": solicitation,
        "invitations": list(solicitation.invitations.all()),
        "questions": list(solicitation.questions.all()),
        "amendments": list(solicitation.amendments.all()),
        "documents": list(solicitation.documents.all()),
        "criteria": list(solicitation.criteria.all()),
        "openings": openings,
        "opened": opened,
        "financial_opened": financial_opened,
        "sealed": selectors.sealed_count(solicitation=solicitation),
        "deadline_passed": deadline_passed,
        "bids": counting,
        "late_bids": list(solicitation.bids.filter(late=True).select_related("invitation")) if opened else [],
        "bid_documents": list(BidDocument.objects.filter(bid__in=counting).order_by("bid_id", "pk")),
        "evaluators": evaluators,
        "my_evaluator": mine,
        "compliance_checks": list(
            ComplianceCheck.objects.filter(bid__solicitation=solicitation).select_related(
                "bid__invitation", "evaluator__user"
            )
        ),
        "technical_scores": list(
            TechnicalScore.objects.filter(bid__solicitation=solicitation)
            .select_related("bid__invitation", "evaluator__user", "criterion")
            .order_by("bid__invitation__vendor_name", "criterion_id", "evaluator_id")
        ),
        "reviews": list(solicitation.committee_reviews.all()),
        "committee_cleared": committee_cleared,
        "award": getattr(solicitation, "award", None),
        "may_manage_bidding": acts and status == SolicitationStatus.OPEN and not deadline_passed,
        "may_answer": acts and status == SolicitationStatus.OPEN,
        "may_paper_bid": acts and status == SolicitationStatus.OPEN,
        "may_open": is_buyer and next_opening and deadline_passed,
        "opening_conflict": services.segregation_conflicts(requisition=requisition, user=user, as_role="opening")
        if is_buyer
        else "",
        "may_declare": is_buyer and evaluating and mine is None,
        "evaluator_conflict": services.segregation_conflicts(requisition=requisition, user=user, as_role="evaluator")
        if is_buyer
        else "",
        "may_evaluate": evaluating and mine is not None and not mine.has_conflict,
        "may_score": evaluating
        and solicitation.two_envelopes
        and solicitation.technical_locked_at is None
        and mine is not None
        and not mine.has_conflict,
        "may_lock": acts and evaluating and solicitation.two_envelopes and solicitation.technical_locked_at is None,
        "may_complete": acts and evaluating and (not solicitation.two_envelopes or financial_opened),
        "may_review": selectors.is_committee_member(user=user) and status == SolicitationStatus.COMMITTEE,
        "committee_conflict": services.segregation_conflicts(requisition=requisition, user=user, as_role="committee")
        if selectors.is_committee_member(user=user)
        else "",
        "may_award": acts
        and status in (SolicitationStatus.EVALUATED, SolicitationStatus.COMMITTEE)
        and not hasattr(solicitation, "award"),
        "award_waits": status == SolicitationStatus.COMMITTEE and not committee_cleared,
    }


def _order_vendors(requisition: Requisition) -> list[tuple[int, str]]:
    """The vendors the order may go to: the quotations' (micro-purchase), else the award's; (id, name)."""
    if requisition.method == Method.MICRO:
        return sorted(
            {(quotation.vendor_id, quotation.vendor_name) for quotation in requisition.quotations.all()},
            key=lambda vendor: vendor[1],
        )
    if requisition.method in SOLICITED_METHODS:
        award = Award.objects.filter(solicitation__requisition=requisition).select_related("bid__invitation").first()
        if award is not None:
            return [(award.bid.invitation.vendor_id, award.bid.invitation.vendor_name)]
    return []


def _split_by_vendor(agency: Agency, requisition: Requisition) -> dict[int, list[SplitFinding]]:
    """What the split check finds for an order to each vendor it may go to (a call-off: never checked)."""
    on = timezone.localdate()
    return {
        vendor_id: requisition_split_findings(agency=agency, requisition=requisition, vendor_id=vendor_id, on=on)
        for vendor_id, _name in _order_vendors(requisition)
    }


def _case_page(
    request: HttpRequest, requisition: Requisition, *, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    entry = selectors.case_entry(reference=requisition.reference)
    if entry is None:
        raise Http404("No such purchase.")
    on = timezone.localtime(requisition.decided_at or timezone.now()).date()
    thresholds = thresholds_in_force(agency=entry.agency, on=on)
    is_buyer = selectors.is_buyer(user=user)
    manager = selectors.is_facility_manager_person(user=user)
    acts = _acts_as_buyer(user, requisition) and requisition.buyer_id is not None
    sourcing = requisition.status == RequisitionStatus.SOURCING
    solicitation = getattr(requisition, "solicitation", None)
    orders = list(requisition.orders.order_by("-issued_at", "-revision"))
    deviations = list(requisition.deviations.all())
    pending_deviations = [deviation for deviation in deviations if deviation.status == DeviationStatus.REQUESTED]
    quotations = list(requisition.quotations.all())
    award = getattr(solicitation, "award", None) if solicitation is not None else None
    call_off = requisition.method == Method.LTA or requisition.agreement_id is not None
    agreement = (
        LongTermAgreement.objects.select_related("vendor", "owner").filter(pk=requisition.agreement_id).first()
        if requisition.agreement_id is not None
        else None
    )
    may_order = (
        acts
        and sourcing
        and not orders
        and (
            (requisition.method == Method.MICRO and bool(quotations))
            or award is not None
            or requisition.method == Method.LTA
        )
    )
    # The buyer (or the manager standing in) sees a possible split purchase before issuing the order.
    split_by_vendor = _split_by_vendor(entry.agency, requisition) if may_order and not call_off else {}
    vendor_names = dict(_order_vendors(requisition)) if split_by_vendor else {}
    context: dict[str, Any] = {
        "requisition": requisition,
        "entry": entry,
        "agency": entry.agency,
        "lines": list(requisition.lines.order_by("position")),
        "attachments": list(requisition.attachments.all()),
        "clocks": entry_clocks(entry=entry),
        "history": facility_history(requisition, entry),
        "step_name": STEP_NAMES.get(entry.step, entry.step),
        "thresholds": thresholds,
        "method_by_value": Method(selectors.method_for(total=requisition.estimated_total, thresholds=thresholds)),
        "committee_needed": requisition.estimated_total > thresholds.committee_above,
        "methods": Method.choices,
        "deviations": deviations,
        "quotations": quotations,
        "orders": orders,
        "acts_as_buyer": acts,
        "is_buyer": is_buyer,
        "may_take": is_buyer
        and requisition.buyer_id is None
        and requisition.status in (RequisitionStatus.APPROVED, RequisitionStatus.SOURCING),
        "take_conflict": services.segregation_conflicts(requisition=requisition, user=user, as_role="buyer")
        if is_buyer
        else "",
        "call_off": call_off,
        "agreement": agreement,
        "agreement_url": agreement_link(agreement.reference) if agreement is not None else "",
        "split_warnings": [
            (str(vendor_id), vendor_names.get(vendor_id, ""), found)
            for vendor_id, found in split_by_vendor.items()
            if found
        ],
        "split_flags": requisition_split_flags(agency=entry.agency, reference=requisition.reference)
        if is_buyer or manager
        else [],
        "may_read_reports": may_read_spend_reports(user=user, agency=request.tenant),  # type: ignore[attr-defined]
        "may_source": acts and sourcing and solicitation is None and not orders and not call_off,
        "may_ask": acts and sourcing and entry.status != "pending" and not orders,
        "may_decide": manager and bool(pending_deviations),
        "decide_conflict": manager
        and all(
            user.pk in (deviation.requested_by_id, requisition.requester_id, requisition.approver_id)
            for deviation in pending_deviations
        ),
        "may_quote": acts
        and sourcing
        and requisition.method == Method.MICRO
        and len(quotations) < services.MAX_QUOTATIONS
        and not orders,
        "may_solicit": acts and sourcing and solicitation is None and requisition.method in SOLICITED_METHODS,
        "may_order": may_order,
    }
    if solicitation is not None:
        context |= _solicitation_context(requisition, solicitation, user)
    for name, form_class in CASE_FORMS.items():
        context[name] = form_class(requisition=requisition)
    context["order_form"] = OrderForm(requisition=requisition, split_vendors=split_by_vendor)
    context |= bound or {}
    return render(request, "procurement/facility/case.html", context, status=status)


def case_page(request: HttpRequest, reference: str) -> HttpResponse:
    with _case(request, reference) as requisition:
        return _case_page(request, requisition)


# -- the steps: each calls one service and says what happened ----------------------------------------

Step = Callable[[HttpRequest, Requisition, Any], str]


def _take(request: HttpRequest, requisition: Requisition, form: Any) -> str:
    services.requisition_take(requisition=requisition, buyer=request.user)  # type: ignore[arg-type]
    return _("You are the buyer of %(reference)s.") % {"reference": requisition.reference}


def _method(request: HttpRequest, requisition: Requisition, form: MethodForm) -> str:
    data = form.cleaned_data
    services.method_change(requisition=requisition, method=data["method"], reason=data["reason"], by=request.user)  # type: ignore[arg-type]
    return _("The method is now %(method)s.") % {"method": Method(data["method"]).label}


def _deviation(request: HttpRequest, requisition: Requisition, form: DeviationForm) -> str:
    data = form.cleaned_data
    services.deviation_request(
        requisition=requisition,
        kind=data["kind"],
        justification=data["justification"],
        by=request.user,  # type: ignore[arg-type]
    )
    return _("The deviation is waiting for the facility manager's decision.")


def _decide(request: HttpRequest, requisition: Requisition, form: DeviationDecideForm) -> str:
    data = form.cleaned_data
    approve = data["decision"] == "approve"
    services.deviation_decide(deviation=data["deviation"], approve=approve, note=data["note"], by=request.user)  # type: ignore[arg-type]
    return _("Deviation approved.") if approve else _("Deviation refused.")


def _ask(request: HttpRequest, requisition: Requisition, form: AskForm) -> str:
    services.case_ask_requester(requisition=requisition, question=form.cleaned_data["question"], by=request.user)  # type: ignore[arg-type]
    return _("Question sent to the requester; the clock is paused until they answer.")


def _quotation(request: HttpRequest, requisition: Requisition, form: QuotationForm) -> str:
    data = form.cleaned_data
    quotation = services.quotation_record(
        requisition=requisition,
        vendor=data["vendor"],
        currency=data["currency"],
        unit_prices=form.unit_prices(),
        reference=data["reference"],
        by=request.user,  # type: ignore[arg-type]
    )
    return _("Quotation of %(vendor)s recorded.") % {"vendor": quotation.vendor_name}


def _order(request: HttpRequest, requisition: Requisition, form: OrderForm) -> str:
    order = services.order_issue(
        agency=request_case_agency(requisition),
        requisition=requisition,
        by=request.user,  # type: ignore[arg-type]
        terms=form.cleaned_data["terms"],
        quotation=form.cleaned_data.get("quotation"),
        split_explanation=form.cleaned_data.get("split_explanation", ""),
    )
    return _("Purchase order %(number)s issued; it is e-mailed to the vendor.") % {"number": order.number}


def request_case_agency(requisition: Requisition) -> Any:
    entry = selectors.case_entry(reference=requisition.reference)
    if entry is None:
        raise Http404("No such purchase.")
    return entry.agency


def _solicit(request: HttpRequest, requisition: Requisition, form: SolicitationForm) -> str:
    solicitation, tokens = services.solicitation_issue(
        requisition=requisition,
        by=request.user,  # type: ignore[arg-type]
        **form.issue_arguments(),
    )
    return _("%(reference)s issued: %(count)d vendors invited, each with a personal link by e-mail.") % {
        "reference": solicitation.reference,
        "count": len(tokens),
    }


def _renew(request: HttpRequest, requisition: Requisition, form: InvitationForm) -> str:
    invitation = form.cleaned_data["invitation"]
    services.invitation_link_renew(invitation=invitation, by=request.user)  # type: ignore[arg-type]
    return _("A new link was sent to %(vendor)s; the old one no longer works.") % {"vendor": invitation.vendor_name}


def _answer(request: HttpRequest, requisition: Requisition, form: AnswerForm) -> str:
    data = form.cleaned_data
    services.question_answer(question=data["question"], answer=data["answer"], by=request.user)  # type: ignore[arg-type]
    return _("Answer sent to every invited vendor.")


def _amend(request: HttpRequest, requisition: Requisition, form: AmendmentForm) -> str:
    data = form.cleaned_data
    amendment = services.amendment_issue(
        solicitation=_solicitation(requisition),
        text=data["text"],
        new_deadline=data["new_deadline"],
        by=request.user,  # type: ignore[arg-type]
    )
    return _("Amendment %(number)d issued to every invited vendor.") % {"number": amendment.number}


def _paper_bid(request: HttpRequest, requisition: Requisition, form: PaperBidForm) -> str:
    data = form.cleaned_data
    bid = services.bid_submit(
        invitation=data["invitation"],
        currency=data["currency"],
        unit_prices=form.unit_prices(),
        technical_proposal=data.get("technical_proposal", ""),
        at=data["received_at"],
        on_paper_by=request.user,  # type: ignore[arg-type]
    )
    if bid.late:
        return _("Paper bid of %(vendor)s recorded, sealed; it arrived late and will not be opened.") % {
            "vendor": bid.invitation.vendor_name
        }
    return _("Paper bid of %(vendor)s recorded and sealed.") % {"vendor": bid.invitation.vendor_name}


def _open(request: HttpRequest, requisition: Requisition, form: OpeningForm) -> str:
    """The signed-in officer and a second one who signs with their password, counted as a sign-in is."""
    solicitation = _solicitation(requisition)
    email = form.cleaned_data["email"].strip().lower()
    second = authenticate(request, email=email, password=form.cleaned_data["password"])
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False  # type: ignore[attr-defined]  # our page says it, not the sign-in page
        raise ApplicationError(locked_out_message(), code="auth.locked_out", status_code=429)
    if second is None:
        message = _("That e-mail address and password do not match an active account.")
        raise ApplicationError(
            message, code="auth.invalid_credentials", status_code=400, fields={"password": [message]}
        )
    opening = services.bids_open(solicitation=solicitation, officers=[request.user, second])  # type: ignore[list-item]
    return _("%(envelope)s opened by %(first)s and %(second)s; the opening record is kept.") % {
        "envelope": Envelope(opening.envelope).label,
        "first": request.user.get_full_name() or request.user.email,  # type: ignore[union-attr]
        "second": second.get_full_name() or second.email,  # type: ignore[attr-defined]
    }


def _declare(request: HttpRequest, requisition: Requisition, form: DeclarationForm) -> str:
    data = form.cleaned_data
    evaluator = services.evaluator_declare(
        solicitation=_solicitation(requisition),
        user=request.user,  # type: ignore[arg-type]
        no_conflict=data["no_conflict"] == "yes",
        statement=data["statement"],
    )
    if evaluator.has_conflict:
        return _("Your declaration of a conflict of interest is recorded; you may not evaluate this case.")
    return _("Your declaration of no conflict of interest is recorded; you may evaluate.")


def _compliance(request: HttpRequest, requisition: Requisition, form: ComplianceForm) -> str:
    data = form.cleaned_data
    services.compliance_record(bid=data["bid"], by=request.user, passed=data["passed"] == "pass", reason=data["reason"])  # type: ignore[arg-type]
    return _("Finding on %(vendor)s recorded.") % {"vendor": data["bid"].invitation.vendor_name}


def _score(request: HttpRequest, requisition: Requisition, form: ScoreForm) -> str:
    bid = form.cleaned_data["bid"]
    with transaction.atomic():
        for criterion, score in form.scores():
            services.technical_score_record(bid=bid, criterion=criterion, by=request.user, score=score)  # type: ignore[arg-type]
    return _("Scores of %(vendor)s recorded.") % {"vendor": bid.invitation.vendor_name}


def _lock(request: HttpRequest, requisition: Requisition, form: Any) -> str:
    services.technical_lock(solicitation=_solicitation(requisition), by=request.user)  # type: ignore[arg-type]
    return _("Technical scores locked; the financial envelopes of the qualified bids may now be opened.")


def _complete(request: HttpRequest, requisition: Requisition, form: Any) -> str:
    solicitation = services.evaluation_complete(solicitation=_solicitation(requisition), by=request.user)  # type: ignore[arg-type]
    if solicitation.status == SolicitationStatus.COMMITTEE:
        return _("Evaluation complete; the case goes to the contracts committee.")
    return _("Evaluation complete; the award may follow.")


def _committee(request: HttpRequest, requisition: Requisition, form: CommitteeForm) -> str:
    data = form.cleaned_data
    services.committee_review(
        solicitation=_solicitation(requisition),
        member=request.user,  # type: ignore[arg-type]
        decision=data["decision"],
        comments=data["comments"],
    )
    return _("Your decision is recorded.")


def _award(request: HttpRequest, requisition: Requisition, form: AwardForm) -> str:
    data = form.cleaned_data
    award = services.award_make(
        solicitation=_solicitation(requisition),
        bid=data["bid"],
        justification=data["justification"],
        by=request.user,  # type: ignore[arg-type]
    )
    return _("Contract awarded to %(vendor)s; every bidder is told the outcome.") % {
        "vendor": award.bid.invitation.vendor_name
    }


# action in the URL: (its form's name on the page, or "" when it takes no input; what it does)
ACTIONS: dict[str, tuple[str, Step]] = {
    "take": ("", _take),
    "method": ("method_form", _method),
    "deviation": ("deviation_form", _deviation),
    "decide": ("decide_form", _decide),
    "ask": ("ask_form", _ask),
    "quotation": ("quotation_form", _quotation),
    "order": ("order_form", _order),
    "solicit": ("solicitation_form", _solicit),
    "renew": ("renew_form", _renew),
    "answer": ("answer_form", _answer),
    "amend": ("amendment_form", _amend),
    "paper-bid": ("paper_form", _paper_bid),
    "open": ("opening_form", _open),
    "declare": ("declare_form", _declare),
    "compliance": ("compliance_form", _compliance),
    "score": ("score_form", _score),
    "lock": ("", _lock),
    "complete": ("", _complete),
    "committee": ("committee_form", _committee),
    "award": ("award_form", _award),
}


@require_POST
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such step.")
    form_name, call = ACTIONS[action]
    user = request.user
    with _case(request, reference) as requisition:
        if not (selectors.is_buyer(user=user) or selectors.is_committee_member(user=user)):
            raise PermissionDenied("Only the facility's procurement officers and the committee act on purchases.")
        form = None
        if form_name:
            options: dict[str, Any] = {}
            if form_name == "order_form" and requisition.method != Method.LTA:
                options["split_vendors"] = _split_by_vendor(request_case_agency(requisition), requisition)
            form = CASE_FORMS[form_name](request.POST, request.FILES, requisition=requisition, **options)
            if not form.is_valid():
                return _case_page(request, requisition, bound={form_name: form}, status=400)
        try:
            done = call(request, requisition, form)
        except ApplicationError as error:
            if form is None:
                messages.error(request, error.message)
                return redirect("procurement:case", reference)
            form_error_apply(form, error)
            return _case_page(request, requisition, bound={form_name: form}, status=error.status_code)
    messages.success(request, done)
    return redirect("procurement:case", reference)


# -- purchase orders: revise and cancel, each on its own page ------------------------------------------


def _order_of(requisition: Requisition, pk: int) -> PurchaseOrder:
    order = requisition.orders.filter(pk=pk).first()
    if order is None:
        raise Http404("No such order.")
    return order


def _order_step_check(request: HttpRequest, requisition: Requisition, order: PurchaseOrder) -> None:
    if not _acts_as_buyer(request.user, requisition):
        raise PermissionDenied("Only the buyer or the facility manager change an order.")
    if order.status != OrderStatus.ISSUED:
        raise Http404("Only the order in force is revised or cancelled.")


def order_revise_page(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """An issued order never changes: its revision is the next one under the same number."""
    with _case(request, reference) as requisition:
        order = _order_of(requisition, pk)
        _order_step_check(request, requisition, order)
        form = OrderReviseForm(request.POST or None, order=order)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                revision = services.order_revise(
                    order=order,
                    by=request.user,  # type: ignore[arg-type]
                    change_note=data["change_note"],
                    terms=data["terms"] or None,
                    delivery_date=data["delivery_date"],
                )
            except ApplicationError as error:
                form_error_apply(form, error)
            else:
                messages.success(
                    request, _("%(number)s issued; the vendor receives it.") % {"number": revision.display_number}
                )
                return redirect("procurement:case", reference)
        context = {"requisition": requisition, "order": order, "form": form}
        return render(request, "procurement/facility/order_revise.html", context, status=400 if form.errors else 200)


def order_cancel_page(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Cancelling cannot be undone: the page says what will happen and asks for the reason first."""
    with _case(request, reference) as requisition:
        order = _order_of(requisition, pk)
        _order_step_check(request, requisition, order)
        form = OrderCancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.order_cancel(order=order, by=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
            except ApplicationError as error:
                form_error_apply(form, error)
            else:
                messages.success(request, _("%(number)s is cancelled.") % {"number": order.display_number})
                return redirect("procurement:case", reference)
        context = {"requisition": requisition, "order": order, "form": form}
        return render(request, "procurement/facility/order_cancel.html", context, status=400 if form.errors else 200)


# -- files and documents ---------------------------------------------------------------------------


def attachment_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    with _case(request, reference) as requisition:
        attachment = RequisitionAttachment.objects.filter(requisition=requisition, pk=pk).first()
        content = stored(attachment.file) if attachment is not None else None
        if attachment is None or content is None:
            raise Http404("No such file.")
        return download(content, filename=attachment.name, content_type=attachment.content_type)


def solicitation_document(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    with _case(request, reference) as requisition:
        document = SolicitationDocument.objects.filter(solicitation__requisition=requisition, pk=pk).first()
        content = stored(document.file) if document is not None else None
        if document is None or content is None:
            raise Http404("No such document.")
        return download(content, filename=document.name, content_type=document.content_type)


def bid_document(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A bid's file, once its envelope was opened; a sealed one is not found."""
    with _case(request, reference) as requisition:
        document = (
            BidDocument.objects.filter(bid__solicitation__requisition=requisition, pk=pk).select_related("bid").first()
        )
        if document is None:
            raise Http404("No such document.")
        try:
            name, content = services.bid_document_read(document=document)
        except ApplicationError as error:
            raise Http404(error.message) from error
        return download(content, filename=name, content_type="application/octet-stream")


def opening_pdf_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    with _case(request, reference) as requisition:
        opening = Opening.objects.filter(solicitation__requisition=requisition, pk=pk).first()
        if opening is None:
            raise Http404("No such opening.")
        return opening_pdf_response(opening)


def evaluation_pdf_download(request: HttpRequest, reference: str) -> HttpResponse:
    with _case(request, reference) as requisition:
        solicitation = getattr(requisition, "solicitation", None)
        if solicitation is None:
            raise Http404("No solicitation.")
        return evaluation_pdf_response(solicitation)


def order_pdf_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    with _case(request, reference) as requisition:
        return order_pdf_response(_order_of(requisition, pk))


pages = [
    path("", queue_page, name="queue"),
    path("committee/", committee_page, name="committee"),
    path("<str:reference>/", case_page, name="case"),
    path("<str:reference>/act/<str:action>/", case_action, name="case-action"),
    path("<str:reference>/files/<int:pk>/", attachment_download, name="case-attachment"),
    path("<str:reference>/documents/<int:pk>/", solicitation_document, name="case-document"),
    path("<str:reference>/bid-documents/<int:pk>/", bid_document, name="bid-document"),
    path("<str:reference>/openings/<int:pk>/pdf/", opening_pdf_download, name="opening-pdf"),
    path("<str:reference>/evaluation/pdf/", evaluation_pdf_download, name="evaluation-pdf"),
    path("<str:reference>/orders/<int:pk>/pdf/", order_pdf_download, name="order-pdf"),
    path("<str:reference>/orders/<int:pk>/revise/", order_revise_page, name="order-revise"),
    path("<str:reference>/orders/<int:pk>/cancel/", order_cancel_page, name="order-cancel"),
]
