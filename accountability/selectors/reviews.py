"""Reading management reviews, and compiling a review pack: every input of ISO 9001:2015 clause 9.3.2.

`pack_compile(period_from, period_to, at)` reads the platform's own records for
the period and returns plain JSON (figures and rows, no translated text): the
pack is frozen when the review is held, and whoever reads it later reads it in
their own language, because headings, figure names and column names are
translated when it is shown (`pack_sections`), never stored.

The sections, in the order of clause 9.3.2:

a) status of actions from previous management reviews;
b) changes in external and internal issues (agreements, change requests, price
   lists and cost-sharing keys that took effect in the period);
c) performance and effectiveness: 1) customer satisfaction and feedback,
   2) quality objectives, 3) process performance and conformity of services,
   4) nonconformities and corrective actions, 5) monitoring and measurement,
   6) audit results, 7) external providers;
d) adequacy of resources (volume per module against the period before);
e) effectiveness of actions taken on risks and opportunities;
f) opportunities for improvement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from billing.models import CostSharingKey, Invoice, InvoiceStatus, PriceListVersion, SharingMethod
from ledger.models import Holder, LedgerEntry, SlaBreach
from quality.models import (
    Audit,
    AuditFinding,
    AuditStatus,
    CorrectiveAction,
    Feedback,
    FindingKind,
    Nonconformity,
    NonconformitySource,
    NonconformityStatus,
    Process,
    QualityEvent,
    Risk,
    RiskKind,
    Suggestion,
    SuggestionStatus,
)
from service_levels.models import Agreement, Module, Service
from sourcing.models import VendorRating
from tenants.models import Agency

from ..models import (
    AgreementChangeRequest,
    ChangeStatus,
    Comparison,
    ManagementReview,
    OutputKind,
    OutputStatus,
    ReviewOutput,
    ReviewStatus,
)
from .objectives import objectives_status
from .scorecards import cells, months_between, process_scorecard, totals, totals_by

PACK_VERSION = 1

# (key, clause, heading): the pack's sections in the order of clause 9.3.2.
SECTIONS: list[tuple[str, str, Promise]] = [
    ("previous_actions", "9.3.2 a)", _("Status of actions from previous management reviews")),
    ("changes", "9.3.2 b)", _("Changes in external and internal issues")),
    ("satisfaction", "9.3.2 c) 1)", _("Customer satisfaction and feedback")),
    ("objectives", "9.3.2 c) 2)", _("Extent to which quality objectives have been met")),
    ("process_performance", "9.3.2 c) 3)", _("Process performance and conformity of services")),
    ("nonconformities", "9.3.2 c) 4)", _("Nonconformities and corrective actions")),
    ("monitoring", "9.3.2 c) 5)", _("Monitoring and measurement results")),
    ("audits", "9.3.2 c) 6)", _("Audit results")),
    ("external_providers", "9.3.2 c) 7)", _("Performance of external providers")),
    ("resources", "9.3.2 d)", _("Adequacy of resources")),
    ("risks", "9.3.2 e)", _("Effectiveness of actions taken to address risks and opportunities")),
    ("improvement", "9.3.2 f)", _("Opportunities for improvement")),
]
SECTION_KEYS = [key for key, _clause, _heading in SECTIONS]

# What each figure is, as people read it.
FIGURES: dict[str, Promise] = {
    "actions": _("actions of earlier reviews"),
    "open": _("open"),
    "done": _("done"),
    "dropped": _("dropped"),
    "overdue": _("overdue"),
    "agreements": _("agreement versions in force from the period"),
    "change_requests": _("agreement change requests"),
    "price_lists": _("price list versions"),
    "sharing_keys": _("cost-sharing keys"),
    "ratings": _("ratings"),
    "average": _("average rating (1 to 5)"),
    "comments": _("comments"),
    "complaints": _("complaints"),
    "objectives": _("objectives"),
    "met": _("met"),
    "missed": _("missed"),
    "not_evaluated": _("not evaluated"),
    "processes": _("processes"),
    "delivered": _("requests delivered"),
    "within_target": _("within target"),
    "breached": _("breached"),
    "compliance": _("SLA compliance (%)"),
    "raised": _("raised"),
    "closed": _("closed"),
    "reopened": _("reopened"),
    "open_now": _("open now"),
    "actions_open": _("open corrective actions"),
    "actions_overdue": _("overdue corrective actions"),
    "breaches_facility": _("breaches held by the facility"),
    "breaches_other": _("breaches held by the requester or a supplier"),
    "credits": _("service credits (USD)"),
    "audits": _("audits completed"),
    "conformity": _("conformities"),
    "observation": _("observations"),
    "minor": _("minor nonconformities"),
    "major": _("major nonconformities"),
    "vendors": _("vendors rated"),
    "vendor_ratings": _("deliveries rated"),
    "on_time": _("delivered on time (%)"),
    "opened": _("requests opened"),
    "opened_before": _("requests opened in the period before"),
    "change": _("change (%)"),
    "risks": _("risks"),
    "opportunities": _("opportunities"),
    "high_risks": _("risks scored 15 or more"),
    "linked_nonconformities": _("nonconformities of the processes"),
    "submitted": _("suggestions made"),
    "accepted": _("accepted"),
    "implemented": _("implemented"),
}

# Each table: its caption and its columns (key, heading, kind). Kinds: text, number, date, nonconformity (a
# reference linked to its page on the portal), review (a review's reference, linked).
TABLES: dict[str, tuple[Promise, list[tuple[str, Promise, str]]]] = {
    "previous_actions": (
        _("Actions of earlier reviews"),
        [
            ("review", _("Review"), "review"),
            ("text", _("Action"), "text"),
            ("owner", _("Owner"), "text"),
            ("due_on", _("Due on"), "date"),
            ("status", _("Status"), "output_status"),
            ("overdue", _("Overdue"), "yes_no"),
        ],
    ),
    "agreements": (
        _("Agreement versions in force from the period"),
        [
            ("agency", _("Agency"), "text"),
            ("reference", _("Agreement"), "text"),
            ("valid_from", _("From"), "date"),
            ("credits", _("Grants service credits"), "yes_no"),
        ],
    ),
    "change_requests": (
        _("Agreement change requests"),
        [
            ("reference", _("Reference"), "text"),
            ("agency", _("Agency"), "text"),
            ("summary", _("Summary"), "text"),
            ("status", _("Status"), "change_status"),
            ("effective_from", _("From"), "date"),
        ],
    ),
    "price_lists": (
        _("Price list versions and cost-sharing keys"),
        [
            ("what", _("What"), "change_kind"),
            ("effective_from", _("From"), "date"),
            ("detail", _("Detail"), "sharing_method"),
        ],
    ),
    "satisfaction_by_service": (
        _("Ratings per service"),
        [
            ("service", _("Service"), "text"),
            ("ratings", _("Ratings"), "number"),
            ("average", _("Average"), "number"),
        ],
    ),
    "comments": (
        _("Requesters' comments"),
        [
            ("at", _("Answered"), "date"),
            ("agency", _("Agency"), "text"),
            ("service", _("Service"), "text"),
            ("rating", _("Rating"), "number"),
            ("comment", _("Comment"), "text"),
        ],
    ),
    "complaints": (
        _("Complaints"),
        [
            ("nonconformity", _("Nonconformity"), "nonconformity"),
            ("title", _("Title"), "text"),
            ("agency", _("Agency"), "text"),
            ("status", _("Status"), "nc_status"),
        ],
    ),
    "objectives": (
        _("Quality objectives"),
        [
            ("reference", _("Reference"), "text"),
            ("title", _("Objective"), "text"),
            ("comparison", _("Comparison"), "comparison"),
            ("target", _("Target"), "text"),
            ("period_start", _("Period from"), "date"),
            ("period_end", _("Period to"), "date"),
            ("measured", _("Measured"), "text"),
            ("result", _("Result"), "objective_result"),
        ],
    ),
    "processes": (
        _("Processes"),
        [
            ("process", _("Process"), "text"),
            ("delivered", _("Delivered"), "number"),
            ("breached", _("Breached"), "number"),
            ("compliance", _("Compliance (%)"), "number"),
            ("average", _("Average rating"), "number"),
            ("nonconformities", _("Nonconformities"), "number"),
        ],
    ),
    "services": (
        _("SLA compliance per service"),
        [
            ("service", _("Service"), "text"),
            ("delivered", _("Delivered"), "number"),
            ("met", _("Within target"), "number"),
            ("breached", _("Breached"), "number"),
            ("compliance", _("Compliance (%)"), "number"),
        ],
    ),
    "nonconformities": (
        _("Nonconformities of the period"),
        [
            ("nonconformity", _("Nonconformity"), "nonconformity"),
            ("title", _("Title"), "text"),
            ("source", _("Source"), "nc_source"),
            ("agency", _("Agency"), "text"),
            ("service", _("Service"), "text"),
            ("status", _("Status"), "nc_status"),
            ("actions_open", _("Open actions"), "number"),
        ],
    ),
    "agencies": (
        _("Scorecards per agency"),
        [
            ("agency", _("Agency"), "text"),
            ("delivered", _("Delivered"), "number"),
            ("breached", _("Breached"), "number"),
            ("compliance", _("Compliance (%)"), "number"),
            ("credits", _("Service credits (USD)"), "number"),
        ],
    ),
    "audits": (
        _("Audits completed"),
        [
            ("reference", _("Audit"), "text"),
            ("process", _("Process"), "text"),
            ("completed", _("Completed"), "date"),
            ("minor", _("Minor"), "number"),
            ("major", _("Major"), "number"),
            ("observation", _("Observations"), "number"),
            ("summary", _("Conclusion"), "text"),
        ],
    ),
    "vendors": (
        _("Vendors rated in the period"),
        [
            ("vendor", _("Vendor"), "text"),
            ("ratings", _("Deliveries rated"), "number"),
            ("quality", _("Quality (1 to 5)"), "number"),
            ("compliance", _("Compliance (1 to 5)"), "number"),
            ("on_time", _("On time (%)"), "number"),
        ],
    ),
    "volumes": (
        _("Volume per module"),
        [
            ("module", _("Module"), "module"),
            ("opened", _("This period"), "number"),
            ("opened_before", _("Period before"), "number"),
            ("change", _("Change (%)"), "number"),
        ],
    ),
    "volumes_by_month": (
        _("Requests opened per month"),
        [
            ("month", _("Month"), "month"),
            ("module", _("Module"), "module"),
            ("opened", _("Opened"), "number"),
        ],
    ),
    "risks": (
        _("Risk register"),
        [
            ("process", _("Process"), "text"),
            ("kind", _("Kind"), "risk_kind"),
            ("description", _("Description"), "text"),
            ("score", _("Score"), "number"),
            ("treatment", _("Treatment"), "text"),
            ("nonconformities", _("Nonconformities of the process"), "number"),
        ],
    ),
    "suggestions": (
        _("Improvements accepted or implemented"),
        [
            ("reference", _("Suggestion"), "text"),
            ("title", _("Title"), "text"),
            ("process", _("Process"), "text"),
            ("status", _("Status"), "suggestion_status"),
        ],
    ),
}

HIGH_RISK_SCORE = 15

# Stored codes as people read them, per column kind.
OBJECTIVE_RESULTS = {"met": _("Met"), "missed": _("Missed"), "not_evaluated": _("Not evaluated")}
CHANGE_KINDS = {"price_list": _("Price list"), "sharing_key": _("Cost-sharing key")}
CODE_LABELS: dict[str, dict[Any, Any]] = {
    "output_status": dict(OutputStatus.choices),
    "change_status": dict(ChangeStatus.choices),
    "nc_status": dict(NonconformityStatus.choices),
    "nc_source": dict(NonconformitySource.choices),
    "module": dict(Module.choices),
    "risk_kind": dict(RiskKind.choices),
    "suggestion_status": dict(SuggestionStatus.choices),
    "objective_result": OBJECTIVE_RESULTS,
    "comparison": dict(Comparison.choices),
    "change_kind": CHANGE_KINDS,
    "sharing_method": dict(SharingMethod.choices),
    "yes_no": {True: _("yes"), False: _("no")},
}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _percent(part: int | Decimal, whole: int | Decimal) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _average(value: Any) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _person(user: Any) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return _day_start(self.first)

    @property
    def end(self) -> datetime:
        """The instant after the last day (exclusive)."""
        return _day_start(self.last + timedelta(days=1))

    @property
    def first_month(self) -> date:
        return self.first.replace(day=1)

    def before(self) -> Period:
        """The period of the same length just before this one."""
        last = self.first - timedelta(days=1)
        return Period(first=last - (self.last - self.first), last=last)


# -- the nonconformities a review discusses ------------------------------------------------------------


def period_nonconformities(*, period_from: date, period_to: date) -> QuerySet[Nonconformity]:
    """The nonconformities of a period: raised in it, raised before it and still open during it, or about a month
    of it (an automatic one names the month of its breaches, whenever the beat opened it)."""
    period = Period(first=period_from, last=period_to)
    during = Q(raised_at__lt=period.end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=period.start))
    about = Q(month__gte=period.first_month, month__lte=period.last)
    return Nonconformity.objects.filter(during | about)


# -- the sections --------------------------------------------------------------------------------------


def _previous_actions(period: Period, *, today: date, before: date) -> dict[str, Any]:
    """a) Actions of reviews held before this one's meeting: open, done, dropped, overdue."""
    outputs = (
        ReviewOutput.objects.filter(kind=OutputKind.ACTION, review__meeting_on__lt=before)
        .exclude(review__status=ReviewStatus.PLANNED)
        .select_related("review", "owner")
        .order_by("review__meeting_on", "pk")
    )
    rows = []
    counts = {"open": 0, "done": 0, "dropped": 0, "overdue": 0}
    for output in outputs:
        overdue = output.status == OutputStatus.OPEN and output.due_on is not None and output.due_on < today
        counts[output.status] += 1
        counts["overdue"] += int(overdue)
        rows.append(
            {
                "review": output.review.reference,
                "text": output.text,
                "owner": _person(output.owner),
                "due_on": output.due_on.isoformat() if output.due_on else None,
                "status": output.status,
                "overdue": overdue,
            }
        )
    return {"figures": {"actions": len(rows), **counts}, "tables": {"previous_actions": rows}}


