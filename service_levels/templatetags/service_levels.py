"""Template filters for business time and service levels, as the reader's language writes them.

Moments (`when`, `short_when`) are shared by every module: `{% load platform %}`."""

from __future__ import annotations

from django import template

from service_levels.models import IMPACT_NAMES, URGENCY_NAMES
from service_levels.selectors import describe_minutes

register = template.Library()
register.filter("business_minutes", describe_minutes)


@register.filter
def impact_level(value: str) -> str:
    """An impact level's short name in the reader's language ("high" -> "élevé")."""
    return str(IMPACT_NAMES.get(value, value))


@register.filter
def urgency_level(value: str) -> str:
    """An urgency level's short name in the reader's language ("high" -> "élevée")."""
    return str(URGENCY_NAMES.get(value, value))
