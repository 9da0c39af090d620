"""The start page and the approvals inbox: what awaits each person, contributed by every module.

A module contributes by having a `start.py` with any of these three functions
(each takes the `Viewer` and returns a list, empty when it has nothing for them):

    def start_panels(*, viewer: Viewer) -> list[Panel]         # boxes on the start page
    def approvals(*, viewer: Viewer) -> list[Approval]          # items in the one approvals inbox
    def new_request_links(*, viewer: Viewer) -> list[Link]      # "New request" buttons

The platform finds every installed app's `start` module (as the admin finds
`admin` modules), so a new module plugs in by adding the file; nothing here
names a module. A contribution must show only what the viewer may see at the
address they are on: it applies the same rules as the module's own pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from django.apps import apps

from accounts.selectors import roles_at

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Agency


@dataclass(frozen=True)
class Viewer:
    """Who is looking, at which address, with which roles there."""

    user: User
    address: Agency  # the agency whose address this is, or the facility (the portal)
    roles: frozenset[str]

    @property
    def on_facility(self) -> bool:
        return bool(self.address.is_facility)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    order: int = 50  # among "Ask the facility" buttons: lower first (requests for a service before the rest)


@dataclass(frozen=True)
class Item:
    """One line of a panel: what it is, where to open it, and the time that matters for it."""

    label: str
    url: str
    detail: str = ""
    due_at: datetime | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Count:
    """A figure with its meaning and where its list is, e.g. (3, "overdue", "/helpdesk/?…")."""

    number: int
    label: str
    url: str = ""
    alarming: bool = False


@dataclass(frozen=True)
class Panel:
    key: str  # stable, for tests and page anchors
    title: str
    items: list[Item] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    empty: str = ""  # what to say when there are no items and no counts
    more: Link | None = None
    order: int = 50  # lower first


@dataclass(frozen=True)
class Approval:
    """Something waiting for this person's decision, whatever the module."""

    module: str  # the module's name as people read it, e.g. "Procurement"
    reference: str
    title: str
    url: str
    agency_code: str
    requested_by: str
    waiting_since: datetime


Contribution = Callable[..., list[Any]]


@cache
def _contributors(hook: str) -> tuple[Contribution, ...]:
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.start"
        if config.name == "shared_platform" or find_spec(name) is None:
            continue
        function = getattr(import_module(name), hook, None)
        if function is not None:
            found.append(function)
    return tuple(found)


def viewer_for(*, user: User, address: Agency) -> Viewer:
    return Viewer(user=user, address=address, roles=frozenset(roles_at(user=user, agency=address)))


def start_panels(*, viewer: Viewer) -> list[Panel]:
    panels = [panel for contribute in _contributors("start_panels") for panel in contribute(viewer=viewer)]
    return sorted(panels, key=lambda panel: (panel.order, panel.title))


def approvals(*, viewer: Viewer) -> list[Approval]:
    """The one approvals inbox: every module's items waiting for this person, longest waiting first."""
    items = [item for contribute in _contributors("approvals") for item in contribute(viewer=viewer)]
    return sorted(items, key=lambda item: (item.waiting_since, item.reference))


def new_request_links(*, viewer: Viewer) -> list[Link]:
    links = [link for contribute in _contributors("new_request_links") for link in contribute(viewer=viewer)]
    return sorted(links, key=lambda link: link.order)
