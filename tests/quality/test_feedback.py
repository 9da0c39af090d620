"""Customer feedback (clause 9.1.2): the helpdesk survey's rating and comment reach the quality focal point with
the request, the service and the agency; a complaint in it can open a nonconformity."""

from __future__ import annotations

import pytest

from ict_helpdesk import services as helpdesk_services
from ledger.models import LedgerEntry
from quality.models import Feedback, Nonconformity, NonconformitySource
from quality.services.feedback import feedback_record
from tests.ict_helpdesk.conftest import category, helpdesk, in_agency, raise_ticket  # noqa: F401


@pytest.fixture
def rated(undp, undp_requester, ict_agent, raise_ticket, helpdesk):  # noqa: F811
    """A UNDP ticket resolved and rated 2 with a comment by its requester."""
    ticket = raise_ticket(undp, undp_requester)
    in_agency(
        undp, helpdesk_services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Replaced the disk."
    )
    in_agency(
        undp, helpdesk_services.ticket_rate, ticket=ticket, score=2, comment="Took three days.", by=undp_requester
    )
    return LedgerEntry.objects.get(pk=ticket.entry_id)


def test_a_helpdesk_survey_is_kept_as_feedback_with_its_comment(rated, undp):
    feedback = Feedback.objects.get()
    assert feedback.entry == rated and feedback.agency == undp and feedback.service == rated.service
    assert feedback.rating == 2 and feedback.comment == "Took three days."


def test_recording_the_same_feedback_twice_keeps_the_first(rated):
    first = Feedback.objects.get()
    again = feedback_record(entry=rated, rating=5, comment="Changed my mind", at=first.at)
    assert again.pk == first.pk and Feedback.objects.get().rating == 2


def test_the_feedback_page_lists_ratings_with_comment_request_and_agency_for_facility_staff(
    rated, facility, client_at, quality_officer, external_auditor, procurement_officer
):
    for person in (quality_officer, external_auditor, procurement_officer):
        page = client_at(facility, person).get("/quality/feedback/?low=on&agency=UNDP&sort=-rating")
        text = page.content.decode()
        assert page.status_code == 200 and "Took three days." in text and rated.reference in text and "UNDP" in text
    assert "<svg" in client_at(facility, quality_officer).get("/quality/feedback/").content.decode()
    assert (
        "Took three days."
        not in client_at(facility, quality_officer).get("/quality/feedback/?agency=UNFPA").content.decode()
    )


def test_a_complaint_from_feedback_opens_a_nonconformity_linking_the_request(
    rated, facility, client_at, quality_officer, external_auditor, undp
):
    feedback = Feedback.objects.get()
    url = f"/quality/feedback/{feedback.pk}/complaint/"
    assert client_at(facility, external_auditor).get(url).status_code == 403
    client = client_at(facility, quality_officer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "", "severity": "minor"}).status_code == 400
    assert client.post(url, {"title": "Slow disk replacement", "severity": "minor"}).status_code == 302
    nonconformity = Nonconformity.objects.get(source=NonconformitySource.COMPLAINT)
    assert nonconformity.agency == undp and nonconformity.service == feedback.service
    assert list(nonconformity.rated_entries.all()) == [rated]
    assert nonconformity.description == "Took three days."


def test_the_feedback_api_is_for_facility_staff_only(rated, facility, undp, api_at, quality_officer, undp_requester):
    answer = api_at(facility, quality_officer).get("/api/quality/feedback/?low=true")
    assert answer.status_code == 200 and answer.json()["results"][0]["comment"] == "Took three days."
    assert api_at(facility, undp_requester).get("/api/quality/feedback/").status_code == 403
    assert api_at(undp, undp_requester).get("/api/quality/feedback/").status_code in (403, 404)
