"""The standard question bank of an internal audit (ISO 9001:2015 clause 9.2.2 b: the criteria of each audit).

Every audit's checklist starts from these questions: the clauses that matter
to every process of the facility, asked as an auditor asks them on the floor,
each pointing at the evidence to look for. The auditor adds the questions
particular to the process audited (`audit_question_add`).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STANDARD_QUESTIONS: list[tuple[str, Promise]] = [
    (
        "4.4",
        _(
            "Is the process described as it is actually run (inputs, outputs, sequence, responsibilities), "
            "and can the owner show where it was last changed and why?"
        ),
    ),
    (
        "6.1",
        _(
            "Are the process's risks and opportunities recorded with likelihood and impact, and is the "
            "treatment of the highest one in place and reviewed on its date?"
        ),
    ),
    (
        "7.5",
        _(
            "Do the people running the process work from the effective version of its procedure, and have "
            "they acknowledged it? Pick two staff members and ask them to show it."
        ),
    ),
    (
        "8.1",
        _(
            "Take three requests closed last month: were they handled as the procedure says, with the "
            "approvals and records it requires?"
        ),
    ),
    (
        "8.5",
        _(
            "For the same requests, is the record of what was delivered, by whom and when complete enough "
            "to trace the service from request to closure?"
        ),
    ),
    (
        "9.1.1",
        _(
            "Which figures measure the process (SLA compliance, volume, time to close), who reviews them, "
            "and what was decided at the last review?"
        ),
    ),
    (
        "9.1.2",
        _(
            "How are the agencies' ratings and comments on this process read, and show one low rating and "
            "what was done about it."
        ),
    ),
    (
        "10.2",
        _(
            "Are the nonconformities of this process since the last audit worked through to root cause and "
            "corrective action, and was the effectiveness of the action checked?"
        ),
    ),
]


def standard_checklist() -> list[tuple[str, str]]:
    """The question bank as (clause, question) in the current language, to be copied into a new audit."""
    return [(clause, str(question)) for clause, question in STANDARD_QUESTIONS]
