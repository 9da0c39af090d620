"""Board texts: a motion's text, a meeting's agenda, a withdrawal's reason and a document's file name."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance.models import Meeting, Motion, MotionDocument, MotionStatus
from shared_platform import limits
from tests.test_text_limits import refused_on

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * (limits.LONG_TEXT + 1)


def test_a_motion_s_text_and_a_meeting_s_agenda_have_limits(facility, secretary, api_at, client_at):

    closes = (timezone.now() + timezone.timedelta(days=3)).isoformat()
    api = api_at(facility, secretary)
    # when the secretary drafts a motion or schedules a meeting with an overlong text
    motion = {"title": "Prices", "text": TOO_LONG, "rule": "simple_majority", "closes_at": closes}
    refused_on(api.post("/api/governance/motions/", motion, format="json"), "text")
    refused_on(
        api.post("/api/governance/motions/", {**motion, "title": "t" * 201, "text": "ok"}, format="json"), "title"
    )
    meeting = {"title": "Ordinary", "starts_at": closes, "agenda": TOO_LONG}
    refused_on(api.post("/api/governance/meetings/", meeting, format="json"), "agenda")
    page = client_at(facility, secretary).post(
        "/governance/motions/new/",
        {"title": "Prices", "text": TOO_LONG, "rule": "simple_majority", "closes_at": closes[:16]},
    )
    # then each is refused on its field and nothing is stored
    assert page.status_code == 400 and "text" in page.context["form"].errors
    assert not Motion.objects.exists() and not Meeting.objects.exists()


def test_a_withdrawal_reason_is_refused_when_too_long_not_cut(facility, secretary, make_motion, api_at):
    # given a draft motion
    motion = make_motion(open=False)
    # when the secretary withdraws it with a 501-character reason
    response = api_at(facility, secretary).post(
        f"/api/governance/motions/{motion.pk}/withdraw/", {"reason": "r" * 501}, format="json"
    )
    # then it is refused and the motion is still a draft
    refused_on(response, "reason")
    motion.refresh_from_db()
    assert motion.status == MotionStatus.DRAFT


def test_a_motion_document_with_a_very_long_name_is_stored(facility, secretary, make_motion, api_at, media_root):
    # given a draft motion
    motion = make_motion(open=False)
    # when a document with a 300-character file name is added
    response = api_at(facility, secretary).post(
        f"/api/governance/motions/{motion.pk}/documents/",
        {"title": "Annex", "file": SimpleUploadedFile("anexo" * 60 + ".csv", b"service,price\nICT,42\n")},
        format="multipart",
    )
    # then it is stored under a name that fits its column and keeps its extension
    assert response.status_code == 201, response.content
    document = MotionDocument.objects.get()
    assert document.file.name.endswith(".csv") and len(document.file.name) <= 100
    assert document.file.storage.exists(document.file.name)
