"""Fixtures: agencies with real schemas, people with roles, clients addressed to an agency.

django-tenants ships no pytest fixtures. Agencies are created once per
session (their schemas are cloned from the template like in production) and
re-attached if a transactional test's flush removed their rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services import api_token_issue, membership_grant
from shared_platform.tenancy import agency_host
from tenants.models import Agency, AgencyKind
from tenants.services import agency_create, facility_ensure

from .factories import UserFactory

# SLA fixtures (catalogue, agreements, requests at chosen times) for the SLA, module and browser tests.
pytest_plugins = ["tests.sla_fixtures"]

TEST_AGENCIES = {
    "UNDP": ("United Nations Development Programme", AgencyKind.MEMBER, 180),
    "UNFPA": ("United Nations Population Fund", AgencyKind.MEMBER, 45),
    "UNAIDS": ("Joint United Nations Programme on HIV/AIDS", AgencyKind.PARTNER, 15),
}


def ensure_agency(code: str) -> Agency:
    """The test agency with this code: its row, schema and address."""
    facility_ensure()
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        name, kind, headcount = TEST_AGENCIES[code]
        # After a flush the schema may remain without its row: saving re-attaches it.
        agency = agency_create(code=code, name=name, kind=kind, headcount=headcount)
    return agency


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        for code in TEST_AGENCIES:
            ensure_agency(code)


@receiver(setting_changed)
def _tenant_media_root_forget(setting: str, **kwargs: Any) -> None:
    # django-tenants' storage caches MEDIA_ROOT/<schema> and only forgets it when
    # MULTITENANT_RELATIVE_MEDIA_ROOT changes; a test that moves MEDIA_ROOT needs it forgotten too.
    if setting == "MEDIA_ROOT":
        storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings: Any, tmp_path: Any) -> None:
    """Uploaded files and rendered PDFs of a test go to its own folder, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _language_back_to_the_platforms() -> Iterator[None]:
    """A page asked for in another language leaves it active in the thread; each test starts and ends in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _public_schema_around_each_test() -> Iterator[None]:
    """A request leaves the connection in its agency's schema; each test starts in public."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def facility(db: None) -> Agency:
    return facility_ensure()


@pytest.fixture
def undp(db: None) -> Agency:
    return ensure_agency("UNDP")


@pytest.fixture
def unfpa(db: None) -> Agency:
    return ensure_agency("UNFPA")


@pytest.fixture
def unaids(db: None) -> Agency:
    return ensure_agency("UNAIDS")


@pytest.fixture
def make_person(db: None) -> Callable[..., User]:
    """make_person(("requester", undp), ("ict_agent", None), email=...) -> a user with those roles."""

    def make(*roles: tuple[str, Agency | None], **fields: Any) -> User:
        user = UserFactory(**fields)
        for role, agency in roles:
            membership_grant(user=user, role=role, agency=agency)
        return user

    return make


@pytest.fixture
def undp_requester(make_person: Callable[..., User], undp: Agency) -> User:
    return make_person((Role.REQUESTER, undp), email="requester@undp.test")


@pytest.fixture
def unfpa_requester(make_person: Callable[..., User], unfpa: Agency) -> User:
    return make_person((Role.REQUESTER, unfpa), email="requester@unfpa.test")


@pytest.fixture
def ict_agent(make_person: Callable[..., User], facility: Agency) -> User:
    return make_person((Role.ICT_AGENT, None), email="ict@facility.test")


def host_of(agency: Agency) -> str:
    return settings.BASE_DOMAIN if agency.is_facility else agency_host(agency.code)


@pytest.fixture
def client_at() -> Callable[..., Client]:
    """client_at(agency, user=None): a browser-like client on that agency's address, signed in as user."""

    def make(agency: Agency, user: User | None = None) -> Client:
        client = Client(HTTP_HOST=host_of(agency))
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_at() -> Callable[..., APIClient]:
    """api_at(agency, user=None): an API client on that agency's address using the user's token."""

    def make(agency: Agency, user: User | None = None) -> APIClient:
        client = APIClient(HTTP_HOST=host_of(agency))
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}")
        return client

    return make
