"""How billing writes a rate of exchange: as the reader's language writes numbers, every decimal it was given."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from shared_platform.templatetags.platform import money

register = template.Library()


@register.filter
def rate(value: Any) -> str:
    """5.392 -> "5.3920" ("5,3920" in French); 5.123456 keeps its six places: a stamped rate is never rounded."""
    if value is None or value == "":
        return ""
    exponent = Decimal(value).normalize().as_tuple().exponent
    places = max(4, -exponent) if isinstance(exponent, int) else 4
    return money(value, places)
