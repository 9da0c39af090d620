"""Each person's language on the pages, in their e-mails, and in the numbers and dates they read.

A person's pages follow the language saved on their account, else their browser's (Accept-Language); a
choice made on the sign-in page is kept at sign-in and follows them to every address. Dates carry their
time zone in the reader's format; amounts are grouped as the reader's language writes them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from accounts.models import Role, User
from ledger.notifications import sla_alert_send
from ledger.services import entry_assign
from service_levels.models import Metric
from shared_platform.templatetags.platform import money, month_name, when
from tests.conftest import host_of
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN_HEADINGS = {
    "en": "Sign in to UNDP",
    "fr": "Se connecter à UNDP",
    "es": "Iniciar sesión en UNDP",
    "pt-br": "Entrar em UNDP",
}


@pytest.mark.parametrize(("language", "heading"), SIGN_IN_HEADINGS.items())
def test_the_sign_in_page_is_in_the_browsers_language(undp, language, heading):
    # given a browser that asks for this language
    client = Client(HTTP_HOST=host_of(undp), HTTP_ACCEPT_LANGUAGE=language)

    # when it opens the sign-in page
    page = client.get("/accounts/login/").content.decode()

    # then the page is in that language, and says so
    assert f"<h1>{heading}</h1>" in page
    assert f'<html lang="{language}">' in page


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("fr", ["Vos demandes ouvertes", "Connecté en tant que", "Demandes", "Se déconnecter"]),
        ("es", ["Sus solicitudes abiertas", "Sesión iniciada como", "Solicitudes", "Cerrar sesión"]),
        ("pt-br", ["Suas solicitações abertas", "Conectado como", "Solicitações", "Sair"]),
    ],
)
def test_a_persons_saved_language_sets_their_start_page_whatever_the_browser_asks(
    undp, make_person, client_at, language, texts
):
    # given a requester who chose this language, in a browser asking for English
    ana = make_person((Role.REQUESTER, undp), email="ana@undp.test", language=language)
    client = client_at(undp, ana)

    # when she opens her start page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then it is in her language, role and navigation included
    for text in texts:
        assert text in page, text


def test_the_request_list_and_the_dashboard_read_in_portuguese(
    undp, make_person, client_at, undp_agreement, raise_request
):
    # given a Portuguese-speaking requester with a request at risk
    ana = make_person((Role.REQUESTER, undp), email="ana@undp.test", language="pt-br")
    raise_request(undp, "ICT-INC", timezone.now() - timedelta(days=3), priority="P1", requester=ana)
    client = client_at(undp, ana)

    # when she reads her requests and the SLA dashboard
    requests_page = client.get("/requests/").content.decode()
    dashboard = client.get("/sla/").content.decode()

    # then the headings, states and dates are Portuguese
    assert "Suas solicitações · UNDP" in requests_page and "Em andamento" in requests_page
    assert " de 20" in requests_page and "UTC-03" in requests_page  # "25 de novembro de 2026 às 12:40 UTC-03"
    assert "Conformidade com o ANS · UNDP" in dashboard and "Tempo útil restante" in dashboard
    assert "de atraso" in dashboard  # business time left: "2 dias 4 h de atraso"


def test_a_language_chosen_on_the_sign_in_page_is_kept_and_follows_the_person_to_another_address(
    undp, facility, make_person
):
    # given a board member who has never chosen a language
    make_person((Role.REQUESTER, undp), (Role.BOARD_REPRESENTATIVE, undp), email="bia@undp.test")
    client = Client(HTTP_HOST=host_of(undp), HTTP_ACCEPT_LANGUAGE="en")

    # when she chooses Spanish on the sign-in page, then signs in
    client.post("/language/", {"language": "es", "next": "/accounts/login/"})
    response = client.post("/accounts/login/", {"email": "bia@undp.test", "password": PASSWORD})

    # then Spanish is saved on her account
    assert response.status_code == 302
    assert User.objects.get(email="bia@undp.test").language == "es"

    # when she signs in at the facility portal from another browser, which asks for English
    portal = Client(HTTP_HOST=host_of(facility), HTTP_ACCEPT_LANGUAGE="en")
    portal.post("/accounts/login/", {"email": "bia@undp.test", "password": PASSWORD})
    page = portal.get("/").content.decode()

    # then the portal is in Spanish too
    assert "<h1>Portal del centro de servicios</h1>" in page


def test_signing_out_says_so_in_the_persons_language(undp, make_person, client_at):
    # given a French-speaking requester, signed in
    ana = make_person((Role.REQUESTER, undp), email="ana@undp.test", language="fr")
    client = client_at(undp, ana)
    client.cookies["django_language"] = "fr"

    # when she signs out
    response = client.post("/accounts/logout/", follow=True)

    # then the sign-in page tells her she signed out
    assert "Vous êtes déconnecté." in response.content.decode()


def test_a_refused_sign_in_names_the_addresses_where_that_account_can_sign_in(undp, unfpa, make_person):
    # given a UNDP requester at UNFPA's address
    make_person((Role.REQUESTER, undp), email="ana@undp.test")
    client = Client(HTTP_HOST=host_of(unfpa))

    # when she signs in there with the right password
    response = client.post("/accounts/login/", {"email": "ana@undp.test", "password": PASSWORD})

    # then she is refused, told where she can sign in, with a link to it
    page = response.content.decode()
    assert response.status_code == 403
    assert "Sign in at: United Nations Development Programme." in page
    assert 'href="http://undp.localhost/accounts/login/"' in page or "undp.localhost" in page


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "7,772.07"), ("pt-br", "7.772,07"), ("es", "7\u202f772,07"), ("fr", "7\u202f772,07")],
)
def test_money_is_grouped_as_the_readers_language_writes_it(language, written):
    # given an amount
    amount = Decimal("7772.07")

    # when it is shown in a language
    with translation.override(language):
        shown = money(amount)

    # then its separators are the language's (French groups with a space)
    assert shown.replace("\xa0", "\u202f") == written


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "Nov. 25, 2026, 2:30 p.m. UTC-03"),
        ("fr", "25 novembre 2026 14:30 UTC-03"),
        ("es", "25 de noviembre de 2026 a las 14:30 UTC-03"),
        ("pt-br", "25 de Novembro de 2026 às 14:30 UTC-03"),
    ],
)
def test_an_instant_is_written_in_the_readers_format_with_its_time_zone(language, written):
    # given an instant in UTC
    moment = datetime(2026, 11, 25, 17, 30, tzinfo=ZoneInfo("UTC"))

    # when it is shown in a language, in the Brasília office's zone
    with translation.override(language), timezone.override("America/Sao_Paulo"):
        shown = when(moment)

    # then the date reads as that language writes it, with its zone
    assert shown == written


def test_an_instant_is_shown_in_a_calendars_zone_when_one_is_given():
    moment = datetime(2026, 1, 15, 12, 0, tzinfo=ZoneInfo("UTC"))
    with translation.override("fr"):
        assert when(moment, "Europe/Paris") == "15 janvier 2026 13:00 CET"
        assert month_name(moment.date()) == "janvier 2026"


def test_the_sla_alert_reaches_each_recipient_in_their_own_language(
    undp, facility, make_person, undp_agreement, raise_request
):
    # given a Portuguese-speaking manager and a French-speaking ICT officer assigned to a request
    make_person((Role.FACILITY_MANAGER, None), email="manager@facility.test", language="pt-br")
    agent = make_person((Role.ICT_AGENT, None), email="ict@facility.test", language="fr")
    entry = raise_request(undp, "ICT-INC", timezone.now() - timedelta(days=3), priority="P1")
    entry_assign(entry=entry, assignee=agent)
    clock = entry.clocks.get(metric=Metric.FIRST_RESPONSE)
    mail.outbox.clear()

    # when the breach alert is sent
    sent = sla_alert_send(clock_id=clock.pk, kind="breach")

    # then each reads it in their language, one e-mail per language
    assert sent == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert by_recipient["manager@facility.test"].subject.startswith("Violação do ANS:")
    assert "O relógio estava com o centro de serviços." in by_recipient["manager@facility.test"].body
    assert by_recipient["ict@facility.test"].subject.startswith("Dépassement de l'ANS :")
    assert "Demande :" in by_recipient["ict@facility.test"].body
