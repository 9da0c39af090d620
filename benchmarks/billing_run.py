"""The monthly billing run for 100 agencies with 1,000 usage events each, PDFs included.

    .venv/bin/python benchmarks/billing_run.py [--agencies 100] [--events 1000] [--samples 15] [--keep]
    .venv/bin/python benchmarks/billing_run.py --quick      # 20 agencies, 5 samples

The public schema is migrated, the default catalogue seeded, the agencies
registered (rows only, no schemas: billing lives in the public schema; their
PDFs still go to MEDIA_ROOT/<schema>/ as in production) with one agreement
each, a price list citing an adopted board decision, and the month's fixed
costs and BRL rate. Each agency gets `--events` delivered requests in the
month (PostgreSQL builds the ledger rows, INSERT ... SELECT generate_series),
turned into usage events by `billing.services.usage_sweep` (timed apart).

Then what facility finance does, timed end to end:

1. the run: `billing.services.run_execute` drafts every agency's invoice
   (prices in force, the fixed-cost shares, service credits), one transaction
   per agency, counting progress on the run row;
2. the issue: `billing.services.invoices_issue` numbers every draft, and the
   PDF of each is rendered and stored in the agency's storage by
   `billing.services.invoice_pdf_store` (Celery runs eagerly here, so the
   "worker" is this process, one invoice after the other).

Reported: total seconds, the share of it spent rendering PDFs
(`billing.pdf.invoice_pdf`, wrapped to time each call), and, over
`--samples` invoices, the invoice PDF time (`invoice_pdf`: reading the
invoice, building its HTML, rendering) against a bare WeasyPrint render of
the same HTML string (`HTML(string=...).write_pdf()`), as a ratio of medians;
the two are interleaved so a busy moment lands on both. Goals (issue 5):
total <= 60 s on the 2-core machine; ratio <= 1.2. Nothing asserts on time.

Own embedded PostgreSQL (var/bench-postgres, database `bench_billing`,
dropped at the end unless --keep), a throw-away Redis, PDFs under
var/bench-media (deleted at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from harness import BASE_DIR, database_drop, elapsed, rounded, say, servers_start, table

DATABASE = "bench_billing"
MEDIA = BASE_DIR / "var" / "bench-media"
# Share of requests per service, as a common back office sees them.
SERVICE_MIX = {"ICT-INC": 0.45, "ICT-REQ": 0.25, "TRV-TA": 0.15, "PRC-MICRO": 0.1, "PRC-LTA": 0.05}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=100, help="agencies billed (default 100)")
    parser.add_argument("--events", type=int, default=1000, help="usage events per agency (default 1,000)")
    parser.add_argument("--samples", type=int, default=15, help="invoices timed for the PDF ratio (default 15)")
    parser.add_argument("--quick", action="store_true", help="a quicker run: --agencies 20 --samples 5")
    parser.add_argument("--keep", action="store_true", help="leave the database in place at the end")
    options = parser.parse_args()
    if options.quick:
        options.agencies, options.samples = 20, 5
    return options


def bench_month() -> date:
    from django.utils import timezone

    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def setup(agency_count: int) -> tuple[Any, list[Any]]:
    """Facility, catalogue, agencies with agreements, finance officer, an adopted decision, a price list."""
    from django.utils import timezone

    from accounts.models import Role
    from accounts.services import membership_grant, user_create
    from billing import services
    from governance.models import Board, DecisionRule, Motion, MotionStatus, Outcome, RegisterEntry
    from service_levels.models import Calendar, Service
    from service_levels.services import agreement_create, catalogue_seed_defaults
    from tenants.models import Agency, AgencyKind
    from tenants.services import facility_ensure

    facility_ensure()
    catalogue_seed_defaults()
    finance = user_create(email="finance@bench.test", password="bench-2026-x", first_name="F", last_name="Finance")
    membership_grant(user=finance, role=Role.FACILITY_FINANCE, agency=None)
    agencies = Agency.objects.bulk_create(
        Agency(
            schema_name=f"bench{number:03d}",
            code=f"BA{number:03d}",
            name=f"Benchmark agency {number:03d}",
            kind=AgencyKind.MEMBER if number % 10 else AgencyKind.PARTNER,
            headcount=20 + number,
        )
        for number in range(1, agency_count + 1)
    )
    calendar = Calendar.objects.get(is_default=True)
    catalogue = list(Service.objects.all())
    for agency in agencies:
        agreement_create(
            agency=agency,
            reference=f"SLA-{agency.code}",
            valid_from=date(2024, 1, 1),
            calendar=calendar,
            services=catalogue,
        )
    # The board's decision, as rows: the board itself is not what this measures.
    now = timezone.now()
    board = Board.objects.create()
    motion = Motion.objects.create(
        board=board,
        title="Price list (benchmark)",
        text="Approved.",
        rule=DecisionRule.SIMPLE_MAJORITY,
        closes_at=now,
        quorum_percent=50,
        status=MotionStatus.CLOSED,
        outcome=Outcome.ADOPTED,
        created_by=finance,
        closed_at=now,
    )
    decision = RegisterEntry.objects.create(
        number=1, motion=motion, recorded_at=now, content={}, previous_hash="0" * 64, entry_hash="1" * 64
    )
    prices = {service: Decimal(20 + 7 * index) + Decimal("0.25") for index, service in enumerate(catalogue)}
    services.price_list_version_create(
        effective_from=date(2024, 1, 1), decision=decision, prices=prices, created_by=finance
    )
    return finance, agencies


LEDGER_INSERT = """
INSERT INTO ledger_ledgerentry
    (agency_id, service_id, module, agreement_id, reference, title, priority, status, held_by,
     opened_at, completed_at, breached, billable_units, billable_recorded_at, updated_at)
