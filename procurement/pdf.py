"""Procurement's printed records as PDF (WeasyPrint), in the look of billing's invoices.

- The purchase order goes to the vendor, so it is written in the vendor's
  language (`PurchaseOrder.vendor_language`, stamped when the order was
  issued), money and dates as that language writes them. Everything on it
  comes from the order row and its lines as issued (an issued order never
  changes), so a PDF rendered again later is the same document; a cancelled
  order prints its cancellation across the top.
- The bid opening record and the evaluation report are read by the facility,
  the agency and auditors: they are rendered in the language active for the
  reader (the request's). The opening record prints what the opening stored
  (`Opening.readout`), never a sealed bid.

Every function runs in the purchase's agency schema; the agency, its billing
address (billing.AgencyBillingProfile) and the facility's legal name and
address (billing's settings) are read from the public schema.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from billing.models import OPERATING_CURRENCY
from billing.pdf import PAGE_COUNTERS, html_to_pdf
from billing.selectors import agency_billing_profile, billing_settings, exchange_rate_for, month_start
from shared_platform.language import in_language_of
from shared_platform.templatetags.platform import money
from tenants.models import Agency
from vendors.models import Vendor

from .models import (
    Bid,
    CommitteeReview,
    ComplianceCheck,
    Envelope,
    Evaluator,
    Opening,
    OrderStatus,
    PurchaseOrder,
    Solicitation,
    TechnicalScore,
)
from .selectors import bids_counting

CENT = Decimal("0.01")


class _Reader:
    """Someone who reads in one language (in_language_of reads `.language`)."""

    def __init__(self, language: str) -> None:
        self.language = language


def _agency() -> Agency:
    """The agency whose schema the connection is in: the buyer of everything printed here."""
    return Agency.objects.get(schema_name=connection.schema_name)  # type: ignore[attr-defined]


def _agency_details(agency: Agency) -> dict[str, Any]:
    profile = agency_billing_profile(agency=agency)
    address, reference = (profile.billing_address, profile.reference) if profile else ("", "")
    return {
        "code": agency.code,
        "name": agency.name,
        "address_lines": [line.strip() for line in address.splitlines() if line.strip()],
        "reference": reference,
    }


def _context(agency: Agency, **values: Any) -> dict[str, Any]:
    return {
        "agency": _agency_details(agency),
        "facility": billing_settings(),
        "facility_name": settings.FACILITY_NAME,
        **PAGE_COUNTERS,
        **values,
    }


def _people(*ids: int | None) -> dict[int, User]:
    return {user.pk: user for user in User.objects.filter(pk__in=[pk for pk in ids if pk is not None])}


# -- the purchase order -------------------------------------------------------------------


def order_html(order: PurchaseOrder) -> str:
    requisition = order.requisition
    people = _people(order.issued_by_id, order.cancelled_by_id)
    previous = None
    if order.revision:
        previous = PurchaseOrder.objects.filter(number=order.number, revision=order.revision - 1).first()
    context = _context(
        _agency(),
        order=order,
        lines=list(order.lines.order_by("position")),
        requisition=requisition,
        vendor=Vendor.objects.filter(pk=order.vendor_id).first(),
        issued_by=people.get(order.issued_by_id),
        cancelled_by=people.get(order.cancelled_by_id) if order.cancelled_by_id else None,
        cancelled=order.status == OrderStatus.CANCELLED,
        previous=previous,
        foreign_currency=order.currency != OPERATING_CURRENCY,
    )
    with in_language_of(_Reader(order.vendor_language)):
        return render_to_string("procurement/pdf/order.html", context)


def order_pdf(order: PurchaseOrder) -> bytes:
    """The purchase order (one revision) as the vendor receives it, in the vendor's language."""
    return html_to_pdf(order_html(order))


# -- the bid opening record ---------------------------------------------------------------


