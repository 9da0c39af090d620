"""The facility's spend reports (issue 14): split purchases (recorded flags and the live scan) and
joint-procurement opportunities, on pages, in CSV and in the API; for the facility's procurement officers,
manager and auditor only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from sourcing.models import AgreementItem, LongTermAgreement, Participation, PurchaseRecord
from sourcing.selectors.spend import joint_opportunities, split_scan

from .conftest import days_ago

pytestmark = pytest.mark.django_db

SPLIT_URL = "/sourcing/reports/split-purchases/"
JOINT_URL = "/sourcing/reports/joint-procurement/"
API = "/api/sourcing/"


def _record(agency, vendor, category, amount, days, number, *, cancelled=False, agreement=None):
    return PurchaseRecord.objects.create(
        agency=agency,
        order_number=f"{agency.code}-PO-{number}",
        requisition_reference=f"{agency.code}-PR-9{number}",
        vendor=vendor,
        category=category,
        method="lta" if agreement else "micro",
        agreement=agreement,
        ordered_on=timezone.localdate() - timedelta(days=days),
        amount_usd=Decimal(amount),
        cancelled=cancelled,
    )


@pytest.fixture
def spend(undp, unfpa, unaids, vendors, laptops):
    """UNDP: three purchases of 6,000 from Alfa (a split), UNFPA: two of 6,000 from Alfa and one cancelled,
    UNAIDS: one of 9,000 from Beta; one purchase of UNDP 13 months ago."""
    _record(undp, vendors[0], laptops, "6000.00", 200, "000001")
    _record(undp, vendors[0], laptops, "6000.00", 100, "000002")
    _record(undp, vendors[0], laptops, "6000.00", 10, "000003")
    _record(undp, vendors[0], laptops, "6000.00", 400, "000000")
    _record(unfpa, vendors[0], laptops, "6000.00", 90, "000001")
    _record(unfpa, vendors[0], laptops, "6000.00", 30, "000002")
    _record(unfpa, vendors[0], laptops, "6000.00", 20, "000003", cancelled=True)
    _record(unaids, vendors[1], laptops, "9000.00", 50, "000001")


@pytest.fixture
def officer(people):
    return people.buyer


@pytest.fixture
def auditor(make_person, facility):
    return make_person((Role.AUDITOR, None), email="audit@facility.test")


# -- the live scan ----------------------------------------------------------------------------------------------


def test_the_scan_finds_the_agency_whose_purchases_each_under_the_threshold_pass_it_together(spend, undp):
    groups = split_scan(on=timezone.localdate())
    assert [(g.agency_code, g.vendor_name, g.threshold_method, g.count, g.total_usd) for g in groups] == [
        ("UNDP", "Alfa Informática Ltda", "micro", 3, Decimal("18000.00"))
    ]
    assert [purchase.order_number for purchase in groups[0].purchases] == [
        "UNDP-PO-000001",
        "UNDP-PO-000002",
        "UNDP-PO-000003",
    ]


def test_the_scan_of_one_agency_reads_only_that_agency(spend, unfpa):
    assert split_scan(on=timezone.localdate(), agency=unfpa) == []


def test_the_scan_uses_each_agencys_thresholds_in_force(spend, unfpa, people):
    from vendors.models import MethodThresholds

    MethodThresholds.objects.create(
        agency=unfpa,
        effective_from=timezone.localdate() - timedelta(days=365),
        micro_purchase_max=Decimal("10000.00"),
        rfq_max=Decimal("100000.00"),
        committee_above=Decimal("150000.00"),
        set_by=people.manager,
        set_at=timezone.now(),
    )
    found = {(g.agency_code, g.threshold_usd) for g in split_scan(on=timezone.localdate())}
    assert found == {("UNDP", Decimal("15000.00")), ("UNFPA", Decimal("10000.00"))}


# -- joint procurement ---------------------------------------------------------------------------------------------


def test_joint_procurement_lists_categories_several_agencies_bought_alone_with_each_total(spend, laptops):
    [opportunity] = joint_opportunities(on=timezone.localdate())
    assert opportunity.category_id == laptops.pk
    assert [(spend.agency_code, spend.total_usd, spend.orders) for spend in opportunity.agencies] == [
        ("UNDP", Decimal("18000.00"), 3),
        ("UNFPA", Decimal("12000.00"), 2),
        ("UNAIDS", Decimal("9000.00"), 1),
    ]
    assert opportunity.total_usd == Decimal("39000.00")
    assert opportunity.agreements == []
    assert joint_opportunities(on=timezone.localdate(), min_agencies=4) == []


def test_joint_procurement_names_the_agreement_in_force_others_could_piggyback_on(
    spend, undp, unfpa, laptops, vendors, roster_keeper
):
    # given UNDP's agreement for laptops in force, UNFPA taking part, and an expired one
    def agreement(reference, valid_until):
        made = LongTermAgreement.objects.create(
            reference=reference,
            title="Laptops",
            owner=undp,
            vendor=vendors[2],
            valid_from=timezone.localdate() - timedelta(days=500),
            valid_until=valid_until,
            ceiling_usd=Decimal("900000.00"),
            source_kind="contract",
            created_by=roster_keeper,
            created_at=days_ago(500),
        )
        AgreementItem.objects.create(
            agreement=made,
            position=1,
            description="Laptop",
            category=laptops,
            unit="each",
            unit_price_usd=Decimal("1380.00"),
        )
        return made

    in_force = agreement("LTA-IN-FORCE", timezone.localdate() + timedelta(days=100))
    agreement("LTA-EXPIRED", timezone.localdate() - timedelta(days=1))
    Participation.objects.create(agreement=in_force, agency=unfpa, joined_via="piggyback", joined_at=timezone.now())
    # and a call-off of UNFPA under it, which is not a market purchase
    _record(unfpa, vendors[2], laptops, "50000.00", 5, "000009", agreement=in_force)
    [opportunity] = joint_opportunities(on=timezone.localdate())
    assert opportunity.total_usd == Decimal("39000.00")
    assert [(option.agreement.reference, option.could_join) for option in opportunity.agreements] == [
        ("LTA-IN-FORCE", ["UNAIDS"])
    ]


# -- the pages ------------------------------------------------------------------------------------------------------


def test_the_split_report_shows_flags_and_the_scan_to_procurement_officers(
    micro_purchase, vendors, spend, officer, facility, client_at
):
    # given a flag recorded at approval (UNDP's fourth purchase of 6,000 from Alfa)
    fourth = micro_purchase("6000.00", vendors[0], days_ago(3), order=False, explanation="Four separate events.")
    page = client_at(facility, officer).get(SPLIT_URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert fourth.requisition.reference in html and "Four separate events." in html
    assert 'id="scan-table"' in html and "UNDP-PO-000003" in html and "18,000.00" in html
    assert "UNDP-PO-000000" not in html  # 13 months ago
    assert "<svg" in html


def test_the_split_report_filters_by_agency_and_ignores_an_unknown_one(spend, officer, facility, client_at):
    browser = client_at(facility, officer)
    assert "UNDP-PO-000003" not in browser.get(SPLIT_URL, {"agency": "UNFPA"}).content.decode()
    unknown = browser.get(SPLIT_URL, {"agency": "NOPE", "flag_sort": "'; drop", "scan_page": "x" * 500})
    assert unknown.status_code == 200
    assert "UNDP-PO-000003" in unknown.content.decode()


@pytest.mark.parametrize("column", ["agency", "-category", "vendor", "-count", "total", "-last"])
def test_the_scan_sorts_by_each_column(spend, officer, facility, client_at, column):
    assert client_at(facility, officer).get(SPLIT_URL, {"scan_sort": column, "flag_sort": column}).status_code == 200


def test_the_reports_download_as_csv_with_formula_like_text_made_harmless(
    micro_purchase, vendors, spend, auditor, facility, client_at
):
    micro_purchase("6000.00", vendors[0], days_ago(3), order=False, explanation='=HYPERLINK("http://x")')
    browser = client_at(facility, auditor)
    flags = browser.get(SPLIT_URL, {"export": "flags"})
    assert flags["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(flags.content.decode())))
    assert rows[0][0] == "agency" and rows[1][0] == "UNDP"
    assert rows[1][rows[0].index("explanation")] == '\'=HYPERLINK("http://x")'
    scan = list(csv.reader(io.StringIO(browser.get(SPLIT_URL, {"export": "scan"}).content.decode())))
    assert [row[7] for row in scan[1:]] == ["UNDP-PO-000001", "UNDP-PO-000002", "UNDP-PO-000003"]
    joint = list(csv.reader(io.StringIO(browser.get(JOINT_URL, {"export": "csv"}).content.decode())))
    assert [row[2] for row in joint[1:]] == ["UNDP", "UNFPA", "UNAIDS"]
    assert browser.get(SPLIT_URL, {"export": "pdf"}).status_code == 400


def test_the_joint_procurement_page_shows_categories_agencies_and_totals(spend, people, facility, client_at, laptops):
    page = client_at(facility, people.manager).get(JOINT_URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert laptops.name in html and "39,000.00" in html and "UNAIDS 9,000.00" in html
    assert client_at(facility, people.manager).get(JOINT_URL, {"agencies": "99", "sort": "nope"}).status_code == 200


def test_the_reports_are_linked_from_the_procurement_queue(officer, facility, client_at):
    html = client_at(facility, officer).get("/procurement/").content.decode()
    assert SPLIT_URL in html and JOINT_URL in html


# -- who may read them --------------------------------------------------------------------------------------------


def test_agency_people_and_other_facility_staff_are_refused(
    spend, people, undp, facility, client_at, make_person, api_at
):
    ict = make_person((Role.ICT_AGENT, None), email="ict@facility.test")
    for url in (SPLIT_URL, JOINT_URL):
        # an agency's approver on the facility portal, and on their own agency's address
        assert client_at(facility, people.approver).get(url).status_code == 403
        assert client_at(undp, people.approver).get(url).status_code == 404
        # facility staff of another service
        assert client_at(facility, ict).get(url).status_code == 403
    for url in ("split-purchases/flags/", "split-purchases/scan/", "joint-procurement/"):
        assert api_at(facility, people.approver).get(API + url).status_code == 403
        assert api_at(facility, ict).get(API + url).status_code == 403
        assert api_at(undp, people.approver).get(API + url).status_code == 404


# -- the API ---------------------------------------------------------------------------------------------------


def test_the_api_gives_the_flags_the_scan_and_the_opportunities(
    micro_purchase, vendors, spend, officer, facility, api_at
):
    fourth = micro_purchase("6000.00", vendors[0], days_ago(3), order=False, explanation="Four events.")
    api = api_at(facility, officer)
    flags = api.get(API + "split-purchases/flags/").json()
    assert flags["count"] == 1
    assert flags["results"][0]["requisition_reference"] == fourth.requisition.reference
    assert [p["order_number"] for p in flags["results"][0]["purchases"]] == [
        "UNDP-PO-000001",
        "UNDP-PO-000002",
        "UNDP-PO-000003",
    ]
    scan = api.get(API + "split-purchases/scan/").json()["results"]
    assert [(group["agency"], group["total_usd"]) for group in scan] == [("UNDP", "18000.00")]
    joint = api.get(API + "joint-procurement/", {"agencies": "3"}).json()["results"]
    assert [agency["agency"] for agency in joint[0]["agencies"]] == ["UNDP", "UNFPA", "UNAIDS"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("split-purchases/flags/", {"agency": "NOPE"}),
        ("split-purchases/scan/", {"agency": "x" * 300}),
        ("joint-procurement/", {"agencies": "-1"}),
        ("joint-procurement/", {"agencies": "1e9"}),
    ],
)
def test_the_api_refuses_a_filter_it_cannot_read(spend, officer, facility, api_at, url, params):
    response = api_at(facility, officer).get(API + url, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "sourcing.invalid_filter"
