"""Internal audits (ISO 9001:2015 clause 9.2): planning, the checklist, findings, completion.

The rules every step enforces, here and therefore on the pages and the API alike:

- the auditor of a process is never its owner (clause 9.2.2 c: "select auditors
  and conduct audits to ensure objectivity and the impartiality of the audit
  process"). Ownership can change after an audit is planned, so the rule is
  checked again when the audit starts, at every recording and at completion;
- the auditor holds the internal auditor role; planners (AUDIT_PLANNER_ROLES)
  plan and cancel; only the audit's own auditor records it; the read-only
  auditor role changes nothing;
- a minor or major nonconformity found opens a nonconformity at once
  (clause 9.2.2 e and 10.2), linked to the finding;
- every step is a line of the audit's history (clause 9.2.2 f: "retain
  documented information as evidence of the implementation of the audit
  programme and the audit results").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Role
from shared_platform import limits
from shared_platform.errors import ApplicationError

from ..access import AUDIT_PLANNER_ROLES, AUDIT_RECORDER_ROLES, READ_ONLY_ROLES, holds, role_check
from ..checklists import standard_checklist
from ..models import (
    Audit,
    AuditFinding,
    AuditQuestion,
    AuditStatus,
    FindingKind,
    NonconformitySource,
    Process,
    Severity,
)
from ..records import event_append, pending_reference, reference_assign
from .nonconformities import nonconformity_raise

if TYPE_CHECKING:
    from accounts.models import User

# The moves an audit may make; anything else is refused (409).
AUDIT_TRANSITIONS: dict[str, frozenset[str]] = {
    AuditStatus.PLANNED: frozenset({AuditStatus.IN_PROGRESS, AuditStatus.CANCELLED}),
    AuditStatus.IN_PROGRESS: frozenset({AuditStatus.COMPLETED, AuditStatus.CANCELLED}),
    AuditStatus.COMPLETED: frozenset(),
    AuditStatus.CANCELLED: frozenset(),
}
# Findings that are nonconformities, and the severity of the nonconformity each opens.
NONCONFORMING_FINDINGS = {FindingKind.MINOR: Severity.MINOR, FindingKind.MAJOR: Severity.MAJOR}
CLAUSE_MAX = 12


# --- guards -------------------------------------------------------------------------------------------------


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="quality.invalid", fields={field: [message]})


def _text(value: str | None, *, field: str, limit: int, required_message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise _invalid(field, required_message)
    if len(text) > limit:
        raise _invalid(field, gettext("At most %(limit)d characters.") % {"limit": limit})
    return text


def _clause(value: str | None) -> str:
    return _text(
        value,
        field="clause",
        limit=CLAUSE_MAX,
        required_message=gettext("Name the ISO 9001 clause, e.g. 8.5.1."),
    )


def _writer_check(user: User) -> None:
    """The read-only auditor changes nothing, whatever other role they hold."""
    if holds(user, READ_ONLY_ROLES):
        raise ApplicationError(
            gettext("The auditor's role reads the quality records; it changes none of them."),
            code="quality.read_only",
            status_code=403,
        )


def _planner_check(user: User) -> None:
    _writer_check(user)
    role_check(user, AUDIT_PLANNER_ROLES, gettext("Only the quality focal point or an internal auditor plans audits."))


def auditor_independence_check(*, process: Process, auditor: User, status_code: int = 409) -> None:
    """The auditor of a process is never its owner (ISO 9001:2015 clause 9.2.2 c: objectivity and impartiality)."""
    if process.owner_id == auditor.pk:
        message = gettext(
            "%(person)s owns the process %(process)s and cannot audit it: an auditor does not audit their own work "
            "(ISO 9001 clause 9.2.2 c). Choose another internal auditor."
        ) % {"person": auditor.get_full_name() or auditor.email, "process": process.code}
        raise ApplicationError(
            message, code="quality.auditor_not_independent", status_code=status_code, fields={"auditor": [message]}
        )


def _qualified_check(auditor: User) -> None:
    if not auditor.is_active or not holds(auditor, frozenset({Role.INTERNAL_AUDITOR})):
        message = gettext("The auditor must hold the internal auditor role.")
        raise ApplicationError(message, code="quality.auditor_not_qualified", fields={"auditor": [message]})


def _recorder_check(audit: Audit, user: User) -> None:
    """Only the audit's own auditor records it, and only while they are still independent of the process."""
    _writer_check(user)
    role_check(user, AUDIT_RECORDER_ROLES, gettext("Only an internal auditor records an audit."))
    if audit.auditor_id != user.pk:
        raise ApplicationError(
            gettext("Only the auditor of %(audit)s records it.") % {"audit": audit.reference},
            code="quality.not_the_auditor",
            status_code=403,
        )
    auditor_independence_check(process=audit.process, auditor=user)


