"""A new version of an agreement ends the current one for good: the manager sees what will happen and
confirms; posting without the confirmation changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from service_levels.models import Agreement

from .test_catalogue_pages import formset

pytestmark = pytest.mark.django_db


def revision(services: list[int], calendar_pk: int) -> dict[str, object]:
    return {
        "effective_from": "2026-07-01",
        "reference": "SLA-UNDP-2026-B",
        "terms-calendar": str(calendar_pk),
        "terms-services": [str(pk) for pk in services],
        "terms-warn_first_percent": "70",
        "terms-warn_second_percent": "85",
        "terms-credit_percent": "10",
        "terms-credit_cap_percent": "5",
        **formset("overrides", []),
    }


def test_a_new_version_is_confirmed_before_the_current_one_ends(
    facility, facility_manager, undp, undp_agreement, catalogue, office_calendar, client_at
):
    client = client_at(facility, facility_manager)
    url = f"/agreements/{undp_agreement.pk}/new-version/"
    data = revision([catalogue["ICT-INC"].pk], office_calendar.pk)
    # when the manager sends the new version, the page says what will happen
    asked = client.post(url, data)
    html = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-step"' in html
    assert "will end on June 30, 2026" in html and "in force from July 1, 2026" in html
    assert "This cannot be undone" in html
    # and carries everything that was sent, to send it again on confirmation
    assert 'name="terms-warn_first_percent" value="70"' in html and 'name="confirm" value="yes"' in html
    # but nothing changed yet
    undp_agreement.refresh_from_db()
    assert undp_agreement.valid_to is None and not Agreement.objects.filter(reference="SLA-UNDP-2026-B").exists()
    # when confirmed, the current version ends the day before and the new one exists
    assert client.post(url, {**data, "confirm": "yes"}).status_code == 302
    undp_agreement.refresh_from_db()
    assert undp_agreement.valid_to == date(2026, 6, 30)
    assert Agreement.objects.get(reference="SLA-UNDP-2026-B").valid_from == date(2026, 7, 1)


def test_the_confirmation_reads_in_portuguese(
    facility, facility_manager, undp, undp_agreement, catalogue, office_calendar, client_at
):
    from tests.ict_helpdesk.languages import catalogues_ready

    catalogues_ready()
    asked = client_at(facility, facility_manager).post(
        f"/agreements/{undp_agreement.pk}/new-version/",
        revision([catalogue["ICT-INC"].pk], office_calendar.pk),
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )
    html = asked.content.decode()
    assert "terminará em 30 de Junho de 2026" in html and "Isso não pode ser desfeito" in html
