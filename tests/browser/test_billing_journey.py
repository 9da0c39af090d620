"""Billing in a real browser: facility finance runs October and watches it finish, reviews, issues;
UNDP's finance officer downloads UNDP's invoice PDF and gets "not found" for UNFPA's."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from billing import services
from billing.models import BillingRun, Invoice
from billing.tasks import run_execute_task
from tests.billing.conftest import decision, deliver, finance, media_root, price_list  # noqa: F401 - fixtures
from tests.sla_fixtures import at

from .test_sign_in_journey import sign_in

pytestmark = pytest.mark.browser
RUN_SCREENSHOT = "/tmp/browser-billing-run.png"


@pytest.fixture
def october(undp, unfpa, sign_agreement, price_list, deliver, finance):  # type: ignore[no-untyped-def]  # noqa: F811
    sign_agreement(undp)
    sign_agreement(unfpa)
    for day in (5, 6):
        deliver(undp, "ICT-REQ", at(2026, 10, day, 10, 0))
    deliver(unfpa, "ICT-INC", at(2026, 10, 7, 10, 0))
    services.fixed_cost_add(
        month=at(2026, 10, 1, 0, 0).date(), description="Premises", amount="300.00", entered_by=finance
    )


@pytest.fixture
def held_runs(monkeypatch):  # type: ignore[no-untyped-def]
    """The run waits for the test to play the worker, so the page's live progress is seen moving."""
    enqueue = services.enqueue_after_commit

    def hold(task, *args, **kwargs):  # type: ignore[no-untyped-def]
        if task is not run_execute_task:
            enqueue(task, *args, **kwargs)

    monkeypatch.setattr(services, "enqueue_after_commit", hold)


def test_finance_runs_the_month_issues_it_and_undp_downloads_only_its_own_pdf(
    page: Page, address, october, held_runs, make_person, undp
):
    # given facility finance (finance@facility.test, from the fixtures) and UNDP's finance officer
    make_person((Role.AGENCY_FINANCE, undp), email="daniel@undp.test")

    # when facility finance runs October from the billing page
    page.goto(address(None))
    sign_in(page, "finance@facility.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    page.get_by_label("Month to bill").fill("2026-10")
    page.get_by_role("button", name="Run the month").click()

    # then the run page shows it queued, and follows the worker to the end
    expect(page.get_by_role("heading", level=1)).to_have_text("Billing run for October 2026")
    expect(page.locator("#run-status")).to_have_text("Queued")
    run = BillingRun.objects.get()
    services.run_execute(run_id=run.pk)  # the worker
    expect(page.locator("#run-status")).to_have_text("Done")
    expect(page.locator("#run-bar")).to_have_attribute("value", "100")
    expect(page.locator("#drafts")).to_contain_text("UNDP")
    expect(page.locator("#drafts")).to_contain_text("UNFPA")
    page.screenshot(path=RUN_SCREENSHOT, full_page=True)

    # when finance issues the month's drafts
    page.get_by_role("link", name="Issue all drafts of October 2026…").click()
    expect(page.locator("#confirmation")).to_contain_text("This cannot be undone.")
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_role("button", name="Issue all drafts").click()

    # then the invoices carry numbers
    expect(page.locator(".messagelist")).to_contain_text("invoices issued")
    undp_invoice = Invoice.objects.get(agency__code="UNDP", month__month=10)
    unfpa_invoice = Invoice.objects.get(agency__code="UNFPA", month__month=10)
    expect(page.locator("#invoices")).to_contain_text(undp_invoice.number)

    # and UNDP's finance officer, on UNDP's address, downloads UNDP's PDF
    page.context.clear_cookies()
    page.goto(address("undp", "/billing/"))
    sign_in(page, "daniel@undp.test")
    page.goto(address("undp", "/billing/"))
    expect(page.locator("#invoices")).to_contain_text(undp_invoice.number)
    expect(page.locator("#invoices")).not_to_contain_text(unfpa_invoice.number)
    with page.expect_download() as download:
        page.locator("#invoices").get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"{undp_invoice.number}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # but UNFPA's invoice and its PDF are not found there
    for path in (f"/billing/invoices/{unfpa_invoice.pk}/pdf/", f"/billing/invoices/{unfpa_invoice.pk}/"):
        response = page.goto(address("undp", path))
        assert response is not None and response.status == 404
