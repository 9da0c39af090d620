"""The demo's backlog of suggestions: every stage, through the services, loaded once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from quality.demo.suggestions import BACKLOG, COMMITTEE, suggestions_demo_load
from quality.models import Process, Suggestion, SuggestionStatus

pytestmark = pytest.mark.django_db

FACILITY_ROLES = {
    COMMITTEE: Role.REVIEW_COMMITTEE,
    "ict@facility.demo": Role.ICT_AGENT,
    "ict2@facility.demo": Role.ICT_AGENT,
    "procurement@facility.demo": Role.PROCUREMENT_AGENT,
    "travel@facility.demo": Role.TRAVEL_AGENT,
    "finance@facility.demo": Role.FACILITY_FINANCE,
}


TEST_AGENCIES = ("UNDP", "UNFPA")  # the test database's agencies; the others' suggestions are skipped


def _code(email: str) -> str:
    return email.split("@")[1].removesuffix(".demo").upper()


@pytest.fixture
def demo_world(make_person, undp, unfpa, ict_agent):
    agencies = {"UNDP": undp, "UNFPA": unfpa}
    people = {email: make_person((role, None), email=email) for email, role in FACILITY_ROLES.items()}
    for item in BACKLOG:
        if item.by not in people and _code(item.by) in agencies:
            role = Role.AGENCY_FINANCE if item.by.startswith("finance@") else Role.REQUESTER
            people[item.by] = make_person((role, agencies[_code(item.by)]), email=item.by)
    for code in ("ICT-INC", "PRC-RFQ", "TRV-TA", "BIL-MON"):
        Process.objects.create(code=code, name=code, owner=people["ict@facility.demo"])


def test_the_demo_backlog_is_played_through_the_services_and_loads_once(demo_world):
    expected = [item for item in BACKLOG if _code(item.by) in (*TEST_AGENCIES, "FACILITY")]
    made = suggestions_demo_load(now=timezone.now())
    assert made == len(expected) == Suggestion.objects.count()
    assert set(Suggestion.objects.values_list("status", flat=True)) >= {
        SuggestionStatus.SUBMITTED,
        SuggestionStatus.ACCEPTED,
        SuggestionStatus.IMPLEMENTED,
    }
    walkthrough = Suggestion.objects.get(title=BACKLOG[0].title)
    assert walkthrough.agency.code == "UNDP" and walkthrough.score is None
    half_done = Suggestion.objects.get(title="Publish a known-issues page during outages")
    assert half_done.status == SuggestionStatus.ACCEPTED and half_done.agency is None
    assert half_done.steps.filter(done_at__isnull=False).count() == 2
    assert half_done.steps.filter(done_at__isnull=True).count() == 2
    assert not mail.outbox
    assert suggestions_demo_load(now=timezone.now()) == 0
    assert Suggestion.objects.count() == len(expected)


def test_the_demo_backlog_covers_every_stage():
    stages = {item.decision for item in BACKLOG} | {"scored" for item in BACKLOG if item.score and not item.decision}
    assert stages >= {None, "scored", "accept", "reject", "defer"}
    assert any(item.outcome for item in BACKLOG)
    assert len({_code(item.by) for item in BACKLOG}) >= 5