def _changes(period: Period) -> dict[str, Any]:
    """b) What changed: agreement versions from the period, change requests, price lists and sharing keys."""
    agreements = (
        Agreement.objects.filter(valid_from__gte=period.first, valid_from__lte=period.last)
        .select_related("agency")
        .order_by("valid_from", "agency__code")
    )
    requests = (
        AgreementChangeRequest.objects.filter(requested_at__lt=period.end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.start))
        .filter(Q(requested_at__gte=period.start) | ~Q(status__in=["approved", "rejected", "withdrawn"]))
        .select_related("agency")
        .order_by("requested_at", "pk")
    )
    prices = PriceListVersion.objects.filter(effective_from__gte=period.first, effective_from__lte=period.last)
    keys = CostSharingKey.objects.filter(effective_from__gte=period.first, effective_from__lte=period.last)
    price_rows = [
        {"what": "price_list", "effective_from": version.effective_from.isoformat(), "detail": version.notes}
        for version in prices.order_by("effective_from")
    ] + [
        {"what": "sharing_key", "effective_from": key.effective_from.isoformat(), "detail": key.method}
        for key in keys.order_by("effective_from")
    ]
    return {
        "figures": {
            "agreements": agreements.count(),
            "change_requests": requests.count(),
            "price_lists": prices.count(),
            "sharing_keys": keys.count(),
        },
        "tables": {
            "agreements": [
                {
                    "agency": agreement.agency.code,
                    "reference": agreement.reference,
                    "valid_from": agreement.valid_from.isoformat(),
                    "credits": agreement.grants_service_credits,
                }
                for agreement in agreements
            ],
            "change_requests": [
                {
                    "reference": request.reference,
                    "agency": request.agency.code,
                    "summary": request.summary,
                    "status": request.status,
                    "effective_from": request.effective_from.isoformat(),
                }
                for request in requests
            ],
            "price_lists": price_rows,
        },
    }


