"""Fixtures for helpdesk tests: agreements, people, and tickets raised in an agency's schema at chosen times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_tenants.utils import schema_context

from accounts.models import Role, User
from ict_helpdesk import services
from ict_helpdesk.models import Ticket
from service_levels.models import Category
from tenants.models import Agency

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "screenshot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def helpdesk(undp_agreement: Any, unfpa_agreement: Any) -> None:
    """UNDP and UNFPA have agreements covering the ICT services; the matrix and categories are seeded."""


@pytest.fixture
def category(helpdesk: None) -> Category:
    return Category.objects.get(module="ict", code="hardware")


@pytest.fixture
def undp_approver(make_person: Callable[..., User], undp: Agency) -> User:
    return make_person((Role.APPROVER, undp), (Role.REQUESTER, undp), email="approver@undp.test")


@pytest.fixture
def second_agent(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.ICT_AGENT, None), email="ict2@facility.test", first_name="Karina", last_name="Gomes")


@pytest.fixture
def auditor(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.AUDITOR, None), email="auditor@facility.test")


@pytest.fixture
def raise_ticket(category: Category) -> Callable[..., Ticket]:
    """raise_ticket(agency, requester, at=..., impact="medium", urgency="high", ...) -> the ticket (P2 by default)."""

    def raise_(agency: Agency, requester: User, *, at: datetime | None = None, **fields: Any) -> Ticket:
        fields.setdefault("kind", "incident")
        fields.setdefault("category", category)
        fields.setdefault("impact", "medium")
        fields.setdefault("urgency", "high")
        fields.setdefault("subject", "Laptop does not start")
        fields.setdefault("description", "It shows a black screen after the logo.")
        with schema_context(agency.schema_name):
            return services.ticket_raise(agency=agency, requester=requester, at=at, **fields)

    return raise_


def in_agency(agency: Agency, call: Callable[..., Any], /, **kwargs: Any) -> Any:
    """Run a ticket service in the agency's schema, as the pages and the API do."""
    with schema_context(agency.schema_name):
        return call(**kwargs)


def fresh(agency: Agency, ticket: Ticket) -> Ticket:
    with schema_context(agency.schema_name):
        return Ticket.objects.select_related("entry").get(pk=ticket.pk)


@pytest.fixture(autouse=True)
def _language_reset() -> Any:
    """A page asked for in another language leaves it active in the thread; the next test starts in English."""
    yield
    translation.deactivate()
