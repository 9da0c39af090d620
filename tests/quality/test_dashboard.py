"""The quality dashboard counts each nonconformity in the month it is about."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from quality.models import Nonconformity, NonconformitySource
from quality.selectors.dashboard import nonconformities_per_month
from service_levels.models import Service

pytestmark = pytest.mark.django_db


def test_an_automatic_nonconformity_counts_in_the_month_of_its_breaches_not_the_day_beat_opened_it(
    facility, undp, ict_process
):
    # given beat opened September's breaches on 2 November, and a complaint was raised by hand on 5 November
    opened = timezone.make_aware(datetime(2026, 11, 2, 9, 0))
    service = Service.objects.create(code="ICT-TEST", name="ICT test", module="ict", billing_unit="ticket")
    Nonconformity.objects.create(
        reference="NC-2026-0001",
        title="UNDP · ICT test: 2 SLA breaches in September 2026",
        source=NonconformitySource.SLA_BREACH,
        agency=undp,
        service=service,
        month=date(2026, 9, 1),
        raised_at=opened,
    )
    Nonconformity.objects.create(
        reference="NC-2026-0002",
        title="Complaint",
        source=NonconformitySource.COMPLAINT,
        raised_at=timezone.make_aware(datetime(2026, 11, 5, 9, 0)),
    )
    # when the dashboard draws the last six months
    months, series = nonconformities_per_month(today=date(2026, 11, 28))
    # then the breaches count in September and the complaint in November
    assert months[-1] == date(2026, 11, 1) and months[-3] == date(2026, 9, 1)
    assert series[NonconformitySource.SLA_BREACH][-3] == 1 and series[NonconformitySource.SLA_BREACH][-1] == 0
    assert series[NonconformitySource.COMPLAINT][-1] == 1


def test_the_dashboard_shows_the_figures_to_the_read_only_auditor(facility, external_auditor, ict_process, client_at):
    Nonconformity.objects.create(
        reference="NC-2026-0003", title="Late", source=NonconformitySource.MANUAL, raised_at=timezone.now()
    )
    page = client_at(facility, external_auditor).get("/quality/").content.decode()
    assert 'id="quality-nc-chart"' in page
    assert "/quality/nonconformities/?status=open" in page
