"""The demo's processes, their risks and opportunities, and their controlled documents (PRODUCT.md, "Demo data").

Five core processes with their owners, the catalogue services that measure
them and two or three risks or opportunities each (procurement by RFQ clearly
the riskiest). Each has a documented procedure; the common procurement
manual is in its second version: v1 approved months ago, v2 approved by the
facility manager (not its author) some weeks ago and acknowledged by one
procurement officer of two. The travel procedure's review is overdue and the
billing procedure waits in review for an approver, so the register and the
reminders have something to show.

Everything goes through the services, as the running system writes it. Idempotent:
nothing is added when the processes are already there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from service_levels.models import Service

from ..models import Document, Process, RiskKind
from ..services import documents as documents_services
from ..services import processes as processes_services

QUALITY = "quality@facility.demo"
MANAGER = "manager@facility.demo"

PROCESSES = [
    (
        "ICT-INC",
        "ICT incident handling",
        "ict@facility.demo",
        ["ICT-INC", "ICT-REQ"],
        "Restore normal ICT service to the agencies as quickly as possible after an interruption or degradation, "
        "from the first report to the helpdesk to the requester's confirmation. Covers the service desk, "
        "first- and second-line support and escalation to suppliers.",
    ),
    (
        "PRC-RFQ",
        "Procurement by request for quotation",
        "procurement@facility.demo",
        ["PRC-RFQ", "PRC-LTA", "PRC-MICRO"],
        "Buy goods and services for the agencies at best value for money, through fair and transparent "
        "competition: from the approved requisition through the request for quotation, the evaluation of "
        "quotations and the award to the purchase order.",
    ),
    (
        "TRV-TA",
        "Travel authorization and ticketing",
        "travel@facility.demo",
        ["TRV-TA"],
        "Authorize official travel and issue the most economical ticket that meets the mission's needs, "
        "within the travel policy; from the travel request to the ticket and the daily subsistence allowance.",
    ),
    (
        "BIL-MON",
        "Monthly cost-recovery billing",
        "finance@facility.demo",
        [],
        "Recover the cost of the common services from the agencies each month, accurately and on time, "
        "from the ledger of delivered requests to issued invoices and their settlement.",
    ),
    (
        "QMS-DOC",
        "Control of documented information",
        "quality@facility.demo",
        [],
        "Keep the facility's procedures, manuals and forms current, approved and available to the people "
        "who use them, and keep obsolete versions from unintended use (ISO 9001:2015, 7.5).",
    ),
]

# process, kind, description, likelihood, impact, treatment, owner (None: the process owner)
RISKS = [
    (
        "ICT-INC",
        RiskKind.RISK,
        "A single ICT officer on duty at lunchtime: priority-1 incidents wait beyond the response target.",
        3,
        4,
        "Staggered lunch breaks on the rota; escalation to the second officer by the helpdesk after 15 minutes.",
        None,
    ),
    (
        "ICT-INC",
        RiskKind.RISK,
        "The supplier of the network links misses its own restoration time, and ours with it.",
        2,
        4,
        "Service credits in the renewed contract; backup 4G routers at each agency office.",
        None,
    ),
    (
        "ICT-INC",
        RiskKind.OPPORTUNITY,
        "A self-service knowledge base for password resets and printer set-up would take a fifth of the tickets.",
        4,
        2,
        "Write the ten most frequent answers and link them from the helpdesk form.",
        None,
    ),
    (
        "PRC-RFQ",
        RiskKind.RISK,
        "Fewer than three compliant quotations for RFQs in thin markets (specialised ICT, venues): "
        "awards are delayed or made without real competition.",
        4,
        4,
        "Keep the vendor roster current by category; invite at least five suppliers; publish RFQs above "
        "USD 50,000 on the UN Global Marketplace; document any award on fewer than three quotations.",
        None,
    ),
    (
        "PRC-RFQ",
        RiskKind.RISK,
        "An evaluator with an undeclared interest in a bidder.",
        2,
        5,
        "Declaration of impartiality signed by every evaluation committee member before quotations are opened.",
        QUALITY,
    ),
    (
        "PRC-RFQ",
        RiskKind.OPPORTUNITY,
        "Long-term agreements for recurring purchases would replace a third of RFQs with call-offs.",
        3,
        3,
        "Analyse last year's RFQs by category and tender LTAs for the three largest.",
        None,
    ),
    (
        "TRV-TA",
        RiskKind.RISK,
        "Travel requested less than 14 days before departure: higher fares and late authorizations.",
        4,
        3,
        "Monthly report of late requests to each agency's focal point; justification required on the request.",
        None,
    ),
    (
        "TRV-TA",
        RiskKind.RISK,
        "A traveller leaves without security clearance for a duty station that requires it.",
        1,
        5,
        "The ticket is issued only once every clearance is recorded on the request.",
        None,
    ),
    (
        "BIL-MON",
        RiskKind.RISK,
        "Requests resolved after the ledger closes are billed a month late, and agencies dispute the invoice.",
        3,
        2,
        "Close the ledger on the third working day; a late request goes into the next month, said on the invoice.",
        None,
    ),
    (
        "BIL-MON",
        RiskKind.OPPORTUNITY,
        "Agencies paying by the due date could settle by direct debit and save both sides a reconciliation.",
        2,
        2,
        "Offer direct debit to the three agencies that always pay on time.",
        None,
    ),
    (
        "QMS-DOC",
        RiskKind.RISK,
        "Staff work from a printed, superseded copy of a procedure.",
        3,
        3,
        "Printed copies carry their version and the words 'uncontrolled when printed'; the register shows "
        "the effective version and who has acknowledged it.",
        None,
    ),
    (
        "QMS-DOC",
        RiskKind.RISK,
        "Reviews are not done on time because nobody is reminded.",
        2,
        3,
        "The platform reminds each owner 30 days before a review falls due.",
        None,
    ),
]


def _unwrap(text: str) -> str:
    """The source keeps lines short; a paragraph of the document is one line (blank lines between paragraphs)."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.split("\n\n"))


