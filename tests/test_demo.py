"""The demo facility of PRODUCT.md loads, and loading it twice changes nothing."""

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import Membership, User
from demo import data
from ict_helpdesk.models import Message, Survey, Ticket
from ledger.models import LedgerEntry, LedgerEvent, SlaBreach
from ledger.selectors import LedgerFilters, at_risk, compliance_by, compliance_from_ledger, compliance_report
from tenants.models import Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(facility):  # type: ignore[no-untyped-def]
    """The demo, loaded twice: the second load must find everything there."""
    call_command("load_demo")
    counts = (Agency.objects.count(), User.objects.count(), Membership.objects.count(), LedgerEntry.objects.count())
    call_command("load_demo")
    return counts


def test_the_demo_loads_the_brazil_facility_once(demo):
    assert (
        Agency.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        LedgerEntry.objects.count(),
    ) == demo
    codes = set(Agency.objects.agencies().values_list("code", flat=True))
    assert {"UNDP", "UNFPA", "UNESCO", "UNWOMEN", "UNOPS", "UNEP", "UNAIDS"} <= codes
    assert Agency.objects.get(code="UNAIDS").has_vote is False
    assert Agency.objects.agencies().filter(kind="member").count() >= 6
    # the partner's board people observe
    roles = set(Membership.objects.filter(user__email="board@unaids.demo").values_list("role", flat=True))
    assert "board_observer" in roles
    assert "board_representative" not in roles
    # three months of SLA history across the six member agencies, with pauses and some breaches
    report = compliance_report(filters=LedgerFilters())
    assert report == compliance_from_ledger(filters=LedgerFilters())  # the kept counts match the ledger
    assert len(compliance_by(report, "month")) == 3
    assert {"UNDP", "UNFPA", "UNESCO", "UNWOMEN", "UNOPS", "UNEP"} <= {
        label for label, *_ in compliance_by(report, "agency")
    }
    breached, met = sum(row.breached for row in report), sum(row.met for row in report)
    assert 0 < breached < met
    assert LedgerEvent.objects.filter(kind="paused").exists()
    assert SlaBreach.objects.filter(held_by="supplier").exists()  # UNOPS: supplier waits do not pause the clock
    assert at_risk(filters=LedgerFilters())  # and something open is at risk right now
    # the ICT share is real helpdesk tickets, with their conversations, internal notes and surveys
    undp = Agency.objects.get(code="UNDP")
    with schema_context(undp.schema_name):
        tickets = Ticket.objects.count()
        assert tickets == LedgerEntry.objects.filter(agency=undp, module="ict").count() > 20
        assert Message.objects.filter(internal=True).exists() and Survey.objects.exists()
    assert LedgerEntry.objects.filter(module="ict", satisfaction__isnull=False).count() > 20


def test_the_demo_requester_signs_in_at_undp_and_is_refused_at_unfpa(facility, client_at):
    call_command("load_demo", history_months=0)
    undp, unfpa = Agency.objects.get(code="UNDP"), Agency.objects.get(code="UNFPA")
    credentials = {"email": "requester@undp.demo", "password": data.DEMO_PASSWORD}
    assert client_at(undp).post("/accounts/login/", credentials).status_code == 302
    assert client_at(unfpa).post("/accounts/login/", credentials).status_code == 403