def _satisfaction(period: Period) -> dict[str, Any]:
    """c) 1) Ratings per service (the ledger's), the requesters' comments, and complaints raised in the period."""
    rated = LedgerEntry.objects.filter(
        rated_at__gte=period.start, rated_at__lt=period.end, satisfaction__isnull=False
    ).order_by()
    per_service = rated.values("service__code").annotate(ratings=Count("pk"), average=Avg("satisfaction"))
    overall = rated.aggregate(ratings=Count("pk"), average=Avg("satisfaction"))
    comments = (
        Feedback.objects.filter(at__gte=period.start, at__lt=period.end)
        .exclude(comment="")
        .select_related("agency", "service")
        .order_by("-at", "-pk")
    )
    complaints = (
        Nonconformity.objects.filter(
            source=NonconformitySource.COMPLAINT, raised_at__gte=period.start, raised_at__lt=period.end
        )
        .select_related("agency")
        .order_by("raised_at", "pk")
    )
    return {
        "figures": {
            "ratings": overall["ratings"],
            "average": _average(overall["average"]),
            "comments": comments.count(),
            "complaints": complaints.count(),
        },
        "tables": {
            "satisfaction_by_service": [
                {"service": row["service__code"], "ratings": row["ratings"], "average": _average(row["average"])}
                for row in sorted(per_service, key=lambda row: row["service__code"])
            ],
            "comments": [
                {
                    "at": timezone.localdate(feedback.at).isoformat(),
                    "agency": feedback.agency.code,
                    "service": feedback.service.code,
                    "rating": feedback.rating,
                    "comment": feedback.comment,
                }
                for feedback in comments[:50]
            ],
            "complaints": [
                {
                    "nonconformity": nc.reference,
                    "title": nc.title,
                    "agency": nc.agency.code if nc.agency else "",
                    "status": nc.status,
                }
                for nc in complaints
            ],
        },
    }


