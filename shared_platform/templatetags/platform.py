"""Template tags shared by every module's pages."""

from __future__ import annotations

from typing import Any

from django import template

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
