"""The facility's spend reports (facility portal): split purchases and joint-procurement opportunities.

Procurement officers and the facility manager work with them; the auditor
reads them (`sourcing.selectors.spend.may_read_spend_reports`). Agency people
never reach them: the pages exist on the facility portal only, and the
portal refuses agency staff before any view runs.

- `sourcing:split-purchases`: the split-purchase flags recorded at approval
  and order (who explained, why), and a live scan of the last 12 months of
  every agency's purchases for groups (agency, category, vendor) each under
  a threshold that together pass it, naming the purchases.
- `sourcing:joint-procurement`: categories that several agencies bought from
  the market on their own in the last 12 months, with each one's total, and
  the agreements in force that the others could piggyback on.

Both are sortable, paged, and downloadable as CSV with the same filters.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_platform.sorting import Sorts
from shared_platform.templatetags.platform import money

from ..forms.reports import JointReportFilterForm, SplitReportFilterForm
from ..selectors.spend import (
    JointOpportunity,
    SplitGroup,
    flag_rows,
    joint_opportunities,
    may_read_spend_reports,
    split_flag_list,
    split_scan,
    user_label,
    window_start,
)

PAGE_SIZE = 25
# The chart's drawing area, in SVG units (the page scales it to the screen).
CHART_WIDTH = 560
CHART_LABEL_WIDTH = 200
CHART_BAR_SPACE = 260
CHART_ROW = 22
CHART_ROWS = 10
# A spreadsheet runs a cell starting with one of these as a formula; the CSV writes it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def agreement_link(reference: str) -> str:
    """The address of an agreement's page on this address, or "" while no such page exists."""
    try:
        return reverse("sourcing:agreement", kwargs={"reference": reference})
    except NoReverseMatch:
        return ""


def _reader_check(request: HttpRequest) -> None:
    if not request.tenant.is_facility:  # type: ignore[attr-defined]
        raise Http404("The spend reports are on the facility portal.")
    if not may_read_spend_reports(user=request.user, agency=request.tenant):  # type: ignore[attr-defined]
        raise PermissionDenied(_("The spend reports are for the facility's procurement officers, manager and auditor."))


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


def _bars(rows: list[tuple[str, Decimal, str]]) -> dict[str, Any]:
    """Horizontal bars for an SVG drawn by the template (no script, no inline style): (label, value, title)."""
    rows = rows[:CHART_ROWS]
    largest = max((value for _label, value, _title in rows), default=Decimal(0))
    bars = []
    for index, (label, value, title) in enumerate(rows):
        width = int(value * CHART_BAR_SPACE / largest) if largest else 0
        bars.append(
            {
                "label": label,
                "title": title,
                "value": value,
                "y": index * CHART_ROW + 4,
                "text_y": index * CHART_ROW + 17,
                "width": max(width, 1),
                "value_x": CHART_LABEL_WIDTH + max(width, 1) + 6,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": len(bars) * CHART_ROW + 8,
        "bar_x": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 6,
    }


# -- split purchases ---------------------------------------------------------------------------------------------

FLAG_SORTS = Sorts(
    default="-raised",
    param="flag_sort",
    columns={
        "raised": ("raised_at", "pk"),
        "agency": ("agency__code", "raised_at"),
        "requisition": ("requisition_reference", "raised_at"),
        "vendor": ("vendor__legal_name", "raised_at"),
        "category": ("category__name", "raised_at"),
        "total": ("total_usd", "raised_at"),
    },
)
SCAN_SORTS = Sorts(
    default="-last",
    param="scan_sort",
    columns={
        "agency": ("agency_code", "category_name"),
        "category": ("category_name", "agency_code"),
        "vendor": ("vendor_name", "agency_code"),
        "count": ("count", "agency_code"),
        "total": ("total_usd", "agency_code"),
        "last": ("last_on", "agency_code"),
    },
)


def split_purchases_page(request: HttpRequest) -> HttpResponse:
    """Recorded split-purchase flags and the live scan of the last 12 months, across agencies or one."""
    _reader_check(request)
    form = SplitReportFilterForm(request.GET or None)
    agency = form.filters()["agency"]
    today = timezone.localdate()
    export = request.GET.get("export", "")
    if export == "flags":
        return _flags_csv(agency)
    if export == "scan":
        return _scan_csv(agency, today)
    if export:
        return HttpResponseBadRequest(_("Unknown download; use flags or scan."))
    flags, flag_sort = FLAG_SORTS.apply(request, split_flag_list(agency=agency))
    flag_page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("flag_page"))
    groups = split_scan(on=today, agency=agency)
    scan_rows, scan_sort = SCAN_SORTS.apply_list(request, groups)
    per_agency: dict[str, Decimal] = defaultdict(Decimal)
    for group in groups:
        per_agency[group.agency_code] += group.total_usd
    context = {
        "form": form,
        "filtered": agency is not None,
        "flag_page": flag_page,
        "flag_rows": flag_rows(flag_page.object_list),
        "flag_sort": flag_sort,
        "scan_page": Paginator(scan_rows, PAGE_SIZE).get_page(request.GET.get("scan_page")),
        "scan_sort": scan_sort,
        "window_from": window_start(today),
        "today": today,
        "chart": _bars(
            [
                (code, total, f"{code}: {money(total)} USD")
                for code, total in sorted(per_agency.items(), key=lambda item: (-item[1], item[0]))
            ]
        ),
    }
    return render(request, "sourcing/reports/split_purchases.html", context)


