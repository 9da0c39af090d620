"""The demo holds what the running system would have written: each past month's service report to every agency
under an agreement, sent, and an evidence pack for UNDP that verifies against the platform."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accountability.models import EvidencePack, PackStatus, ServiceReport
from accountability.selectors.reports import agencies_under_agreement
from accountability.services.evidence import evidence_pack_archive, evidence_pack_verify
from billing.selectors import current_month
from ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_past_months_reports_sent_and_a_pack_for_undp_that_verifies(facility):
    call_command("load_demo")
    # every past month of the history, every agency under an agreement that month: one report, sent, with its PDF
    first = LedgerEntry.objects.order_by("opened_at").first()
    assert first is not None
    months = sorted({month for month in ServiceReport.objects.values_list("month", flat=True)})
    assert months and months[-1] < current_month()
    for month in months:
        expected = set(agencies_under_agreement(month=month).values_list("code", flat=True))
        written = set(ServiceReport.objects.filter(month=month).values_list("agency__code", flat=True))
        assert written == expected
    assert not ServiceReport.objects.filter(sent_at__isnull=True).exists()
    assert not ServiceReport.objects.filter(pdf_sha256="").exists()
    # UNDP's evidence pack is ready and verifies for UNDP
    pack = EvidencePack.objects.get(agency__code="UNDP")
    assert pack.status == PackStatus.READY
    with evidence_pack_archive(pack=pack) as handle:
        report = evidence_pack_verify(archive=handle.read(), scope=pack.agency)
    assert report.ok
    assert any(check.path.startswith("service-reports/") for check in report.files)
    assert any(check.path.startswith("invoices/") for check in report.files)
