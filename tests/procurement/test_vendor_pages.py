"""The vendor's personal link on the facility portal, without an account: reading the solicitation, asking,
submitting and replacing a sealed bid before the deadline, a late bid kept and marked, the page closed after
the deadline, a wrong link found nowhere, and the vendor's own language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from procurement import services
from procurement.models import Bid, Question
from procurement.views import vendor as vendor_views

from .conftest import line, past_deadline
from .pages_fixtures import tender_url

pytest_plugins = ["tests.procurement.pages_fixtures"]
pytestmark = pytest.mark.usefixtures("quiet")


@contextmanager
def in_schema(agency) -> Iterator[None]:
    """A portal request leaves the connection in the public schema; the agency's rows are read in its own."""
    with schema_context(agency.schema_name):
        yield


@pytest.fixture
def rfq(solicited, vendors, undp):
    """An RFQ of UNDP for two lines, open a week, and the link of its first (English-speaking) vendor."""
    laptops = vendors[0].categories.get()
    lines = [line(laptops, quantity="10", price="1234.56"), line(laptops, quantity="5", price="987.65", unit="box")]
    solicitation, tokens = solicited(
        "17283.10", invited=[vendors[2], vendors[0], vendors[1]], requisition_fields={"lines": lines}
    )
    invitation = solicitation.invitations.get(vendor=vendors[2])
    return solicitation, invitation, tokens[vendors[2].pk]


def _bid(prices: tuple[str, str], currency: str = "USD") -> dict[str, str]:
    return {"currency": currency, "price_1": prices[0], "price_2": prices[1]}


def test_the_vendor_reads_the_solicitation_without_an_account_and_never_the_estimates(rfq, vendor_browser, undp):
    solicitation, _invitation, token = rfq
    page = vendor_browser.get(tender_url(undp, token))
    assert page.status_code == 200
    html = page.content.decode()
    assert solicitation.reference in html
    assert "United Nations Development Programme" in html
    assert "Quote delivered prices including taxes." in html
    assert "UTC-03" in html  # the deadline with its time zone
    assert "box" in html and "10.00" in html
    assert "1,234.56" not in html and "1234.56" not in html and "987.65" not in html
    assert 'id="bid-form"' in html and 'id="question-form"' in html


def test_a_bid_before_the_deadline_is_sealed_and_its_replacement_counts(rfq, vendor_browser, undp):
    _solicitation, invitation, token = rfq
    first = vendor_browser.post(tender_url(undp, token), _bid(("1111.1111", "222.22")))
    assert first.status_code == 302
    replaced = vendor_browser.post(tender_url(undp, token), _bid(("1099.5", "210.75")))
    assert replaced.status_code == 302
    with in_schema(undp):
        bids = list(Bid.objects.filter(invitation=invitation).order_by("received_at", "pk"))
    assert [(bid.late, bid.superseded) for bid in bids] == [(False, True), (False, False)]
    assert bids[1].total is None  # sealed: nothing readable before the opening
    page = vendor_browser.get(tender_url(undp, token)).content.decode()
    assert "Your last submission before the deadline is the one that counts." in page
    assert "replaced by a later submission" in page
    for price in ("1111.1111", "1,111.11", "222.22", "1099.5", "1,099.50", "210.75"):
        assert price not in page
    assert "Replace my bid" in page


def test_bad_prices_are_refused_on_their_line_and_nothing_is_kept(rfq, vendor_browser, undp):
    _solicitation, invitation, token = rfq
    response = vendor_browser.post(tender_url(undp, token), _bid(("-5", "")))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value is greater than or equal to 0." in html
    assert "This field is required." in html
    refused_file = _bid(("10", "10")) | {"documents": SimpleUploadedFile("offer.exe", b"MZ\x90\x00" + b"\x00" * 60)}
    assert vendor_browser.post(tender_url(undp, token), refused_file).status_code == 400
    with in_schema(undp):
        assert not Bid.objects.filter(invitation=invitation).exists()


def test_after_the_deadline_the_page_is_closed_and_a_late_bid_is_kept_marked_late(rfq, vendor_browser, undp):
    solicitation, invitation, token = rfq
    with in_schema(undp):
        past_deadline(solicitation)
    page = vendor_browser.get(tender_url(undp, token)).content.decode()
    assert "Bidding is closed" in page
    assert 'id="bid-form"' not in page and 'id="question-form"' not in page
    # a page left open before the deadline still posts: the bid is kept, late, never to be opened
    response = vendor_browser.post(tender_url(undp, token), _bid(("900", "90")))
    assert response.status_code == 302
    with in_schema(undp):
        late = Bid.objects.get(invitation=invitation)
    assert late.late and late.total is None
    assert "late: kept, not opened" in vendor_browser.get(tender_url(undp, token)).content.decode()
    assert vendor_browser.post(tender_url(undp, token, "question/"), {"text": "Too late?"}).status_code == 409


