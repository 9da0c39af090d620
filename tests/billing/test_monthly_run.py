"""The monthly run: drafts priced from usage, fixed-cost shares, service credits and their cap; re-runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing import services
from billing.models import BillingRun, Invoice, InvoiceStatus, LineKind, RunStatus
from shared_platform.errors import ApplicationError
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def october_usage(undp, unfpa, sign_agreement, price_list, deliver):
    """UNDP: 3 service requests and a purchase; UNFPA: one service request. All in October 2026."""
    sign_agreement(undp)
    sign_agreement(unfpa)
    for day in (5, 6, 7):
        deliver(undp, "ICT-REQ", at(2026, 10, day, 10, 0))
    deliver(undp, "PRC-MICRO", at(2026, 10, 8, 10, 0))
    deliver(unfpa, "ICT-REQ", at(2026, 10, 9, 10, 0))


def test_the_run_drafts_one_invoice_per_agency_priced_at_the_price_in_force(october_usage, run_month, undp):
    run = run_month()
    assert run.status == RunStatus.DONE and run.agencies_done == run.agencies_total and run.percent == 100
    invoice = Invoice.objects.get(agency=undp, month=OCTOBER)
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None
    usage = [(line.service.code, line.quantity, line.unit_price, line.amount) for line in invoice.lines.all()]
    assert usage == [
        ("ICT-REQ", Decimal("3.00"), Decimal("40.0000"), Decimal("120.00")),
        ("PRC-MICRO", Decimal("1.00"), Decimal("150.0000"), Decimal("150.00")),
    ]
    assert invoice.usage_total == invoice.total == Decimal("270.00")


def test_a_price_change_mid_month_gives_a_line_per_price(october_usage, run_month, undp, catalogue, decision, finance):
    services.price_list_version_create(
        effective_from=date(2026, 10, 7), decision=decision, prices={catalogue["ICT-REQ"]: "45"}, created_by=finance
    )
    run_month()
    lines = Invoice.objects.get(agency=undp, month=OCTOBER).lines.filter(service__code="ICT-REQ")
    assert [(line.quantity, line.unit_price, line.usage_from.day, line.usage_to.day) for line in lines] == [
        (Decimal("2.00"), Decimal("40.0000"), 5, 6),
        (Decimal("1.00"), Decimal("45.0000"), 7, 7),
    ]


def test_fixed_costs_are_shared_equally_by_default_to_the_cent(october_usage, run_month, finance):
    services.fixed_cost_add(month=OCTOBER, description="Facility manager", amount="600.00", entered_by=finance)
    services.fixed_cost_add(month=OCTOBER, description="Premises", amount="400.00", entered_by=finance)
    run_month()
    shares = {invoice.agency.code: invoice.cost_share_total for invoice in Invoice.objects.filter(month=OCTOBER)}
    assert sum(shares.values()) == Decimal("1000.00")
    assert sorted(shares.values()) == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert "UNAIDS" in shares  # partners share the fixed costs too


def test_a_headcount_key_from_the_board_shares_by_headcount(october_usage, run_month, finance, decision):
    services.sharing_key_create(effective_from=OCTOBER, method="headcount", decision=decision, created_by=finance)
    services.fixed_cost_add(month=OCTOBER, description="Platform", amount="1000.00", entered_by=finance)
    run_month()
    shares = {invoice.agency.code: invoice.cost_share_total for invoice in Invoice.objects.filter(month=OCTOBER)}
    assert shares == {"UNDP": Decimal("750.00"), "UNFPA": Decimal("187.50"), "UNAIDS": Decimal("62.50")}


def test_a_breached_request_earns_its_credit(undp, sign_agreement, price_list, deliver, deliver_late, run_month):
    # given UNDP's agreement grants 10% per breached request, capped at 5% a month
    sign_agreement(undp, grants_service_credits=True)
    for day in (5, 6, 7, 8, 9, 12, 13, 14, 15, 16):
        deliver(undp, "ICT-REQ", at(2026, 10, day, 10, 0))  # 400.00
    late = deliver_late(undp, at(2026, 10, 19, 10, 0))  # 25.00, breached while the facility held it
    run_month()
    invoice = Invoice.objects.get(agency=undp, month=OCTOBER)
    credit = invoice.lines.get(kind=LineKind.SERVICE_CREDIT)
    assert credit.entry == late and credit.amount == Decimal("-2.50")
    assert invoice.credits_total == Decimal("-2.50")
    assert invoice.total == Decimal("422.50")


def test_credits_above_the_monthly_cap_are_not_granted(undp, sign_agreement, price_list, deliver_late, run_month):
    sign_agreement(undp, grants_service_credits=True)
    for day in (5, 6, 7, 8, 9, 13, 14, 15, 16, 19):  # 12 October is a holiday in Brazil
        deliver_late(undp, at(2026, 10, day, 10, 0))  # ten breached tickets: 250.00, credits 10 x 2.50
    run_month()
    invoice = Invoice.objects.get(agency=undp, month=OCTOBER)
    assert invoice.lines.filter(kind=LineKind.SERVICE_CREDIT).count() == 10
    cap_line = invoice.lines.get(kind=LineKind.CREDIT_CAP)
    assert cap_line.amount == Decimal("12.50")  # 25.00 of credits, capped at 5% of 250.00 = 12.50
    assert invoice.credits_total == Decimal("-12.50")
    assert invoice.total == Decimal("237.50")


def test_no_credit_without_an_agreement_granting_them(undp, sign_agreement, price_list, deliver_late, run_month):
    sign_agreement(undp, grants_service_credits=False)
    deliver_late(undp, at(2026, 10, 5, 10, 0))
    run_month()
    invoice = Invoice.objects.get(agency=undp, month=OCTOBER)
    assert not invoice.lines.filter(kind=LineKind.SERVICE_CREDIT).exists()
    assert invoice.total == Decimal("25.00")


def test_a_rerun_redrafts_drafts_and_leaves_issued_invoices_alone(
    october_usage, run_month, issue, undp, unfpa, deliver
):
    run_month()
    undp_invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    unfpa_draft = Invoice.objects.get(agency=unfpa, month=OCTOBER)
    # when more usage arrives and the month is run again
    deliver(undp, "ICT-REQ", at(2026, 10, 20, 10, 0))
    deliver(unfpa, "ICT-REQ", at(2026, 10, 20, 10, 0))
    second = run_month()
    # then UNFPA's draft is the same row, redrafted; UNDP's issued invoice is untouched and not duplicated
    assert second.skipped_issued == 1
    assert Invoice.objects.filter(month=OCTOBER, agency=undp).count() == 1
    assert Invoice.objects.get(pk=undp_invoice.pk).total == Decimal("270.00")
    assert Invoice.objects.filter(month=OCTOBER, agency=unfpa).get().pk == unfpa_draft.pk
    assert Invoice.objects.get(pk=unfpa_draft.pk).total == Decimal("80.00")


def test_a_month_in_the_future_is_refused_and_no_run_is_made(finance):
    with pytest.raises(ApplicationError) as refused:
        services.run_start(month=date(2099, 1, 1), started_by=finance)
    assert refused.value.code == "billing.month_in_future"
    assert not BillingRun.objects.exists()


def test_a_month_before_2000_is_refused_by_the_api_and_no_run_is_made(facility, finance, api_at):
    # the fuzzer's month 0897-10 was run and written back as "897-10", which is no month
    response = api_at(facility, finance).post("/api/billing/runs/", {"month": "0897-10"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["month"] == ["Give a month from January 2000 on."]
    assert not BillingRun.objects.exists()


def test_usage_without_a_price_fails_the_run_with_a_clear_message(undp, undp_agreement, deliver, run_month):
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    run = run_month()
    assert run.status == RunStatus.FAILED
    assert "No price is in force for ICT-REQ" in run.message
    assert not Invoice.objects.exists()


def test_the_brl_rate_of_the_month_is_stamped_on_the_invoice(october_usage, run_month, issue, undp, finance):
    services.exchange_rate_set(month=OCTOBER, currency="BRL", rate="5.4321", entered_by=finance)
    run_month()
    invoice = issue(Invoice.objects.get(agency=undp, month=OCTOBER))
    assert invoice.local_currency == "BRL" and invoice.exchange_rate == Decimal("5.432100")
    assert invoice.local_total == Decimal("1466.67")  # 270.00 x 5.4321 = 1466.667


def test_an_unknown_currency_or_a_bad_rate_is_refused(finance):
    with pytest.raises(ApplicationError) as refused:
        services.exchange_rate_set(month=OCTOBER, currency="XYZ", rate="5", entered_by=finance)
    assert refused.value.code == "billing.unknown_currency"
    with pytest.raises(ApplicationError):
        services.exchange_rate_set(month=OCTOBER, currency="BRL", rate="-5", entered_by=finance)


def test_a_negative_fixed_cost_is_refused(finance):
    with pytest.raises(ApplicationError) as refused:
        services.fixed_cost_add(month=OCTOBER, description="Premises", amount="-10", entered_by=finance)
    assert refused.value.code == "billing.negative_amount"
