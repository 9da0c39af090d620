"""Service reports and evidence packs in a real browser: UNDP's finance officer downloads last month's service
report, assembles an evidence pack, downloads it and uploads it back on the verify page, where it verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accountability.models import EvidencePack, ServiceReport
from accountability.services.reports import service_report_write
from accounts.models import Role
from billing.models import Invoice
from tests.billing.conftest import (  # noqa: F401 - fixtures
    decision,
    deliver,
    finance,
    issue,
    media_root,
    price_list,
    run_month,
)
from tests.sla_fixtures import at

from .test_sign_in_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def october_reported(undp, sign_agreement, price_list, deliver, run_month, issue):  # type: ignore[no-untyped-def]  # noqa: F811
    """UNDP's October: delivered, billed and issued; its service report written on the first working day."""
    sign_agreement(undp)
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    deliver(undp, "ICT-REQ", at(2026, 10, 6, 10, 0))
    run_month()
    issue(Invoice.objects.get(agency=undp, month__month=10))
    return service_report_write(agency=undp, month=at(2026, 10, 1, 0, 0).date(), now=timezone.now())


def test_undps_finance_officer_downloads_the_report_and_a_pack_that_verifies(
    page: Page, address, october_reported, make_person, undp, tmp_path: Path
):
    make_person((Role.AGENCY_FINANCE, undp), email="daniel@undp.test")
    page.goto(address("undp", "/accountability/reports/"))
    sign_in(page, "daniel@undp.test")

    # the service reports list UNDP's October report; its PDF downloads
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly service reports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report for October 2026 (PDF)").click()
    report_path = tmp_path / "report.pdf"
    download.value.save_as(report_path)
    assert report_path.read_bytes()[:4] == b"%PDF"
    assert ServiceReport.objects.get(agency=undp).pdf_sha256

    # the report's page shows its figures
    page.get_by_role("link", name="October 2026", exact=True).click()
    expect(page.locator("#report-services")).to_contain_text("ICT-REQ")

    # when they assemble an evidence pack of September and October
    page.goto(address("undp", "/accountability/evidence/"))
    page.get_by_label("First month").fill("2026-09")
    page.get_by_label("Last month").fill("2026-10")
    page.get_by_role("button", name="Assemble the pack").click()

    # then the pack's page follows it to ready (the test worker is eager) and offers the ZIP
    pack = EvidencePack.objects.get()
    expect(page.locator("#pack-status")).to_have_text("Ready")
    expect(page.locator("#manifest-files")).to_contain_text("service-reports/UNDP-2026-10.pdf")
    with page.expect_download() as archive:
        page.locator("#pack-download").click()
    zip_path = tmp_path / f"{pack.reference}.zip"
    archive.value.save_as(zip_path)

    # and the archive, uploaded back on the verify page, verifies file by file
    page.get_by_role("link", name="Verify an archive").first.click()
    page.get_by_label("Evidence pack (ZIP)").set_input_files(str(zip_path))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verify-verdict")).to_have_attribute("data-ok", "true")
    expect(page.locator("#verify-verdict")).to_contain_text(pack.reference)
    expect(page.locator("#verify-files tr[data-status='ok']")).to_have_count(len(pack.manifest["files"]))
