"""The monthly service report as PDF (WeasyPrint), in the agency's language, from the figures frozen on the report.

Everything printed comes from `ServiceReport.figures` (written once by
`services.reports.service_report_write`), so the PDF rendered again later is
the same document; the labels of codes (modules, statuses, kinds of change)
are translated at rendering time into `Agency.language`, whoever asks for it
(PRODUCT.md: an agency reads its invoices, reports and minutes in its language).
The figures page of the report uses the same `report_display`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML

from quality.models import NonconformityStatus
from service_levels.models import Metric, Module
from shared_platform.language import in_language_of

from .models import ServiceReport

PAGE_COUNTERS = {"page_counter": '" counter(page) "', "pages_counter": '" counter(pages) "'}

CHANGE_KINDS = {
    "change_request": _("Change to your agreement (approved by both sides)"),
    "agreement": _("New version of your agreement"),
    "price_list": _("New price list (board decision)"),
    "sharing_key": _("New cost-sharing key (board decision)"),
}


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def _row(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        **figures,
        "compliance": _decimal(figures.get("compliance")),
        "satisfaction": _decimal(figures.get("satisfaction")),
        "usage_billed": _decimal(figures.get("usage_billed")),
        "credits": _decimal(figures.get("credits")),
    }


def report_display(report: ServiceReport) -> dict[str, Any]:
    """The report's figures ready for a template: dates and amounts typed, codes named (in the active language)."""
    figures = report.figures or {}
    billing = figures.get("billing") or {}
    invoice = billing.get("invoice")
    issues = figures.get("open_issues") or {}

    def requests(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**row, "due_at": _moment(row.get("due_at")), "metric_label": _label(Metric, row.get("metric", ""))}
            for row in rows
        ]

    return {
        "month": _date(f"{figures['month']}-01") if figures.get("month") else report.month,
        "written_at": _moment(figures.get("written_at")) or report.created_at,
        "services": [
            {**_row(row), "module_label": _label(Module, row["module"])} for row in figures.get("services", [])
        ],
        "modules": [{**_row(row), "module_label": _label(Module, row["module"])} for row in figures.get("modules", [])],
        "totals": _row(figures.get("totals") or {}),
        "agency_month": {
            **(figures.get("agency_month") or {}),
            "agreement_spend": _decimal((figures.get("agency_month") or {}).get("agreement_spend")),
        },
        "invoice": None
        if not invoice
        else {
            **invoice,
            "issued_on": _date(invoice.get("issued_on")),
            **{key: Decimal(invoice[key]) for key in ("usage_total", "cost_share_total", "credits_total", "total")},
        },
        "credit_notes": [
            {**note, "amount": Decimal(note["amount"]), "issued_on": _date(note["issued_on"])}
            for note in billing.get("credit_notes", [])
        ],
        "overdue": requests(issues.get("overdue", [])),
        "overdue_count": issues.get("overdue_count", 0),
        "at_risk": requests(issues.get("at_risk", [])),
        "at_risk_count": issues.get("at_risk_count", 0),
        "nonconformities": [
            {**row, "status_label": _label(NonconformityStatus, row["status"]), "month": _date(row.get("month"))}
            for row in issues.get("nonconformities", [])
        ],
        "nonconformities_count": issues.get("nonconformities_count", 0),
        "changes": [
            {
                **row,
                "kind_label": str(CHANGE_KINDS.get(row["kind"], row["kind"])),
                "effective_from": _date(row["effective_from"]),
            }
            for row in figures.get("changes", [])
        ],
    }


def service_report_html(*, report: ServiceReport) -> str:
    with in_language_of(report.agency):
        return render_to_string(
            "accountability/reports/pdf/report.html",
            {
                "report": report,
                "agency": report.agency,
                "shown": report_display(report),
                "facility_name": settings.FACILITY_NAME,
                **PAGE_COUNTERS,
            },
        )


def service_report_pdf(*, report: ServiceReport) -> bytes:
    return HTML(string=service_report_html(report=report)).write_pdf()  # type: ignore[no-any-return]