def _objectives(period: Period) -> dict[str, Any]:
    """c) 2) Each active quality objective: its last period complete by the review's last day, met or missed.

    From the scorecards helper's evaluation (`selectors.objectives.objectives_status`);
    an objective with no complete period yet shows its current period so far.
    """
    rows = []
    counts = {"met": 0, "missed": 0, "not_evaluated": 0}
    # The day after the review's last day: a period ending on it is complete.
    for status in objectives_status(until=period.last + timedelta(days=1)):
        objective = status.objective
        result = status.last or status.current
        met = result.met if result is not None else None
        outcome = "not_evaluated" if met is None else ("met" if met else "missed")
        counts[outcome] += 1
        rows.append(
            {
                "reference": objective.reference,
                "title": objective.title,
                "comparison": objective.comparison,
                "target": str(objective.target),
                "period_start": result.period_start.isoformat() if result is not None else None,
                "period_end": result.period_end.isoformat() if result is not None else None,
                "complete": bool(result is not None and result.complete),
                "measured": "; ".join(
                    f"{line.agency.code if line.agency else ''} {'—' if line.figure is None else line.figure}".strip()
                    for line in (result.lines if result is not None else [])
                ),
                "result": outcome,
            }
        )
    return {"figures": {"objectives": len(rows), **counts}, "tables": {"objectives": rows}}