SELECT a.id, s.id, s.module, g.id, a.code || '-' || n, 'Benchmark request', '', 'resolved', 'facility',
       t - interval '2 hours', t, false, 1, t, now()
FROM tenants_agency a
JOIN service_levels_agreement g ON g.agency_id = a.id
CROSS JOIN LATERAL generate_series(1, %(events)s) AS n
CROSS JOIN LATERAL (SELECT %(start)s::timestamptz + (n * 7919 %% %(seconds)s) * interval '1 second' AS t) AS moment
JOIN service_levels_service s ON s.code = (%(codes)s::text[])[1 + (n %% 20) * %(slots)s / 20]
WHERE a.code LIKE 'BA%%'
"""


def usage_fill(month: date, events: int) -> tuple[float, int]:
    """`events` delivered requests per agency in the month, then usage_sweep; returns (seconds, usage rows)."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection

    from billing import services

    codes: list[str] = []
    for code, share in SERVICE_MIX.items():
        codes += [code] * round(share * 20)
    start = f"{month.isoformat()} 08:00"
    zone = ZoneInfo(settings.TIME_ZONE)
    from datetime import datetime

    first = datetime.fromisoformat(start).replace(tzinfo=zone)
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    seconds = int((datetime.combine(last_day, datetime.min.time(), zone) - first).total_seconds())
    with connection.cursor() as cursor:
        cursor.execute(
            LEDGER_INSERT, {"events": events, "start": first, "seconds": seconds, "codes": codes, "slots": len(codes)}
        )
    started = time.perf_counter()
    created = services.usage_sweep(month=month)
    swept = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) billing_usageevent")
        cursor.execute("VACUUM (ANALYZE) ledger_ledgerentry")
    return swept, created


def pdf_ratio(samples: int) -> dict[str, Any]:
    """invoice_pdf (the platform's) against a bare WeasyPrint render of the same HTML, interleaved."""
    from weasyprint import HTML

    from billing.models import Invoice
    from billing.pdf import invoice_html, invoice_pdf

    chosen = list(Invoice.objects.filter(status="issued").order_by("?")[:samples])
    # One untimed render of each first: fonts and WeasyPrint's caches are then warm for both.
    invoice_pdf(invoice=chosen[0])
    HTML(string=invoice_html(invoice=chosen[0])).write_pdf()
    ours, bare = [], []
    for index, invoice in enumerate(chosen):
        html = invoice_html(invoice=Invoice.objects.get(pk=invoice.pk))

        def platform_render(pk: int = invoice.pk) -> None:
            invoice_pdf(invoice=Invoice.objects.select_related("agency").get(pk=pk))

        def bare_render(html: str = html) -> None:
            HTML(string=html).write_pdf()

        order = [(platform_render, ours), (bare_render, bare)]
        for render, into in order if index % 2 == 0 else reversed(order):
            started = time.perf_counter()
            render()
            into.append(time.perf_counter() - started)
    return {
        "samples": len(chosen),
        "invoice_pdf_median_s": statistics.median(ours),
        "bare_weasyprint_median_s": statistics.median(bare),
        "ratio": statistics.median(ours) / statistics.median(bare),
        "invoice_pdf_s": ours,
        "bare_s": bare,
    }


