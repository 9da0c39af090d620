"""Business-time arithmetic: ours (closed form) against the `businesstimedelta` package.

    .venv/bin/python benchmarks/business_time.py [--n 20000] [--repeats 3] [--seed 2025] [--quick]

Both libraries get the same calendar — Monday to Friday 08:00-17:00 in
America/Sao_Paulo, closed on Brazil's national holidays from the `holidays`
package — and the same inputs: N random aware start instants over 2025-2028
(whole seconds, UTC, seeded RNG) with a random target between 30 minutes and 45
working days (9 h each) for the due time, and N random (start, end) pairs, end
up to 63 calendar days after start, for the working time between them.

Every answer of one library is compared with the other's; disagreements are
counted and shown, not hidden. Each repeat runs ours and theirs over all
inputs, alternating which goes first, after a warm-up that is not counted.
Reported: operations per second, the ratio ours / theirs, and per-operation
medians (each call timed on its own), all as the median over the repeats.
No database, no Django: only `service_levels.business_time`, which imports the
standard library alone. Nothing here asserts on time: it reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from importlib.metadata import version
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

import businesstimedelta  # noqa: E402
import holidays  # noqa: E402
import pytz  # noqa: E402  (businesstimedelta's rules localize with pytz zones)
from harness import elapsed, rounded, say, table  # noqa: E402  (benchmarks/harness.py; imports no Django)

from service_levels.business_time import BusinessCalendar  # noqa: E402  (imports no Django)

TIME_ZONE = "America/Sao_Paulo"
OPENS, CLOSES = clock(8), clock(17)
WORKING_DAYS = (0, 1, 2, 3, 4)
FIRST_YEAR, LAST_YEAR = 2025, 2028  # start instants fall in these years
# Dues run into early 2029 (45 working days is about 9 weeks), and businesstimedelta's
# HolidayRule looks ahead for the *next* holiday after any instant, so it gets 2025-2030.
HOLIDAY_YEARS = range(FIRST_YEAR, LAST_YEAR + 3)
TARGET_MINUTES = (30, 45 * 9 * 60)  # 30 min to 45 working days of 9 h
PAIR_SPAN_SECONDS = 63 * 86_400  # working_time_between: end up to 63 calendar days (about 45 working days) later
WARM_UP = 500
EXAMPLES = 5


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="inputs of each kind (default 20,000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over all inputs (default 3)")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the random inputs (default 2025)")
    parser.add_argument("--quick", action="store_true", help="a quicker run: --n 2000 --repeats 3")
    options = parser.parse_args()
    if options.quick:
        options.n, options.repeats = 2_000, 3
    if options.n < 1 or options.repeats < 1:
        parser.error("--n and --repeats must be at least 1")
    return options


# --- The two calendars ---------------------------------------------------------


def ours_calendar() -> BusinessCalendar:
    """As service_levels.selectors.business_calendar builds it, less the database: holidays a year at a time."""

    def closed_days(year: int) -> list[date]:
        return list(holidays.country_holidays("BR", years=year))

    return BusinessCalendar(
        time_zone=TIME_ZONE, week={day: [(OPENS, CLOSES)] for day in WORKING_DAYS}, closed_days=closed_days
    )


def theirs_rule(holiday_dates: Any) -> businesstimedelta.Rules:
    """WorkDayRule + HolidayRule combined, both in the pytz zone (they call zone.localize on wall-clock times)."""
    zone = pytz.timezone(TIME_ZONE)
    return businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(start_time=OPENS, end_time=CLOSES, working_days=list(WORKING_DAYS), tz=zone),
            businesstimedelta.HolidayRule(holiday_dates, tz=zone),
        ]
    )


def brazil_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("BR", years=HOLIDAY_YEARS)


# --- Inputs --------------------------------------------------------------------


def inputs_make(n: int, seed: int) -> tuple[list[tuple[datetime, timedelta]], list[tuple[datetime, datetime]]]:
    """N (start, target) for due times and N (start, end) for working time, whole seconds, aware (UTC)."""
    rng = random.Random(seed)
    zone = pytz.timezone(TIME_ZONE)
    low = int(zone.localize(datetime(FIRST_YEAR, 1, 1)).timestamp())
    high = int(zone.localize(datetime(LAST_YEAR + 1, 1, 1)).timestamp())

    def instant() -> datetime:
        return datetime.fromtimestamp(rng.randrange(low, high), UTC)

    dues = [(instant(), timedelta(minutes=rng.randint(*TARGET_MINUTES))) for _ in range(n)]
    pairs = []
    for _ in range(n):
        start = instant()
        pairs.append((start, start + timedelta(seconds=rng.randint(1, PAIR_SPAN_SECONDS))))
    return dues, pairs


def edge_cases() -> list[tuple[datetime, timedelta]]:
    """Starts on the boundaries (opening, closing, a second either side, midnight) of every day around
    Christmas/New Year and Good Friday/Tiradentes, with targets of whole and part working days: where the
    two libraries' conventions (due at 17:00 or at the next 08:00; starting outside hours) would show."""
    zone = pytz.timezone(TIME_ZONE)
    days = [date(2025, 12, 15) + timedelta(days=i) for i in range(28)]
    days += [date(2026, 3, 30) + timedelta(days=i) for i in range(25)]
    moments = [
        clock(0),
        clock(7, 59, 59),
        clock(8),
        clock(8, 0, 1),
        clock(12, 30),
        clock(16, 30),
        clock(16, 59, 59),
        clock(17),
        clock(17, 0, 1),
        clock(23, 59, 59),
    ]
    targets = [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=4, minutes=30)]
    targets += [timedelta(hours=9 * days) for days in (1, 2, 5, 45)]
    return [
        (zone.localize(datetime.combine(day, moment)).astimezone(UTC), target)
        for day in days
        for moment in moments
        for target in targets
    ]