def _months(period: Period) -> list[date]:
    return months_between(first=period.first_month, last=period.last)


def _process_performance(period: Period, nonconformities: QuerySet[Nonconformity]) -> dict[str, Any]:
    """c) 3) Each process by its scorecard (`process_scorecard`); SLA compliance per service from the cells."""
    months = _months(period)
    nc_per_process = dict(
        nonconformities.exclude(process=None).values_list("process_id").annotate(n=Count("pk")).order_by()
    )
    processes = []
    for process in Process.objects.filter(active=True).order_by("code"):
        card = process_scorecard(process=process, months=months)
        processes.append(
            {
                "process": card.process_code,
                "delivered": card.total.delivered,
                "breached": card.total.breached,
                "compliance": _text_or_none(card.total.compliance),
                "average": _text_or_none(card.total.satisfaction),
                "nonconformities": nc_per_process.get(process.pk, 0),
            }
        )
    found = cells(scope=None, months=months)
    codes: dict[object, str] = dict(Service.objects.values_list("pk", "code"))
    per_service = totals_by(found, key="service_id")
    services = [
        {
            "service": codes.get(service_id, "?"),
            "delivered": figures.delivered,
            "met": figures.met,
            "breached": figures.breached,
            "compliance": _text_or_none(figures.compliance),
        }
        for service_id, figures in sorted(per_service.items(), key=lambda item: codes.get(item[0], ""))
    ]
    overall = totals(found)
    return {
        "figures": {
            "processes": len(processes),
            "delivered": overall.delivered,
            "within_target": overall.met,
            "breached": overall.breached,
            "compliance": _text_or_none(overall.compliance),
        },
        "tables": {"processes": processes, "services": services},
    }


def _nonconformities(period: Period, nonconformities: QuerySet[Nonconformity], *, today: date) -> dict[str, Any]:
    """c) 4) Raised, closed and reopened in the period; the period's list; corrective actions open and overdue."""
    raised = Nonconformity.objects.filter(raised_at__gte=period.start, raised_at__lt=period.end).count()
    closed = Nonconformity.objects.filter(closed_at__gte=period.start, closed_at__lt=period.end).count()
    reopened = (
        QualityEvent.objects.filter(action="reopened", at__gte=period.start, at__lt=period.end)
        .values("nonconformity_id")
        .distinct()
        .count()
    )
    open_actions = CorrectiveAction.objects.filter(done_at=None).exclude(
        nonconformity__status=NonconformityStatus.CLOSED
    )
    listed = (
        nonconformities.select_related("agency", "service")
        .annotate(open_actions=Count("actions", filter=Q(actions__done_at=None)))
        .order_by("raised_at", "pk")
    )
    return {
        "figures": {
            "raised": raised,
            "closed": closed,
            "reopened": reopened,
            "open_now": Nonconformity.objects.exclude(status=NonconformityStatus.CLOSED).count(),
            "actions_open": open_actions.count(),
            "actions_overdue": open_actions.filter(due_on__lt=today).count(),
        },
        "tables": {
            "nonconformities": [
                {
                    "nonconformity": nc.reference,
                    "title": nc.title,
                    "source": nc.source,
                    "agency": nc.agency.code if nc.agency else "",
                    "service": nc.service.code if nc.service else "",
                    "status": nc.status,
                    "actions_open": nc.open_actions,  # type: ignore[attr-defined]
                }
                for nc in listed
            ]
        },
    }


