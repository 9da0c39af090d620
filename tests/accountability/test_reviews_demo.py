"""The demo holds the issue's done-when: a breached UNOPS request, credited, its NC, its cell, the review."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accountability.models import ManagementReview, OutputKind, OutputStatus, ReviewStatus
from accountability.selectors.chain import request_chain
from accountability.selectors.reviews import SECTION_KEYS
from billing.models import InvoiceLine, InvoiceStatus, LineKind

pytestmark = pytest.mark.django_db


def test_the_demo_review_is_held_with_its_outputs_and_discusses_a_credited_unops_breach(facility, client_at):
    # given the demo, loaded as `make run` loads it
    call_command("load_demo", stdout=io.StringIO())
    # then one review is held, its pack compiled with every input, two decisions and three actions
    review = ManagementReview.objects.get()
    assert review.status == ReviewStatus.HELD and review.minutes and review.compiled_at is not None
    assert set(review.pack["sections"]) == set(SECTION_KEYS)
    decisions = review.outputs.filter(kind=OutputKind.DECISION)
    actions = review.outputs.filter(kind=OutputKind.ACTION)
    assert decisions.count() == 2 and actions.count() == 3
    assert actions.filter(status=OutputStatus.DONE).count() == 1
    open_actions = actions.filter(status=OutputStatus.OPEN)
    assert open_actions.count() == 2 and all(action.owner_id and action.due_on for action in open_actions)
    assert open_actions.filter(due_on__lt=timezone.localdate()).exists()
    # and a UNOPS request credited on an issued invoice leads, through its NC and cell, to this review
    credited = InvoiceLine.objects.filter(
        kind=LineKind.SERVICE_CREDIT,
        invoice__agency__code="UNOPS",
        invoice__status=InvoiceStatus.ISSUED,
        entry__module="ict",
    ).select_related("entry")
    chains = [request_chain(entry=line.entry, scope=None) for line in credited]
    complete = [chain for chain in chains if chain.nonconformities and chain.cell and review in chain.reviews]
    assert complete, "no credited UNOPS breach reaches the demo's review"
    # and the second load adds nothing
    call_command("load_demo", stdout=io.StringIO())
    assert ManagementReview.objects.count() == 1