def _flags_csv(agency: Any) -> HttpResponse:
    rows = [
        [
            flag.agency.code,
            flag.requisition_reference,
            flag.stage,
            flag.vendor.legal_name,
            flag.category.code,
            flag.method_threshold,
            flag.threshold_usd,
            flag.this_amount_usd,
            flag.total_usd,
            " ".join(
                f"{purchase.order_number}/{purchase.requisition_reference}/{purchase.ordered_on}/{purchase.amount_usd}"
                for purchase in row.purchases
            ),
            flag.explanation,
            user_label(flag.explained_by),
            timezone.localtime(flag.raised_at).isoformat(),
        ]
        for row in flag_rows(split_flag_list(agency=agency))
        for flag in [row.flag]
    ]
    header = [
        "agency",
        "requisition",
        "stage",
        "vendor",
        "category",
        "threshold",
        "threshold_usd",
        "this_purchase_usd",
        "total_usd",
        "earlier_purchases",
        "explanation",
        "explained_by",
        "raised_at",
    ]
    suffix = f"-{agency.code.lower()}" if agency is not None else ""
    return _csv(f"split-purchase-flags{suffix}-{timezone.localdate():%Y-%m-%d}.csv", header, rows)


def _scan_csv(agency: Any, today: Any) -> HttpResponse:
    groups: list[SplitGroup] = split_scan(on=today, agency=agency)
    rows = [
        [
            group.agency_code,
            group.category_name,
            group.vendor_name,
            group.threshold_method,
            group.threshold_usd,
            group.count,
            group.total_usd,
            purchase.order_number,
            purchase.requisition_reference,
            purchase.ordered_on.isoformat(),
            purchase.amount_usd,
        ]
        for group in groups
        for purchase in group.purchases
    ]
    header = [
        "agency",
        "category",
        "vendor",
        "threshold",
        "threshold_usd",
        "purchases",
        "total_usd",
        "order_number",
        "requisition",
        "ordered_on",
        "amount_usd",
    ]
    suffix = f"-{agency.code.lower()}" if agency is not None else ""
    return _csv(f"split-purchase-scan{suffix}-{today:%Y-%m-%d}.csv", header, rows)


# -- joint procurement ---------------------------------------------------------------------------------------------

JOINT_SORTS = Sorts(
    default="-total",
    columns={
        "category": ("category_name",),
        "agencies": ("agency_count", "total_usd"),
        "orders": ("orders", "total_usd"),
        "total": ("total_usd", "category_name"),
    },
)


def joint_procurement_page(request: HttpRequest) -> HttpResponse:
    """Categories several agencies bought from the market alone in 12 months, and the agreements to join."""
    _reader_check(request)
    form = JointReportFilterForm(request.GET or None)
    min_agencies = form.filters()["min_agencies"]
    today = timezone.localdate()
    export = request.GET.get("export", "")
    opportunities = joint_opportunities(on=today, min_agencies=min_agencies)
    if export == "csv":
        return _joint_csv(opportunities, today)
    if export:
        return HttpResponseBadRequest(_("Unknown download; use csv."))
    rows, sort = JOINT_SORTS.apply_list(request, opportunities)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "rows": [
            (opportunity, [(option, agreement_link(option.agreement.reference)) for option in opportunity.agreements])
            for opportunity in page.object_list
        ],
        "window_from": window_start(today),
        "today": today,
        "total": sum((opportunity.total_usd for opportunity in opportunities), Decimal("0.00")),
        "chart": _bars(
            [
                (item.category_name, item.total_usd, f"{item.category_name}: {money(item.total_usd)} USD")
                for item in opportunities
            ]
        ),
    }
    return render(request, "sourcing/reports/joint_procurement.html", context)


def _joint_csv(opportunities: list[JointOpportunity], today: Any) -> HttpResponse:
    rows = []
    for opportunity in opportunities:
        agreements = " ".join(
            f"{option.agreement.reference}({','.join(option.could_join) or '-'})" for option in opportunity.agreements
        )
        for spend in opportunity.agencies:
            rows.append(
                [
                    opportunity.category_code,
                    opportunity.category_name,
                    spend.agency_code,
                    spend.orders,
                    spend.total_usd,
                    opportunity.total_usd,
                    opportunity.agency_count,
                    agreements,
                ]
            )
    header = [
        "category_code",
        "category",
        "agency",
        "orders",
        "agency_total_usd",
        "category_total_usd",
        "agencies",
        "agreements_in_force(could_join)",
    ]
    return _csv(f"joint-procurement-{today:%Y-%m-%d}.csv", header, rows)


pages: list[URLPattern] = [
    path("reports/split-purchases/", split_purchases_page, name="split-purchases"),
    path("reports/joint-procurement/", joint_procurement_page, name="joint-procurement"),
]
