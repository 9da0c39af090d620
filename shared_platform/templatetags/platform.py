"""Template tags shared by every module's pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int, param: str = "page") -> str:
    """This page's address with another page number, keeping its filters (a page may page two tables)."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def export_url(context: dict[str, Any], **values: str) -> str:
    """This page's address with its filters and the given parameters (e.g. export=csv), page numbers dropped."""
    query = context["request"].GET.copy()
    for name in [name for name in query if name.endswith("page")]:
        del query[name]
    for name, value in values.items():
        query[name] = value
    return "?" + query.urlencode()


@register.filter
def person(user: Any, nobody: str = "") -> str:
    """A person as people read them: full name, else e-mail.

    Rows the platform writes by itself (a breach found by the clock check, a
    motion closed at its deadline) and rows whose person was removed have no
    one behind them: they read "the platform", or the text given
    (`{{ event.actor|person:"—" }}`).
    """
    if user is None:
        return nobody or gettext("the platform")
    return user.get_full_name() or user.email


@register.filter
def money(amount: Any, places: int = 2) -> str:
    """An amount as the reader's language writes it, grouped: 7,772.07 in English, 7.772,07 in Portuguese."""
    if amount is None or amount == "":
        return ""
    return number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def money_abs(amount: Any, places: int = 2) -> str:
    """An amount without its sign, for sentences that say the direction ("to be recovered: 120.00")."""
    if amount is None or amount == "":
        return ""
    return money(abs(amount), places)


def zone_label(moment: datetime) -> str:
    """A time zone as every language reads it: its abbreviation (CET), else its offset from UTC (UTC-03)."""
    name = moment.tzname() or ""
    if not name or name[0] in "+-":
        name = "UTC" + (name or "")
    return name


def _in_zone(moment: datetime, zone: str) -> datetime:
    try:
        target = ZoneInfo(zone) if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        target = None
    return timezone.localtime(moment, target) if timezone.is_aware(moment) else moment


def _moment_format(moment: datetime | date | None, zone: str, datetime_format: str, date_format_name: str) -> str:
    if moment is None or moment == "":
        return ""
    if not isinstance(moment, datetime):
        return date_format(moment, date_format_name) if isinstance(moment, date) else str(moment)
    local = _in_zone(moment, zone)
    text = date_format(local, datetime_format)
    return f"{text} {zone_label(local)}" if timezone.is_aware(local) else text


@register.filter
def when(moment: datetime | None, zone: str = "") -> str:
    """An instant as the reader's language writes it, with its time zone: "5 de janeiro de 2026 às 14:30 UTC-03".

    Shown in `zone` (a calendar's, e.g. "America/Sao_Paulo") when given, else in the platform's time zone;
    the format is the language's (DATETIME_FORMAT), never a hard-coded English one. A date alone: DATE_FORMAT.
    """
    return _moment_format(moment, zone, "DATETIME_FORMAT", "DATE_FORMAT")


@register.filter
def short_when(moment: datetime | None, zone: str = "") -> str:
    """`when` in the language's short form (05/01/2026 14:30 UTC-03), for narrow table cells."""
    return _moment_format(moment, zone, "SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT")


@register.filter
def month_name(day: date | None) -> str:
    """A month as the language writes it: "January 2026", "janvier 2026", "enero de 2026"."""
    if day is None or day == "":
        return ""
    return date_format(day, "YEAR_MONTH_FORMAT")


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], sort: Any, column: str, label: str, css: str = "") -> str:
    """A sortable column's header: a link that sorts by it (again: the other way), keeping the filters.

    `css` adds classes to the cell (`"numeric"` right-aligns a column of figures)."""
    query = context["request"].GET.copy()
    for name in [name for name in query if name.endswith("page")]:
        del query[name]
    current = sort is not None and sort.column == column
    param = getattr(sort, "param", "sort")
    query[param] = column if current and sort.descending else f"-{column}" if current else column
    state = ("descending" if sort.descending else "ascending") if current else "none"
    arrow = (" ▼" if sort.descending else " ▲") if current else ""
    return format_html(
        '<th scope="col" aria-sort="{}" class="sortable{}"><a href="?{}">{}{}</a></th>',
        state,
        (" sorted" if current else "") + (f" {css}" if css else ""),
        query.urlencode(),
        label,
        arrow,
    )
