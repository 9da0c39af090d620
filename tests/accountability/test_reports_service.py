"""The monthly service report: its figures are the scorecards' and the invoice's, its PDF reads back in the agency's
language, it goes out on the facility's first working day only, once, to the agency's focal points only."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from accountability.models import ScorecardCell, ServiceReport
from accountability.selectors import scorecards as scorecard_selectors
from accountability.selectors.reports import first_working_day
from accountability.services.reports import (
    service_report_send,
    service_report_write,
    service_reports_monthly_run,
)
from accounts.models import Role
from billing.models import Invoice
from ledger.services import entry_rate
from shared_platform.errors import ApplicationError
from tests.billing.conftest import (  # noqa: F401  (fixtures)
    OCTOBER,
    decision,
    deliver,
    deliver_late,
    finance,
    issue,
    media_root,
    price_list,
    run_month,
)
from tests.sla_fixtures import at

NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def october(undp, unfpa, sign_agreement, price_list, deliver, deliver_late):  # noqa: F811
    """UNDP: three ICT requests delivered in October (one breached, one rated 5); UNFPA: one."""
    sign_agreement(undp, grants_service_credits=True)
    sign_agreement(unfpa)
    entries = [
        deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0)),
        deliver(undp, "ICT-REQ", at(2026, 10, 6, 10, 0)),
        deliver_late(undp, at(2026, 10, 7, 10, 0)),
        deliver(unfpa, "ICT-REQ", at(2026, 10, 8, 10, 0)),
    ]
    entry_rate(entry=entries[0], score=5, at=at(2026, 10, 9, 10, 0))
    return entries


@pytest.fixture
def focal_points(make_person, undp, unfpa):
    """UNDP's approver and finance officer (focal points), a requester (not one), and UNFPA's finance officer."""
    return {
        "approver": make_person((Role.APPROVER, undp), email="approver@undp.test"),
        "finance": make_person((Role.AGENCY_FINANCE, undp), email="focal-finance@undp.test"),
        "requester": make_person((Role.REQUESTER, undp), email="someone@undp.test"),
        "unfpa": make_person((Role.AGENCY_FINANCE, unfpa), email="focal-finance@unfpa.test"),
    }


def _pdf_text(report: ServiceReport) -> str:
    with tenant_context(report.agency), default_storage.open(report.pdf_file, "rb") as handle:
        content = handle.read()
    assert hashlib.sha256(content).hexdigest() == report.pdf_sha256
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_figures_are_the_months_scorecards_and_its_issued_invoice(october, undp, run_month, issue):  # noqa: F811
    # given October is billed and UNDP's invoice issued
    run_month()
    invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    # when UNDP's report for October is written in November
    report = service_report_write(agency=undp, month=OCTOBER, now=at(2026, 11, 3, 8, 0))
    # then each service's line is its scorecard cell, and the totals are the scorecards' totals
    cells = ScorecardCell.objects.filter(agency=undp, month=OCTOBER)
    assert cells.exists()
    by_service = {row["service"]: row for row in report.figures["services"]}
    assert set(by_service) == set(cells.values_list("service__code", flat=True))
    for cell in cells.select_related("service"):
        row = by_service[cell.service.code]
        assert (row["delivered"], row["met"], row["breached"], row["rated"]) == (
            cell.delivered,
            cell.met,
            cell.breached,
            cell.rated,
        )
        assert row["credits"] == f"{cell.credits:.2f}"
    totals = scorecard_selectors.totals(scorecard_selectors.cells(scope=undp, months=[OCTOBER]))
    assert report.figures["totals"]["breached"] == totals.breached >= 1
    assert report.figures["totals"]["compliance"] == f"{totals.compliance}"
    assert report.figures["totals"]["satisfaction"] == f"{totals.satisfaction}"
    # and what it was billed and credited is the issued invoice as issued
    billed = report.figures["billing"]["invoice"]
    assert billed["number"] == invoice.number
    assert (billed["usage_total"], billed["credits_total"], billed["total"]) == (
        f"{invoice.usage_total:.2f}",
        f"{invoice.credits_total:.2f}",
        f"{invoice.total:.2f}",
    )
    # and the PDF, read back from UNDP's storage, says so
    text = _pdf_text(report)
    assert invoice.number in text
    assert "October 2026" in text
    assert report.pdf_file.startswith("accountability/service-reports/UNDP-2026-10")


def test_the_pdf_is_written_in_the_agencys_language_whoever_asks(october, unfpa):
    # given UNFPA reads Portuguese (Brazil)
    unfpa.language = "pt-br"
    unfpa.save(update_fields=["language"])
    # when its October report is written
    report = service_report_write(agency=unfpa, month=OCTOBER, now=at(2026, 11, 3, 8, 0))
    # then the report is in Portuguese: the month as Portuguese writes it (Django's own translation; the
    # report's own headings are translated after the merge, so the switch is asserted through the month name)
    assert report.language == "pt-br"
    text = _pdf_text(report)
    assert "outubro de 2026" in text.lower()
    assert "October 2026" not in text


def test_a_month_not_over_is_refused_and_nothing_is_written(october, undp):
    with pytest.raises(ApplicationError) as refused:
        service_report_write(agency=undp, month=NOVEMBER, now=at(2026, 11, 20, 8, 0))
    assert refused.value.code == "accountability.report_month_not_over"
    with pytest.raises(ApplicationError) as future:
        service_report_write(agency=undp, month=date(2027, 1, 1), now=at(2026, 11, 20, 8, 0))
    assert future.value.code == "accountability.report_month_not_over"
    assert not ServiceReport.objects.exists()


def test_rewriting_before_it_is_sent_replaces_it_and_once_sent_it_stays_as_sent(october, undp, deliver, focal_points):  # noqa: F811
    # given a report written, then a late delivery in October
    first = service_report_write(agency=undp, month=OCTOBER, now=at(2026, 11, 3, 8, 0))
    delivered = first.figures["totals"]["delivered"]
    deliver(undp, "ICT-REQ", at(2026, 10, 20, 10, 0))
    # when it is written again before it is sent: one row, the new figures, a new PDF
    second = service_report_write(agency=undp, month=OCTOBER, now=at(2026, 11, 3, 9, 0))
    assert second.pk == first.pk and ServiceReport.objects.count() == 1
    assert second.figures["totals"]["delivered"] == delivered + 1
    # when it is sent and something changes again, a rewrite keeps it as sent
    sent = service_report_send(report=second, now=at(2026, 11, 3, 9, 5))
    deliver(undp, "ICT-REQ", at(2026, 10, 21, 10, 0))
    kept = service_report_write(agency=undp, month=OCTOBER, now=at(2026, 11, 4, 9, 0))
    assert kept.figures == sent.figures and kept.pdf_sha256 == sent.pdf_sha256
    assert kept.sent_at == at(2026, 11, 3, 9, 5)


def test_the_first_working_day_skips_the_weekend_and_a_monday_holiday(office_calendar):
    # November 2026 starts on a Sunday; Monday 2 November is a Brazilian national holiday (Finados)
    assert first_working_day(month=NOVEMBER) == date(2026, 11, 3)
    # October 2026 starts on a Thursday, a working day
    assert first_working_day(month=OCTOBER) == date(2026, 10, 1)


def test_the_monthly_run_sends_on_the_first_working_day_only_and_once(
    october, undp, unfpa, focal_points, mailoutbox, django_capture_on_commit_callbacks
):
    def run(now: Any) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return service_reports_monthly_run(now=now)

    # given the office calendar (the default): Sunday 1 and Monday 2 November closed
    assert first_working_day(month=NOVEMBER) == date(2026, 11, 3)
    # when the daily task runs on the holiday Monday: nothing
    assert run(at(2026, 11, 2, 7, 0)) == 0
    assert not ServiceReport.objects.exists() and not mailoutbox
    # when it runs on Tuesday 3 November: October's report to each agency under an agreement, e-mailed
    assert run(at(2026, 11, 3, 7, 0)) == 2
    assert set(ServiceReport.objects.values_list("agency__code", "month")) == {("UNDP", OCTOBER), ("UNFPA", OCTOBER)}
    # then only the focal points receive it, each their own agency's, the PDF attached
    undp_report = ServiceReport.objects.get(agency=undp)
    assert undp_report.sent_to == ["approver@undp.test", "focal-finance@undp.test"]
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == ["approver@undp.test", "focal-finance@undp.test", "focal-finance@unfpa.test"]
    for message in mailoutbox:
        assert len(message.attachments) == 1
        name, content, kind = message.attachments[0]
        assert kind == "application/pdf" and content[:4] == b"%PDF"
        agency = "UNFPA" if message.to == ["focal-finance@unfpa.test"] else "UNDP"
        assert agency in name
    # when it runs again the same day, or the next day: no second e-mail
    sent = len(mailoutbox)
    assert run(at(2026, 11, 3, 15, 0)) == 0
    assert run(at(2026, 11, 4, 7, 0)) == 0
    assert len(mailoutbox) == sent


def test_the_email_is_written_in_the_agencys_language(
    october, unfpa, focal_points, mailoutbox, django_capture_on_commit_callbacks
):
    unfpa.language = "fr"
    unfpa.save(update_fields=["language"])
    report = service_report_write(agency=unfpa, month=OCTOBER, now=at(2026, 11, 3, 8, 0))
    with django_capture_on_commit_callbacks(execute=True):
        service_report_send(report=report)
    (message,) = mailoutbox
    # the month as French writes it (Django's own catalogue); the sentences are translated after the merge
    assert "octobre 2026" in message.subject
    assert message.to == ["focal-finance@unfpa.test"]


def test_an_agency_without_an_agreement_gets_no_report(
    undp, unfpa, sign_agreement, focal_points, django_capture_on_commit_callbacks
):
    sign_agreement(undp)
    with django_capture_on_commit_callbacks(execute=True):
        assert service_reports_monthly_run(now=at(2026, 11, 3, 7, 0)) == 1
    assert list(ServiceReport.objects.values_list("agency__code", flat=True)) == ["UNDP"]


def test_the_start_page_shows_the_latest_report_to_focal_points_for_ten_days(october, undp, focal_points):
    from accountability.start import start_panels
    from shared_platform.start import viewer_for

    report = service_report_write(agency=undp, month=OCTOBER, now=timezone.now())
    focal = viewer_for(user=focal_points["finance"], address=undp)
    requester = viewer_for(user=focal_points["requester"], address=undp)
    keys = [panel.key for panel in start_panels(viewer=focal)]
    assert "accountability-service-report" in keys
    (panel,) = [panel for panel in start_panels(viewer=focal) if panel.key == "accountability-service-report"]
    assert panel.items[0].url.endswith(f"/accountability/reports/{report.pk}/")
    assert "accountability-service-report" not in [panel.key for panel in start_panels(viewer=requester)]
    ServiceReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=11))
    assert "accountability-service-report" not in [panel.key for panel in start_panels(viewer=focal)]
