"""Closing a vote early and withdrawing a motion cannot be undone: the page says so and acts only when confirmed."""

from __future__ import annotations

import pytest

from governance.models import Motion, MotionStatus, RegisterEntry

pytestmark = pytest.mark.django_db


def test_closing_asks_first_and_says_what_cannot_be_undone(six_members, make_motion, secretary, client_at, facility):
    motion = make_motion()
    page = client_at(facility, secretary).get(f"/governance/motions/{motion.pk}/close/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "This cannot be undone." in text and "cannot be reopened" in text and 'name="confirm"' in text
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.OPEN


def test_closing_without_the_confirmation_changes_nothing(six_members, make_motion, secretary, client_at, facility):
    motion = make_motion()
    response = client_at(facility, secretary).post(f"/governance/motions/{motion.pk}/close/")
    assert response.status_code == 400
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.OPEN
    assert not RegisterEntry.objects.exists()


def test_closing_with_the_confirmation_closes(six_members, make_motion, secretary, client_at, facility):
    motion = make_motion()
    response = client_at(facility, secretary).post(f"/governance/motions/{motion.pk}/close/", {"confirm": "on"})
    assert response.status_code == 302
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.CLOSED
    assert RegisterEntry.objects.filter(motion=motion).exists()


def test_withdrawing_asks_then_acts_with_its_reason(six_members, make_motion, secretary, client_at, facility):
    motion = make_motion(open=False)
    browser = client_at(facility, secretary)
    assert "draft it as a new motion" in browser.get(f"/governance/motions/{motion.pk}/withdraw/").content.decode()

    assert browser.post(f"/governance/motions/{motion.pk}/withdraw/", {"reason": "Superseded"}).status_code == 400
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.DRAFT

    response = browser.post(f"/governance/motions/{motion.pk}/withdraw/", {"reason": "Superseded", "confirm": "on"})
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.status == MotionStatus.WITHDRAWN
    assert motion.events.get(kind="withdrawn").detail == "Superseded"


def test_the_motion_page_links_to_the_confirmation(six_members, make_motion, secretary, client_at, facility):
    motion = make_motion()
    page = client_at(facility, secretary).get(f"/governance/motions/{motion.pk}/").content.decode()
    assert f'href="/governance/motions/{motion.pk}/close/"' in page and "confirm(" not in page


def test_nothing_to_confirm_on_a_closed_motion(six_members, make_motion, secretary, client_at, facility):
    motion = make_motion()
    browser = client_at(facility, secretary)
    browser.post(f"/governance/motions/{motion.pk}/close/", {"confirm": "on"})
    assert browser.get(f"/governance/motions/{motion.pk}/close/").status_code == 302
    assert browser.get(f"/governance/motions/{motion.pk}/withdraw/").status_code == 302
