"""Fixtures for the quality system: the facility's quality people and one process of theirs.

Quality lives in the public schema; the agencies appear only as the place a
suggestion came from and as the agency of a breach or a rating.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import Role, User
from quality.models import Process
from tenants.models import Agency


@pytest.fixture
def quality_officer(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.QUALITY_FOCAL_POINT, None), email="quality@facility.test", first_name="Mariana")


@pytest.fixture
def facility_manager(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test", first_name="Gabriela")


@pytest.fixture
def committee_member(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.REVIEW_COMMITTEE, None), email="review@facility.test", first_name="Sofia")


@pytest.fixture
def internal_auditor(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.INTERNAL_AUDITOR, None), email="internal-audit@facility.test", first_name="Tiago")


@pytest.fixture
def external_auditor(make_person: Callable[..., User], facility: Agency) -> User:
    """The read-only auditor: reads every quality record, changes none."""
    return make_person((Role.AUDITOR, None), email="auditor@facility.test", first_name="Nelson")


@pytest.fixture
def procurement_officer(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.PROCUREMENT_AGENT, None), email="procurement@facility.test", first_name="Henrique")


@pytest.fixture
def process_owner(ict_agent: User) -> User:
    """The owner of the ICT incident process: an ICT officer."""
    return ict_agent


@pytest.fixture
def ict_process(process_owner: User) -> Process:
    """ICT incident handling, owned by an ICT officer (rows written directly: the process is a given here)."""
    return Process.objects.create(code="ICT-INC", name="ICT incident handling", owner=process_owner)


@pytest.fixture
def procurement_process(procurement_officer: User) -> Process:
    return Process.objects.create(code="PRC-RFQ", name="Request for quotation", owner=procurement_officer)