MANUAL_CODE = "QM-PROC-01"
MANUAL_TITLE = "Common Procurement Manual"
MANUAL_V1 = _unwrap(
    """1. Purpose and scope

This manual sets out how the Joint Operations Facility buys goods and services on behalf of the participating
agencies. It applies to every purchase made by the facility's procurement officers, whatever its value, and
follows the principles of the UN Procurement Manual: best value for money; fairness, integrity and
transparency; effective international competition; and the interest of the United Nations.

2. Roles

The requesting agency approves the requisition and certifies that funds are available. The procurement officer
runs the solicitation and recommends the award. The contracts committee reviews awards above the committee
threshold. No person may both approve a requisition and award the resulting contract.

3. Methods of solicitation

3.1 Micro-purchases: purchases up to USD 5,000 may be made on one quotation, provided the price is reasonable
and the supplier is registered.

3.2 Request for quotation (RFQ): purchases above USD 5,000 and up to USD 150,000 are made by request for
quotation. The procurement officer invites at least three suppliers and should receive at least two
quotations.

3.3 Invitation to bid and request for proposal: purchases above USD 150,000 are solicited by formal methods,
with sealed bids or proposals.

4. Evaluation

Quotations are evaluated by the procurement officer against the criteria stated in the RFQ. The lowest priced
technically compliant quotation is recommended for award.

5. Award and purchase order

The award is recorded in the case file with the comparison of quotations. The purchase order is issued in the
facility's ERP and sent to the supplier.

6. Records

Every solicitation keeps, in its case file: the requisition, the list of invited suppliers, the quotations
received, the evaluation and the award. Records are kept for seven years."""
)

MANUAL_V2 = _unwrap(
    """1. Purpose and scope

This manual sets out how the Joint Operations Facility buys goods and services on behalf of the participating
agencies. It applies to every purchase made by the facility's procurement officers, whatever its value, and
follows the principles of the UN Procurement Manual: best value for money; fairness, integrity and
transparency; effective international competition; and the interest of the United Nations.

2. Roles

The requesting agency approves the requisition and certifies that funds are available. The procurement officer
runs the solicitation and recommends the award. The contracts committee reviews awards above the committee
threshold. No person may both approve a requisition and award the resulting contract.

3. Methods of solicitation

3.1 Micro-purchases: purchases up to USD 10,000 may be made on one quotation, provided the price is reasonable
and the supplier is registered.

3.2 Request for quotation (RFQ): purchases above USD 10,000 and up to USD 150,000 are made by request for
quotation. The procurement officer invites at least five suppliers and must receive at least three compliant
quotations; an award on fewer than three is justified in writing and approved by the head of procurement.

3.3 Invitation to bid and request for proposal: purchases above USD 150,000 are solicited by formal methods,
with sealed bids or proposals.

3.4 Long-term agreements: where a long-term agreement covers the need, the purchase is a call-off under it and
no new solicitation is made.

4. Evaluation

Quotations for purchases above USD 50,000 are evaluated by an evaluation committee of at least three members,
one of them from the requesting agency. Each member signs a declaration of impartiality before the quotations
are opened. The lowest priced technically compliant quotation is recommended for award.

5. Award and purchase order

The award is recorded in the case file with the comparison of quotations and, where it applies, the evaluation
committee's report. The purchase order is issued in the facility's ERP and sent to the supplier.

6. Records

Every solicitation keeps, in its case file: the requisition, the list of invited suppliers, the quotations
received, the declarations of impartiality, the evaluation and the award. Records are kept for seven years."""
)

