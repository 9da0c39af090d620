"""Template filters for business time and moments, as the reader's language writes them."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from service_levels.models import IMPACT_NAMES, URGENCY_NAMES
from service_levels.selectors import describe_minutes

register = template.Library()
register.filter("business_minutes", describe_minutes)


def _zone_name(moment: datetime) -> str:
    """The zone as people read it: its abbreviation (CET), or UTC and the offset where it has none (UTC-03)."""
    name = moment.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def _moment(value: Any, zone: str, style: str) -> str:
    if not isinstance(value, datetime):
        return date_format(value, style.replace("DATETIME", "DATE")) if isinstance(value, date) else ""
    try:
        tz = zoneinfo.ZoneInfo(zone) if zone else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_current_timezone()
    local = timezone.localtime(value, tz) if timezone.is_aware(value) else value
    return f"{date_format(local, style)} {_zone_name(local)}"


@register.filter(expects_localtime=False)
def when(value: Any, zone: str = "") -> str:
    """A moment in the reader's language with its time zone: `4 mars 2026 11:30 UTC-03`.

    In the given zone (e.g. an agreement calendar's), else the platform's.
    """
    return _moment(value, zone, "DATETIME_FORMAT")


@register.filter(expects_localtime=False)
def when_short(value: Any, zone: str = "") -> str:
    """The same for a table cell: `04/03/2026 11:30 UTC-03`."""
    return _moment(value, zone, "SHORT_DATETIME_FORMAT")


@register.filter
def impact_level(value: str) -> str:
    """An impact level's short name in the reader's language ("high" -> "élevé")."""
    return str(IMPACT_NAMES.get(value, value))


@register.filter
def urgency_level(value: str) -> str:
    """An urgency level's short name in the reader's language ("high" -> "élevée")."""
    return str(URGENCY_NAMES.get(value, value))
