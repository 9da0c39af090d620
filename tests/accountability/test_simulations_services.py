"""The fair-cost simulation: columns add up to the cent under each key, the key in force gives back the invoices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accountability.models import CostSimulation
from accountability.selectors.simulations import KEYS, frozen_lines, simulation_compute
from accountability.services.simulations import simulation_attach, simulation_save
from billing import services as billing
from billing.models import FixedCost, Invoice, InvoiceStatus
from billing.selectors import current_month
from governance import services as board
from shared_platform.errors import ApplicationError

pytest_plugins = ["tests.accountability.fixtures_simulations"]

SEPTEMBER = date(2026, 9, 1)  # shared by the default key (equal), as fixtures_simulations invoices it
OCTOBER = date(2026, 10, 1)  # shared by headcount


def live_invoices(month: date) -> list[Invoice]:
    return list(Invoice.objects.filter(month=month, status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PAID]))


def test_each_key_adds_up_to_fixed_costs_plus_usage_less_credits_to_the_cent(invoiced_months):
    result = simulation_compute(month_from=SEPTEMBER, month_to=OCTOBER)
    invoices = live_invoices(SEPTEMBER) + live_invoices(OCTOBER)
    fixed = sum(cost.amount for cost in FixedCost.objects.filter(month__in=[SEPTEMBER, OCTOBER]))
    usage = sum(invoice.usage_total for invoice in invoices)
    credits = -sum(invoice.credits_total for invoice in invoices)
    assert credits > 0  # UNDP's breach was credited: the test covers credits
    for method in KEYS:
        column = sum(line.would[method] for line in result.lines)
        assert column == fixed + usage - credits, method
        assert result.totals["would"][method] == column
    assert result.totals["usage"] == usage and result.totals["credits"] == credits
    assert result.totals["paid"] == sum(invoice.total for invoice in invoices)


def test_the_key_in_force_gives_back_what_each_agency_was_invoiced(invoiced_months):
    for month in invoiced_months:
        result = simulation_compute(month_from=month, month_to=month)
        method = result.keys_in_force[month]
        assert method == ("equal" if month == SEPTEMBER else "headcount")
        invoiced = {invoice.agency.code: invoice.total for invoice in live_invoices(month)}
        assert invoiced
        for line in result.lines:
            assert line.would[method] == invoiced.get(line.agency_code, Decimal(0)), line.agency_code
            assert line.paid == invoiced.get(line.agency_code, Decimal(0))


def test_shares_of_usage_follow_the_invoices(invoiced_months):
    result = simulation_compute(month_from=SEPTEMBER, month_to=OCTOBER)
    usage = {line.agency_code: line.usage for line in result.lines}
    total = sum(usage.values())
    for line in result.lines:
        assert line.usage_share == (usage[line.agency_code] * 100 / total).quantize(Decimal("0.01"))
    by_code = {line.agency_code: line for line in result.lines}
    assert by_code["UNDP"].usage > by_code["UNFPA"].usage > by_code["UNAIDS"].usage > 0


def test_a_cancelled_invoice_is_not_paid(invoiced_months, finance):
    invoice = Invoice.objects.get(month=SEPTEMBER, agency__code="UNFPA", status=InvoiceStatus.ISSUED)
    before = {
        line.agency_code: line.paid for line in simulation_compute(month_from=SEPTEMBER, month_to=SEPTEMBER).lines
    }
    billing.credit_note_issue(invoice=invoice, reason="Disputed", issued_by=finance)
    after = {line.agency_code: line.paid for line in simulation_compute(month_from=SEPTEMBER, month_to=SEPTEMBER).lines}
    assert after["UNFPA"] == before["UNFPA"] - invoice.total
    assert after["UNDP"] == before["UNDP"]


@pytest.mark.parametrize(
    ("month_from", "month_to", "code"),
    [
        (OCTOBER, SEPTEMBER, "accountability.simulation_month"),
        (SEPTEMBER, current_month(), "accountability.simulation_month_not_past"),
        (date(2026, 8, 1), OCTOBER, "accountability.simulation_month_not_invoiced"),
        (date(2020, 1, 1), OCTOBER, "accountability.simulation_too_long"),
    ],
)
def test_months_not_past_or_not_invoiced_are_refused(invoiced_months, month_from, month_to, code):
    with pytest.raises(ApplicationError) as refused:
        simulation_compute(month_from=month_from, month_to=month_to)
    assert refused.value.code == code
    assert refused.value.fields


def test_a_future_month_is_refused(invoiced_months):
    future = (current_month() + timedelta(days=40)).replace(day=1)
    with pytest.raises(ApplicationError) as refused:
        simulation_compute(month_from=future, month_to=future)
    assert refused.value.code == "accountability.simulation_month_not_past"


def test_a_saved_simulation_freezes_the_figures_and_is_numbered(invoiced_months, board_people):
    simulation = simulation_save(
        month_from=SEPTEMBER, month_to=OCTOBER, note="For the board", by=board_people["finance"]
    )
    assert simulation.reference == f"SIM-{timezone.localdate().year}-000001"
    live = simulation_compute(month_from=SEPTEMBER, month_to=OCTOBER)
    frozen = {line.agency: line for line in frozen_lines(simulation)}
    for line in live.lines:
        assert frozen[line.agency_code].paid == line.paid
        assert frozen[line.agency_code].would == line.would


def test_only_makers_save_or_attach(invoiced_months, board_people, draft_motion):
    for person in ("auditor", "undp_board", "quality"):
        with pytest.raises(ApplicationError) as refused:
            simulation_save(month_from=SEPTEMBER, month_to=OCTOBER, by=board_people[person])
        assert refused.value.status_code == 403
    assert not CostSimulation.objects.exists()
    simulation = simulation_save(month_from=SEPTEMBER, month_to=OCTOBER, by=board_people["manager"])
    with pytest.raises(ApplicationError):
        simulation_attach(simulation=simulation, motion=draft_motion, by=board_people["auditor"])


def test_a_simulation_attaches_to_a_draft_or_open_motion_only(invoiced_months, board_people, draft_motion):
    simulation = simulation_save(month_from=SEPTEMBER, month_to=OCTOBER, by=board_people["manager"])
    simulation_attach(simulation=simulation, motion=draft_motion, by=board_people["finance"])
    simulation.refresh_from_db()
    assert simulation.motion_id == draft_motion.pk
    board.motion_withdraw(motion=draft_motion, withdrawn_by=board_people["manager"])
    other = simulation_save(month_from=SEPTEMBER, month_to=SEPTEMBER, by=board_people["manager"])
    with pytest.raises(ApplicationError) as refused:
        simulation_attach(simulation=other, motion=draft_motion, by=board_people["manager"])
    assert refused.value.code == "accountability.simulation_motion_closed"
    other.refresh_from_db()
    assert other.motion_id is None
