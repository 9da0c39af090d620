"""The chain of one request, on the facility portal (every agency's) and on an agency's address (its own).

From a breached request to its service credit on the invoice, the
nonconformity it fed, the scorecard cell it counts in and the management
review that discussed it; each of those pages links back here. On an agency's
address the agency's approvers, finance officers and board members read the
chains of their agency's requests they may see in the ledger (another
agency's id is not found); nonconformities and reviews are the facility's
pages, so there they are named without links.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse

from billing.selectors import billing_scope
from ledger.selectors import request_scope

from .. import access
from ..selectors.chain import Chain, chain_entry_get, request_chain


def chain_for(request: HttpRequest, pk: int) -> Chain:
    """The chain of request `pk` as this reader at this address may see it: 403 for non-readers, 404 if not theirs."""
    address = request.tenant  # type: ignore[attr-defined]
    scope = access.scope_for(user=request.user, address=address)
    person = None
    if scope is not None:
        person = request_scope(user=request.user, agency=address).person
    entry = chain_entry_get(pk=pk, scope=scope, person=person)
    if entry is None:
        raise Http404("No such request.")
    return request_chain(entry=entry, scope=scope)


def scorecard_cell_url(chain: Chain) -> str:
    """The scorecard cell's page, once the scorecards part provides it (the chain shows the cell either way)."""
    if chain.cell_key is None:
        return ""
    try:
        return reverse("accountability:scorecard-cell", args=list(chain.cell_key))
    except NoReverseMatch:
        return ""


def _sees_invoices(request: HttpRequest) -> bool:
    try:
        billing_scope(user=request.user, agency=request.tenant)  # type: ignore[attr-defined]
    except PermissionDenied:
        return False
    return True


def chain_page(request: HttpRequest, pk: int) -> HttpResponse:
    chain = chain_for(request, pk)
    on_facility = bool(request.tenant.is_facility)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "chain": chain,
        "entry": chain.entry,
        "on_facility": on_facility,
        "sees_invoices": _sees_invoices(request),
        "cell_url": scorecard_cell_url(chain),
    }
    return render(request, "accountability/chain/chain.html", context)


facility_pages = [path("chain/<int:pk>/", chain_page, name="chain")]
agency_pages = [path("chain/<int:pk>/", chain_page, name="chain")]
