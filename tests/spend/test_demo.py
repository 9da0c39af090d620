"""The demo's split purchase (issue 14): on a fresh demo, UNDP's third furniture purchase of 6,000 from one vendor
was approved with the approver's explanation, and the facility's split-purchase report shows it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from sourcing.demo.splits import EXPLANATION, VENDOR, splits_demo_load
from sourcing.models import SplitFlag

pytestmark = pytest.mark.django_db


def test_the_demo_flags_one_split_purchase_and_the_facility_report_shows_it(facility, client_at):
    # given the demo as `make run` loads it
    call_command("load_demo")
    # then UNDP's third furniture purchase carries one flag, with the approver's explanation
    flag = SplitFlag.objects.select_related("agency", "vendor", "category").get()
    assert (flag.agency.code, flag.category.code, flag.vendor.legal_name) == ("UNDP", "FURNITURE", VENDOR)
    assert (flag.stage, flag.explanation, len(flag.purchases)) == ("approval", EXPLANATION, 2)
    # and the facility's report shows it to the procurement officer
    officer = User.objects.get(email="procurement@facility.demo")
    html = client_at(facility, officer).get("/sourcing/reports/split-purchases/").content.decode()
    assert flag.requisition_reference in html and "Three separate needs" in html
    # and loading again adds nothing
    assert splits_demo_load() == 0
    assert SplitFlag.objects.count() == 1
