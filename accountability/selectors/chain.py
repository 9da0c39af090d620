"""The traceable chain of one request: from a breach to its credit, nonconformity, scorecard cell and review.

Issue 17: "from a breached request, links to its service credit on the
invoice, the nonconformity it fed, the scorecard cell it counts in and the
management review that discussed it; and back". Every link is a row the
platform already keeps, so the chain is read, never stored:

- the request's breaches (`ledger.SlaBreach`);
- the service-credit lines for it (`billing.InvoiceLine`, kind credit, `entry`)
  on the invoices the reader may see (an agency never sees a draft);
- the nonconformities whose `breaches` hold one of its breaches, or whose
  `rated_entries` hold the request (a low rating);
- the scorecard cell of its agency, service and month of delivery;
- the management reviews whose `nonconformities` include those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from billing.models import InvoiceLine, LineKind
from billing.selectors import invoice_list
from ledger.models import LedgerEntry, SlaBreach
from ledger.selectors import raised_by_or_names
from quality.models import Nonconformity
from tenants.models import Agency

from ..models import ManagementReview, ScorecardCell

LARGEST_ID = 9_223_372_036_854_775_807


@dataclass(frozen=True)
class Chain:
    entry: LedgerEntry
    breaches: list[SlaBreach]
    credit_lines: list[InvoiceLine]
    nonconformities: list[Nonconformity]
    cell_month: date | None
    cell: ScorecardCell | None
    reviews: list[ManagementReview]

    @property
    def cell_key(self) -> tuple[str, str, str] | None:
        """(agency code, service code, "YYYY-MM") of the scorecard cell the request counts in, once delivered."""
        if self.cell_month is None:
            return None
        return (self.entry.agency.code, self.entry.service.code, f"{self.cell_month:%Y-%m}")


def chain_entry_get(*, pk: int, scope: Agency | None, person: object | None = None) -> LedgerEntry | None:
    """The request a chain starts from, if the reader may see it: any agency's (scope None) or the scope's own.

    `person` narrows it to the requests they raised or are named on (the
    ledger's rule for an agency's people who do not see the whole agency).
    """
    if pk < 1 or pk > LARGEST_ID:
        return None
    entries = LedgerEntry.objects.select_related("agency", "service", "agreement")
    if scope is not None:
        entries = entries.filter(agency=scope)
    if person is not None:
        entries = entries.filter(raised_by_or_names(person))  # type: ignore[arg-type]
    return entries.filter(pk=pk).first()


def _month_of_delivery(entry: LedgerEntry) -> date | None:
    if entry.completed_at is None:
        return None
    return timezone.localdate(entry.completed_at).replace(day=1)


def entry_nonconformities(*, entry: LedgerEntry) -> QuerySet[Nonconformity]:
    """The nonconformities a request fed: through one of its breaches, or its rating."""
    breaches = SlaBreach.objects.filter(entry=entry).values("pk")
    return (
        Nonconformity.objects.filter(Q(breaches__in=breaches) | Q(rated_entries=entry))
        .distinct()
        .select_related("agency", "service")
        .order_by("raised_at", "pk")
    )


def request_chain(*, entry: LedgerEntry, scope: Agency | None) -> Chain:
    """Everything a request leads to, as the reader at this address may see it (scope: None = every agency)."""
    breaches = list(SlaBreach.objects.filter(entry=entry).order_by("due_at", "pk"))
    credit_lines = list(
        InvoiceLine.objects.filter(
            entry=entry, kind=LineKind.SERVICE_CREDIT, invoice__in=invoice_list(scope=scope).values("pk")
        )
        .select_related("invoice", "invoice__agency")
        .order_by("invoice__month", "invoice_id", "position")
    )
    nonconformities = list(entry_nonconformities(entry=entry))
    reviews = list(
        ManagementReview.objects.filter(nonconformities__in=[nc.pk for nc in nonconformities])
        .distinct()
        .order_by("meeting_on", "pk")
    )
    month = _month_of_delivery(entry)
    cell = (
        ScorecardCell.objects.filter(month=month, agency_id=entry.agency_id, service_id=entry.service_id).first()
        if month is not None
        else None
    )
    return Chain(
        entry=entry,
        breaches=breaches,
        credit_lines=credit_lines,
        nonconformities=nonconformities,
        cell_month=month,
        cell=cell,
        reviews=reviews,
    )
