"""The demo's ICT tickets: each agency's last months of tickets, played through the helpdesk's own services.

Called by demo/sla.py for the ICT share of the request history, so the
tickets, their conversations, pauses, resolutions, reopenings and ratings go
through the same rules (and the same clocks) as live ones. No e-mail goes out
about the past (`ledger.services.alerts_muted`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django_tenants.utils import schema_context

from accounts.models import User
from ledger.models import EntryStatus, LedgerEntry
from service_levels.models import Agreement, Category, Metric, Service
from service_levels.selectors import targets_for
from tenants.models import Agency

from . import services
from .models import TicketKind

# (category code, subject, description) per kind of ticket.
SCENARIOS = {
    TicketKind.INCIDENT: [
        (
            "hardware",
            "Laptop does not start",
            "It stays on a black screen after the logo. I tried holding the power button.",
        ),
        (
            "network",
            "VPN drops every few minutes",
            "Working from home, the VPN disconnects every 5 to 10 minutes since Monday.",
        ),
        ("printing", "Printer on 3rd floor jams", "The big printer by the kitchen jams on every second page."),
        ("email", "E-mail not syncing on phone", "Outlook on my phone stopped receiving mail yesterday afternoon."),
        (
            "meetings",
            "Teams calls without audio",
            "Nobody hears me in Teams calls, although the headset works elsewhere.",
        ),
        ("access", "Password locked out", "My account is locked after the password change; I cannot sign in."),
        ("meetings", "Projector in room B not detected", "The laptop does not see the projector in meeting room B."),
        ("network", "Wi-Fi slow in the annex", "Pages take a minute to load on the annex Wi-Fi since this morning."),
        ("access", "No access to shared drive", "The programme shared drive says access denied since the weekend."),
    ],
    TicketKind.SERVICE_REQUEST: [
        (
            "hardware",
            "New staff member: laptop and accounts",
            "A new programme associate starts on the 1st; laptop, e-mail and VPN please.",
        ),
        ("software", "Software install: Power BI", "I need Power BI Desktop for the monthly reporting."),
        ("hardware", "Extra monitor", "Could I have a second monitor for budget work?"),
        ("email", "Mailbox for a project team", "A shared mailbox for the new health project team, for five people."),
        ("access", "Access to the finance system", "Read access to the finance system for the new budget assistant."),
        ("meetings", "Video conference setup for a workshop", "A hybrid workshop on Thursday for 40 people, room A."),
    ],
}
# (impact, urgency) draws: most tickets are P3 or P4, a few P2, rarely P1 (default matrix).
GRAVITY = (
    [("high", "high")]
    + [("medium", "high")] * 3
    + [("medium", "medium")] * 5
    + [("low", "high")] * 3
    + [("low", "medium")] * 3
    + [("low", "low")] * 1
)
FIRST_REPLIES = [
    "Thank you, I am looking into it now.",
    "Received. Can you tell me since when this happens?",
    "I am on it; I will come to your desk within the hour.",
    "Thanks. I have checked your account and am working on it.",
]
WAITING_FOR_REQUESTER = [
    "A photo of the error message",
    "Your availability for a remote session",
    "Your supervisor's approval",
]
REQUESTER_ANSWERS = ["Photo attached above, thanks.", "I am at my desk until 5 pm.", "Approved by my supervisor today."]
WAITING_FOR_SUPPLIER = ["Spare part ordered from the supplier", "Licence being issued by the vendor"]
INTERNAL_NOTES = [
    "Same model as last month's failures; check the warranty.",
    "User already had this twice; consider replacement.",
]
RESOLUTIONS = [
    "Replaced the faulty cable and tested.",
    "Reset the account and confirmed sign-in with the user.",
    "Reinstalled the driver; working now.",
    "Configured and handed over; user confirmed.",
    "Updated the settings remotely and tested with the user.",
]
COMMENTS = {
    5: "Quick and friendly, thank you!",
    4: "Good, solved the same day.",
    3: "OK, took a while.",
    2: "Too slow.",
}


def ticket_play(
    *,
    rng: random.Random,
    later: Callable[[datetime, float], datetime],
    agency: Agency,
    agreement: Agreement,
    service: Service,
    opened: datetime,
    now: datetime,
    requester: User | None,
    agent: User | None,
    fraction: Callable[[], float],
) -> None:
    """One ticket from raising to closing (or as far as it got by now); `later(start, minutes)` is business time."""
    if requester is None or agent is None:
        return
    kind = TicketKind.INCIDENT if service.code == "ICT-INC" else TicketKind.SERVICE_REQUEST
    code, subject, description = rng.choice(SCENARIOS[kind])
    impact, urgency = rng.choice(GRAVITY)
    category = Category.objects.get(module="ict", code=code)
    with schema_context(agency.schema_name):
        ticket = services.ticket_raise(
            agency=agency,
            requester=requester,
            kind=kind,
            category=category,
            impact=impact,
            urgency=urgency,
            subject=subject,
            description=description,
            at=opened,
        )
        entry = LedgerEntry.objects.get(pk=ticket.entry_id)
        targets = targets_for(agreement=agreement, service=service, priority=entry.priority)
        moment = later(opened, rng.uniform(2, 20))
        if moment >= now:
            return
        services.ticket_take(ticket=ticket, agent=agent, at=moment)
        moment = max(moment + timedelta(minutes=1), later(opened, targets[Metric.FIRST_RESPONSE] * fraction()))
        if moment >= now:
            return
        services.ticket_reply(ticket=ticket, author=agent, body=rng.choice(FIRST_REPLIES), at=moment)
        if rng.random() < 0.2:
            services.ticket_reply(
                ticket=ticket,
                author=agent,
                body=rng.choice(INTERNAL_NOTES),
                internal=True,
                at=moment + timedelta(minutes=2),
            )
        used = targets[Metric.RESOLUTION] * fraction()
        done = later(opened, used)
        if rng.random() < 0.3:  # the agent needs something from the requester (or a supplier)
            pause_at = max(moment + timedelta(minutes=5), later(opened, used * rng.uniform(0.2, 0.6)))
            if pause_at >= now:
                return
            on_requester = rng.random() < 0.8
            reason = rng.choice(WAITING_FOR_REQUESTER if on_requester else WAITING_FOR_SUPPLIER)
            services.ticket_pending(
                ticket=ticket,
                actor=agent,
                waiting_on="requester" if on_requester else "supplier",
                reason=reason,
                at=pause_at,
            )
            resume_at = later(pause_at, rng.uniform(60, 9 * 60 * 2))
            if resume_at >= now:
                return
            if on_requester:
                services.ticket_reply(ticket=ticket, author=requester, body=rng.choice(REQUESTER_ANSWERS), at=resume_at)
            else:
                services.ticket_resume(ticket=ticket, actor=agent, at=resume_at)
            done = later(resume_at, used * rng.uniform(0.3, 0.7))
        if done >= now:
            return
        services.ticket_resolve(ticket=ticket, actor=agent, resolution_note=rng.choice(RESOLUTIONS), at=done)
        if rng.random() < 0.05:
            reopened = later(done, rng.uniform(30, 9 * 60))
            if reopened >= now:
                return
            services.ticket_reopen(ticket=ticket, actor=requester, reason="The problem came back.", at=reopened)
            done = later(reopened, rng.uniform(30, 240))
            if done >= now:
                return
            services.ticket_resolve(ticket=ticket, actor=agent, resolution_note="Fixed for good this time.", at=done)
        rated_at = later(done, rng.uniform(10, 9 * 60))
        if rated_at < now and rng.random() < 0.6:
            breached = LedgerEntry.objects.filter(pk=ticket.entry_id, breached=True).exists()
            score = rng.choice([2, 3, 3, 4]) if breached else rng.choice([3, 4, 4, 5, 5, 5])
            services.ticket_rate(ticket=ticket, score=score, comment=COMMENTS.get(score, ""), by=requester, at=rated_at)
        closed = later(done, 9 * 60 * 2)
        if closed < now and LedgerEntry.objects.filter(pk=ticket.entry_id, status=EntryStatus.RESOLVED).exists():
            services.ticket_close(ticket=ticket, actor=requester, at=closed)
