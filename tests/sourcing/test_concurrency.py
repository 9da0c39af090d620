"""Two call-offs at once can never pass the ceiling together: real threads, each with its own connection,
on the real PostgreSQL (the row lock on the agreement in `consumption_commit`)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from ledger.services import alerts_muted
from procurement.models import Requisition
from shared_platform.errors import ApplicationError
from sourcing.models import Consumption
from sourcing.selectors.agreements import agreement_figures
from sourcing.services import agreements as services

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads released together by a barrier; each has its own database connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            with alerts_muted():
                barrier.wait()
                results[index] = work(index)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def both_inside_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the race: each call-off, once past its ceiling check, waits (a few seconds at most) for the other
    to be past its own. Without the row lock both get there and both commit; with it the second waits for the
    lock instead, the first goes on when the wait gives up, and the second then sees the first's consumption."""
    meet = threading.Barrier(2)
    checked = threading.local()
    original = services._room_check

    def check_then_wait(*args: Any, **kwargs: Any) -> Any:
        room = original(*args, **kwargs)
        if not getattr(checked, "once", False):
            checked.once = True
            with contextlib.suppress(threading.BrokenBarrierError):
                meet.wait(timeout=3)
        return room

    monkeypatch.setattr(services, "_room_check", check_then_wait)


def test_two_call_offs_at_once_that_together_pass_the_ceiling_consume_at_most_the_ceiling(
    make_lta, undp, unfpa, call_off, monkeypatch
):
    # given an agreement of 10,000 USD that both agencies take part in
    agreement = make_lta("10000.00", participants=[unfpa])
    agencies = [undp, unfpa]
    both_inside_the_check(monkeypatch)

    # when each agency calls off 6,000 USD at the same instant
    def work(index: int) -> Requisition:
        return call_off(agencies[index], agreement, {1: "6"})

    results = in_threads(2, work)
    # then exactly one is refused for the ceiling, and at most the ceiling is consumed
    refused = [result for result in results if isinstance(result, ApplicationError)]
    raised = [result for result in results if isinstance(result, Requisition)]
    assert len(refused) == 1 and len(raised) == 1, results
    assert refused[0].code == "sourcing.ceiling_exceeded"
    assert "4,000.00 USD remains" in refused[0].message
    figures = agreement_figures(agreement=agreement)
    assert figures.consumed_usd == Decimal("6000.00") <= figures.ceiling_usd
    assert Consumption.objects.filter(agreement=agreement).count() == 1
    # and the refused agency has no requisition left behind
    loser = agencies[results.index(refused[0])]
    with schema_context(loser.schema_name):
        assert not Requisition.objects.exists()


def test_many_call_offs_at_once_fill_the_ceiling_and_never_pass_it(make_lta, undp, unfpa, call_off):
    # given an agreement of 10,000 USD; six call-offs of 2,000 USD at once, three per agency
    agreement = make_lta("10000.00", participants=[unfpa])
    agencies = [undp, unfpa]
    results = in_threads(6, lambda index: call_off(agencies[index % 2], agreement, {1: "2"}))
    # then five fit exactly and one is refused
    assert sum(isinstance(result, Requisition) for result in results) == 5, results
    assert sum(isinstance(result, ApplicationError) for result in results) == 1
    assert agreement_figures(agreement=agreement).consumed_usd == Decimal("10000.00")