MANUAL_V2_CHANGES = (
    "Micro-purchase threshold raised from USD 5,000 to USD 10,000; RFQs invite five suppliers and need three "
    "compliant quotations; an evaluation committee above USD 50,000 with declarations of impartiality; "
    "call-offs under long-term agreements."
)

# code, title, process, owner/author, approver, months ago it took effect (None: left in review), review months
PROCEDURES = [
    (
        "QP-ICT-01",
        "ICT incident handling procedure",
        "ICT-INC",
        "ict@facility.demo",
        QUALITY,
        5,
        12,
        [Role.ICT_AGENT],
        _unwrap(
            """1. Purpose

How the facility's ICT officers receive, prioritise, resolve and close incidents reported by the agencies, so
that normal service is restored within the targets of the service catalogue.

2. Logging

Every incident is logged in the helpdesk, by the requester or by the ICT officer who takes the call, with the
agency, the service and a description. An incident reported by telephone is logged during the call.

3. Priority

The priority is set from impact and urgency using the priority matrix: priority 1 when a whole office or a
critical system is down, priority 2 when a team cannot work, priority 3 for one person, priority 4 for a
request for information.

4. Resolution and escalation

The officer who takes the incident owns it until it is resolved. An incident not resolved within half of its
target is escalated to the second officer; one that depends on a supplier is escalated to the supplier and the
clock is paused only while the requester is asked for information.

5. Closure

The incident is resolved when service is restored, and closed when the requester confirms or after three
working days without an answer. The requester is invited to rate the service."""
        ),
    ),
    (
        "QP-TRV-01",
        "Travel authorization and ticketing procedure",
        "TRV-TA",
        "travel@facility.demo",
        MANAGER,
        14,
        12,
        [Role.TRAVEL_AGENT],
        _unwrap(
            """1. Purpose

How official travel requested by the agencies is authorized, booked and ticketed within the travel policy.

2. The request

The traveller's agency submits the travel request at least 14 days before departure, with the purpose, the
itinerary, the charge codes and the certifying officer's approval.

3. Booking

The travel officer books the most economical fare that meets the mission's needs and the standard of
accommodation of the travel policy. At least two fare options are recorded when the fare is above USD 1,500.

4. Ticketing

The ticket is issued only when the request is approved and every security clearance the itinerary needs is
recorded.

5. Allowances

The daily subsistence allowance is calculated from the ICSC rates in force on the day of travel and paid
before departure."""
        ),
    ),
    (
        "QP-BIL-01",
        "Monthly cost-recovery billing procedure",
        "BIL-MON",
        "finance@facility.demo",
        None,
        None,
        12,
        [Role.FACILITY_FINANCE],
        _unwrap(
            """1. Purpose

How the facility bills the agencies each month for the common services they used, at the prices of the
approved price list.

2. Closing the month

The ledger of delivered requests closes on the third working day of the month. Requests delivered after the
close are billed with the following month.

3. Draft invoices

Finance prepares one draft invoice per agency from the ledger, checks it against the month's volumes per
service and sends it to the agency's finance focal point for comment within five working days.

4. Issue and settlement

Invoices are issued on the tenth working day and are due within 30 days. Credit notes correct an issued
invoice; an issued invoice is never changed."""
        ),
    ),
    (
        "QP-QMS-01",
        "Control of documented information",
        "QMS-DOC",
        QUALITY,
        MANAGER,
        8,
        24,
        [Role.QUALITY_FOCAL_POINT, Role.FACILITY_MANAGER],
        _unwrap(
            """1. Purpose

How the facility's controlled documents are written, reviewed, approved, made available and withdrawn (ISO
9001:2015, 7.5).

2. Writing and approval

Each document has an owner. A new version is drafted by its author, sent for review, and approved by the
quality focal point or the facility manager, never by its own author. The approver records the date from which
it takes effect.

3. Availability

The effective version is the one in the register on the platform; printed copies are uncontrolled. The people
whose roles a document concerns read and acknowledge each effective version.

4. Review

Each document is reviewed at the interval set in the register, twelve months unless stated otherwise. The
owner either confirms it needs no change or drafts a new version.

5. Obsolete versions

A superseded or withdrawn version stays in the register, marked as such, for seven years."""
        ),
    ),
]


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _effective_document(
    *,
    code: str,
    title: str,
    process: Process,
    author: User,
    approver: User,
    concerns: Sequence[str],
    review_months: int,
    text: str,
    effective_at: datetime,
) -> Document:
    """A document registered, sent for review and approved on the day it took effect, all in the past."""
    document = documents_services.document_create(
        created_by=author,
        code=code,
        title=title,
        owner=author,
        process=process,
        concerns_roles=concerns,
        review_months=review_months,
        text=text,
        change_summary="First issue.",
        at=effective_at - timedelta(days=10),
    )
    version = document.versions.get(number=1)
    documents_services.version_submit(version=version, submitted_by=author, at=effective_at - timedelta(days=7))
    documents_services.version_approve(
        version=version, approved_by=approver, effective_from=timezone.localdate(effective_at), at=effective_at
    )
    return document