def _monitoring(period: Period) -> dict[str, Any]:
    """c) 5) Scorecard totals per agency, breaches recorded in the period, service credits on issued invoices."""
    found = cells(scope=None, months=_months(period))
    codes: dict[object, str] = dict(Agency.objects.values_list("pk", "code"))
    per_agency = totals_by(found, key="agency_id")
    breaches = SlaBreach.objects.filter(due_at__gte=period.start, due_at__lt=period.end)
    # The invoices' own credit totals (zero or negative: what was taken off), issued or paid, of the period's months.
    credits = Invoice.objects.filter(
        month__gte=period.first_month,
        month__lte=period.last,
        status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PAID],
    ).aggregate(total=Sum("credits_total"))["total"]
    agencies = [
        {
            "agency": codes.get(agency_id, "?"),
            "delivered": figures.delivered,
            "breached": figures.breached,
            "compliance": _text_or_none(figures.compliance),
            "credits": str(figures.credits),
        }
        for agency_id, figures in sorted(per_agency.items(), key=lambda item: codes.get(item[0], ""))
    ]
    return {
        "figures": {
            "delivered": totals(found).delivered,
            "breaches_facility": breaches.filter(held_by=Holder.FACILITY).count(),
            "breaches_other": breaches.exclude(held_by=Holder.FACILITY).count(),
            "credits": str(-(credits or Decimal("0.00"))),
        },
        "tables": {"agencies": agencies},
    }


def _audits(period: Period) -> dict[str, Any]:
    """c) 6) Internal audits completed in the period, with their findings by kind."""
    audits = (
        Audit.objects.filter(status=AuditStatus.COMPLETED, completed_at__gte=period.start, completed_at__lt=period.end)
        .select_related("process")
        .annotate(
            minor=Count("findings", filter=Q(findings__kind=FindingKind.MINOR)),
            major=Count("findings", filter=Q(findings__kind=FindingKind.MAJOR)),
            observation=Count("findings", filter=Q(findings__kind=FindingKind.OBSERVATION)),
        )
        .order_by("completed_at", "pk")
    )
    findings = AuditFinding.objects.filter(audit__in=audits.values("pk")).values("kind").annotate(n=Count("pk"))
    by_kind = {row["kind"]: row["n"] for row in findings.order_by()}
    return {
        "figures": {"audits": audits.count(), **{kind: by_kind.get(kind, 0) for kind in FindingKind.values}},
        "tables": {
            "audits": [
                {
                    "reference": audit.reference,
                    "process": audit.process.code,
                    "completed": timezone.localdate(audit.completed_at).isoformat() if audit.completed_at else None,
                    "minor": audit.minor,  # type: ignore[attr-defined]
                    "major": audit.major,  # type: ignore[attr-defined]
                    "observation": audit.observation,  # type: ignore[attr-defined]
                    "summary": audit.summary[:500],
                }
                for audit in audits
            ]
        },
    }


def _external_providers(period: Period) -> dict[str, Any]:
    """c) 7) Vendor ratings of the period (public records: held supplier invoices stay in the agencies' schemas)."""
    ratings = VendorRating.objects.filter(rated_at__gte=period.start, rated_at__lt=period.end).order_by()
    per_vendor = ratings.values("vendor__legal_name").annotate(
        ratings=Count("pk"),
        quality=Avg("quality"),
        compliance=Avg("compliance"),
        on_time=Count("pk", filter=Q(on_time=True)),
    )
    rows = [
        {
            "vendor": row["vendor__legal_name"],
            "ratings": row["ratings"],
            "quality": _average(row["quality"]),
            "compliance": _average(row["compliance"]),
            "on_time": _percent(row["on_time"], row["ratings"]),
        }
        for row in sorted(per_vendor, key=lambda row: row["vendor__legal_name"])
    ]
    total = sum(row["ratings"] for row in rows)
    return {
        "figures": {
            "vendors": len(rows),
            "vendor_ratings": total,
            "on_time": _percent(ratings.filter(on_time=True).count(), total),
        },
        "tables": {"vendors": rows},
    }


