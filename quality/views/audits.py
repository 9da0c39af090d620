"""Pages of the internal audits (ISO 9001:2015 clause 9.2): the programme, the audits, an audit, its report.

Every facility role reads them; planners plan and cancel; the audit's own
auditor starts it, answers the checklist, records findings and completes it.
Views read through selectors and write through services only; the services
check the roles again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from ..access import AUDIT_PLANNER_ROLES, AUDIT_RECORDER_ROLES, READ_ONLY_ROLES, holds, reader_page_check
from ..forms.audits import (
    AUDIT_STATUS_FILTER,
    AuditPlanForm,
    CancelForm,
    CompleteForm,
    EvidenceForm,
    FindingForm,
    QuestionAddForm,
)
from ..models import Audit, AuditStatus, FindingKind, Process
from ..pdf import audit_report_pdf
from ..selectors import audits as selectors
from ..services import audits as services

PAGE_SIZE = 25
AUDIT_SORTS = Sorts(
    default="-planned",
    columns={
        "reference": ("pk",),
        "process": ("process__code", "pk"),
        "auditor": ("auditor__first_name", "auditor__last_name", "pk"),
        "planned": ("planned_for", "pk"),
        "status": ("status", "pk"),
    },
)
PROGRAMME_SORTS = Sorts(
    default="next_due",
    columns={
        "process": ("code",),
        "risk": ("highest_risk",),
        "frequency": ("frequency_months",),
        "last": ("last_completed_on",),
        "next_due": ("next_due",),
    },
)
# The history's stable words, as people read them.
ACTION_LABELS = {
    "planned": _("Planned"),
    "started": _("Started"),
    "question_added": _("Question added"),
    "answered": _("Evidence recorded"),
    "finding": _("Finding recorded"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
}


def _writes(request: HttpRequest) -> bool:
    return not holds(request.user, READ_ONLY_ROLES)  # type: ignore[arg-type]


def may_plan(request: HttpRequest) -> bool:
    return _writes(request) and holds(request.user, AUDIT_PLANNER_ROLES)  # type: ignore[arg-type]


def _may_record(request: HttpRequest, audit: Audit) -> bool:
    return (
        _writes(request) and audit.auditor_id == request.user.pk and holds(request.user, AUDIT_RECORDER_ROLES)  # type: ignore[arg-type]
    )


def _audit(reference: str) -> Audit:
    audit = selectors.audit_get(reference=reference)
    if audit is None:
        raise Http404("No such audit.")
    return audit


# --- the programme and the list ------------------------------------------------------------------------------


def audit_programme(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    rows, sort = PROGRAMME_SORTS.apply_list(request, selectors.programme(today=today))
    context = {"rows": rows, "sort": sort, "today": today, "may_plan": may_plan(request)}
    return render(request, "quality/audits/programme.html", context)


def audit_list(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    status = request.GET.get("status", "")
    if status not in AuditStatus.values:
        status = ""
    process_code = request.GET.get("process", "")
    audits, sort = AUDIT_SORTS.apply(
        request, selectors.audit_list(status=status or None, process_code=process_code or None)
    )
    page = Paginator(audits, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "sort": sort,
        "status": status,
        "statuses": AUDIT_STATUS_FILTER,
        "process_code": process_code,
        "processes": Process.objects.filter(active=True).order_by("code"),
        "may_plan": may_plan(request),
    }
    return render(request, "quality/audits/list.html", context)


def audit_new(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    if not may_plan(request):
        raise PermissionDenied(gettext("Only the quality focal point or an internal auditor plans audits."))
    initial: dict[str, Any] = {}
    if request.GET.get("process"):
        initial["process"] = Process.objects.filter(code=request.GET["process"], active=True).first()
    form = AuditPlanForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                audit = services.audit_plan(planned_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    gettext("Audit %(reference)s is planned; its checklist starts from the standard questions.")
                    % {"reference": audit.reference},
                )
                return redirect("quality:audit", reference=audit.reference)
        else:
            status = 400
    return render(request, "quality/audits/form.html", {"form": form}, status=status)


# --- one audit -------------------------------------------------------------------------------------------------


def _nonconformity_url(reference: str) -> str | None:
    """The nonconformity's page (written by the nonconformities part; the reference alone until it exists)."""
    try:
        return reverse("quality:nonconformity", kwargs={"reference": reference})
    except NoReverseMatch:
        return None


def _audit_page(request: HttpRequest, audit: Audit, *, status: int = 200, **forms_given: Any) -> HttpResponse:
    questions = selectors.audit_questions(audit=audit)
    may_record = _may_record(request, audit)
    running = audit.status == AuditStatus.IN_PROGRESS
    open_audit = audit.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)
    findings = [
        (finding, _nonconformity_url(finding.nonconformity.reference) if finding.nonconformity else None)
        for finding in selectors.audit_findings(audit=audit)
    ]
    events = [(event, ACTION_LABELS.get(event.action, event.action)) for event in selectors.audit_history(audit=audit)]
    context = {
        "audit": audit,
        "questions": questions,
        "findings": findings,
        "events": events,
        "may_record": may_record,
        "may_cancel": may_plan(request) and open_audit,
        "running": running,
        "open_audit": open_audit,
        "failed_position": forms_given.get("failed_position"),
        "evidence_form": forms_given.get("evidence_form"),
        "question_form": forms_given.get("question_form") or QuestionAddForm(),
        "finding_form": forms_given.get("finding_form") or FindingForm(questions=questions),
        "complete_form": forms_given.get("complete_form") or CompleteForm(),
        "cancel_form": forms_given.get("cancel_form") or CancelForm(),
        "kinds": FindingKind,
    }
    return render(request, "quality/audits/detail.html", context, status=status)