@transaction.atomic
def processes_demo_load(*, now: datetime | None = None) -> int:
    """Create the demo's processes, risks and documents; returns how many processes were added (0 the second time)."""
    now = now or timezone.now()
    if Process.objects.filter(code__in=[code for code, *_ in PROCESSES]).exists():
        return 0
    quality = _person(QUALITY)
    processes: dict[str, Process] = {}
    for code, name, owner_email, service_codes, purpose in PROCESSES:
        processes[code] = processes_services.process_create(
            created_by=quality,
            code=code,
            name=name,
            owner=_person(owner_email),
            purpose=purpose,
            services=list(Service.objects.filter(code__in=service_codes)),
            at=now - timedelta(days=400),
        )
    for process_code, kind, description, likelihood, impact, treatment, risk_owner in RISKS:
        process = processes[process_code]
        processes_services.risk_record(
            process=process,
            recorded_by=process.owner,
            kind=kind,
            description=description,
            likelihood=likelihood,
            impact=impact,
            treatment=treatment,
            owner=_person(risk_owner) if risk_owner else process.owner,
            review_on=timezone.localdate(now) + timedelta(days=90),
            at=now - timedelta(days=380),
        )

    # The common procurement manual: v1 approved by the quality focal point, v2 by the facility manager.
    procurement = _person("procurement@facility.demo")
    manual = _effective_document(
        code=MANUAL_CODE,
        title=MANUAL_TITLE,
        process=processes["PRC-RFQ"],
        author=procurement,
        approver=quality,
        concerns=[Role.PROCUREMENT_AGENT, Role.CONTRACTS_COMMITTEE],
        review_months=12,
        text=MANUAL_V1,
        effective_at=now - timedelta(days=300),
    )
    documents_services.version_acknowledge(
        version=manual.versions.get(number=1), user=procurement, at=now - timedelta(days=298)
    )
    v2_at = now - timedelta(days=35)
    v2 = documents_services.version_draft(document=manual, drafted_by=procurement, at=v2_at - timedelta(days=20))
    documents_services.version_update(
        version=v2,
        updated_by=procurement,
        text=MANUAL_V2,
        change_summary=MANUAL_V2_CHANGES,
        at=v2_at - timedelta(days=18),
    )
    documents_services.version_submit(version=v2, submitted_by=procurement, at=v2_at - timedelta(days=14))
    documents_services.version_approve(
        version=v2, approved_by=_person(MANAGER), effective_from=timezone.localdate(v2_at), at=v2_at
    )
    documents_services.version_acknowledge(
        version=v2, user=_person("procurement2@facility.demo"), at=v2_at + timedelta(days=3)
    )
    processes_services.process_update(
        process=processes["PRC-RFQ"],
        updated_by=quality,
        name=processes["PRC-RFQ"].name,
        owner=procurement,
        purpose=processes["PRC-RFQ"].purpose,
        services=list(processes["PRC-RFQ"].services.all()),
        procedure=manual,
        at=v2_at,
    )

    for (
        code,
        title,
        process_code,
        author_email,
        approver_email,
        months_ago,
        review_months,
        concerns,
        text,
    ) in PROCEDURES:
        process = processes[process_code]
        author = _person(author_email)
        if approver_email is None:  # left in review, waiting for an approver
            document = documents_services.document_create(
                created_by=author,
                code=code,
                title=title,
                owner=author,
                process=process,
                concerns_roles=concerns,
                review_months=review_months,
                text=text,
                change_summary="First issue.",
                at=now - timedelta(days=6),
            )
            documents_services.version_submit(
                version=document.versions.get(number=1), submitted_by=author, at=now - timedelta(days=4)
            )
        else:
            document = _effective_document(
                code=code,
                title=title,
                process=process,
                author=author,
                approver=_person(approver_email),
                concerns=concerns,
                review_months=review_months,
                text=text,
                effective_at=now - timedelta(days=30 * (months_ago or 0)),
            )
        processes_services.process_update(
            process=process,
            updated_by=quality,
            name=process.name,
            owner=process.owner,
            purpose=process.purpose,
            services=list(process.services.all()),
            procedure=document,
            at=now - timedelta(days=3),
        )
    return len(processes)
