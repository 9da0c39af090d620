"""Gapless numbers and one invoice per agency and month, with real threads on the real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from billing import services
from billing.models import BillingRun, Invoice, NumberCounter
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads released together; each thread has its own database connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
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


@pytest.fixture
def no_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDFs are not what these tests are about; and Celery's eager mode keeps a process-wide
    "inside a task" flag that eager tasks in concurrent threads would leave set for later tests."""
    monkeypatch.setattr(services, "enqueue_after_commit", lambda task, *args, **kwargs: None)


def test_concurrent_issuing_gives_gapless_unique_numbers(undp, finance, no_pdfs):
    # given 16 drafts (one per month) and an issue that fails after taking its number
    drafts = [
        Invoice.objects.create(agency=undp, month=date(2024 + i // 12, i % 12 + 1, 1), created_at=timezone.now())
        for i in range(16)
    ]

    def issue(index: int) -> str | None:
        if index == 0:  # this one rolls back: its number must be given back, not lost
            try:
                with transaction.atomic():
                    services.invoice_issue(invoice=drafts[index], issued_by=finance)
                    raise RuntimeError("the printer caught fire")
            except RuntimeError:
                return None
        return services.invoice_issue(invoice=drafts[index], issued_by=finance).number

    # when 16 threads issue at the same instant
    numbers = in_threads(len(drafts), issue)
    # then 15 numbers, 1 to 15 without a gap or a repeat, and the counter says 15
    assert not [n for n in numbers if isinstance(n, Exception)], numbers
    year = timezone.localdate().year
    issued = sorted(n for n in numbers if n)
    assert issued == [f"JOF-{year}-{k:06d}" for k in range(1, 16)]
    assert NumberCounter.objects.get(series="JOF", year=year).last_number == 15


def test_two_runs_of_a_month_at_once_give_one_invoice_per_agency(
    undp, unfpa, unaids, sign_agreement, price_list, deliver, finance
):
    sign_agreement(undp)
    sign_agreement(unfpa)
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    deliver(unfpa, "ICT-REQ", at(2026, 10, 5, 10, 0))
    services.fixed_cost_add(month=OCTOBER, description="Premises", amount="90.00", entered_by=finance)
    runs = [BillingRun.objects.create(month=OCTOBER, started_by=finance, created_at=timezone.now()) for _ in range(4)]
    results = in_threads(len(runs), lambda index: services.run_execute(run_id=runs[index].pk).status)
    assert results == ["done"] * 4
    per_agency = {invoice.agency.code: invoice for invoice in Invoice.objects.filter(month=OCTOBER)}
    assert Invoice.objects.filter(month=OCTOBER).count() == len(per_agency) == 3  # UNDP, UNFPA, UNAIDS
    assert per_agency["UNDP"].total == 40 + 30
