"""The catalogue, calendars and agreements in each person's language, sortable, and readable on a phone;
targets in business days and hours the same way everywhere."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from service_levels.selectors import describe_minutes
from tests.ict_helpdesk.languages import catalogues_ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalogues() -> None:
    catalogues_ready()


def test_the_catalogue_reads_in_spanish_with_its_targets_in_business_days_and_hours(
    facility, facility_manager, catalogue, client_at
):
    html = client_at(facility, facility_manager).get("/catalogue/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Catálogo de servicios" in html and "Mesa de ayuda TIC" in html and "Facturado por" in html
    # ICT targets: P1 first response 30 min, P3 resolution 3 days (a day is 9 working hours)
    assert "Primera respuesta P1: 30 min" in html and "Resolución P3: 3 días" in html
    assert "Service catalogue" not in html


def test_the_catalogue_in_portuguese_and_french_for_an_agency_s_people(undp, undp_requester, undp_agreement, client_at):
    client = client_at(undp, undp_requester)
    pt = client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert "Catálogo de serviços" in pt and "Primeiro atendimento P2: 1 h" in pt and "Resolução P4: 5 dias" in pt
    fr = client.get("/agreements/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Accords de niveau de service" in fr and "1 janvier 2026" in fr and "durée indéterminée" in fr


@pytest.mark.parametrize(
    ("language", "minutes", "expected"),
    [
        ("en", 1, "1 min"),
        ("en", 270, "4 h 30 min"),
        ("en", 3 * 540, "3 days"),
        ("en", 540 + 120, "1 day 2 h"),
        ("fr", 3 * 540, "3 jours"),
        ("fr", 540, "1 jour"),
        ("es", 2 * 540 + 30, "2 días 30 min"),
        ("pt-br", 5 * 540, "5 dias"),
    ],
)
def test_business_time_reads_in_the_reader_s_language(language, minutes, expected):
    with translation.override(language):
        assert describe_minutes(minutes) == expected


def test_the_catalogue_sorts_by_code_and_reads_as_cards_on_a_phone(facility, facility_manager, catalogue, client_at):
    client = client_at(facility, facility_manager)
    codes = re.findall(
        r'<th scope="row" data-label="Code"><a href="/catalogue/([A-Z-]+)/"',
        client.get("/catalogue/?sort=-code").content.decode(),
    )
    assert codes == sorted(codes, reverse=True) and len(codes) == len(catalogue)
    html = client.get("/catalogue/").content.decode()
    assert 'id="services" class="stack"' in html and 'aria-sort="ascending"' in html


def test_agreements_sort_by_first_day(facility, facility_manager, undp, unfpa, sign_agreement, client_at):
    from datetime import date

    sign_agreement(undp, valid_from=date(2026, 3, 1))
    sign_agreement(unfpa, valid_from=date(2026, 1, 1))
    html = client_at(facility, facility_manager).get("/agreements/?sort=from").content.decode()
    agencies = re.findall(r'<td data-label="Agency">([A-Z]+)</td>', html)
    assert agencies == ["UNFPA", "UNDP"]
    html = client_at(facility, facility_manager).get("/agreements/?sort=-from").content.decode()
    assert re.findall(r'<td data-label="Agency">([A-Z]+)</td>', html) == ["UNDP", "UNFPA"]


def test_calendars_list_their_working_hours_in_the_reader_s_language(
    facility, facility_manager, office_calendar, client_at
):
    html = client_at(facility, facility_manager).get("/calendars/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Calendriers ouvrés" in html and "Lundi 08:00\u201317:00" in html and 'class="stack"' in html