# --- Timing --------------------------------------------------------------------


def timed(call: Callable[[Any, Any], Any], inputs: Sequence[tuple[Any, Any]]) -> tuple[float, list[int], list[Any]]:
    """Wall seconds for the whole pass, nanoseconds of each call, and the answers.

    Each call is timed on its own (perf_counter_ns around it); that overhead,
    well under a microsecond, is inside the wall time of both libraries alike.
    """
    each: list[int] = []
    answers: list[Any] = []
    clock_ns = time.perf_counter_ns
    started = time.perf_counter()
    for first, second in inputs:
        before = clock_ns()
        answer = call(first, second)
        each.append(clock_ns() - before)
        answers.append(answer)
    return time.perf_counter() - started, each, answers


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def local(instant: datetime) -> str:
    return instant.astimezone(pytz.timezone(TIME_ZONE)).strftime("%a %Y-%m-%d %H:%M:%S")


def minutes(duration: timedelta) -> str:
    whole = int(duration.total_seconds() // 60)
    rest = duration.total_seconds() - whole * 60
    return f"{whole} min" + (f" {rest:g} s" if rest else "")


def disagreements(
    inputs: Sequence[tuple[Any, Any]], ours: Sequence[Any], theirs: Sequence[Any], show: Callable[..., str]
) -> dict[str, Any]:
    # Aware datetimes compare as instants, whatever their zone object (zoneinfo vs pytz).
    differing = [index for index, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    return {"count": len(differing), "examples": [show(*inputs[i], ours[i], theirs[i]) for i in differing[:EXAMPLES]]}


def show_due(start: datetime, target: timedelta, ours: datetime, theirs: datetime) -> str:
    return f"start {local(start)} + {minutes(target)}: ours {local(ours)}, theirs {local(theirs)}"


def show_between(start: datetime, end: datetime, ours: timedelta, theirs: timedelta) -> str:
    return f"{local(start)} -> {local(end)}: ours {ours}, theirs {theirs}"


BUCKETS = (
    ("<= 1 working day", 0, 9 * 60),
    ("1-5 working days", 9 * 60, 45 * 60),
    ("5-45 working days", 45 * 60, 10**9),
)


def by_target(dues: Sequence[tuple[datetime, timedelta]], each_ns: Sequence[Sequence[int]]) -> dict[str, float]:
    """Median µs per due-time computation by target length, pooled over the repeats."""
    result = {}
    for label, low, high in BUCKETS:
        chosen = [i for i, (_, target) in enumerate(dues) if low < target.total_seconds() / 60 <= high]
        pooled = [run[i] for run in each_ns for i in chosen]
        result[label] = statistics.median(pooled) / 1000 if pooled else float("nan")
    return result


# --- Report --------------------------------------------------------------------


def report(result: dict[str, Any]) -> None:
    env = result["environment"]
    print()
    print(
        f"Business time, {result['n']:,} inputs of each kind, median of {result['repeats']} repeats "
        f"(Python {env['python']}, businesstimedelta {env['businesstimedelta']}, holidays {env['holidays']}, "
        f"{env['cpus']} CPUs, load average {env['load_average_start']} at start, {env['load_average_end']} at end)"
    )
    rows = []
    for operation in ("add", "between"):
        for side in ("ours", "theirs"):
            figures = result[operation][side]
            rows.append(
                (
                    f"{'due time (add)' if operation == 'add' else 'working_time_between'}: {side}",
                    f"{figures['ops_per_s']:,.0f}",
                    f"{figures['median_us']:.1f}",
                    f"{figures['p95_us']:.1f}",
                    " / ".join(f"{value:,.0f}" for value in figures["ops_per_s_runs"]),
                )
            )
    print(table(rows, ("operation", "ops/s", "median µs/op", "p95 µs/op", "ops/s each repeat")))
    print(f"due time: ours / theirs = {result['add']['ratio']:,.0f}x ops/s (goal >= 10x)")
    print(f"working_time_between: ours / theirs = {result['between']['ratio']:,.0f}x ops/s")
    print()
    print("Due time, median µs per op by target length (pooled over the repeats):")
    print(
        table(
            [
                (
                    label,
                    str(result["add"]["bucket_inputs"][label]),
                    f"{result['add']['ours']['by_target_us'][label]:.1f}",
                    f"{result['add']['theirs']['by_target_us'][label]:.1f}",
                )
                for label, _, _ in BUCKETS
            ],
            ("target", "inputs", "ours µs", "theirs µs"),
        )
    )
    variant = result["theirs_holiday_set"]
    print(
        f"\nSensitivity, one pass: businesstimedelta with the holidays as a frozenset of dates instead of the "
        f"holidays object: {variant['ops_per_s']:,.0f} ops/s; ours / that = {variant['ratio']:,.0f}x; "
        f"disagreements with ours: {variant['disagreements']}"
    )
    print()
    checks = result["checks"]
    print("Agreement (every input, answers of the first repeat):")
    print(f"  due times differing: {checks['add']['count']} of {result['n']:,}")
    for example in checks["add"]["examples"]:
        print(f"    {example}")
    print(f"  working times differing: {checks['between']['count']} of {result['n']:,}")
    for example in checks["between"]["examples"]:
        print(f"    {example}")
    edges = checks["edges"]
    print(
        f"  boundary cases ({edges['inputs']:,}: starts at 00:00, 07:59:59, 08:00, 08:00:01, 12:30, 16:30, "
        f"16:59:59, 17:00, 17:00:01, 23:59:59 on every day of 15 Dec 2025-11 Jan 2026 and 30 Mar-23 Apr 2026; "
        f"targets 30 min, 1 h, 4 h 30, 1/2/5/45 working days):"
    )
    print(f"    due times differing: {edges['add']['count']}")
    for example in edges["add"]["examples"]:
        print(f"      {example}")
    print(f"    working_time_between(start, due) differing: {edges['between_start_to_due']['count']}")
    for example in edges["between_start_to_due"]["examples"]:
        print(f"      {example}")
    print(
        f"  convention: a target used up exactly at closing is due at 17:00 in both (ours: rule 4; "
        f"businesstimedelta returns period start + what is left when the period is long enough), so no "
        f"normalisation was applied; due exactly at 17:00: {checks['due_at_closing']} of the random inputs, "
        f"{edges['due_at_closing']:,} of the boundary cases"
    )
    print(
        f"  {checks['start_outside_hours']:,} of {result['n']:,} starts fall outside working hours; "
        f"both count from the next opening"
    )
    print(
        f"  ours, round trip working_time_between(start, add(start, target)) == target: "
        f"{checks['round_trip_failures']} failures"
    )
    print(f"\nwhole run: {result['total_s']:.1f}s")
    print("JSON " + json.dumps(result, separators=(",", ":"), ensure_ascii=False))


# --- Main ----------------------------------------------------------------------


def main() -> None:
    options = arguments()
    environment = {
        "python": platform.python_version(),
        "businesstimedelta": version("businesstimedelta"),
        "holidays": version("holidays"),
        "cpus": os.cpu_count(),
        "load_average_start": round(os.getloadavg()[0], 2),
    }
    say(f"Making {options.n:,} due-time inputs and {options.n:,} working-time pairs (seed {options.seed})")
    dues, pairs = inputs_make(options.n, options.seed)

    ours = ours_calendar()
    theirs = theirs_rule(brazil_holidays())

    def theirs_add(start: datetime, target: timedelta) -> datetime:
        return start + businesstimedelta.BusinessTimeDelta(theirs, timedelta=target)

    def theirs_between(start: datetime, end: datetime) -> timedelta:
        # difference() keeps whole seconds only; the inputs are whole seconds, so nothing is lost.
        return theirs.difference(start, end).timedelta

    sides = {
        "add": {"ours": ours.add, "theirs": theirs_add},
        "between": {"ours": ours.working_time_between, "theirs": theirs_between},
    }
    inputs = {"add": dues, "between": pairs}

    say(f"Warm-up: {min(WARM_UP, options.n)} of each, both libraries (not counted)")
    for operation, calls in sides.items():
        for call in calls.values():
            timed(call, inputs[operation][:WARM_UP])

    wall: dict[str, dict[str, list[float]]] = {op: {"ours": [], "theirs": []} for op in sides}
    each: dict[str, dict[str, list[list[int]]]] = {op: {"ours": [], "theirs": []} for op in sides}
    answers: dict[str, dict[str, list[Any]]] = {op: {} for op in sides}
    for repeat in range(1, options.repeats + 1):
        order = ("ours", "theirs") if repeat % 2 else ("theirs", "ours")
        for operation in ("add", "between"):
            for side in order:
                seconds, per_call, found = timed(sides[operation][side], inputs[operation])
                wall[operation][side].append(seconds)
                each[operation][side].append(per_call)
                answers[operation].setdefault(side, found)
                say(
                    f"Repeat {repeat}/{options.repeats} {operation:7} {side:6}: {seconds:8.2f}s "
                    f"({options.n / seconds:,.0f} ops/s)"
                )

    result: dict[str, Any] = {"benchmark": "business_time", "n": options.n, "repeats": options.repeats}
    result["seed"] = options.seed
    for operation in sides:
        figures = {}
        for side in ("ours", "theirs"):
            runs = [options.n / seconds for seconds in wall[operation][side]]
            figures[side] = {
                "ops_per_s": statistics.median(runs),
                "ops_per_s_runs": runs,
                "median_us": statistics.median(statistics.median(run) / 1000 for run in each[operation][side]),
                "p95_us": statistics.median(percentile(run, 0.95) / 1000 for run in each[operation][side]),
            }
        figures["ratio"] = figures["ours"]["ops_per_s"] / figures["theirs"]["ops_per_s"]
        result[operation] = figures
    for side in ("ours", "theirs"):
        result["add"][side]["by_target_us"] = by_target(dues, each["add"][side])
    result["add"]["bucket_inputs"] = {
        label: sum(1 for _, target in dues if low < target.total_seconds() / 60 <= high) for label, low, high in BUCKETS
    }

    say("Sensitivity pass: businesstimedelta with a frozenset of holiday dates")
    as_set = theirs_rule(frozenset(brazil_holidays()))

    def set_add(start: datetime, target: timedelta) -> datetime:
        return start + businesstimedelta.BusinessTimeDelta(as_set, timedelta=target)

    timed(set_add, dues[:WARM_UP])
    seconds, _, found = timed(set_add, dues)
    result["theirs_holiday_set"] = {
        "ops_per_s": options.n / seconds,
        "ratio": result["add"]["ours"]["ops_per_s"] / (options.n / seconds),
        "disagreements": sum(1 for a, b in zip(answers["add"]["ours"], found, strict=True) if a != b),
    }

    say("Comparing every answer")
    zone = pytz.timezone(TIME_ZONE)
    result["checks"] = {
        "add": disagreements(dues, answers["add"]["ours"], answers["add"]["theirs"], show_due),
        "between": disagreements(pairs, answers["between"]["ours"], answers["between"]["theirs"], show_between),
        "due_at_closing": sum(1 for due in answers["add"]["ours"] if due.astimezone(zone).time() == CLOSES),
        "start_outside_hours": sum(1 for start, _ in dues if not ours.within_working_hours(start)),
        "round_trip_failures": sum(
            1
            for (start, target), due in zip(dues, answers["add"]["ours"], strict=True)
            if ours.working_time_between(start, due) != target
        ),
    }
    say("Boundary cases: starts at and around opening and closing, around holidays")
    edges = edge_cases()
    _, _, edge_ours = timed(ours.add, edges)
    _, _, edge_theirs = timed(theirs_add, edges)
    edge_starts = [start for start, _ in edges]
    edge_between_ours = [ours.working_time_between(a, due) for a, due in zip(edge_starts, edge_ours, strict=True)]
    edge_between_theirs = [theirs_between(a, due) for a, due in zip(edge_starts, edge_theirs, strict=True)]
    result["checks"]["edges"] = {
        "inputs": len(edges),
        "add": disagreements(edges, edge_ours, edge_theirs, show_due),
        "between_start_to_due": disagreements(
            list(zip(edge_starts, edge_ours, strict=True)),
            edge_between_ours,
            edge_between_theirs,
            show_between,
        ),
        "due_at_closing": sum(1 for due in edge_ours if due.astimezone(zone).time() == CLOSES),
    }
    environment["load_average_end"] = round(os.getloadavg()[0], 2)
    result["environment"] = environment
    result["total_s"] = elapsed()
    report(rounded(result))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