def audit_detail(request: HttpRequest, reference: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    return _audit_page(request, _audit(reference))


def audit_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    audit = _audit(reference)
    response = HttpResponse(audit_report_pdf(audit=audit, reader=request.user), content_type="application/pdf")  # type: ignore[arg-type]
    response["Content-Disposition"] = f'attachment; filename="{audit.reference}.pdf"'
    return response


def _refused(request: HttpRequest, audit: Audit, error: ApplicationError, **forms_given: Any) -> HttpResponse:
    for form in forms_given.values():
        if isinstance(form, forms.Form):
            form_error_apply(form, error)
    messages.error(request, error.message)
    return _audit_page(request, _audit(audit.reference), status=error.status_code, **forms_given)


@require_POST
def audit_start(request: HttpRequest, reference: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    audit = _audit(reference)
    try:
        services.audit_start(audit=audit, started_by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        return _refused(request, audit, error)
    messages.success(request, gettext("The audit is in progress: record the evidence and the findings."))
    return redirect("quality:audit", reference=reference)


@require_POST
def audit_question_add(request: HttpRequest, reference: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    audit = _audit(reference)
    form = QuestionAddForm(request.POST)
    if not form.is_valid():
        return _audit_page(request, audit, status=400, question_form=form)
    try:
        services.audit_question_add(audit=audit, added_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except ApplicationError as error:
        return _refused(request, audit, error, question_form=form)
    messages.success(request, gettext("The question is added to the checklist."))
    return redirect("quality:audit", reference=reference)


@require_POST
def audit_question_answer(request: HttpRequest, reference: str, position: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    audit = _audit(reference)
    question = audit.questions.filter(position=position).first()
    if question is None:
        raise Http404("No such question.")
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _audit_page(request, audit, status=400, evidence_form=form, failed_position=position)  # type: ignore[arg-type]
    try:
        services.audit_question_answer(
            question=question,
            evidence=form.cleaned_data["evidence"],
            answered_by=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        return _refused(request, audit, error, evidence_form=form, failed_position=position)
    messages.success(request, gettext("The evidence is recorded."))
    return redirect("quality:audit", reference=reference)


@require_POST
def audit_finding_record(request: HttpRequest, reference: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    audit = _audit(reference)
    questions = selectors.audit_questions(audit=audit)
    form = FindingForm(request.POST, questions=questions)
    if not form.is_valid():
        return _audit_page(request, audit, status=400, finding_form=form)
    position = form.cleaned_data["question"]
    question = next((item for item in questions if item.position == position), None)
    try:
        finding = services.finding_record(
            audit=audit,
            kind=form.cleaned_data["kind"],
            clause=form.cleaned_data["clause"],
            description=form.cleaned_data["description"],
            question=question,
            recorded_by=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        return _refused(request, audit, error, finding_form=form)
    if finding.nonconformity is not None:
        messages.success(
            request,
            gettext("The finding is recorded and nonconformity %(reference)s is opened for the process owner.")
            % {"reference": finding.nonconformity.reference},
        )
    else:
        messages.success(request, gettext("The finding is recorded."))
    return redirect("quality:audit", reference=reference)


@require_POST
def audit_complete(request: HttpRequest, reference: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    audit = _audit(reference)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        return _audit_page(request, audit, status=400, complete_form=form)
    try:
        services.audit_complete(audit=audit, summary=form.cleaned_data["summary"], completed_by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        return _refused(request, audit, error, complete_form=form)
    messages.success(request, gettext("The audit is completed; its report is ready."))
    return redirect("quality:audit", reference=reference)


@require_POST
def audit_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    audit = _audit(reference)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _audit_page(request, audit, status=400, cancel_form=form)
    try:
        services.audit_cancel(audit=audit, reason=form.cleaned_data["reason"], cancelled_by=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        return _refused(request, audit, error, cancel_form=form)
    messages.success(request, gettext("The audit is cancelled."))
    return redirect("quality:audit", reference=reference)


pages = [
    path("audits/", audit_list, name="audits"),
    path("audits/programme/", audit_programme, name="audit-programme"),
    path("audits/new/", audit_new, name="audit-new"),
    path("audits/<str:reference>/", audit_detail, name="audit"),
    path("audits/<str:reference>/report.pdf", audit_pdf, name="audit-pdf"),
    path("audits/<str:reference>/start/", audit_start, name="audit-start"),
    path("audits/<str:reference>/questions/", audit_question_add, name="audit-question-add"),
    path("audits/<str:reference>/questions/<int:position>/", audit_question_answer, name="audit-question-answer"),
    path("audits/<str:reference>/findings/", audit_finding_record, name="audit-finding-record"),
    path("audits/<str:reference>/complete/", audit_complete, name="audit-complete"),
    path("audits/<str:reference>/cancel/", audit_cancel, name="audit-cancel"),
]
