"""Opening and evaluating an ITB with 200 sealed bids of 50 lines each, against the same bids stored unencrypted.

    .venv/bin/python benchmarks/procurement_opening.py [--bids 200] [--lines 50] [--rounds 2] [--keep]
    .venv/bin/python benchmarks/procurement_opening.py --quick      # 50 bids, 1 round

The public schema is migrated, the facility and the catalogue set up, and one
agency (UNDP) created with its own schema, as in production, with an agreement
covering procurement. The people of a purchase are granted their roles
(requester, approver, three facility procurement officers) and `--bids`
vendors are put on the roster.

Each round prepares two identical ITBs through `procurement.services`: a
requisition of `--lines` lines (about 225,000 USD: an ITB, under the
committee threshold) raised, approved, taken, solicited to every vendor, and
one bid per vendor submitted through `services.bid_submit` (random unit
prices, seeded). The two differ only in how the bids are stored:

- *sealed*: as the platform stores them, `procurement.sealing` (Fernet:
  AES-128-CBC + HMAC-SHA256, key outside the database);
- *plain*: the same services with `sealing.seal` / `sealing.unseal` replaced
  by plain JSON bytes, i.e. the same bids stored unencrypted.

Then the deadline is moved just into the past and what the officers do is
timed for each, the order alternating between rounds:

1. the opening: `services.bids_open` by two officers (decrypting every bid,
   totalling its lines, converting to USD, writing the readout);
2. the evaluation: one evaluator's `evaluator_declare`, `compliance_findings_record`
   for every bid (every tenth fails), and `evaluation_complete` (the lowest
   priced compliant bid is recommended).

Reported: seconds for open + evaluate, sealed and plain, and the ratio
sealed / plain (median over rounds). Goals (issue 13): sealed <= 2 s; ratio
<= 3. Nothing asserts on time. Submitting the bids is setup, not timed.

Own embedded PostgreSQL (var/bench-postgres, database `bench_procurement`,
dropped at the end unless --keep) and a throw-away Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

from harness import database_drop, elapsed, rounded, say, servers_start, table

DATABASE = "bench_procurement"
KEYS = ("open_s", "findings_s", "complete_s", "evaluate_s", "total_s")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bids", type=int, default=200, help="bids, one per invited vendor (default 200)")
    parser.add_argument("--lines", type=int, default=50, help="lines per requisition and bid (default 50)")
    parser.add_argument("--rounds", type=int, default=2, help="sealed and plain openings timed each (default 2)")
    parser.add_argument("--seed", type=int, default=13, help="random unit prices (default 13)")
    parser.add_argument("--quick", action="store_true", help="a quicker run: --bids 50 --rounds 1")
    parser.add_argument("--keep", action="store_true", help="leave the database in place at the end")
    options = parser.parse_args()
    if options.quick:
        options.bids, options.rounds = 50, 1
    return options


def setup(vendor_count: int) -> tuple[Any, dict[str, Any], Any, list[Any]]:
    """The facility, the catalogue, UNDP with its schema and agreement, the people, the roster."""
    from datetime import date

    from accounts.models import Role, User
    from accounts.services import membership_grant
    from service_levels.models import Calendar, Service
    from service_levels.services import DEFAULT_CALENDAR_NAME, agreement_create, catalogue_seed_defaults
    from tenants.provisioning import template_schema_ensure_current
    from tenants.services import agency_create, facility_ensure
    from vendors.models import SupplyCategory, Vendor
    from vendors.services import registration_key

    facility_ensure()
    say("Migrating the template schema")
    template_schema_ensure_current()
    catalogue_seed_defaults()
    say("Creating UNDP (its schema cloned from the template)")
    undp = agency_create(code="UNDP", name="United Nations Development Programme")
    agreement_create(
        agency=undp,
        calendar=Calendar.objects.get(name=DEFAULT_CALENDAR_NAME),
        services=list(Service.objects.all()),
        valid_from=date(2026, 1, 1),
        reference="SLA-UNDP-BENCH",
    )
    people = {}
    for name, role, agency in (
        ("requester", Role.REQUESTER, undp),
        ("approver", Role.APPROVER, undp),
        ("buyer", Role.PROCUREMENT_AGENT, None),
        ("officer", Role.PROCUREMENT_AGENT, None),
        ("evaluator", Role.PROCUREMENT_AGENT, None),
    ):
        user = User.objects.create_user(email=f"{name}@bench.test", password=None, first_name=name.title())
        membership_grant(user=user, role=role, agency=agency)
        people[name] = user
    category = SupplyCategory.objects.create(code="IT-EQUIP", name="IT equipment")
    vendors = Vendor.objects.bulk_create(
        Vendor(
            legal_name=f"Bench Vendor {number:04d} Ltda",
            country="BR",
            registration_number=f"BENCH-{number:06d}",
            registration_key=registration_key(f"BENCH-{number:06d}"),
            email=f"bids{number}@vendor.test",
            language="pt-br",
        )
        for number in range(1, vendor_count + 1)
    )
    return undp, people, category, vendors


@contextmanager
def stored_plain() -> Iterator[None]:
    """The baseline: the same services, with the bids stored as plain JSON instead of sealed."""
    from procurement import sealing

    sealed = sealing.seal, sealing.unseal

    def seal(document: dict[str, Any]) -> bytes:
        return json.dumps(document, separators=(",", ":")).encode()

    def unseal(stored: bytes | memoryview) -> dict[str, Any]:
        return json.loads(bytes(stored))  # type: ignore[no-any-return]

    sealing.seal, sealing.unseal = seal, unseal  # type: ignore[assignment]
    try:
        yield
    finally:
        sealing.seal, sealing.unseal = sealed  # type: ignore[assignment]


def solicitation_with_bids(
    undp: Any, people: dict[str, Any], category: Any, vendors: list[Any], lines: int, rng: random.Random
) -> Any:
    """An ITB of `lines` lines with one bid per vendor, deadline just past: ready to open."""
    from django.utils import timezone

    from procurement import services
    from procurement.models import Solicitation

    requisition = services.requisition_raise(
        agency=undp,
        requester=people["requester"],
        title="Laptops and accessories for the country office",
        justification="Replacement cycle.",
        delivery_place="UN House, Brasília",
        delivery_date=timezone.localdate() + timedelta(days=90),
        charge_code="BRA10-00123-71200",
        lines=[
            services.LineInput(
                description=f"Item {position}",
                category=category,
                quantity="10",
                unit="each",
                estimated_unit_price="450.00",
            )
            for position in range(1, lines + 1)
        ],
    )
    services.requisition_approve(agency=undp, requisition=requisition, approver=people["approver"])
    services.requisition_take(requisition=requisition, buyer=people["buyer"])
    solicitation, _tokens = services.solicitation_issue(
        requisition=requisition,
        by=people["buyer"],
        instructions="Quote delivered prices.",
        deadline=timezone.now() + timedelta(hours=1),
        vendors=vendors,
    )
    for invitation in solicitation.invitations.all():
        prices = [str(Decimal(rng.randrange(35000, 55000)) / 100) for _ in range(lines)]
        services.bid_submit(invitation=invitation, currency="USD", unit_prices=prices)
    Solicitation.objects.filter(pk=solicitation.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    solicitation.refresh_from_db()
    return solicitation


def open_and_evaluate(solicitation: Any, people: dict[str, Any]) -> dict[str, float]:
    """What the officers do, timed: the opening, then one evaluator's findings and the evaluation's close."""
    from procurement import services
    from procurement.selectors import bids_counting

    started = time.perf_counter()
    services.bids_open(solicitation=solicitation, officers=[people["buyer"], people["officer"]])
    opened = time.perf_counter()
    services.evaluator_declare(solicitation=solicitation, user=people["evaluator"], no_conflict=True)
    # The evaluator's findings on every bid, sent together as the evaluation page sends them.
    services.compliance_findings_record(
        solicitation=solicitation,
        by=people["evaluator"],
        findings=[
            services.Finding(
                bid, index % 10 != 9, "Meets the specifications." if index % 10 != 9 else "No warranty offered."
            )
            for index, bid in enumerate(bids_counting(solicitation=solicitation))
        ],
    )
    found = time.perf_counter()
    services.evaluation_complete(solicitation=solicitation, by=people["buyer"])
    done = time.perf_counter()
    return {
        "open_s": opened - started,
        "findings_s": found - opened,
        "complete_s": done - found,
        "evaluate_s": done - opened,
        "total_s": done - started,
    }


def main() -> None:
    options = arguments()
    load_start = round(os.getloadavg()[0], 2)
    postgres = servers_start(DATABASE)
    result: dict[str, Any] = {"benchmark": "procurement_opening", "bids": options.bids, "lines": options.lines}
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django_tenants.utils import schema_context

        from ledger.services import alerts_muted
        from procurement.models import Bid

        say("migrate_schemas --shared (public schema)")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        undp, people, category, vendors = setup(options.bids)
        say(f"UNDP, its people and {len(vendors)} vendors on the roster")
        rng = random.Random(options.seed)
        runs: dict[str, list[dict[str, float]]] = {"sealed": [], "plain": []}
        with schema_context(undp.schema_name), alerts_muted():
            for round_number in range(1, options.rounds + 1):
                order = ("sealed", "plain") if round_number % 2 else ("plain", "sealed")
                prepared = {}
                for kind in order:
                    say(f"Round {round_number}: {options.bids} {kind} bids of {options.lines} lines submitted")
                    started = time.perf_counter()
                    if kind == "plain":
                        with stored_plain():
                            prepared[kind] = solicitation_with_bids(undp, people, category, vendors, options.lines, rng)
                    else:
                        prepared[kind] = solicitation_with_bids(undp, people, category, vendors, options.lines, rng)
                    say(f"  ready in {time.perf_counter() - started:.1f}s (setup, not timed)")
                for kind in order:
                    if kind == "plain":
                        with stored_plain():
                            timing = open_and_evaluate(prepared[kind], people)
                    else:
                        timing = open_and_evaluate(prepared[kind], people)
                    runs[kind].append(timing)
                    say(
                        f"  {kind}: opened in {timing['open_s']:.2f}s, evaluated in {timing['evaluate_s']:.2f}s, "
                        f"total {timing['total_s']:.2f}s"
                    )
                sealed_sample = Bid.objects.filter(solicitation=prepared["sealed"]).first()
                plain_sample = Bid.objects.filter(solicitation=prepared["plain"]).first()
                if sealed_sample is not None and plain_sample is not None:
                    result["stored_bytes_per_bid"] = {
                        "sealed": len(bytes(sealed_sample.sealed_financial)),
                        "plain": len(bytes(plain_sample.sealed_financial)),
                    }
        medians = {
            kind: {key: statistics.median(run[key] for run in kind_runs) for key in KEYS}
            for kind, kind_runs in runs.items()
        }
        result.update(
            {
                "rounds": options.rounds,
                "runs": runs,
                "median": medians,
                "ratio": medians["sealed"]["total_s"] / medians["plain"]["total_s"],
                "ratio_open": medians["sealed"]["open_s"] / medians["plain"]["open_s"],
                "goals": {"sealed_total_s": 2, "ratio": 3},
            }
        )
        from importlib.metadata import version

        result["environment"] = {
            "python": platform.python_version(),
            "django": version("Django"),
            "cryptography": version("cryptography"),
            "cpus": os.cpu_count(),
            "load_average_start": load_start,
        }
    finally:
        if options.keep:
            say(f"Database {DATABASE} kept ({os.environ.get('DATABASE_URL')})")
        else:
            database_drop(postgres, DATABASE)
    result["environment"]["load_average_end"] = round(os.getloadavg()[0], 2)
    result["elapsed_s"] = elapsed()
    report(rounded(result))  # type: ignore[arg-type]


def report(result: dict[str, Any]) -> None:
    sealed, plain = result["median"]["sealed"], result["median"]["plain"]
    rows: list[tuple[str, ...]] = [
        ("open (bids_open)", f"{sealed['open_s']:.3f}", f"{plain['open_s']:.3f}", f"{result['ratio_open']:.2f}"),
        ("declaration + one finding per bid", f"{sealed['findings_s']:.3f}", f"{plain['findings_s']:.3f}", ""),
        ("evaluation_complete", f"{sealed['complete_s']:.3f}", f"{plain['complete_s']:.3f}", ""),
        ("evaluate (the two above)", f"{sealed['evaluate_s']:.3f}", f"{plain['evaluate_s']:.3f}", ""),
        ("open + evaluate", f"{sealed['total_s']:.3f}", f"{plain['total_s']:.3f}", f"{result['ratio']:.2f}"),
    ]
    print()
    print(
        f"ITB: {result['bids']} bids x {result['lines']} lines; median of {result['rounds']} round(s); "
        f"load average {result['environment']['load_average_start']} -> {result['environment']['load_average_end']}"
    )
    print(table(rows, ("seconds", "sealed", "plain", "sealed / plain")))
    met_time = sealed["total_s"] <= result["goals"]["sealed_total_s"]
    met_ratio = result["ratio"] <= result["goals"]["ratio"]
    print(
        f"goals: sealed open + evaluate <= 2 s: {'met' if met_time else 'NOT MET'}; "
        f"ratio <= 3: {'met' if met_ratio else 'NOT MET'}"
    )
    print("JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
