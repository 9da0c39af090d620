"""Procurement's documents and e-mails: the purchase order, the opening record and the evaluation report read
back from their PDFs; each step's e-mails to the right people in their language; the vendor's personal link;
a bid receipt that never gives the prices away."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import resolve
from django.utils import timezone, translation
from pypdf import PdfReader

from procurement import pdf, services
from procurement.models import Method, PurchaseOrder
from tenants.models import Agency
from vendors.models import Vendor

from .conftest import People, past_deadline

if TYPE_CHECKING:
    from .docs_fixtures import ItbCase

pytest_plugins = ["tests.procurement.docs_fixtures"]


def text_of(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def person_name(user: Any) -> str:
    return str(user.get_full_name() or user.email)


def mails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [address]]


# -- the purchase order ---------------------------------------------------------------------


def test_the_purchase_order_reads_back_in_the_vendors_language_with_its_number_lines_and_totals(
    itb_case: ItbCase, people: People
) -> None:
    # given an order issued to Alfa (a Brazilian vendor, Portuguese) in BRL
    order = itb_case.order
    assert order.vendor_language == "pt-br"
    # when its PDF is rendered
    text = text_of(pdf.order_pdf(order))
    # then it carries the number, the parties, the lines and the totals as Portuguese writes them
    assert re.fullmatch(r"UNDP-PO-\d{4}-\d{6}", order.number)
    assert f"Pedido de compra {order.number}" in text
    assert "Alfa Informática Ltda" in text
    assert "United Nations Development Programme" in text
    assert "BRL 573.456,79" in text  # 100 x 4.500,00 + 10 x 12.345,6789
    assert "12.345,6789" in text
    assert "USD 114.691,36" in text  # at 5,00 BRL per USD
    assert "BRA10-00123-71200" in text
    assert "UN House, Brasília" in text
    assert "Warranty: 3 years on site." in text
    assert f"Emitido por {person_name(people.buyer)}" in text


def test_the_issued_order_is_stored_and_e_mailed_to_the_vendor_with_its_pdf(itb_case: ItbCase) -> None:
    order = PurchaseOrder.objects.get(pk=itb_case.order.pk)
    # the worker stored the PDF
    assert order.pdf.name.endswith(".pdf")
    with order.pdf.open("rb") as stored:
        assert order.number in text_of(stored.read())
    # and the vendor got it attached, in Portuguese
    [sent] = [m for m in mails_to(order.vendor_email) if m.attachments]
    assert sent.subject == f"Pedido de compra {order.number}"
    [(name, content, kind)] = sent.attachments
    assert (name, kind) == (f"{order.number}.pdf", "application/pdf")
    assert order.number in text_of(content)


def test_a_revision_says_what_it_replaces_and_a_cancelled_order_says_cancelled(
    itb_case: ItbCase, people: People, committed: Callable[..., Any]
) -> None:
    revision = committed(
        services.order_revise,
        order=itb_case.order,
        by=people.buyer,
        change_note="Delivery moved to the regional office.",
        delivery_date=timezone.localdate() + timedelta(days=90),
    )
    text = text_of(pdf.order_pdf(revision))
    assert "Revisão 1" in text
    assert "Delivery moved to the regional office." in text
    # the vendor received the revision as a PDF too
    assert any(f"{revision.number}-rev.-1.pdf" == m.attachments[0][0] for m in mail.outbox if m.attachments)

    mail.outbox.clear()
    cancelled = committed(services.order_cancel, order=revision, by=people.buyer, reason="Budget withdrawn.")
    text = text_of(pdf.order_pdf(cancelled))
    assert "CANCELADO" in text
    assert "Budget withdrawn." in text
    # the requester and the vendor are told, each in their language
    assert mails_to(people.requester.email)[0].subject.endswith(f"{revision.display_number} cancelled")
    [to_vendor] = mails_to(revision.vendor_email)
    assert to_vendor.subject == f"Pedido de compra {revision.display_number} cancelado"
    assert "Budget withdrawn." in to_vendor.body


# -- the opening record and the evaluation report -----------------------------------------


def test_the_opening_record_lists_each_bidder_when_its_bid_arrived_and_the_prices_read_out(
    itb_case: ItbCase, people: People
) -> None:
    text = text_of(pdf.opening_pdf(itb_case.opening))
    assert f"Bid opening record {itb_case.solicitation.reference}" in text
    assert person_name(people.buyer) in text and person_name(people.officer) in text
    assert "Total price BRL 573,456.79" in text
    assert "USD 114,691.36" in text
    assert "Total price USD 120,000.00" in text  # Beta: 100 x 1,000 + 10 x 2,000
    # the late bid is listed, marked late, and its prices never appear
    assert "Gama Tecnologia Ltda" in text
    assert "Late: received after the deadline, not opened" in text
    assert "109,000.00" not in text  # Gama's sealed 100 x 900 + 10 x 1,900


def test_the_opening_record_is_in_the_readers_language(itb_case: ItbCase) -> None:
    with translation.override("fr"):
        text = text_of(pdf.opening_pdf(itb_case.opening))
    assert "Procès-verbal d'ouverture des offres" in text
    assert "En retard : reçue après la date limite, non ouverte" in text
    assert "Prix total BRL 573 456,79" in text.replace("\u202f", " ").replace("\xa0", " ")


def test_the_evaluation_report_gives_each_finding_the_usd_comparison_and_why_the_recommendation(
    itb_case: ItbCase, people: People
) -> None:
    text = text_of(pdf.evaluation_pdf(itb_case.solicitation))
    assert f"Evaluation report {itb_case.solicitation.reference}" in text
    assert person_name(people.evaluator) in text
    assert "I declare that I have no conflict of interest" in text
    assert "No warranty offered on the docking stations." in text
    assert "1 USD = 5.0000 BRL" in text
    assert (
        "Alfa Informática Ltda is recommended: of the 1 compliant bids (out of 2 evaluated), it has the lowest "
        "price compared in US dollars, USD 114,691.36." in text
    )
    assert "Lowest priced compliant bid." in text  # the award's justification
    assert "Gama Tecnologia Ltda" in text  # listed as late, not evaluated


def test_an_rfp_report_shows_the_scores_per_criterion_and_the_committees_review(
    people: People, solicited: Callable[..., Any], brl_rate: Any, committed: Callable[..., Any]
) -> None:
    solicitation, _ = solicited(
        "350000.00",
        method=Method.RFP,
        criteria=[services.CriterionInput("Methodology", 60), services.CriterionInput("Team", 40)],
    )
    strong, good, weak = solicitation.invitations.all()
    bids = {
        "strong": services.bid_submit(
            invitation=strong, currency="USD", unit_prices=["240000"], technical_proposal="A"
        ),
        "good": services.bid_submit(invitation=good, currency="BRL", unit_prices=["1000000"], technical_proposal="B"),
        "weak": services.bid_submit(invitation=weak, currency="USD", unit_prices=["100000"], technical_proposal="C"),
    }
    past_deadline(solicitation)
    technical = services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    assert "Technical envelope opened" in text_of(pdf.opening_pdf(technical))
    for evaluator in (people.evaluator, people.officer):
        services.evaluator_declare(solicitation=solicitation, user=evaluator, no_conflict=True)
    methodology, team = solicitation.criteria.all()
    given = {"strong": (90, 80, 100, 90), "good": (80, 70, 70, 80), "weak": (50, 60, 60, 50)}
    for name, (m1, m2, t1, t2) in given.items():
        for evaluator, (m, t) in ((people.evaluator, (m1, t1)), (people.officer, (m2, t2))):
            services.technical_score_record(bid=bids[name], criterion=methodology, by=evaluator, score=m)
            services.technical_score_record(bid=bids[name], criterion=team, by=evaluator, score=t)
    services.technical_lock(solicitation=solicitation, by=people.buyer)
    financial = services.bids_open(solicitation=solicitation, officers=[people.buyer, people.officer])
    opening_text = text_of(pdf.opening_pdf(financial))
    assert "Below the minimum technical score: financial envelope not opened" in opening_text
    assert "100,000.00" not in opening_text  # the weak bid's price stays sealed
    mail.outbox.clear()
    committed(services.evaluation_complete, solicitation=solicitation, by=people.buyer)
    # the committee member is asked to review, in English
    assert mails_to(people.committee.email)[0].subject.endswith("is before the contracts committee")
    services.committee_review(solicitation=solicitation, member=people.committee, decision="approve", comments="Sound.")

    text = text_of(pdf.evaluation_pdf(solicitation))
    assert "Methodology (60 %)" in text
    assert "85.00" in text  # strong, methodology: (90 + 80) / 2
    assert "89.00" in text and "87.30" in text and "82.50" in text
    assert (
        "is recommended: it has the highest combined score, 87.30 of 100 (technical 89.00 × 70 % + financial 25.00), "
        "among the 2 bids that reached the minimum technical score of 70.00 %." in text
    )
    assert person_name(people.committee) in text and "Sound." in text


# -- e-mails at each step ---------------------------------------------------------------------


def test_the_approvers_hear_of_a_new_requisition_and_the_requester_of_its_approval_in_their_language(
    people: People, undp: Agency, raise_requisition: Callable[..., Any], committed: Callable[..., Any]
) -> None:
    people.approver.language = "es"
    people.approver.save(update_fields=["language"])
    people.requester.language = "fr"
    people.requester.save(update_fields=["language"])
    requisition = committed(raise_requisition, total="50000.00")
    # the approver (never the requester) is asked, in Spanish
    assert [m.to for m in mail.outbox] == [[people.approver.email]]
    assert mail.outbox[0].subject.startswith(f"{requisition.reference} espera su aprobación")
    assert f"http://undp.{settings.BASE_DOMAIN}/procurement/{requisition.reference}/" in mail.outbox[0].body
    mail.outbox.clear()
    committed(services.requisition_approve, agency=undp, requisition=requisition, approver=people.approver)
    # the requester (French) and the facility's procurement officers (English) are told; not the approver
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted(
        [people.requester.email, people.buyer.email, people.officer.email, people.evaluator.email]
    )
    assert mails_to(people.requester.email)[0].subject.startswith(f"{requisition.reference} approuvée")
    assert mails_to(people.buyer.email)[0].subject.startswith(f"{requisition.reference} approved")
    assert f"http://{settings.BASE_DOMAIN}/procurement/{requisition.reference}/" in mails_to(people.buyer.email)[0].body


def test_a_rejection_tells_the_requester_why(
    people: People, undp: Agency, raise_requisition: Callable[..., Any], committed: Callable[..., Any]
) -> None:
    requisition = committed(raise_requisition, total="50000.00")
    mail.outbox.clear()
    committed(
        services.requisition_reject,
        agency=undp,
        requisition=requisition,
        approver=people.approver,
        reason="No budget left this year.",
    )
    [sent] = mail.outbox
    assert sent.to == [people.requester.email]
    assert "No budget left this year." in sent.body


def test_each_invited_vendor_gets_a_working_personal_link_in_its_language(
    people: People,
    vendors: list[Vendor],
    solicited: Callable[..., Any],
    committed: Callable[..., Any],
    client_at: Callable[..., Client],
    facility: Agency,
) -> None:
    solicitation, tokens = committed(solicited, total="50000.00")
    invited = {invitation.vendor_id: invitation for invitation in solicitation.invitations.all()}
    links: dict[str, str] = {}
    for vendor in vendors[:3]:
        [sent] = mails_to(vendor.email)
        if vendor.language == "pt-br":
            assert sent.subject.startswith("Convite para apresentar proposta")
        else:
            assert sent.subject.startswith("Invitation to submit a bid")
        [link] = re.findall(r"http://\S+/tenders/\S+/", sent.body)
        parts = urlsplit(link)
        assert parts.netloc == settings.BASE_DOMAIN
        assert parts.path == f"/tenders/undp/{tokens[vendor.pk]}/"
        # the link opens that vendor's invitation, and only that one
        assert resolve(parts.path, urlconf=settings.PUBLIC_SCHEMA_URLCONF).view_name == "tenders:bid"
        found = services.invitation_by_token(token=tokens[vendor.pk])
        assert found is not None and found.pk == invited[vendor.pk].pk
        links[vendor.legal_name] = parts.path
        # never another bidder's name
        for other in vendors[:3]:
            if other.pk != vendor.pk:
                assert other.legal_name not in sent.body
    # and opens the vendor's page on the portal, without an account
    for vendor_name, path in links.items():
        page = client_at(facility).get(path)
        assert page.status_code == 200 and vendor_name in page.content.decode()


def test_the_bid_receipt_says_when_and_whether_late_but_never_the_prices(
    solicited: Callable[..., Any], committed: Callable[..., Any]
) -> None:
    solicitation, _ = solicited("50000.00")
    alfa = solicitation.invitations.order_by("vendor_name").first()
    mail.outbox.clear()
    committed(services.bid_submit, invitation=alfa, currency="USD", unit_prices=["47123.45"])
    past_deadline(solicitation)
    committed(services.bid_submit, invitation=alfa, currency="USD", unit_prices=["46999.99"])
    on_time, late = mails_to(alfa.email)
    for receipt in (on_time, late):
        for figure in ("47123", "47,123", "47.123", "46999", "46,999", "46.999"):
            assert figure not in receipt.body and figure not in receipt.subject
    assert "antes do prazo" in on_time.body  # Alfa reads Portuguese
    assert "depois do prazo" in late.body and "não será aberta" in late.body


def test_clarifications_go_to_every_invitee_without_saying_who_asked(
    people: People, solicited: Callable[..., Any], committed: Callable[..., Any]
) -> None:
    solicitation, _ = solicited("50000.00")
    asker = solicitation.invitations.order_by("vendor_name").first()
    question = committed(services.question_ask, invitation=asker, text="Is a 15 inch screen acceptable?")
    assert mails_to(people.buyer.email)  # the buyer is told a question came in
    mail.outbox.clear()
    committed(services.question_answer, question=question, answer="Yes, 14 or 15 inch.", by=people.buyer)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(i.email for i in solicitation.invitations.all())
    for sent in mail.outbox:
        assert "Is a 15 inch screen acceptable?" in sent.body and "Yes, 14 or 15 inch." in sent.body
        assert asker.vendor_name not in sent.body


def test_an_amendment_that_moves_the_deadline_says_so(
    people: People, solicited: Callable[..., Any], committed: Callable[..., Any]
) -> None:
    solicitation, _ = solicited("50000.00")
    mail.outbox.clear()
    committed(
        services.amendment_issue,
        solicitation=solicitation,
        text="Add a carrying case to line 1.",
        by=people.buyer,
        new_deadline=timezone.now() + timedelta(days=14),
    )
    english = [m for m in mail.outbox if m.subject.endswith("amendment 1")]
    assert english and "The submission deadline moves from" in english[0].body
    assert "Add a carrying case to line 1." in english[0].body


def test_every_bidder_is_told_the_outcome(itb_case: ItbCase, vendors: list[Vendor]) -> None:
    alfa, beta, gama = vendors[:3]
    assert any("adjudicado à sua empresa" in m.body for m in mails_to(alfa.email))
    assert any("não foi selecionada" in m.body for m in mails_to(beta.email))
    assert any("arrived after the deadline and was not opened" in m.body for m in mails_to(gama.email))
    # and each invitation keeps when its vendor was told
    told = {i.vendor_id: i.outcome_sent_at for i in itb_case.solicitation.invitations.all()}
    assert all(told[vendor.pk] is not None for vendor in (alfa, beta, gama))


def test_the_requester_is_told_of_the_order(itb_case: ItbCase, people: People) -> None:
    [ordered] = [m for m in mails_to(people.requester.email) if "ordered" in m.subject]
    assert itb_case.order.number in ordered.subject
    assert "BRL 573,456.79" in ordered.body
