"""A person's language in a real browser: the browser's to begin with, then the one they choose, which stays."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_requester_reads_portuguese_from_her_browser_then_chooses_french_and_it_stays_after_signing_in_again(
    browser, address, undp, sign_agreement, make_person
):
    # given a UNDP requester who has never chosen a language, in a browser that asks for Portuguese (Brazil)
    make_person((Role.REQUESTER, undp), email="ana@undp.test", first_name="Ana", last_name="Lima")
    sign_agreement(undp)
    context = browser.new_context(locale="pt-BR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        # when she opens her agency's address
        page.goto(address("undp"))

        # then the sign-in page is in Portuguese
        expect(page.locator("html")).to_have_attribute("lang", "pt-br")
        expect(page.get_by_role("heading", level=1)).to_have_text("Entrar em UNDP")

        # when she signs in with the Portuguese form
        page.get_by_label("Endereço de e-mail").fill("ana@undp.test")
        page.get_by_label("Senha").fill(PASSWORD)
        page.get_by_role("button", name="Entrar").click()

        # then her start page and the helpdesk are in Portuguese
        expect(page.locator("#start-my-requests h2")).to_have_text("Suas solicitações abertas")
        expect(page.locator("#user-tools")).to_contain_text("Conectado como Ana Lima (Solicitante)")
        navigation = page.get_by_role("navigation", name="Principal")
        navigation.get_by_role("link", name="Central de atendimento de TIC").click()
        expect(page).to_have_url(address("undp", "/helpdesk/"))
        expect(navigation).to_contain_text("Solicitações")

        # when she switches to French with the switch on the page
        page.get_by_label("Idioma").select_option("fr")
        page.get_by_role("button", name="Alterar").click()

        # then the same page is in French
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("navigation", name="Principal")).to_contain_text("Demandes")

        # when she signs out and in again
        page.get_by_role("button", name="Se déconnecter").click()
        expect(page.locator(".messagelist")).to_contain_text("Vous êtes déconnecté.")
        expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter à UNDP")
        page.get_by_label("Adresse e-mail").fill("ana@undp.test")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()

        # then it stays French, though her browser still asks for Portuguese
        expect(page.locator("#start-my-requests h2")).to_have_text("Vos demandes ouvertes")
        expect(page.locator("#user-tools")).to_contain_text("Connecté en tant que Ana Lima (Demandeur)")
    finally:
        context.close()


def test_the_french_she_chose_follows_her_to_a_new_browser(browser, address, undp, make_person):
    # given a requester whose account says French
    make_person((Role.REQUESTER, undp), email="ana@undp.test", language="fr")
    context = browser.new_context(locale="es-ES")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        # when she signs in from a Spanish browser
        page.goto(address("undp"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión en UNDP")
        page.get_by_label("Correo electrónico").fill("ana@undp.test")
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Iniciar sesión").click()

        # then her pages are in her own language
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("#start-my-requests h2")).to_have_text("Vos demandes ouvertes")
    finally:
        context.close()