def _locked(audit: Audit) -> Audit:
    return Audit.objects.select_for_update().select_related("process").get(pk=audit.pk)


def _move_check(audit: Audit, target: str) -> None:
    if target not in AUDIT_TRANSITIONS[audit.status]:
        raise ApplicationError(
            gettext("The audit is %(status)s: it cannot be %(target)s now.")
            % {"status": audit.get_status_display().lower(), "target": AuditStatus(target).label.lower()},
            code="quality.illegal_transition",
            status_code=409,
        )


def _in_progress_check(audit: Audit) -> None:
    if audit.status != AuditStatus.IN_PROGRESS:
        raise ApplicationError(
            gettext("Evidence and findings are recorded while the audit is in progress; it is %(status)s.")
            % {"status": audit.get_status_display().lower()},
            code="quality.audit_not_in_progress",
            status_code=409,
        )


# --- planning -----------------------------------------------------------------------------------------------


@transaction.atomic
def audit_plan(
    *,
    process: Process | None,
    auditor: User | None,
    planned_for: date | None,
    scope: str,
    planned_by: User,
    at: datetime | None = None,
) -> Audit:
    """Plan an internal audit of a process, its checklist pre-filled from the standard question bank.

    Clause 9.2.2 a and b: the programme says when, the scope and criteria say
    what. The auditor is an internal auditor who does not own the process
    (clause 9.2.2 c).
    """
    at = at or timezone.now()
    _planner_check(planned_by)
    if process is None or not process.active:
        raise _invalid("process", gettext("Choose an active process to audit."))
    if auditor is None:
        raise _invalid("auditor", gettext("Choose the internal auditor."))
    if planned_for is None:
        raise _invalid("planned_for", gettext("Give the date of the audit."))
    if planned_for < timezone.localdate(at):
        raise _invalid("planned_for", gettext("An audit is planned for today or a later day."))
    scope = _text(
        scope,
        field="scope",
        limit=limits.SHORT_TEXT,
        required_message=gettext("Say what the audit covers: activities, sites, period and criteria."),
    )
    _qualified_check(auditor)
    auditor_independence_check(process=process, auditor=auditor, status_code=400)
    audit = Audit.objects.create(
        reference=pending_reference(),
        process=process,
        auditor=auditor,
        planned_for=planned_for,
        scope=scope,
        created_by=planned_by,
    )
    reference_assign(audit, prefix="AUD", at=at)
    AuditQuestion.objects.bulk_create(
        AuditQuestion(audit=audit, position=position, clause=clause, question=question)
        for position, (clause, question) in enumerate(standard_checklist(), start=1)
    )
    event_append(
        audit,
        action="planned",
        actor=planned_by,
        at=at,
        detail=gettext("%(process)s on %(day)s, auditor %(auditor)s")
        % {
            "process": process.code,
            "day": planned_for.isoformat(),
            "auditor": auditor.get_full_name() or auditor.email,
        },
    )
    return audit


@transaction.atomic
def audit_cancel(*, audit: Audit, reason: str, cancelled_by: User, at: datetime | None = None) -> Audit:
    """Cancel a planned or running audit, with the reason kept in its history (clause 9.2.2 f)."""
    at = at or timezone.now()
    _planner_check(cancelled_by)
    reason = _text(
        reason, field="reason", limit=limits.SHORT_TEXT, required_message=gettext("Say why it is cancelled.")
    )
    audit = _locked(audit)
    _move_check(audit, AuditStatus.CANCELLED)
    audit.status = AuditStatus.CANCELLED
    audit.save(update_fields=["status"])
    event_append(audit, action="cancelled", actor=cancelled_by, at=at, detail=reason)
    return audit


# --- conducting ---------------------------------------------------------------------------------------------


@transaction.atomic
def audit_start(*, audit: Audit, started_by: User, at: datetime | None = None) -> Audit:
    """The auditor opens the audit; independence is checked again, ownership may have changed (clause 9.2.2 c)."""
    at = at or timezone.now()
    audit = _locked(audit)
    _recorder_check(audit, started_by)
    _move_check(audit, AuditStatus.IN_PROGRESS)
    audit.status = AuditStatus.IN_PROGRESS
    audit.started_at = at
    audit.save(update_fields=["status", "started_at"])
    event_append(audit, action="started", actor=started_by, at=at)
    return audit


