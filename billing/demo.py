"""The demo's billing: who bills and where to pay, each agency's billing details, a price list from the
board's decision, fixed costs, rates, and invoices.

For each past month of the demo's history: fixed costs, the month's BRL rate,
the monthly run, and every invoice issued; one invoice is then cancelled by a
credit note and the month re-run and re-issued for that agency, as facility
finance would correct it. The current month is run and left as drafts, for
the demo's facility finance to review and issue. Everything goes through
billing.services, as the pages do. Idempotent: nothing happens if a price list
is already there. Called by demo.services.demo_load after the SLA history and
the board (the price list cites the board's decision).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from governance.demo import PRICE_LIST_TITLE_START
from governance.models import RegisterEntry
from service_levels.models import Service
from tenants.models import Agency

from . import selectors, services
from .models import BillingRun, Invoice, InvoiceStatus, PriceListVersion

FINANCE_EMAIL = "finance@facility.demo"
# USD per billing unit, as the facility's cost-recovery model puts them.
PRICES = {
    "ICT-INC": Decimal("38.00"),
    "ICT-REQ": Decimal("52.50"),
    "TRV-TA": Decimal("64.00"),
    "TRV-TKT": Decimal("22.00"),
    "TRV-CLM": Decimal("18.00"),
    "PRC-MICRO": Decimal("185.00"),
    "PRC-RFQ": Decimal("960.00"),
    "PRC-ITB": Decimal("2750.00"),
    "PRC-LTA": Decimal("140.00"),
}
FALLBACK_PRICE = Decimal("50.00")
FIXED_COSTS = [
    ("Facility manager and finance staff", Decimal("18400.00")),
    ("Premises: shared office floor, Brasília", Decimal("7250.00")),
    ("Platform hosting and licences", Decimal("2130.00")),
]
BRL_RATES = [Decimal("5.3920"), Decimal("5.4410"), Decimal("5.4875"), Decimal("5.5130")]

# The Brasília facility as its invoices print it. The bank details are the demo's own (not a real account).
UN_HOUSE = "Casa das Nações Unidas no Brasil\nComplexo Sergio Vieira de Mello\nSEN Quadra 802, Conjunto C, Lote 17"
BRASILIA = "70800-400 Brasília - DF\nBrazil"
FACILITY_BILLING: dict[str, Any] = {
    "legal_name": "United Nations Joint Operations Facility in Brazil (UN Common Back Office)",
    "postal_address": f"{UN_HOUSE}\n{BRASILIA}",
    "email": "jof.finance@un.org.br.example",
    "bank_name": "Citibank N.A.",
    "bank_address": "388 Greenwich Street, New York, NY 10013, USA",
    "account_name": "UNDP Brazil - Joint Operations Facility cost recovery",
    "account_number": "36349562 (demo)",
    "swift_code": "CITIUS33",
    "routing_number": "021000089",
    "payment_terms_days": 30,
}
# Each agency's billing address (its finance unit) and the reference its finance office files our invoices under.
AGENCY_BILLING = {
    "UNDP": (f"Finance Unit, UNDP Brazil\n{UN_HOUSE}\n{BRASILIA}", "PO BRA10-0004512", "finance.br@undp.org.example"),
    "UNFPA": (f"Unidade de Finanças, UNFPA Brasil\n{UN_HOUSE}\n{BRASILIA}", "Budget BRA08-JOF 2026", ""),
    "UNESCO": (
        "Unité administrative, Bureau de l'UNESCO à Brasília\nSAUS Quadra 5, Bloco H, Lote 6\n"
        "Ed. CNPq/IBICT/UNESCO, 9º andar\n70070-912 Brasília - DF\nBrazil",
        "BRZ/ADM/2026/017",
        "",
    ),
    "UNWOMEN": (f"Unidad de Finanzas, ONU Mujeres Brasil\n{UN_HOUSE}\n{BRASILIA}", "PO 00089713", ""),
    "UNOPS": (f"Finance, UNOPS Brazil Operations Centre\n{UN_HOUSE}\n{BRASILIA}", "PO BRA-OC-26-0311", ""),
    "UNEP": (f"Finance, UNEP Brazil Office\n{UN_HOUSE}\n{BRASILIA}", "Budget 32BRA-000245", ""),
    "UNAIDS": (f"Finanças, UNAIDS Brasil\n{UN_HOUSE}\n{BRASILIA}", "PO UNAIDS-BR-2026-044", ""),
}


@dataclass
class BillingDemoSummary:
    invoices_issued: list[str] = field(default_factory=list)
    drafts: int = 0
    credit_notes: list[str] = field(default_factory=list)


def demo_months(count: int) -> list[date]:
    month = selectors.current_month()
    months = [month]
    for _ in range(count - 1):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return sorted(months)


def _run(month: date, finance: User) -> BillingRun:
    """The month's run, executed here rather than by the worker (the demo loads before the worker starts)."""
    run = BillingRun.objects.create(month=month, started_by=finance, created_at=timezone.now())
    return services.run_execute(run_id=run.pk)


def billing_demo_load(*, months: int = 3) -> BillingDemoSummary:
    summary = BillingDemoSummary()
    if PriceListVersion.objects.exists():
        return summary
    finance = User.objects.get(email=FINANCE_EMAIL)
    billing_details_load(finance)
    decision = RegisterEntry.objects.get(motion__title__startswith=PRICE_LIST_TITLE_START)
    periods = demo_months(max(months, 1))
    services.price_list_version_create(
        effective_from=periods[0],
        decision=decision,
        prices={service: PRICES.get(service.code, FALLBACK_PRICE) for service in Service.objects.all()},
        notes="Cost-recovery prices (demo)",
        created_by=finance,
    )
    if months == 0:
        return summary
    for index, month in enumerate(periods):
        for description, amount in FIXED_COSTS:
            services.fixed_cost_add(month=month, description=description, amount=amount, entered_by=finance)
        rate = BRL_RATES[index % len(BRL_RATES)]
        services.exchange_rate_set(month=month, currency="BRL", rate=rate, entered_by=finance)
        _run(month, finance)
        if month == periods[-1]:  # the current month: drafts to review
            summary.drafts = selectors.drafts_of(month=month).count()
            continue
        summary.invoices_issued += [i.number or "" for i in services.invoices_issue(month=month, issued_by=finance)]
    # A correction: UNEP's first invoice billed a service it disputes; credited in full, then billed again.
    first = Invoice.objects.filter(month=periods[0], agency__code="UNEP", status=InvoiceStatus.ISSUED).first()
    if first is not None and len(periods) > 1:
        note = services.credit_note_issue(
            invoice=first, reason="Disputed procurement fee; corrected invoice follows", issued_by=finance
        )
        summary.credit_notes.append(note.number)
        _run(periods[0], finance)
        summary.invoices_issued += [
            i.number or "" for i in services.invoices_issue(month=periods[0], issued_by=finance)
        ]
    return summary


def billing_details_load(finance: User) -> None:
    """Who bills and where to pay; where each agency's invoices go and the reference they carry."""
    services.billing_settings_update(updated_by=finance, **FACILITY_BILLING)
    for agency in Agency.objects.filter(code__in=AGENCY_BILLING):
        address, reference, contact = AGENCY_BILLING[agency.code]
        services.agency_billing_profile_set(
            agency=agency, billing_address=address, reference=reference, contact=contact, updated_by=finance
        )
