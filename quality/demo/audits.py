"""The demo's internal audits, written through the audit services as the running system would write them.

One completed audit of the RFQ procurement process some weeks ago, with its
checklist answered and a finding of each everyday kind (a conformity, an
observation, a minor nonconformity that opened a nonconformity), and one
audit of the ICT incident process planned for next month.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User

from ..models import Audit, FindingKind, Process
from ..selectors.audits import months_add
from ..services.audits import (
    audit_complete,
    audit_plan,
    audit_question_add,
    audit_question_answer,
    audit_start,
    finding_record,
)

EVIDENCE = {
    "4.4": (
        "The Common Procurement Manual (QM-PROC-01) v2 describes the RFQ steps; "
        "the owner showed the change log (threshold update)."
    ),
    "6.1": "Risk register: 'fewer than three compliant quotations in thin markets' scored 16, treatment in place.",
    "7.5": "Two procurement assistants opened the effective manual from the platform; one had not acknowledged v2.",
    "8.1": "Sampled RFQ cases PR-0112, PR-0118, PR-0121: three quotations each, evaluation signed by two people.",
    "8.5": "The same cases trace from requisition to purchase order and delivery note, with dates and names.",
    "9.1.1": "Monthly SLA compliance for PRC-RFQ is reviewed in the operations meeting; minutes of last month seen.",
    "9.1.2": "Two ratings of 2 in the period; one was answered by the officer, the other had no follow-up recorded.",
    "10.2": "NC on late purchase orders from March: root cause recorded, action done, effectiveness check pending.",
}


def audits_demo_load(*, now: datetime) -> int:
    """Load the demo's audits (once: nothing is added if any audit exists). Returns how many were written."""
    if Audit.objects.exists():
        return 0
    procurement = Process.objects.filter(code="PRC-RFQ").select_related("owner").first()
    ict = Process.objects.filter(code="ICT-INC").first()
    auditor = User.objects.filter(email="internal-audit@facility.demo").first()
    planner = User.objects.filter(email="quality@facility.demo").first()
    if procurement is None or auditor is None or planner is None:
        return 0
    written = 0
    planned_at = now - timedelta(weeks=8)
    held_at = now - timedelta(weeks=6)
    audit = audit_plan(
        process=procurement,
        auditor=auditor,
        planned_for=timezone.localdate(held_at),
        scope=(
            "Procurement by request for quotation, cases closed in the last quarter, at the facility's office. "
            "Criteria: ISO 9001:2015 clauses 4 to 10, the common procurement manual, the PRC-RFQ SLA targets."
        ),
        planned_by=planner,
        at=planned_at,
    )
    audit = audit_start(audit=audit, started_by=auditor, at=held_at)
    extra = audit_question_add(
        audit=audit,
        clause="8.4.1",
        question="Are suppliers invited to quote chosen from the vendor roster, and is a waiver documented when not?",
        added_by=auditor,
        at=held_at + timedelta(minutes=5),
    )
    for offset, question in enumerate(audit.questions.order_by("position"), start=1):
        evidence = EVIDENCE.get(question.clause)
        if question.pk == extra.pk:
            evidence = "All sampled suppliers were on the roster; no waiver needed in the sample."
        if evidence:
            audit_question_answer(
                question=question, evidence=evidence, answered_by=auditor, at=held_at + timedelta(minutes=20 * offset)
            )
    findings = [
        (
            FindingKind.CONFORMITY,
            "8.1",
            "RFQ cases sampled were run as the manual requires: three quotations, two-person evaluation, signed.",
        ),
        (
            FindingKind.OBSERVATION,
            "7.5.3",
            "One procurement assistant had not acknowledged version 2 of the manual; the reminder should reach them.",
        ),
        (
            FindingKind.MINOR,
            "9.1.2",
            "A rating of 2 from an agency in the period had no follow-up recorded: customer feedback is not always "
            "acted upon as the procedure requires.",
        ),
    ]
    for offset, (kind, clause, description) in enumerate(findings, start=1):
        finding_record(
            audit=audit,
            kind=kind,
            clause=clause,
            description=description,
            recorded_by=auditor,
            at=held_at + timedelta(hours=4, minutes=10 * offset),
        )
    audit_complete(
        audit=audit,
        summary=(
            "The RFQ process is effectively implemented and maintained. One minor nonconformity on the follow-up "
            "of low ratings (clause 9.1.2) and one observation on acknowledgement of the manual. Next audit as "
            "the programme sets it."
        ),
        completed_by=auditor,
        at=held_at + timedelta(days=1),
    )
    written += 1
    if ict is not None and ict.owner_id != auditor.pk:
        audit_plan(
            process=ict,
            auditor=auditor,
            planned_for=months_add(timezone.localdate(now), 1),
            scope=(
                "ICT incident handling: incidents logged and resolved in the last six months. Criteria: ISO 9001:2015, "
                "the ICT incident procedure and the ICT-INC SLA targets."
            ),
            planned_by=planner,
            at=now,
        )
        written += 1
    return written
