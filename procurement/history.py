"""A purchase's history as people read it: codes stored in event details shown by their names.

Events keep what happened in the platform's codes (a method "rfq", a ledger
status "new → open", a step "sourcing"), which stay stable whatever the
reader's language; the pages show each code's label in the reader's language.
"""

from __future__ import annotations

from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from ledger.models import EntryStatus, EventKind, LedgerEntry
from procurement import services
from procurement.models import CaseEventKind, Method, Requisition

# The history's details an agency reads, on its pages and in its API: its own decisions, the method, the
# buyer's questions, the order, and why a possible split purchase went ahead (its approver's explanation, or
# the buyer's, about the agency's own purchases). Who bid, the evaluators' declarations and the committee's
# comments stay with the facility.
AGENCY_EVENT_DETAILS = frozenset(
    {
        CaseEventKind.REJECTED,
        CaseEventKind.APPROVED,
        CaseEventKind.WAITING,
        CaseEventKind.CANCELLED,
        CaseEventKind.ORDER,
        CaseEventKind.METHOD,
        CaseEventKind.SPLIT,
        CaseEventKind.RECEIPT,
        CaseEventKind.INVOICE,
    }
)

STEP_NAMES = {
    services.STEP_WAITING_BUYER: _("Waiting for a buyer"),
    services.STEP_SOURCING: _("Sourcing"),
    services.STEP_BIDDING: _("Open for bids"),
    services.STEP_EVALUATION: _("Evaluation"),
    services.STEP_COMMITTEE: _("Contracts committee"),
    services.STEP_AWARD: _("Award"),
    services.STEP_ORDER: _("Purchase order"),
}


def _label(choices: type[TextChoices], code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


def _change(choices: type[TextChoices], detail: str) -> str:
    """'a → b: why' with a and b named by their labels."""
    change, separator, why = detail.partition(": ")
    before, arrow, after = change.partition(" → ")
    if not arrow:
        return detail
    return f"{_label(choices, before)} → {_label(choices, after)}{separator}{why}"


def case_event_detail(kind: str, detail: str) -> str:
    if kind == CaseEventKind.APPROVED:
        return _label(Method, detail)
    if kind == CaseEventKind.METHOD:
        return _change(Method, detail)
    return detail


def ledger_event_detail(kind: str, detail: str) -> str:
    if kind == EventKind.STATUS:
        return _change(EntryStatus, detail)
    if kind == EventKind.STEP:
        return str(STEP_NAMES.get(detail, detail))
    return detail


def agency_history(requisition: Requisition) -> list[dict[str, Any]]:
    """The case's events as its agency reads them: every step, with details only of AGENCY_EVENT_DETAILS."""
    return [
        {
            "at": event.at,
            "kind": event.get_kind_display(),
            "actor": event.actor,
            "detail": case_event_detail(event.kind, event.detail) if event.kind in AGENCY_EVENT_DETAILS else "",
        }
        for event in requisition.events.select_related("actor")
    ]


def facility_history(requisition: Requisition, entry: LedgerEntry) -> list[dict[str, Any]]:
    """The purchase's own steps and the ledger's (status, step, clocks), in time order.

    The ledger's assignment is left out: the purchase's "Buyer assigned" says it with the buyer's name.
    """
    rows = [
        {
            "at": event.at,
            "actor": event.actor,
            "what": event.get_kind_display(),
            "detail": case_event_detail(event.kind, event.detail),
        }
        for event in requisition.events.select_related("actor")
    ]
    rows += [
        {
            "at": event.at,
            "actor": event.actor,
            "what": event.get_kind_display(),
            "detail": ledger_event_detail(event.kind, event.detail),
        }
        for event in entry.events.select_related("actor").exclude(kind=EventKind.ASSIGNED)
    ]
    return sorted(rows, key=lambda row: row["at"])
