"""The board in each reader's language: pages, refusals, the register read from its record, and minutes and
result sheets in the language of the agency the reader sits for."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from governance import services
from governance.models import RegisterEntry
from tenants.models import Agency

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def speaks(agency: Agency, language: str) -> Agency:
    Agency.objects.filter(pk=agency.pk).update(language=language)
    agency.refresh_from_db()
    return agency


@pytest.fixture
def decided(six_members, make_motion, vote, secretary):
    """A motion adopted by four votes in favour, one against, one abstention."""
    motion = make_motion(title="Cost-sharing key 2027")
    for agency, choice in zip(six_members, ["for", "for", "for", "for", "against", "abstain"], strict=True):
        vote(motion, agency, choice)
    services.motion_close(motion=motion, closed_by=secretary)
    return motion


def test_a_spanish_representative_reads_the_motion_in_spanish(
    six_members, make_motion, representative_of, client_at, facility
):
    # given UNDP's representative, who chose Spanish
    motion = make_motion()
    person = representative_of(six_members[0])
    person.language = "es"
    person.save(update_fields=["language"])

    # when they open the motion
    page = client_at(facility, person).get(f"/governance/motions/{motion.pk}/").content.decode()

    # then it reads in Spanish, its closing time written the Spanish way with its zone
    assert "Regla de decisión" in page and "Mayoría simple de los votos emitidos" in page
    assert "El voto de su organismo" in page and "Votar" in page
    closes = timezone.localtime(motion.closes_at)
    assert f"{closes.day} de " in page and closes.strftime("%Z") in page


def test_a_french_browser_reads_the_register_and_the_decision_explained_in_french(
    decided, facility, secretary, client_at
):
    entry = RegisterEntry.objects.get(motion=decided)
    browser = client_at(facility, secretary)

    listing = browser.get("/governance/register/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Registre des décisions" in listing and "Adoptée" in listing

    page = browser.get(f"/governance/register/{entry.number}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "4 pour, 1 contre, 1 abstentions" in page
    assert "la majorité des suffrages exprimés est requise" in page
    # the record itself stays in the platform's language, whatever the reader's
    assert entry.content["explanation"].startswith("4 in favour, 1 against")


def test_closing_in_portuguese_still_records_the_register_in_the_platforms_language(
    six_members, make_motion, vote, secretary, client_at, facility
):
    motion = make_motion()
    for agency in six_members[:4]:
        vote(motion, agency, "for")
    secretary.language = "pt-br"
    secretary.save(update_fields=["language"])
    response = client_at(facility, secretary).post(f"/governance/motions/{motion.pk}/close/", {"confirm": "on"})
    assert response.status_code == 302
    entry = RegisterEntry.objects.get(motion=motion)
    assert entry.content["outcome_label"] == "Adopted" and "in favour" in entry.content["explanation"]
    page = client_at(facility, secretary).get(f"/governance/motions/{motion.pk}/").content.decode()
    assert "Aprovada" in page and "4 a favor" in page


def test_the_minutes_are_in_the_language_of_the_readers_seat(
    decided, six_members, representative_of, client_at, facility
):
    # given UNFPA reads its minutes in Portuguese (as in the demo)
    unfpa = speaks(six_members[1], "pt-br")
    meeting = services.meeting_create(
        created_by=decided.created_by, title="Sessão ordinária", starts_at=timezone.now(), agenda="Chave de rateio"
    )

    # when UNFPA's representative downloads the result sheet, whatever their browser says
    reader = client_at(facility, representative_of(unfpa))
    result = pdf_text(reader.get(f"/governance/motions/{decided.pk}/result.pdf", HTTP_ACCEPT_LANGUAGE="fr").content)
    minutes = pdf_text(reader.get(f"/governance/meetings/{meeting.pk}/minutes.pdf").content)

    # then both are in Portuguese
    assert "resultado de uma moção" in result and "Aprovada" in result and "Regra de decisão" in result
    assert "4 a favor, 1 contra, 1 abstenções" in result and "Página 1 de 1" in result
    assert "— ata" in minutes and "Pauta" in minutes


def test_without_a_seat_the_reader_gets_their_own_language(decided, secretary, client_at, facility):
    secretary.language = "fr"
    secretary.save(update_fields=["language"])
    text = pdf_text(client_at(facility, secretary).get(f"/governance/motions/{decided.pk}/result.pdf").content)
    assert "résultat d'une motion" in text and "Adoptée" in text and "Page 1 sur 1" in text


def test_a_refusal_reads_in_the_readers_language(six_members, make_motion, representative_of, api_at, facility):
    # given a program calling the API for UNDP's representative, asking for French
    motion = make_motion()
    person = representative_of(six_members[0])

    # when it casts a ballot the motion's rule does not know
    response = api_at(facility, person).post(
        f"/api/governance/motions/{motion.pk}/ballot/", {"choice": "object"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    # then the refusal's message is French, its code unchanged
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "governance.invalid_choice"  # the code never changes
    assert "n'est pas un vote possible sur cette motion" in error["message"]