def _received(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def opening_html(opening: Opening) -> str:
    solicitation = opening.solicitation
    people = _people(opening.first_officer_id, opening.second_officer_id)
    scores = dict(Bid.objects.filter(solicitation=solicitation).values_list("pk", "technical_score"))
    rows = []
    for row in opening.readout:
        total = row.get("total")
        rows.append(
            {
                "vendor": row.get("vendor", ""),
                "received_at": _received(row.get("received_at", "")),
                "on_paper": bool(row.get("on_paper")),
                "late": bool(row.get("late")),
                "technical": bool(row.get("technical")),
                "below_minimum": bool(row.get("below_minimum")),
                "technical_score": scores.get(row.get("bid")),
                "currency": row.get("currency", ""),
                "total": Decimal(total) if total is not None else None,
                "total_usd": Decimal(row["total_usd"]) if row.get("total_usd") is not None else None,
            }
        )
    context = _context(
        _agency(),
        opening=opening,
        solicitation=solicitation,
        requisition=solicitation.requisition,
        envelope=Envelope(opening.envelope).label,
        financial=opening.envelope == Envelope.FINANCIAL,
        first_officer=people.get(opening.first_officer_id),
        second_officer=people.get(opening.second_officer_id),
        rows=rows,
        opened_count=sum(1 for row in rows if row["technical"] or row["total"] is not None),
        late_count=sum(1 for row in rows if row["late"]),
    )
    return render_to_string("procurement/pdf/opening.html", context)


def opening_pdf(opening: Opening) -> bytes:
    """The record of one bid opening, as signed by the two officers, in the reader's language."""
    return html_to_pdf(opening_html(opening))


# -- the evaluation report ----------------------------------------------------------------


def _rate_used(solicitation: Solicitation, currency: str) -> Decimal | None:
    """The UN operational rate the bids in `currency` were compared at: the deadline's month (1 USD = rate)."""
    if not currency or currency == OPERATING_CURRENCY:
        return None
    rate = exchange_rate_for(month=month_start(timezone.localtime(solicitation.deadline).date()), currency=currency)
    return rate.rate if rate is not None else None


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal("0")) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def _bid_rows(solicitation: Solicitation, evaluators: list[Evaluator]) -> list[dict[str, Any]]:
    bids = list(bids_counting(solicitation=solicitation))
    working = [evaluator for evaluator in evaluators if not evaluator.has_conflict]
    checks: dict[int, list[ComplianceCheck]] = {}
    for check in ComplianceCheck.objects.filter(bid__in=bids).select_related("evaluator").order_by("evaluator_id"):
        checks.setdefault(check.bid_id, []).append(check)
    scores: dict[tuple[int, int], list[Decimal]] = {}
    for score in TechnicalScore.objects.filter(bid__in=bids, evaluator__in=working):
        scores.setdefault((score.bid_id, score.criterion_id), []).append(score.score)
    criteria = list(solicitation.criteria.all())
    names = {evaluator.pk: evaluator.user_id for evaluator in evaluators}
    people = _people(*names.values())
    rows = []
    for bid in bids:
        rows.append(
            {
                "bid": bid,
                "vendor": bid.invitation.vendor_name,
                "opened": bid.financial_opened_at is not None,
                "rate": _rate_used(solicitation, bid.currency),
                "checks": [
                    {"evaluator": people.get(names.get(check.evaluator_id, 0)), "check": check}
                    for check in checks.get(bid.pk, [])
                ],
                "failures": [check.reason for check in checks.get(bid.pk, []) if not check.passed],
                "criteria": [
                    {"criterion": criterion, "average": _average(scores.get((bid.pk, criterion.pk), []))}
                    for criterion in criteria
                ],
                "recommended": bid.pk == solicitation.recommended_bid_id,
            }
        )
    return rows


def _reasoning(solicitation: Solicitation, rows: list[dict[str, Any]]) -> str:
    """One sentence that says how the recommendation follows from the findings or the scores."""
    recommended = next((row for row in rows if row["recommended"]), None)
    if recommended is None:
        return ""
    bid = recommended["bid"]
    if solicitation.two_envelopes:
        qualified = [row for row in rows if row["bid"].combined_score is not None]
        return gettext(
            "%(vendor)s is recommended: it has the highest combined score, %(combined)s of 100 "
            "(technical %(technical)s × %(technical_weight)s %% + financial %(financial)s), among the "
            "%(qualified)s bids that reached the minimum technical score of %(minimum)s %%."
        ) % {
            "vendor": recommended["vendor"],
            "combined": _number(bid.combined_score),
            "technical": _number(bid.technical_score),
            "technical_weight": solicitation.technical_weight,
            "financial": _number(bid.financial_score),
            "qualified": len(qualified),
            "minimum": _number(solicitation.minimum_technical_score),
        }
    compliant = [row for row in rows if row["bid"].compliant]
    return gettext(
        "%(vendor)s is recommended: of the %(compliant)s compliant bids (out of %(bids)s evaluated), "
        "it has the lowest price compared in US dollars, USD %(usd)s."
    ) % {
        "vendor": recommended["vendor"],
        "compliant": len(compliant),
        "bids": len(rows),
        "usd": _number(bid.total_usd),
    }


def _number(value: Decimal | None) -> str:
    return money(value) if value is not None else "—"


def evaluation_html(solicitation: Solicitation) -> str:
    # As stored: the caller's copy may predate the last step.
    solicitation = Solicitation.objects.select_related("requisition").get(pk=solicitation.pk)
    evaluators = list(solicitation.evaluators.all())
    rows = _bid_rows(solicitation, evaluators)
    people = _people(
        *[evaluator.user_id for evaluator in evaluators],
        *solicitation.committee_reviews.values_list("member_id", flat=True),
    )
    award = getattr(solicitation, "award", None)
    if award is not None:
        people.update(_people(award.awarded_by_id))
    reviews: list[CommitteeReview] = list(solicitation.committee_reviews.all())
    late = list(
        Bid.objects.filter(solicitation=solicitation, late=True).select_related("invitation").order_by("received_at")
    )
    context = _context(
        _agency(),
        solicitation=solicitation,
        requisition=solicitation.requisition,
        rfp=solicitation.two_envelopes,
        evaluators=[{"evaluator": evaluator, "person": people.get(evaluator.user_id)} for evaluator in evaluators],
        rows=rows,
        criteria=list(solicitation.criteria.all()),
        reasoning=_reasoning(solicitation, rows) if solicitation.evaluated_at else "",
        reviews=[{"review": review, "member": people.get(review.member_id)} for review in reviews],
        award=award,
        awarded_by=people.get(award.awarded_by_id) if award is not None else None,
        award_departs=award is not None and award.bid_id != solicitation.recommended_bid_id,
        late=late,
    )
    return render_to_string("procurement/pdf/evaluation.html", context)


def evaluation_pdf(solicitation: Solicitation) -> bytes:
    """The evaluation report: who evaluated, each bid's findings or scores, the recommendation and why,
    the committee's reviews and the award; in the reader's language."""
    return html_to_pdf(evaluation_html(solicitation))
