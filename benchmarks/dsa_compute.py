"""The DSA of an itinerary (travel.dsa.compute): microseconds per itinerary, against a flat-rate baseline.

    .venv/bin/python benchmarks/dsa_compute.py [--n 10000] [--repeats 5] [--seed 2026]

N seeded random itineraries of 1 to 90 nights: round trips from a duty station
through one to four of eight locations, some with an overnight leg, a quarter
with accommodation or meals provided on some days; every location has two
effective-dated rates (a change mid-year) and a long-stay rate, so the 60-night
rule and rate changes are exercised. Each repeat computes all N with
`travel.dsa.compute` and, as the baseline measured in the same run, prices the
same itineraries the naive way (walk the nights, one Decimal rate per night,
no deductions, no long-stay rule, no explanation lines). Reported: the median
over the repeats of µs per itinerary for each, and the ratio rules / baseline.
Goal (issue "Travel…"): at most 200 µs per itinerary. No database, no Django.
Nothing here asserts on time: it reports.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from harness import say, table  # noqa: E402 - after the path is set

from travel.dsa import Leg, Provided, Rate, RateBook, Rules, compute, overnight_locations  # noqa: E402

HOME = 0
PLACES = range(1, 9)
RULES = Rules(Decimal("6"), Decimal("12"), Decimal("12"), Decimal("38.00"))
START = date(2026, 1, 15)


def rate_book(rng: random.Random) -> RateBook:
    rates = {}
    for place in [HOME, *PLACES]:
        first = Decimal(rng.randrange(150, 520))
        second = first + Decimal(rng.randrange(-20, 40))
        rates[place] = [
            Rate(
                date(2025, 1, 1), first, Decimal(rng.randrange(35, 65)), (first * Decimal("0.7")).quantize(Decimal("1"))
            ),
            Rate(
                date(2026, 7, 1),
                second,
                Decimal(rng.randrange(35, 65)),
                (second * Decimal("0.7")).quantize(Decimal("1")),
            ),
        ]
    return RateBook(rates)


def itinerary(rng: random.Random) -> tuple[list[Leg], dict[date, Provided]]:
    nights = rng.randrange(1, 91)
    stops = rng.sample(list(PLACES), rng.randrange(1, 5))
    cuts = sorted(rng.sample(range(1, nights), len(stops) - 1)) if nights > len(stops) else []
    stays = [b - a for a, b in zip([0, *cuts], [*cuts, nights], strict=True)] if cuts else [nights]
    stops = stops[: len(stays)]
    start = START + timedelta(days=rng.randrange(0, 300))
    legs, where, day = [], HOME, start
    for stop, stay in zip(stops, stays, strict=True):
        overnight = rng.random() < 0.2
        legs.append(Leg(where, stop, day, day + timedelta(days=1 if overnight and stay > 1 else 0)))
        where, day = stop, day + timedelta(days=stay)
    legs.append(Leg(where, HOME, day, day))
    provided = {}
    if rng.random() < 0.25:
        for offset in rng.sample(range(nights), min(nights, rng.randrange(1, 6))):
            provided[start + timedelta(days=offset)] = Provided(
                accommodation=rng.random() < 0.5, breakfast=rng.random() < 0.7, lunch=rng.random() < 0.3
            )
    return legs, provided


def naive(legs: list[Leg], book: RateBook) -> Decimal:
    """The baseline: one rate per night where it is spent, summed; no rules beyond that."""
    total = Decimal("0")
    for night, place in overnight_locations(legs):
        total += book.on(place, night).rate
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    book = rate_book(rng)
    trips = [itinerary(rng) for _ in range(args.n)]
    nights = sum(len(overnight_locations(legs)) for legs, _provided in trips)
    say(f"{args.n} itineraries, {nights} nights away in all ({nights / args.n:.1f} per itinerary)")
    for legs, provided in trips[:200]:  # warm-up, not counted
        compute(legs=legs, rates=book, rules=RULES, provided=provided)
        naive(legs, book)
    ours, baseline = [], []
    for repeat in range(args.repeats):
        order = ("ours", "baseline") if repeat % 2 == 0 else ("baseline", "ours")
        for which in order:
            started = time.perf_counter()
            if which == "ours":
                for legs, provided in trips:
                    compute(legs=legs, rates=book, rules=RULES, provided=provided)
                ours.append((time.perf_counter() - started) / args.n * 1e6)
            else:
                for legs, _provided in trips:
                    naive(legs, book)
                baseline.append((time.perf_counter() - started) / args.n * 1e6)
        say(f"repeat {repeat + 1}/{args.repeats}: {ours[-1]:.1f} µs vs baseline {baseline[-1]:.1f} µs")
    median_ours, median_baseline = statistics.median(ours), statistics.median(baseline)
    rows = [
        ("travel.dsa.compute (all rules, explained lines)", f"{median_ours:.1f}"),
        ("baseline: one rate per night, summed", f"{median_baseline:.1f}"),
        ("ratio compute / baseline", f"{median_ours / median_baseline:.2f}"),
        ("goal (issue)", "<= 200 µs per itinerary"),
    ]
    print(table(rows, ("measure", "µs per itinerary")))
    print(
        "JSON "
        + json.dumps(
            {
                "n": args.n,
                "repeats": args.repeats,
                "compute_us": round(median_ours, 1),
                "baseline_us": round(median_baseline, 1),
                "ratio": round(median_ours / median_baseline, 2),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