def main() -> None:
    options = arguments()
    load_start = round(os.getloadavg()[0], 2)
    shutil.rmtree(MEDIA, ignore_errors=True)
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    postgres = servers_start(DATABASE)
    result: dict[str, Any] = {"benchmark": "billing_run", "agencies": options.agencies, "events": options.events}
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        import billing.pdf
        from billing import services
        from billing.models import BillingRun, Invoice, UsageEvent

        say("migrate_schemas --shared (public schema)")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        finance, agencies = setup(options.agencies)
        month = bench_month()
        say(f"{len(agencies)} agencies with agreements and a price list; billing {month:%B %Y}")
        swept_s, created = usage_fill(month, options.events)
        say(f"Ledger filled; usage_sweep made {created:,} usage events in {swept_s:.1f}s")
        for description, amount in (("Facility staff", "18400.00"), ("Premises", "7250.00"), ("Platform", "2130.01")):
            services.fixed_cost_add(month=month, description=description, amount=amount, entered_by=finance)
        services.exchange_rate_set(month=month, currency="BRL", rate="5.4410", entered_by=finance)

        # Time every PDF the issue renders (the services call billing.pdf.invoice_pdf through the module).
        pdf_times: list[float] = []
        render = billing.pdf.invoice_pdf

        def timed_pdf(*, invoice: Invoice) -> bytes:
            started = time.perf_counter()
            try:
                return render(invoice=invoice)
            finally:
                pdf_times.append(time.perf_counter() - started)

        billing.pdf.invoice_pdf = timed_pdf  # type: ignore[assignment]

        say("The run: drafting every agency's invoice")
        started = time.perf_counter()
        run = BillingRun.objects.create(month=month, started_by=finance, created_at=timezone.now())
        run = services.run_execute(run_id=run.pk)
        run_s = time.perf_counter() - started
        say(f"  {run.status}: {run.drafts_made} drafts in {run_s:.1f}s")
        say("The issue: numbering every draft and rendering its PDF into the agency's storage")
        started = time.perf_counter()
        issued = services.invoices_issue(month=month, issued_by=finance)
        issue_s = time.perf_counter() - started
        billing.pdf.invoice_pdf = render  # type: ignore[assignment]
        stored = Invoice.objects.filter(month=month).exclude(pdf_file="").count()
        say(f"  {len(issued)} issued, {stored} PDFs stored in {issue_s:.1f}s")
        total_s = run_s + issue_s
        pdf_s = sum(pdf_times)

        say(f"PDF ratio over {options.samples} invoices: invoice_pdf against a bare WeasyPrint render")
        ratio = pdf_ratio(options.samples)
        example = Invoice.objects.filter(month=month).first()
        result.update(
            {
                "month": month.isoformat(),
                "usage_events": UsageEvent.objects.filter(month=month).count(),
                "usage_sweep_s": swept_s,
                "run_s": run_s,
                "issue_s": issue_s,
                "total_s": total_s,
                "pdfs": len(pdf_times),
                "pdf_s": pdf_s,
                "pdf_share": pdf_s / total_s if total_s else 0.0,
                "lines_per_invoice": example.lines.count() if example else 0,
                "pdf_ratio": ratio,
                "goals": {"total_s": 60, "ratio": 1.2},
            }
        )
        from importlib.metadata import version

        result["environment"] = {
            "python": platform.python_version(),
            "django": version("Django"),
            "weasyprint": version("weasyprint"),
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
        }
    finally:
        if options.keep:
            say(f"Database {DATABASE} kept ({os.environ.get('DATABASE_URL')}); PDFs in {MEDIA}")
        else:
            database_drop(postgres, DATABASE)
            shutil.rmtree(MEDIA, ignore_errors=True)
    result["environment"]["load_average_end"] = round(os.getloadavg()[0], 2)
    result["elapsed_s"] = elapsed()
    report(rounded(result))  # type: ignore[arg-type]


def report(result: dict[str, Any]) -> None:
    ratio = result["pdf_ratio"]
    rows = [
        ("usage events (agencies x events)", f"{result['usage_events']:,}", ""),
        ("usage_sweep (setup, not in total)", f"{result['usage_sweep_s']:.2f} s", ""),
        ("run: drafts", f"{result['run_s']:.2f} s", ""),
        ("issue: numbers + PDFs stored", f"{result['issue_s']:.2f} s", ""),
        ("total (run + issue)", f"{result['total_s']:.2f} s", "goal <= 60 s"),
        ("rendering PDFs", f"{result['pdf_s']:.2f} s", f"{100 * result['pdf_share']:.0f}% of the total"),
        ("invoice_pdf, median", f"{1000 * ratio['invoice_pdf_median_s']:.0f} ms", f"{ratio['samples']} samples"),
        ("bare WeasyPrint, median", f"{1000 * ratio['bare_weasyprint_median_s']:.0f} ms", ""),
        ("ratio invoice_pdf / bare", f"{ratio['ratio']:.3f}", "goal <= 1.2"),
    ]
    print()
    print(table(rows, ("measure", "value", "note")))
    print()
    compact = {key: value for key, value in result.items() if key != "pdf_ratio"}
    compact["pdf_ratio"] = {key: value for key, value in ratio.items() if not key.endswith("_s") or "median" in key}
    print("JSON " + json.dumps(compact, default=str))


if __name__ == "__main__":
    main()
