"""The helpdesk in each person's language: the ticket page and list in Portuguese, French and Spanish,
dates as the language writes them with their time zone, and step e-mails in each recipient's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from ict_helpdesk import services

from .conftest import in_agency
from .languages import catalogues_ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalogues() -> None:
    catalogues_ready()


def test_a_requester_reads_her_ticket_in_portuguese_from_her_browser(
    undp, undp_requester, ict_agent, raise_ticket, client_at
):
    # given a ticket with a reply from the agent
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_reply, ticket=ticket, author=ict_agent, body="Please restart it.")
    # when the requester's browser asks for Brazilian Portuguese
    page = client_at(undp, undp_requester).get(f"/helpdesk/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="pt-br")
    html = page.content.decode()
    # then the page speaks Portuguese, in the service desk's words
    assert page.status_code == 200
    assert "Atendido por" in html and "Conversa" in html and "Histórico" in html
    assert "Primeiro atendimento" in html  # the clock's name, from the catalogue's metrics
    assert "(impacto médio, urgência alta)" in html
    assert "Handled by" not in html and "Conversation" not in html
    # and the times are written the Brazilian way, with their zone
    assert " de " in html and "UTC-03" in html


def test_a_person_s_saved_language_wins_over_the_browser(undp, undp_requester, raise_ticket, client_at):
    undp_requester.language = "fr"
    undp_requester.save(update_fields=["language"])
    ticket = raise_ticket(undp, undp_requester)
    client = client_at(undp, undp_requester)
    listing = client.get("/helpdesk/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ouvrir un ticket" in listing and "Prochaine échéance" in listing and "Abrir un ticket" not in listing
    page = client.get(f"/helpdesk/{ticket.reference}/").content.decode()
    assert "Pris en charge par" in page and "personne pour l'instant" in page


def test_the_new_ticket_form_is_in_spanish(undp, undp_requester, category, client_at):
    html = client_at(undp, undp_requester).get("/helpdesk/new/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Abrir un ticket TIC" in html
    assert "Incidente: algo no funciona" in html and "Solicitud de servicio: se necesita algo nuevo" in html
    assert "Alta: el trabajo está detenido" in html and "Asunto" in html


def test_a_refusal_is_said_in_the_person_s_language(undp, undp_requester, category, client_at, settings):
    # given attachments limited to 1 MB
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 1_048_576
    big = SimpleUploadedFile("journal.txt", b"a" * 2_000_000)
    form = {"kind": "incident", "category": category.pk, "impact": "low", "urgency": "low"}
    # when a French-speaking requester attaches a bigger file
    response = client_at(undp, undp_requester).post(
        "/helpdesk/new/",
        {**form, "subject": "Imprimante", "description": "Bloquée", "attachments": [big]},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # then the service's refusal reads in French, its code unchanged
    assert response.status_code == 400
    assert "journal.txt dépasse 1 Mo." in response.content.decode()


def test_the_agent_queue_is_in_french(facility, undp, undp_requester, ict_agent, raise_ticket, client_at):
    raise_ticket(undp, undp_requester)
    html = client_at(facility, ict_agent).get("/helpdesk/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "File d'attente TIC" in html and "Prochaine échéance" in html and "Toutes les agences" in html


def test_a_french_speaking_requester_gets_french_e_mails_while_the_agent_gets_english(
    undp, undp_requester, ict_agent, raise_ticket, django_capture_on_commit_callbacks
):
    # given a French-speaking requester and an agent who kept the platform's English
    undp_requester.language = "fr"
    undp_requester.save(update_fields=["language"])
    ticket = raise_ticket(undp, undp_requester)
    in_agency(undp, services.ticket_take, ticket=ticket, agent=ict_agent)
    mail.outbox.clear()
    # when the requester answers and the agent then resolves the ticket
    with django_capture_on_commit_callbacks(execute=True):
        in_agency(undp, services.ticket_reply, ticket=ticket, author=undp_requester, body="Toujours en panne.")
    with django_capture_on_commit_callbacks(execute=True):
        in_agency(undp, services.ticket_resolve, ticket=ticket, actor=ict_agent, resolution_note="Screen replaced.")
    sent = {(message.to[0], message.subject): message.body for message in mail.outbox}
    # then the agent read the reply in English
    agent_body = sent[(ict_agent.email, f"{ticket.reference}: new reply")]
    assert f"wrote on {ticket.reference}:" in agent_body and "Status:" in agent_body
    # and the requester read the resolution in French, subject and body, with her survey link
    french_body = sent[(undp_requester.email, f"{ticket.reference} résolu : qu'en avez-vous pensé ?")]
    assert f"{ticket.reference} a été résolu :" in french_body
    assert "Évaluez-le (de 1 à 5) en un clic" in french_body and "/helpdesk/survey/" in french_body
    assert "rouvrir le ticket depuis sa page dans un délai de 7 jours" in french_body
    assert "Statut :" in french_body and "How did we do" not in french_body
