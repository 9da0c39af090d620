"""The demo's improvement suggestions: a backlog at every stage, played through the services (clause 10.3).

From agency requesters, approvers and finance of several agencies and from
the facility's own staff, over the last three months: two waiting to be
scored (one by requester@undp.demo, the one the committee scores and
accepts in the walkthrough), two scored and waiting for a decision, two
accepted with their steps half done, two implemented with what was done,
one deferred and one not accepted. The committee is review@facility.demo;
owners are the facility's officers. No e-mail goes out about the past.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from ledger.services import alerts_muted
from tenants.models import Agency

from ..models import Process, Suggestion
from ..services.suggestions import (
    suggestion_decide,
    suggestion_implement,
    suggestion_score,
    suggestion_step_done,
    suggestion_submit,
)

COMMITTEE = "review@facility.demo"


@dataclass(frozen=True)
class DemoSuggestion:
    process: str
    title: str
    description: str
    by: str  # e-mail of the suggester; the agency is read from its domain (facility.demo: the facility's staff)
    days_ago: int
    score: tuple[int, int] | None = None  # impact, effort
    decision: str | None = None
    reason: str = ""
    owner: str = ""
    due_in_days: int = 30  # after the decision
    steps: list[str] = field(default_factory=list)
    steps_done: int = 0
    outcome: str = ""


BACKLOG = [
    DemoSuggestion(
        "PRC-RFQ",
        "Let requesters attach the quotation they already have",
        "When we already hold a quotation from a supplier (often from a previous purchase or a catalogue), "
        "the requisition form has no place for it and the procurement officer asks for it again by e-mail. "
        "An attachment field on the requisition would save a round trip and about two days per request.",
        "requester@undp.demo",
        days_ago=6,
    ),
    DemoSuggestion(
        "ICT-INC",
        "Send the ticket number by SMS",
        "Colleagues in the field often raise an incident by phone and do not see the e-mail with the ticket "
        "number until they are back at a desk. An SMS with the number and the link would let them follow it.",
        "requester@unfpa.demo",
        days_ago=12,
    ),
    DemoSuggestion(
        "TRV-TA",
        "Pre-fill the DSA rate on the travel request",
        "We look up the DSA rate on the ICSC site for every leg and type it in; mistakes are corrected at "
        "settlement. The form could show the rate in force for the destination and the dates.",
        "approver@unesco.demo",
        days_ago=20,
        score=(4, 2),
    ),
    DemoSuggestion(
        "BIL-MON",
        "Show the invoice lines per cost centre",
        "Our finance unit splits each monthly invoice by cost centre by hand. If the requester's cost centre "
        "were carried to the invoice line, the split would come ready.",
        "finance@unwomen.demo",
        days_ago=27,
        score=(3, 3),
    ),
    DemoSuggestion(
        "ICT-INC",
        "Publish a known-issues page during outages",
        "During the e-mail outage in the last quarter we received over forty tickets about the same fault. "
        "A page listing the known issues, linked from the new-ticket form, would spare agencies and the desk.",
        "ict2@facility.demo",
        days_ago=55,
        score=(4, 2),
        decision="accept",
        reason="Cuts duplicate tickets during every major incident at little cost; the ICT unit owns it.",
        owner="ict@facility.demo",
        due_in_days=45,
        steps=[
            "Agree the page's format with the service desk",
            "Add the known-issues list to the portal",
            "Link it from the new-ticket form",
            "Announce it to the agencies' focal points",
        ],
        steps_done=2,
    ),
    DemoSuggestion(
        "PRC-RFQ",
        "Reuse last year's shortlist for repeat purchases",
        "For toner, paper and similar repeat purchases the same three or four suppliers are invited every time. "
        "Starting the request for quotation from last year's shortlist would save the officer's search.",
        "approver@undp.demo",
        days_ago=70,
        score=(3, 2),
        decision="accept",
        reason="Consistent with the procurement manual (rotation still required); quick to do.",
        owner="procurement@facility.demo",
        due_in_days=60,
        steps=["Check the rotation rule with the procurement manual", "Offer the previous shortlist on a new RFQ"],
        steps_done=1,
    ),
    DemoSuggestion(
        "TRV-TA",
        "Remind travellers to claim five days after their return",
        "Many claims arrive weeks late and the advance stays open. An automatic reminder five days after the "
        "return date would close trips sooner.",
        "requester2@undp.demo",
        days_ago=85,
        score=(4, 1),
        decision="accept",
        reason="High value for every agency's finance and almost no effort.",
        owner="travel@facility.demo",
        due_in_days=20,
        steps=["Write the reminder text in the four languages", "Schedule the reminder after the return date"],
        steps_done=2,
        outcome="Travellers now receive a reminder five days after their return; open advances fell by a third.",
    ),
    DemoSuggestion(
        "BIL-MON",
        "Attach the usage report to the monthly invoice e-mail",
        "We download the usage behind each invoice line separately. Having it attached to the invoice e-mail "
        "would make the monthly reconciliation a single step.",
        "finance@unfpa.demo",
        days_ago=80,
        score=(3, 2),
        decision="accept",
        reason="Agencies' finance units asked for it repeatedly; the report already exists.",
        owner="finance@facility.demo",
        due_in_days=25,
        steps=["Add the usage report as an attachment"],
        steps_done=1,
        outcome="The usage report (CSV) is attached to every invoice e-mail since the last billing run.",
    ),
    DemoSuggestion(
        "ICT-INC",
        "A chatbot answering ICT questions at night",
        "Colleagues working late in other time zones wait until morning for simple answers (passwords, VPN).",
        "requester@unops.demo",
        days_ago=60,
        score=(3, 5),
        decision="defer",
        reason="Worth doing once the knowledge base is complete; we will look at it again next quarter.",
    ),
    DemoSuggestion(
        "BIL-MON",
        "Let agencies pay invoices by credit card",
        "Paying by card would be faster than a bank transfer for small amounts.",
        "board@unep.demo",
        days_ago=45,
        score=(1, 4),
        decision="reject",
        reason="UN financial rules require settlement by bank transfer between agencies; card fees would be "
        "charged to every agency through the cost-recovery rate.",
    ),
]


def _agency_of(email: str, agencies: dict[str, Agency]) -> Agency | None:
    domain = email.split("@", 1)[1].removesuffix(".demo").upper()
    return agencies.get(domain)


def suggestions_demo_load(*, now: datetime) -> int:
    """Load the backlog once (nothing if the walkthrough's suggestion is there); the number of suggestions made."""
    if Suggestion.objects.filter(title=BACKLOG[0].title).exists():
        return 0
    processes = {process.code: process for process in Process.objects.all()}
    emails = {item.by for item in BACKLOG} | {item.owner for item in BACKLOG if item.owner} | {COMMITTEE}
    people = {user.email: user for user in User.objects.filter(email__in=emails, is_active=True)}
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    committee = people.get(COMMITTEE)
    made = 0
    with alerts_muted(), transaction.atomic():
        for item in BACKLOG:
            process, suggester = processes.get(item.process), people.get(item.by)
            from_agency = not item.by.endswith("@facility.demo")
            if process is None or suggester is None or (from_agency and _agency_of(item.by, agencies) is None):
                continue  # the demo's processes, people or agencies are not all there: skip what cannot be made
            made += _played(
                item,
                process=process,
                suggester=suggester,
                committee=committee,
                people=people,
                agencies=agencies,
                now=now,
            )
    return made


def _played(
    item: DemoSuggestion,
    *,
    process: Process,
    suggester: User,
    committee: User | None,
    people: dict[str, User],
    agencies: dict[str, Agency],
    now: datetime,
) -> int:
    """One suggestion through its life, each step at its own past instant."""
    at = now - timedelta(days=item.days_ago)
    suggestion = suggestion_submit(
        process=process,
        title=item.title,
        description=item.description,
        suggested_by=suggester,
        agency=_agency_of(item.by, agencies),
        at=at,
    )
    if item.score is None or committee is None:
        return 1
    at += timedelta(days=3)
    suggestion_score(suggestion=suggestion, impact=item.score[0], effort=item.score[1], scored_by=committee, at=at)
    if item.decision is None:
        return 1
    at += timedelta(days=4)
    owner = people.get(item.owner) if item.owner else None
    suggestion_decide(
        suggestion=suggestion,
        decision=item.decision,
        reason=item.reason,
        decided_by=committee,
        owner=owner,
        due_on=timezone.localdate(at) + timedelta(days=item.due_in_days),
        steps=item.steps,
        at=at,
    )
    if owner is None:
        return 1
    for step in list(suggestion.steps.order_by("position"))[: item.steps_done]:
        at += timedelta(days=5)
        suggestion_step_done(step=step, done_by=owner, at=at)
    if item.outcome:
        suggestion_implement(
            suggestion=suggestion, outcome=item.outcome, implemented_by=owner, at=at + timedelta(days=2)
        )
    return 1
