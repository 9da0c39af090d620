"""The motion, meeting and register lists: sortable columns, filters in the address, honest empty states."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services

pytestmark = pytest.mark.django_db


def titles(page: str, table: str) -> list[str]:
    start = page.index(f'id="{table}"')
    return re.findall(r'<th scope="row"[^>]*><a [^>]*>([^<]+)</a>', page[start : page.index("</table>", start)])


def test_motions_sort_by_title_both_ways(six_members, make_motion, secretary, client_at, facility):
    for title in ("Budget", "Audit plan", "Cost-sharing key"):
        make_motion(title=title)
    browser = client_at(facility, secretary)
    assert titles(browser.get("/governance/?sort=title").content.decode(), "motions") == [
        "Audit plan",
        "Budget",
        "Cost-sharing key",
    ]
    page = browser.get("/governance/?status=open&sort=-title").content.decode()
    assert titles(page, "motions")[0] == "Cost-sharing key"
    assert 'href="?status=all&amp;sort=-title"' in page  # the tabs keep the order


def test_motions_empty_state(six_members, make_motion, secretary, client_at, facility):
    browser = client_at(facility, secretary)
    assert "No motion yet." in browser.get("/governance/?status=all").content.decode()
    make_motion(open=False)
    assert "No motion matches these filters." in browser.get("/governance/?status=open").content.decode()


def test_meetings_filter_and_sort(secretary, client_at, facility):
    now = timezone.now()
    services.meeting_create(created_by=secretary, title="Past session", starts_at=now - timedelta(days=9), agenda="A")
    services.meeting_create(created_by=secretary, title="Next session", starts_at=now + timedelta(days=9), agenda="A")
    browser = client_at(facility, secretary)
    assert titles(browser.get("/governance/meetings/?when=upcoming").content.decode(), "meetings") == ["Next session"]
    assert titles(browser.get("/governance/meetings/?sort=starts").content.decode(), "meetings") == [
        "Past session",
        "Next session",
    ]
    assert 'class="stack"' in browser.get("/governance/meetings/").content.decode()


def test_meetings_empty_states(secretary, client_at, facility):
    browser = client_at(facility, secretary)
    assert "No meeting yet." in browser.get("/governance/meetings/").content.decode()
    assert "No meeting matches these filters." in browser.get("/governance/meetings/?when=past").content.decode()


def test_the_register_filters_by_outcome(six_members, make_motion, vote, secretary, client_at, facility):
    adopted = make_motion(title="Adopted one")
    for agency in six_members[:4]:
        vote(adopted, agency, "for")
    services.motion_close(motion=adopted, closed_by=secretary)
    browser = client_at(facility, secretary)
    assert titles(browser.get("/governance/register/?outcome=adopted").content.decode(), "register") == ["Adopted one"]
    empty = browser.get("/governance/register/?outcome=rejected").content.decode()
    assert "No decision matches these filters." in empty
    assert browser.get("/governance/register/?sort=-outcome").status_code == 200
