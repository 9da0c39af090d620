"""Agreement change requests: both approvals make a new version from its date; every refusal changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accountability.models import AgreementChangeRequest, ChangeEventKind, ChangeStatus
from accountability.services import changes
from service_levels.models import Agreement
from service_levels.selectors import agreement_in_force, targets_for
from shared_platform.errors import ApplicationError
from tests.sla_fixtures import at

pytest_plugins = ["tests.accountability.fixtures_changes"]
pytestmark = pytest.mark.usefixtures("quiet_changes")


def _codes(agreement: Agreement) -> set[str]:
    return set(agreement.services.values_list("service__code", flat=True))


def test_a_proposal_is_numbered_per_agency_and_year_and_starts_its_history(propose_change, change_people):
    request = propose_change()
    year = timezone.localdate().year
    assert request.reference == f"UNDP-CR-{year}-000001"
    assert request.status == ChangeStatus.SUBMITTED
    assert list(request.events.values_list("kind", flat=True)) == [ChangeEventKind.SUBMITTED]


def test_one_approval_is_not_enough_no_new_version(assessed_change, change_people, undp_ict_travel):
    # given an assessed_change request, when only the facility manager approves
    changes.change_request_approve_facility(request=assessed_change, by=change_people.manager)
    # then it waits for the agency, and the agreement has no new version
    assessed_change.refresh_from_db()
    assert assessed_change.status == ChangeStatus.ASSESSED
    assert assessed_change.new_agreement is None
    assert Agreement.objects.filter(agency=assessed_change.agency).count() == 1


@pytest.mark.parametrize("facility_first", [True, False])
def test_both_approvals_in_either_order_make_the_new_version_from_its_date(
    assessed_change, change_people, undp_ict_travel, first_of_next_month, facility_first
):
    steps = [
        lambda: changes.change_request_approve_facility(request=assessed_change, by=change_people.manager),
        lambda: changes.change_request_approve_agency(request=assessed_change, by=change_people.undp_approver),
    ]
    for step in steps if facility_first else reversed(steps):
        step()
    assessed_change.refresh_from_db()
    undp_ict_travel.refresh_from_db()
    new = assessed_change.new_agreement
    assert assessed_change.status == ChangeStatus.APPROVED
    assert new is not None and new.valid_from == first_of_next_month
    assert undp_ict_travel.valid_to == first_of_next_month - timedelta(days=1)
    assert _codes(new) == _codes(undp_ict_travel) | {"PRC-MICRO"}
    assert agreement_in_force(agency=assessed_change.agency, on=first_of_next_month) == new
    assert (
        agreement_in_force(agency=assessed_change.agency, on=first_of_next_month - timedelta(days=1)) == undp_ict_travel
    )
    kinds = list(assessed_change.events.values_list("kind", flat=True))
    assert kinds[-1] == ChangeEventKind.APPLIED
    assert {ChangeEventKind.AGENCY_APPROVED, ChangeEventKind.FACILITY_APPROVED} <= set(kinds)


def test_requests_raised_before_keep_their_agreement(assessed_change, change_people, undp_ict_travel, raise_request):
    # given a request raised under the current version
    entry = raise_request(assessed_change.agency, "ICT-INC", at(2026, 11, 3, 10, 0), priority="P3")
    changes.change_request_approve_agency(request=assessed_change, by=change_people.undp_approver)
    changes.change_request_approve_facility(request=assessed_change, by=change_people.manager)
    entry.refresh_from_db()
    assert entry.agreement_id == undp_ict_travel.pk


def test_target_and_credit_changes_are_carried_into_the_new_version(propose_change, change_people, undp_ict_travel):
    request = propose_change(
        services_added=[],
        services_dropped=["TRV-TA"],
        target_changes=[{"service": "ICT-INC", "metric": "resolution", "priority": "P1", "target_minutes": 180}],
        grants_service_credits=True,
        credit_percent="12.50",
        credit_cap_percent="6",
    )
    changes.change_request_assess(
        request=request, price_effect="Less travel.", target_effect="P1 3 h.", by=change_people.manager
    )
    changes.change_request_approve_agency(request=request, by=change_people.undp_approver)
    changes.change_request_approve_facility(request=request, by=change_people.manager)
    request.refresh_from_db()
    new = request.new_agreement
    assert _codes(new) == {"ICT-INC", "ICT-REQ"}
    incident = new.services.get(service__code="ICT-INC").service
    assert targets_for(agreement=new, service=incident, priority="P1")["resolution"] == 180
    assert targets_for(agreement=undp_ict_travel, service=incident, priority="P1")["resolution"] != 180
    assert new.grants_service_credits is True
    assert str(new.credit_percent) == "12.50" and str(new.credit_cap_percent) == "6.00"


def test_an_approval_refused_by_the_revision_changes_nothing(
    assessed_change, change_people, undp_ict_travel, raise_request
):
    # given a request already raised on the day the change would take effect (the ledger's history)
    day = assessed_change.effective_from
    raise_request(assessed_change.agency, "ICT-INC", at(day.year, day.month, day.day, 10, 0), priority="P3")
    changes.change_request_approve_agency(request=assessed_change, by=change_people.undp_approver)
    # when the facility approves second, then agreement_revise refuses and nothing is kept
    with pytest.raises(ApplicationError) as refused:
        changes.change_request_approve_facility(request=assessed_change, by=change_people.manager)
    assert refused.value.code == "sla.revision_rewrites_history"
    assessed_change.refresh_from_db()
    undp_ict_travel.refresh_from_db()
    assert assessed_change.status == ChangeStatus.ASSESSED and assessed_change.facility_approved_at is None
    assert undp_ict_travel.valid_to is None
    assert not assessed_change.events.filter(kind=ChangeEventKind.FACILITY_APPROVED).exists()


def test_approvals_wait_for_the_assessment(propose_change, change_people):
    request = propose_change()
    for approve, by in (
        (changes.change_request_approve_agency, change_people.undp_approver),
        (changes.change_request_approve_facility, change_people.manager),
    ):
        with pytest.raises(ApplicationError) as refused:
            approve(request=request, by=by)
        assert refused.value.code == "accountability.change_wrong_status"


def test_the_proposer_never_approves_for_the_agency(propose_change, change_people):
    request = propose_change(by=change_people.undp_approver)
    changes.change_request_assess(request=request, price_effect="x", target_effect="y", by=change_people.manager)
    with pytest.raises(ApplicationError) as refused:
        changes.change_request_approve_agency(request=request, by=change_people.undp_approver)
    assert refused.value.status_code == 403
    changes.change_request_approve_agency(request=request, by=change_people.undp_approver2)


def test_only_the_right_people_act_on_each_side(assessed_change, change_people):
    refusals = [
        lambda: changes.change_request_approve_agency(request=assessed_change, by=change_people.unfpa_approver),
        lambda: changes.change_request_approve_agency(request=assessed_change, by=change_people.undp_finance),
        lambda: changes.change_request_approve_facility(request=assessed_change, by=change_people.finance),
        lambda: changes.change_request_approve_facility(request=assessed_change, by=change_people.auditor),
        lambda: changes.change_request_reject(
            request=assessed_change, reason="no", side="agency", by=change_people.unfpa_approver
        ),
        lambda: changes.change_request_reject(
            request=assessed_change, reason="no", side="facility", by=change_people.auditor
        ),
        lambda: changes.change_request_withdraw(request=assessed_change, by=change_people.unfpa_finance),
    ]
    for refused_call in refusals:
        with pytest.raises(ApplicationError) as refused:
            refused_call()
        assert refused.value.status_code == 403
    assessed_change.refresh_from_db()
    assert assessed_change.status == ChangeStatus.ASSESSED and assessed_change.agency_approved_at is None


def test_proposing_is_for_the_agencys_approvers_and_finance_officers(propose_change, change_people, unfpa):
    for by in (
        change_people.undp_requester,
        change_people.undp_board,
        change_people.unfpa_finance,
        change_people.manager,
    ):
        with pytest.raises(ApplicationError) as refused:
            propose_change(by=by)
        assert refused.value.code == "accountability.change_proposers_only"
    assert not AgreementChangeRequest.objects.exists()


def test_an_agency_never_proposes_on_another_agencys_agreement(propose_change, change_people, unfpa):
    with pytest.raises(ApplicationError):
        propose_change(agency=unfpa, by=change_people.unfpa_finance)
    assert not AgreementChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"services_added": ["ICT-INC"]}, "services_added"),
        ({"services_added": [], "services_dropped": ["PRC-ITB"]}, "services_dropped"),
        ({"services_added": [], "services_dropped": ["ICT-INC", "ICT-REQ", "TRV-TA"]}, "services_dropped"),
        ({"services_added": ["NOPE"]}, "services_added"),
        ({"effective_from": date(2026, 1, 1)}, "effective_from"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 500}, "summary"),
        ({"reason": "  "}, "reason"),
        ({"credit_percent": "101"}, "credit_percent"),
        ({"credit_percent": "-1"}, "credit_percent"),
        ({"credit_cap_percent": "abc"}, "credit_cap_percent"),
        ({"credit_cap_percent": "1e30"}, "credit_cap_percent"),
        (
            {"target_changes": [{"service": "PRC-ITB", "metric": "completion", "priority": "", "target_minutes": 60}]},
            "target_changes.1",
        ),
        (
            {"target_changes": [{"service": "ICT-INC", "metric": "claim", "priority": "", "target_minutes": 60}]},
            "target_changes.1",
        ),
        (
            {"target_changes": [{"service": "ICT-INC", "metric": "resolution", "priority": "P9", "target_minutes": 9}]},
            "target_changes.1",
        ),
        (
            {"target_changes": [{"service": "ICT-INC", "metric": "resolution", "priority": "P1", "target_minutes": 0}]},
            "target_changes.1",
        ),
        (
            {
                "target_changes": [
                    {"service": "ICT-INC", "metric": "resolution", "priority": "P1", "target_minutes": "9" * 12}
                ]
            },
            "target_changes.1",
        ),
    ],
)
def test_bad_proposals_are_refused_on_their_field(propose_change, fields, field):
    with pytest.raises(ApplicationError) as refused:
        propose_change(**fields)
    assert field in refused.value.fields
    assert not AgreementChangeRequest.objects.exists()


def test_a_change_takes_effect_after_today(propose_change):
    with pytest.raises(ApplicationError) as refused:
        propose_change(effective_from=timezone.localdate())
    assert "effective_from" in refused.value.fields


def test_a_proposal_with_no_change_is_refused(propose_change):
    with pytest.raises(ApplicationError) as refused:
        propose_change(services_added=[], credit_percent="10.00")  # the agreement's own figure
    assert refused.value.code == "accountability.change_empty"


def test_one_request_under_way_per_agency(propose_change):
    propose_change()
    with pytest.raises(ApplicationError) as refused:
        propose_change(services_added=["PRC-RFQ"])
    assert refused.value.code == "accountability.change_pending"


def test_rejection_needs_a_reason_and_closes_the_request(assessed_change, change_people):
    with pytest.raises(ApplicationError):
        changes.change_request_reject(
            request=assessed_change, reason=" ", side="agency", by=change_people.undp_approver
        )
    changes.change_request_reject(
        request=assessed_change, reason="Not this year.", side="agency", by=change_people.undp_approver
    )
    assessed_change.refresh_from_db()
    assert assessed_change.status == ChangeStatus.REJECTED and assessed_change.closing_reason == "Not this year."
    with pytest.raises(ApplicationError) as refused:
        changes.change_request_approve_facility(request=assessed_change, by=change_people.manager)
    assert refused.value.status_code == 409


def test_the_facility_rejects_a_submitted_request(propose_change, change_people):
    request = propose_change()
    changes.change_request_reject(request=request, reason="Out of scope.", side="facility", by=change_people.finance)
    request.refresh_from_db()
    assert request.status == ChangeStatus.REJECTED


def test_withdrawn_requests_move_no_further(propose_change, change_people):
    request = propose_change()
    changes.change_request_withdraw(request=request, by=change_people.undp_finance)
    for act in (
        lambda: changes.change_request_assess(
            request=request, price_effect="a", target_effect="b", by=change_people.manager
        ),
        lambda: changes.change_request_withdraw(request=request, by=change_people.undp_finance),
        lambda: changes.change_request_reject(request=request, reason="r", side="facility", by=change_people.manager),
    ):
        with pytest.raises(ApplicationError) as refused:
            act()
        assert refused.value.code == "accountability.change_wrong_status"
    assert request.events.count() == 2


def test_the_assessment_needs_both_texts(propose_change, change_people):
    request = propose_change()
    with pytest.raises(ApplicationError) as refused:
        changes.change_request_assess(request=request, price_effect="", target_effect="b", by=change_people.manager)
    assert "price_effect" in refused.value.fields
    request.refresh_from_db()
    assert request.status == ChangeStatus.SUBMITTED