@pytest.mark.parametrize("wrong", ["wrong-token", "x" * 300, ""])
def test_a_wrong_link_finds_nothing(rfq, vendor_browser, undp, wrong):
    assert vendor_browser.get(tender_url(undp, wrong)).status_code == 404


def test_a_link_under_another_agencys_code_or_renewed_finds_nothing(rfq, vendor_browser, undp, unfpa, people):
    _solicitation, invitation, token = rfq
    assert vendor_browser.get(f"/tenders/{unfpa.code.lower()}/{token}/").status_code == 404
    assert vendor_browser.get(f"/tenders/nosuch/{token}/").status_code == 404
    assert vendor_browser.get(f"/tenders/{undp.code}/{token}/").status_code == 200  # the code in any case
    with in_schema(undp):
        renewed = services.invitation_link_renew(invitation=invitation, by=people.buyer)
    assert vendor_browser.get(tender_url(undp, token)).status_code == 404
    assert vendor_browser.get(tender_url(undp, renewed)).status_code == 200


def test_questions_are_asked_and_answers_shown_to_all_without_who_asked(rfq, vendor_browser, undp, people):
    solicitation, invitation, token = rfq
    assert vendor_browser.post(tender_url(undp, token, "question/"), {"text": ""}).status_code == 400
    response = vendor_browser.post(tender_url(undp, token, "question/"), {"text": "Is a 15 inch screen acceptable?"})
    assert response.status_code == 302
    with in_schema(undp):
        question = Question.objects.get(invitation=invitation)
        services.question_answer(question=question, answer="Yes, 14 or 15 inch.", by=people.buyer)
        other = solicitation.invitations.exclude(pk=invitation.pk).first()
        other_token = services.invitation_link_renew(invitation=other, by=people.buyer)
    page = vendor_browser.get(tender_url(undp, other_token)).content.decode()
    assert "Is a 15 inch screen acceptable?" in page and "Yes, 14 or 15 inch." in page
    assert invitation.vendor_name not in page


def test_the_solicitations_documents_download(solicited, vendors, vendor_browser, undp):
    pdf = SimpleUploadedFile("terms.pdf", b"%PDF-1.4\n%terms of reference\n", content_type="application/pdf")
    solicitation, tokens = solicited("20000.00", documents=[pdf])
    with in_schema(undp):
        document = solicitation.documents.get()
    token = tokens[vendors[0].pk]
    assert "terms.pdf" in vendor_browser.get(tender_url(undp, token)).content.decode()
    download = vendor_browser.get(tender_url(undp, token, f"documents/{document.pk}/"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.4")
    assert vendor_browser.get(tender_url(undp, token, f"documents/{document.pk + 99}/")).status_code == 404


def test_the_page_speaks_the_vendors_language_unless_it_chose_another(solicited, vendors, vendor_browser, undp):
    _solicitation, tokens = solicited("20000.00")
    token = tokens[vendors[0].pk]  # Alfa Informática: Portuguese
    page = vendor_browser.get(tender_url(undp, token))
    assert 'lang="pt-br"' in page.content.decode()
    vendor_browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert 'lang="fr"' in vendor_browser.get(tender_url(undp, token)).content.decode()


def test_an_rfp_bid_carries_its_technical_proposal(solicited, vendors, vendor_browser, undp):
    solicitation, tokens = solicited(
        "250000.00",
        method="rfp",
        criteria=[services.CriterionInput("Methodology", 60), services.CriterionInput("Experience", 40)],
    )
    token = tokens[vendors[0].pk]
    page = vendor_browser.get(tender_url(undp, token)).content.decode()
    assert 'name="technical_proposal"' in page
    missing = vendor_browser.post(tender_url(undp, token), {"currency": "USD", "price_1": "240000"})
    assert missing.status_code == 400
    with_proposal = {"currency": "USD", "price_1": "240000", "technical_proposal": "Our approach, in three phases."}
    assert vendor_browser.post(tender_url(undp, token), with_proposal).status_code == 302
    with in_schema(undp):
        bid = Bid.objects.get(solicitation=solicitation)
    assert bid.sealed_technical and bid.technical_proposal == ""


def test_posts_from_one_address_are_throttled(rfq, vendor_browser, undp, monkeypatch):
    _solicitation, _invitation, token = rfq
    monkeypatch.setattr(vendor_views, "POSTS_PER_MINUTE", 1)
    assert vendor_browser.post(tender_url(undp, token), _bid(("10", "10"))).status_code == 302
    assert vendor_browser.post(tender_url(undp, token), _bid(("10", "10"))).status_code == 429


def test_the_deadline_shown_follows_an_amendment(rfq, vendor_browser, undp, people):
    solicitation, _invitation, token = rfq
    with in_schema(undp):
        services.amendment_issue(
            solicitation=solicitation,
            text="Delivery in two lots.",
            by=people.buyer,
            new_deadline=timezone.now() + timedelta(days=14),
        )
    page = vendor_browser.get(tender_url(undp, token)).content.decode()
    assert "Delivery in two lots." in page and "New deadline" in page
