# ruff: noqa: F811  (fixtures imported from fixtures_reviews.py are taken as arguments by name)
"""The management review's pages, PDF, API and start panel: who sees which button, bad input, isolation."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accountability.models import ManagementReview, OutputKind, OutputStatus, ReviewStatus
from accountability.selectors.reviews import SECTIONS
from accountability.services.reviews import review_hold, review_output_add, review_pack_compile, review_plan
from tests.accountability.fixtures_reviews import (  # noqa: F401
    QUARTER,
    action_owner,
    auditor,
    keeper,
    undp_approver,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(keeper):
    return review_plan(
        title="Q3 2026 management review",
        period_from=QUARTER[0],
        period_to=QUARTER[1],
        meeting_on=timezone.localdate() + timedelta(days=10),
        chair=keeper,
        by=keeper,
    )


@pytest.fixture
def held(planned, keeper, action_owner):
    review_pack_compile(review=planned, by=keeper)
    review = review_hold(review=planned, minutes="Inputs reviewed.", attendees="Mariana; Rafael", by=keeper)
    review_output_add(review=review, kind=OutputKind.DECISION, text="Keep the equal key", by=keeper)
    review_output_add(
        review=review,
        kind=OutputKind.ACTION,
        text="Retrain the ICT agents",
        owner=action_owner,
        due_on=timezone.localdate() - timedelta(days=1),
        by=keeper,
    )
    return review


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_keeper_plans_a_review_from_the_page(client_at, facility, keeper):
    client = client_at(facility, keeper)
    assert client.get("/accountability/reviews/new/").status_code == 200
    answer = client.post(
        "/accountability/reviews/new/",
        {
            "title": "Q3 review",
            "period_from": "2026-08-01",
            "period_to": "2026-10-31",
            "meeting_on": "2026-11-12",
            "chair": keeper.pk,
        },
    )
    review = ManagementReview.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/accountability/reviews/{review.reference}/"


@pytest.mark.parametrize(
    "bad",
    [
        {"period_from": "2026-13-01"},
        {"meeting_on": "not a date"},
        {"period_to": "2026-07-01"},
        {"title": ""},
        {"title": "x" * 5000},
        {"chair": "999999999999999999999"},
        {"period_from": "0001-01-01"},
    ],
)
def test_a_bad_plan_is_a_form_error_and_changes_nothing(client_at, facility, keeper, bad):
    data = {"title": "Q3", "period_from": "2026-08-01", "period_to": "2026-10-31", "meeting_on": "2026-11-12"}
    data["chair"] = str(keeper.pk)
    answer = client_at(facility, keeper).post("/accountability/reviews/new/", {**data, **bad})
    assert answer.status_code in (400, 409)
    assert 'class="errorlist' in answer.content.decode()
    assert not ManagementReview.objects.exists()


def test_the_review_page_shows_the_pack_in_clause_order_and_buttons_by_role(
    client_at, facility, planned, keeper, auditor
):
    review_pack_compile(review=planned, by=keeper)
    keeper_page = client_at(facility, keeper).get(f"/accountability/reviews/{planned.reference}/").content.decode()
    positions = [keeper_page.index(f"{clause} · ") for _key, clause, _heading in SECTIONS]
    assert positions == sorted(positions)
    assert f"/accountability/reviews/{planned.reference}/compile/" in keeper_page
    assert f"/accountability/reviews/{planned.reference}/hold/" in keeper_page
    auditor_page = client_at(facility, auditor).get(f"/accountability/reviews/{planned.reference}/").content.decode()
    assert "/compile/" not in auditor_page and "/hold/" not in auditor_page
    assert client_at(facility, auditor).post(f"/accountability/reviews/{planned.reference}/compile/").status_code == 403


def test_the_owner_completes_their_action_from_the_page_and_the_keeper_then_closes(
    client_at, facility, held, keeper, action_owner
):
    action = held.outputs.get(kind=OutputKind.ACTION)
    owner_client = client_at(facility, action_owner)
    page = owner_client.get(f"/accountability/reviews/{held.reference}/").content.decode()
    assert f"/outputs/{action.pk}/complete/" in page and "/close/" not in page and "overdue" in page
    # a blank outcome is refused and changes nothing
    assert (
        owner_client.post(f"/accountability/reviews/{held.reference}/outputs/{action.pk}/complete/").status_code == 400
    )
    action.refresh_from_db()
    assert action.status == OutputStatus.OPEN
    # the keeper's close is refused while it is open
    assert client_at(facility, keeper).post(f"/accountability/reviews/{held.reference}/close/").status_code == 409
    answer = owner_client.post(
        f"/accountability/reviews/{held.reference}/outputs/{action.pk}/complete/", {"outcome": "Trained twelve"}
    )
    assert answer.status_code == 302
    assert client_at(facility, keeper).post(f"/accountability/reviews/{held.reference}/close/").status_code == 302
    held.refresh_from_db()
    assert held.status == ReviewStatus.CLOSED


def test_an_action_without_an_owner_is_a_form_error(client_at, facility, held, keeper):
    before = held.outputs.count()
    answer = client_at(facility, keeper).post(
        f"/accountability/reviews/{held.reference}/outputs/",
        {"kind": "action", "text": "Do it", "due_on": "2026-12-01"},
    )
    assert answer.status_code == 400 and 'class="errorlist' in answer.content.decode()
    assert held.outputs.count() == before


@pytest.mark.parametrize("path", ["nope/", "MR-2026-9999/", "x/outputs/1/complete/", "a%00b/"])
def test_an_unknown_review_is_not_found(client_at, facility, keeper, path):
    client = client_at(facility, keeper)
    method = client.post if path.endswith("complete/") else client.get
    assert method(f"/accountability/reviews/{path}").status_code == 404


def test_a_garbage_sort_or_page_falls_back_to_the_default(client_at, facility, planned, keeper):
    answer = client_at(facility, keeper).get("/accountability/reviews/?sort=%27;drop&page=99999999999&status=zzz")
    assert answer.status_code == 200 and planned.reference in answer.content.decode()


def test_reviews_are_the_facilitys_not_an_agencys(client_at, undp, planned, undp_approver):
    client = client_at(undp, undp_approver)
    assert client.get("/accountability/reviews/").status_code == 404
    assert client.get(f"/accountability/reviews/{planned.reference}/").status_code == 404


def test_the_pdf_holds_every_input_heading_and_the_outputs(client_at, facility, held, keeper):
    answer = client_at(facility, keeper).get(f"/accountability/reviews/{held.reference}/pdf/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(answer.content).split())
    for _key, clause, heading in SECTIONS:
        assert f"{clause} · {heading}" in text
    assert "Retrain the ICT agents" in text and "Keep the equal key" in text and held.reference in text


def test_the_api_plans_compiles_holds_records_and_closes_for_keepers_only(
    api_at, facility, keeper, auditor, action_owner
):
    api = api_at(facility, keeper)
    created = api.post(
        "/api/accountability/reviews/",
        {
            "title": "API review",
            "period_from": "2026-08-01",
            "period_to": "2026-10-31",
            "meeting_on": "2026-11-12",
            "chair": keeper.pk,
        },
        format="json",
    )
    assert created.status_code == 201
    reference = created.json()["reference"]
    base = f"/api/accountability/reviews/{reference}/"
    # the auditor reads but is refused any change
    assert api_at(facility, auditor).get(base).status_code == 200
    assert api_at(facility, auditor).post(base + "compile/").status_code == 403
    compiled = api.post(base + "compile/")
    assert compiled.status_code == 200
    pack = compiled.json()["pack"]
    assert [line["key"] for line in pack["inputs"]] == [key for key, _clause, _heading in SECTIONS]
    assert set(pack["sections"]) == {key for key, _clause, _heading in SECTIONS}
    assert api.post(base + "hold/", {"minutes": "m", "attendees": "a"}, format="json").status_code == 200
    assert api.post(base + "compile/").status_code == 409
    no_owner = api.post(base + "outputs/", {"kind": "action", "text": "t", "due_on": "2026-12-01"}, format="json")
    assert no_owner.status_code == 400 and "owner" in no_owner.json()["error"]["fields"]
    added = api.post(
        base + "outputs/",
        {"kind": "action", "text": "t", "owner": action_owner.pk, "due_on": "2026-12-01"},
        format="json",
    )
    assert added.status_code == 201
    output_id = added.json()["outputs"][0]["id"]
    assert api.post(base + "close/").status_code == 409
    assert (
        api_at(facility, action_owner)
        .post(base + f"outputs/{output_id}/complete/", {"outcome": "done"}, format="json")
        .status_code
        == 200
    )
    closed = api.post(base + "close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x", "period_from": "2026-13-01", "period_to": "2026-10-31", "meeting_on": "2026-11-12", "chair": 1},
        {"title": "x", "period_from": "2026-08-01", "period_to": "2026-10-31", "meeting_on": "2026-11-12", "chair": -4},
        {"title": "x" * 300, "period_from": "2026-08-01", "period_to": "2026-10-31", "meeting_on": "2026-11-12"},
        {},
    ],
)
def test_the_api_refuses_bad_input_with_a_400(api_at, facility, keeper, body):
    answer = api_at(facility, keeper).post("/api/accountability/reviews/", body, format="json")
    assert answer.status_code == 400 and "error" in answer.json()
    assert not ManagementReview.objects.exists()


def test_an_agencys_person_reads_no_review_through_the_api(api_at, facility, undp, planned, undp_approver):
    assert api_at(facility, undp_approver).get("/api/accountability/reviews/").status_code == 403
    assert api_at(undp, undp_approver).get("/api/accountability/reviews/").status_code in (403, 404)


def test_the_start_page_shows_the_owner_their_action_and_the_keeper_an_uncompiled_meeting(
    client_at, facility, planned, keeper, action_owner
):
    # given a planned review in ten days with no pack: the keeper sees it
    keeper_page = client_at(facility, keeper).get("/").content.decode()
    assert planned.reference in keeper_page and "compile its pack" in keeper_page
    # when it is compiled, held, and an overdue action given to an ICT officer
    review_pack_compile(review=planned, by=keeper)
    review_hold(review=planned, minutes="m", attendees="a", by=keeper)
    review_output_add(
        review=planned,
        kind=OutputKind.ACTION,
        text="Retrain the agents",
        owner=action_owner,
        due_on=date(2026, 1, 5),
        by=keeper,
    )
    # then the owner sees it, overdue; the keeper no longer sees the meeting to prepare
    owner_page = client_at(facility, action_owner).get("/").content.decode()
    assert "Retrain the agents" in owner_page and "overdue" in owner_page
    assert "compile its pack" not in client_at(facility, keeper).get("/").content.decode()


def test_the_pdf_is_in_the_readers_language(client_at, facility, held, keeper):
    # given a keeper who reads French
    keeper.language = "fr"
    keeper.save(update_fields=["language"])
    # when they download the review, then its dates are written in French (the period starts in August)
    text = _pdf_text(client_at(facility, keeper).get(f"/accountability/reviews/{held.reference}/pdf/").content)
    assert "août" in text and "August" not in text
