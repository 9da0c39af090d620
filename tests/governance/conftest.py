"""Fixtures for the board: seats (member agencies), the secretary, representatives, motions.

The board lives in the public schema and never reads an agency's schema, so
the extra member agencies a board needs (UNESCO, UN Women, ...) are rows
without a schema of their own: cloning six schemas per test would only make
the suite slow. UNDP, UNFPA and UNAIDS are the suite's real agencies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from accounts.models import Role, User
from governance import services
from governance.models import DecisionRule, Motion
from tenants.models import Agency, AgencyKind

EXTRA_MEMBERS = {
    "UNESCO": "United Nations Educational, Scientific and Cultural Organization",
    "UNWOMEN": "UN Women",
    "UNOPS": "United Nations Office for Project Services",
    "UNEP": "United Nations Environment Programme",
}


def seat_row(code: str) -> Agency:
    """A member agency's row (no schema): enough for a seat on the board."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        agency = Agency(schema_name=code.lower(), code=code, name=EXTRA_MEMBERS[code], kind=AgencyKind.MEMBER)
        agency.auto_create_schema = False
        agency.save()
    return agency


@pytest.fixture
def six_members(undp: Agency, unfpa: Agency, unaids: Agency) -> list[Agency]:
    """The six voting members of the demo board (UNAIDS is there too, as a partner)."""
    return [undp, unfpa, *[seat_row(code) for code in EXTRA_MEMBERS]]


@pytest.fixture
def secretary(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.FACILITY_MANAGER, None), email="secretary@facility.test")


@pytest.fixture
def representative_of(make_person: Callable[..., User]) -> Callable[[Agency], User]:
    """representative_of(agency): that agency's board representative (made once per agency per test)."""
    made: dict[int, User] = {}

    def make(agency: Agency) -> User:
        if agency.pk not in made:
            made[agency.pk] = make_person(
                (Role.BOARD_REPRESENTATIVE, agency), email=f"board@{agency.code.lower()}.test"
            )
        return made[agency.pk]

    return make


@pytest.fixture
def make_motion(secretary: User) -> Callable[..., Motion]:
    """make_motion(rule=..., open=True, **fields): a motion drafted (and by default opened) by the secretary."""

    def make(*, rule: str = DecisionRule.SIMPLE_MAJORITY, open: bool = True, **fields: Any) -> Motion:
        fields.setdefault("title", "Adopt the price list for next year")
        fields.setdefault("text", "The board approves the price list annexed.")
        fields.setdefault("closes_at", timezone.now() + timedelta(days=3))
        motion = services.motion_create(created_by=secretary, rule=rule, **fields)
        if open:
            motion = services.motion_open(motion=motion, opened_by=secretary)
        return motion

    return make


@pytest.fixture
def vote(representative_of: Callable[[Agency], User]) -> Callable[..., Any]:
    """vote(motion, agency, choice): the agency's representative casts its ballot."""

    def cast(motion: Motion, agency: Agency, choice: str) -> Any:
        return services.ballot_cast(motion=motion, agency=agency, cast_by=representative_of(agency), choice=choice)

    return cast


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Uploaded documents go to a temporary folder for this test.

    django-tenants' TenantFileSystemStorage caches MEDIA_ROOT (relative_media_root)
    and does not forget it when the setting changes, so the cache is cleared on
    the way in and out; otherwise the next test to store a file would write here.
    """

    def forget() -> None:
        storages["default"].__dict__.pop("relative_media_root", None)

    forget()
    settings.MEDIA_ROOT = str(tmp_path)
    yield tmp_path
    forget()