def _resources(period: Period) -> dict[str, Any]:
    """d) Volume per module and month, against the period of the same length just before."""
    before = period.before()

    def opened(p: Period) -> dict[str, int]:
        rows = (
            LedgerEntry.objects.filter(opened_at__gte=p.start, opened_at__lt=p.end)
            .order_by()
            .values("module")
            .annotate(n=Count("pk"))
        )
        return {row["module"]: row["n"] for row in rows}

    now, earlier = opened(period), opened(before)
    by_month = (
        LedgerEntry.objects.filter(opened_at__gte=period.start, opened_at__lt=period.end)
        .annotate(month=TruncMonth("opened_at"))
        .order_by()
        .values("month", "module")
        .annotate(n=Count("pk"))
    )
    volumes = [
        {
            "module": module,
            "opened": now.get(module, 0),
            "opened_before": earlier.get(module, 0),
            "change": _percent(now.get(module, 0) - earlier.get(module, 0), earlier.get(module, 0)),
        }
        for module in Module.values
    ]
    return {
        "figures": {
            "opened": sum(now.values()),
            "opened_before": sum(earlier.values()),
            "change": _percent(sum(now.values()) - sum(earlier.values()), sum(earlier.values())),
        },
        "tables": {
            "volumes": volumes,
            "volumes_by_month": [
                {
                    "month": timezone.localdate(row["month"]).replace(day=1).isoformat(),
                    "module": row["module"],
                    "opened": row["n"],
                }
                for row in sorted(by_month, key=lambda row: (row["month"], row["module"]))
            ],
        },
        "period_before": {"from": before.first.isoformat(), "to": before.last.isoformat()},
    }


def _risks(nonconformities: QuerySet[Nonconformity]) -> dict[str, Any]:
    """e) The risk register by score, each with the nonconformities its process had in the period."""
    nc_per_process = dict(
        nonconformities.exclude(process=None).values_list("process_id").annotate(n=Count("pk")).order_by()
    )
    risks = sorted(
        Risk.objects.filter(process__active=True).select_related("process"),
        key=lambda risk: (-risk.score, risk.process.code, risk.pk),
    )
    rows = [
        {
            "process": risk.process.code,
            "kind": risk.kind,
            "description": risk.description,
            "score": risk.score,
            "treatment": risk.treatment,
            "nonconformities": nc_per_process.get(risk.process_id, 0),
        }
        for risk in risks
    ]
    return {
        "figures": {
            "risks": sum(1 for risk in risks if risk.kind == RiskKind.RISK),
            "opportunities": sum(1 for risk in risks if risk.kind == RiskKind.OPPORTUNITY),
            "high_risks": sum(1 for risk in risks if risk.kind == RiskKind.RISK and risk.score >= HIGH_RISK_SCORE),
            "linked_nonconformities": sum(nc_per_process.values()),
        },
        "tables": {"risks": rows},
    }


def _improvement(period: Period) -> dict[str, Any]:
    """f) Suggestions made in the period, accepted in it, implemented in it."""
    made = Suggestion.objects.filter(submitted_at__gte=period.start, submitted_at__lt=period.end).count()
    accepted = Suggestion.objects.filter(
        decided_at__gte=period.start,
        decided_at__lt=period.end,
        status__in=[SuggestionStatus.ACCEPTED, SuggestionStatus.IMPLEMENTED],
    )
    implemented = Suggestion.objects.filter(implemented_at__gte=period.start, implemented_at__lt=period.end)
    listed = (
        (
            Suggestion.objects.filter(pk__in=accepted.values("pk"))
            | Suggestion.objects.filter(pk__in=implemented.values("pk"))
        )
        .select_related("process")
        .order_by("reference")
    )
    return {
        "figures": {"submitted": made, "accepted": accepted.count(), "implemented": implemented.count()},
        "tables": {
            "suggestions": [
                {
                    "reference": suggestion.reference,
                    "title": suggestion.title,
                    "process": suggestion.process.code,
                    "status": suggestion.status,
                }
                for suggestion in listed
            ]
        },
    }


