"""The travel authorization and the settlement statement, read back from their PDFs: the figures and how
they were reached, the settlement said either way, the agency's language, and never the personal data."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from shared_platform.errors import ApplicationError
from shared_platform.templatetags.platform import money
from tenants.models import Agency
from travel import pdf, services
from travel.downloads import authorization_pdf_response, settlement_pdf_response
from travel.models import Claim, LegKind, TravelRequest

from .conftest import People, Places, leg, rate

pytestmark = pytest.mark.usefixtures("quiet")

TripAt = Callable[..., TravelRequest]

PERSONAL = services.PersonalData(
    passport_number="YB4417720",
    passport_expires_on=date(2031, 7, 9),
    date_of_birth=date(1984, 11, 23),
    phone="+55 61 98877-6655",
    contact_email="tiago.private@example.org",
)


def text_of(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    # French groups thousands with a (narrow) no-break space; compare with plain spaces.
    return text.replace("\u202f", " ").replace("\xa0", " ")


def person_name(user: Any) -> str:
    return str(user.get_full_name() or user.email)


def claim_shorter_than_planned(trip: TravelRequest, people: People, places: Places) -> Claim:
    """The traveller came back after one night instead of five, and paid a visa fee."""
    first = trip.legs.filter(kind=LegKind.PLANNED).order_by("position").first()
    assert first is not None
    start = timezone.localtime(first.departs_at).date()
    return services.claim_submit(
        trip=trip,
        by=people.traveller,
        legs=[
            leg(places.brasilia, places.manaus, start),
            leg(places.manaus, places.brasilia, start + timedelta(days=1)),
        ],
        expenses=[services.ExpenseInput(description="Visa fee", amount=Decimal("60.00"))],
        at=timezone.now(),
    )


# -- the travel authorization ---------------------------------------------------------------------


def test_the_authorization_gives_the_trip_its_itinerary_and_the_dsa_explained_line_by_line(
    trip_at: TripAt, people: People, undp: Agency
) -> None:
    # given a ticketed trip: five nights in Manaus at 300.00, charged to one project
    trip = trip_at("ticketed")
    # when its authorization is printed
    text = text_of(pdf.authorization_pdf(trip=trip, agency=undp))
    # then it names the trip, the traveller, the itinerary and the charge code
    assert f"Travel authorization {trip.reference}" in text
    assert "United Nations Development Programme" in text
    assert trip.traveller_name in text
    assert "A member of the agency" in text  # the traveller type
    assert "Field monitoring visit to the health project" in text
    assert "Official mission" in text
    assert "Brasília, Brazil" in text and "Manaus, Brazil" in text
    assert date_format(trip.departs_on, "SHORT_DATE_FORMAT") in text
    assert "PRJ-00123" in text and "100.00 %" in text
    # and every figure says how it was reached
    assert "DSA, Manaus, Brazil" in text
    assert "5 nights × 300.00" in text
    assert "1,500.00" in text  # the DSA estimate
    assert trip.dsa_estimate == Decimal("1500.00")
    assert f"USD {money(trip.terminal_estimate)}" in text
    assert "USD 850.00" in text  # the estimated ticket cost
    assert f"USD {money(trip.dsa_estimate + trip.terminal_estimate + Decimal('850.00'))}" in text
    assert "Advance: 80.00 % of the DSA estimate USD 1,200.00" in text
    assert "The DSA table has changed" not in text
    # and who approved it, the clearance and the ticket
    assert f"Approved by {person_name(people.approver)} on" in text
    clearance = trip.clearances.get()
    assert clearance.reference in text
    assert "LATAM" in text and "QX7Y2Z" in text and "USD 812.40" in text


def test_days_the_host_provides_are_listed_and_their_deductions_explained(trip_at: TripAt, undp: Agency) -> None:
    # given a trip whose host provides the room and lunch on the second day (trip_at departs 30 days on)
    second_day = timezone.localtime(timezone.now() - timedelta(days=60)).date() + timedelta(days=31)
    trip = trip_at("approved", provided=[services.ProvidedInput(day=second_day, accommodation=True, lunch=True)])
    # when its authorization is printed
    text = text_of(pdf.authorization_pdf(trip=trip, agency=undp))
    # then the day, what was provided, and each deduction are there
    assert f"{date_format(second_day, 'DATE_FORMAT')} accommodation, lunch" in text
    assert "Accommodation provided, Manaus, Brazil 1 day × −150.00" in text
    assert "Lunch provided, Manaus, Brazil" in text
    assert f"DSA estimate USD {money(trip.dsa_estimate)}" in text
    assert trip.dsa_estimate < Decimal("1350.00")


def test_a_trip_waiting_for_approval_says_so_and_shows_no_ticket(trip_at: TripAt, undp: Agency) -> None:
    trip = trip_at("submitted")
    text = text_of(pdf.authorization_pdf(trip=trip, agency=undp))
    assert "Not yet approved." in text
    assert "Security clearances" not in text
    assert "Booking reference" not in text


def test_neither_document_prints_the_travellers_personal_data(trip_at: TripAt, undp: Agency) -> None:
    # given a trip whose passport, birth date and contacts are recorded
    trip = trip_at("claimed", personal=PERSONAL)
    assert trip.passport_number == "YB4417720"
    # when both documents are printed
    text = text_of(pdf.authorization_pdf(trip=trip, agency=undp)) + text_of(pdf.settlement_pdf(trip=trip, agency=undp))
    # then none of it is on the page
    for secret in ("YB4417720", "98877-6655", "tiago.private@example.org", "1984", "2031"):
        assert secret not in text
    assert "Passport" not in text and "passport" not in text


def test_the_authorization_is_in_the_agencys_language(trip_at: TripAt, undp: Agency) -> None:
    # given an agency that reads French
    undp.language = "fr"
    undp.save(update_fields=["language"])
    trip = trip_at("approved")
    # when its authorization is printed (the person asking reads English)
    with translation.override("en"):
        text = text_of(pdf.authorization_pdf(trip=trip, agency=undp))
    # then labels, money and dates are as French writes them
    assert "Voyageur" in text
    assert "Imputation budgétaire" in text
    assert "Statut" in text
    assert "1 500,00" in text and "1 200,00" in text
    with translation.override("fr"):
        assert date_format(trip.departs_on, "DATE_FORMAT") in text
    assert "1,500.00" not in text


def test_a_rejected_or_cancelled_authorization_says_so_across_the_top(
    trip_at: TripAt, people: People, undp: Agency
) -> None:
    rejected = services.trip_reject(
        agency=undp, trip=trip_at("submitted"), approver=people.approver, reason="Not in the work plan."
    )
    text = text_of(pdf.authorization_pdf(trip=rejected, agency=undp))
    assert "REJECTED" in text and "Not in the work plan." in text
    assert f"Rejected by {person_name(people.approver)} on" in text

    cancelled = services.trip_cancel(
        agency=undp, trip=trip_at("approved"), by=people.requester, reason="The workshop was postponed."
    )
    text = text_of(pdf.authorization_pdf(trip=cancelled, agency=undp))
    assert "CANCELLED" in text and "The workshop was postponed." in text
    assert f"Approved by {person_name(people.approver)} on" in text


def test_when_the_dsa_table_changed_since_submission_the_stored_estimate_stands_and_a_note_says_why(
    trip_at: TripAt, places: Places, undp: Agency
) -> None:
    # given an approved trip, then a new Manaus rate in force from its first night
    trip = trip_at("approved")
    rate(places.manaus, trip.departs_on, "320")
    # when its authorization is printed
    text = text_of(pdf.authorization_pdf(trip=trip, agency=undp))
    # then the lines are today's, the estimate the one approved, and the difference is explained
    assert "5 nights × 320.00" in text
    assert "DSA estimate USD 1,500.00" in text
    assert "The DSA table has changed since these figures were stored" in text


# -- the settlement statement ---------------------------------------------------------------------


def test_a_claim_above_the_advance_is_owed_to_the_traveller(trip_at: TripAt, people: People, undp: Agency) -> None:
    # given a trip travelled as planned and settled: the claim is the whole DSA, the advance 80 % of it
    trip = trip_at("settled")
    claim = trip.claim
    assert claim.settlement_amount > 0
    # when the settlement statement is printed
    text = text_of(pdf.settlement_pdf(trip=trip, agency=undp))
    # then it explains the DSA on the itinerary as travelled and says what is owed to whom
    assert f"Settlement statement {trip.reference}" in text
    assert "5 nights × 300.00" in text
    assert f"USD {money(claim.total)}" in text
    assert "USD −1,200.00" in text  # less the advance
    assert f"Amount owed to the traveller: USD {money(claim.settlement_amount)}" in text
    assert f"Settled by {person_name(people.officer)} on" in text


def test_a_claim_below_the_advance_is_recovered_from_the_traveller(
    trip_at: TripAt, people: People, places: Places, undp: Agency
) -> None:
    # given a traveller who came back after one night of the five advanced, with a visa fee
    trip = trip_at("ticketed", personal=PERSONAL)
    claim = claim_shorter_than_planned(trip, people, places)
    assert claim.dsa_amount == Decimal("300.00")
    assert claim.settlement_amount < 0
    # when the settlement statement is printed, before the travel officer settles it
    text = text_of(pdf.settlement_pdf(trip=trip, agency=undp))
    # then the DSA is that of the one night, and the difference is to be recovered
    assert "1 night × 300.00" in text
    assert "Visa fee" in text and "60.00" in text
    assert f"Amount to be recovered from the traveller: USD {money(-claim.settlement_amount)}" in text
    assert "Awaiting settlement" in text
    for secret in ("YB4417720", "98877-6655", "tiago.private@example.org"):
        assert secret not in text


def test_the_settlement_sentence_says_who_owes_whom() -> None:
    assert pdf.settlement_sentence(Decimal("1234.50")) == "Amount owed to the traveller: USD 1,234.50"
    assert pdf.settlement_sentence(Decimal("-80.00")) == "Amount to be recovered from the traveller: USD 80.00"
    assert pdf.settlement_sentence(Decimal("0.00")).startswith("Nothing owed either way")


def test_there_is_no_settlement_statement_before_the_claim(trip_at: TripAt, undp: Agency) -> None:
    trip = trip_at("ticketed")
    with pytest.raises(ApplicationError) as refused:
        pdf.settlement_pdf(trip=trip, agency=undp)
    assert refused.value.code == "travel.no_claim"
    assert refused.value.status_code == 404


# -- the downloads --------------------------------------------------------------------------------


def test_both_documents_download_as_pdf_files_named_after_the_trip(trip_at: TripAt, undp: Agency) -> None:
    trip = trip_at("claimed")
    authorization = authorization_pdf_response(trip=trip, agency=undp)
    settlement = settlement_pdf_response(trip=trip, agency=undp)
    assert authorization["Content-Type"] == "application/pdf"
    assert authorization["Content-Disposition"] == f'attachment; filename="{trip.reference}-authorization.pdf"'
    assert authorization.content.startswith(b"%PDF")
    assert settlement["Content-Disposition"] == f'attachment; filename="{trip.reference}-settlement.pdf"'
    assert f"Settlement statement {trip.reference}" in text_of(settlement.content)