@transaction.atomic
def audit_question_add(
    *, audit: Audit, clause: str, question: str, added_by: User, at: datetime | None = None
) -> AuditQuestion:
    """Add a question particular to the process to the checklist (clause 9.2.2 b: the audit criteria)."""
    at = at or timezone.now()
    audit = _locked(audit)
    _recorder_check(audit, added_by)
    if audit.status not in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS):
        raise ApplicationError(
            gettext("The checklist of a %(status)s audit is closed.") % {"status": audit.get_status_display().lower()},
            code="quality.audit_closed",
            status_code=409,
        )
    clause = _clause(clause)
    question = _text(question, field="question", limit=limits.NAME * 2, required_message=gettext("Write the question."))
    position = (audit.questions.aggregate(last=Max("position"))["last"] or 0) + 1
    added = AuditQuestion.objects.create(audit=audit, position=position, clause=clause, question=question)
    event_append(audit, action="question_added", actor=added_by, at=at, detail=f"{clause} {question}")
    return added


@transaction.atomic
def audit_question_answer(
    *, question: AuditQuestion, evidence: str, answered_by: User, at: datetime | None = None
) -> AuditQuestion:
    """Record the evidence seen for one checklist question (clause 9.2.2 f: evidence of the audit results)."""
    at = at or timezone.now()
    audit = _locked(question.audit)
    _recorder_check(audit, answered_by)
    _in_progress_check(audit)
    evidence = _text(
        evidence,
        field="evidence",
        limit=limits.SHORT_TEXT,
        required_message=gettext("Write what you saw: records, interviews, samples."),
    )
    question = AuditQuestion.objects.select_for_update().get(pk=question.pk)
    question.evidence = evidence
    question.save(update_fields=["evidence"])
    event_append(audit, action="answered", actor=answered_by, at=at, detail=f"{question.clause}: {evidence}")
    return question


@transaction.atomic
def finding_record(
    *,
    audit: Audit,
    kind: str,
    clause: str,
    description: str,
    recorded_by: User,
    question: AuditQuestion | None = None,
    at: datetime | None = None,
) -> AuditFinding:
    """Record a finding; a minor or major nonconformity opens a nonconformity at once (clauses 9.2.2 e, 10.2.1)."""
    at = at or timezone.now()
    audit = _locked(audit)
    _recorder_check(audit, recorded_by)
    _in_progress_check(audit)
    if kind not in FindingKind.values:
        raise _invalid("kind", gettext("Choose conformity, observation, minor or major nonconformity."))
    clause = _clause(clause)
    description = _text(
        description,
        field="description",
        limit=limits.SHORT_TEXT,
        required_message=gettext("Describe the finding and the evidence it rests on."),
    )
    if question is not None and question.audit_id != audit.pk:
        raise _invalid("question", gettext("That question is not on this audit's checklist."))
    finding = AuditFinding.objects.create(
        audit=audit,
        question=question,
        kind=kind,
        clause=clause,
        description=description,
        recorded_by=recorded_by,
        recorded_at=at,
    )
    label = FindingKind(kind).label
    if kind in NONCONFORMING_FINDINGS:
        nonconformity = nonconformity_raise(
            source=NonconformitySource.AUDIT,
            severity=NONCONFORMING_FINDINGS[FindingKind(kind)],
            process=audit.process,
            raised_by=recorded_by,
            title=(
                gettext("%(audit)s, clause %(clause)s: %(finding)s")
                % {"audit": audit.reference, "clause": clause, "finding": description}
            )[: limits.NAME],
            description=description,
            at=at,
        )
        finding.nonconformity = nonconformity
        finding.save(update_fields=["nonconformity"])
        detail = f"{label} ({clause}), {nonconformity.reference}: {description}"
    else:
        detail = f"{label} ({clause}): {description}"
    event_append(audit, action="finding", actor=recorded_by, at=at, detail=detail)
    return finding


@transaction.atomic
def audit_complete(*, audit: Audit, summary: str, completed_by: User, at: datetime | None = None) -> Audit:
    """Close the audit with its conclusion; it must rest on evidence (clause 9.2.2 d: results reported)."""
    at = at or timezone.now()
    audit = _locked(audit)
    _recorder_check(audit, completed_by)
    _move_check(audit, AuditStatus.COMPLETED)
    summary = _text(
        summary,
        field="summary",
        limit=limits.LONG_TEXT,
        required_message=gettext("Write the audit's conclusion for the process owner and management."),
    )
    if not audit.findings.exists() and not audit.questions.exclude(evidence="").exists():
        raise ApplicationError(
            gettext("An audit is completed on evidence: answer a question or record a finding first."),
            code="quality.audit_without_evidence",
            status_code=409,
        )
    audit.status = AuditStatus.COMPLETED
    audit.completed_at = at
    audit.summary = summary
    audit.save(update_fields=["status", "completed_at", "summary"])
    event_append(audit, action="completed", actor=completed_by, at=at, detail=summary)
    return audit
