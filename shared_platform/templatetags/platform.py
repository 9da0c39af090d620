"""Template tags shared by every module's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
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


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], sort: Any, column: str, label: str) -> str:
    """A sortable column's header: a link that sorts by it (again: the other way), keeping the filters."""
    query = context["request"].GET.copy()
    for name in [name for name in query if name.endswith("page")]:
        del query[name]
    current = sort is not None and sort.column == column
    query["sort"] = column if current and sort.descending else f"-{column}" if current else column
    state = ("descending" if sort.descending else "ascending") if current else "none"
    arrow = (" ▼" if sort.descending else " ▲") if current else ""
    return format_html(
        '<th scope="col" aria-sort="{}" class="sortable{}"><a href="?{}">{}{}</a></th>',
        state,
        " sorted" if current else "",
        query.urlencode(),
        label,
        arrow,
    )