def pack_compile(*, period_from: date, period_to: date, at: datetime, meeting_on: date | None = None) -> dict[str, Any]:
    """Every clause 9.3.2 input for the period, from the platform's own records, as plain JSON."""
    period = Period(first=period_from, last=period_to)
    today = timezone.localdate(at)
    nonconformities = period_nonconformities(period_from=period_from, period_to=period_to)
    sections = {
        "previous_actions": _previous_actions(period, today=today, before=meeting_on or today),
        "changes": _changes(period),
        "satisfaction": _satisfaction(period),
        "objectives": _objectives(period),
        "process_performance": _process_performance(period, nonconformities),
        "nonconformities": _nonconformities(period, nonconformities, today=today),
        "monitoring": _monitoring(period),
        "audits": _audits(period),
        "external_providers": _external_providers(period),
        "resources": _resources(period),
        "risks": _risks(nonconformities),
        "improvement": _improvement(period),
    }
    return {
        "version": PACK_VERSION,
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
        "compiled_at": at.isoformat(),
        # The inputs in the order of clause 9.3.2 (the database keeps an object's keys in its own order).
        "inputs": [{"key": key, "clause": clause} for key, clause, _heading in SECTIONS],
        "sections": sections,
    }


# -- reading reviews -----------------------------------------------------------------------------------


def review_list(*, status: str | None = None) -> QuerySet[ManagementReview]:
    reviews = ManagementReview.objects.select_related("chair").annotate(
        actions_open=Count("outputs", filter=Q(outputs__kind=OutputKind.ACTION, outputs__status=OutputStatus.OPEN)),
    )
    if status:
        reviews = reviews.filter(status=status)
    return reviews


def review_get(*, reference: str) -> ManagementReview | None:
    if "\x00" in reference:
        return None
    return ManagementReview.objects.select_related("chair", "created_by").filter(reference=reference[:20]).first()


def review_outputs(*, review: ManagementReview) -> QuerySet[ReviewOutput]:
    return review.outputs.select_related("owner", "review").order_by("kind", "pk")


def output_get(*, review: ManagementReview, pk: int) -> ReviewOutput | None:
    return review.outputs.select_related("owner", "review").filter(pk=pk).first()


def review_nonconformities(*, review: ManagementReview) -> QuerySet[Nonconformity]:
    return review.nonconformities.select_related("agency", "service").order_by("raised_at", "pk")


# -- the pack as people read it ---------------------------------------------------------------------------


@dataclass
class Cell:
    value: Any
    kind: str
    label: str = ""  # the column's heading, for the stacked layout on a phone
    url: str = ""


@dataclass
class TableView:
    key: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]]


@dataclass
class SectionView:
    key: str
    clause: str
    heading: str
    figures: list[tuple[str, Any]] = field(default_factory=list)
    tables: list[TableView] = field(default_factory=list)
    missing: bool = False


def _cell_value(value: Any, kind: str) -> Any:
    if kind in CODE_LABELS:
        label = CODE_LABELS[kind].get(value)
        return str(label) if label is not None else value
    if value is None or value == "":
        return None
    if kind in ("date", "month"):
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None
    return value


def pack_sections(*, pack: dict[str, Any], links: bool = True) -> list[SectionView]:
    """The pack's sections in the order of clause 9.3.2, headings and names in the reader's language.

    `links`: references to nonconformities and reviews become links (the
    facility portal's pages); the PDF prints them as text.
    """
    stored = (pack or {}).get("sections") or {}
    views = []
    for key, clause, heading in SECTIONS:
        section = stored.get(key)
        view = SectionView(key=key, clause=clause, heading=str(heading), missing=section is None)
        if section is not None:
            view.figures = [(str(FIGURES.get(name, name)), value) for name, value in section.get("figures", {}).items()]
            for table_key, rows in section.get("tables", {}).items():
                caption, columns = TABLES.get(table_key, (table_key, []))
                cells = []
                for row in rows:
                    line = []
                    for column, column_heading, kind in columns:
                        value = _cell_value(row.get(column), kind)
                        url = ""
                        if links and value and kind == "nonconformity":
                            url = reverse("quality:nonconformity", args=[value])
                        elif links and value and kind == "review":
                            url = reverse("accountability:review", args=[value])
                        line.append(Cell(value=value, kind=kind, label=str(column_heading), url=url))
                    cells.append(line)
                view.tables.append(
                    TableView(
                        key=table_key,
                        caption=str(caption),
                        columns=[str(heading) for _column, heading, _kind in columns],
                        rows=cells,
                    )
                )
        views.append(view)
    return views
