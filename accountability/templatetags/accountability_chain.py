"""`{% chain_url entry_id as url %}`: the "and back" link of the traceable chain, for pages of other modules.

The ledger's request page, an invoice's credit lines, a nonconformity's
requests and a scorecard cell's requests link to a request's chain with it.
It answers "" when the reader may not read the chain at this address (a
requester, say), so those pages show the link only to people it will serve.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from ..access import may_read

register = template.Library()


@register.simple_tag(takes_context=True)
def chain_url(context: dict[str, Any], entry_id: int | None) -> str:
    request = context.get("request")
    if request is None or not entry_id:
        return ""
    if not may_read(user=request.user, address=request.tenant):
        return ""
    try:
        return reverse("accountability:chain", args=[entry_id])
    except NoReverseMatch:
        return ""
